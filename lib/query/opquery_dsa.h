/* opquery_dsa: the reference's DSA op classes (operations/dsa.py: ContextDSAModule,
 * GenerationDSAModule; DeepSeek-V3.2 / GLM-5 sparse attention, one op for the whole attention
 * block) at one query point, in the reference's database modes: speed of light, the empirical
 * formula (speed of light / 0.5), or the tables of lib/perf/table_dsa (HYBRID falls back to the
 * empirical formula where they cannot answer).
 *
 * Op attrs (the reference's attribute names):
 *   ContextDSAModule     num_heads, kvcache_quant_mode, fmha_quant_mode, gemm_quant_mode, architecture
 *   GenerationDSAModule  num_heads, kv_cache_dtype, gemm_quant_mode, architecture */
#ifndef INFERCAST_OPQUERY_DSA_H
#define INFERCAST_OPQUERY_DSA_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opquery_point.h"
#include "perfdb.h"

/* True for the op types above. */
bool opquery_dsa_known(const char *op_type);

/* One op at one point, before the scale factor: 0, PERFDB_REFUSED, PERFDB_FATAL, or -2 for bad
 * attrs; err says what. */
int opquery_dsa_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
		      char *err, size_t errlen);

#endif
