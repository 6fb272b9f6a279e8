/* serving_disagg: the arithmetic of one disaggregated deployment (prefill workers and decode
 * workers on separate GPUs), as the reference's DisaggInferenceSession.run_disagg does it:
 * each side is a static run (prefill: static_ctx at its batch; decode: static_gen), whose result
 * row the reference rounds to 3 decimals before it matches the two sides' request rates with
 * its degradation factors and a TTFT queueing factor; the combined row is rounded again. */
#ifndef INFERCAST_SERVING_DISAGG_H
#define INFERCAST_SERVING_DISAGG_H

/* The reference's constants (sdk/picking.py). */
#define DISAGG_PREFILL_DEGRADATION 0.9  /* pipeline bubbles between prefill batches */
#define DISAGG_DECODE_DEGRADATION 0.92  /* decode batch slots not always full */
#define DISAGG_TTFT_CORRECTION 1.8      /* queueing in front of the prefill workers */

/* One side's static result row (before the reference's rounding). */
typedef struct disagg_side {
	long tp, pp, dp, batch, workers;
	double ttft_ms, tpot_ms, seq_per_s, tokens_per_s_per_user, memory_gib, power_w;
} disagg_side;

typedef struct disagg_result {
	double ttft_ms, tpot_ms, request_latency_ms;
	double seq_per_s, seq_per_s_per_gpu, tokens_per_s, tokens_per_s_per_gpu, tokens_per_s_per_user;
	double concurrency, power_w;
	double prefill_seq_per_s_per_worker, decode_seq_per_s_per_worker;
	double prefill_memory_gib, decode_memory_gib;
	long num_total_gpus, prefill_global_batch, decode_global_batch;
} disagg_result;

/* numpy's round(x, 3), which pandas' DataFrame.round(3) applies: rint(x × 1000) / 1000. */
double round3(double x);

/* p_degradation, d_degradation: the rate matching's factors (the reference's
 * advanced_tuning_config rate_matching_*_degradation_factor; DISAGG_*_DEGRADATION by default). */
void disagg_finish(const disagg_side *prefill, const disagg_side *decode, long osl, double p_degradation,
		   double d_degradation, disagg_result *out);

#endif
