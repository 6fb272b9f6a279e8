/* opquery: the latency and energy of one op record (docs/records.md), as the reference's
 * Operation.query of each op class (the op classes under sdk/operations) summed over the record's points:
 * GEMM (with fp8_static's compute-scale / scale-matrix subtraction), ContextAttention,
 * GenerationAttention, ElementWise, Embedding, CustomAllReduce, NCCL, P2P.
 * Table look-ups go through lib/perfdb (memoized), so sweeps repeating shapes stay cheap. */
#ifndef INFERCAST_OPQUERY_H
#define INFERCAST_OPQUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "perfdb.h"

/* One query point: the keyword arguments the reference's run loop passes to op.query. */
typedef struct opq_point {
	long long x, batch, beam, s, prefix;
	double count;                 /* how many times this evaluation repeats */
	double seq_scale;             /* seq_imbalance_correction_scale (1 when absent) */
	double gen_seq_scale;         /* gen_seq_imbalance_correction_scale (falls back to seq_scale) */
	bool has_gen_seq_scale;
} opq_point;

/* True when opquery knows op_type. */
bool opquery_known(const char *op_type);

/* One op at one point, times scale_factor, as the reference's op.query returns it.
 * 0, PERFDB_REFUSED or PERFDB_FATAL (see perfdb.h), or -2 for bad attrs; err says what. */
int opquery_point(perfdb *db, const char *op_type, const cJSON *attrs, double scale_factor, const opq_point *pt,
		  perf_result *out, char *err, size_t errlen);

/* A whole op record: Σ count × latency over its points (energy likewise), sources merged
 * across points. Reads op_type, attrs, scale_factor and points; err names the problem. */
int opquery_record(perfdb *db, const cJSON *op, perf_result *out, char *err, size_t errlen);

#endif
