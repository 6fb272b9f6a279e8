/* opquery_dsv4: the DeepSeek-V4 op classes of the reference (operations/dsv4.py:
 * DeepSeekV4MHCModule, ContextDeepSeekV4AttentionModule, GenerationDeepSeekV4AttentionModule)
 * at one query point, with the reference's database modes. Their speed of light is an
 * analytical count of the module's GEMM, attention, indexer and compressor work against its
 * weight, activation and cache traffic; empirical = speed of light / 0.55 (mHC, context
 * attention) or / 0.6 (generation attention).
 *
 * Silicon: the reference reads these modules from mhc_module_perf.txt and
 * dsv4_{csa,hca}_{context,generation}_module_perf.txt. No system in the shared data has them,
 * and infercast does not read them: SILICON refuses (naming the table), HYBRID falls back to
 * the empirical formula, as the reference does wherever the tables are absent.
 *
 * Op attrs (the reference's attribute names):
 *   DeepSeekV4MHCModule  op (pre|post|both), hidden_size, hc_mult, sinkhorn_iters, quant_mode
 *   Context/GenerationDeepSeekV4AttentionModule  num_heads (per rank), native_heads, tp_size,
 *     hidden_size, q_lora_rank, o_lora_rank, head_dim, rope_head_dim, index_n_heads,
 *     index_head_dim, index_topk, window_size, compress_ratio, o_groups (per rank),
 *     kvcache_quant_mode, fmha_quant_mode, gemm_quant_mode */
#ifndef INFERCAST_OPQUERY_DSV4_H
#define INFERCAST_OPQUERY_DSV4_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opquery_point.h"
#include "perfdb.h"

/* True for the op types above. */
bool opquery_dsv4_known(const char *op_type);

/* One op at one point, before the scale factor: 0, PERFDB_REFUSED, or -2 for bad attrs; err
 * says what. */
int opquery_dsv4_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
		       char *err, size_t errlen);

/* The reference's pair counts (PerfDatabase helpers), exposed for unit tests:
 * Σ over the query's tokens of min(tokens visible, limit), times batch; */
long long dsv4_causal_limited_pairs(long long batch, long long query_len, long long prefix, long long limit);
/* Σ_{i=0..n} floor(i / divisor) (0 for n < 0); */
long long dsv4_sum_floor_upto(long long n, long long divisor);
/* Σ over the query's tokens of min(compressed entries visible, limit), times batch. */
long long dsv4_compressed_context_pairs(long long batch, long long query_len, long long prefix, long long ratio,
					long long limit);

#endif
