/* serving_agg: the arithmetic of one aggregated (in-flight batching) deployment, as the
 * reference's BaseBackend.run_agg does it for one (batch, ctx_tokens) point.
 *
 * A request's life is split into "mixed" steps (a chunk of ctx_tokens prompt tokens prefilled
 * alongside the decode tokens of the other requests) and "generation-only" steps. agg_plan_make
 * decides how many of each there are and what each step holds; every step is then priced as
 * static runs of the same model (agg_plan_* give their runtime shapes), and agg_finish turns the
 * two step latencies into TTFT, TPOT and throughputs with the reference's corrections.
 * Counts are doubles because the reference computes them with numpy floats. */
#ifndef INFERCAST_SERVING_AGG_H
#define INFERCAST_SERVING_AGG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct agg_plan {
	long batch, isl, osl, prefix, ctx_tokens;
	double balance_score;          /* isl × batch / ctx_tokens / osl */
	double steps_to_finish_ctx;    /* ceil(isl × batch / ctx_tokens) */
	double num_mix_steps, num_genonly_steps;
	double num_mix_steps_for_tpot; /* mixed steps counted in TPOT (the reference drops 3 for queueing) */
	double mix_ctx_tokens, mix_gen_tokens, genonly_tokens;
	double num_ctx_reqs, num_gen_reqs, num_tokens;
} agg_plan;

/* Fills p for batch requests of isl (prefix cached) + osl tokens and a budget of ctx_tokens
 * prompt tokens per step. Returns 0, or -1 with a message where the reference refuses (a mixed
 * step left without any decode request). */
int agg_plan_make(long batch, long isl, long osl, long prefix, long ctx_tokens, agg_plan *p, char *err,
		  size_t errn);

/* The static runs that price the steps (batch, isl, osl, prefix of each). */
typedef struct agg_run {
	long batch, isl, osl, prefix;
} agg_run;

/* Mixed step, pass 1: everything but context attention, as one sequence of all the step's tokens. */
agg_run agg_plan_mix(const agg_plan *p);
/* Mixed step, pass 2: context attention of whole prompts; its latency is divided by
 * agg_ctx_attention_divisor (the prompt is spread over that many steps). */
agg_run agg_plan_mix_ctx_attention(const agg_plan *p);
double agg_ctx_attention_divisor(const agg_plan *p);
/* Mixed step, pass 3 (only when mix_gen_tokens > 0) and the generation-only step (only when
 * genonly_tokens > 0): one decode step at the average KV length isl + osl / 2. */
agg_run agg_plan_mix_gen_attention(const agg_plan *p);
agg_run agg_plan_genonly(const agg_plan *p);

typedef struct agg_result {
	double ttft_ms, tpot_ms, request_latency_ms;
	double seq_per_s, seq_per_s_per_gpu, tokens_per_s, tokens_per_s_per_gpu, tokens_per_s_per_user;
	double concurrency, global_batch, power_w;
	long num_total_gpus;
} agg_result;

/* Step latencies (ms) and energies (W·ms) in, the reference's results out. */
void agg_finish(const agg_plan *p, double mix_ms, double mix_wms, double genonly_ms, double genonly_wms, long tp,
		long pp, long dp, agg_result *out);

/* Python's float floor division (divmod-based), which the reference's b // x uses. */
double py_floordiv(double a, double b);

#endif
