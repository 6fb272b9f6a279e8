#include "model_deepseek_v4.h"
#include "diag.h"
#include "model_builders.h"
#include "model_deepseek_moe.h"
#include "model_moe.h"
#include "opgraph_composite.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum { MAX_RATIO_KINDS = 3 };

/* The shape fields of extra_params this family reads. */
typedef struct dsv4_cfg {
	long q_lora_rank, o_lora_rank, o_groups, head_dim, rope_head_dim;
	long index_n_heads, index_head_dim, index_topk, window;
	long hc_mult, sinkhorn_iters;
	const cJSON *ratios; /* compress_ratios, one per layer */
	/* attention op groups in the reference's order: ratio and its layer count */
	long kind_ratio[MAX_RATIO_KINDS], kind_layers[MAX_RATIO_KINDS];
	int kinds;
} dsv4_cfg;

/* The reference counts layers per ratio in first-appearance order, then moves the sliding-only
 * layers (ratio 0) onto the HCA count: 128 keeps its place when present, else comes last. */
static void group_ratios(dsv4_cfg *c)
{
	long seen[MAX_RATIO_KINDS], count[MAX_RATIO_KINDS];
	int n = 0;
	const cJSON *r;
	cJSON_ArrayForEach(r, c->ratios)
	{
		long v = (long)r->valuedouble;
		int i = 0;
		while (i < n && seen[i] != v)
			i++;
		if (i == n) {
			seen[n] = v;
			count[n++] = 0;
		}
		count[i]++;
	}
	long swa_only = 0;
	c->kinds = 0;
	for (int i = 0; i < n; i++)
		if (seen[i] == 0)
			swa_only = count[i];
	bool hca_present = false;
	for (int i = 0; i < n; i++) {
		if (seen[i] == 0)
			continue;
		long layers = count[i];
		if (seen[i] == 128) {
			layers += swa_only;
			hca_present = true;
		}
		c->kind_ratio[c->kinds] = seen[i];
		c->kind_layers[c->kinds++] = layers;
	}
	if (!hca_present && swa_only > 0) {
		c->kind_ratio[c->kinds] = 128;
		c->kind_layers[c->kinds++] = swa_only;
	}
}

static int read_cfg(const og_model *m, dsv4_cfg *c, char *err, size_t errn)
{
	const cJSON *ep = m->extra_params;
	struct {
		const char *key;
		long *dst;
	} f[] = {
		{"q_lora_rank", &c->q_lora_rank},     {"o_lora_rank", &c->o_lora_rank},
		{"o_groups", &c->o_groups},           {"head_dim", &c->head_dim},
		{"qk_rope_head_dim", &c->rope_head_dim}, {"index_n_heads", &c->index_n_heads},
		{"index_head_dim", &c->index_head_dim}, {"index_topk", &c->index_topk},
		{"sliding_window", &c->window},       {"hc_mult", &c->hc_mult},
		{"hc_sinkhorn_iters", &c->sinkhorn_iters},
	};
	for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(ep, f[k].key);
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 2147483647.0 ||
		    v->valuedouble != (double)(long)v->valuedouble)
			return diag_errf(err, errn, "DEEPSEEKV4 model record: extra_params.%s is not a non-negative integer",
				    f[k].key);
		*f[k].dst = (long)v->valuedouble;
	}
	c->ratios = cJSON_GetObjectItemCaseSensitive(ep, "compress_ratios");
	if (!cJSON_IsArray(c->ratios))
		return diag_errf(err, errn, "DEEPSEEKV4 model record lacks extra_params.compress_ratios");
	/* the reference supports exactly these three attention schemes; it names the others sorted */
	long bad[8];
	int nbad = 0;
	const cJSON *r;
	cJSON_ArrayForEach(r, c->ratios)
	{
		if (!cJSON_IsNumber(r) || !(fabs(r->valuedouble) < 2147483648.0) ||
		    r->valuedouble != (double)(long)r->valuedouble)
			return diag_errf(err, errn, "DEEPSEEKV4 model record: compress_ratios must be integers below 2^31");
		long v = (long)r->valuedouble;
		if (v == 0 || v == 4 || v == 128)
			continue;
		int i = 0;
		while (i < nbad && bad[i] < v)
			i++;
		if ((i < nbad && bad[i] == v) || nbad == (int)(sizeof bad / sizeof bad[0]))
			continue;
		memmove(bad + i + 1, bad + i, (size_t)(nbad - i) * sizeof bad[0]);
		bad[i] = v;
		nbad++;
	}
	if (nbad) {
		char list[160] = "";
		size_t used = 0;
		for (int i = 0; i < nbad && used < sizeof list; i++)
			used += (size_t)snprintf(list + used, sizeof list - used, "%s%ld", i ? ", " : "", bad[i]);
		return diag_errf(err, errn, "unsupported DeepSeek-V4 compress_ratios: [%s] (0, 4 or 128)", list);
	}
	group_ratios(c);
	return 0;
}

double model_deepseek_v4_kv_bytes_per_sequence(const og_config *cfg, long seq_len)
{
	dsv4_cfg c;
	char err[160];
	if (read_cfg(&cfg->model, &c, err, sizeof err))
		return 0.0; /* opgraph refused this model already */
	if (seq_len < 0)
		seq_len = 0;
	double entry = (double)c.head_dim * cfg->quant[QUANT_KVCACHE]->memory;
	double indexer_entry = (double)c.index_head_dim * 0.5; /* fp4 indexer keys */
	long window = seq_len < c.window ? seq_len : c.window;
	double total = 0.0;
	const cJSON *r;
	cJSON_ArrayForEach(r, c.ratios)
	{
		long ratio = (long)r->valuedouble;
		total += (double)window * entry;
		if (!ratio)
			continue;
		long compressed = seq_len / ratio;
		total += (double)compressed * entry;
		long coff = ratio == 4 ? 2 : 1;
		/* the compressor keeps fp32 kv and score state between decode steps */
		total += (double)(2 * ratio * coff * c.head_dim * 4);
		if (ratio == 4) {
			total += (double)compressed * indexer_entry;
			/* and so does the indexer's own compressor */
			total += (double)(2 * ratio * 2 * c.index_head_dim * 4);
		}
	}
	return total;
}

/* DeepSeekV4MHCModule: two parameter sets per layer (attention and FFN sites). */
static void add_mhc(og_graph *g, og_phase ph, const char *name, double sf, const char *which, long h,
		    const dsv4_cfg *c)
{
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	long mix = (2 + c->hc_mult) * c->hc_mult, hc_dim = c->hc_mult * h;
	double weights = (double)(2 * (mix * hc_dim + mix + 3)) * bf16->memory;
	og_op *op = og_push_op(g, ph, name, "DeepSeekV4MHCModule", sf, weights);
	cJSON_AddStringToObject(op->attrs, "op", which);
	cJSON_AddNumberToObject(op->attrs, "hidden_size", (double)h);
	cJSON_AddNumberToObject(op->attrs, "hc_mult", (double)c->hc_mult);
	cJSON_AddNumberToObject(op->attrs, "sinkhorn_iters", (double)c->sinkhorn_iters);
	cJSON_AddStringToObject(op->attrs, "quant_mode", bf16->name);
	cJSON_AddNumberToObject(op->attrs, "weights", weights);
}

/* The attention module's parameters on one attention-TP rank: projections in the GEMM mode,
 * the absorbed output BMM and the indexer's weight projection in bfloat16, per-head sinks and
 * compressor position biases in fp32. */
static double attention_weights(const og_config *cfg, const dsv4_cfg *c, long heads, long groups, long ratio)
{
	long h = cfg->model.hidden_size;
	long gemm = h * c->q_lora_rank + c->q_lora_rank * heads * c->head_dim + h * c->head_dim +
		    groups * c->o_lora_rank * h;
	long bf16 = heads * c->head_dim * c->o_lora_rank;
	long fp32 = heads;
	if (ratio) {
		long mult = ratio == 4 ? 2 : 1;
		gemm += 2 * h * mult * c->head_dim;
		fp32 += ratio * mult * c->head_dim;
	}
	if (ratio == 4) {
		gemm += c->q_lora_rank * c->index_n_heads * c->index_head_dim;
		gemm += 2 * h * 2 * c->index_head_dim;
		bf16 += h * c->index_n_heads;
		fp32 += ratio * 2 * c->index_head_dim;
	}
	return (double)gemm * cfg->quant[QUANT_GEMM]->memory +
	       (double)bf16 * quant_find(QUANT_GEMM, "bfloat16")->memory + (double)(fp32 * 4);
}

static void add_attention(og_graph *g, const og_config *cfg, og_phase ph, double sf, const dsv4_cfg *c,
			  long ratio)
{
	const og_model *m = &cfg->model;
	long tp = cfg->rt.tp, heads = m->n / tp, groups = c->o_groups / tp > 1 ? c->o_groups / tp : 1;
	double weights = attention_weights(cfg, c, heads, groups, ratio);
	bool ctx = ph == OG_CONTEXT;
	og_op *op = og_push_op(g, ph, ctx ? "context_attention" : "generation_attention",
			       ctx ? "ContextDeepSeekV4AttentionModule" : "GenerationDeepSeekV4AttentionModule", sf,
			       weights);
	cJSON *a = op->attrs;
	cJSON_AddNumberToObject(a, "num_heads", (double)heads);
	cJSON_AddNumberToObject(a, "native_heads", (double)m->n);
	cJSON_AddNumberToObject(a, "tp_size", (double)tp);
	cJSON_AddNumberToObject(a, "hidden_size", (double)m->hidden_size);
	cJSON_AddNumberToObject(a, "q_lora_rank", (double)c->q_lora_rank);
	cJSON_AddNumberToObject(a, "o_lora_rank", (double)c->o_lora_rank);
	cJSON_AddNumberToObject(a, "head_dim", (double)c->head_dim);
	cJSON_AddNumberToObject(a, "rope_head_dim", (double)c->rope_head_dim);
	cJSON_AddNumberToObject(a, "index_n_heads", (double)c->index_n_heads);
	cJSON_AddNumberToObject(a, "index_head_dim", (double)c->index_head_dim);
	cJSON_AddNumberToObject(a, "index_topk", (double)c->index_topk);
	cJSON_AddNumberToObject(a, "window_size", (double)c->window);
	cJSON_AddNumberToObject(a, "compress_ratio", (double)ratio);
	cJSON_AddNumberToObject(a, "o_groups", (double)groups);
	cJSON_AddStringToObject(a, "kvcache_quant_mode", cfg->quant[QUANT_KVCACHE]->name);
	cJSON_AddStringToObject(a, "fmha_quant_mode", cfg->quant[QUANT_FMHA]->name);
	cJSON_AddStringToObject(a, "gemm_quant_mode", cfg->quant[QUANT_GEMM]->name);
	cJSON_AddNumberToObject(a, "weights", weights);
}

int model_deepseek_v4_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	dsv4_cfg c;
	if (read_cfg(m, &c, err, errn))
		return -1;
	if (rt->tp * rt->dp != rt->moe_tp * rt->moe_ep)
		return diag_errf(err, errn, "tp (%ld) * attention dp (%ld) must equal moe_tp (%ld) * moe_ep (%ld)", rt->tp,
			    rt->dp, rt->moe_tp, rt->moe_ep);
	if (m->num_experts < rt->moe_ep)
		return diag_errf(err, errn, "moe_ep %ld cannot exceed the %ld experts", rt->moe_ep, m->num_experts);
	long tp = rt->tp, h = m->hidden_size, inter = m->moe_inter_size, local_inter = inter / tp;
	const quant_mode *gemm = cfg->quant[QUANT_GEMM], *moe_q = cfg->quant[QUANT_MOE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	og_moe_shape moe = { h, inter, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	const char *workload = "power_law_1.01";
	double layers = (double)m->layers, mtp = cfg->mtp_scale_factor;

	/* ---- context ---- */
	og_add_embedding(g, OG_CONTEXT, "context_embedding", 1, m->vocab, h, 0.3);
	add_mhc(g, OG_CONTEXT, "context_mhc_pre", layers, "pre", h, &c);
	og_add_elementwise(g, OG_CONTEXT, "context_attn_norm", layers, h, h, 0.8);
	for (int i = 0; i < c.kinds; i++)
		add_attention(g, cfg, OG_CONTEXT, (double)c.kind_layers[i] * 1.0, &c, c.kind_ratio[i]);
	add_mhc(g, OG_CONTEXT, "context_mhc_post", layers, "post", h, &c);
	og_add_elementwise(g, OG_CONTEXT, "context_ffn_norm", layers, h, h, 0.8);
	ds_moe_block block = { h, 2 * local_inter, local_inter, m->num_experts, m->vocab / tp, &moe, gemm, bf16, moe_q,
			       workload };
	ds_context_moe(g, &block, layers);

	/* ---- generation: every op also stands for the MTP draft layers ---- */
	double per_layer = layers * mtp;
	og_add_embedding(g, OG_GENERATION, "generation_embedding", 1 * mtp, m->vocab, h, 0.3);
	add_mhc(g, OG_GENERATION, "generation_mhc_pre", per_layer, "pre", h, &c);
	og_add_elementwise(g, OG_GENERATION, "generation_attn_norm", per_layer, h, h, 0.8);
	for (int i = 0; i < c.kinds; i++)
		add_attention(g, cfg, OG_GENERATION, (double)c.kind_layers[i] * mtp, &c, c.kind_ratio[i]);
	add_mhc(g, OG_GENERATION, "generation_mhc_post", per_layer, "post", h, &c);
	og_add_elementwise(g, OG_GENERATION, "generation_ffn_norm", per_layer, h, h, 0.8);
	ds_generation_moe(g, &block, per_layer, mtp);

	ds_pipeline_hops(g, rt->pp, h, mtp);
	return 0;
}
