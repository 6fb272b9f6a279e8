/* model_moe: the MOE family op graph. Per layer: norm, fused QKV GEMM, attention, output
 * projection, norm, router GEMM (bfloat16, hidden -> experts), then the experts between two
 * MoEDispatch ops (tokens out to the expert ranks and back); plus embedding, logits GEMM (in
 * generation only), the embedding all-reduce and pipeline hand-offs. gpt-oss alternates
 * sliding-window (128 tokens) and full attention layers: half the layers each, the windowed
 * ones listed first. Qwen3-VL-MoE builds the same text model (its vision encoder is not
 * modelled here; see docs/families.md). */
#include "model_moe.h"
#include "model_builders.h"
#include "hint.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Python's // on non-negative floats (exact for the byte counts here). */
static double floordiv(double a, double b)
{
	return (a - fmod(a, b)) / b;
}

void og_add_moe_attrs(cJSON *a, const og_moe_shape *s, const quant_mode *q, long num_slots)
{
	cJSON_AddNumberToObject(a, "hidden_size", (double)s->hidden);
	cJSON_AddNumberToObject(a, "inter_size", (double)s->inter);
	cJSON_AddStringToObject(a, "quant_mode", q->name);
	cJSON_AddNumberToObject(a, "topk", (double)s->topk);
	cJSON_AddNumberToObject(a, "num_experts", (double)s->num_experts);
	if (num_slots > 0)
		cJSON_AddNumberToObject(a, "num_slots", (double)num_slots);
	cJSON_AddNumberToObject(a, "moe_tp_size", (double)s->moe_tp);
	cJSON_AddNumberToObject(a, "moe_ep_size", (double)s->moe_ep);
	cJSON_AddNumberToObject(a, "attention_dp_size", (double)s->attention_dp);
}

void og_add_dispatch_attrs(cJSON *a, const og_moe_shape *s)
{
	cJSON_AddNumberToObject(a, "hidden_size", (double)s->hidden);
	cJSON_AddNumberToObject(a, "topk", (double)s->topk);
	cJSON_AddNumberToObject(a, "num_experts", (double)s->num_experts);
	cJSON_AddNumberToObject(a, "moe_tp_size", (double)s->moe_tp);
	cJSON_AddNumberToObject(a, "moe_ep_size", (double)s->moe_ep);
	cJSON_AddNumberToObject(a, "attention_dp_size", (double)s->attention_dp);
}

void og_add_moe(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
		const quant_mode *q, const char *workload_distribution, bool is_context, bool is_gated)
{
	/* gate, up and down projections of every expert (up and down only without a gate), split
	 * over the expert-parallel ranks and then tensor-parallel slices */
	double gemms = is_gated ? 3 : 2;
	double weights = floordiv(floordiv((double)s->hidden * (double)s->inter * (double)s->num_experts * q->memory *
						   gemms,
					   (double)s->moe_ep),
				  (double)s->moe_tp);
	og_op *op = og_push_op(g, ph, name, "MoE", sf, weights);
	cJSON *a = op->attrs;
	og_add_moe_attrs(a, s, q, 0);
	cJSON_AddStringToObject(a, "workload_distribution", workload_distribution);
	cJSON_AddBoolToObject(a, "is_context", is_context);
	cJSON_AddBoolToObject(a, "is_gated", is_gated);
	cJSON_AddNullToObject(a, "moe_backend");
	cJSON_AddBoolToObject(a, "enable_eplb", false);
	cJSON_AddNumberToObject(a, "weights", weights);
}

void og_add_moe_dispatch(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
			 bool pre_dispatch, const quant_mode *q)
{
	og_op *op = og_push_op(g, ph, name, "MoEDispatch", sf, 0.0);
	long num_gpus = s->moe_ep * s->moe_tp;
	cJSON *a = op->attrs;
	og_add_dispatch_attrs(a, s);
	cJSON_AddNumberToObject(a, "weights", 0.0);
	cJSON_AddBoolToObject(a, "enable_fp4_all2all", true);
	cJSON_AddBoolToObject(a, "pre_dispatch", pre_dispatch);
	cJSON_AddNumberToObject(a, "num_gpus", (double)num_gpus);
	cJSON_AddNumberToObject(a, "attention_tp_size", (double)(num_gpus / s->attention_dp));
	cJSON_AddNumberToObject(a, "sms", 12);
	cJSON_AddNullToObject(a, "moe_backend");
	cJSON_AddBoolToObject(a, "is_context", true);
	cJSON_AddNumberToObject(a, "scale_num_tokens", 1);
	if (q)
		cJSON_AddStringToObject(a, "quant_mode", q->name);
	else
		cJSON_AddNullToObject(a, "quant_mode");
	cJSON_AddBoolToObject(a, "reduce_results", true);
}

/* The ops of SGLang's DeepEP path are the usual ones with DeepEP's attributes. */
static void replace(og_graph *g, const char *key, cJSON *v)
{
	cJSON_ReplaceItemInObjectCaseSensitive(g->ops[g->n - 1].attrs, key, v);
}

void og_add_deepep_dispatch(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
			    const quant_mode *q, long scale_num_tokens)
{
	og_add_moe_dispatch(g, ph, name, sf, s, true, q);
	replace(g, "sms", cJSON_CreateNumber(20)); /* the reference's default SM budget for DeepEP */
	replace(g, "moe_backend", cJSON_CreateString("deepep_moe"));
	replace(g, "is_context", cJSON_CreateBool(ph == OG_CONTEXT));
	replace(g, "scale_num_tokens", cJSON_CreateNumber((double)scale_num_tokens));
}

void og_add_deepep_moe(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
		       const quant_mode *q, const char *distribution, bool enable_eplb)
{
	og_add_moe(g, ph, name, sf, s, q, distribution, ph == OG_CONTEXT, true);
	replace(g, "moe_backend", cJSON_CreateString("deepep_moe"));
	replace(g, "enable_eplb", cJSON_CreateBool(enable_eplb));
}

bool og_deepep(const og_runtime *rt)
{
	return strcmp(rt->backend, "sglang") == 0 && (rt->wideep || rt->deepep);
}

int og_moe_width_check(const og_runtime *rt, long num_experts, char *err, size_t errn)
{
	if (rt->tp * rt->dp != rt->moe_tp * rt->moe_ep) {
		snprintf(err, errn, "tp (%ld) * attention dp (%ld) must equal moe_tp (%ld) * moe_ep (%ld)", rt->tp, rt->dp,
			 rt->moe_tp, rt->moe_ep);
		return -1;
	}
	if (num_experts < rt->moe_ep) {
		snprintf(err, errn, "moe_ep %ld exceeds the model's %ld experts", rt->moe_ep, num_experts);
		return -1;
	}
	return 0;
}

void og_moe_attention_block(const og_config *cfg, og_graph *g, og_phase ph, long embedding_rows)
{
	const og_model *m = &cfg->model;
	const quant_mode *gemm = cfg->quant[QUANT_GEMM], *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *fmha = cfg->quant[QUANT_FMHA];
	long tp = cfg->rt.tp, h = m->hidden_size, d = m->d;
	long kv_heads = (m->n_kv + tp - 1) / tp; /* KV heads are replicated when tp exceeds them */
	long qkv_n = m->n * d / tp + d * kv_heads * 2, attn_out = m->n * d / tp;
	double layers = (double)m->layers, mtp = cfg->mtp_scale_factor;
	bool ctx = ph == OG_CONTEXT;
	double per_layer = ctx ? layers : layers * mtp;
	/* gpt-oss alternates 128-token windows and full attention: half the layers each */
	bool gpt_oss = strcmp(m->architecture, "GptOssForCausalLM") == 0;
	double attn_split = gpt_oss ? 2 : 1;
#define NAME(s) (ctx ? "context_" s : "generation_" s)
	if (gpt_oss && ctx)
		og_add_context_attention(g, "context_attention", layers / attn_split, m->n / tp, kv_heads, kv, fmha, 128, d,
					 m->use_qk_norm);
	else if (gpt_oss)
		og_add_generation_attention(g, "generation_attention", layers * mtp / attn_split, m->n / tp, kv_heads, kv,
					    128, d, m->use_qk_norm);
	og_add_embedding(g, ph, NAME("embedding"), ctx ? 1.0 : 1.0 * mtp, embedding_rows, h, 0.3);
	og_add_elementwise(g, ph, NAME("add_norm_1"), per_layer, 2 * h, 2 * h, 0.8);
	og_add_gemm(g, ph, NAME("qkv_gemm"), per_layer, qkv_n, h, gemm, false);
	if (ctx)
		og_add_context_attention(g, "context_attention", layers / attn_split, m->n / tp, kv_heads, kv, fmha, 0, d,
					 m->use_qk_norm);
	else
		og_add_generation_attention(g, "generation_attention", layers / attn_split * mtp, m->n / tp, kv_heads, kv,
					    0, d, m->use_qk_norm);
	og_add_gemm(g, ph, NAME("proj_gemm"), per_layer, h, attn_out, gemm, true);
	og_add_elementwise(g, ph, NAME("add_norm_2"), per_layer, 2 * h, 2 * h, 0.8);
#undef NAME
}

int og_moe_check(const og_config *cfg, char *err, size_t errn)
{
	const og_runtime *rt = &cfg->rt;
	const og_model *m = &cfg->model;
	if (rt->moe_tp < 1 || rt->moe_ep < 1) {
		hint_errf(HINT_MOE_LAYOUT_BOTH, 0, err, errn,
			  "%s (%s): moe_tp and moe_ep are unset (the reference does not infer them for this family)",
			  m->family, m->architecture);
		return -1;
	}
	if (og_moe_width_check(rt, m->num_experts, err, errn))
		return -1;
	if (strcmp(cfg->quant[QUANT_MOE]->name, "fp8_block") == 0) {
		long per_gpu = m->moe_inter_size / rt->moe_tp;
		if (per_gpu % m->weight_block_size != 0) {
			snprintf(err, errn,
				 "fp8_block experts: moe_inter_size %ld / moe_tp %ld = %ld is not a multiple of the weight "
				 "block size %ld",
				 m->moe_inter_size, rt->moe_tp, per_gpu, m->weight_block_size);
			return -1;
		}
	}
	return 0;
}

int model_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	/* SGLang's DeepEP path has its own class in the reference, for this family only (Qwen3-VL-MoE,
	 * built here too, keeps the regular one) */
	if (strcmp(cfg->model.family, "MOE") == 0 && og_deepep(&cfg->rt))
		return model_sglang_ep_moe_build(cfg, g, err, errn);
	if (og_moe_check(cfg, err, errn))
		return -1;
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	const quant_mode *moe = cfg->quant[QUANT_MOE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	long tp = rt->tp, pp = rt->pp, h = m->hidden_size;
	double layers = (double)m->layers, mtp = cfg->mtp_scale_factor;
	og_moe_shape shape = { h, m->moe_inter_size, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	/* the reference's default workload: power law with alpha 1.2 */
	const char *workload = "power_law_1.2";

	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_phase ph = (og_phase)phase;
		bool ctx = ph == OG_CONTEXT;
		double per_layer = ctx ? layers : layers * mtp;
		double once = ctx ? 1.0 : 1.0 * mtp;
#define NAME(s) (ctx ? "context_" s : "generation_" s)
		og_moe_attention_block(cfg, g, ph, m->vocab / tp);
		og_add_gemm(g, ph, NAME("router_gemm"), per_layer, m->num_experts, h, bf16, false);
		og_add_moe_dispatch(g, ph, NAME("moe_pre_dispatch"), per_layer, &shape, true, moe);
		og_add_moe(g, ph, NAME("moe"), per_layer, &shape, moe, workload, true, true);
		og_add_moe_dispatch(g, ph, NAME("moe_post_dispatch"), per_layer, &shape, false, moe);
		/* only decode steps produce logits in this family (the reference has no context logits op) */
		if (!ctx)
			og_add_gemm(g, ph, "generation_logits_gemm", once, m->vocab / tp, h, bf16, false);
	}
	/* the vocabulary is split over tp: the embedding's partial rows are all-reduced */
	og_add_custom_allreduce(g, OG_CONTEXT, "context_embedding_ar", 1.0, h, tp);
	og_add_custom_allreduce(g, OG_GENERATION, "generation_embedding_ar", 1.0 * mtp, h, tp);
	double hops = (double)(pp - 1);
	og_add_p2p(g, OG_CONTEXT, "context_p2p", hops, h, pp);
	og_add_p2p(g, OG_GENERATION, "generation_p2p", hops * mtp, h, pp);
#undef NAME
	return 0;
}
