/* opgraph_serving: what opgraph writes for the serving modes. Every step of a serving estimate
 * is a static run of the same model under another runtime configuration, so a serving
 * configuration is one config record (mode "agg" or "disagg", with a `serving` object) followed
 * by the op records of those static runs, each tagged with its role in `step`:
 *   agg:    mix (the mixed step's ops but context attention, as one sequence of all its tokens),
 *           mix_ctx_attention, mix_gen_attention (only when the mixed step decodes), genonly
 *           (only when there are generation-only steps) — BaseBackend.run_agg's static runs;
 *   disagg: prefill (static_ctx at the prefill side's layout and batch), decode (static_gen);
 *   agg and disagg under the load fidelity (disagg: beside prefill and decode): load_prefill (one prompt alone), load_chunk (a full chunk of
 *           prompts, when it holds more than one) and load_decode (one decode step at the batch),
 *           the inputs of lib/serve/serving_load.
 * query prices them like any op; aggregate (lib/serve/serving_report) puts the steps together. */
#ifndef INFERCAST_OPGRAPH_SERVING_H
#define INFERCAST_OPGRAPH_SERVING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "fidelity.h"
#include "memory.h"
#include "opgraph.h"
#include "serving_agg.h"
#include "systems.h"

/* One side of a disaggregated deployment (0: not given). */
typedef struct og_side {
	long tp, pp, dp, moe_tp, moe_ep, batch, workers;
} og_side;

/* What the user asked for beyond og_runtime. */
typedef struct og_serving_request {
	long ctx_tokens;         /* agg: prompt tokens per mixed step; 0: isl */
	og_side prefill, decode; /* disagg */
	fidelity fid;            /* load: agg through lib/serve/serving_load; reference: run_agg's steps */
	long max_num_tokens;     /* load: the engine's prompt tokens per iteration; 0: its default */
	const char *engine_version; /* load: which fitted parameters aggregate picks; NULL: newest */
	bool kv_admission;       /* load agg: clients beyond the KV-cache slots wait for one */
	long max_seq_len;        /* TRT-LLM agg: KV blocks per slot (the engine's --max_seq_len); 0: isl + osl */
	double free_gpu_memory_fraction; /* TRT-LLM agg: the KV cache's share of free memory; 0: 0.9 */
	/* disagg: the decode workers' system and its data version (NULL: the runtime's system; its
	 * newest data) */
	const char *decode_system, *decode_version;
	/* load disagg: the clients in all (the benchmark's concurrency); the decode batch is then
	 * ceil(concurrency / (decode workers x decode dp)) and the prefill batch 1 unless given.
	 * 0: the clients are the decode side's batch x dp x workers. */
	long concurrency;
} og_serving_request;

/* Whether mode is a serving mode (agg, disagg). */
bool og_serving_mode(const char *mode);

/* Where a `runtime` object key (ctx_tokens, prefill_tp, ..., decode_workers) goes; NULL if not one. */
long *og_serving_key(og_serving_request *s, const char *key);

enum { OG_SERVING_MAX_STEPS = 5 };

typedef struct og_serving_step {
	const char *step;    /* the tag */
	og_config cfg;       /* its static run */
	og_graph g;          /* lib/graph/opgraph_memo's (agg: the main graph, same layout) */
	og_phase phase;      /* the phase of the run whose ops it emits */
	const char *only;    /* only the ops of this name, or NULL */
	const char *skip;    /* every op but those of this name, or NULL */
} og_serving_step;

typedef struct og_serving {
	bool agg;
	og_config main;      /* the config record's keys (disagg: the decode side) */
	og_graph main_graph; /* lib/graph/opgraph_memo's: not freed here */
	mem_usage mem;       /* the config record's memory (agg: run_agg's; disagg: the decode side's) */
	agg_plan plan;       /* agg */
	bool kv_cache_checked, kv_cache_oom; /* agg on TRT-LLM: the KV-cache budget check */
	long max_num_tokens, max_seq_len;
	double free_gpu_memory_fraction;
	bool load;             /* agg under the load fidelity */
	long chunk_tokens, chunk_prompts; /* load: K and q = max(1, K / isl) */
	long kv_slots;         /* load agg: requests whose KV caches fit at once (<= batch; 0: not one) */
	bool kv_admission;     /* load agg: the engine runs kv_slots clients, the others wait */
	const char *engine_version;
	long concurrency;      /* load disagg: the clients in all, as asked (0: not asked) */
	bool prefill_workers_auto; /* load disagg: concurrency given, prefill workers not: aggregate
				    * picks the fewest that keep up with the clients */
	og_side side[2];     /* disagg: prefill, decode (resolved) */
	mem_usage side_mem[2];
	og_serving_step steps[OG_SERVING_MAX_STEPS];
	int nsteps;
} og_serving;

/* Resolves and builds every static run of the serving mode rt->mode for model m. Returns 0, or
 * -1 with a message (nothing to free then). */
int og_serving_prepare(const og_runtime *rt, const og_serving_request *req, const og_model *m,
		       const struct system_spec *sys, og_serving *s, char *err, size_t errn);
/* Writes the steps' op records, each with its `step`. */
void og_serving_write_ops(FILE *out, const og_serving *s, const char *config_id);

/* How many op records og_serving_write_ops writes (the config record announces it). */
size_t og_serving_count_ops(const og_serving *s);
void og_serving_free(og_serving *s);

#endif
