#include "opquery_wideep.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "table_wideep.h"

enum { BAD_ATTRS = -2 };

static const char *const ops[] = { "WideEPContextMLA", "WideEPGenerationMLA", "TrtLLMWideEPMoE",
				   "TrtLLMWideEPMoEDispatch" };

bool opquery_wideep_known(const char *op_type)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(op_type, ops[i]) == 0)
			return true;
	return false;
}

typedef struct attrs_in {
	const cJSON *attrs;
	const char *op_type;
	char *err;
	size_t errlen;
	bool bad;
} attrs_in;

static void bad(attrs_in *a, const char *key, const char *what)
{
	if (!a->bad)
		snprintf(a->err, a->errlen, "%s op: attr '%s' %s", a->op_type, key, what);
	a->bad = true;
}

/* An integer attr; absent or null gives def (an error when required). */
static long long get_int(attrs_in *a, const char *key, long long def, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a->attrs, key);
	if (!v || cJSON_IsNull(v)) {
		if (required)
			bad(a, key, "is missing");
		return def;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || fabs(v->valuedouble) > 9e15) {
		bad(a, key, "must be an integer");
		return def;
	}
	return (long long)v->valuedouble;
}

static bool get_bool(attrs_in *a, const char *key, bool def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a->attrs, key);
	if (!v || cJSON_IsNull(v))
		return def;
	if (!cJSON_IsBool(v)) {
		bad(a, key, "must be true or false");
		return def;
	}
	return cJSON_IsTrue(v);
}

static const char *get_str(attrs_in *a, const char *key, bool required)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a->attrs, key);
	if (!v || cJSON_IsNull(v)) {
		if (required)
			bad(a, key, "is missing");
		return NULL;
	}
	if (!cJSON_IsString(v)) {
		bad(a, key, "must be a string");
		return NULL;
	}
	return v->valuestring;
}

static const quant_mode *get_quant(attrs_in *a, const char *key, quant_kind kind)
{
	const char *name = get_str(a, key, true);
	if (!name)
		return NULL;
	const quant_mode *q = quant_find(kind, name);
	if (!q) {
		char what[160];
		snprintf(what, sizeof what, "'%s' is not a %s quant mode", name, quant_kind_name(kind));
		bad(a, key, what);
	}
	return q;
}

static int q_mla(perfdb *db, attrs_in *a, bool context, const opq_point *pt, perf_result *r)
{
	long long tp = get_int(a, "tp_size", 1, true);
	const quant_mode *kv = get_quant(a, "kvcache_quant_mode", QUANT_KVCACHE);
	const quant_mode *fmha = get_quant(a, "fmha_quant_mode", QUANT_FMHA);
	const char *attn = get_str(a, "attn_backend", false);
	if (!a->bad && tp < 1)
		bad(a, "tp_size", "must be positive");
	if (a->bad)
		return BAD_ATTRS;
	if (context)
		return perfdb_wideep_context_mla(db, pt->batch, pt->s, pt->prefix, tp, kv, fmha, attn, r, a->err,
						 a->errlen);
	return perfdb_wideep_generation_mla(db, pt->batch, pt->s, tp, kv, fmha, attn, r, a->err, a->errlen);
}

static int q_compute(perfdb *db, attrs_in *a, const opq_point *pt, perf_result *r)
{
	wideep_moe_query q = {
		.hidden_size = get_int(a, "hidden_size", 0, true),
		.inter_size = get_int(a, "inter_size", 0, true),
		.topk = get_int(a, "topk", 0, true),
		.num_experts = get_int(a, "num_experts", 0, true),
		.moe_tp = get_int(a, "moe_tp_size", 1, true),
		.moe_ep = get_int(a, "moe_ep_size", 1, true),
		.quant = get_quant(a, "quant_mode", QUANT_MOE),
		.distribution = get_str(a, "workload_distribution", true),
		.is_gated = get_bool(a, "is_gated", true),
	};
	q.num_slots = get_int(a, "num_slots", q.num_experts, false);
	long long dp = get_int(a, "attention_dp_size", 1, true);
	if (!a->bad && (q.moe_tp < 1 || q.moe_ep < 1 || dp < 1))
		bad(a, "moe_tp_size", "and moe_ep_size, attention_dp_size must be positive");
	if (a->bad)
		return BAD_ATTRS;
	/* the experts see every attention-DP rank's tokens */
	q.num_tokens = pt->x * dp;
	return perfdb_wideep_moe_compute(db, &q, r, a->err, a->errlen);
}

static int q_alltoall(perfdb *db, attrs_in *a, const opq_point *pt, perf_result *r)
{
	long long hidden = get_int(a, "hidden_size", 0, true), topk = get_int(a, "topk", 0, true);
	long long experts = get_int(a, "num_experts", 0, true), ep = get_int(a, "moe_ep_size", 1, true);
	long long node_num = get_int(a, "node_num", 0, false);
	bool pre = get_bool(a, "pre_dispatch", true), low = get_bool(a, "use_low_precision_combine", false);
	const quant_mode *q = get_quant(a, "quant_mode", QUANT_MOE);
	if (!a->bad && ep < 1)
		bad(a, "moe_ep_size", "must be positive");
	if (a->bad)
		return BAD_ATTRS;
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
	attrs_in a = { attrs, op_type, err, errlen, false };
	if (!cJSON_IsObject(attrs)) {
		snprintf(err, errlen, "%s op: attrs must be an object", op_type);
		return BAD_ATTRS;
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
	return BAD_ATTRS;
}
