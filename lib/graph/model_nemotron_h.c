/* model_nemotron_h: the NEMOTRONH family (Nemotron-H, Nemotron-3 Nano/Super): hybrid stacks
 * whose extra_params.hybrid_override_pattern gives each layer's kind, one character a layer:
 *   M  Mamba2 mixer: norm, in_proj GEMM, causal conv1d and SSM scan kernels (Mamba2Kernel,
 *      looked up at the layer's unsharded shape), out_proj GEMM, all-reduce;
 *   *  attention: norm, QKV GEMM, attention, output GEMM, all-reduce;
 *   E  MoE: norm, a shared expert (non-gated up/relu²/down), router GEMM, dispatch, experts
 *      (non-gated), combine, all-reduce; with a latent size (Nemotron-3 Super) the experts
 *      run on a projection of the hidden state, framed by two latent GEMMs;
 *   -  dense MLP: norm, up GEMM, relu², down GEMM, all-reduce.
 * Layers of one kind are alike, so each kind is one group of ops whose scale factor is its
 * layer count, in the order M, *, E, - whatever the pattern's order; then pipeline hand-off
 * and logits. No MTP (the reference refuses nextn > 0). */
#include "model_moe.h"
#include "diag.h"
#include "model_builders.h"
#include "opgraph.h"

#include <stdio.h>
#include <string.h>

typedef struct hybrid_cfg {
	const char *pattern;
	long mamba_heads, mamba_head_dim, ssm_state, conv_kernel, n_groups, chunk_size;
	long shared_inter, latent;
} hybrid_cfg;

static int read_cfg(const cJSON *ep, hybrid_cfg *c, char *err, size_t errn)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(ep, "hybrid_override_pattern");
	if (!cJSON_IsString(p))
		return diag_errf(err, errn, "NEMOTRONH model record lacks extra_params.hybrid_override_pattern");
	c->pattern = p->valuestring;
	struct {
		const char *key;
		long *dst;
	} f[] = {
		{"mamba_num_heads", &c->mamba_heads}, {"mamba_head_dim", &c->mamba_head_dim},
		{"ssm_state_size", &c->ssm_state},    {"conv_kernel", &c->conv_kernel},
		{"n_groups", &c->n_groups},           {"chunk_size", &c->chunk_size},
		{"moe_shared_expert_intermediate_size", &c->shared_inter}, {"moe_latent_size", &c->latent},
	};
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(ep, f[i].key);
		if (!cJSON_IsNumber(v) || v->valuedouble < 0)
			return diag_errf(err, errn, "NEMOTRONH model record: extra_params.%s is not a non-negative number", f[i].key);
		*f[i].dst = (long)v->valuedouble;
	}
	return 0;
}

static long count_kind(const char *pattern, char kind)
{
	long n = 0;
	for (const char *s = pattern; *s; s++)
		n += *s == kind;
	return n;
}

static void add_mamba_kernel(og_graph *g, og_phase ph, const char *name, double sf, const char *kernel,
			     long h, const hybrid_cfg *c)
{
	og_op *op = og_push_op(g, ph, name, "Mamba2Kernel", sf, 0.0);
	cJSON *a = op->attrs;
	cJSON_AddStringToObject(a, "kernel_source", kernel);
	cJSON_AddStringToObject(a, "phase", ph == OG_CONTEXT ? "context" : "generation");
	cJSON_AddNumberToObject(a, "hidden_size", (double)h);
	cJSON_AddNumberToObject(a, "nheads", (double)c->mamba_heads);
	cJSON_AddNumberToObject(a, "head_dim", (double)c->mamba_head_dim);
	cJSON_AddNumberToObject(a, "d_state", (double)c->ssm_state);
	cJSON_AddNumberToObject(a, "d_conv", (double)c->conv_kernel);
	cJSON_AddNumberToObject(a, "n_groups", (double)c->n_groups);
	cJSON_AddNumberToObject(a, "chunk_size", (double)c->chunk_size);
	cJSON_AddNumberToObject(a, "weights", 0.0);
}

int model_nemotron_h_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	if (rt->nextn != 0)
		return diag_errf(err, errn, "NEMOTRONH models do not support MTP (nextn must be 0, got %ld)", rt->nextn);
	hybrid_cfg c;
	if (read_cfg(m->extra_params, &c, err, errn))
		return -1;
	long n_mamba = count_kind(c.pattern, 'M'), n_attn = count_kind(c.pattern, '*');
	long n_moe = count_kind(c.pattern, 'E'), n_mlp = count_kind(c.pattern, '-');

	const quant_mode *gemm = cfg->quant[QUANT_GEMM];
	const quant_mode *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *moe_q = cfg->quant[QUANT_MOE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	long tp = rt->tp, pp = rt->pp, h = m->hidden_size, d = m->d;
	long kv_per_gpu = (m->n_kv + tp - 1) / tp;
	/* the Mamba2 mixer's projections split by heads and groups across tp */
	long heads_per_gpu = c.mamba_heads / tp;
	long d_inner = heads_per_gpu * c.mamba_head_dim;
	long in_proj = 2 * d_inner + 2 * (c.n_groups / tp) * c.ssm_state + heads_per_gpu;
	long moe_h = c.latent > 0 ? c.latent : h;
	og_moe_shape ms = { moe_h, m->moe_inter_size, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };

	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_phase ph = (og_phase)phase;
		bool ctx = ph == OG_CONTEXT;
#define NAME(s) (ctx ? "context_" s : "generation_" s)
		og_add_embedding(g, ph, NAME("embedding"), 1, m->vocab, h, 0.3);
		if (n_mamba > 0) {
			double k = (double)n_mamba;
			og_add_elementwise(g, ph, NAME("mamba_norm"), k, 2 * h, 2 * h, 0.8);
			og_add_gemm(g, ph, NAME("mamba_in_proj_gemm"), k, in_proj, h, gemm, false);
			add_mamba_kernel(g, ph, NAME("mamba_conv1d"), k, ctx ? "causal_conv1d_fn" : "causal_conv1d_update", h,
					 &c);
			add_mamba_kernel(g, ph, NAME("mamba_ssm"), k, ctx ? "mamba_chunk_scan_combined" : "selective_state_update",
					 h, &c);
			og_add_gemm(g, ph, NAME("mamba_out_proj_gemm"), k, h, d_inner, gemm, false);
			og_add_custom_allreduce(g, ph, NAME("mamba_ar"), k, h, tp);
		}
		if (n_attn > 0) {
			double k = (double)n_attn;
			og_add_elementwise(g, ph, NAME("attn_norm"), k, 2 * h, 2 * h, 0.8);
			og_add_gemm(g, ph, NAME("qkv_gemm"), k, m->n * d / tp + d * kv_per_gpu * 2, h, gemm, false);
			if (ctx)
				og_add_context_attention(g, "context_attention", k, m->n / tp, kv_per_gpu, kv,
							 cfg->quant[QUANT_FMHA], 0, d, false);
			else
				og_add_generation_attention(g, "generation_attention", k, m->n / tp, kv_per_gpu, kv, 0, d, false);
			og_add_gemm(g, ph, NAME("proj_gemm"), k, h, m->n * d / tp, gemm, true);
			og_add_custom_allreduce(g, ph, NAME("attn_ar"), k, h, tp);
		}
		if (n_moe > 0) {
			double k = (double)n_moe;
			long shared = c.shared_inter / tp;
			og_add_elementwise(g, ph, NAME("moe_norm"), k, 2 * h, 2 * h, 0.8);
			/* the shared expert runs beside the routed ones (non-gated: up, relu², down) */
			og_add_gemm(g, ph, NAME("shared_up_gemm"), k, shared, h, gemm, false);
			og_add_elementwise(g, ph, NAME("shared_relu2"), k, shared, shared, 0.8);
			og_add_gemm(g, ph, NAME("shared_down_gemm"), k, h, shared, gemm, true);
			og_add_gemm(g, ph, NAME("router_gemm"), k, m->num_experts, h, bf16, false);
			if (c.latent > 0)
				og_add_gemm(g, ph, NAME("fc1_latent_proj_gemm"), k, c.latent / tp, h, gemm, false);
			/* the reference builds these with its MoE defaults: context-kind kernels in both phases */
			og_add_moe_dispatch(g, ph, NAME("moe_pre_dispatch"), k, &ms, true, moe_q);
			og_add_moe(g, ph, NAME("moe"), k, &ms, moe_q, "power_law_1.01", true, false);
			og_add_moe_dispatch(g, ph, NAME("moe_post_dispatch"), k, &ms, false, moe_q);
			if (c.latent > 0)
				og_add_gemm(g, ph, NAME("fc2_latent_proj_gemm"), k, h, c.latent / tp, gemm, true);
			og_add_custom_allreduce(g, ph, NAME("moe_ar"), k, h, tp);
		}
		if (n_mlp > 0) {
			double k = (double)n_mlp;
			long inter = m->inter_size / tp;
			og_add_elementwise(g, ph, NAME("mlp_norm"), k, 2 * h, 2 * h, 0.8);
			og_add_gemm(g, ph, NAME("mlp_up_gemm"), k, inter, h, gemm, false);
			og_add_elementwise(g, ph, NAME("mlp_relu2"), k, inter, inter, 0.8);
			og_add_gemm(g, ph, NAME("mlp_down_gemm"), k, h, inter, gemm, false);
			og_add_custom_allreduce(g, ph, NAME("mlp_ar"), k, h, tp);
		}
		og_add_p2p(g, ph, NAME("p2p"), (double)(pp - 1), h, pp);
		/* Logits stay in bfloat16 whatever the GEMM quantization. */
		og_add_gemm(g, ph, NAME("logits_gemm"), 1, m->vocab / tp, h, bf16, false);
#undef NAME
	}
	return 0;
}
