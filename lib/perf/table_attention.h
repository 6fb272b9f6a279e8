/* table_attention: the attention tables (context_attention_perf.txt,
 * generation_attention_perf.txt) as the reference's operations/attention.py loads and
 * queries them.
 *   context:    fmha mode, kv-cache mode, kv heads, head size, window -> heads -> seq -> batch
 *   generation: kv-cache mode, kv heads, head size, window -> heads -> batch -> kv length
 * kv heads equal to the query heads (MHA) are stored under 0, as the reference does.
 * Generation latencies are raised to the speed of light; both grids are extended to the
 * reference's target lists (per sub-table, on its first look-up). */
#ifndef INFERCAST_TABLE_ATTENTION_H
#define INFERCAST_TABLE_ATTENTION_H

#include "opgraph_quant.h"
#include "perf_result.h"
#include "systems.h"
#include "table_set.h"

int table_context_attention_load(table_set *t, const char *dir, char *err, size_t errlen);
int table_generation_attention_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				    size_t errlen);

/* Speed of light (ms), the reference's get_sol of each query. */
double context_attention_sol_ms(const struct system_spec *sys, double b, double s, double prefix, double n,
				double n_kv, double h, double w, const quant_mode *kv, const quant_mode *fmha);
double generation_attention_sol_ms(const struct system_spec *sys, double b, double s, double n, double n_kv,
				   double h, double w, const quant_mode *kv);

/* Silicon look-ups: 0 with *out, PERFDB_REFUSED with err, or PERFDB_FATAL when preparing
 * the table part failed. */
int table_context_attention_query(table_set *t, long long b, long long s, long long prefix, long long n,
				  long long n_kv, const quant_mode *kv, const quant_mode *fmha,
				  long long window_size, long long head_size, perf_result *out, char *err,
				  size_t errlen);
int table_generation_attention_query(table_set *t, long long b, long long s, long long n, long long n_kv,
				     const quant_mode *kv, long long window_size, long long head_size,
				     perf_result *out, char *err, size_t errlen);

#endif
