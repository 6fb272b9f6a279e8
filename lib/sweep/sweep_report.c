#include "sweep_report.h"
#include "diag.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "jsonget.h"
#include "jsonindex.h"
#include "opgraph_summary.h"
#include "serving_disagg.h"

static const char *report_id(const cJSON *r)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "config_id"));
	return id ? id : "?";
}

/* src into dst[n], cut as snprintf("%s") cuts it */
static void copy_cut(char *dst, size_t n, const char *src)
{
	size_t len = strlen(src);
	if (len >= n)
		len = n - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* A side's text (sweep_pick.h: side_point): NULL read as "", cut to max - 1 bytes (the sizes its
 * columns had), kept once for the process. A sweep has a handful of distinct ones, which took
 * 272 of a worker's 368 bytes in every copy: the workers and the result rows touched that many
 * more fresh pages. slot: the caller's field, whose last text is tried first. */
enum { SIDE_TEXT_SHORT = 24, SIDE_TEXT_LONG = 48, SIDE_TEXT_SLOTS = 7 };

static const char *side_text(const char *v, size_t max, int slot)
{
	static const char *last[SIDE_TEXT_SLOTS];
	static char **pool;
	static size_t n, cap;
	char cut[SIDE_TEXT_LONG];
	copy_cut(cut, max, v ? v : "");
	if (last[slot] && strcmp(last[slot], cut) == 0)
		return last[slot];
	for (size_t i = 0; i < n; i++)
		if (strcmp(pool[i], cut) == 0)
			return last[slot] = pool[i];
	if (n == cap) {
		cap = cap ? 2 * cap : 16;
		pool = xrealloc(pool, cap * sizeof *pool);
	}
	pool[n] = xstrdup(cut);
	return last[slot] = pool[n++];
}

/* A member of the report (its members indexed in ix, lib/util/jsonindex). */
static const cJSON *get(const json_index *ix, const char *key)
{
	return json_index_get(ix, key);
}

/* A number of the report (dotted path: "serving.ctx_tokens", one level down at most); -1 with a
 * message if missing. */
static int num(const json_index *ix, const char *path, double *out, char *err, size_t errn)
{
	const char *dot = strchr(path, '.');
	const cJSON *v;
	if (dot) {
		char top[32];
		size_t n = (size_t)(dot - path) < sizeof top ? (size_t)(dot - path) : sizeof top - 1;
		memcpy(top, path, n);
		top[n] = '\0';
		v = json_member(get(ix, top), dot + 1);
	} else {
		v = get(ix, path);
	}
	if (!cJSON_IsNumber(v))
		return diag_errf(err, errn, "report '%s': '%s' is missing or not a number", report_id(ix->obj), path);
	*out = v->valuedouble;
	return 0;
}

/* A count of the report (batch, tokens, GPUs, requests), held as a long: at most 1e12, so that
 * the products made of it (a batch times dp) stay within a long too. A number beyond it (or
 * below 0) is refused: cast, it would be undefined. */
#define REPORT_COUNT_MAX 1e12
static int count(const json_index *ix, const char *path, double *out, char *err, size_t errn)
{
	if (num(ix, path, out, err, errn))
		return -1;
	if (!(*out >= 0 && *out <= REPORT_COUNT_MAX))
		return diag_errf(err, errn, "report '%s': '%s' is %.17g, out of range (0 to 1e12)", report_id(ix->obj),
				 path, *out);
	return 0;
}

/* A layout's size (tp, pp, dp, moe_tp, moe_ep), held as an int: 1 to 2^20. */
enum { REPORT_LAYOUT_MAX = 1 << 20 };
static int layout_size(const json_index *ix, const char *key, const cJSON *v, int *out, char *err, size_t errn)
{
	double d = v->valuedouble;
	if (!(d >= 1 && d <= REPORT_LAYOUT_MAX))
		return diag_errf(err, errn, "report '%s': '%s' is %.17g, out of range (1 to %d)", report_id(ix->obj), key,
				 d, REPORT_LAYOUT_MAX);
	*out = (int)d;
	return 0;
}

/* moe_tp / moe_ep: null for dense models, which the reference lists as 1. */
static int layout_of(const json_index *r, sweep_layout *l, char *err, size_t errn)
{
	static const char *const keys[] = { "tp", "pp", "dp", "moe_tp", "moe_ep" };
	int v[5];
	for (int i = 0; i < 5; i++) {
		const cJSON *n = get(r, keys[i]);
		if (i >= 3 && !cJSON_IsNumber(n)) {
			v[i] = 1;
			continue;
		}
		if (!cJSON_IsNumber(n))
			return diag_errf(err, errn, "report '%s': '%s' is missing or not a number", report_id(r->obj),
					 keys[i]);
		if (layout_size(r, keys[i], n, &v[i], err, errn))
			return -1;
	}
	*l = (sweep_layout){ v[0], v[1], v[2], v[3], v[4] };
	return 0;
}

bool sweep_report_is_moe(const cJSON *r)
{
	return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r, "moe_tp"));
}

sweep_report_kind sweep_report_kind_of(const cJSON *r)
{
	const char *rec = cJSON_GetStringValue(json_member(r, "record"));
	const char *mode = cJSON_GetStringValue(json_member(r, "mode"));
	if (!rec || strcmp(rec, "report") || !mode)
		return SWEEP_REPORT_OTHER;
	if (strcmp(mode, "agg") == 0)
		return SWEEP_REPORT_AGG;
	if (strcmp(mode, "static_ctx") == 0)
		return SWEEP_REPORT_PREFILL;
	if (strcmp(mode, "static_gen") == 0)
		return SWEEP_REPORT_DECODE;
	return SWEEP_REPORT_OTHER;
}

/* TRT-LLM's KV-cache budget check of an agg report, re-run at kv_fraction (> 0) of free memory
 * when the report says the check applies: what is left beside everything but the KV cache, as
 * much of it as the engine takes, less its reserve and a tolerance, must hold the KV cache. */
static int kv_cache_check(const json_index *r, double kv_fraction, agg_point *p, char *err, size_t errn)
{
	const cJSON *kv_oom = json_member(get(r, "serving"), "kv_cache_oom");
	p->kv_cache_oom = cJSON_IsTrue(kv_oom);
	if (kv_fraction > 0 && cJSON_IsBool(kv_oom)) {
		double total, kv, cap;
		if (num(r, "memory_gib.total", &total, err, errn) || num(r, "memory_gib.kvcache", &kv, err, errn) ||
		    num(r, "mem_capacity_gib", &cap, err, errn))
			return -1;
		p->kv_cache_oom = !p->oom && kv > (cap - (total - kv)) * kv_fraction *
							   (1 - SWEEP_KV_RESERVED_FRACTION) * (1 - SWEEP_KV_TOLERANCE);
	}
	return 0;
}

/* An agg report of the load model (aggregate's latency_model "load"; opgraph's serving.model
 * "load" on a report with `error`). */
static bool load_report(const json_index *r)
{
	const char *lm = cJSON_GetStringValue(get(r, "latency_model"));
	const char *sm = cJSON_GetStringValue(json_member(get(r, "serving"), "model"));
	return (lm && !strcmp(lm, "load")) || (sm && !strcmp(sm, "load"));
}

/* The rates and sizes every agg report carries, the static model's and the load model's. */
static int agg_rates(const json_index *r, agg_point *p, char *err, size_t errn)
{
	double conc, gpus;
	if (count(r, "concurrency", &conc, err, errn) || count(r, "num_total_gpus", &gpus, err, errn) ||
	    num(r, "ttft_ms", &p->ttft, err, errn) || num(r, "tpot_ms", &p->tpot, err, errn) ||
	    num(r, "request_latency_ms", &p->request_latency, err, errn) ||
	    num(r, "seq_per_s", &p->seq_s, err, errn) || num(r, "seq_per_s_per_gpu", &p->seq_s_gpu, err, errn) ||
	    num(r, "tokens_per_s", &p->tokens_s, err, errn) ||
	    num(r, "tokens_per_s_per_gpu", &p->tokens_s_gpu, err, errn) ||
	    num(r, "tokens_per_s_per_user", &p->tokens_s_user, err, errn) || num(r, "memory", &p->memory, err, errn))
		return -1;
	p->concurrency = (long)conc;
	p->num_total_gpus = (long)gpus;
	p->request_rate = p->seq_s;
	return 0;
}

/* Whether the clients' requests fit: opgraph's memory model (the report's oom) and TRT-LLM's
 * KV-cache budget, as for the reference's points. */
static int agg_fits(const json_index *r, double kv_fraction, agg_point *p, char *err, size_t errn)
{
	p->oom = cJSON_IsTrue(get(r, "oom"));
	return kv_cache_check(r, kv_fraction, p, err, errn);
}

/* A load-model agg report: the reference's run_agg columns it has no counterpart for hold what
 * is documented in sweep_pick.h (agg_point.load). */
static int load_agg_point(const json_index *r, double kv_fraction, agg_point *p, char *err, size_t errn)
{
	double batch, chunk, prompts;
	p->load = true;
	if (layout_of(r, &p->layout, err, errn) || count(r, "batch", &batch, err, errn))
		return -1;
	p->batch = (long)batch;
	p->error = cJSON_GetStringValue(get(r, "error"));
	if (p->error) /* not priced: where it sits in the sweep is all there is */
		return 0;
	if (count(r, "load.chunk_tokens", &chunk, err, errn) || num(r, "load.chunk_prompts", &prompts, err, errn) ||
	    agg_rates(r, p, err, errn))
		return -1;
	p->ctx_tokens = (long)chunk;
	p->num_ctx_reqs = prompts;
	p->num_gen_reqs = batch;
	p->global_batch = p->batch * p->layout.dp;
	/* its oom: a step holding a full chunk and the decode batch */
	return agg_fits(r, kv_fraction, p, err, errn);
}

int sweep_agg_point(const cJSON *report, double kv_fraction, agg_point *p, char *err, size_t errn)
{
	memset(p, 0, sizeof *p);
	double batch, ctx, gbs;
	json_index ix, *r = &ix;
	json_index_build(r, report);
	if (load_report(r))
		return load_agg_point(r, kv_fraction, p, err, errn);
	const char *error = cJSON_GetStringValue(get(r, "error"));
	if (error) { /* not priced: where it sits in the sweep is all there is */
		if (layout_of(r, &p->layout, err, errn) || count(r, "batch", &batch, err, errn) ||
		    count(r, "serving.ctx_tokens", &ctx, err, errn))
			return -1;
		p->batch = (long)batch;
		p->ctx_tokens = (long)ctx;
		p->error = error;
		return 0;
	}
	if (layout_of(r, &p->layout, err, errn) || count(r, "batch", &batch, err, errn) ||
	    count(r, "serving.ctx_tokens", &ctx, err, errn) || count(r, "global_batch", &gbs, err, errn) ||
	    agg_rates(r, p, err, errn) || num(r, "balance_score", &p->balance_score, err, errn) ||
	    num(r, "num_ctx_reqs", &p->num_ctx_reqs, err, errn) || num(r, "num_gen_reqs", &p->num_gen_reqs, err, errn) ||
	    num(r, "num_tokens", &p->num_tokens, err, errn) || num(r, "gen_tokens", &p->gen_tokens, err, errn) ||
	    num(r, "power_w", &p->power_w, err, errn))
		return -1;
	p->batch = (long)batch;
	p->ctx_tokens = (long)ctx;
	p->global_batch = (long)gbs;
	return agg_fits(r, kv_fraction, p, err, errn);
}

int sweep_side_point(const cJSON *report, double correction, side_point *s, char *err, size_t errn)
{
	memset(s, 0, sizeof *s);
	double batch, osl, memory;
	json_index ix, *r = &ix;
	json_index_build(r, report);
	const char *mode = cJSON_GetStringValue(get(r, "mode"));
	if (layout_of(r, &s->layout, err, errn) || count(r, "batch", &batch, err, errn))
		return -1;
	/* the side's FMHA mode, own system, version and quant modes (a decode system, per-side quant
	 * modes) */
	s->fmha = side_text(cJSON_GetStringValue(get(r, "fmha_quant")), SIDE_TEXT_SHORT, 0);
	s->system = side_text(cJSON_GetStringValue(get(r, "system")), SIDE_TEXT_LONG, 1);
	s->version = side_text(cJSON_GetStringValue(get(r, "version")), SIDE_TEXT_LONG, 2);
	s->gemm = side_text(cJSON_GetStringValue(get(r, "gemm_quant")), SIDE_TEXT_SHORT, 3);
	s->kvcache = side_text(cJSON_GetStringValue(get(r, "kvcache_quant")), SIDE_TEXT_SHORT, 4);
	s->moe = side_text(cJSON_GetStringValue(get(r, "moe_quant")), SIDE_TEXT_SHORT, 5);
	s->comm = side_text(cJSON_GetStringValue(get(r, "comm_quant")), SIDE_TEXT_SHORT, 6);
	const char *error = cJSON_GetStringValue(get(r, "error"));
	if (error) { /* not priced: only its place in the sweep */
		sweep_layout_name(&s->layout, s->parallel, sizeof s->parallel);
		s->batch = (long)batch;
		s->error = error;
		return 0;
	}
	if (count(r, "osl", &osl, err, errn) || num(r, "memory_gib.total", &memory, err, errn))
		return -1;
	/* The correction scales each op's latency before the phase is summed, as run_static does;
	 * without `ops` (aggregate without --ops) it scales the phase sums, which can differ from that
	 * in the last bits only. */
	summary sum;
	summary_init(&sum);
	const cJSON *ops = get(r, "ops");
	const cJSON *op;
	if (!cJSON_IsArray(ops)) {
		double ctx, gen;
		if (num(r, "context_latency_ms", &ctx, err, errn) || num(r, "generation_latency_ms", &gen, err, errn))
			return -1;
		summary_add(&sum, "context", 0, ctx * correction, 0.0, "silicon");
		summary_add(&sum, "generation", 1, gen * correction, 0.0, "silicon");
		/* a vision model's encoder runs in each side's static run (its TTFT, its requests) */
		const cJSON *enc = get(r, "encoder_latency_ms");
		if (cJSON_IsNumber(enc) && enc->valuedouble > 0)
			summary_add(&sum, "encoder", 2, enc->valuedouble * correction, 0.0, "silicon");
	}
	cJSON_ArrayForEach(op, ops) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "name"));
		const char *phase = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(op, "phase"));
		const cJSON *lat = cJSON_GetObjectItemCaseSensitive(op, "latency_ms");
		const cJSON *en = cJSON_GetObjectItemCaseSensitive(op, "energy_wms");
		if (!name || !phase || !cJSON_IsNumber(lat)) {
			summary_free(&sum);
			return diag_errf(err, errn, "report '%s': an op lacks name, phase or latency_ms", report_id(report));
		}
		int ph = !strcmp(phase, "context") ? 0 : !strcmp(phase, "encoder") ? 2 : 1;
		summary_add(&sum, name, ph, lat->valuedouble * correction,
			    (cJSON_IsNumber(en) ? en->valuedouble : 0.0) * correction, "silicon");
	}
	static_result sr;
	summary_static(&sum, mode, (long)batch, (long)osl, s->layout.tp, s->layout.pp, s->layout.dp, &sr);
	summary_free(&sum);
	sweep_layout_name(&s->layout, s->parallel, sizeof s->parallel);
	s->batch = (long)batch;
	s->global_batch = s->batch * s->layout.dp;
	s->num_total_gpus = (long)s->layout.tp * s->layout.pp * s->layout.dp;
	/* The reference reads the side's row back after DataFrame.round(3). */
	s->ttft = round3(sr.ttft_ms);
	s->tpot = round3(sr.tpot_ms);
	s->seq_s = round3(sr.seq_per_s);
	s->seq_s_gpu = round3(sr.seq_per_s_per_gpu);
	s->tokens_s_user = round3(sr.tokens_per_s_per_user);
	s->memory = round3(memory);
	s->power_w = round3(sr.power_w);
	s->oom = cJSON_IsTrue(get(r, "oom"));
	return 0;
}

static void copy_str(const json_index *r, const char *key, const char *def, char *dst, size_t n)
{
	const char *v = cJSON_GetStringValue(get(r, key));
	copy_cut(dst, n, v ? v : def);
}

int sweep_common(const cJSON *report, const char *version, pick_common *c, char *err, size_t errn)
{
	memset(c, 0, sizeof *c);
	json_index ix, *r = &ix;
	json_index_build(r, report);
	double isl, osl, prefix;
	if (count(r, "isl", &isl, err, errn) || count(r, "osl", &osl, err, errn) || count(r, "prefix", &prefix, err, errn))
		return -1;
	c->isl = (long)isl;
	c->osl = (long)osl;
	c->prefix = (long)prefix;
	copy_str(r, "model", "", c->model, sizeof c->model);
	copy_str(r, "backend", "", c->backend, sizeof c->backend);
	copy_str(r, "version", version ? version : "", c->version, sizeof c->version);
	copy_str(r, "system", "", c->system, sizeof c->system);
	copy_str(r, "database_mode", "", c->database_mode, sizeof c->database_mode);
	copy_str(r, "gemm_quant", "", c->gemm, sizeof c->gemm);
	copy_str(r, "kvcache_quant", "", c->kvcache, sizeof c->kvcache);
	copy_str(r, "fmha_quant", "", c->fmha, sizeof c->fmha);
	copy_str(r, "moe_quant", "", c->moe, sizeof c->moe);
	copy_str(r, "comm_quant", "", c->comm, sizeof c->comm);
	return 0;
}
