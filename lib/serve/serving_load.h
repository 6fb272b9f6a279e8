/* serving_load: infercast's model of an aggregated deployment under a closed-loop load.
 *
 * The benchmarks that serving numbers are judged by run C clients back to back, each sending
 * its next request (isl prompt tokens, osl output tokens) as soon as the last one ends. The
 * reference prices one request's prefill; here the engine's scheduler is modelled:
 *
 *  - prompts are prefilled in chunks of at most K tokens per iteration (the engine's
 *    max_num_tokens / max_num_batched_tokens / max_prefill_tokens);
 *  - a first wave: all b requests of an attention-DP rank arrive together, and request j gets
 *    its first token when the chunk holding the end of its prompt finishes; mixed engines add
 *    the running decode batch to each chunk's iteration;
 *  - a staggered steady state: a request's prompt runs alone (plus the iterations it shares
 *    with decode) and waits behind the other clients' prompts as in an M/D/1 queue;
 *  - TTFT = overhead outside the engine (fixed, plus a part per prompt token) + share × wave
 *    + (1 - share) × steady state;
 *  - TPOT = decode step at batch b / (1 - f), f the share of time the other b - 1 clients'
 *    prefills take of a client's cycle (TTFT + (osl - 1) × TPOT + overhead): a fixed point;
 *  - when only n < b requests' KV caches fit, the engine runs n clients as above and the others
 *    wait for a slot: n slots each held for a request's time in the engine H serve b clients,
 *    so a client's cycle is b × H / n and the difference to the n-client cycle is spent waiting
 *    (in TTFT).
 *
 * Built only from the project's own static latencies: one prompt's prefill (P1), a full
 * chunk's prefill (q prompts, Pq) and one decode step at batch b (G). The few per-backend
 * parameters are fitted on measured deployments and live in data (params/load_model.json,
 * refitted by bench/accuracy --fit); docs/accuracy.md says how well it does. */
#ifndef INFERCAST_SERVING_LOAD_H
#define INFERCAST_SERVING_LOAD_H

#include <stdbool.h>
#include <stddef.h>

/* What one agg deployment gives the model (per attention-DP rank). */
typedef struct load_inputs {
	double batch;         /* b: concurrent requests (clients) per rank, >= 1 */
	double isl, osl;      /* prompt and output tokens per request; osl >= 2 */
	double chunk_tokens;  /* K: prompt tokens per iteration */
	double prefill_ms;    /* P1: one prompt's prefill alone */
	double chunk_ms;      /* Pq: chunk_prompts prompts prefilled together */
	double chunk_prompts; /* q = max(1, floor(K / isl)) */
	double decode_ms;     /* G: one decode step at batch b (KV at isl + osl / 2); at batch slots when
			       * slots limit it */
	double slots;         /* requests whose KV caches fit at once, when fewer than b (the engine runs
			       * that many, the others wait for a slot); 0: no limit */
} load_inputs;

/* The fitted parameters of one backend (and engine-version range). */
typedef struct load_params {
	double overhead_ms;    /* fixed client/harness time per request, added to TTFT */
	double wave_share;     /* share of requests that queue behind a whole wave of prompts */
	double interference;   /* weight of the other clients' prefills inside one's decode span */
	double decode_scale;   /* static decode step -> engine decode step */
	double prefill_scale;  /* static prefill -> engine prefill */
	double mixed_decode;   /* decode steps an iteration that prefills also carries (mixed engines) */
	double step_overhead_ms; /* the engine's fixed time per iteration (scheduling, launch), added to
				  * every decode step: what makes small models slower than their kernels */
	double token_overhead_us; /* time per prompt token outside the engine (HTTP body, chat template,
				   * tokenizer), added to TTFT (µs) */
} load_params;

typedef struct load_result {
	double ttft_ms, tpot_ms;
	double wave_ms, steady_ms;   /* the two TTFT regimes, before overhead and share */
	double prefill_busy;         /* f: the others' prefills' share of a client's cycle */
	double cycle_ms;             /* a client's cycle: overhead + TTFT + (osl - 1) × TPOT */
	double queue_ms;             /* agg: the wait for a KV-cache slot; disagg: for the prefill ranks'
				      * capacity; in TTFT (0 without a limit) */
} load_result;

/* Checks in (batch >= 1, osl >= 2, chunk_tokens >= 1, latencies finite and > 0) and runs the
 * model. Returns 0, or -1 with a message. */
int load_eval(const load_inputs *in, const load_params *p, load_result *out, char *err, size_t errn);

/* The same for n deployments at once (bench/accuracy's fit calls it through ctypes): rows that
 * fail get NaN. Returns how many failed. */
int load_eval_many(size_t n, const load_inputs *in, const load_params *p, load_result *out);

/* A disaggregated deployment: C clients, their prompts spread over the prefill ranks
 * (workers x attention-DP ranks), decode on separate GPUs at the decode batch. The prefill
 * ranks see the agg model's waves and queue (no decode shares their iterations); decode runs
 * undisturbed by prompts. prefill_ms, chunk_ms and chunk_prompts are a prefill rank's,
 * decode_ms the decode side's step at its batch. */
typedef struct load_disagg_inputs {
	double clients;       /* C: concurrent requests in all */
	double prefill_ranks; /* prefill workers x their attention-DP ranks */
	double isl, osl, chunk_tokens;
	double prefill_ms, chunk_ms, chunk_prompts, decode_ms;
} load_disagg_inputs;

/* Checks in and runs the model (out->prefill_busy: one prefill rank's share of the cycle).
 * Returns 0, or -1 with a message. */
int load_eval_disagg(const load_disagg_inputs *in, const load_params *p, load_result *out, char *err, size_t errn);

/* One backend's entry of the parameter file. */
typedef struct load_entry {
	char backend[16];
	char versions[64];   /* "*" or a range such as "<0.5.6" or ">=0.5.6" */
	load_params p;
	long rows;           /* how many measured rows it was fitted on */
} load_entry;

typedef struct load_model {
	char path[4200];
	char fitted[32];     /* the fit's date */
	double disagg_wave_share; /* the file's disagg.wave_share (disagg's first-wave share, every
				   * backend: bench/fit_disagg), NAN when it has none (each entry's) */
	load_entry *entries;
	size_t n;
} load_model;

/* Reads the parameter file: path, else $INFERCAST_LOAD_PARAMS, else params/load_model.json
 * (beside the programs, else in the installed share folder). Returns 0, or -1 with a message. */
int load_model_read(const char *path, load_model *m, char *err, size_t errn);
void load_model_free(load_model *m);
/* The entry for backend at engine version (NULL: the entry for any version); NULL with a
 * message when the file has none. */
const load_entry *load_model_find(const load_model *m, const char *backend, const char *version, char *err,
				  size_t errn);

/* The engine's own defaults (documented by each engine, not fitted): prompt tokens per
 * iteration (TRT-LLM max_num_tokens 8192, vLLM max_num_batched_tokens 8192, SGLang
 * max_prefill_tokens 16384) and whether a prompt longer than that is split over iterations
 * (vLLM and SGLang chunk by default; TRT-LLM's enable_chunked_prefill is off). Returns 0, or -1
 * for a backend it does not know. */
int load_engine_defaults(const char *backend, long *chunk_tokens, bool *chunked_prefill);

/* Version order as engines number them: numeric dot parts compared as numbers, then the rest
 * ("rc", "post") as text; "" sorts first. */
int load_version_cmp(const char *a, const char *b);

#endif
