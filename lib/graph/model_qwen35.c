/* model_qwen35: the QWEN35 family (Qwen3.5 dense and MoE): extra_params.layer_types gives each
 * layer's attention, "linear_attention" (Gated DeltaNet: norm, in_proj GEMM for Q, K, V, gate
 * and beta, causal conv1d and delta-rule kernels as GDNKernel ops looked up at the layer's
 * unsharded shape, out_proj GEMM, all-reduce) or "full_attention" (norm, QKV GEMM, attention,
 * output GEMM, all-reduce). Every layer then has the same FFN: dense SwiGLU closed by its own
 * all-reduce, or with experts (num_experts > 0) a router GEMM (only with 128 experts or more),
 * dispatch, gated experts, combine and an optional non-gated shared expert.
 * The two kinds are one group of ops each (scale factor: that kind's layer count), linear
 * first, each followed by its FFN ops named after it (context_gdn_*, context_full_*).
 * Generation ops stand for the MTP draft passes too (scale factor × the MTP factor). */
#include "model_moe.h"
#include "diag.h"
#include "model_builders.h"
#include "opgraph.h"

#include <stdio.h>
#include <string.h>

typedef struct qwen35_cfg {
	long linear, full; /* layers of each kind */
	long nk, hk, nv, hv, d_conv;
	long topk, num_experts, moe_inter, shared_inter;
} qwen35_cfg;

static int read_cfg(const cJSON *ep, qwen35_cfg *c, char *err, size_t errn)
{
	const cJSON *types = cJSON_GetObjectItemCaseSensitive(ep, "layer_types");
	if (!cJSON_IsArray(types))
		return diag_errf(err, errn, "QWEN35 model record lacks extra_params.layer_types");
	c->linear = c->full = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, types)
	{
		if (cJSON_IsString(t) && strcmp(t->valuestring, "linear_attention") == 0)
			c->linear++;
		else if (cJSON_IsString(t) && strcmp(t->valuestring, "full_attention") == 0)
			c->full++;
	}
	struct {
		const char *key;
		long *dst;
	} f[] = {
		{"linear_num_key_heads", &c->nk},    {"linear_key_head_dim", &c->hk}, {"linear_num_value_heads", &c->nv},
		{"linear_value_head_dim", &c->hv},   {"linear_conv_kernel_dim", &c->d_conv}, {"topk", &c->topk},
		{"num_experts", &c->num_experts},    {"moe_inter_size", &c->moe_inter},
		{"shared_expert_inter_size", &c->shared_inter},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(ep, f[i].key);
		if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 2147483648.0))
			return diag_errf(err, errn, "QWEN35 model record: extra_params.%s is not a non-negative number", f[i].key);
		*f[i].dst = (long)v->valuedouble;
	}
	return 0;
}

static void add_gdn_kernel(og_graph *g, og_phase ph, const char *name, double sf, const char *kernel, long h,
			   const qwen35_cfg *c)
{
	og_op *op = og_push_op(g, ph, name, "GDNKernel", sf, 0.0);
	cJSON *a = op->attrs;
	cJSON_AddStringToObject(a, "kernel_source", kernel);
	cJSON_AddStringToObject(a, "phase", ph == OG_CONTEXT ? "context" : "generation");
	cJSON_AddNumberToObject(a, "d_model", (double)h);
	cJSON_AddNumberToObject(a, "num_k_heads", (double)c->nk);
	cJSON_AddNumberToObject(a, "head_k_dim", (double)c->hk);
	cJSON_AddNumberToObject(a, "num_v_heads", (double)c->nv);
	cJSON_AddNumberToObject(a, "head_v_dim", (double)c->hv);
	cJSON_AddNumberToObject(a, "d_conv", (double)c->d_conv);
	cJSON_AddNumberToObject(a, "weights", 0.0);
}

/* The FFN after each attention kind; prefix is e.g. "context_gdn". */
static void add_ffn(const og_config *cfg, og_graph *g, og_phase ph, const char *prefix, double sf,
		    const qwen35_cfg *c)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	const quant_mode *gemm = cfg->quant[QUANT_GEMM];
	const quant_mode *moe_q = cfg->quant[QUANT_MOE];
	long h = m->hidden_size, tp = rt->tp;
	char name[64];
#define OP(s) (snprintf(name, sizeof name, "%s_" s, prefix), name)
	og_add_elementwise(g, ph, OP("ffn_norm"), sf, 2 * h, 2 * h, 0.8);
	if (c->num_experts > 0) {
		og_moe_shape ms = { h, c->moe_inter, c->topk, c->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
		/* small expert counts route inside the MoE kernel */
		if (c->num_experts >= 128)
			og_add_gemm(g, ph, OP("router_gemm"), sf, c->num_experts, h, quant_find(QUANT_GEMM, "bfloat16"),
				    false);
		/* the reference builds these with its MoE defaults: context-kind, gated experts in both phases */
		og_add_moe_dispatch(g, ph, OP("moe_pre_dispatch"), sf, &ms, true, moe_q);
		og_add_moe(g, ph, OP("moe"), sf, &ms, moe_q, "power_law_1.2", true, true);
		og_add_moe_dispatch(g, ph, OP("moe_post_dispatch"), sf, &ms, false, moe_q);
		if (c->shared_inter > 0) {
			long s = c->shared_inter / tp;
			og_add_gemm(g, ph, OP("shared_up_gemm"), sf, s, h, gemm, false);
			og_add_elementwise(g, ph, OP("shared_relu2"), sf, s, s, 0.8);
			og_add_gemm(g, ph, OP("shared_down_gemm"), sf, h, s, gemm, true);
		}
	} else {
		long inter = m->inter_size;
		og_add_gemm(g, ph, OP("gate_ffn1_gemm"), sf, 2 * inter / tp, h, gemm, false);
		og_add_elementwise(g, ph, OP("act_gate"), sf, 2 * inter / tp, inter / tp, 0.8);
		og_add_gemm(g, ph, OP("ffn2_gemm"), sf, h, inter / tp, gemm, true);
		og_add_custom_allreduce(g, ph, OP("ffn_ar"), sf, h, tp);
	}
#undef OP
}

int model_qwen35_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	qwen35_cfg c;
	if (read_cfg(m->extra_params, &c, err, errn))
		return -1;
	if (c.num_experts > 0 && c.num_experts < rt->moe_ep)
		return diag_errf(err, errn, "num_experts %ld must be at least moe_ep %ld", c.num_experts, rt->moe_ep);

	const quant_mode *gemm = cfg->quant[QUANT_GEMM];
	const quant_mode *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	long tp = rt->tp, pp = rt->pp, h = m->hidden_size, d = m->d;
	long q_per_gpu = m->n / tp, kv_per_gpu = (m->n_kv + tp - 1) / tp;
	/* the fused input projection carries Q, K, V, the output gate Z and beta, split across tp */
	long in_proj = (c.nk * c.hk + c.nk * c.hk + c.nv * c.hv + c.nv * c.hv + c.nk * c.hk) / tp;
	long out_proj_in = c.nv * c.hv / tp;

	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_phase ph = (og_phase)phase;
		bool ctx = ph == OG_CONTEXT;
		double mtp = ctx ? 1.0 : cfg->mtp_scale_factor;
#define NAME(s) (ctx ? "context_" s : "generation_" s)
		og_add_embedding(g, ph, NAME("embedding"), 1 * mtp, m->vocab / tp, h, 0.3);
		og_add_custom_allreduce(g, ph, NAME("embedding_ar"), 1 * mtp, h, tp);
		if (c.linear > 0) {
			double k = (double)c.linear * mtp;
			og_add_elementwise(g, ph, NAME("gdn_norm"), k, 2 * h, 2 * h, 0.8);
			og_add_gemm(g, ph, NAME("gdn_in_proj_gemm"), k, in_proj, h, gemm, false);
			add_gdn_kernel(g, ph, NAME("gdn_conv1d"), k, ctx ? "causal_conv1d_fn" : "causal_conv1d_update", h, &c);
			add_gdn_kernel(g, ph, ctx ? "context_gdn_scan" : "generation_gdn_recurrence", k,
				       ctx ? "chunk_gated_delta_rule" : "fused_sigmoid_gating_delta_rule_update", h, &c);
			og_add_gemm(g, ph, NAME("gdn_out_proj_gemm"), k, h, out_proj_in, gemm, true);
			og_add_custom_allreduce(g, ph, NAME("gdn_ar"), k, h, tp);
			add_ffn(cfg, g, ph, NAME("gdn"), k, &c);
		}
		if (c.full > 0) {
			double k = (double)c.full * mtp;
			og_add_elementwise(g, ph, NAME("full_attn_norm"), k, 2 * h, 2 * h, 0.8);
			og_add_gemm(g, ph, NAME("qkv_gemm"), k, q_per_gpu * d + kv_per_gpu * d * 2, h, gemm, false);
			if (ctx)
				og_add_context_attention(g, "context_attention", k, q_per_gpu, kv_per_gpu, kv,
							 cfg->quant[QUANT_FMHA], 0, d, false);
			else
				og_add_generation_attention(g, "generation_attention", k, q_per_gpu, kv_per_gpu, kv, 0, d, false);
			og_add_gemm(g, ph, NAME("proj_gemm"), k, h, q_per_gpu * d, gemm, true);
			og_add_custom_allreduce(g, ph, NAME("full_ar"), k, h, tp);
			add_ffn(cfg, g, ph, NAME("full"), k, &c);
		}
		/* Logits stay in bfloat16 whatever the GEMM quantization. */
		og_add_gemm(g, ph, NAME("logits_gemm"), 1 * mtp, m->vocab / tp, h, bf16, false);
		og_add_p2p(g, ph, NAME("p2p"), (double)(pp - 1) * mtp, h, pp);
#undef NAME
	}
	return 0;
}
