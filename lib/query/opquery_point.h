/* opquery_point: one query point of an op (the keyword arguments the reference's run loop
 * passes to op.query) and the status the op pricers return for bad attrs. The types every
 * pricer shares (lib/query/opquery_op and the per-family lib/opquery_<family>), so that none of them
 * depends on the dispatch above it. */
#ifndef INFERCAST_OPQUERY_POINT_H
#define INFERCAST_OPQUERY_POINT_H

#include <stdbool.h>

#include "perfdb.h"

/* A pricer's status beside 0, PERFDB_REFUSED and PERFDB_FATAL: the op record or its attrs are bad. */
enum { OPQ_BAD_ATTRS = -2 };

/* One query point: the keyword arguments the reference's run loop passes to op.query. */
typedef struct opq_point {
	long long x, batch, beam, s, prefix;
	double count;                 /* how many times this evaluation repeats */
	double seq_scale;             /* seq_imbalance_correction_scale (1 when absent) */
	double gen_seq_scale;         /* gen_seq_imbalance_correction_scale (falls back to seq_scale) */
	bool has_gen_seq_scale;
} opq_point;

#endif
