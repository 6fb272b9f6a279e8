/* opquery_composite: the reference's composite ops (operations/overlap.py), whose op records
 * carry their inner ops (each {name, op_type, scale_factor, attrs}) next to attrs:
 *   FallbackOp  "primary" (one op) and "fallback" (an array): the primary's answer, or once the
 *               primary has been refused for lack of data, the sum of the fallback ops. Under
 *               HYBRID the primary is asked in SILICON mode, so that a module table's gap is
 *               filled by the finer ops' data rather than by a formula.
 *   OverlapOp   "group_a" and "group_b" (arrays) run on two streams: latency is the larger
 *               group sum, energy the sum of both. */
#ifndef INFERCAST_OPQUERY_COMPOSITE_H
#define INFERCAST_OPQUERY_COMPOSITE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opquery_op.h"
#include "perfdb.h"

bool opquery_composite_known(const char *op_type);

/* What a composite remembers from one point to the next (the reference's op instance). */
typedef struct opq_composite_state {
	bool primary_unavailable;
} opq_composite_state;

/* The composite op record op at one point (its inner ops carry their own scale factors):
 * 0, PERFDB_REFUSED, PERFDB_FATAL or -2 (bad record); err says what. */
int opquery_composite_point(perfdb *db, const cJSON *op, opq_composite_state *state, const opq_point *pt,
			    perf_result *out, char *err, size_t errlen);

#endif
