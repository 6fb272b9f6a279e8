#include "opgraph.h"
#include "jsonl.h"
#include "model_qwen3vl.h"
#include "model_deepseek_v4.h"
#include "model_deepseek_wideep.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- errors ---------- */

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---------- family table ---------- */

typedef int (*family_builder)(const og_config *, og_graph *, char *, size_t);

static const struct {
	const char *family;
	family_builder build;
} families[] = {
	{"LLAMA", model_llama_build},
	{"NEMOTRONNAS", model_nemotron_nas_build},
	{"DEEPSEEK", model_deepseek_build},
	{"KIMIK25", model_deepseek_build},
	{"DEEPSEEKV32", model_deepseek_v32_build},
	{"NEMOTRONH", model_nemotron_h_build},
	{"QWEN35", model_qwen35_build},
	{"HYBRIDMOE", model_hybrid_moe_build},
	{"GEMMA4MOE", model_gemma4_moe_build},
	{"MOE", model_moe_build},
	{"QWEN3VL_MOE", model_qwen3vl_moe_build},
	{"QWEN3VL", model_qwen3vl_build},
	{"DEEPSEEKV4", model_deepseek_v4_build},
};

static family_builder builder_of(const char *family)
{
	for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
		if (family && strcmp(families[i].family, family) == 0)
			return families[i].build;
	return NULL;
}

bool og_family_supported(const char *family)
{
	return builder_of(family) != NULL;
}

/* Families whose layers carry experts, as the reference's check_is_moe decides. */
static bool family_is_moe(const og_model *m)
{
	static const char *const moe_families[] = {"MOE", "DEEPSEEK", "DEEPSEEKV32", "DEEPSEEKV4",
						   "KIMIK25", "HYBRIDMOE", "GEMMA4MOE"};
	for (size_t i = 0; i < sizeof moe_families / sizeof moe_families[0]; i++)
		if (strcmp(m->family, moe_families[i]) == 0)
			return true;
	if (strcmp(m->family, "QWEN35") == 0) {
		const cJSON *ne = cJSON_GetObjectItemCaseSensitive(m->extra_params, "num_experts");
		return cJSON_IsNumber(ne) && ne->valuedouble > 0;
	}
	if (strcmp(m->family, "NEMOTRONH") == 0) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(m->extra_params, "hybrid_override_pattern");
		return cJSON_IsString(p) && strchr(p->valuestring, 'E') != NULL;
	}
	return false;
}

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
		return required ? fail(err, n, "model record has no '%s'", key) : 0;
	}
	/* The bound keeps the cast defined and products of counts inside 64 bits (fuzzing found it). */
	if (!og_json_whole(v, 0, 2147483647.0))
		return fail(err, n, "model record: '%s' is not a non-negative integer below 2^31", key);
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
		return fail(err, errn, "model record has no 'architecture'");
	if (!m->family)
		return fail(err, errn, "model record has no 'family'");
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
		return fail(err, errn, "model record: 'quant' is not an object");
	for (int k = 0; k < QUANT_KIND_COUNT; k++) {
		const cJSON *q = cJSON_GetObjectItemCaseSensitive(quant, quant_kind_name((quant_kind)k));
		if (q && !cJSON_IsNull(q) && !cJSON_IsString(q))
			return fail(err, errn, "model record: quant.%s is not a string", quant_kind_name((quant_kind)k));
		m->quant[k] = cJSON_IsString(q) ? q->valuestring : NULL;
	}
	const cJSON *wbs = cJSON_GetObjectItemCaseSensitive(quant, "weight_block_size");
	if (cJSON_IsNumber(wbs) && wbs->valuedouble >= 1 &&
	    !(wbs->valuedouble <= 2147483647.0 && wbs->valuedouble == (double)(long)wbs->valuedouble))
		return fail(err, errn, "model record: quant.weight_block_size is not a positive integer below 2^31");
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

static int resolve_quant(const og_runtime *rt, const og_model *m, og_config *cfg, char *err, size_t errn)
{
	static const char *const defaults[QUANT_KIND_COUNT] = {"bfloat16", "bfloat16", "bfloat16", "bfloat16", "half"};
	for (int k = 0; k < QUANT_KIND_COUNT; k++) {
		/* A user override wins; else what the checkpoint declares; else the plain default. */
		const char *name = rt->quant[k] ? rt->quant[k] : m->quant[k] ? m->quant[k] : defaults[k];
		cfg->quant[k] = quant_find((quant_kind)k, name);
		if (!cfg->quant[k]) {
			char names[256];
			quant_list_names((quant_kind)k, names, sizeof names);
			return fail(err, errn, "unknown %s quant mode '%s' (one of: %s)", quant_kind_name((quant_kind)k),
				    name, names);
		}
	}
	/* Attention kernels whose perf tables only exist in bfloat16 FMHA: the reference falls back. */
	bool fmha_fp8 = strcmp(cfg->quant[QUANT_FMHA]->name, "fp8") == 0;
	const char *arch = m->architecture;
	bool dsa = strcmp(arch, "DeepseekV32ForCausalLM") == 0 || strcmp(arch, "GlmMoeDsaForCausalLM") == 0;
	if (fmha_fp8 && ((dsa && (strcmp(rt->backend, "trtllm") == 0 || strcmp(rt->backend, "sglang") == 0)) ||
			 strcmp(arch, "DeepseekV4ForCausalLM") == 0 || strcmp(rt->backend, "vllm") == 0))
		cfg->quant[QUANT_FMHA] = quant_find(QUANT_FMHA, "bfloat16");
	return 0;
}

/* The reference's ModelConfig.resolve_moe_parallelism: attention width tp*dp must equal
 * moe_tp*moe_ep; a missing one is inferred from the other. */
static int resolve_moe_parallel(og_config *cfg, char *err, size_t errn)
{
	og_runtime *rt = &cfg->rt;
	long width = rt->tp * rt->dp;
	if (!rt->moe_tp && !rt->moe_ep)
		return fail(err, errn, "MoE model: give --moe-tp or --moe-ep (or both)");
	if (!rt->moe_tp) {
		if (width % rt->moe_ep)
			return fail(err, errn, "cannot infer moe_tp: tp*dp = %ld is not divisible by moe_ep %ld", width,
				    rt->moe_ep);
		rt->moe_tp = width / rt->moe_ep;
	} else if (!rt->moe_ep) {
		if (width % rt->moe_tp)
			return fail(err, errn, "cannot infer moe_ep: tp*dp = %ld is not divisible by moe_tp %ld", width,
				    rt->moe_tp);
		rt->moe_ep = width / rt->moe_tp;
	}
	if (rt->moe_tp * rt->moe_ep != width)
		return fail(err, errn, "tp*dp = %ld but moe_tp*moe_ep = %ld: they must be equal", width,
			    rt->moe_tp * rt->moe_ep);
	return 0;
}

bool og_infer_dp(og_runtime *rt, const og_model *m, char *note, size_t n)
{
	long experts = rt->moe_tp * rt->moe_ep;
	if (!family_is_moe(m) || rt->moe_tp < 1 || rt->moe_ep < 1 || rt->dp != 1 || rt->tp < 1 ||
	    rt->tp == experts || experts % rt->tp)
		return false;
	rt->dp = experts / rt->tp;
	snprintf(note, n, "fallback: dp %ld = moe_tp x moe_ep / tp = %ld x %ld / %ld (dp was not given)", rt->dp,
		 rt->moe_tp, rt->moe_ep, rt->tp);
	return true;
}

bool og_infer_moe_layout(const og_model *m, long tp, long dp, long *moe_tp, long *moe_ep, char *note, size_t n)
{
	if (!family_is_moe(m) || *moe_tp || *moe_ep)
		return false;
	*moe_tp = (tp > 0 ? tp : 1) * (dp > 0 ? dp : 1);
	*moe_ep = 1;
	snprintf(note, n, "fallback: moe_tp %ld = tp x dp, moe_ep 1 (no MoE layout was given)", *moe_tp);
	return true;
}

int og_resolve(const og_runtime *rt, const og_model *m, og_config *cfg, char *err, size_t errn)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->rt = *rt;
	cfg->model = *m;
	if (strcmp(rt->mode, "static") && strcmp(rt->mode, "static_ctx") && strcmp(rt->mode, "static_gen"))
		return fail(err, errn, "unknown mode '%s' (static, static_ctx or static_gen)", rt->mode);
	if (strcmp(rt->backend, "trtllm") && strcmp(rt->backend, "vllm") && strcmp(rt->backend, "sglang"))
		return fail(err, errn, "unknown backend '%s' (trtllm, vllm or sglang)", rt->backend);
	if (rt->tp < 1 || rt->pp < 1 || rt->dp < 1 || rt->moe_tp < 0 || rt->moe_ep < 0)
		return fail(err, errn, "parallel sizes must be positive");
	if (rt->batch < 1)
		return fail(err, errn, "batch must be at least 1, got %ld", rt->batch);
	if (rt->isl < 1 || rt->osl < 1)
		return fail(err, errn, "isl and osl must be at least 1");
	if (rt->prefix < 0 || rt->isl - rt->prefix <= 0)
		return fail(err, errn, "isl (%ld) must be greater than prefix (%ld)", rt->isl, rt->prefix);
	if (rt->nextn < 0 || rt->nextn > OG_MAX_NEXTN)
		return fail(err, errn, "nextn must be in [0, %d], got %ld", OG_MAX_NEXTN, rt->nextn);
	if (rt->stride < 1 || rt->beam < 1)
		return fail(err, errn, "stride and beam must be at least 1");
	/* Token counts are multiplied together and by model widths in 64-bit integers, and each
	 * generation step is a query point: bound both so that nothing wraps or runs away. */
	if ((double)rt->batch * (double)(rt->isl + rt->osl) * (double)(rt->nextn + 1) * (double)rt->beam > 1099511627776.0)
		return fail(err, errn, "batch x (isl + osl) x (nextn + 1) x beam is more than 2^40 tokens");
	if ((rt->osl - 1) / rt->stride > 1048576)
		return fail(err, errn, "(osl - 1) / stride is more than 2^20 generation steps: raise stride");
	if (!og_family_supported(m->family))
		return fail(err, errn, "model family %s (%s) is not supported by opgraph yet", m->family,
			    m->architecture);
	/* a wide-EP model class infercast lacks: refused, not priced as the regular model */
	const char *unmodelled = rt->wideep ? model_wideep_unmodelled(m->family, rt->backend) : NULL;
	if (unmodelled)
		return fail(err, errn, "wide-EP for the %s family on %s (the reference's %s) is not modelled: "
			    "only DEEPSEEK has wide-EP models; run it without wide-EP", m->family, rt->backend, unmodelled);
	if (m->layers < 1 || m->n < 1)
		return fail(err, errn, "model record: layers and n must be positive");
	if (m->n % rt->tp)
		return fail(err, errn, "num_heads %ld is not divisible by tp %ld", m->n, rt->tp);
	if (resolve_quant(rt, m, cfg, err, errn))
		return -1;
	if (family_is_moe(m) && resolve_moe_parallel(cfg, err, errn))
		return -1;
	if (rt->nextn > 0) {
		double e = og_mtp_expectation(rt->nextn, rt->nextn_accept_rates);
		double layers = (double)m->layers;
		cfg->mtp_scale_factor = 1.0 / (1 + e) * (double)(rt->nextn + m->layers) / layers;
	} else {
		cfg->mtp_scale_factor = 1.0;
	}
	if (strncmp(m->family, "QWEN3VL", 7) == 0)
		cfg->img_ctx_tokens = model_qwen3vl_image_tokens(cfg);
	return 0;
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
		og_op *ops = realloc(g->ops, cap * sizeof *ops);
		if (!ops) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
		g->ops = ops;
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

int og_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	memset(g, 0, sizeof *g);
	family_builder build = builder_of(cfg->model.family);
	if (!build)
		return fail(err, errn, "model family %s is not supported by opgraph yet", cfg->model.family);
	if (build(cfg, g, err, errn)) {
		og_graph_free(g);
		return -1;
	}
	return 0;
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

