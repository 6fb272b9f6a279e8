/* table_mla: the multi-head latent attention tables (DeepSeek-style MLA) as the reference's
 * operations/mla.py loads and queries them:
 *   context_mla_perf.txt             fmha mode, kv-cache mode -> heads -> seq -> batch
 *   generation_mla_perf.txt          kv-cache mode -> heads -> batch -> kv length
 *   mla_bmm_perf.txt                 bmm quant, pre/post -> heads -> tokens
 *   mla_context_module_perf.txt      fmha, kv-cache, gemm modes -> heads -> seq -> batch
 *   mla_generation_module_perf.txt   fmha, kv-cache, gemm modes -> heads -> batch -> kv length
 * The attention and module grids are extended at load to the reference's target lists (over
 * the head counts measured); the BMM table is read as is. Files without a num_heads column
 * give 128 / tp_size heads (DeepSeek-V3's 128 heads split over tp). */
#ifndef INFERCAST_TABLE_MLA_H
#define INFERCAST_TABLE_MLA_H

#include "perfdb.h"
#include "table_set.h"

/* Loaders in perfdb_table's shape: 0 (a missing file leaves the table not loaded) or -1 with
 * "FILE:LINE: what". */
int table_context_mla_load(table_set *t, const char *dir, const struct system_spec *sys, char *err, size_t errlen);
int table_generation_mla_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
			      size_t errlen);
int table_mla_bmm_load(table_set *t, const char *dir, const struct system_spec *sys, char *err, size_t errlen);
int table_mla_context_module_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				  size_t errlen);
int table_mla_generation_module_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				     size_t errlen);

/* Speed of light (ms), the reference's get_sol of each look-up. The context module uses the
 * context MLA formula; the generation module adds the two BMMs to the generation one. */
double context_mla_sol_ms(const struct system_spec *sys, double b, double s, double prefix, double heads,
			  const quant_mode *kv, const quant_mode *fmha);
double generation_mla_sol_ms(const struct system_spec *sys, double b, double s, double heads, const quant_mode *kv);
double mla_bmm_sol_ms(const struct system_spec *sys, double tokens, double heads, const quant_mode *q);
double generation_mla_module_sol_ms(const struct system_spec *sys, double b, double s, double heads,
				    const quant_mode *kv, const quant_mode *gemm);

/* Silicon look-ups: 0 with *out (source silicon), or PERFDB_REFUSED with err. */
int table_context_mla_query(const table_set *t, long long b, long long s, long long prefix, long long heads,
			    const quant_mode *kv, const quant_mode *fmha, perf_result *out, char *err, size_t errlen);
int table_generation_mla_query(const table_set *t, long long b, long long s, long long heads, const quant_mode *kv,
			       perf_result *out, char *err, size_t errlen);
int table_mla_bmm_query(const table_set *t, long long tokens, long long heads, const quant_mode *q, bool pre,
			perf_result *out, char *err, size_t errlen);
int table_mla_context_module_query(const table_set *t, long long b, long long s, long long prefix, long long heads,
				   const quant_mode *kv, const quant_mode *fmha, const quant_mode *gemm,
				   perf_result *out, char *err, size_t errlen);
int table_mla_generation_module_query(const table_set *t, long long b, long long s, long long heads,
				      const quant_mode *kv, const quant_mode *fmha, const quant_mode *gemm,
				      perf_result *out, char *err, size_t errlen);

#endif
