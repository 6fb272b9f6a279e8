/* table_wideep: the wide expert-parallel (wide-EP) perf tables and their database queries, as
 * the reference loads and queries them (sdk/operations/mla.py WideEPContextMLA /
 * WideEPGenerationMLA, sdk/operations/moe.py MoE, MoEDispatch, TrtLLMWideEPMoE,
 * TrtLLMWideEPMoEDispatch; PerfDatabase.query_wideep_* and query_trtllm_alltoall):
 *
 *   SGLang (DeepEP):
 *   wideep_context_mla_perf.txt     kernel (flashinfer/fa3), fmha, kv cache -> heads -> seq -> batch
 *   wideep_generation_mla_perf.txt  kernel, kv cache -> heads -> batch -> kv length
 *   wideep_context_moe_perf.txt     laid out as moe_perf.txt (table_moe): quant, distribution ->
 *   wideep_generation_moe_perf.txt    topk -> experts -> hidden -> inter -> moe_tp -> moe_ep -> tokens
 *   wideep_deepep_ll_perf.txt       nodes -> hidden -> topk -> experts -> tokens (µs: dispatch + combine)
 *   wideep_deepep_normal_perf.txt   nodes -> hidden -> topk -> experts -> SMs -> tokens (µs: four phases)
 *   TensorRT-LLM:
 *   wideep_moe_perf.txt             kernel, quant, distribution -> topk -> experts -> hidden -> inter ->
 *                                     slots -> moe_tp -> moe_ep -> tokens
 *   trtllm_alltoall_perf.txt        kernel, op, quant -> nodes -> hidden -> topk -> experts -> moe_ep -> tokens
 *
 * The MLA grids are extended at load to the reference's target lists (over the measured head
 * counts); the others are read as is. Tables whose rows the reference keeps first-come (MLA,
 * DeepEP) keep the first row of a shape, the others the last.
 *
 * Every perfdb_* query follows the reference's database modes: SOL / EMPIRICAL formulas (the
 * DeepEP ones have none and refuse, as the reference raises), SILICON table look-ups refused
 * when the table cannot answer, HYBRID falling back to the empirical formula wherever the
 * reference does (not for the DeepEP tables, nor for a backend the table does not belong to,
 * where it raises outside its fallback). Answers are memoized in the database. */
#ifndef INFERCAST_TABLE_WIDEEP_H
#define INFERCAST_TABLE_WIDEEP_H

#include <stdbool.h>

#include "perfdb.h"
#include "table_set.h"

/* Loaders in perfdb_table's shape: 0 (a missing file leaves the table not loaded) or -1 with
 * "FILE:LINE: what". */
int table_wideep_context_mla_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				  size_t errlen);
int table_wideep_generation_mla_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				     size_t errlen);
int table_wideep_context_moe_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				  size_t errlen);
int table_wideep_generation_moe_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				     size_t errlen);
int table_wideep_deepep_ll_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				size_t errlen);
int table_wideep_deepep_normal_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				    size_t errlen);
int table_wideep_moe_compute_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				  size_t errlen);
int table_trtllm_alltoall_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
			       size_t errlen);

/* The SGLang DeepEP MoE table of a phase (context or generation), laid out as table_moe's
 * regular table (part key: quant mode, distribution name), for table_moe's look-up. NULL with
 * *st PERFDB_FATAL and err for a bad table; a missing file gives a table not loaded. */
const table_set *table_wideep_moe(perfdb *db, bool is_context, int *st, char *err, size_t errlen);

/* Speed of light (ms) of the wide-EP MLA blocks (DeepSeek-V3 shapes, 128 heads over tp_size). */
double wideep_context_mla_sol_ms(const struct system_spec *sys, long long b, long long s, long long prefix,
				 long long tp_size, const quant_mode *fmha);
double wideep_generation_mla_sol_ms(const struct system_spec *sys, long long b, long long s, long long tp_size,
				    const quant_mode *fmha);

/* query_wideep_context_mla / query_wideep_generation_mla. attention_backend NULL means
 * "flashinfer"; the reference knows "flashinfer" and "fa3". */
int perfdb_wideep_context_mla(perfdb *db, long long b, long long s, long long prefix, long long tp_size,
			      const quant_mode *kv, const quant_mode *fmha, const char *attention_backend,
			      perf_result *out, char *err, size_t errlen);
int perfdb_wideep_generation_mla(perfdb *db, long long b, long long s, long long tp_size, const quant_mode *kv,
				 const quant_mode *fmha, const char *attention_backend, perf_result *out, char *err,
				 size_t errlen);

/* query_wideep_deepep_ll / query_wideep_deepep_normal. node_num is a number because the
 * reference passes num_gpus / gpus_per_node (a float). Milliseconds (the table holds µs). */
int perfdb_wideep_deepep_ll(perfdb *db, double node_num, long long num_tokens, long long num_experts,
			    long long topk, long long hidden_size, perf_result *out, char *err, size_t errlen);
int perfdb_wideep_deepep_normal(perfdb *db, double node_num, long long num_tokens, long long num_experts,
				long long topk, long long hidden_size, long long sms, perf_result *out, char *err,
				size_t errlen);

/* query_wideep_moe_compute (TRT-LLM wide-EP expert compute, EPLB slots). */
typedef struct wideep_moe_query {
	long long num_tokens, hidden_size, inter_size, topk, num_experts, num_slots, moe_tp, moe_ep;
	const quant_mode *quant;      /* a QUANT_MOE mode */
	const char *distribution;
	bool is_gated;
} wideep_moe_query;
int perfdb_wideep_moe_compute(perfdb *db, const wideep_moe_query *q, perf_result *out, char *err, size_t errlen);

/* query_trtllm_alltoall. op_name: alltoall_prepare, alltoall_dispatch, alltoall_combine or
 * alltoall_combine_low_precision; node_num <= 0 means "not given" (moe_ep / 4, at least 1);
 * moe_backend NULL or e.g. "WIDEEP", "CUTLASS". A kernel the system cannot run answers 0
 * (source empirical), as the reference does. */
int perfdb_trtllm_alltoall(perfdb *db, const char *op_name, long long num_tokens, long long hidden_size,
			   long long topk, long long num_experts, long long moe_ep, const quant_mode *quant,
			   long long node_num, const char *moe_backend, perf_result *out, char *err, size_t errlen);

#endif
