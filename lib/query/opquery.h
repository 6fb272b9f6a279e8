/* opquery: the latency and energy of one op record (docs/records.md): each of its points (or runs
 * of points) priced by lib/query/opquery_op, lib/query/opquery_composite (FallbackOp, OverlapOp) or
 * lib/query/opquery_vit (zero-image encoder points), times its count, summed, sources merged. */
#ifndef INFERCAST_OPQUERY_H
#define INFERCAST_OPQUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opquery_op.h"
#include "perfdb.h"

/* True when opquery prices records of op_type (an op or a composite op). */
bool opquery_known(const char *op_type);

/* A whole op record: Σ count × latency over its points (energy likewise), sources merged
 * across points. Reads op_type, attrs, scale_factor and points; err names the problem. */
int opquery_record(perfdb *db, const cJSON *op, perf_result *out, char *err, size_t errlen);

#endif
