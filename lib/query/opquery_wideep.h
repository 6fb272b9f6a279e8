/* opquery_wideep: the reference's wide-EP op classes at one query point (lib/perf/table_wideep
 * holds their tables and database queries):
 *   WideEPContextMLA         query_wideep_context_mla at (batch, s, prefix)
 *   WideEPGenerationMLA      query_wideep_generation_mla at (batch, s)
 *   TrtLLMWideEPMoE          query_wideep_moe_compute at x × attention_dp_size tokens
 *   TrtLLMWideEPMoEDispatch  query_trtllm_alltoall at x tokens: prepare + dispatch before the
 *                            experts, combine (low precision when asked) after; moe_backend
 *                            "wideep"
 *
 * Op attrs (the reference's attribute names):
 *   WideEP*MLA               tp_size, kvcache_quant_mode, fmha_quant_mode, attn_backend
 *   TrtLLMWideEPMoE          hidden_size, inter_size, quant_mode, topk, num_experts, num_slots,
 *                            moe_tp_size, moe_ep_size, attention_dp_size, workload_distribution,
 *                            is_gated
 *   TrtLLMWideEPMoEDispatch  hidden_size, topk, num_experts, moe_ep_size, pre_dispatch,
 *                            quant_mode, use_low_precision_combine, node_num (null: from moe_ep) */
#ifndef INFERCAST_OPQUERY_WIDEEP_H
#define INFERCAST_OPQUERY_WIDEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opquery_point.h"
#include "perfdb.h"

/* True for the op types above. */
bool opquery_wideep_known(const char *op_type);

/* One op at one point, before the scale factor: 0, PERFDB_REFUSED, PERFDB_FATAL, or -2 for bad
 * attrs; err says what. */
int opquery_wideep_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt,
			 perf_result *out, char *err, size_t errlen);

#endif
