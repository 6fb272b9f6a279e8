#include "opgraph_serving.h"
#include "diag.h"
#include "hint.h"
#include "opgraph_build.h"
#include "opgraph_memo.h"
#include "opgraph_write.h"

#include <stdio.h>
#include <math.h>
#include <string.h>

#include "jsonl.h"
#include "serving_load.h"

/* TRT-LLM's engine defaults the reference sizes agg memory with (trtllm_backend.py). */
#define TRTLLM_MAX_NUM_TOKENS 8192
#define TRTLLM_FREE_GPU_MEMORY_FRACTION 0.9
#define TRTLLM_KV_RESERVED_FRACTION 0.015
#define TRTLLM_KV_TOLERANCE 0.02

bool og_serving_mode(const char *mode)
{
	return mode && (strcmp(mode, "agg") == 0 || strcmp(mode, "disagg") == 0);
}

long *og_serving_key(og_serving_request *s, const char *key)
{
	if (strcmp(key, "ctx_tokens") == 0)
		return &s->ctx_tokens;
	if (strcmp(key, "max_num_tokens") == 0)
		return &s->max_num_tokens;
	if (strcmp(key, "max_seq_len") == 0)
		return &s->max_seq_len;
	if (strcmp(key, "concurrency") == 0)
		return &s->concurrency;
	og_side *side;
	if (strncmp(key, "prefill_", 8) == 0)
		side = &s->prefill, key += 8;
	else if (strncmp(key, "decode_", 7) == 0)
		side = &s->decode, key += 7;
	else
		return NULL;
	struct {
		const char *key;
		long *dst;
	} keys[] = {
		{"tp", &side->tp}, {"pp", &side->pp}, {"dp", &side->dp}, {"moe_tp", &side->moe_tp},
		{"moe_ep", &side->moe_ep}, {"batch", &side->batch}, {"workers", &side->workers},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].key, key) == 0)
			return keys[i].dst;
	return NULL;
}

/* One static run: rt with another mode and shape, resolved and built. */
/* share, when given, is a graph built for the same model and layout: the builders read none of
 * what differs between a serving's steps (mode, batch, isl, osl, prefix; those shape the query
 * points only, written from the step's cfg), so the step reuses it instead of building its own. */
static int add_step(og_serving *s, const og_runtime *rt, const og_model *m, const char *tag, const char *mode,
		    og_phase phase, const char *only, const char *skip, const og_graph *share, char *err,
		    size_t errn)
{
	og_serving_step *st = &s->steps[s->nsteps];
	memset(st, 0, sizeof *st);
	og_runtime srt = *rt;
	srt.mode = mode;
	char e[512];
	if (og_resolve(&srt, m, &st->cfg, e, sizeof e) || (!share && !(share = og_graph_memo_build(&st->cfg, e, sizeof e))))
		return diag_errf(err, errn, "%s step: %s", tag, e);
	st->g = *share;
	s->nsteps++;
	st->step = tag;
	st->phase = phase;
	st->only = only;
	st->skip = skip;
	/* A family whose attention sits inside a composite op (DeepSeek's MLA block) has no top-level
	 * op of that name: the reference's per-name dict then gives 0 and the composite counts
	 * with the other ops of the mixed step. The step may then have no ops at all. */
	return 0;
}

/* The reference's run_agg builds its static passes' runtime from isl, osl, batch and prefix
 * only: no images (a vision model's encoder is looked up at zero image tokens). */
static void without_images(og_runtime *rt)
{
	rt->image_height = rt->image_width = 0;
	rt->num_images = 1;
}

static int step_run(og_serving *s, const og_runtime *rt, const og_model *m, const char *tag, const char *mode,
		    og_phase phase, agg_run run, const char *only, const char *skip, char *err, size_t errn)
{
	og_runtime srt = *rt;
	without_images(&srt);
	srt.batch = run.batch;
	srt.isl = run.isl;
	srt.osl = run.osl;
	srt.prefix = run.prefix;
	srt.beam = 1;
	return add_step(s, &srt, m, tag, mode, phase, only, skip, &s->main_graph, err, errn);
}

/* The layout's static graph, which every agg step shares, and the config record's keys. */
static int agg_main_graph(const og_runtime *rt, const og_model *m, og_serving *s, char *err, size_t errn)
{
	og_runtime base = *rt;
	base.mode = "static";
	base.beam = 1;
	without_images(&base);
	char e[512];
	const og_graph *g;
	if (og_resolve(&base, m, &s->main, e, sizeof e) || !(g = og_graph_memo_build(&s->main, e, sizeof e)))
		return diag_errf(err, errn, "%s", e);
	s->main_graph = *g;
	s->main.rt.mode = "agg";
	return 0;
}

/* Memory of an agg deployment, as the reference sizes it: TRT-LLM by its engine's
 * max_num_tokens and max_seq_len per slot, the others by the tokens a step holds. */
static int agg_memory(const og_runtime *rt, const og_serving_request *req, const og_model *m,
		      const struct system_spec *sys, og_serving *s, long num_tokens, char *err, size_t errn)
{
	char e[512];
	/* Memory: TRT-LLM sizes activations by its engine's max_num_tokens and the KV cache by
	 * max_seq_len per slot; the others by the tokens a step holds. */
	bool trtllm = strcmp(rt->backend, "trtllm") == 0;
	long max_seq_len = 0;
	if (trtllm) {
		s->max_num_tokens = TRTLLM_MAX_NUM_TOKENS;
		s->max_seq_len = req->max_seq_len > 0 ? req->max_seq_len : rt->isl + 1 * rt->osl;
		s->free_gpu_memory_fraction = req->free_gpu_memory_fraction > 0 ? req->free_gpu_memory_fraction
										: TRTLLM_FREE_GPU_MEMORY_FRACTION;
		num_tokens = s->max_num_tokens;
		max_seq_len = s->max_seq_len;
	}
	if (memory_usage(&s->main, &s->main_graph, sys, rt->batch, 1, rt->isl, rt->osl, num_tokens, rt->prefix,
			 max_seq_len, &s->mem, e, sizeof e))
		return diag_errf(err, errn, "%s", e);
	if (trtllm) {
		/* What is left after everything but the KV cache, less the allocator's reserve and a
		 * tolerance, must hold the KV cache. */
		s->kv_cache_checked = true;
		if (!s->mem.oom) {
			double non_kv = s->mem.total - s->mem.kvcache;
			double budget = (s->mem.capacity - non_kv) * s->free_gpu_memory_fraction *
					(1 - TRTLLM_KV_RESERVED_FRACTION) * (1 - TRTLLM_KV_TOLERANCE);
			s->kv_cache_oom = s->mem.kvcache > budget;
		}
	}
	(void)m;
	return 0;
}

static int prepare_agg(const og_runtime *rt, const og_serving_request *req, const og_model *m,
		       const struct system_spec *sys, og_serving *s, char *err, size_t errn)
{
	agg_plan *p = &s->plan;
	long ctx = req->ctx_tokens > 0 ? req->ctx_tokens : rt->isl;
	if (agg_plan_make(rt->batch, rt->isl, rt->osl, rt->prefix, ctx, p, err, errn))
		return -1;
	if (agg_main_graph(rt, m, s, err, errn))
		return -1;

	if (step_run(s, rt, m, "mix", "static_ctx", OG_CONTEXT, agg_plan_mix(p), NULL, "context_attention", err,
		     errn) ||
	    step_run(s, rt, m, "mix_ctx_attention", "static_ctx", OG_CONTEXT, agg_plan_mix_ctx_attention(p),
		     "context_attention", NULL, err, errn))
		return -1;
	if (p->mix_gen_tokens > 0 && step_run(s, rt, m, "mix_gen_attention", "static_gen", OG_GENERATION,
					      agg_plan_mix_gen_attention(p), "generation_attention", NULL, err, errn))
		return -1;
	if (p->genonly_tokens > 0 &&
	    step_run(s, rt, m, "genonly", "static_gen", OG_GENERATION, agg_plan_genonly(p), NULL, NULL, err, errn))
		return -1;

	return agg_memory(rt, req, m, sys, s, (long)p->num_tokens, err, errn);
}

static int resolve_side(const og_runtime *rt, const og_side *in, const char *name, og_runtime *out, og_side *side,
			char *err, size_t errn)
{
	*side = *in;
	if (side->batch < 1)
		return diag_errf(err, errn, "disagg: the %s batch is required (--%s-batch)", name, name);
	if (!side->tp)
		side->tp = 1;
	if (!side->pp)
		side->pp = 1;
	if (!side->dp)
		side->dp = 1;
	if (!side->workers)
		side->workers = 1;
	*out = *rt;
	out->tp = side->tp;
	out->pp = side->pp;
	out->dp = side->dp;
	out->moe_tp = side->moe_tp;
	out->moe_ep = side->moe_ep;
	out->batch = side->batch;
	return 0;
}

/* The load model's engine: its prompt tokens per iteration K (the backend's default or
 * --max-num-tokens) and whether a prompt longer than K can run at all. */
static int load_setup(const og_runtime *rt, const og_serving_request *req, const char *mode, og_serving *s,
		      char *err, size_t errn)
{
	long K = 0;
	bool chunked = false;
	if (load_engine_defaults(rt->backend, &K, &chunked))
		return diag_errf(err, errn, "%s: no engine defaults for backend '%s'", mode, rt->backend);
	if (req->max_num_tokens > 0)
		K = req->max_num_tokens;
	if (rt->osl < 2)
		return diag_errf(err, errn, "%s: osl must be at least 2 under the load model (TPOT needs a second token)",
			    mode);
	if (!chunked && rt->isl > K)
		return hint_errf(HINT_MAX_NUM_TOKENS, rt->isl, err, errn,
				 "%s: isl %ld exceeds the %ld prompt tokens %s schedules per iteration, and it does "
				 "not split prompts by default",
				 mode, rt->isl, K, rt->backend);
	s->load = true;
	s->chunk_tokens = K;
	s->chunk_prompts = K / rt->isl > 1 ? K / rt->isl : 1;
	s->engine_version = req->engine_version;
	return 0;
}

static int prepare_disagg(const og_runtime *rt, const og_serving_request *req, const og_model *m,
			  const struct system_spec *sys, og_serving *s, char *err, size_t errn)
{
	og_runtime prt, drt;
	og_side pre = req->prefill, dec = req->decode;
	if (req->concurrency > 0) {
		/* What a benchmark's user knows: C clients back to back. Each in-flight request holds
		 * a decode slot, so the decode side's ranks (workers x attention dp) share the C
		 * clients; a prompt is prefilled alone unless the user says otherwise. */
		if (req->fid != FIDELITY_LOAD)
			return diag_errf(err, errn, "disagg: the concurrency belongs to the load model, not the reference fidelity");
		if (dec.batch)
			return diag_errf(err, errn, "disagg: the concurrency sets the decode batch: give one of them");
		long ranks = (dec.workers > 0 ? dec.workers : 1) * (dec.dp > 0 ? dec.dp : 1);
		dec.batch = (req->concurrency + ranks - 1) / ranks;
		if (!pre.batch)
			pre.batch = 1;
		s->concurrency = req->concurrency;
		s->prefill_workers_auto = !pre.workers;
	}
	if (resolve_side(rt, &pre, "prefill", &prt, &s->side[0], err, errn) ||
	    resolve_side(rt, &dec, "decode", &drt, &s->side[1], err, errn))
		return -1;
	/* decode workers on another system: its layouts' graphs, its memory, its tables */
	const struct system_spec *side_sys[2] = {sys, sys};
	if (req->decode_system && strcmp(req->decode_system, rt->system)) {
		char e[512];
		if (!(side_sys[1] = system_load(req->decode_system, e, sizeof e)))
			return diag_errf(err, errn, "decode system: %s", e);
		drt.system = req->decode_system;
		drt.version = req->decode_version;
	}
	if (add_step(s, &prt, m, "prefill", "static_ctx", OG_CONTEXT, NULL, NULL, NULL, err, errn) ||
	    add_step(s, &drt, m, "decode", "static_gen", OG_GENERATION, NULL, NULL, NULL, err, errn))
		return -1;
	char e[512];
	for (int i = 0; i < 2; i++) {
		/* MoE sizes resolved for the side. */
		s->side[i].moe_tp = s->steps[i].cfg.rt.moe_tp;
		s->side[i].moe_ep = s->steps[i].cfg.rt.moe_ep;
		if (memory_for_static(&s->steps[i].cfg, &s->steps[i].g, side_sys[i], &s->side_mem[i], e, sizeof e))
			return diag_errf(err, errn, "%s side: %s", i ? "decode" : "prefill", e);
	}
	s->main = s->steps[1].cfg;
	s->main.rt.mode = "disagg";
	/* the configuration is the prefill system's: query prices by it, reports name it */
	s->main.rt.system = rt->system;
	s->main.rt.version = rt->version;
	s->mem = s->side_mem[1];
	s->mem.oom = s->side_mem[0].oom || s->side_mem[1].oom;
	if (req->fid != FIDELITY_LOAD)
		return 0;
	/* The load model's runs: one prompt and a full chunk on a prefill worker, one decode step
	 * at the decode batch with the KV cache at its average length. */
	if (load_setup(rt, req, "disagg", s, err, errn))
		return -1;
	og_runtime one = prt, chunk = prt, step = drt;
	one.batch = 1;
	chunk.batch = s->chunk_prompts;
	step.isl = rt->isl + rt->osl / 2;
	step.osl = 2;
	step.prefix = 0;
	og_graph pg = s->steps[0].g, dg = s->steps[1].g; /* same layouts: share the built graphs */
	if (add_step(s, &one, m, "load_prefill", "static_ctx", OG_CONTEXT, NULL, NULL, &pg, err, errn) ||
	    (s->chunk_prompts > 1 &&
	     add_step(s, &chunk, m, "load_chunk", "static_ctx", OG_CONTEXT, NULL, NULL, &pg, err, errn)) ||
	    add_step(s, &step, m, "load_decode", "static_gen", OG_GENERATION, NULL, NULL, &dg, err, errn))
		return -1;
	return 0;
}

/* The share of a GPU's memory vLLM (gpu_memory_utilization) and SGLang (mem_fraction_static, its
 * usual value on 80-141 GB GPUs) leave to weights, activations and the KV cache; TRT-LLM's budget
 * is agg_memory's. Engine defaults, not fitted. */
#define ENGINE_MEMORY_FRACTION 0.9

/* How many requests' KV caches fit at once beside everything else (the engine admits no more;
 * the others wait for a slot): the KV budget over one request's KV cache. TRT-LLM reserves a
 * request's whole isl + osl when it admits it; vLLM and SGLang page the cache in as it grows, so
 * a request holds isl + osl / 2 tokens on average. */
static long kv_slots(const og_serving *s, const og_runtime *rt)
{
	long batch = rt->batch;
	double held = s->kv_cache_checked ? 1.0 : ((double)rt->isl + rt->osl / 2.0) / (double)(rt->isl + rt->osl);
	double per_request = s->mem.kvcache / (double)batch * held;
	double non_kv = s->mem.total - s->mem.kvcache;
	if (non_kv >= s->mem.capacity) /* weights, activations and the rest fill the GPU alone */
		return 0;
	double budget = s->kv_cache_checked ? (s->mem.capacity - non_kv) * s->free_gpu_memory_fraction *
						      (1 - TRTLLM_KV_RESERVED_FRACTION) * (1 - TRTLLM_KV_TOLERANCE)
					    : s->mem.capacity * ENGINE_MEMORY_FRACTION - non_kv;
	if (!(per_request > 0) || budget >= per_request * (double)batch)
		return batch;
	return budget < per_request ? 0 : (long)floor(budget / per_request);
}

/* agg under the load fidelity: the static runs lib/serve/serving_load is built from. */
static int prepare_agg_load(const og_runtime *rt, const og_serving_request *req, const og_model *m,
			    const struct system_spec *sys, og_serving *s, char *err, size_t errn)
{
	long K = 0;
	if (load_setup(rt, req, "agg", s, err, errn))
		return -1;
	K = s->chunk_tokens;
	if (agg_main_graph(rt, m, s, err, errn))
		return -1;
	/* Memory as the reference sizes it, a step holding a full chunk plus the decode batch; when
	 * fewer requests' KV caches fit than there are clients, the engine runs that many and the
	 * memory is what they hold. None fitting is out of memory. */
	if (agg_memory(rt, req, m, sys, s, K + rt->batch, err, errn))
		return -1;
	s->kv_slots = kv_slots(s, rt);
	s->kv_admission = req->kv_admission;
	long running = rt->batch;
	if (s->kv_admission) {
		/* out of memory only when not one request's KV cache fits; fewer slots than clients
		 * queue, and the memory is what the admitted requests hold */
		s->mem.oom = s->kv_slots < 1;
		if (s->kv_cache_checked)
			s->kv_cache_oom = s->mem.oom;
		if (s->kv_slots >= 1 && s->kv_slots < rt->batch) {
			og_runtime admitted = *rt;
			admitted.batch = running = s->kv_slots;
			if (agg_memory(&admitted, req, m, sys, s, K + admitted.batch, err, errn))
				return -1;
			s->mem.oom = false;
			s->kv_cache_oom = false;
		}
	}
	agg_run one = {1, rt->isl, rt->osl, rt->prefix};
	agg_run chunk = {s->chunk_prompts, rt->isl, rt->osl, rt->prefix};
	/* one decode step, at the batch the engine runs, with the KV cache at its average length
	 * over a request's decode */
	agg_run step = {running, rt->isl + rt->osl / 2, 2, 0};
	if (step_run(s, rt, m, "load_prefill", "static_ctx", OG_CONTEXT, one, NULL, NULL, err, errn) ||
	    (s->chunk_prompts > 1 &&
	     step_run(s, rt, m, "load_chunk", "static_ctx", OG_CONTEXT, chunk, NULL, NULL, err, errn)) ||
	    step_run(s, rt, m, "load_decode", "static_gen", OG_GENERATION, step, NULL, NULL, err, errn))
		return -1;
	return 0;
}

int og_serving_prepare(const og_runtime *rt, const og_serving_request *req, const og_model *m,
		       const struct system_spec *sys, og_serving *s, char *err, size_t errn)
{
	memset(s, 0, sizeof *s);
	s->agg = strcmp(rt->mode, "agg") == 0;
	int rc = !s->agg			     ? prepare_disagg(rt, req, m, sys, s, err, errn)
		 : req->fid == FIDELITY_LOAD ? prepare_agg_load(rt, req, m, sys, s, err, errn)
					     : prepare_agg(rt, req, m, sys, s, err, errn);
	if (rc)
		og_serving_free(s);
	return rc;
}

static bool emits(const og_serving_step *st, const og_op *op)
{
	/* Disagg's sides are whole static runs, vision encoder (Qwen3-VL) included. Agg's steps read
	 * only the context and generation ops of theirs, but the reference's static passes behind
	 * them still look the encoder up (at zero image tokens), and in SILICON mode that lookup is
	 * refused for Qwen3-VL-MoE: the mix step carries the encoder ops so that query prices them
	 * (and refuses where the reference does); aggregate leaves their latency out. */
	if (op->phase == OG_ENCODER)
		return strcmp(st->step, "prefill") == 0 || strcmp(st->step, "decode") == 0 ||
		       strcmp(st->step, "mix") == 0;
	if (op->phase != st->phase)
		return false;
	if (st->only && strcmp(op->name, st->only))
		return false;
	if (st->skip && strcmp(op->name, st->skip) == 0)
		return false;
	return true;
}

void og_serving_write_ops(FILE *out, const og_serving *s, const char *config_id)
{
	for (int k = 0; k < s->nsteps; k++) {
		const og_serving_step *st = &s->steps[k];
		for (size_t i = 0; i < st->g.n; i++) {
			if (!emits(st, &st->g.ops[i]))
				continue;
			/* numbers as cJSON printed them when these records were built as cJSON trees */
			og_write_opts o = { true, st->cfg.rt.point_runs, st->step, og_graph_memo_attrs_text(&st->g, i),
					    NULL, NULL };
			/* a step on another system than the configuration's (disagg --decode-system)
			 * names it, so that query prices it with that system's tables */
			if (strcmp(st->cfg.rt.system, s->main.rt.system)) {
				o.system = st->cfg.rt.system;
				o.version = st->cfg.rt.version;
			}
			og_op_write_with(out, &st->cfg, &st->g.ops[i], config_id, &o);
		}
	}
}

size_t og_serving_count_ops(const og_serving *s)
{
	size_t n = 0;
	for (int k = 0; k < s->nsteps; k++)
		for (size_t i = 0; i < s->steps[k].g.n; i++)
			n += emits(&s->steps[k], &s->steps[k].g.ops[i]);
	return n;
}

void og_serving_free(og_serving *s)
{
	/* the graphs are lib/graph/opgraph_memo's */
	memset(&s->main_graph, 0, sizeof s->main_graph);
	for (int k = 0; k < s->nsteps; k++)
		memset(&s->steps[k].g, 0, sizeof s->steps[k].g);
	s->nsteps = 0;
}
