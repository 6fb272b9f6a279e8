/* opquery_op: the latency and energy of one op at one point, as the reference's Operation.query of
 * each op class (the op classes under sdk/operations): GEMM (with fp8_static's compute-scale /
 * scale-matrix subtraction), ContextAttention, GenerationAttention, ElementWise, Embedding,
 * CustomAllReduce, NCCL, P2P here, and the families' ops through lib/opquery_<family>. Table
 * look-ups go through lib/perf/perfdb (memoized), so sweeps repeating shapes stay cheap. The composite
 * ops (lib/query/opquery_composite) and whole records (lib/query/opquery) are priced on top of it. */
#ifndef INFERCAST_OPQUERY_OP_H
#define INFERCAST_OPQUERY_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opquery_point.h"
#include "perfdb.h"

/* True when opquery_point prices op_type (composite ops are priced above it). */
bool opquery_op_known(const char *op_type);

/* True when opquery_point's answer for op_type reads only a point's x (not its s, prefix or
 * count): a run of such points, whose s alone grows, has one answer for all of them. */
bool opquery_op_reads_x_only(const char *op_type);

/* One op at one point, times scale_factor, as the reference's op.query returns it.
 * 0, PERFDB_REFUSED or PERFDB_FATAL (see perfdb.h), or -2 for bad attrs; err says what. */
int opquery_point(perfdb *db, const char *op_type, const cJSON *attrs, double scale_factor, const opq_point *pt,
		  perf_result *out, char *err, size_t errlen);

#endif
