/* opquery_mla: the MLA op classes of the reference (operations/mla.py: ContextMLA,
 * GenerationMLA, MLABmm, MLAModule) at one query point, with the reference's database modes:
 * speed of light, the empirical formula (speed of light over its factor), or the tables of
 * lib/perf/table_mla (HYBRID falls back to the empirical formula where they cannot answer).
 *
 * Op attrs (the reference's attribute names):
 *   ContextMLA     num_heads, kvcache_quant_mode, fmha_quant_mode
 *   GenerationMLA  num_heads, kv_cache_dtype
 *   MLABmm         num_heads, quant_mode (GEMM), if_pre
 *   MLAModule      is_context, num_heads, kvcache_quant_mode, fmha_quant_mode, gemm_quant_mode */
#ifndef INFERCAST_OPQUERY_MLA_H
#define INFERCAST_OPQUERY_MLA_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opquery_point.h"
#include "perfdb.h"

/* True for the op types above. */
bool opquery_mla_known(const char *op_type);

/* One op at one point, before the scale factor: 0, PERFDB_REFUSED, PERFDB_FATAL, or -2 for bad
 * attrs; err says what. */
int opquery_mla_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
		      char *err, size_t errlen);

#endif
