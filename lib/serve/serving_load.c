#include "serving_load.h"
#include "diag.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Past this share of a cycle spent on other clients' prompts, the closed loop is saturated:
 * the engine can no longer keep every client's decode going, and the queue formula would
 * diverge. Capping keeps the fixed point finite; such deployments are far off any SLA. */
#define LOAD_MAX_BUSY 0.9
#define LOAD_ITERATIONS 200

/* Prefill time of n prompts in one iteration: n whole prompts cost P1 for the first and the
 * chunk's slope for each further one (their weights are read once); a part of one prompt costs
 * its share of P1. */
static double prompts_ms(double n, double p1, double slope)
{
	return n <= 1.0 ? n * p1 : p1 + (n - 1.0) * slope;
}

/* Mean time to first token of b requests that arrive together, prefilled in chunks of K. */
static double wave_ms(const load_inputs *in, double p1, double slope, double per_chunk_decode)
{
	double b = in->batch, isl = in->isl, K = in->chunk_tokens;
	double total = b * isl;
	double nchunks = ceil(total / K);
	double full = prompts_ms(K / isl, p1, slope) + per_chunk_decode;
	double last = prompts_ms((total - (nchunks - 1.0) * K) / isl, p1, slope) + per_chunk_decode;
	double sum = 0.0;
	for (double j = 0.0; j < b; j += 1.0) {
		double chunk = ceil((j + 1.0) * isl / K); /* the chunk that holds the end of prompt j */
		if (chunk > nchunks)
			chunk = nchunks;
		sum += (chunk - 1.0) * full + (chunk == nchunks ? last : full);
	}
	return sum / b;
}

/* The fixed point's results, and a client's cycle from them. */
static void finish(double overhead_ms, double osl, double ttft, double tpot, double steady, double busy,
		   load_result *out)
{
	out->steady_ms = steady;
	out->prefill_busy = busy;
	out->ttft_ms = ttft;
	out->tpot_ms = tpot;
	out->cycle_ms = overhead_ms + ttft + (osl - 1.0) * tpot;
}

/* The time a request spends outside the engine before its first token: a fixed part and a part
 * per prompt token (the HTTP body, chat template and tokenizer grow with the prompt). */
static double request_overhead_ms(const load_params *p, double isl)
{
	return p->overhead_ms + p->token_overhead_us * 1e-3 * isl;
}

static bool positive(double x)
{
	return isfinite(x) && x > 0.0;
}

static int admitted(const load_inputs *in, const load_params *p, load_result *out, char *err, size_t errn);

int load_eval(const load_inputs *in, const load_params *p, load_result *out, char *err, size_t errn)
{
	memset(out, 0, sizeof *out);
	if (!(in->batch >= 1.0) || in->batch != floor(in->batch) || in->batch > 1e6)
		return diag_errf(err, errn, "load model: concurrency (batch) must be a whole number >= 1, not %g", in->batch);
	if (!(in->osl >= 2.0))
		return diag_errf(err, errn, "load model: osl must be at least 2 (TPOT needs a second token), not %g",
			    in->osl);
	if (!(in->isl >= 1.0) || !(in->chunk_tokens >= 1.0))
		return diag_errf(err, errn, "load model: isl (%g) and the chunk (%g tokens) must be at least 1", in->isl,
			    in->chunk_tokens);
	if (!positive(in->prefill_ms) || !positive(in->chunk_ms) || !(in->chunk_prompts >= 1.0) ||
	    !positive(in->decode_ms))
		return diag_errf(err, errn,
			    "load model: static latencies must be positive (prefill %g ms, chunk %g ms of %g prompts, "
			    "decode step %g ms)",
			    in->prefill_ms, in->chunk_ms, in->chunk_prompts, in->decode_ms);

	if (in->slots != 0.0 && !(in->slots >= 1.0 && in->slots == floor(in->slots)))
		return diag_errf(err, errn, "load model: KV-cache slots must be a whole number >= 1 (or 0: no limit), not %g",
			    in->slots);
	if (in->slots >= 1.0 && in->slots < in->batch)
		return admitted(in, p, out, err, errn);

	double b = in->batch, others = b - 1.0;
	double oh = request_overhead_ms(p, in->isl);
	double p1 = p->prefill_scale * in->prefill_ms;
	double pq = p->prefill_scale * in->chunk_ms;
	double slope = in->chunk_prompts > 1.0 ? (pq - p1) / (in->chunk_prompts - 1.0) : p1;
	if (slope < 0.0)
		slope = 0.0;
	double g = p->decode_scale * in->decode_ms + p->step_overhead_ms;
	/* the decode work an iteration that prefills carries: none when no one else is decoding */
	double mixed = others > 0.0 ? p->mixed_decode * g : 0.0;
	double nc = ceil(in->isl / in->chunk_tokens);

	out->wave_ms = wave_ms(in, p1, slope, mixed);
	/* steady state: the prompt's own chunks, each with the decode batch, after the iteration
	 * in flight (half a decode step on average) */
	double steady0 = p1 + nc * mixed + (others > 0.0 ? 0.5 * g : 0.0);
	double ttft = oh + steady0, tpot = g, steady = steady0, busy = 0.0;
	for (int it = 0; it < LOAD_ITERATIONS; it++) {
		double cycle = p->overhead_ms + ttft + (in->osl - 1.0) * tpot;
		double rho = fmin(others * p1 / cycle, LOAD_MAX_BUSY);
		steady = steady0 + rho * p1 / (2.0 * (1.0 - rho));
		busy = fmin(p->interference * others * p1 / cycle, LOAD_MAX_BUSY);
		double nt = oh + p->wave_share * out->wave_ms + (1.0 - p->wave_share) * steady;
		double np = g / (1.0 - busy);
		double dt = fabs(nt - ttft), dp = fabs(np - tpot);
		ttft = 0.5 * (ttft + nt);
		tpot = 0.5 * (tpot + np);
		if (dt <= 1e-13 * ttft && dp <= 1e-13 * tpot)
			break;
	}
	finish(p->overhead_ms, in->osl, ttft, tpot, steady, busy, out);
	return 0;
}

/* Fewer KV-cache slots than clients: the engine runs `slots` clients (decode_ms is at that batch)
 * and every slot, freed, takes the next waiting request at once. n slots each held H (a request's
 * time in the engine) serve b clients at n / H requests per unit time, so a client's cycle is
 * b × H / n; what exceeds the n-client cycle is the wait for a slot. */
static int admitted(const load_inputs *in, const load_params *p, load_result *out, char *err, size_t errn)
{
	load_inputs running = *in;
	running.batch = in->slots;
	running.slots = 0.0;
	if (load_eval(&running, p, out, err, errn))
		return -1;
	double in_engine = out->ttft_ms - request_overhead_ms(p, in->isl) + (in->osl - 1.0) * out->tpot_ms;
	double cycle = in->batch * in_engine / in->slots;
	if (cycle > out->cycle_ms) {
		out->queue_ms = cycle - out->cycle_ms;
		out->ttft_ms += out->queue_ms;
		out->cycle_ms = cycle;
	}
	return 0;
}

int load_eval_many(size_t n, const load_inputs *in, const load_params *p, load_result *out)
{
	int failed = 0;
	char e[256];
	for (size_t i = 0; i < n; i++)
		if (load_eval(&in[i], p, &out[i], e, sizeof e)) {
			out[i].ttft_ms = out[i].tpot_ms = NAN;
			failed++;
		}
	return failed;
}

int load_eval_disagg(const load_disagg_inputs *in, const load_params *p, load_result *out, char *err, size_t errn)
{
	memset(out, 0, sizeof *out);
	if (!(in->clients >= 1.0) || !(in->prefill_ranks >= 1.0) || in->clients > 1e7 || in->prefill_ranks > 1e6)
		return diag_errf(err, errn, "load model: clients (%g) and prefill ranks (%g) must be at least 1", in->clients,
			    in->prefill_ranks);
	/* a prefill rank's first wave: its share of the clients, prompts only */
	load_inputs rank = {.batch = ceil(in->clients / in->prefill_ranks), .isl = in->isl, .osl = in->osl,
			    .chunk_tokens = in->chunk_tokens, .prefill_ms = in->prefill_ms, .chunk_ms = in->chunk_ms,
			    .chunk_prompts = in->chunk_prompts, .decode_ms = in->decode_ms};
	load_result one; /* checks the rank's inputs */
	if (load_eval(&rank, p, &one, err, errn))
		return -1;
	double p1 = p->prefill_scale * in->prefill_ms;
	double pq = p->prefill_scale * in->chunk_ms;
	double slope = in->chunk_prompts > 1.0 ? fmax((pq - p1) / (in->chunk_prompts - 1.0), 0.0) : p1;
	out->wave_ms = wave_ms(&rank, p1, slope, 0.0);
	double tpot = p->decode_scale * in->decode_ms + p->step_overhead_ms;
	double others = (in->clients - 1.0) / in->prefill_ranks; /* the prompts ahead of one on its rank */
	double oh = request_overhead_ms(p, in->isl);
	double ttft = oh + p1, steady = p1, busy = 0.0;
	for (int it = 0; it < LOAD_ITERATIONS; it++) {
		double cycle = p->overhead_ms + ttft + (in->osl - 1.0) * tpot;
		busy = fmin(others * p1 / cycle, LOAD_MAX_BUSY);
		steady = p1 + busy * p1 / (2.0 * (1.0 - busy));
		double nt = oh + p->wave_share * out->wave_ms + (1.0 - p->wave_share) * steady;
		double dt = fabs(nt - ttft);
		ttft = 0.5 * (ttft + nt);
		if (dt <= 1e-13 * ttft)
			break;
	}
	/* The prefill ranks' capacity bounds the closed loop: each does at most a full chunk of q
	 * prompts per Pq, so a client's cycle is at least clients / (ranks x q / Pq). A deployment whose
	 * prefill cannot keep up queues its prompts until the clients slow to that rate (the M/D/1
	 * queue above is capped short of it). */
	double cycle_min = in->clients * pq / (in->prefill_ranks * fmax(in->chunk_prompts, 1.0));
	double cycle = p->overhead_ms + ttft + (in->osl - 1.0) * tpot;
	if (cycle_min > cycle) {
		out->queue_ms = cycle_min - cycle;
		ttft += out->queue_ms;
	}
	finish(p->overhead_ms, in->osl, ttft, tpot, steady, busy, out);
	return 0;
}
