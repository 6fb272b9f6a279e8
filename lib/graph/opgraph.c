#include "opgraph.h"
#include "diag.h"
#include "jsonl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- errors ---------- */

/* ---------- model record ---------- */

bool og_json_whole(const cJSON *v, double lo, double hi)
{
	/* the range test comes first: the cast is defined only inside it */
	return cJSON_IsNumber(v) && v->valuedouble >= lo && v->valuedouble <= hi &&
	       v->valuedouble == (double)(long)v->valuedouble;
}

static int get_count(const cJSON *rec, const char *key, bool required, long *out, char *err, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
	if (!v || cJSON_IsNull(v)) {
		*out = 0;
		return required ? diag_errf(err, n, "model record has no '%s'", key) : 0;
	}
	/* The bound keeps the cast defined and products of counts inside 64 bits (fuzzing found it). */
	if (!og_json_whole(v, 0, 2147483647.0))
		return diag_errf(err, n, "model record: '%s' is not a non-negative integer below 2^31", key);
	*out = (long)v->valuedouble;
	return 0;
}

static const char *get_string(const cJSON *rec, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int og_model_from_json(const cJSON *rec, og_model *m, char *err, size_t errn)
{
	memset(m, 0, sizeof *m);
	m->architecture = get_string(rec, "architecture");
	m->family = get_string(rec, "family");
	if (!m->family)
		m->family = get_string(rec, "model_family");
	m->path = get_string(rec, "model_path");
	if (!m->path)
		m->path = get_string(rec, "model");
	if (!m->architecture)
		return diag_errf(err, errn, "model record has no 'architecture'");
	if (!m->family)
		return diag_errf(err, errn, "model record has no 'family'");
	struct {
		const char *key;
		long *dst;
		bool required;
	} counts[] = {
		{"layers", &m->layers, true}, {"n", &m->n, true}, {"n_kv", &m->n_kv, false},
		{"d", &m->d, true}, {"hidden_size", &m->hidden_size, true}, {"inter_size", &m->inter_size, false},
		{"vocab", &m->vocab, true}, {"context", &m->context, false}, {"topk", &m->topk, false},
		{"num_experts", &m->num_experts, false}, {"moe_inter_size", &m->moe_inter_size, false},
	};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
		if (get_count(rec, counts[i].key, counts[i].required, counts[i].dst, err, errn))
			return -1;
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(rec, "extra_params");
	m->extra_params = cJSON_IsObject(extra) ? extra : NULL;
	const cJSON *qk = cJSON_GetObjectItemCaseSensitive(m->extra_params, "use_qk_norm");
	m->use_qk_norm = cJSON_IsTrue(qk);
	const cJSON *quant = cJSON_GetObjectItemCaseSensitive(rec, "quant");
	if (quant && !cJSON_IsNull(quant) && !cJSON_IsObject(quant))
		return diag_errf(err, errn, "model record: 'quant' is not an object");
	for (int k = 0; k < QUANT_KIND_COUNT; k++) {
		const cJSON *q = cJSON_GetObjectItemCaseSensitive(quant, quant_kind_name((quant_kind)k));
		if (q && !cJSON_IsNull(q) && !cJSON_IsString(q))
			return diag_errf(err, errn, "model record: quant.%s is not a string", quant_kind_name((quant_kind)k));
		m->quant[k] = cJSON_IsString(q) ? q->valuestring : NULL;
	}
	const cJSON *wbs = cJSON_GetObjectItemCaseSensitive(quant, "weight_block_size");
	if (cJSON_IsNumber(wbs) && wbs->valuedouble >= 1 &&
	    !(wbs->valuedouble <= 2147483647.0 && wbs->valuedouble == (double)(long)wbs->valuedouble))
		return diag_errf(err, errn, "model record: quant.weight_block_size is not a positive integer below 2^31");
	m->weight_block_size = cJSON_IsNumber(wbs) && wbs->valuedouble >= 1 ? (long)wbs->valuedouble : 128;
	return 0;
}

/* ---------- runtime resolution ---------- */

void og_runtime_defaults(og_runtime *rt)
{
	memset(rt, 0, sizeof *rt);
	rt->mode = "static";
	rt->tp = rt->pp = rt->dp = 1;
	rt->beam = 1;
	rt->stride = 32;
	/* The reference's CLI default when MTP is on and no rates are given. */
	rt->nextn_accept_rates[0] = 0.85;
	rt->nextn_accept_rates[1] = 0.3;
	rt->seq_imbalance_correction_scale = 1.0;
	rt->gen_seq_imbalance_correction_scale = 1.0;
	rt->num_images = 1; /* the reference's default: one image per request, of no size */
}

double og_mtp_expectation(long nextn, const double *rates)
{
	if (nextn <= 0)
		return 0.0;
	double prob = 1.0;
	for (long i = 0; i < nextn; i++)
		prob *= rates[i];
	/* Same association as the reference's recursion: p_n + (p_{n-1} + (... + p_1)). */
	return nextn > 1 ? prob + og_mtp_expectation(nextn - 1, rates) : prob;
}

bool og_mode_runs(const char *mode, og_phase phase)
{
	if (phase == OG_ENCODER)
		return true; /* run_static runs the vision encoder whatever the mode */
	if (strcmp(mode, "static_ctx") == 0)
		return phase == OG_CONTEXT;
	if (strcmp(mode, "static_gen") == 0)
		return phase == OG_GENERATION;
	return true;
}

const char *og_phase_name(og_phase phase)
{
	return phase == OG_CONTEXT ? "context" : phase == OG_GENERATION ? "generation" : "encoder";
}

/* ---------- graph ---------- */

og_op *og_push_op(og_graph *g, og_phase ph, const char *name, const char *type, double sf, double weights)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 32;
		g->ops = xrealloc(g->ops, cap * sizeof *g->ops);
		g->cap = cap;
	}
	og_op *op = &g->ops[g->n++];
	memset(op, 0, sizeof *op);
	snprintf(op->name, sizeof op->name, "%s", name);
	op->phase = ph;
	op->op_type = type;
	op->scale_factor = sf;
	op->weights = weights;
	op->attrs = cJSON_CreateObject();
	return op;
}

static void num(cJSON *o, const char *k, double v)
{
	cJSON_AddNumberToObject(o, k, v);
}

void og_add_gemm(og_graph *g, og_phase ph, const char *name, double sf, long n, long k, const quant_mode *q,
		 bool low_precision_input)
{
	double weights = (double)n * (double)k * q->memory;
	og_op *op = og_push_op(g, ph, name, "GEMM", sf, weights);
	num(op->attrs, "n", (double)n);
	num(op->attrs, "k", (double)k);
	cJSON_AddStringToObject(op->attrs, "quant_mode", q->name);
	num(op->attrs, "weights", weights);
	num(op->attrs, "scale_num_tokens", 1);
	cJSON_AddBoolToObject(op->attrs, "low_precision_input", low_precision_input);
}

void og_add_elementwise(og_graph *g, og_phase ph, const char *name, double sf, long dim_in, long dim_out,
			double bw_scaling)
{
	og_op *op = og_push_op(g, ph, name, "ElementWise", sf, 0.0);
	num(op->attrs, "weights", 0.0);
	num(op->attrs, "empirical_bw_scaling_factor", bw_scaling);
	num(op->attrs, "constant_latency", 5e-6);
	num(op->attrs, "dim_in", (double)dim_in);
	num(op->attrs, "dim_out", (double)dim_out);
	num(op->attrs, "scale_num_tokens", 1);
}

void og_add_embedding(og_graph *g, og_phase ph, const char *name, double sf, long rows, long cols,
		      double bw_scaling)
{
	/* The embedding table is bfloat16 whatever the GEMM quantization. */
	double weights = (double)rows * (double)cols * 2;
	og_op *op = og_push_op(g, ph, name, "Embedding", sf, weights);
	num(op->attrs, "row_size", (double)rows);
	num(op->attrs, "column_size", (double)cols);
	num(op->attrs, "weights", weights);
	num(op->attrs, "empirical_bw_scaling_factor", bw_scaling);
	num(op->attrs, "constant_latency", 5e-6);
}

void og_add_context_attention(og_graph *g, const char *name, double sf, long n, long n_kv,
			      const quant_mode *kvcache, const quant_mode *fmha, long window_size, long head_size,
			      bool use_qk_norm)
{
	og_op *op = og_push_op(g, OG_CONTEXT, name, "ContextAttention", sf, 0.0);
	num(op->attrs, "n", (double)n);
	num(op->attrs, "weights", 0.0);
	num(op->attrs, "n_kv", (double)n_kv);
	cJSON_AddStringToObject(op->attrs, "kvcache_quant_mode", kvcache->name);
	cJSON_AddStringToObject(op->attrs, "fmha_quant_mode", fmha->name);
	num(op->attrs, "window_size", (double)window_size);
	num(op->attrs, "head_size", (double)head_size);
	cJSON_AddBoolToObject(op->attrs, "use_qk_norm", use_qk_norm);
}

void og_add_generation_attention(og_graph *g, const char *name, double sf, long n, long n_kv,
				 const quant_mode *kvcache, long window_size, long head_size, bool use_qk_norm)
{
	og_op *op = og_push_op(g, OG_GENERATION, name, "GenerationAttention", sf, 0.0);
	num(op->attrs, "n", (double)n);
	num(op->attrs, "weights", 0.0);
	num(op->attrs, "n_kv", (double)n_kv);
	cJSON_AddStringToObject(op->attrs, "kv_cache_dtype", kvcache->name);
	num(op->attrs, "window_size", (double)window_size);
	num(op->attrs, "head_size", (double)head_size);
	cJSON_AddBoolToObject(op->attrs, "use_qk_norm", use_qk_norm);
}

void og_add_custom_allreduce(og_graph *g, og_phase ph, const char *name, double sf, long h, long tp)
{
	og_op *op = og_push_op(g, ph, name, "CustomAllReduce", sf, 0.0);
	num(op->attrs, "h", (double)h);
	num(op->attrs, "tp_size", (double)tp);
	num(op->attrs, "weights", 0.0);
}

void og_add_p2p(og_graph *g, og_phase ph, const char *name, double sf, long h, long pp)
{
	og_op *op = og_push_op(g, ph, name, "P2P", sf, 0.0);
	num(op->attrs, "h", (double)h);
	num(op->attrs, "pp_size", (double)pp);
	num(op->attrs, "bytes_per_element", 2);
	num(op->attrs, "weights", 0.0);
}

void og_graph_free(og_graph *g)
{
	for (size_t i = 0; i < g->n; i++)
		cJSON_Delete(g->ops[i].attrs), cJSON_Delete(g->ops[i].inner);
	free(g->ops);
	memset(g, 0, sizeof *g);
}

double og_context_weights(const og_graph *g)
{
	double w = 0.0;
	for (size_t i = 0; i < g->n; i++)
		if (g->ops[i].phase == OG_CONTEXT)
			w += g->ops[i].weights * g->ops[i].scale_factor;
	return w;
}


og_quants og_quants_of(const og_config *cfg)
{
	return (og_quants){ cfg->quant[QUANT_GEMM], cfg->quant[QUANT_KVCACHE], cfg->quant[QUANT_FMHA],
			    cfg->quant[QUANT_MOE], quant_find(QUANT_GEMM, "bfloat16") };
}

og_pass og_pass_of(const og_config *cfg, og_phase ph)
{
	bool ctx = ph == OG_CONTEXT;
	return (og_pass){ ph, ctx, ctx ? "context" : "generation", ctx ? 1.0 : cfg->mtp_scale_factor };
}
