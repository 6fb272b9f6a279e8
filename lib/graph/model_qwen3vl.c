/* model_qwen3vl: Qwen3-VL text models plus the ViT encoder ops (see model_qwen3vl.h). */
#include "model_qwen3vl.h"
#include "diag.h"
#include "model_builders.h"

#include <stdio.h>
#include <string.h>

/* An integer of the vision config (hfparse writes them into extra_params); 0 when absent. */
static long vision_int(const og_model *m, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m->extra_params, key);
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 2147483648.0 ? (long)v->valuedouble : 0;
}

/* The reference builds the encoder only when the model carries a vision config. */
static bool has_vision(const og_model *m)
{
	return cJSON_GetObjectItemCaseSensitive(m->extra_params, "depth") != NULL;
}

/* The ViT's transformer blocks: ten ops, each standing for all `depth` blocks. Everything runs
 * in bfloat16 whatever the text model's quantization; heads and FFN are split over tp. */
static int add_vit_blocks(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	long tp = cfg->rt.tp;
	long depth = vision_int(m, "depth"), h = vision_int(m, "hidden_size"), n = vision_int(m, "num_heads");
	long inter = vision_int(m, "intermediate_size");
	if (depth < 1 || h < 1 || n < 1)
		return diag_errf(err, errn, "vision config: depth, hidden_size and num_heads must be positive");
	if (tp > 1 && n % tp)
		return diag_errf(err, errn, "ViT num_heads (%ld) must be divisible by tp_size (%ld)", n, tp);
	if (tp > 1 && inter % tp)
		return diag_errf(err, errn, "ViT intermediate_size (%ld) must be divisible by tp_size (%ld)", inter, tp);
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	const quant_mode *kv16 = quant_find(QUANT_KVCACHE, "bfloat16");
	const quant_mode *fmha16 = quant_find(QUANT_FMHA, "bfloat16");
	long head = h / n;
	double sf = (double)depth;

	og_add_elementwise(g, OG_ENCODER, "encoder_add_norm_1", sf, 2 * h, 2 * h, 0.8);
	og_add_gemm(g, OG_ENCODER, "encoder_qkv_gemm", sf, 3 * n * head / tp, h, bf16, false);
	/* The reference prices ViT attention with the context-attention op: every head has its own
	 * K and V (no GQA), no window, no QK norm. */
	og_add_context_attention(g, "encoder_attention", sf, n / tp, n / tp, kv16, fmha16, 0, head, false);
	g->ops[g->n - 1].phase = OG_ENCODER;
	og_add_gemm(g, OG_ENCODER, "encoder_proj_gemm", sf, h, n * head / tp, bf16, true);
	og_add_custom_allreduce(g, OG_ENCODER, "encoder_ar_1", sf, h, tp);
	og_add_elementwise(g, OG_ENCODER, "encoder_add_norm_2", sf, 2 * h, 2 * h, 0.8);
	og_add_gemm(g, OG_ENCODER, "encoder_ffn1_gemm", sf, inter / tp, h, bf16, false);
	og_add_elementwise(g, OG_ENCODER, "encoder_act", sf, inter / tp, inter / tp, 0.8);
	og_add_gemm(g, OG_ENCODER, "encoder_ffn2_gemm", sf, h, inter / tp, bf16, true);
	og_add_custom_allreduce(g, OG_ENCODER, "encoder_ar_2", sf, h, tp);
	return 0;
}

/* The patch-merger projector: one GEMM per (in, out) pair, an activation between them, then an
 * all-reduce of the last output; each op stands for `projector_n_instances` copies (the main
 * merger and the deepstack ones). The first layers split their output over tp; the last of
 * several splits its input (it receives the sharded activations), a lone one its output. */
static int add_projector(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const cJSON *dims = cJSON_GetObjectItemCaseSensitive(m->extra_params, "projector_dims");
	int layers = cJSON_IsArray(dims) ? cJSON_GetArraySize(dims) : 0;
	if (layers == 0)
		return 0;
	long tp = cfg->rt.tp;
	double sf = (double)vision_int(m, "projector_n_instances");
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	long last_out = 0;
	for (int i = 0; i < layers; i++) {
		const cJSON *pair = cJSON_GetArrayItem(dims, i);
		const cJSON *in = cJSON_GetArrayItem(pair, 0), *out = cJSON_GetArrayItem(pair, 1);
		if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2 || !cJSON_IsNumber(in) || !cJSON_IsNumber(out) ||
		    in->valuedouble < 1 || out->valuedouble < 1 || in->valuedouble > 2147483647.0 ||
		    out->valuedouble > 2147483647.0)
			return diag_errf(err, errn, "vision config: projector_dims[%d] is not a pair of positive integers", i);
		long in_d = (long)in->valuedouble, out_d = (long)out->valuedouble;
		bool last = i == layers - 1;
		bool split_input = last && layers > 1;
		char name[64];
		snprintf(name, sizeof name, "encoder_projector_fc%d_gemm", i);
		og_add_gemm(g, OG_ENCODER, name, sf, split_input ? out_d : out_d / tp, split_input ? in_d / tp : in_d,
			    bf16, false);
		if (!last) {
			snprintf(name, sizeof name, "encoder_projector_fc%d_act", i);
			og_add_elementwise(g, OG_ENCODER, name, sf, out_d / tp, out_d / tp, 0.8);
		}
		last_out = out_d;
	}
	og_add_custom_allreduce(g, OG_ENCODER, "encoder_projector_ar", sf, last_out, tp);
	return 0;
}

static int add_encoder(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	if (!has_vision(&cfg->model))
		return 0;
	return add_vit_blocks(cfg, g, err, errn) || add_projector(cfg, g, err, errn) ? -1 : 0;
}

/* The dense models only: with no image the reference crashes in SILICON mode on the encoder's
 * zero-token lookups, and the goldens' contract asks us to estimate the text path instead. The
 * flag tells query to price those points as HYBRID does (lib/query/opquery_vit). Qwen3-VL-MoE keeps
 * the reference's refusal (no table row at 0 tokens). */
static void mark_zero_image_fallback(og_graph *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->ops[i].phase == OG_ENCODER && g->ops[i].attrs)
			cJSON_AddTrueToObject(g->ops[i].attrs, "zero_image_fallback");
}

int model_qwen3vl_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	if (model_llama_build(cfg, g, err, errn) || add_encoder(cfg, g, err, errn))
		return -1;
	mark_zero_image_fallback(g);
	return 0;
}

int model_qwen3vl_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	return model_moe_build(cfg, g, err, errn) || add_encoder(cfg, g, err, errn) ? -1 : 0;
}

/* Image sizes in ViT patches (before merging) and in text tokens (after merging). */
static void image_tokens(const og_config *cfg, long *pre_merge, long *post_merge)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	long patch = vision_int(m, "patch_size"), merge = vision_int(m, "spatial_merge_size");
	long stride = patch * merge;
	*pre_merge = patch > 0 ? (rt->image_height / patch) * (rt->image_width / patch) : 0;
	*post_merge = stride > 0 ? (rt->image_height / stride) * (rt->image_width / stride) : 0;
}

long model_qwen3vl_image_tokens(const og_config *cfg)
{
	if (!has_vision(&cfg->model) || cfg->rt.num_images <= 0)
		return 0;
	long pre, post;
	image_tokens(cfg, &pre, &post);
	return post * cfg->rt.num_images;
}

bool model_qwen3vl_encoder_point(const og_config *cfg, const og_op *op, long *x, long *batch, long *s)
{
	long images = cfg->rt.num_images;
	if (!has_vision(&cfg->model) || images <= 0)
		return false;
	long pre, post;
	image_tokens(cfg, &pre, &post);
	/* The projector sees merged tokens, the ViT blocks patches; attention runs each image as its
	 * own sequence, the other ops see all of a request batch's patches at once. With no image
	 * size given these are all 0, and the reference still queries every op there. */
	bool projector = strstr(op->name, "encoder_projector") != NULL;
	bool per_image = strstr(op->name, "encoder_attention") != NULL;
	long tokens = (projector ? post : pre) * images;
	*batch = per_image ? cfg->rt.batch * images : cfg->rt.batch;
	*s = per_image ? pre : tokens;
	*x = *batch * *s;
	return true;
}
