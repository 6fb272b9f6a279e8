/* model_deepseek: the reference's DEEPSEEK and KIMIK25 families (DeepSeek-V3/R1, Kimi-K2.5:
 * its DeepSeekModel; the wide-EP variants its wide-EP options select are in
 * lib/graph/model_deepseek_wideep).
 *
 * Per layer: norm, the MLA block, norm, shared expert (gate/up GEMM, activation, down GEMM),
 * router GEMM, dispatch, routed experts, combine. The MLA block is a FallbackOp: the measured
 * MLA module when the tables have it, else its parts (down-projection, q/kv up-projections,
 * attention, output projection). The attention part is the MLA kernel (TRT-LLM, SGLang; with
 * the two absorbed BMMs around it in decode) or vLLM's plain attention over v_head_dim. In
 * decode the shared expert overlaps the routed path (OverlapOp: the slower of the two).
 * The MLA shapes are DeepSeek-V3's (128 heads, q rank 1536, kv rank 512, 2112-wide
 * down-projection) whatever the checkpoint, as in the reference. */
#include <stdio.h>
#include <string.h>

#include "model_deepseek_moe.h"
#include "model_builders.h"
#include "model_deepseek_wideep.h"
#include "model_moe.h"
#include "opgraph.h"
#include "opgraph_composite.h"

/* DeepSeek-V3's MLA widths, which the reference uses for every model of these families. */
enum {
	MLA_HEADS = 128,
	MLA_DOWN = 2112,        /* q rank 1536 + kv rank 512 + rope 64 */
	MLA_Q_RANK = 1536,
	MLA_Q_UP = 24576,       /* 128 heads × 192 */
	MLA_KV_RANK = 512,
	MLA_KV_UP = 32768,      /* 128 heads × (128 + 128) */
	MLA_V_HEAD = 128,
};

static void add_context_mla(og_graph *g, const char *name, double sf, long heads, const quant_mode *kv,
			    const quant_mode *fmha)
{
	og_op *op = og_push_op(g, OG_CONTEXT, name, "ContextMLA", sf, 0.0);
	cJSON_AddNumberToObject(op->attrs, "num_heads", (double)heads);
	cJSON_AddNumberToObject(op->attrs, "weights", 0.0);
	cJSON_AddStringToObject(op->attrs, "kvcache_quant_mode", kv->name);
	cJSON_AddStringToObject(op->attrs, "fmha_quant_mode", fmha->name);
}

static void add_generation_mla(og_graph *g, const char *name, double sf, long heads, const quant_mode *kv)
{
	og_op *op = og_push_op(g, OG_GENERATION, name, "GenerationMLA", sf, 0.0);
	cJSON_AddNumberToObject(op->attrs, "num_heads", (double)heads);
	cJSON_AddNumberToObject(op->attrs, "weights", 0.0);
	cJSON_AddStringToObject(op->attrs, "kv_cache_dtype", kv->name);
}

static void add_mla_module(og_graph *g, og_phase ph, const char *name, double sf, long heads, const quant_mode *kv,
			   const quant_mode *fmha, const quant_mode *gemm)
{
	og_op *op = og_push_op(g, ph, name, "MLAModule", sf, 0.0);
	cJSON_AddBoolToObject(op->attrs, "is_context", ph == OG_CONTEXT);
	cJSON_AddNumberToObject(op->attrs, "num_heads", (double)heads);
	cJSON_AddStringToObject(op->attrs, "kvcache_quant_mode", kv->name);
	cJSON_AddStringToObject(op->attrs, "fmha_quant_mode", fmha->name);
	cJSON_AddStringToObject(op->attrs, "gemm_quant_mode", gemm->name);
	cJSON_AddNumberToObject(op->attrs, "weights", 0.0);
}

/* vLLM runs the absorbed MLA as plain attention over v_head_dim (else the model's head size). */
static long vllm_head_size(const og_model *m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->extra_params, "v_head_dim");
	return cJSON_IsNumber(v) && v->valuedouble != 0 ? (long)v->valuedouble : m->d;
}

int model_deepseek_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	long tp = rt->tp, h = m->hidden_size;
	/* --wideep: the reference's wide-EP model classes (lib/graph/model_deepseek_wideep) */
	if (model_deepseek_wideep_selected(cfg))
		return model_deepseek_wideep_build(cfg, g, err, errn);
	if (ds_moe_layout_check(cfg, err, errn))
		return -1;
	const quant_mode *gemm = cfg->quant[QUANT_GEMM], *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *fmha = cfg->quant[QUANT_FMHA], *moe_q = cfg->quant[QUANT_MOE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	/* the absorbed BMMs run in fp8 whenever the GEMMs are quantized at all */
	const quant_mode *bmm_q = strcmp(gemm->name, "bfloat16") ? quant_find(QUANT_GEMM, "fp8") : bf16;
	bool vllm = strcmp(rt->backend, "vllm") == 0;
	long mla_heads = MLA_HEADS / tp, inter = m->moe_inter_size;
	og_moe_shape moe = { h, inter, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	const char *workload = "power_law_1.01"; /* the reference's default power law, alpha 1.01 */
	double layers = (double)m->layers, mtp = cfg->mtp_scale_factor;

	/* ---- context ---- */
	og_add_embedding(g, OG_CONTEXT, "context_embedding", 1, m->vocab, h, 0.3);
	og_add_elementwise(g, OG_CONTEXT, "context_add_norm_1", layers, 2 * h, 2 * h, 0.8);
	og_graph prim = { 0 }, fb = { 0 };
	add_mla_module(&prim, OG_CONTEXT, "context_mla_module", layers, mla_heads, kv, fmha, gemm);
	og_add_gemm(&fb, OG_CONTEXT, "context_downscale_gemm", layers, MLA_DOWN, h, gemm, false);
	og_add_gemm(&fb, OG_CONTEXT, "context_q_b_proj_gemm", layers, MLA_Q_UP / tp, MLA_Q_RANK, gemm, false);
	og_add_gemm(&fb, OG_CONTEXT, "context_kv_b_proj_gemm", layers, MLA_KV_UP / tp, MLA_KV_RANK, gemm, false);
	if (vllm)
		og_add_context_attention(&fb, "context_attention", layers, m->n / tp, m->n_kv / tp, kv, fmha, 0,
					 vllm_head_size(m), false);
	else
		add_context_mla(&fb, "context_attention", layers, mla_heads, kv, fmha);
	og_add_gemm(&fb, OG_CONTEXT, "context_proj_gemm", layers, h, MLA_V_HEAD * MLA_HEADS / tp, gemm, false);
	og_add_fallback(g, OG_CONTEXT, "context_mla_block", &prim, &fb);
	og_add_elementwise(g, OG_CONTEXT, "context_add_norm_2", layers, 2 * h, 2 * h, 0.8);
	ds_moe_block block = { h, 2 * inter / tp, inter / tp, m->num_experts, m->vocab / tp, &moe, gemm, bf16, moe_q,
			       workload };
	ds_context_moe(g, &block, layers);
	/* vLLM pays an unfused all-reduce after attention and after the MoE of every layer */
	if (vllm)
		og_add_custom_allreduce(g, OG_CONTEXT, "context_tp_allreduce", 2 * layers, h, tp);

	/* ---- generation: every op also stands for the MTP draft layers ---- */
	double per_layer = layers * mtp;
	og_add_embedding(g, OG_GENERATION, "generation_embedding", 1 * mtp, m->vocab, h, 0.3);
	og_add_elementwise(g, OG_GENERATION, "generation_add_norm_1", per_layer, 2 * h, 2 * h, 0.8);
	add_mla_module(&prim, OG_GENERATION, "generation_mla_module", per_layer, mla_heads, kv, fmha, gemm);
	og_add_gemm(&fb, OG_GENERATION, "generation_downscale_gemm", per_layer, MLA_DOWN, h, gemm, false);
	og_add_gemm(&fb, OG_GENERATION, "generation_q_b_proj_gemm", per_layer, MLA_Q_UP / tp, MLA_Q_RANK, gemm, false);
	if (vllm) {
		og_add_generation_attention(&fb, "generation_attention", per_layer, m->n / tp, m->n_kv / tp, kv, 0,
					    vllm_head_size(m), false);
	} else {
		ds_mla_bmm(&fb, "generation_bmm_pre", per_layer, m->n / tp, bmm_q, true);
		add_generation_mla(&fb, "generation_attention", per_layer, mla_heads, kv);
		ds_mla_bmm(&fb, "generation_bmm_post", per_layer, m->n / tp, bmm_q, false);
	}
	og_add_gemm(&fb, OG_GENERATION, "generation_proj_gemm", per_layer, h, h / tp, gemm, false);
	og_add_fallback(g, OG_GENERATION, "generation_mla_block", &prim, &fb);
	og_add_elementwise(g, OG_GENERATION, "generation_add_norm_2", per_layer, 2 * h, 2 * h, 0.8);
	ds_generation_moe(g, &block, per_layer, mtp);
	if (vllm)
		og_add_custom_allreduce(g, OG_GENERATION, "generation_tp_allreduce", 2 * layers * mtp, h, tp);

	ds_pipeline_hops(g, rt->pp, h, mtp);
	return 0;
}
