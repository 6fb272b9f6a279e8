/* Unit tests of lib/serve/serving_load: the load model on hand-made cases, its bad input, engine
 * version order and the parameter file. */
#include <stdlib.h>
#include <unistd.h>

#include "serving_load.h"
#include "unit.h"

static const load_params plain = {.overhead_ms = 0, .wave_share = 0, .interference = 1, .decode_scale = 1,
				  .prefill_scale = 1, .mixed_decode = 0, .step_overhead_ms = 0};

static load_inputs inputs(double b, double isl, double osl, double K, double p1, double pq, double q, double g)
{
	return (load_inputs){.batch = b, .isl = isl, .osl = osl, .chunk_tokens = K, .prefill_ms = p1,
			     .chunk_ms = pq, .chunk_prompts = q, .decode_ms = g};
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

int main(void)
{
	char err[512];
	load_result r;

	/* One client: the static prefill plus the harness overhead; no one to share decode with. */
	load_params p = plain;
	p.overhead_ms = 80;
	p.wave_share = 0.3;
	p.mixed_decode = 2;
	load_inputs in = inputs(1, 1000, 100, 8192, 50, 300, 8, 10);
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.ttft_ms, 130, 1e-12);
	CHECK_NEAR(r.tpot_ms, 10, 1e-12);
	CHECK_NEAR(r.cycle_ms, 80 + 130 + 99 * 10, 1e-12);
	/* the time per prompt token outside the engine adds to TTFT (so to the cycle): 1000 tokens at
	 * 20 µs each are 20 ms */
	p.token_overhead_us = 20;
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.ttft_ms, 150, 1e-12);
	CHECK_NEAR(r.cycle_ms, 80 + 150 + 99 * 10, 1e-12);

	/* C clients whose prompts are one chunk each queue linearly: request j waits j + 1 chunks. */
	p = plain;
	p.wave_share = 1;
	in = inputs(4, 1000, 100, 1000, 50, 50, 1, 10);
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.wave_ms, 2.5 * 50, 1e-12);
	CHECK_NEAR(r.ttft_ms, 125, 1e-12);
	/* a prompt of two chunks: request j waits 2 (j + 1) chunks of half a prompt */
	in = inputs(4, 2000, 100, 1000, 50, 50, 1, 10);
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.wave_ms, 125, 1e-12);

	/* A chunk larger than all the prompts: one wave, everyone done when the batch is. Four
	 * prompts of a 100-prompt chunk cost P1 + 3 × the chunk's slope (10 ms). */
	in = inputs(4, 1000, 100, 100000, 50, 50 + 99 * 10, 100, 10);
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.wave_ms, 80, 1e-12);
	CHECK_NEAR(r.ttft_ms, 80, 1e-12);

	/* TPOT is the fixed point of decode / (1 - others' prefill share of a cycle). */
	p = plain;
	p.interference = 1;
	p.step_overhead_ms = 1;
	p.decode_scale = 0.5;
	in = inputs(8, 1000, 200, 8192, 40, 300, 8, 20);
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == 0);
	double g = 0.5 * 20 + 1;
	CHECK_NEAR(r.prefill_busy, 7 * 40 / r.cycle_ms, 1e-9);
	CHECK_NEAR(r.tpot_ms, g / (1 - r.prefill_busy), 1e-9);
	CHECK(r.tpot_ms > g);
	/* more clients, more interference */
	load_result r16;
	in.batch = 16;
	CHECK(load_eval(&in, &p, &r16, err, sizeof err) == 0);
	CHECK(r16.tpot_ms > r.tpot_ms && r16.ttft_ms > r.ttft_ms);

	/* Bad input is an error with a message, never a number. */
	in = inputs(0, 1000, 100, 8192, 50, 300, 8, 10);
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == -1);
	CHECK_STR(err, "load model: concurrency (batch) must be a whole number >= 1, not 0");
	in = inputs(4, 1000, 1, 8192, 50, 300, 8, 10);
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == -1);
	CHECK_STR(err, "load model: osl must be at least 2 (TPOT needs a second token), not 1");
	in = inputs(4, 1000, 100, 0, 50, 300, 8, 10);
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == -1);
	CHECK_STR(err, "load model: isl (1000) and the chunk (0 tokens) must be at least 1");
	in = inputs(4, 1000, 100, 8192, 0, 300, 8, 10);
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == -1);
	load_inputs many[2] = {inputs(1, 1000, 100, 8192, 50, 50, 1, 10), inputs(0, 1000, 100, 8192, 50, 50, 1, 10)};
	load_result out[2];
	CHECK(load_eval_many(2, many, &plain, out) == 1);
	CHECK(out[0].ttft_ms == 50 && isnan(out[1].ttft_ms));

	/* Disagg: one client on one prefill rank is its prefill plus the overhead; TPOT is the decode
	 * side's step alone. Many clients on one rank queue in waves. */
	p = plain;
	p.overhead_ms = 20;
	p.step_overhead_ms = 1;
	load_disagg_inputs di = {.clients = 1, .prefill_ranks = 1, .isl = 1000, .osl = 100, .chunk_tokens = 1000,
				 .prefill_ms = 50, .chunk_ms = 50, .chunk_prompts = 1, .decode_ms = 10};
	CHECK(load_eval_disagg(&di, &p, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.ttft_ms, 70, 1e-12);
	CHECK_NEAR(r.tpot_ms, 11, 1e-12);
	p.wave_share = 1;
	di.clients = 8;
	di.prefill_ranks = 2; /* four prompts a rank, one a chunk: 2.5 prompts on average */
	CHECK(load_eval_disagg(&di, &p, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.wave_ms, 125, 1e-12);
	CHECK_NEAR(r.ttft_ms, 145, 1e-12);
	CHECK(r.queue_ms == 0);
	/* 400 clients on 2 ranks of one 50 ms prompt at a time: at most 40 prompts a second, so a
	 * client's cycle is at least 10 s; decode takes 99 x 11 ms, the rest is waiting for a prompt */
	p.wave_share = 0;
	di.clients = 400;
	CHECK(load_eval_disagg(&di, &p, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.cycle_ms, 10000, 1e-9);
	CHECK_NEAR(r.ttft_ms, 10000 - 20 - 99 * 11, 1e-9);
	CHECK(r.queue_ms > 0);
	di.prefill_ranks = 0;
	CHECK(load_eval_disagg(&di, &p, &r, err, sizeof err) == -1);
	CHECK_STR(err, "load model: clients (400) and prefill ranks (0) must be at least 1");

	/* Engine versions in the engines' order. */
	CHECK(load_version_cmp("0.5.1.post1", "0.5.6") < 0);
	CHECK(load_version_cmp("0.5.6.post2", "0.5.6") > 0);
	CHECK(load_version_cmp("0.12.0", "0.5.9") > 0);
	CHECK(load_version_cmp("1.0.0rc3", "1.0.0") < 0);
	CHECK(load_version_cmp("1.1.0rc2.post2", "1.1.0rc2.post2") == 0);

	/* Engine defaults. */
	/* KV-cache admission: 4 clients, 2 slots. The engine runs 2 clients; each slot serves two
	 * clients in turn, so (no overhead outside the engine) a client waits one whole engine cycle
	 * before its request is admitted, and TPOT is the 2-client one. */
	p = plain;
	p.mixed_decode = 1;
	load_result two;
	in = inputs(2, 1000, 100, 8192, 50, 50, 1, 10);
	CHECK(load_eval(&in, &p, &two, err, sizeof err) == 0);
	in = inputs(4, 1000, 100, 8192, 50, 50, 1, 10);
	in.slots = 2;
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.queue_ms, two.cycle_ms, 1e-12);
	CHECK_NEAR(r.ttft_ms, two.ttft_ms + two.cycle_ms, 1e-12);
	CHECK_NEAR(r.tpot_ms, two.tpot_ms, 1e-12);
	CHECK_NEAR(r.cycle_ms, 2 * two.cycle_ms, 1e-12);
	in.slots = 4; /* as many slots as clients: no limit */
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == 0);
	CHECK(r.queue_ms == 0);
	in.slots = 1.5;
	CHECK(load_eval(&in, &p, &r, err, sizeof err) == -1);
	CHECK_STR(err, "load model: KV-cache slots must be a whole number >= 1 (or 0: no limit), not 1.5");

	long K = 0;
	bool chunked = true;
	CHECK(load_engine_defaults("trtllm", &K, &chunked) == 0 && K == 8192 && !chunked);
	CHECK(load_engine_defaults("sglang", &K, &chunked) == 0 && K == 16384 && chunked);
	CHECK(load_engine_defaults("tgi", &K, &chunked) == -1);

	/* The parameter file: entries by backend and engine version. */
	char dir[] = "/tmp/test_serving_load.XXXXXX", path[256];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/p.json", dir);
	write_file(path, "{\"fitted\": \"2026-12-04\", \"backends\": ["
			 "{\"backend\": \"sglang\", \"versions\": \"<0.5.6\", \"rows\": 3, \"parameters\": {\"overhead_ms\": 1, "
			 "\"wave_share\": 1, \"interference\": 1, \"decode_scale\": 1, \"prefill_scale\": 1, "
			 "\"mixed_decode\": 0, \"step_overhead_ms\": 0, \"token_overhead_us\": 0}},"
			 "{\"backend\": \"sglang\", \"versions\": \">=0.5.6\", \"parameters\": {\"overhead_ms\": 2, "
			 "\"wave_share\": 0.1, \"interference\": 1, \"decode_scale\": 1, \"prefill_scale\": 1, "
			 "\"mixed_decode\": 0, \"step_overhead_ms\": 0, \"token_overhead_us\": 0}}]}");
	load_model m;
	CHECK(load_model_read(path, &m, err, sizeof err) == 0);
	CHECK(m.n == 2 && m.entries[0].rows == 3);
	CHECK_STR(m.fitted, "2026-12-04");
	const load_entry *e = load_model_find(&m, "sglang", "0.5.1.post1", err, sizeof err);
	CHECK(e && e->p.overhead_ms == 1);
	e = load_model_find(&m, "sglang", "0.5.9", err, sizeof err);
	CHECK(e && e->p.overhead_ms == 2);
	e = load_model_find(&m, "sglang", NULL, err, sizeof err); /* unknown version: the newest engines */
	CHECK(e && e->p.overhead_ms == 2);
	CHECK(load_model_find(&m, "vllm", NULL, err, sizeof err) == NULL);
	CHECK(strstr(err, "no parameters for backend 'vllm'") != NULL);
	load_model_free(&m);
	/* a parameter missing is an error naming it */
	write_file(path, "{\"backends\": [{\"backend\": \"vllm\", \"versions\": \"*\", \"parameters\": {\"overhead_ms\": 1}}]}");
	CHECK(load_model_read(path, &m, err, sizeof err) == -1);
	CHECK(strstr(err, "backends[0] (vllm): parameters.wave_share must be a number >= 0") != NULL);
	write_file(path, "{\"backends\": [{\"backend\": \"vllm\", \"versions\": \"0.5\", \"parameters\": {}}]}");
	CHECK(load_model_read(path, &m, err, sizeof err) == -1);
	CHECK(strstr(err, "'versions' must be") != NULL);
	write_file(path, "not json");
	CHECK(load_model_read(path, &m, err, sizeof err) == -1);
	CHECK(strstr(err, "not valid JSON") != NULL);
	unlink(path);
	rmdir(dir);
	UNIT_DONE();
}
