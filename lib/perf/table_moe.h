/* table_moe: the MoE expert-compute table (moe_perf.txt) as the reference's MoE op loads and
 * queries it (sdk/operations/moe.py, MoE._query_moe_table), and perfdb_moe, the database query
 * of that op with the reference's database modes.
 *
 * The table is keyed quant mode -> workload distribution -> topk -> experts -> hidden size ->
 * expert FFN width -> moe_tp -> moe_ep -> tokens; rows of the TRT-LLM low-latency kernel
 * (kernel_source moe_torch_flow_min_latency) go to a second table of the same shape, which
 * TRT-LLM answers from for nvfp4 gated experts at up to 128 tokens. A look-up interpolates
 * linearly along the tokens (beyond the smallest: the first two points); beyond the largest
 * measured token count it keeps the utilisation of the last point against the speed of
 * light. A distribution the table lacks for the quant mode reads as "uniform".
 *
 * Tables are read once per data directory for the life of the process (the reference keeps
 * them in a class-level cache keyed the same way) and freed at exit. */
#ifndef INFERCAST_TABLE_MOE_H
#define INFERCAST_TABLE_MOE_H

#include <stdbool.h>
#include <stddef.h>

#include "perfdb.h"

/* The arguments of the reference's query_moe. */
typedef struct moe_query {
	long long num_tokens, hidden_size, inter_size, topk, num_experts, moe_tp, moe_ep;
	const quant_mode *quant;      /* a QUANT_MOE mode */
	const char *distribution;     /* workload distribution, e.g. "power_law_1.2" */
	bool is_context;
	const char *moe_backend;      /* NULL, or "deepep_moe" (SGLang wide-EP: the DeepEP MoE tables, lib/perf/table_wideep) */
	bool is_gated;                /* three expert GEMMs (SwiGLU) rather than two */
	bool enable_eplb;
} moe_query;

/* Speed of light (ms) of q's expert GEMMs at num_tokens tokens (the reference's get_sol). */
double moe_sol_ms(const struct system_spec *sys, const moe_query *q, long long num_tokens);

/* The reference's query_moe in db's mode. 0 with *out, PERFDB_REFUSED (SILICON without data:
 * err names the shape and what is missing) or PERFDB_FATAL (a bad table, "FILE:LINE: what"). */
int perfdb_moe(perfdb *db, const moe_query *q, perf_result *out, char *err, size_t errlen);

#endif
