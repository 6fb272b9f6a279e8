#include "model_deepseek_v32.h"
#include "model_builders.h"

#include <stdio.h>
#include <string.h>

#include "model_deepseek_moe.h"
#include "model_moe.h"
#include "opgraph_composite.h"
#include "model_dsa_dims.h"

/* An extra_params number, or def when absent (the reference's dict.get with a default). */
static double extra_num(const og_model *m, const char *key, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->extra_params, key);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

double model_deepseek_v32_kv_bytes_per_sequence(const og_config *cfg, long seq_len)
{
	const og_model *m = &cfg->model;
	if (seq_len < 0)
		seq_len = 0;
	double rank = extra_num(m, "kv_lora_rank", 512), rope = extra_num(m, "qk_rope_head_dim", 64);
	long index_dim = (long)extra_num(m, "index_head_dim", 128);
	double per_token = rank * cfg->quant[QUANT_KVCACHE]->memory + rope * quant_find(QUANT_GEMM, "bfloat16")->memory +
			   dsa_indexer_entry_bytes(index_dim);
	return (double)m->layers * (double)seq_len * per_token;
}

/* The GEMM mode of the attention block: the checkpoint's exception, else the model's. */
static const quant_mode *dsa_gemm_mode(const og_model *m, const quant_mode *gemm)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->extra_params, "dsa_gemm_quant_mode");
	const quant_mode *q = cJSON_IsString(v) ? quant_find(QUANT_GEMM, v->valuestring) : NULL;
	return q ? q : gemm;
}

static void add_context_dsa(og_graph *g, double sf, long heads, const quant_mode *kv, const quant_mode *fmha,
			    const quant_mode *gemm, const char *arch)
{
	og_op *op = og_push_op(g, OG_CONTEXT, "context_attention", "ContextDSAModule", sf, 0.0);
	cJSON_AddNumberToObject(op->attrs, "num_heads", (double)heads);
	cJSON_AddStringToObject(op->attrs, "kvcache_quant_mode", kv->name);
	cJSON_AddStringToObject(op->attrs, "fmha_quant_mode", fmha->name);
	cJSON_AddStringToObject(op->attrs, "gemm_quant_mode", gemm->name);
	cJSON_AddStringToObject(op->attrs, "architecture", arch);
	cJSON_AddNumberToObject(op->attrs, "weights", 0.0);
}

static void add_generation_dsa(og_graph *g, double sf, long heads, const quant_mode *kv, const quant_mode *gemm,
			       const char *arch)
{
	og_op *op = og_push_op(g, OG_GENERATION, "generation_attention", "GenerationDSAModule", sf, 0.0);
	cJSON_AddNumberToObject(op->attrs, "num_heads", (double)heads);
	cJSON_AddStringToObject(op->attrs, "kv_cache_dtype", kv->name);
	cJSON_AddStringToObject(op->attrs, "gemm_quant_mode", gemm->name);
	cJSON_AddStringToObject(op->attrs, "architecture", arch);
	cJSON_AddNumberToObject(op->attrs, "weights", 0.0);
}

int model_deepseek_v32_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	long tp = rt->tp, h = m->hidden_size;
	if (ds_moe_layout_check(cfg, err, errn))
		return -1;
	const quant_mode *gemm = cfg->quant[QUANT_GEMM], *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *fmha = cfg->quant[QUANT_FMHA], *moe_q = cfg->quant[QUANT_MOE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	const quant_mode *attn_gemm = dsa_gemm_mode(m, gemm);
	long heads = m->n / tp, inter = m->moe_inter_size;
	og_moe_shape moe = { h, inter, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	const char *workload = "power_law_1.01"; /* the reference's default power law, alpha 1.01 */
	double layers = (double)m->layers, mtp = cfg->mtp_scale_factor;

	/* ---- context ---- */
	og_add_embedding(g, OG_CONTEXT, "context_embedding", 1, m->vocab, h, 0.3);
	og_add_elementwise(g, OG_CONTEXT, "context_add_norm_1", layers, 2 * h, 2 * h, 0.8);
	add_context_dsa(g, layers, heads, kv, fmha, attn_gemm, m->architecture);
	og_add_elementwise(g, OG_CONTEXT, "context_add_norm_2", layers, 2 * h, 2 * h, 0.8);
	ds_moe_block block = { h, 2 * inter / tp, inter / tp, m->num_experts, m->vocab / tp, &moe, gemm, bf16, moe_q,
			       workload };
	ds_context_moe(g, &block, layers);

	/* ---- generation: every op also stands for the MTP draft layers ---- */
	double per_layer = layers * mtp;
	og_add_embedding(g, OG_GENERATION, "generation_embedding", 1 * mtp, m->vocab, h, 0.3);
	og_add_elementwise(g, OG_GENERATION, "generation_add_norm_1", per_layer, 2 * h, 2 * h, 0.8);
	add_generation_dsa(g, per_layer, heads, kv, attn_gemm, m->architecture);
	og_add_elementwise(g, OG_GENERATION, "generation_add_norm_2", per_layer, 2 * h, 2 * h, 0.8);
	ds_generation_moe(g, &block, per_layer, mtp);

	ds_pipeline_hops(g, rt->pp, h, mtp);
	return 0;
}
