#include "serving_disagg.h"

#include <math.h>
#include <string.h>

double round3(double x)
{
	return rint(x * 1000.0) / 1000.0;
}

void disagg_finish(const disagg_side *p, const disagg_side *d, long osl, double p_degradation, double d_degradation,
		   disagg_result *r)
{
	memset(r, 0, sizeof *r);
	/* Each side's row as the reference reads it back: rounded to 3 decimals. */
	double p_ttft = round3(p->ttft_ms) * DISAGG_TTFT_CORRECTION;
	double p_seq = round3(p->seq_per_s), d_seq = round3(d->seq_per_s);
	double d_tpot = round3(d->tpot_ms);
	double p_power = round3(p->power_w), d_power = round3(d->power_w);

	/* The deployment serves what the slower side sustains. */
	double p_rate = p_seq * (double)p->workers * p_degradation;
	double d_rate = d_seq * (double)d->workers * d_degradation;
	double seq = d_rate < p_rate ? d_rate : p_rate;
	long gpus = p->pp * p->tp * p->dp * p->workers + d->pp * d->tp * d->dp * d->workers;
	double seq_gpu = gpus > 0 ? seq / (double)gpus : 0.0;
	double tokens = seq * (double)osl;
	double tokens_gpu = gpus > 0 ? tokens / (double)gpus : 0.0;
	long generated = osl - 1 > 0 ? osl - 1 : 0;
	double request = p_ttft + d_tpot * (double)generated;
	double decode_time = d_tpot * (double)generated;
	double total_time = p_ttft + decode_time;
	double power = total_time > 0 ? (p_power * p_ttft + d_power * decode_time) / total_time : 0.0;

	r->ttft_ms = round3(p_ttft);
	r->tpot_ms = round3(d_tpot);
	r->request_latency_ms = round3(request);
	r->seq_per_s = round3(seq);
	r->seq_per_s_per_gpu = round3(seq_gpu);
	r->tokens_per_s = round3(tokens);
	r->tokens_per_s_per_gpu = round3(tokens_gpu);
	r->tokens_per_s_per_user = round3(round3(d->tokens_per_s_per_user));
	r->concurrency = (double)(d->batch * d->dp * d->workers);
	r->power_w = round3(power);
	r->prefill_seq_per_s_per_worker = p_seq;
	r->decode_seq_per_s_per_worker = d_seq;
	r->prefill_memory_gib = round3(p->memory_gib);
	r->decode_memory_gib = round3(d->memory_gib);
	r->num_total_gpus = gpus;
	r->prefill_global_batch = p->batch * p->dp;
	r->decode_global_batch = d->batch * d->dp;
}
