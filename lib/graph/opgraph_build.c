#include "opgraph_build.h"
#include "model_deepseek_wideep.h"
#include "model_moe.h"

#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "hint.h"
#include "families.h"

static int resolve_quant(const og_runtime *rt, const og_model *m, og_config *cfg, char *err, size_t errn)
{
	static const char *const defaults[QUANT_KIND_COUNT] = {"bfloat16", "bfloat16", "bfloat16", "bfloat16", "half"};
	for (int k = 0; k < QUANT_KIND_COUNT; k++) {
		/* A user override wins; else what the checkpoint declares; else the plain default. */
		const char *name = rt->quant[k] ? rt->quant[k] : m->quant[k] ? m->quant[k] : defaults[k];
		cfg->quant[k] = quant_find((quant_kind)k, name);
		if (!cfg->quant[k]) {
			char names[256];
			quant_list_names((quant_kind)k, names, sizeof names);
			return diag_errf(err, errn, "unknown %s quant mode '%s' (one of: %s)", quant_kind_name((quant_kind)k),
				    name, names);
		}
	}
	/* Attention kernels whose perf tables only exist in bfloat16 FMHA: the reference falls back. */
	bool fmha_fp8 = strcmp(cfg->quant[QUANT_FMHA]->name, "fp8") == 0;
	const char *arch = m->architecture;
	bool dsa = strcmp(arch, "DeepseekV32ForCausalLM") == 0 || strcmp(arch, "GlmMoeDsaForCausalLM") == 0;
	if (fmha_fp8 && ((dsa && (strcmp(rt->backend, "trtllm") == 0 || strcmp(rt->backend, "sglang") == 0)) ||
			 strcmp(arch, "DeepseekV4ForCausalLM") == 0 || strcmp(rt->backend, "vllm") == 0))
		cfg->quant[QUANT_FMHA] = quant_find(QUANT_FMHA, "bfloat16");
	return 0;
}

/* The reference's ModelConfig.resolve_moe_parallelism: attention width tp*dp must equal
 * moe_tp*moe_ep; a missing one is inferred from the other. */
static int resolve_moe_parallel(og_config *cfg, char *err, size_t errn)
{
	og_runtime *rt = &cfg->rt;
	long width = rt->tp * rt->dp;
	if (!rt->moe_tp && !rt->moe_ep)
		return hint_errf(HINT_MOE_LAYOUT, 0, err, errn, "MoE model: moe_tp and moe_ep are unset");
	if (!rt->moe_tp) {
		if (width % rt->moe_ep)
			return diag_errf(err, errn, "cannot infer moe_tp: tp*dp = %ld is not divisible by moe_ep %ld", width,
				    rt->moe_ep);
		rt->moe_tp = width / rt->moe_ep;
	} else if (!rt->moe_ep) {
		if (width % rt->moe_tp)
			return diag_errf(err, errn, "cannot infer moe_ep: tp*dp = %ld is not divisible by moe_tp %ld", width,
				    rt->moe_tp);
		rt->moe_ep = width / rt->moe_tp;
	}
	if (rt->moe_tp * rt->moe_ep != width)
		return diag_errf(err, errn, "tp*dp = %ld but moe_tp*moe_ep = %ld: they must be equal", width,
			    rt->moe_tp * rt->moe_ep);
	return 0;
}

bool og_infer_dp(og_runtime *rt, const og_model *m, char *note, size_t n)
{
	long experts = rt->moe_tp * rt->moe_ep;
	if (!family_is_moe(m->family, m->extra_params) || rt->moe_tp < 1 || rt->moe_ep < 1 || rt->dp != 1 || rt->tp < 1 ||
	    rt->tp == experts || experts % rt->tp)
		return false;
	rt->dp = experts / rt->tp;
	snprintf(note, n, "fallback: dp %ld = moe_tp x moe_ep / tp = %ld x %ld / %ld (dp was not given)", rt->dp,
		 rt->moe_tp, rt->moe_ep, rt->tp);
	return true;
}

bool og_infer_moe_layout(const og_model *m, long tp, long dp, long *moe_tp, long *moe_ep, char *note, size_t n)
{
	if (!family_is_moe(m->family, m->extra_params) || *moe_tp || *moe_ep)
		return false;
	*moe_tp = (tp > 0 ? tp : 1) * (dp > 0 ? dp : 1);
	*moe_ep = 1;
	snprintf(note, n, "fallback: moe_tp %ld = tp x dp, moe_ep 1 (no MoE layout was given)", *moe_tp);
	return true;
}

int og_resolve(const og_runtime *rt, const og_model *m, og_config *cfg, char *err, size_t errn)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->rt = *rt;
	cfg->model = *m;
	if (strcmp(rt->mode, "static") && strcmp(rt->mode, "static_ctx") && strcmp(rt->mode, "static_gen"))
		return diag_errf(err, errn, "unknown mode '%s' (static, static_ctx or static_gen)", rt->mode);
	if (strcmp(rt->backend, "trtllm") && strcmp(rt->backend, "vllm") && strcmp(rt->backend, "sglang"))
		return diag_errf(err, errn, "unknown backend '%s' (trtllm, vllm or sglang)", rt->backend);
	if (rt->tp < 1 || rt->pp < 1 || rt->dp < 1 || rt->moe_tp < 0 || rt->moe_ep < 0)
		return diag_errf(err, errn, "parallel sizes must be positive");
	if (rt->batch < 1)
		return diag_errf(err, errn, "batch must be at least 1, got %ld", rt->batch);
	if (rt->isl < 1 || rt->osl < 1)
		return diag_errf(err, errn, "isl and osl must be at least 1");
	if (rt->prefix < 0 || rt->isl - rt->prefix <= 0)
		return diag_errf(err, errn, "isl (%ld) must be greater than prefix (%ld)", rt->isl, rt->prefix);
	if (rt->nextn < 0 || rt->nextn > OG_MAX_NEXTN)
		return diag_errf(err, errn, "nextn must be in [0, %d], got %ld", OG_MAX_NEXTN, rt->nextn);
	if (rt->stride < 1 || rt->beam < 1)
		return diag_errf(err, errn, "stride and beam must be at least 1");
	/* Token counts are multiplied together and by model widths in 64-bit integers, and each
	 * generation step is a query point: bound both so that nothing wraps or runs away. */
	if ((double)rt->batch * (double)(rt->isl + rt->osl) * (double)(rt->nextn + 1) * (double)rt->beam > 1099511627776.0)
		return diag_errf(err, errn, "batch x (isl + osl) x (nextn + 1) x beam is more than 2^40 tokens");
	if ((rt->osl - 1) / rt->stride > 1048576)
		return diag_errf(err, errn, "(osl - 1) / stride is more than 2^20 generation steps: raise stride");
	const family_desc *fam = family_find(m->family);
	if (!fam)
		return diag_errf(err, errn, "model family %s (%s) is not supported by opgraph yet", m->family,
			    m->architecture);
	/* a wide-EP model class infercast lacks: refused, not priced as the regular model */
	const char *unmodelled = rt->wideep || og_deepep(rt) ? model_wideep_unmodelled(m->family, rt->backend) : NULL;
	if (unmodelled)
		return diag_errf(err, errn, "wide-EP for the %s family on %s (the reference's %s) is not modelled: "
				 "only DEEPSEEK has wide-EP models; run it without wide-EP", m->family, rt->backend,
				 unmodelled);
	if (m->layers < 1 || m->n < 1)
		return diag_errf(err, errn, "model record: layers and n must be positive");
	if (m->n % rt->tp)
		return diag_errf(err, errn, "num_heads %ld is not divisible by tp %ld", m->n, rt->tp);
	if (resolve_quant(rt, m, cfg, err, errn))
		return -1;
	if (family_is_moe(m->family, m->extra_params) && resolve_moe_parallel(cfg, err, errn))
		return -1;
	if (rt->nextn > 0) {
		double e = og_mtp_expectation(rt->nextn, rt->nextn_accept_rates);
		double layers = (double)m->layers;
		cfg->mtp_scale_factor = 1.0 / (1 + e) * (double)(rt->nextn + m->layers) / layers;
	} else {
		cfg->mtp_scale_factor = 1.0;
	}
	if (fam->image_tokens)
		cfg->img_ctx_tokens = fam->image_tokens(cfg);
	return 0;
}

int og_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	memset(g, 0, sizeof *g);
	const family_desc *fam = family_find(cfg->model.family);
	if (!fam)
		return diag_errf(err, errn, "model family %s is not supported by opgraph yet", cfg->model.family);
	if (fam->build(cfg, g, err, errn)) {
		og_graph_free(g);
		return -1;
	}
	return 0;
}
