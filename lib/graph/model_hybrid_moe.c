/* model_hybrid_moe: the HYBRIDMOE family (Llama-4 Scout/Maverick, MiMo-V2-Flash): layers mix
 * global and sliding-window (local) attention (extra_params.attn_layer_pattern, 1 = global)
 * with MoE or dense FFNs (moe_layer_freq, 1 = MoE). The four combinations are one op group
 * each, in the order global+MoE, local+MoE, local+dense, global+dense, scale factor = layers
 * of that kind: norm, QKV GEMM, attention, output GEMM, norm, then the FFN: router GEMM (only
 * with 128 experts or more), dispatch, gated experts, combine; or a dense fused gate/up GEMM,
 * activation and down GEMM. The reference models no all-reduce for this family.
 * Local attention may have its own KV heads and head sizes (MiMo-V2-Flash); zero in the model
 * record means "the model-level value" (Llama-4). Generation ops carry the MTP factor. */
#include "model_moe.h"
#include "diag.h"
#include "model_builders.h"
#include "opgraph.h"

#include <stdio.h>
#include <string.h>

enum { GLOBAL_MOE, SWA_MOE, SWA_DENSE, GLOBAL_DENSE, KINDS };

typedef struct hybrid_dims {
	long count[KINDS];
	long window;                          /* sliding window of local layers */
	long kv[2], qkv_out[2], proj_in[2], head[2]; /* [0] local, [1] global; KV heads per GPU */
	long dense_inter;                     /* per GPU */
} hybrid_dims;

static long field(const cJSON *ep, const char *key, bool *ok)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ep, key);
	if (!cJSON_IsNumber(v) || v->valuedouble < 0)
		*ok = false;
	return cJSON_IsNumber(v) ? (long)v->valuedouble : 0;
}

static int resolve(const og_config *cfg, hybrid_dims *d, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const cJSON *ep = m->extra_params;
	const cJSON *attn = cJSON_GetObjectItemCaseSensitive(ep, "attn_layer_pattern");
	const cJSON *moe = cJSON_GetObjectItemCaseSensitive(ep, "moe_layer_freq");
	if (!cJSON_IsArray(attn) || !cJSON_IsArray(moe))
		return diag_errf(err, errn, "HYBRIDMOE model record lacks extra_params.attn_layer_pattern / moe_layer_freq");
	int n = cJSON_GetArraySize(attn);
	if (n != cJSON_GetArraySize(moe))
		return diag_errf(err, errn, "HybridMoE pattern length mismatch: attn_layer_pattern has %d entries but moe_layer_freq has %d",
			    n, cJSON_GetArraySize(moe));
	if (n != m->layers)
		return diag_errf(err, errn, "HybridMoE pattern length (%d) does not match num_layers (%ld)", n, m->layers);
	memset(d->count, 0, sizeof d->count);
	for (int i = 0; i < n; i++) {
		const cJSON *a = cJSON_GetArrayItem(attn, i), *e = cJSON_GetArrayItem(moe, i);
		bool a_ok = cJSON_IsNumber(a) && (a->valuedouble == 0 || a->valuedouble == 1);
		bool e_ok = cJSON_IsNumber(e) && (e->valuedouble == 0 || e->valuedouble == 1);
		if (!a_ok || !e_ok)
			return diag_errf(err, errn, "HybridMoE layer %d: attention and MoE flags must be 0 or 1", i);
		bool global = a->valuedouble == 1, has_moe = e->valuedouble == 1;
		d->count[global ? (has_moe ? GLOBAL_MOE : GLOBAL_DENSE) : (has_moe ? SWA_MOE : SWA_DENSE)]++;
	}
	bool ok = true;
	long swa_kv = field(ep, "swa_num_kv_heads", &ok), swa_hd = field(ep, "swa_head_dim", &ok);
	long swa_vhd = field(ep, "swa_v_head_dim", &ok), global_vhd = field(ep, "global_v_head_dim", &ok);
	long dense = field(ep, "dense_inter_size", &ok);
	d->window = field(ep, "sliding_window_size", &ok);
	if (!ok)
		return diag_errf(err, errn, "HYBRIDMOE model record: extra_params sizes must be non-negative numbers");
	/* zero: the model-level value */
	if (!swa_kv)
		swa_kv = m->n_kv;
	if (!swa_hd)
		swa_hd = m->d;
	if (!swa_vhd)
		swa_vhd = m->d;
	if (!global_vhd)
		global_vhd = m->d;
	if (!dense)
		dense = m->inter_size;
	long tp = cfg->rt.tp;
	d->kv[0] = (swa_kv + tp - 1) / tp;
	d->kv[1] = (m->n_kv + tp - 1) / tp;
	d->qkv_out[0] = m->n * swa_hd / tp + d->kv[0] * (swa_hd + swa_vhd);
	d->qkv_out[1] = m->n * m->d / tp + d->kv[1] * (m->d + global_vhd);
	d->proj_in[0] = m->n * swa_vhd / tp;
	d->proj_in[1] = m->n * global_vhd / tp;
	d->head[0] = swa_hd;
	d->head[1] = m->d;
	d->dense_inter = dense / tp;
	return 0;
}

int model_hybrid_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	if (og_moe_check(cfg, err, errn))
		return -1;
	hybrid_dims d;
	if (resolve(cfg, &d, err, errn))
		return -1;
	og_quants q = og_quants_of(cfg);
	long tp = rt->tp, pp = rt->pp, h = m->hidden_size;
	og_moe_shape ms = { h, m->moe_inter_size, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	/* group name, global attention?, MoE FFN?, and the prefix of its FFN ops */
	static const struct {
		const char *group, *ffn;
		bool global, moe;
	} kinds[KINDS] = {
		[GLOBAL_MOE] = { "global", "global", true, true },
		[SWA_MOE] = { "swa", "swa", false, true },
		[SWA_DENSE] = { "swa_dense", "swa", false, false },
		[GLOBAL_DENSE] = { "global_dense", "global", true, false },
	};

	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_pass p = og_pass_of(cfg, (og_phase)phase);
		char name[96];
#define OP(fmt, ...) (snprintf(name, sizeof name, "%s_" fmt, p.pre, __VA_ARGS__), name)
		og_add_embedding(g, p.ph, OP("%s", "embedding"), 1 * p.mtp, m->vocab, h, 0.3);
		for (int k = 0; k < KINDS; k++) {
			if (d.count[k] == 0)
				continue;
			double c = (double)d.count[k] * p.mtp;
			int at = kinds[k].global ? 1 : 0;
			long window = kinds[k].global ? 0 : d.window;
			const char *grp = kinds[k].group;
			og_add_elementwise(g, p.ph, OP("%s_attn_norm", grp), c, 2 * h, 2 * h, 0.8);
			og_add_gemm(g, p.ph, OP("%s_qkv_gemm", grp), c, d.qkv_out[at], h, q.gemm, false);
			if (p.ctx)
				og_add_context_attention(g, "context_attention", c, m->n / tp, d.kv[at], q.kv,
							 q.fmha, window, d.head[at], false);
			else
				og_add_generation_attention(g, "generation_attention", c, m->n / tp, d.kv[at], q.kv, window,
							    d.head[at], false);
			og_add_gemm(g, p.ph, OP("%s_proj_gemm", grp), c, h, d.proj_in[at], q.gemm, true);
			const char *ffn = kinds[k].ffn;
			if (kinds[k].moe) {
				og_add_elementwise(g, p.ph, OP("%s_moe_norm", grp), c, 2 * h, 2 * h, 0.8);
				if (m->num_experts >= 128)
					og_add_gemm(g, p.ph, OP("%s_router_gemm", ffn), c, m->num_experts, h, q.bf16, false);
				/* the reference builds these with its MoE defaults (context-kind, gated, no
				 * dispatch quant) in both phases */
				og_add_moe_dispatch(g, p.ph, OP("%s_moe_pre_dispatch", ffn), c, &ms, true, NULL);
				og_add_moe(g, p.ph, OP("%s_moe", ffn), c, &ms, q.moe, "power_law_1.01", true, true);
				og_add_moe_dispatch(g, p.ph, OP("%s_moe_post_dispatch", ffn), c, &ms, false, NULL);
			} else {
				og_add_elementwise(g, p.ph, OP("%s_ffn_norm", grp), c, 2 * h, 2 * h, 0.8);
				og_add_gemm(g, p.ph, OP("%s_dense_gate_up_gemm", ffn), c, 2 * d.dense_inter, h, q.gemm, false);
				og_add_elementwise(g, p.ph, OP("%s_dense_act", ffn), c, 2 * d.dense_inter, d.dense_inter, 0.8);
				og_add_gemm(g, p.ph, OP("%s_dense_down_gemm", ffn), c, h, d.dense_inter, q.gemm, true);
			}
		}
		/* Logits stay in bfloat16 whatever the GEMM quantization. */
		og_add_gemm(g, p.ph, OP("%s", "logits_gemm"), 1 * p.mtp, m->vocab / tp, h, q.bf16, false);
		og_add_p2p(g, p.ph, OP("%s", "p2p"), (double)(pp - 1) * p.mtp, h, pp);
#undef OP
	}
	return 0;
}
