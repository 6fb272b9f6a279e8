#include "opquery_moe.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "opattrs.h"
#include "table_moe.h"
#include "table_wideep.h"


bool opquery_moe_handles(const char *op_type)
{
	return strcmp(op_type, "MoE") == 0 || strcmp(op_type, "MoEDispatch") == 0;
}

/* ---- MoE ---- */

void opquery_moe_shape(opattrs *a, opq_moe_shape *s)
{
	s->hidden = opattrs_int(a, "hidden_size", 0, true);
	s->inter = opattrs_int(a, "inter_size", 0, true);
	s->topk = opattrs_int(a, "topk", 0, true);
	s->num_experts = opattrs_int(a, "num_experts", 0, true);
	s->moe_tp = opattrs_int(a, "moe_tp_size", 1, true);
	s->moe_ep = opattrs_int(a, "moe_ep_size", 1, true);
	s->quant = opattrs_quant(a, "quant_mode", QUANT_MOE, true);
	s->distribution = opattrs_str(a, "workload_distribution", true);
	s->is_gated = opattrs_bool(a, "is_gated", true, false);
	s->dp = opattrs_int(a, "attention_dp_size", 1, true);
}

static int q_moe(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	opq_moe_shape s;
	opquery_moe_shape(a, &s);
	moe_query q = {
		.hidden_size = s.hidden, .inter_size = s.inter, .topk = s.topk, .num_experts = s.num_experts,
		.moe_tp = s.moe_tp, .moe_ep = s.moe_ep, .quant = s.quant, .distribution = s.distribution,
		.is_context = opattrs_bool(a, "is_context", true, false),
		.moe_backend = opattrs_str(a, "moe_backend", false),
		.is_gated = s.is_gated,
		.enable_eplb = opattrs_bool(a, "enable_eplb", false, false),
	};
	if (a->bad)
		return OPQ_BAD_ATTRS;
	if (q.moe_tp < 1 || q.moe_ep < 1 || s.dp < 1) {
		snprintf(a->err, a->errlen, "MoE op: moe_tp_size, moe_ep_size and attention_dp_size must be positive");
		return OPQ_BAD_ATTRS;
	}
	/* every attention-DP rank sends its tokens to the experts */
	q.num_tokens = pt->x * s.dp;
	return perfdb_moe(db, &q, r, a->err, a->errlen);
}

/* ---- MoEDispatch ---- */

typedef struct dispatch {
	long long hidden, moe_tp, moe_ep, dp, attn_tp, num_gpus, scale_num_tokens;
	long long topk, num_experts, sms, tokens; /* the wide-EP kernels' arguments */
	bool pre, reduce_results, is_context;
	const char *moe_backend;
	const quant_mode *quant; /* may be NULL */
} dispatch;

static const quant_mode *half(void)
{
	return quant_find(QUANT_COMM, "half");
}

static int nccl(perfdb *db, long long gpus, const char *op, double size, perf_result *r, char *err, size_t errlen)
{
	if (size != floor(size) || size > 9e15) {
		snprintf(err, errlen, "MoEDispatch: NCCL %s message size %.17g is not a whole number of elements", op,
			 size);
		return PERFDB_REFUSED;
	}
	return perfdb_nccl(db, half(), gpus, op, (long long)size, r, err, errlen);
}

static int allreduce(perfdb *db, long long gpus, long long size, perf_result *r, char *err, size_t errlen)
{
	return perfdb_custom_allreduce(db, half(), gpus, size, r, err, errlen);
}

static perf_result nothing(void)
{
	return (perf_result){ 0.0, 0.0, PERF_SRC_EMPIRICAL, PERF_DET_EMPIRICAL };
}

/* Attention TP without DP: the experts' partial sums are all-reduced (before and after). */
static int tp_allreduce_sm100(perfdb *db, const dispatch *d, long long volume, perf_result *r, char *err,
			      size_t errlen)
{
	if (!d->reduce_results) {
		*r = nothing();
		return 0;
	}
	if (perfdb_system(db)->num_gpus_per_node == 72 && d->num_gpus > 4)
		return nccl(db, d->num_gpus, "all_reduce", (double)volume, r, err, errlen);
	return allreduce(db, d->num_gpus, volume, r, err, errlen);
}

static int trtllm(perfdb *db, const dispatch *d, long long volume, perf_result *r, char *err, size_t errlen)
{
	const struct system_spec *sys = perfdb_system(db);
	if (d->attn_tp != 1 && d->dp != 1) {
		snprintf(err, errlen, "MoEDispatch: TRT-LLM does not run attention with TP>1 and DP>1 together "
				      "(attention tp %lld, dp %lld)", d->attn_tp, d->dp);
		return PERFDB_REFUSED;
	}
	if (sys->sm_version == 100) {
		bool backend_ok = true;
		if (d->moe_backend) {
			char up[32];
			size_t i;
			for (i = 0; d->moe_backend[i] && i + 1 < sizeof up; i++)
				up[i] = (char)toupper((unsigned char)d->moe_backend[i]);
			up[i] = 0;
			backend_ok = strcmp(up, "CUTLASS") == 0 || strcmp(up, "TRTLLM") == 0;
		}
		bool alltoall = backend_ok && d->dp > 1 && d->moe_tp == 1 && sys->num_gpus_per_node >= 72;
		if (alltoall) {
			if (!d->quant) {
				snprintf(err, errlen, "MoEDispatch: the TRT-LLM all-to-all path needs the op's quant_mode");
				return PERFDB_REFUSED;
			}
			int st = perfdb_trtllm_alltoall(db, d->pre ? "alltoall_dispatch" : "alltoall_combine", d->tokens,
							d->hidden, d->topk, d->num_experts, d->moe_ep, d->quant, 0,
							d->moe_backend, r, err, errlen);
			/* the reference keeps the bare number here: its tag reads "empirical" */
			if (st == 0) {
				r->source = PERF_SRC_EMPIRICAL;
				r->energy = 0.0;
			}
			return st;
		}
		if (d->dp > 1) {
			if (!d->pre)
				return nccl(db, d->num_gpus, "reduce_scatter", (double)volume * (double)d->dp, r, err, errlen);
			/* the gathered activations travel quantized, with their block scales */
			double x = (double)volume, sf = 0.0;
			const char *qn = d->quant ? d->quant->name : "";
			if (strcmp(qn, "nvfp4") == 0) {
				x = (double)volume / 4;
				sf = (double)volume / 4 / 8;
			} else if (strcmp(qn, "fp8") == 0 || strcmp(qn, "fp8_block") == 0) {
				x = (double)volume / 2;
			}
			return nccl(db, d->num_gpus, "all_gather", (x + sf) * (double)d->dp, r, err, errlen);
		}
		if (d->attn_tp > 1)
			return tp_allreduce_sm100(db, d, volume, r, err, errlen);
		*r = nothing();
		return 0;
	}
	if (d->attn_tp > 1)
		return allreduce(db, d->num_gpus, volume, r, err, errlen);
	if (d->dp > 1)
		return nccl(db, d->num_gpus, d->pre ? "all_gather" : "reduce_scatter", (double)volume * (double)d->dp, r,
			    err, errlen);
	*r = nothing();
	return 0;
}

static int vllm(perfdb *db, const dispatch *d, long long volume, perf_result *r, char *err, size_t errlen)
{
	if (d->moe_tp != 1 && d->moe_ep != 1) {
		snprintf(err, errlen, "MoEDispatch: vLLM does not run MoE TP and MoE EP together (moe_tp %lld, moe_ep %lld)",
			 d->moe_tp, d->moe_ep);
		return PERFDB_REFUSED;
	}
	*r = nothing();
	perf_result part;
	int st;
	if (d->attn_tp > 1) {
		if ((st = allreduce(db, d->num_gpus, volume, &part, err, errlen)))
			return st;
		*r = perf_add(*r, part);
	}
	if (d->dp > 1) {
		if ((st = nccl(db, d->num_gpus, d->pre ? "all_gather" : "reduce_scatter", (double)volume * (double)d->dp,
			       &part, err, errlen)))
			return st;
		*r = perf_add(*r, part);
	}
	return 0;
}

static int sglang(perfdb *db, const dispatch *d, long long volume, perf_result *r, char *err, size_t errlen)
{
	if (d->moe_backend && strcmp(d->moe_backend, "deepep_moe") == 0) {
		/* DeepEP: normal kernels for prefill, low-latency ones for decode; nodes as a fraction */
		double nodes = (double)d->num_gpus / (double)perfdb_system(db)->num_gpus_per_node;
		long long tokens = d->tokens / d->scale_num_tokens;
		if (d->is_context)
			return perfdb_wideep_deepep_normal(db, nodes, tokens, d->num_experts, d->topk, d->hidden, d->sms, r,
							   err, errlen);
		return perfdb_wideep_deepep_ll(db, nodes, tokens, d->num_experts, d->topk, d->hidden, r, err, errlen);
	}
	double all = (double)volume * (double)d->dp;
	int st;
	if (d->attn_tp > 1 && d->dp > 1) {
		/* DP attention with TP inside each group: scatter within the group, gather over all
		 * GPUs before the experts; the reverse after */
		perf_result a, b;
		if (d->pre) {
			if ((st = nccl(db, d->attn_tp, "reduce_scatter", (double)volume, &a, err, errlen)) ||
			    (st = nccl(db, d->num_gpus, "all_gather", all, &b, err, errlen)))
				return st;
		} else {
			if ((st = nccl(db, d->num_gpus, "reduce_scatter", all, &a, err, errlen)) ||
			    (st = nccl(db, d->attn_tp, "all_gather", (double)volume, &b, err, errlen)))
				return st;
		}
		*r = perf_add(a, b);
		return 0;
	}
	if (d->attn_tp > 1)
		return allreduce(db, d->num_gpus, volume, r, err, errlen);
	if (d->dp > 1)
		return nccl(db, d->num_gpus, d->pre ? "all_gather" : "reduce_scatter", all, r, err, errlen);
	*r = nothing();
	return 0;
}

static int q_dispatch(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	dispatch d = {
		.hidden = opattrs_int(a, "hidden_size", 0, true),
		.moe_tp = opattrs_int(a, "moe_tp_size", 1, true),
		.moe_ep = opattrs_int(a, "moe_ep_size", 1, true),
		.dp = opattrs_int(a, "attention_dp_size", 1, true),
		.scale_num_tokens = opattrs_int(a, "scale_num_tokens", 1, false),
		.pre = opattrs_bool(a, "pre_dispatch", true, false),
		.reduce_results = opattrs_bool(a, "reduce_results", true, false),
		.is_context = opattrs_bool(a, "is_context", true, false),
		.moe_backend = opattrs_str(a, "moe_backend", false),
		.quant = opattrs_quant(a, "quant_mode", QUANT_MOE, false),
		.topk = opattrs_int(a, "topk", 0, false),
		.num_experts = opattrs_int(a, "num_experts", 0, false),
		.sms = opattrs_int(a, "sms", 12, false),
		.tokens = pt->x,
	};
	if (a->bad)
		return OPQ_BAD_ATTRS;
	if (d.scale_num_tokens < 1) {
		snprintf(a->err, a->errlen, "MoEDispatch op: scale_num_tokens must be positive");
		return OPQ_BAD_ATTRS;
	}
	if (d.moe_tp < 1 || d.moe_ep < 1 || d.dp < 1) {
		snprintf(a->err, a->errlen,
			 "MoEDispatch op: moe_tp_size, moe_ep_size and attention_dp_size must be positive");
		return OPQ_BAD_ATTRS;
	}
	/* the op's own derivation: all GPUs of the expert layout, attention TP inside one DP group */
	d.num_gpus = d.moe_tp * d.moe_ep;
	d.attn_tp = d.num_gpus / d.dp;
	long long volume = pt->x * d.hidden;
	const char *backend = perfdb_paths(db)->backend;
	if (strcmp(backend, "trtllm") == 0)
		return trtllm(db, &d, volume, r, a->err, a->errlen);
	if (strcmp(backend, "vllm") == 0)
		return vllm(db, &d, volume, r, a->err, a->errlen);
	if (strcmp(backend, "sglang") == 0)
		return sglang(db, &d, volume, r, a->err, a->errlen);
	snprintf(a->err, a->errlen, "MoEDispatch: backend %s is not supported", backend);
	return PERFDB_REFUSED;
}

int opquery_moe_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
		      char *err, size_t errlen)
{
	opattrs a = { attrs, op_type, err, errlen, false, .unknown_quant = OPATTRS_QUANT_LIST_KNOWN };
	if (!cJSON_IsObject(attrs)) {
		snprintf(err, errlen, "%s op: attrs must be an object", op_type);
		return OPQ_BAD_ATTRS;
	}
	if (strcmp(op_type, "MoE") == 0)
		return q_moe(db, &a, pt, out);
	if (strcmp(op_type, "MoEDispatch") == 0)
		return q_dispatch(db, &a, pt, out);
	snprintf(err, errlen, "op_type '%s' is not a MoE op", op_type);
	return OPQ_BAD_ATTRS;
}
