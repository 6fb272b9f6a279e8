/* interp_probe: one table lookup made visible, for the interp filter. Table points and queries
 * go in one by one; each query is then answered by the reference's method for the table's
 * dimension (or the one asked for), with whether the answer was measured, interpolated or
 * extrapolated, as interp records on stdout. */
#ifndef INFERCAST_INTERP_PROBE_H
#define INFERCAST_INTERP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "grid.h"
#include "jsonl.h"

/* DEFAULT: by the table's dimension (linear-1d, linear-2d, cubic-2d-1d). */
enum interp_probe_method {
	INTERP_PROBE_DEFAULT, INTERP_PROBE_LINEAR_1D, INTERP_PROBE_LINEAR_2D, INTERP_PROBE_CUBIC,
	INTERP_PROBE_BILINEAR, INTERP_PROBE_LINEAR_3D
};

/* The methods' names, by enum interp_probe_method ("" for INTERP_PROBE_DEFAULT). */
extern const char *const interp_probe_method_names[];

typedef struct interp_probe_query {
	double c[3];
	int dims;
	char where[80]; /* FILE:LINE or --query TEXT, for messages */
} interp_probe_query;

/* Target keys of one axis for filling a 3-D table first (extrapolate_data_grid). */
typedef struct interp_probe_targets {
	double *v;
	size_t n;
	bool given;
} interp_probe_targets;

typedef struct interp_probe {
	enum interp_probe_method method;
	bool inner_only, sqrt_y;
	interp_probe_targets tx, ty, tz;
	grid *table;
	int dims;
	double lo[3], hi[3]; /* key range of the measured table per level */
	interp_probe_query *q;
	size_t nq, capq;
} interp_probe;

/* Queues a query of dims coordinates; where names it in messages. */
void interp_probe_add_query(interp_probe *st, const double *c, int dims, const char *where);

/* A table point or a query from one record read by r. */
void interp_probe_take_record(interp_probe *st, const jsonl_reader *r, const cJSON *rec);

/* Answers every query in order, one interp record each; returns how many failed (each said on
 * stderr). Dies when there are queries but no table, or the method or fill does not fit it. */
int interp_probe_answer_all(interp_probe *st);

#endif
