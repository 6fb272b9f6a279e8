#include "serving_report.h"
#include "diag.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "serving_agg.h"
#include "serving_disagg.h"
#include "serving_load.h"

const char *const serving_step_names[SERVING_STEP_COUNT] = {
	"mix",    "mix_ctx_attention", "mix_gen_attention", "genonly",    "prefill",
	"decode", "load_prefill",      "load_chunk",        "load_decode"};
enum { MIX, MIX_CTX_ATTN, MIX_GEN_ATTN, GENONLY, PREFILL, DECODE, LOAD_PREFILL, LOAD_CHUNK, LOAD_DECODE };

void serving_ops_init(serving_ops *s)
{
	for (int k = 0; k < SERVING_STEP_COUNT; k++)
		summary_init(&s->steps[k]);
}

void serving_ops_free(serving_ops *s)
{
	for (int k = 0; k < SERVING_STEP_COUNT; k++)
		summary_free(&s->steps[k]);
}

void serving_ops_clear(serving_ops *s)
{
	for (int k = 0; k < SERVING_STEP_COUNT; k++)
		s->steps[k].n = 0;
}

int serving_ops_add(serving_ops *s, const char *step, const char *name, int phase, double latency_ms,
		    double energy_wms, const char *source, char *err, size_t errn)
{
	for (int k = 0; k < SERVING_STEP_COUNT; k++) {
		if (step[0] == serving_step_names[k][0] && strcmp(step, serving_step_names[k]) == 0) {
			/* an agg step's encoder ops were priced only to be checked, as the reference's
			 * static passes look the encoder up and drop its latency (lib/graph/opgraph_serving) */
			if (phase == 2 && k != PREFILL && k != DECODE && k != LOAD_PREFILL && k != LOAD_CHUNK &&
			    k != LOAD_DECODE)
				return 0;
			summary_add(&s->steps[k], name, phase, latency_ms, energy_wms, source);
			return 0;
		}
	}
	return diag_errf(err, errn,
		    "op '%s': unknown step '%s' (mix, mix_ctx_attention, mix_gen_attention, genonly, prefill, decode, "
		    "load_prefill, load_chunk, load_decode)",
		    name, step);
}

bool serving_config(const cJSON *config)
{
	const char *mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(config, "mode"));
	return mode && (strcmp(mode, "agg") == 0 || strcmp(mode, "disagg") == 0);
}

/* A whole number of the config record (top level, or under obj). */
static int get_long(const cJSON *obj, const char *where, const char *key, long *out, char *err, size_t errn)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble)
		return diag_errf(err, errn, "config record: %s'%s' is missing or not an integer", where, key);
	*out = (long)v->valuedouble;
	return 0;
}

static double get_num_or(const cJSON *obj, const char *key, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

/* Σ of a step's per-name sums in first-appearance order, as the reference sums a phase dict. */
static void step_sum(const summary *s, const char *only, double *ms, double *wms)
{
	*ms = 0.0;
	*wms = 0.0;
	for (size_t i = 0; i < s->n; i++) {
		if (only && strcmp(s->ops[i].name, only))
			continue;
		*ms += s->ops[i].latency_ms;
		*wms += s->ops[i].energy_wms;
	}
}

static const summary_op *find_op(const summary *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->ops[i].name, name) == 0)
			return &s->ops[i];
	return NULL;
}

static void add_ops(cJSON *r, const serving_ops *s)
{
	cJSON *ops = cJSON_AddArrayToObject(r, "ops");
	for (int k = 0; k < SERVING_STEP_COUNT; k++) {
		const summary *st = &s->steps[k];
		for (size_t i = 0; i < st->n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "step", serving_step_names[k]);
			cJSON_AddStringToObject(o, "name", st->ops[i].name);
			cJSON_AddStringToObject(o, "phase", st->ops[i].phase == 0 ? "context"
							    : st->ops[i].phase == 1 ? "generation" : "encoder");
			cJSON_AddNumberToObject(o, "latency_ms", st->ops[i].latency_ms);
			cJSON_AddNumberToObject(o, "energy_wms", st->ops[i].energy_wms);
			cJSON_AddStringToObject(o, "source", st->ops[i].source);
			cJSON_AddItemToArray(ops, o);
		}
	}
}

/* The rates every serving report (agg, disagg, the load model's) writes after its head, in the
 * reference's column order: one writer for the three. */
enum { RATE_KEYS = 9 };
static void add_rates(cJSON *r, const double v[RATE_KEYS])
{
	static const char *const keys[RATE_KEYS] = {
		"ttft_ms",	"tpot_ms",		"request_latency_ms",	 "seq_per_s",	"seq_per_s_per_gpu",
		"tokens_per_s", "tokens_per_s_per_gpu", "tokens_per_s_per_user", "concurrency",
	};
	for (int i = 0; i < RATE_KEYS; i++)
		cJSON_AddNumberToObject(r, keys[i], v[i]);
}

/* agg_result's and disagg_result's rates (the same nine fields) */
#define RATES_OF(x)                                                                                   \
	((const double[RATE_KEYS]){ (x).ttft_ms, (x).tpot_ms, (x).request_latency_ms, (x).seq_per_s,   \
				    (x).seq_per_s_per_gpu, (x).tokens_per_s, (x).tokens_per_s_per_gpu, \
				    (x).tokens_per_s_per_user, (x).concurrency })

static cJSON *report_agg(const cJSON *config, const serving_ops *s, char *err, size_t errn)
{
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(config, "serving");
	long batch = 0, isl = 0, osl = 0, prefix = 0, tp = 0, pp = 0, dp = 0, ctx = 0;
	if (get_long(config, "", "batch", &batch, err, errn) || get_long(config, "", "isl", &isl, err, errn) ||
	    get_long(config, "", "osl", &osl, err, errn) || get_long(config, "", "prefix", &prefix, err, errn) ||
	    get_long(config, "", "tp", &tp, err, errn) || get_long(config, "", "pp", &pp, err, errn) ||
	    get_long(config, "", "dp", &dp, err, errn) || get_long(sv, "serving.", "ctx_tokens", &ctx, err, errn))
		return NULL;
	agg_plan p;
	if (agg_plan_make(batch, isl, osl, prefix, ctx, &p, err, errn))
		return NULL;

	/* Mixed step: every op but context attention over all the step's tokens, then context
	 * attention spread over the steps a prompt takes, then the decode requests' attention. */
	double non_attn_ms, non_attn_wms;
	if (s->steps[MIX].n == 0)
		return diag_errf(err, errn, "agg: no ops of step 'mix'"), NULL;
	step_sum(&s->steps[MIX], NULL, &non_attn_ms, &non_attn_wms);
	/* A family without a top-level attention op of that name contributes 0, as the
	 * reference's defaultdict does (its attention is inside a composite op of step mix). */
	const summary_op *ca = find_op(&s->steps[MIX_CTX_ATTN], "context_attention");
	double divisor = agg_ctx_attention_divisor(&p);
	double ctx_attn_ms = ca ? ca->latency_ms / divisor : 0.0, ctx_attn_wms = ca ? ca->energy_wms / divisor : 0.0;
	double gen_attn_ms = 0.0, gen_attn_wms = 0.0;
	const summary_op *ga = find_op(&s->steps[MIX_GEN_ATTN], "generation_attention");
	if (p.mix_gen_tokens > 0 && ga) {
		gen_attn_ms = ga->latency_ms;
		gen_attn_wms = ga->energy_wms;
	}
	double mix_ms = non_attn_ms + ctx_attn_ms + gen_attn_ms;
	double mix_wms = non_attn_wms + ctx_attn_wms + gen_attn_wms;
	double genonly_ms = 0.0, genonly_wms = 0.0;
	if (p.genonly_tokens > 0) {
		if (s->steps[GENONLY].n == 0)
			return diag_errf(err, errn, "agg: no ops of step 'genonly'"), NULL;
		step_sum(&s->steps[GENONLY], NULL, &genonly_ms, &genonly_wms);
	}
	agg_result res;
	agg_finish(&p, mix_ms, mix_wms, genonly_ms, genonly_wms, tp, pp, dp, &res);

	cJSON *r = summary_report_head(config);
	add_rates(r, RATES_OF(res));
	cJSON_AddNumberToObject(r, "global_batch", res.global_batch);
	cJSON_AddNumberToObject(r, "num_total_gpus", (double)res.num_total_gpus);
	cJSON_AddNumberToObject(r, "memory", get_num_or(cJSON_GetObjectItemCaseSensitive(config, "memory_gib"),
							"total", 0.0));
	cJSON_AddNumberToObject(r, "balance_score", p.balance_score);
	cJSON_AddNumberToObject(r, "num_ctx_reqs", p.num_ctx_reqs);
	cJSON_AddNumberToObject(r, "num_gen_reqs", p.num_gen_reqs);
	cJSON_AddNumberToObject(r, "num_tokens", p.num_tokens);
	cJSON_AddNumberToObject(r, "ctx_tokens", (double)p.ctx_tokens);
	cJSON_AddNumberToObject(r, "gen_tokens", p.num_gen_reqs);
	cJSON_AddNumberToObject(r, "mix_step_latency_ms", mix_ms);
	cJSON_AddNumberToObject(r, "genonly_step_latency_ms", genonly_ms);
	cJSON_AddNumberToObject(r, "num_mix_steps", p.num_mix_steps);
	cJSON_AddNumberToObject(r, "num_genonly_steps", p.num_genonly_steps);
	cJSON_AddNumberToObject(r, "power_w", res.power_w);
	return r;
}

/* One side of a disagg configuration: its layout from serving.<name>, its static run's results. */
static int disagg_side_of(const cJSON *sv, const char *name, const summary *ops, const char *mode, long osl,
			  disagg_side *d, const cJSON **obj, char *err, size_t errn)
{
	memset(d, 0, sizeof *d);
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(sv, name);
	char where[32];
	snprintf(where, sizeof where, "serving.%s.", name);
	if (!cJSON_IsObject(o))
		return diag_errf(err, errn, "config record: 'serving.%s' is missing", name);
	if (get_long(o, where, "tp", &d->tp, err, errn) || get_long(o, where, "pp", &d->pp, err, errn) ||
	    get_long(o, where, "dp", &d->dp, err, errn) || get_long(o, where, "batch", &d->batch, err, errn) ||
	    get_long(o, where, "workers", &d->workers, err, errn))
		return -1;
	if (ops->n == 0)
		return diag_errf(err, errn, "disagg: no ops of step '%s'", name);
	/* The side's correction scale applies to each op name's sum before the phase is summed. */
	double scale = get_num_or(o, "latency_correction_scale", 1.0);
	summary scaled = *ops;
	summary_op buf[ops->n];
	memcpy(buf, ops->ops, ops->n * sizeof *buf);
	scaled.ops = buf;
	if (scale != 1.0)
		for (size_t i = 0; i < scaled.n; i++) {
			buf[i].latency_ms *= scale;
			buf[i].energy_wms *= scale;
		}
	static_result sr;
	summary_static(&scaled, mode, d->batch, osl, d->tp, d->pp, d->dp, &sr);
	d->ttft_ms = sr.ttft_ms;
	d->tpot_ms = sr.tpot_ms;
	d->seq_per_s = sr.seq_per_s;
	d->tokens_per_s_per_user = sr.tokens_per_s_per_user;
	d->power_w = sr.power_w;
	d->memory_gib = get_num_or(cJSON_GetObjectItemCaseSensitive(o, "memory_gib"), "total", 0.0);
	*obj = o;
	return 0;
}

static void add_side(cJSON *r, const char *name, const cJSON *obj, const disagg_side *d, long global_batch,
		     double seq_per_worker, double memory)
{
	cJSON *o = cJSON_AddObjectToObject(r, name);
	static const char *const copy[] = {"tp", "pp", "dp", "moe_tp", "moe_ep", "batch", "workers", "oom"};
	for (size_t i = 0; i < sizeof copy / sizeof copy[0]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, copy[i]);
		if (v)
			cJSON_AddItemToObject(o, copy[i], cJSON_Duplicate(v, 1));
	}
	cJSON_AddNumberToObject(o, "global_batch", (double)global_batch);
	cJSON_AddNumberToObject(o, "seq_per_s_per_worker", seq_per_worker);
	cJSON_AddNumberToObject(o, "memory", memory);
	/* The side's own static results, unrounded. */
	cJSON_AddNumberToObject(o, "ttft_ms", d->ttft_ms);
	cJSON_AddNumberToObject(o, "tpot_ms", d->tpot_ms);
	cJSON_AddNumberToObject(o, "seq_per_s", d->seq_per_s);
}

static cJSON *report_disagg(const cJSON *config, const serving_ops *s, char *err, size_t errn)
{
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(config, "serving");
	long osl = 0;
	if (get_long(config, "", "osl", &osl, err, errn))
		return NULL;
	disagg_side p, d;
	const cJSON *po, *dobj;
	if (disagg_side_of(sv, "prefill", &s->steps[PREFILL], "static_ctx", osl, &p, &po, err, errn) ||
	    disagg_side_of(sv, "decode", &s->steps[DECODE], "static_gen", osl, &d, &dobj, err, errn))
		return NULL;
	disagg_result res;
	disagg_finish(&p, &d, osl, DISAGG_PREFILL_DEGRADATION, DISAGG_DECODE_DEGRADATION, &res);

	cJSON *r = summary_report_head(config);
	add_rates(r, RATES_OF(res));
	cJSON_AddNumberToObject(r, "num_total_gpus", (double)res.num_total_gpus);
	add_side(r, "prefill", po, &p, res.prefill_global_batch, res.prefill_seq_per_s_per_worker,
		 res.prefill_memory_gib);
	add_side(r, "decode", dobj, &d, res.decode_global_batch, res.decode_seq_per_s_per_worker,
		 res.decode_memory_gib);
	cJSON_AddNumberToObject(r, "power_w", res.power_w);
	return r;
}


/* ---- agg under the load model ---- */

static const char *load_params_path;
static load_model load_params_file;
static bool load_params_read;

void serving_report_load_params(const char *path)
{
	load_params_path = path;
}

void serving_report_cleanup(void)
{
	load_model_free(&load_params_file);
	load_params_read = false;
}

/* A static run's latency as the reference's run_static reports it: the context phase for
 * static_ctx (TTFT), the generation ops for one decode step. */
static int step_ms(const serving_ops *s, int k, const char *what, double *ms, char *err, size_t errn)
{
	double wms;
	if (s->steps[k].n == 0)
		return diag_errf(err, errn, "agg: no ops of step '%s' (%s)", serving_step_names[k], what);
	step_sum(&s->steps[k], NULL, ms, &wms);
	return 0;
}

/* The parameter file's entry for backend and engine version (read at the first use). */
static const load_entry *load_entry_for(const char *backend, const char *engine, char *err, size_t errn)
{
	if (!load_params_read) {
		char e[1200];
		if (load_model_read(load_params_path, &load_params_file, e, sizeof e))
			return diag_errf(err, errn, "%s", e), NULL;
		load_params_read = true;
	}
	return load_model_find(&load_params_file, backend, engine, err, errn);
}

/* The parameters for the config record's backend and serving.engine_version. */
static const load_entry *load_entry_of(const cJSON *config, const cJSON *sv, char *err, size_t errn)
{
	const char *backend = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(config, "backend"));
	const char *engine = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sv, "engine_version"));
	if (!backend)
		return diag_errf(err, errn, "config record: 'backend' is missing"), NULL;
	return load_entry_for(backend, engine, err, errn);
}

/* A load-model report's numbers: latencies, then throughputs from requests/s over the GPUs. */
static cJSON *load_report(const cJSON *config, const load_result *res, long osl, double seq_per_s, double gpus,
			  double concurrency)
{
	cJSON *r = summary_report_head(config);
	cJSON_AddStringToObject(r, "latency_model", "load");
	double tokens_per_s = seq_per_s * (double)osl;
	add_rates(r, (const double[RATE_KEYS]){ res->ttft_ms, res->tpot_ms, res->ttft_ms + (double)(osl - 1) * res->tpot_ms,
						seq_per_s, seq_per_s / gpus, tokens_per_s, tokens_per_s / gpus,
						1000.0 / res->tpot_ms, concurrency });
	cJSON_AddNumberToObject(r, "num_total_gpus", gpus);
	return r;
}

/* The report's `load` object: where the parameters came from and the model's inputs. */
static cJSON *add_load_object(cJSON *r, const load_entry *entry, double chunk_tokens, double chunk_prompts,
			      double prefill_ms, double chunk_ms, double decode_ms, const load_result *res)
{
	cJSON *lo = cJSON_AddObjectToObject(r, "load");
	cJSON_AddStringToObject(lo, "params", load_params_file.path);
	cJSON_AddStringToObject(lo, "fitted", load_params_file.fitted);
	cJSON_AddStringToObject(lo, "backend", entry->backend);
	cJSON_AddStringToObject(lo, "versions", entry->versions);
	cJSON_AddNumberToObject(lo, "chunk_tokens", chunk_tokens);
	cJSON_AddNumberToObject(lo, "chunk_prompts", chunk_prompts);
	cJSON_AddNumberToObject(lo, "prefill_ms", prefill_ms);
	cJSON_AddNumberToObject(lo, "chunk_ms", chunk_ms);
	cJSON_AddNumberToObject(lo, "decode_ms", decode_ms);
	cJSON_AddNumberToObject(lo, "wave_ms", res->wave_ms);
	cJSON_AddNumberToObject(lo, "steady_ms", res->steady_ms);
	cJSON_AddNumberToObject(lo, "prefill_busy", res->prefill_busy);
	cJSON_AddNumberToObject(lo, "cycle_ms", res->cycle_ms);
	cJSON_AddNumberToObject(lo, "queue_ms", res->queue_ms);
	return lo;
}

/* The three load runs' latencies (a chunk of one prompt is the prompt). */
static int load_latencies(const serving_ops *s, long prompts, double *prefill, double *chunk, double *decode,
			  char *err, size_t errn)
{
	if (step_ms(s, LOAD_PREFILL, "one prompt's prefill", prefill, err, errn) ||
	    step_ms(s, LOAD_DECODE, "one decode step", decode, err, errn))
		return -1;
	if (prompts > 1)
		return step_ms(s, LOAD_CHUNK, "a full chunk's prefill", chunk, err, errn);
	*chunk = *prefill;
	return 0;
}

static cJSON *report_agg_load(const cJSON *config, const serving_ops *s, char *err, size_t errn)
{
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(config, "serving");
	long batch = 0, isl = 0, osl = 0, tp = 0, pp = 0, dp = 0, chunk = 0, prompts = 0, slots = 0;
	if (get_long(config, "", "batch", &batch, err, errn) || get_long(config, "", "isl", &isl, err, errn) ||
	    get_long(config, "", "osl", &osl, err, errn) || get_long(config, "", "tp", &tp, err, errn) ||
	    get_long(config, "", "pp", &pp, err, errn) || get_long(config, "", "dp", &dp, err, errn) ||
	    get_long(sv, "serving.", "chunk_tokens", &chunk, err, errn) ||
	    get_long(sv, "serving.", "chunk_prompts", &prompts, err, errn) ||
	    get_long(sv, "serving.", "kv_slots", &slots, err, errn))
		return NULL;
	const load_entry *entry = load_entry_of(config, sv, err, errn);
	if (!entry)
		return NULL;

	/* with admission (opgraph --kv-admission), a KV-cache limit below the clients makes the
	 * others wait */
	bool admission = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sv, "kv_admission"));
	load_inputs in = {.batch = (double)batch, .isl = (double)isl, .osl = (double)osl,
			  .chunk_tokens = (double)chunk, .chunk_prompts = (double)prompts,
			  .slots = admission && slots >= 1 && slots < batch ? (double)slots : 0.0};
	if (load_latencies(s, prompts, &in.prefill_ms, &in.chunk_ms, &in.decode_ms, err, errn))
		return NULL;
	load_result res;
	if (load_eval(&in, &entry->p, &res, err, errn))
		return NULL;

	double ranks = (double)(pp * dp);
	cJSON *r = load_report(config, &res, osl, ranks * (double)batch * 1000.0 / res.cycle_ms, (double)(tp * pp * dp),
			       ranks * (double)batch);
	cJSON_AddNumberToObject(r, "memory", get_num_or(cJSON_GetObjectItemCaseSensitive(config, "memory_gib"),
							"total", 0.0));
	cJSON *lo = add_load_object(r, entry, in.chunk_tokens, in.chunk_prompts, in.prefill_ms, in.chunk_ms,
				    in.decode_ms, &res);
	cJSON_AddNumberToObject(lo, "kv_slots", (double)slots);
	cJSON_AddBoolToObject(lo, "kv_admission", admission);
	return r;
}

/* The most prefill workers aggregate picks for a deployment whose user gave none. */
#define LOAD_MAX_AUTO_WORKERS 1024

/* disagg under the load model: the layout from serving.prefill/decode, the load runs' latencies. */
static cJSON *report_disagg_load(const cJSON *config, const serving_ops *s, char *err, size_t errn)
{
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(config, "serving");
	long isl = 0, osl = 0, chunk = 0, prompts = 0, total = 0;
	long pdp = 0, pw = 0, ddp = 0, dw = 0, db = 0;
	const cJSON *po = cJSON_GetObjectItemCaseSensitive(sv, "prefill"), *dob = cJSON_GetObjectItemCaseSensitive(sv, "decode");
	if (get_long(config, "", "isl", &isl, err, errn) || get_long(config, "", "osl", &osl, err, errn) ||
	    get_long(sv, "serving.", "chunk_tokens", &chunk, err, errn) ||
	    get_long(sv, "serving.", "chunk_prompts", &prompts, err, errn) ||
	    get_long(sv, "serving.", "num_total_gpus", &total, err, errn) ||
	    get_long(po, "serving.prefill.", "dp", &pdp, err, errn) ||
	    get_long(po, "serving.prefill.", "workers", &pw, err, errn) ||
	    get_long(dob, "serving.decode.", "dp", &ddp, err, errn) ||
	    get_long(dob, "serving.decode.", "workers", &dw, err, errn) ||
	    get_long(dob, "serving.decode.", "batch", &db, err, errn))
		return NULL;
	const load_entry *entry = load_entry_of(config, sv, err, errn);
	if (!entry)
		return NULL;
	/* every in-flight request holds a decode slot: the clients are the decode side's batch, or
	 * the concurrency the user gave (opgraph --concurrency; the decode batch is derived from it) */
	double clients = (double)(db * ddp * dw);
	const cJSON *conc = cJSON_GetObjectItemCaseSensitive(sv, "concurrency");
	if (conc) {
		if (!cJSON_IsNumber(conc) || !(conc->valuedouble >= 1.0) || conc->valuedouble > clients)
			return diag_errf(err, errn, "config record: serving.concurrency must be a number from 1 to the "
				    "decode slots (%g)", clients), NULL;
		clients = conc->valuedouble;
	}
	load_disagg_inputs in = {.clients = clients, .prefill_ranks = (double)(pw * pdp),
				 .isl = (double)isl, .osl = (double)osl, .chunk_tokens = (double)chunk,
				 .chunk_prompts = (double)prompts};
	if (load_latencies(s, prompts, &in.prefill_ms, &in.chunk_ms, &in.decode_ms, err, errn))
		return NULL;
	/* disagg's first wave has its own share where the file fits one (bench/fit_disagg) */
	load_params p = entry->p;
	if (!isnan(load_params_file.disagg_wave_share))
		p.wave_share = load_params_file.disagg_wave_share;
	load_result res;
	if (load_eval_disagg(&in, &p, &res, err, errn))
		return NULL;
	/* Prefill workers the user did not give (opgraph --concurrency without --prefill-workers):
	 * the fewest whose ranks keep up with the clients, i.e. whose prompts never wait for
	 * prefill capacity (load.queue_ms 0), as a deployment is sized; the GPUs count them. */
	long chosen = 0;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sv, "prefill_workers_auto"))) {
		long pgpus = 0;
		if (get_long(po, "serving.prefill.", "num_gpus", &pgpus, err, errn))
			return NULL;
		for (chosen = 1; chosen < LOAD_MAX_AUTO_WORKERS; chosen++) {
			in.prefill_ranks = (double)(chosen * pdp);
			if (load_eval_disagg(&in, &p, &res, err, errn))
				return NULL;
			if (!(res.queue_ms > 0))
				break;
		}
		total += (chosen - pw) * pgpus;
	}
	cJSON *r = load_report(config, &res, osl, in.clients * 1000.0 / res.cycle_ms, (double)total, in.clients);
	if (chosen) {
		cJSON *rsv = cJSON_GetObjectItemCaseSensitive(r, "serving");
		cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(rsv, "prefill"), "workers",
						       cJSON_CreateNumber((double)chosen));
		cJSON_ReplaceItemInObjectCaseSensitive(rsv, "num_total_gpus", cJSON_CreateNumber((double)total));
	}
	cJSON *lo = add_load_object(r, entry, in.chunk_tokens, in.chunk_prompts, in.prefill_ms, in.chunk_ms,
				    in.decode_ms, &res);
	cJSON_AddNumberToObject(lo, "clients", in.clients);
	cJSON_AddNumberToObject(lo, "prefill_ranks", in.prefill_ranks);
	cJSON_AddNumberToObject(lo, "wave_share", p.wave_share);
	return r;
}

cJSON *serving_report(const cJSON *config, const serving_ops *s, bool with_ops, char *err, size_t errn)
{
	const char *mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(config, "mode"));
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(config, "serving");
	if (!cJSON_IsObject(sv))
		return diag_errf(err, errn, "config record of mode %s has no 'serving' object", mode ? mode : "?"), NULL;
	const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(sv, "model"));
	bool agg = mode && strcmp(mode, "agg") == 0;
	bool load = model && strcmp(model, "load") == 0;
	cJSON *r = agg && load ? report_agg_load(config, s, err, errn)
		   : agg       ? report_agg(config, s, err, errn)
		   : load      ? report_disagg_load(config, s, err, errn)
			       : report_disagg(config, s, err, errn);
	if (r && with_ops)
		add_ops(r, s);
	return r;
}
