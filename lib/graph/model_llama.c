/* model_llama: the dense decoder family (the reference's LLAMA family: Llama, Qwen2/3, MiMo, ...).
 * Per layer: norm, fused QKV GEMM, attention, output projection, norm, fused gate/up GEMM,
 * activation, down GEMM, two all-reduces; plus embedding, logits GEMM and pipeline hand-offs.
 * Generation ops carry the MTP scale factor on top of their layer count. */
#include "opgraph.h"
#include "model_builders.h"

int model_llama_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	(void)err;
	(void)errn;
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	const quant_mode *gemm = cfg->quant[QUANT_GEMM];
	const quant_mode *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	long tp = rt->tp, pp = rt->pp, h = m->hidden_size, d = m->d;
	long kv_heads = (m->n_kv + tp - 1) / tp; /* KV heads are replicated when tp exceeds them */
	long qkv_n = m->n * d / tp + d * kv_heads * 2;
	long attn_out = m->n * d / tp;
	double layers = (double)m->layers, mtp = cfg->mtp_scale_factor;

	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_phase ph = (og_phase)phase;
		bool ctx = ph == OG_CONTEXT;
		/* Context ops count once per layer; generation ops also stand for the MTP draft passes. */
		double per_layer = ctx ? layers : layers * mtp;
		double once = ctx ? 1.0 : 1.0 * mtp;
#define NAME(s) (ctx ? "context_" s : "generation_" s)
		og_add_embedding(g, ph, NAME("embedding"), once, m->vocab / tp, h, 0.3);
		og_add_elementwise(g, ph, NAME("add_norm_1"), per_layer, 2 * h, 2 * h, 0.8);
		og_add_gemm(g, ph, NAME("qkv_gemm"), per_layer, qkv_n, h, gemm, false);
		if (ctx)
			og_add_context_attention(g, "context_attention", per_layer, m->n / tp, kv_heads, kv,
						 cfg->quant[QUANT_FMHA], 0, d, m->use_qk_norm);
		else
			og_add_generation_attention(g, "generation_attention", per_layer, m->n / tp, kv_heads, kv, 0, d,
						    m->use_qk_norm);
		og_add_gemm(g, ph, NAME("proj_gemm"), per_layer, h, attn_out, gemm, true);
		og_add_elementwise(g, ph, NAME("add_norm_2"), per_layer, 2 * h, 2 * h, 0.8);
		og_add_gemm(g, ph, NAME("gate_ffn1_gemm"), per_layer, 2 * m->inter_size / tp, h, gemm, false);
		og_add_elementwise(g, ph, NAME("act_gate"), per_layer, 2 * m->inter_size / tp, m->inter_size / tp, 0.8);
		og_add_gemm(g, ph, NAME("ffn2_gemm"), per_layer, h, m->inter_size / tp, gemm, true);
		/* Logits stay in bfloat16 whatever the GEMM quantization. */
		og_add_gemm(g, ph, NAME("logits_gemm"), once, m->vocab / tp, h, bf16, false);
	}
	/* All-reduces and pipeline hand-offs come after both phases' compute ops, as in the reference
	 * (the order matters only for how the per-phase sums are accumulated). */
	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_phase ph = (og_phase)phase;
		bool ctx = ph == OG_CONTEXT;
		double per_layer = ctx ? layers : layers * mtp;
		double once = ctx ? 1.0 : 1.0 * mtp;
		og_add_custom_allreduce(g, ph, NAME("embedding_ar"), once, h, tp);
		og_add_custom_allreduce(g, ph, NAME("ar_1"), per_layer, h, tp);
		og_add_custom_allreduce(g, ph, NAME("ar_2"), per_layer, h, tp);
	}
	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_phase ph = (og_phase)phase;
		bool ctx = ph == OG_CONTEXT;
		/* One hand-off between each pair of consecutive pipeline stages. */
		double hops = (double)(pp - 1);
		og_add_p2p(g, ph, NAME("p2p"), ctx ? hops : hops * mtp, h, pp);
#undef NAME
	}
	return 0;
}
