/* model_sglang_ep_moe: the reference's SGLangEPMOEModel (sdk/models/moe.py), the MOE family
 * (Qwen3-MoE, Mixtral, gpt-oss, ...) on SGLang with moe_backend "deepep_moe" (opgraph --wideep
 * or --moe-backend deepep_moe on SGLang): the regular attention block (embedding over the whole
 * vocabulary, fused QKV GEMM, attention, output projection), the router GEMM only with 128
 * experts or more, then DeepEP's dispatch (MoEDispatch, SMs 20; prefill scaled by tp) into the
 * DeepEP expert tables (MoE) with no combine op after them; the logits GEMM in decode. No
 * embedding all-reduce and no pipeline hand-off, as the reference's class has none. Prefill's
 * expert load is power law 1.2 (0.6 with EPLB), decode's 1.2. */
#include "model_builders.h"

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
	const quant_mode *moe_q = cfg->quant[QUANT_MOE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	long tp = rt->tp, h = m->hidden_size;
	double layers = (double)m->layers, mtp = cfg->mtp_scale_factor;
	og_moe_shape shape = { h, m->moe_inter_size, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	/* balanced experts flatten prefill's power law; decode keeps it */
	const char *ctx_distribution = rt->enable_eplb ? "power_law_0.6" : "power_law_1.2";

	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_phase ph = (og_phase)phase;
		bool ctx = ph == OG_CONTEXT;
		double per_layer = ctx ? layers : layers * mtp;
#define NAME(s) (ctx ? "context_" s : "generation_" s)
		/* the embedding table is not split over tp here */
		og_moe_attention_block(cfg, g, ph, m->vocab);
		/* the reference counts the router only where it is not negligible */
		if (m->num_experts >= 128)
			og_add_gemm(g, ph, NAME("router_gemm"), per_layer, m->num_experts, h, bf16, false);
		/* prefill's dispatch carries every TP rank's tokens */
		og_add_deepep_dispatch(g, ph, NAME("moe_pre_dispatch"), per_layer, &shape, moe_q, ctx ? tp : 1);
		og_add_deepep_moe(g, ph, NAME("moe"), per_layer, &shape, moe_q, ctx ? ctx_distribution : "power_law_1.2",
				  ctx && rt->enable_eplb);
		if (!ctx)
			og_add_gemm(g, ph, "generation_logits_gemm", 1.0 * mtp, m->vocab / tp, h, bf16, false);
#undef NAME
	}
	return 0;
}
