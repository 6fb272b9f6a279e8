#include "memory.h"
#include "diag.h"
#include "families.h"

#include <stdio.h>
#include <string.h>

/* Activation bytes per token per (2 × heads × head size), by family class (lib/model/families) and
 * min(tp, 8). The reference tunes one table for TRT-LLM (vLLM reuses it) and a higher one for
 * SGLang; families it does not list take its "default" row. */
typedef double coeff_row[4]; /* tp 1, 2, 4, 8 */

static const coeff_row trtllm_coeffs[] = {
	[FAMILY_MEMORY_DEFAULT] = {10, 6, 5, 5},
	[FAMILY_MEMORY_LLAMA] = {11, 6.5, 5, 5},
	[FAMILY_MEMORY_MOE] = {22, 13, 10, 10},
};
static const coeff_row sglang_coeffs[] = {
	[FAMILY_MEMORY_DEFAULT] = {13, 8, 6.5, 6.5},
	[FAMILY_MEMORY_LLAMA] = {14, 8.5, 6.5, 6.5},
	[FAMILY_MEMORY_MOE] = {28, 17, 13, 13},
};

typedef struct backend_knobs {
	const coeff_row *coeffs;
	double min_activation_bytes;
	double activation_overhead, others_overhead; /* SGLang's Python runtime costs more */
	bool moe_width_is_raw_h;                     /* TRT-LLM/vLLM size the MoE workspace by heads × head size */
} backend_knobs;

static backend_knobs knobs_of(const char *backend)
{
	if (strcmp(backend, "sglang") == 0)
		return (backend_knobs){sglang_coeffs, 90.0 * 1024 * 1024, 0.15, 0.20, false};
	return (backend_knobs){trtllm_coeffs, 70.0 * 1024 * 1024, 0.0, 0.0, true};
}

double memory_kv_elements_per_token(const og_config *cfg)
{
	const og_model *m = &cfg->model;
	const family_desc *fam = family_find(m->family);
	if (fam && fam->mla_latent) {
		/* MLA caches one latent vector per token and layer, not split by attention tp. */
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(m->extra_params, "kv_lora_rank");
		const cJSON *q = cJSON_GetObjectItemCaseSensitive(m->extra_params, "qk_rope_head_dim");
		double rank = cJSON_IsNumber(r) && r->valuedouble > 0 ? r->valuedouble : 512;
		double rope = cJSON_IsNumber(q) && q->valuedouble > 0 ? q->valuedouble : 64;
		return (double)m->layers * (rank + rope);
	}
	long tp = cfg->rt.tp;
	long kv_heads = (m->n_kv + tp - 1) / tp;
	return (double)(kv_heads * m->d * m->layers * 2);
}

int memory_usage(const og_config *cfg, const og_graph *g, const struct system_spec *sys, long batch, long beam,
		 long isl, long osl, long num_tokens, long prefix, long max_seq_len, mem_usage *out, char *err,
		 size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	backend_knobs kn = knobs_of(rt->backend);
	memset(out, 0, sizeof *out);

	/* Every stage holds its share of the layers. */
	double weights = og_context_weights(g) / (double)rt->pp;
	/* A vision encoder's weights come on top, whole on every GPU (not split over pp), as the reference. */
	for (size_t i = 0; i < g->n; i++)
		if (g->ops[i].phase == OG_ENCODER)
			weights += g->ops[i].weights * g->ops[i].scale_factor;

	double h = (double)(m->n * m->d);
	if (num_tokens == 0)
		num_tokens = (isl - prefix) * batch;
	long tp_clamped = rt->tp < 8 ? rt->tp : 8;
	int slot = tp_clamped == 1 ? 0 : tp_clamped == 2 ? 1 : tp_clamped == 4 ? 2 : tp_clamped == 8 ? 3 : -1;
	if (slot < 0)
		return diag_errf(err, errn, "no activation coefficient for tp %ld (the reference has them for 1, 2, 4, 8)",
			    rt->tp);
	const family_desc *fam = family_find(m->family);
	const double *row = kn.coeffs[fam ? fam->memory_class : FAMILY_MEMORY_DEFAULT];
	double activations = 2 * (double)num_tokens * h * row[slot];

	if (fam && fam->moe_workspace) {
		/* Block-scale dispatch workspace: one fp32 scale per 128 values of each routed copy. */
		double width = (kn.moe_width_is_raw_h && !fam->moe_workspace_by_hidden) ? h : (double)m->hidden_size;
		activations += (double)num_tokens * width * (double)rt->dp * (double)m->num_experts * (double)m->topk /
			       (double)rt->moe_ep / 128 * 4;
	}
	if (activations < kn.min_activation_bytes)
		activations = kn.min_activation_bytes;
	if (rt->nextn > 0)
		activations = activations * (double)(rt->nextn + 1);
	if (kn.activation_overhead > 0)
		activations *= 1.0 + kn.activation_overhead;

	/* KV is not split by pp: every stage keeps the whole sequence's cache of its layers. */
	long seq_tokens = max_seq_len > 0 ? max_seq_len : isl + beam * osl;
	if (seq_tokens < 0)
		seq_tokens = 0;
	double kvcache = (double)batch * ((double)seq_tokens * cfg->quant[QUANT_KVCACHE]->memory *
					  memory_kv_elements_per_token(cfg));
	/* sliding windows, compressed entries and indexer keys: the family sizes its own cache */
	if (fam && fam->kv_bytes_per_sequence)
		kvcache = (double)batch * fam->kv_bytes_per_sequence(cfg, seq_tokens);

	double nccl;
	if (!system_nccl_mem_bytes(sys, (int)tp_clamped, &nccl))
		return diag_errf(err, errn, "system %s has no NCCL memory figure for %ld GPUs", sys->name, tp_clamped);
	double others = sys->other_mem_bytes;
	if (kn.others_overhead > 0)
		others *= 1.0 + kn.others_overhead;

	double gib = (double)(1L << 30);
	out->total = (weights + activations + kvcache + nccl + others) / gib;
	out->weights = weights / gib;
	out->activations = activations / gib;
	out->kvcache = kvcache / gib;
	out->nccl = nccl / gib;
	out->others = others / gib;
	out->capacity = sys->mem_capacity_bytes / gib;
	out->oom = out->total >= out->capacity;
	return 0;
}

int memory_for_static(const og_config *cfg, const og_graph *g, const struct system_spec *sys, mem_usage *out,
		      char *err, size_t errn)
{
	const og_runtime *rt = &cfg->rt;
	long isl = rt->isl + cfg->img_ctx_tokens; /* image tokens join the prompt */
	if (strcmp(rt->mode, "static_ctx") == 0)
		return memory_usage(cfg, g, sys, rt->batch, rt->beam, isl, 1, 0, rt->prefix, 0, out, err, errn);
	if (strcmp(rt->mode, "static_gen") == 0)
		return memory_usage(cfg, g, sys, rt->batch, rt->beam, isl, rt->osl, rt->batch * rt->beam,
				    rt->prefix, 0, out, err, errn);
	return memory_usage(cfg, g, sys, rt->batch, rt->beam, isl, rt->osl, 0, rt->prefix, 0, out, err, errn);
}
