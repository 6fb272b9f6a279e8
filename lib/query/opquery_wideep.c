#include "opquery_wideep.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "opattrs.h"
#include "opquery_moe.h"
#include "table_wideep.h"


static const char *const ops[] = { "WideEPContextMLA", "WideEPGenerationMLA", "TrtLLMWideEPMoE",
				   "TrtLLMWideEPMoEDispatch" };

bool opquery_wideep_known(const char *op_type)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(op_type, ops[i]) == 0)
			return true;
	return false;
}

static int q_mla(perfdb *db, opattrs *a, bool context, const opq_point *pt, perf_result *r)
{
	long long tp = opattrs_int(a, "tp_size", 1, true);
	const quant_mode *kv = opattrs_quant(a, "kvcache_quant_mode", QUANT_KVCACHE, true);
	const quant_mode *fmha = opattrs_quant(a, "fmha_quant_mode", QUANT_FMHA, true);
	const char *attn = opattrs_str(a, "attn_backend", false);
	if (!a->bad && tp < 1)
		opattrs_bad(a, "tp_size", "must be positive");
	if (a->bad)
		return OPQ_BAD_ATTRS;
	if (context)
		return perfdb_wideep_context_mla(db, pt->batch, pt->s, pt->prefix, tp, kv, fmha, attn, r, a->err,
						 a->errlen);
	return perfdb_wideep_generation_mla(db, pt->batch, pt->s, tp, kv, fmha, attn, r, a->err, a->errlen);
}

static int q_compute(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	opq_moe_shape s;
	opquery_moe_shape(a, &s);
	wideep_moe_query q = {
		.hidden_size = s.hidden, .inter_size = s.inter, .topk = s.topk, .num_experts = s.num_experts,
		.moe_tp = s.moe_tp, .moe_ep = s.moe_ep, .quant = s.quant, .distribution = s.distribution,
		.is_gated = s.is_gated,
	};
	q.num_slots = opattrs_int(a, "num_slots", q.num_experts, false);
	if (!a->bad && (q.moe_tp < 1 || q.moe_ep < 1 || s.dp < 1))
		opattrs_bad(a, "moe_tp_size", "and moe_ep_size, attention_dp_size must be positive");
	if (a->bad)
		return OPQ_BAD_ATTRS;
	/* the experts see every attention-DP rank's tokens */
	q.num_tokens = pt->x * s.dp;
	return perfdb_wideep_moe_compute(db, &q, r, a->err, a->errlen);
}

static int q_alltoall(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	long long hidden = opattrs_int(a, "hidden_size", 0, true), topk = opattrs_int(a, "topk", 0, true);
	long long experts = opattrs_int(a, "num_experts", 0, true), ep = opattrs_int(a, "moe_ep_size", 1, true);
	long long node_num = opattrs_int(a, "node_num", 0, false);
	bool pre = opattrs_bool(a, "pre_dispatch", true, false);
	bool low = opattrs_bool(a, "use_low_precision_combine", false, false);
	const quant_mode *q = opattrs_quant(a, "quant_mode", QUANT_MOE, true);
	if (!a->bad && ep < 1)
		opattrs_bad(a, "moe_ep_size", "must be positive");
	if (a->bad)
		return OPQ_BAD_ATTRS;
	if (!pre)
		return perfdb_trtllm_alltoall(db, low ? "alltoall_combine_low_precision" : "alltoall_combine", pt->x,
					      hidden, topk, experts, ep, q, node_num, "wideep", r, a->err, a->errlen);
	perf_result prepare, dispatch;
	int st = perfdb_trtllm_alltoall(db, "alltoall_prepare", pt->x, hidden, topk, experts, ep, q, node_num, "wideep",
					&prepare, a->err, a->errlen);
	if (!st)
		st = perfdb_trtllm_alltoall(db, "alltoall_dispatch", pt->x, hidden, topk, experts, ep, q, node_num,
					    "wideep", &dispatch, a->err, a->errlen);
	if (!st)
		*r = perf_add(prepare, dispatch);
	return st;
}

int opquery_wideep_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt,
			 perf_result *out, char *err, size_t errlen)
{
	opattrs a = { attrs, op_type, err, errlen, false, .unknown_quant = OPATTRS_QUANT_NAME_KIND };
	if (!cJSON_IsObject(attrs)) {
		snprintf(err, errlen, "%s op: attrs must be an object", op_type);
		return OPQ_BAD_ATTRS;
	}
	if (strcmp(op_type, "WideEPContextMLA") == 0)
		return q_mla(db, &a, true, pt, out);
	if (strcmp(op_type, "WideEPGenerationMLA") == 0)
		return q_mla(db, &a, false, pt, out);
	if (strcmp(op_type, "TrtLLMWideEPMoE") == 0)
		return q_compute(db, &a, pt, out);
	if (strcmp(op_type, "TrtLLMWideEPMoEDispatch") == 0)
		return q_alltoall(db, &a, pt, out);
	snprintf(err, errlen, "op_type '%s' is not a wide-EP op", op_type);
	return OPQ_BAD_ATTRS;
}
