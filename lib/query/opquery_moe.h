/* opquery_moe: the query bodies of the reference's MoE op classes (sdk/operations/moe.py):
 *   MoE          expert compute, looked up in moe_perf.txt (lib/perf/table_moe) at the tokens of
 *                all attention-DP ranks;
 *   MoEDispatch  the communication around the experts, chosen per backend, GPU generation
 *                and attention layout as the reference does: custom all-reduce when attention
 *                is tensor-parallel, NCCL all-gather before / reduce-scatter after the experts
 *                under attention DP (SGLang: both when attention is TP and DP), nothing on one
 *                GPU; TRT-LLM's NVL72 all-to-all and SGLang's DeepEP kernels are looked up in
 *                lib/perf/table_wideep (the reference's query_trtllm_alltoall, query_wideep_deepep_*).
 * opquery dispatches these op types here; results are before the op's scale factor. */
#ifndef INFERCAST_OPQUERY_MOE_H
#define INFERCAST_OPQUERY_MOE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opattrs.h"
#include "opquery_point.h"

/* True for the op types handled here ("MoE", "MoEDispatch"). */
bool opquery_moe_handles(const char *op_type);

/* The expert shape every MoE op class carries (the MoE op here, TrtLLMWideEPMoE in
 * lib/query/opquery_wideep), read from a in the reference's argument order; a->bad (and its
 * message) when an attr is missing or malformed. */
typedef struct opq_moe_shape {
	long long hidden, inter, topk, num_experts, moe_tp, moe_ep, dp;
	const quant_mode *quant;
	const char *distribution;
	bool is_gated;
} opq_moe_shape;
void opquery_moe_shape(opattrs *a, opq_moe_shape *s);

/* One MoE-family op at one point, before its scale factor. 0, PERFDB_REFUSED, PERFDB_FATAL
 * or -2 (bad attrs), with err saying what. */
int opquery_moe_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
		      char *err, size_t errlen);

#endif
