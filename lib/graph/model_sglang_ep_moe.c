#include "model_sglang_ep_moe.h"

#include <stdio.h>
#include <string.h>

#include "model_moe.h"

int model_sglang_ep_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	if (og_moe_check(cfg, err, errn))
		return -1;
	/* DeepEP's buffers address at most 256 ranks */
	if (rt->tp * rt->dp > 256) {
		snprintf(err, errn, "DeepEP: moe_ep (%ld) * moe_tp (%ld) must not exceed 256", rt->moe_ep, rt->moe_tp);
		return -1;
	}
	const quant_mode *gemm = cfg->quant[QUANT_GEMM], *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *moe_q = cfg->quant[QUANT_MOE], *fmha = cfg->quant[QUANT_FMHA];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	long tp = rt->tp, h = m->hidden_size, d = m->d;
	long kv_heads = (m->n_kv + tp - 1) / tp; /* KV heads are replicated when tp exceeds them */
	long qkv_n = m->n * d / tp + d * kv_heads * 2, attn_out = m->n * d / tp;
	double layers = (double)m->layers, mtp = cfg->mtp_scale_factor;
	og_moe_shape shape = { h, m->moe_inter_size, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	/* balanced experts flatten prefill's power law; decode keeps it */
	const char *ctx_distribution = rt->enable_eplb ? "power_law_0.6" : "power_law_1.2";
	/* gpt-oss: half its layers attend in a 128-token window, listed first */
	bool gpt_oss = strcmp(m->architecture, "GptOssForCausalLM") == 0;
	double attn_split = gpt_oss ? 2 : 1;

	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_phase ph = (og_phase)phase;
		bool ctx = ph == OG_CONTEXT;
		double per_layer = ctx ? layers : layers * mtp;
		double once = ctx ? 1.0 : 1.0 * mtp;
#define NAME(s) (ctx ? "context_" s : "generation_" s)
		if (gpt_oss && ctx)
			og_add_context_attention(g, "context_attention", layers / attn_split, m->n / tp, kv_heads, kv,
						 fmha, 128, d, m->use_qk_norm);
		else if (gpt_oss)
			og_add_generation_attention(g, "generation_attention", layers * mtp / attn_split, m->n / tp,
						    kv_heads, kv, 128, d, m->use_qk_norm);
		og_add_embedding(g, ph, NAME("embedding"), once, m->vocab, h, 0.3);
		og_add_elementwise(g, ph, NAME("add_norm_1"), per_layer, 2 * h, 2 * h, 0.8);
		og_add_gemm(g, ph, NAME("qkv_gemm"), per_layer, qkv_n, h, gemm, false);
		if (ctx)
			og_add_context_attention(g, "context_attention", layers / attn_split, m->n / tp, kv_heads, kv, fmha,
						 0, d, m->use_qk_norm);
		else
			og_add_generation_attention(g, "generation_attention", layers / attn_split * mtp, m->n / tp,
						    kv_heads, kv, 0, d, m->use_qk_norm);
		og_add_gemm(g, ph, NAME("proj_gemm"), per_layer, h, attn_out, gemm, true);
		og_add_elementwise(g, ph, NAME("add_norm_2"), per_layer, 2 * h, 2 * h, 0.8);
		/* the reference counts the router only where it is not negligible */
		if (m->num_experts >= 128)
			og_add_gemm(g, ph, NAME("router_gemm"), per_layer, m->num_experts, h, bf16, false);
		/* prefill's dispatch carries every TP rank's tokens */
		og_add_deepep_dispatch(g, ph, NAME("moe_pre_dispatch"), per_layer, &shape, moe_q, ctx ? tp : 1);
		og_add_deepep_moe(g, ph, NAME("moe"), per_layer, &shape, moe_q, ctx ? ctx_distribution : "power_law_1.2",
				  ctx && rt->enable_eplb);
		if (!ctx)
			og_add_gemm(g, ph, "generation_logits_gemm", once, m->vocab / tp, h, bf16, false);
#undef NAME
	}
	return 0;
}
