#include "memory.h"
#include "model_deepseek_v4.h"
#include "model_deepseek_v32.h"
#include "model_gemma4_moe.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Activation bytes per token per (2 × heads × head size), by family and min(tp, 8). The
 * reference tunes one table for TRT-LLM (vLLM reuses it) and a higher one for SGLang. */
typedef struct coeff_row {
	const char *family;
	double by_tp[4]; /* tp 1, 2, 4, 8 */
} coeff_row;

static const coeff_row trtllm_coeffs[] = {
	{"GPT", {10, 6, 5, 5}},          {"LLAMA", {11, 6.5, 5, 5}},      {"MOE", {22, 13, 10, 10}},
	{"GEMMA4MOE", {22, 13, 10, 10}}, {"DEEPSEEK", {22, 13, 10, 10}},  {"DEEPSEEKV32", {22, 13, 10, 10}},
	{"DEEPSEEKV4", {22, 13, 10, 10}}, {"KIMIK25", {22, 13, 10, 10}},  {"default", {10, 6, 5, 5}},
	{NULL, {0}},
};
static const coeff_row sglang_coeffs[] = {
	{"GPT", {13, 8, 6.5, 6.5}},      {"LLAMA", {14, 8.5, 6.5, 6.5}},  {"MOE", {28, 17, 13, 13}},
	{"GEMMA4MOE", {28, 17, 13, 13}}, {"DEEPSEEK", {28, 17, 13, 13}},  {"DEEPSEEKV32", {28, 17, 13, 13}},
	{"DEEPSEEKV4", {28, 17, 13, 13}}, {"KIMIK25", {28, 17, 13, 13}},  {"default", {13, 8, 6.5, 6.5}},
	{NULL, {0}},
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

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

double memory_kv_elements_per_token(const og_config *cfg)
{
	const og_model *m = &cfg->model;
	static const char *const mla[] = {"DEEPSEEK", "KIMIK25"};
	if (in_list(m->family, mla, 2)) {
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
		return fail(err, errn, "no activation coefficient for tp %ld (the reference has them for 1, 2, 4, 8)",
			    rt->tp);
	const coeff_row *row = NULL, *def = NULL;
	for (const coeff_row *c = kn.coeffs; c->family; c++) {
		if (strcmp(c->family, m->family) == 0)
			row = c;
		if (strcmp(c->family, "default") == 0)
			def = c;
	}
	if (!row)
		row = def;
	if (!row)
		return fail(err, errn, "no activation coefficients for family %s", m->family);
	double activations = 2 * (double)num_tokens * h * row->by_tp[slot];

	static const char *const moe_workspace[] = {"GEMMA4MOE", "DEEPSEEK", "DEEPSEEKV32", "DEEPSEEKV4", "KIMIK25"};
	if (in_list(m->family, moe_workspace, 5)) {
		/* Block-scale dispatch workspace: one fp32 scale per 128 values of each routed copy. */
		double width = (kn.moe_width_is_raw_h && strcmp(m->family, "GEMMA4MOE") != 0) ? h
											  : (double)m->hidden_size;
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
	/* Gemma 4's sliding layers keep only the window's tokens */
	if (strcmp(m->family, "GEMMA4MOE") == 0)
		kvcache = (double)batch * model_gemma4_kv_bytes_per_sequence(cfg, seq_tokens);
	/* DeepSeek sparse attention also caches the rope key in bfloat16 and the fp8 indexer key */
	if (strcmp(m->family, "DEEPSEEKV32") == 0)
		kvcache = (double)batch * model_deepseek_v32_kv_bytes_per_sequence(cfg, seq_tokens);
	/* DeepSeek-V4 caches a window plus compressed entries, per layer's compress ratio */
	if (strcmp(m->family, "DEEPSEEKV4") == 0)
		kvcache = (double)batch * model_deepseek_v4_kv_bytes_per_sequence(cfg, seq_tokens);

	double nccl;
	if (!system_nccl_mem_bytes(sys, (int)tp_clamped, &nccl))
		return fail(err, errn, "system %s has no NCCL memory figure for %ld GPUs", sys->name, tp_clamped);
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
