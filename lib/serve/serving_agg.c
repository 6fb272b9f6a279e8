#include "serving_agg.h"
#include "diag.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double py_floordiv(double a, double b)
{
	double mod = fmod(a, b);
	double div = (a - mod) / b;
	/* A remainder of the other sign than the divisor means the quotient was rounded up. */
	if (mod != 0.0 && ((b < 0) != (mod < 0)))
		div -= 1.0;
	if (div == 0.0)
		return copysign(0.0, a / b);
	double floordiv = floor(div);
	if (div - floordiv > 0.5)
		floordiv += 1.0;
	return floordiv;
}

int agg_plan_make(long batch, long isl, long osl, long prefix, long ctx_tokens, agg_plan *p, char *err, size_t errn)
{
	memset(p, 0, sizeof *p);
	if (batch < 1 || isl < 1 || osl < 1)
		return diag_errf(err, errn, "agg: batch, isl and osl must be at least 1");
	if (ctx_tokens < 1)
		return diag_errf(err, errn, "agg: ctx_tokens must be at least 1, got %ld", ctx_tokens);
	if (prefix < 0 || prefix >= isl)
		return diag_errf(err, errn, "agg: prefix (%ld) must be less than isl (%ld)", prefix, isl);
	p->batch = batch;
	p->isl = isl;
	p->osl = osl;
	p->prefix = prefix;
	p->ctx_tokens = ctx_tokens;
	double b = (double)batch, ctx = (double)ctx_tokens, in = (double)isl, out = (double)osl;
	p->balance_score = (double)(isl * batch) / ctx / out;
	p->steps_to_finish_ctx = ceil((double)(isl * batch) / ctx);
	double ctx_reqs = ceil(ctx / in); /* prompts a step's budget covers */
	if (batch > 1) {
		p->num_mix_steps = p->steps_to_finish_ctx;
		p->mix_ctx_tokens = ctx;
		if (p->steps_to_finish_ctx >= out) {
			/* Prefill never finishes within a request's decode: every step is mixed. */
			double g = py_floordiv(b, p->steps_to_finish_ctx / out);
			p->mix_gen_tokens = g > 1 ? g : 1;
			p->num_genonly_steps = 0;
			p->genonly_tokens = 0;
			p->num_mix_steps_for_tpot = p->num_mix_steps;
		} else {
			p->mix_gen_tokens = b - ctx_reqs;
			if (p->mix_gen_tokens < 1)
				return diag_errf(err, errn,
					    "agg: batch %ld is too small for ctx_tokens %ld: a step's prompt budget covers "
					    "%.0f requests of isl %ld, which leaves no decode request (give a batch of at "
					    "least %.0f or fewer ctx tokens)",
					    batch, ctx_tokens, ctx_reqs, isl, ctx_reqs + 1);
			p->num_genonly_steps = out - p->num_mix_steps;
			p->genonly_tokens = b;
			/* The reference's queueing correction: new requests start a few steps late. */
			double t = p->num_mix_steps - 3;
			p->num_mix_steps_for_tpot = t > 1 ? t : 1;
		}
	} else {
		p->num_mix_steps = 1;
		p->mix_ctx_tokens = ctx;
		p->mix_gen_tokens = 0;
		p->num_genonly_steps = out - 1;
		p->genonly_tokens = 1;
		p->num_mix_steps_for_tpot = 0;
	}
	p->num_ctx_reqs = ctx_reqs;
	p->num_gen_reqs = b - ctx_reqs;
	if (batch == 1)
		p->num_ctx_reqs = p->num_gen_reqs = 1;
	p->num_tokens = batch > 1 ? p->num_gen_reqs + ctx : ctx;
	return 0;
}

agg_run agg_plan_mix(const agg_plan *p)
{
	/* The cached prefix of every whole prompt in the chunk is skipped. */
	double whole = floor((double)p->ctx_tokens / (double)p->isl);
	return (agg_run){1, (long)(p->mix_ctx_tokens + p->mix_gen_tokens), 1, (long)((double)p->prefix * whole)};
}

agg_run agg_plan_mix_ctx_attention(const agg_plan *p)
{
	return (agg_run){(long)ceil((double)p->ctx_tokens / (double)p->isl), p->isl, 1, p->prefix};
}

double agg_ctx_attention_divisor(const agg_plan *p)
{
	return ceil((double)p->isl / (double)p->ctx_tokens);
}

agg_run agg_plan_mix_gen_attention(const agg_plan *p)
{
	return (agg_run){(long)p->mix_gen_tokens, p->isl + p->osl / 2, 2, 0};
}

agg_run agg_plan_genonly(const agg_plan *p)
{
	return (agg_run){(long)p->genonly_tokens, p->isl + p->osl / 2, 2, 0};
}

void agg_finish(const agg_plan *p, double mix_ms, double mix_wms, double genonly_ms, double genonly_wms, long tp,
		long pp, long dp, agg_result *r)
{
	memset(r, 0, sizeof *r);
	double b = (double)p->batch, osl = (double)p->osl;
	/* TTFT: the prompt's steps, times a queueing factor that grows with the steps a batch's
	 * prompts take (capped at 4). */
	double ttft = mix_ms * ceil((double)p->isl / (double)p->ctx_tokens);
	double corr = 2 + (p->steps_to_finish_ctx - 3) / 2 / 10;
	if (corr > 4)
		corr = 4;
	ttft *= corr;
	double tpot_steps = p->num_mix_steps_for_tpot + p->num_genonly_steps;
	double tpot = tpot_steps > 0
			      ? (mix_ms * p->num_mix_steps_for_tpot + genonly_ms * p->num_genonly_steps) / tpot_steps
			      : 0.0;
	double total = p->num_mix_steps * mix_ms + p->num_genonly_steps * genonly_ms;
	double out_tps = (p->osl > 1 && total > 0) ? 1000 / total * b * (osl - 1) : 0.0;
	double energy = p->num_mix_steps * mix_wms + p->num_genonly_steps * genonly_wms;
	r->power_w = total > 0 ? energy / total : 0.0;
	/* Pipeline stages and attention-dp ranks each keep a batch in flight. */
	double scale = (double)(pp * dp);
	out_tps = out_tps * scale;
	r->concurrency = b * scale;
	r->global_batch = b * (double)dp;
	double rate = p->osl > 1 ? out_tps / (osl - 1) : 0.0;
	r->ttft_ms = ttft;
	r->tpot_ms = tpot;
	r->tokens_per_s = out_tps;
	r->tokens_per_s_per_gpu = out_tps / (double)pp / (double)tp / (double)dp;
	r->tokens_per_s_per_user = tpot != 0.0 ? 1000 / tpot : 0.0;
	r->seq_per_s = rate;
	r->seq_per_s_per_gpu = rate / (double)pp / (double)tp / (double)dp;
	r->request_latency_ms = ttft + tpot * (double)(p->osl - 1 > 0 ? p->osl - 1 : 0);
	r->num_total_gpus = tp * pp * dp;
}
