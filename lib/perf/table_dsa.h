/* table_dsa: the DeepSeek sparse attention (DSA) module tables of DeepSeek-V3.2 and GLM-5, as
 * the reference's operations/dsa.py loads and queries them:
 *   dsa_context_module_perf.txt     fmha, kv-cache, gemm modes, architecture, cached prefix
 *                                   -> heads -> seq -> batch
 *   dsa_generation_module_perf.txt  kv-cache, gemm modes, architecture -> heads -> batch -> kv length
 * Both keep the last row of a shape. Each grid is extended to the reference's target lists over
 * the head counts measured (the context table one prefix at a time); the context table also
 * keeps its rows as read, for the look-up that does not interpolate across the top-k boundary
 * (below top-k tokens every key is attended, above it only top-k are: two kernel regimes).
 *
 * The module shapes come from the architecture (the reference's fixed per-architecture widths,
 * DeepSeek-V3.2's for an architecture it does not list), not from the checkpoint. */
#ifndef INFERCAST_TABLE_DSA_H
#define INFERCAST_TABLE_DSA_H

#include "model_dsa_dims.h"
#include "perfdb.h"
#include "table_set.h"

/* Loaders in perfdb_table's shape: 0 (a missing file leaves the table not loaded) or -1 with
 * "FILE:LINE: what". */
int table_dsa_context_load(table_set *t, const char *dir, const struct system_spec *sys, char *err, size_t errlen);
int table_dsa_generation_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
			      size_t errlen);

/* Speed of light (ms) of the whole DSA block: projections and absorbed BMMs at the GEMM rate,
 * the indexer logits in fp8, the sparse attention at the fmha rate (bfloat16 in decode). */
double dsa_context_sol_ms(const struct system_spec *sys, const dsa_dims *d, double b, double s, double prefix,
			  double heads, const quant_mode *kv, const quant_mode *fmha, const quant_mode *gemm);
double dsa_generation_sol_ms(const struct system_spec *sys, const dsa_dims *d, double b, double s, double heads,
			     const quant_mode *kv, const quant_mode *gemm);

/* Silicon look-ups: 0 with *out (source silicon), PERFDB_REFUSED with err, or PERFDB_FATAL
 * when extending a grid failed. */
int table_dsa_context_query(table_set *t, long long b, long long s, long long prefix, long long heads,
			    const quant_mode *kv, const quant_mode *fmha, const quant_mode *gemm,
			    const char *architecture, perf_result *out, char *err, size_t errlen);
int table_dsa_generation_query(table_set *t, long long b, long long s, long long heads, const quant_mode *kv,
			       const quant_mode *gemm, const char *architecture, perf_result *out, char *err,
			       size_t errlen);

#endif
