#include "model_gemma4_moe.h"
#include "diag.h"
#include "model_builders.h"
#include "model_moe.h"

#include <stdio.h>
#include <string.h>

typedef struct gemma4_cfg {
	long swa, full;                  /* layers of each attention kind */
	long swa_kv, swa_hd, full_kv, full_hd, window;
	bool k_eq_v;
} gemma4_cfg;

/* -1 with err when the record's layer types or sizes are not what the reference accepts. */
static int read_cfg(const og_model *m, gemma4_cfg *c, char *err, size_t errn)
{
	const cJSON *ep = m->extra_params;
	const cJSON *types = cJSON_GetObjectItemCaseSensitive(ep, "layer_types");
	if (!cJSON_IsArray(types))
		return diag_errf(err, errn, "GEMMA4MOE model record lacks extra_params.layer_types");
	if (cJSON_GetArraySize(types) != m->layers)
		return diag_errf(err, errn, "Gemma4 layer_types length (%d) does not match num_layers (%ld)",
			    cJSON_GetArraySize(types), m->layers);
	c->swa = c->full = 0;
	int i = 0;
	const cJSON *t;
	cJSON_ArrayForEach(t, types)
	{
		if (cJSON_IsString(t) && strcmp(t->valuestring, "sliding_attention") == 0)
			c->swa++;
		else if (cJSON_IsString(t) && strcmp(t->valuestring, "full_attention") == 0)
			c->full++;
		else
			return diag_errf(err, errn, "Gemma4 layer %d has an invalid type (sliding_attention or full_attention)", i);
		i++;
	}
	struct {
		const char *key;
		long *dst;
	} f[] = {
		{"swa_num_kv_heads", &c->swa_kv},	{"swa_head_dim", &c->swa_hd},
		{"global_num_kv_heads", &c->full_kv},	{"global_head_dim", &c->full_hd},
		{"sliding_window_size", &c->window},
	};
	for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(ep, f[k].key);
		if (!cJSON_IsNumber(v) || v->valuedouble < 0)
			return diag_errf(err, errn, "GEMMA4MOE model record: extra_params.%s is not a non-negative number", f[k].key);
		*f[k].dst = (long)v->valuedouble;
	}
	c->k_eq_v = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ep, "attention_k_eq_v"));
	return 0;
}

double model_gemma4_kv_bytes_per_sequence(const og_config *cfg, long seq_len)
{
	gemma4_cfg c;
	char err[16];
	double bpe = cfg->quant[QUANT_KVCACHE]->memory;
	if (seq_len < 0)
		seq_len = 0;
	if (read_cfg(&cfg->model, &c, err, sizeof err)) {
		/* without its layer config the reference falls back to the dense formula */
		long tp = cfg->rt.tp, kv = (cfg->model.n_kv + tp - 1) / tp;
		return (double)seq_len * bpe * (double)(kv * cfg->model.d * cfg->model.layers * 2);
	}
	long tp = cfg->rt.tp;
	long swa_kv = (c.swa_kv + tp - 1) / tp, full_kv = (c.full_kv + tp - 1) / tp;
	long swa_seq = c.window > 0 && c.window < seq_len ? c.window : seq_len;
	double swa = (double)(c.swa * swa_kv * c.swa_hd * 2) * bpe * (double)swa_seq;
	double full = (double)(c.full * full_kv * c.full_hd * 2) * bpe * (double)seq_len;
	return swa + full;
}

int model_gemma4_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	if (og_moe_check(cfg, err, errn))
		return -1;
	gemma4_cfg c;
	if (read_cfg(m, &c, err, errn))
		return -1;
	og_quants q = og_quants_of(cfg);
	long tp = rt->tp, pp = rt->pp, h = m->hidden_size, inter = m->inter_size / tp;
	og_moe_shape ms = { h, m->moe_inter_size, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	/* [0] sliding, [1] full */
	long count[2] = { c.swa, c.full };
	long kv[2] = { (c.swa_kv + tp - 1) / tp, (c.full_kv + tp - 1) / tp };
	long hd[2] = { c.swa_hd, c.full_hd };
	/* full layers with K = V project K only */
	long qkv[2] = { m->n * c.swa_hd / tp + kv[0] * c.swa_hd * 2,
			m->n * c.full_hd / tp + kv[1] * c.full_hd * (c.k_eq_v ? 1 : 2) };
	long window[2] = { c.window, 0 };
	static const char *const kind[2] = { "swa", "global" };

	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_pass p = og_pass_of(cfg, (og_phase)phase);
		char name[96];
#define OP(s) (snprintf(name, sizeof name, "%s_%s_" s, p.pre, kind[k]), name)
		snprintf(name, sizeof name, "%s_embedding", p.pre);
		og_add_embedding(g, p.ph, name, 1 * p.mtp, m->vocab, h, 0.3);
		for (int k = 0; k < 2; k++) {
			if (count[k] == 0)
				continue;
			double sf = (double)count[k] * p.mtp;
			og_add_elementwise(g, p.ph, OP("attn_norm"), sf, 2 * h, 2 * h, 0.8);
			og_add_gemm(g, p.ph, OP("qkv_gemm"), sf, qkv[k], h, q.gemm, false);
			if (p.ctx)
				og_add_context_attention(g, "context_attention", sf, m->n / tp, kv[k], q.kv, q.fmha,
							 window[k], hd[k], false);
			else
				og_add_generation_attention(g, "generation_attention", sf, m->n / tp, kv[k], q.kv, window[k], hd[k],
							    false);
			og_add_gemm(g, p.ph, OP("proj_gemm"), sf, h, m->n * hd[k] / tp, q.gemm, true);
			og_add_elementwise(g, p.ph, OP("ffn_norm"), sf, 2 * h, 2 * h, 0.8);
			og_add_gemm(g, p.ph, OP("shared_mlp_gate_up_gemm"), sf, 2 * inter, h, q.gemm, false);
			og_add_elementwise(g, p.ph, OP("shared_mlp_act"), sf, 2 * inter, inter, 0.8);
			og_add_gemm(g, p.ph, OP("shared_mlp_down_gemm"), sf, h, inter, q.gemm, true);
			if (m->num_experts >= 128)
				og_add_gemm(g, p.ph, OP("router_gemm"), sf, m->num_experts, h, q.bf16, false);
			/* the reference builds these with its MoE defaults: context-kind, gated, both phases */
			og_add_moe_dispatch(g, p.ph, OP("moe_pre_dispatch"), sf, &ms, true, q.moe);
			og_add_moe(g, p.ph, OP("moe"), sf, &ms, q.moe, "power_law_1.01", true, true);
			og_add_moe_dispatch(g, p.ph, OP("moe_post_dispatch"), sf, &ms, false, q.moe);
		}
#undef OP
		/* Logits stay in bfloat16 whatever the GEMM quantization. */
		snprintf(name, sizeof name, "%s_logits_gemm", p.pre);
		og_add_gemm(g, p.ph, name, 1 * p.mtp, m->vocab / tp, h, q.bf16, false);
		snprintf(name, sizeof name, "%s_p2p", p.pre);
		og_add_p2p(g, p.ph, name, (double)(pp - 1) * p.mtp, h, pp);
	}
	return 0;
}
