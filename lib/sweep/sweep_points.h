/* sweep_points: the report records of a `default` sweep read into the priced points that the
 * pick searches (agg points, prefill and decode workers), and the run of one mode's search over
 * them, with why it found nothing in the reference's terms. */
#ifndef INFERCAST_SWEEP_POINTS_H
#define INFERCAST_SWEEP_POINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "sweep_pick.h"
#include "sweep_print.h"

typedef struct sweep_points {
	agg_point *agg;
	side_point *prefill, *decode;
	size_t nagg, nprefill, ndecode, cap_agg, cap_prefill, cap_decode;
	cJSON *first;    /* the first report, for the shared columns */
	bool is_moe;
	bool require_same_tp;
} sweep_points;

/* Reads the reports on stdin into pt (zeroed by the caller). kv_fraction: 0 for the reports' own
 * KV-cache check; corrections: the disagg latency corrections, prefill then decode. expect > 0
 * shows progress on a terminal. Dies on bad data or when there is no report. */
void sweep_points_read(sweep_points *pt, double kv_fraction, const double corrections[2], long expect);

/* Frees what sweep_points_read allocated. */
void sweep_points_free(sweep_points *pt);

/* The version column: the report's, else the newest data folder the tools used (into buf); ""
 * when neither can be found. */
const char *sweep_points_version(const cJSON *rep, const char *data_dir, char *buf, size_t n);

/* Runs one mode's search and pick (m->name "agg" or "disagg"); a mode without points did not
 * run, one that found nothing says why in m->failure. */
void sweep_mode_run(sweep_mode_result *m, const sweep_points *pt, const pick_common *c, const pick_targets *t);

#endif
