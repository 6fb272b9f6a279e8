/* Unit tests of lib/sweep/sweep_space, lib/sweep/sweep_pick and lib/util/pyfloat: the reference's search lists,
 * its Pareto front and per-layout pick, and pandas' number format. */
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"
#include "side_fixture.h"
#include "sweep_pick.h"
#include "sweep_report.h"
#include "sweep_space.h"
#include "unit.h"

static void test_pyfloat(void)
{
	char b[40];
	struct {
		double v;
		const char *s;
	} cases[] = {{2.0, "2.0"}, {3.78, "3.78"}, {1e-5, "1e-05"}, {1e16, "1e+16"}, {0.1 + 0.2, "0.30000000000000004"},
		     {1036.8, "1036.8"}, {-0.5, "-0.5"}, {1e15, "1000000000000000.0"}, {0.0, "0.0"}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		py_float_repr(cases[i].v, b, sizeof b);
		CHECK_STR(b, cases[i].s);
	}
}

static void test_lists(void)
{
	long v[SWEEP_MAX_LIST];
	/* isl 4000 without chunked prefill: whole prompts, one or two */
	size_t n = sweep_ctx_tokens(4000, false, v, SWEEP_MAX_LIST);
	CHECK(n == 2 && v[0] == 4000 && v[1] == 8000);
	n = sweep_ctx_tokens(1024, false, v, SWEEP_MAX_LIST);
	CHECK(n == 8 && v[0] == 1024 && v[7] == 8192);
	n = sweep_ctx_tokens(4000, true, v, SWEEP_MAX_LIST); /* 512 .. 8192 by 512, plus 4000 and 8000 */
	CHECK(n == 18 && v[0] == 512 && v[n - 1] == 8192);
	CHECK(sweep_agg_batches(512, v, SWEEP_MAX_LIST) == 44 && v[43] == 512);
	CHECK(sweep_decode_batches(512, v, SWEEP_MAX_LIST) == 96 && v[95] == 512);
	CHECK(sweep_decode_batches(600, v, SWEEP_MAX_LIST) == 97 && v[96] == 600);
	CHECK(sweep_prefill_batches(1, v, SWEEP_MAX_LIST) == 1 && v[0] == 1);
	double t[SWEEP_MAX_LIST];
	n = sweep_tpot_targets(t, SWEEP_MAX_LIST);
	CHECK(n == 19 + 56 && t[0] == 1 && t[19] == 20 && t[n - 1] == 295);
	CHECK(sweep_agg_point_reached(1, 4000, 4000) && !sweep_agg_point_reached(1, 8000, 4000));
	CHECK(sweep_agg_point_reached(3, 8000, 4000) && !sweep_agg_point_reached(2, 8000, 4000));
	CHECK(sweep_default_nextn("DEEPSEEK") == 1 && sweep_default_nextn("LLAMA") == 0);
}

static void test_layouts(void)
{
	sweep_layout l[SWEEP_MAX_LAYOUTS];
	sweep_spec dense = {.system = "h200_sxm", .backend = "trtllm", .total_gpus = 8};
	CHECK(sweep_layouts(&dense, SWEEP_AGG, l, SWEEP_MAX_LAYOUTS) == 4 && l[3].tp == 8);
	dense.total_gpus = 2;
	CHECK(sweep_layouts(&dense, SWEEP_DECODE, l, SWEEP_MAX_LAYOUTS) == 2);
	dense.system = "gb200";
	dense.total_gpus = 16;
	CHECK(sweep_layouts(&dense, SWEEP_AGG, l, SWEEP_MAX_LAYOUTS) == 5 && l[4].tp == 16);
	/* MoE on TRT-LLM, 8 GPUs: tp*dp = moe_tp*moe_ep, never tp>1 with dp>1 */
	sweep_spec moe = {.system = "h200_sxm", .backend = "trtllm", .is_moe = true, .total_gpus = 8};
	size_t n = sweep_layouts(&moe, SWEEP_AGG, l, SWEEP_MAX_LAYOUTS);
	CHECK(n > 0);
	for (size_t i = 0; i < n; i++) {
		CHECK(l[i].tp * l[i].dp == l[i].moe_tp * l[i].moe_ep);
		CHECK(!(l[i].tp > 1 && l[i].dp > 1));
	}
	char name[64];
	sweep_layout_name(&l[0], name, sizeof name);
	CHECK_STR(name, "tp1pp1dp1etp1ep1");
}

static pick_row row(const char *group, double user, double tpg, double tpot, long gpus)
{
	pick_row r = {0};
	snprintf(r.group, sizeof r.group, "%s", group);
	r.tokens_s_user = user;
	r.tokens_s_gpu = tpg;
	r.tpot = tpot;
	r.num_total_gpus = gpus;
	return r;
}

static void test_pick(void)
{
	pick_row rows[] = {
		row("tp2", 10, 1200, 60, 2), row("tp2", 20, 1000, 40, 2), row("tp4", 30, 950, 29, 4),
		row("tp4", 25, 900, 35, 4),  /* dominated by the tp4 point at 30 */
		row("tp8", 40, 700, 25, 8),  row("tp1", 35, 500, 28, 1),
	};
	pick_table t = {.rows = rows, .n = 6, .cap = 6};
	pick_targets tg = {.ttft = 2000, .tpot = 30, .total_gpus = 12, .top_n = 5};
	pick_table front = {0}, best = {0};
	bool met;
	pick_default(&t, &tg, &front, &best, &met);
	CHECK(met);
	/* 12 GPUs: tp8 fits once (8 of 12 used): 700 * 1 * 8 / 12 */
	CHECK_NEAR(rows[4].tokens_s_gpu_cluster, 700.0 * 8 / 12, 1e-12);
	CHECK(front.n == 5); /* 10, 20, 30, 35, 40 tokens/s/user; only 25 is dominated (by 30) */
	CHECK(front.n == 5 && front.rows[0].tokens_s_user == 10 && front.rows[4].tokens_s_user == 40);
	CHECK(best.n == 3); /* tp4 (950), tp1 (500), tp8 (466.7); tp2 misses TPOT */
	CHECK_STR(best.rows[0].group, "tp4");
	CHECK_STR(best.rows[1].group, "tp1");
	CHECK_STR(best.rows[2].group, "tp8");
	pick_table_free(&front);
	pick_table_free(&best);
}

static side_point side(int tp, long batch, double ttft, double tpot, double seq, bool oom)
{
	side_point s = side_fixture(tp, batch, ttft, tpot, seq);
	s.oom = oom;
	return s;
}

static void test_disagg(void)
{
	/* one prefill worker of 2.304 seq/s; decode tp4 at 9.522 seq/s (the Qwen3-32B pick) */
	side_point p[] = {side(1, 1, 434.045, 0, 2.304, false)};
	side_point d[] = {side(4, 272, 0, 28.9, 9.2, false), side(4, 280, 0, 29.434, 9.522, false),
			  side(4, 288, 0, 29.9, 9.6, true)};
	pick_table out = {0};
	pick_disagg_results(p, 1, d, 3, 1000, 2000, 8, false, &out);
	CHECK(out.n >= 1);
	bool found = false;
	for (size_t i = 0; i < out.n; i++)
		if (out.rows[i].d.batch == 280) {
			found = true;
			CHECK(out.rows[i].p_workers == 4 && out.rows[i].d_workers == 1 && out.rows[i].num_total_gpus == 8);
			CHECK_NEAR(out.rows[i].tokens_s_gpu, 1036.8, 1e-9);
			CHECK_NEAR(out.rows[i].ttft, 781.281, 1e-9);
		}
	CHECK(found);
	for (size_t i = 0; i < out.n; i++)
		CHECK(out.rows[i].d.batch != 288); /* out of memory: never paired */
	pick_table_free(&out);
}

/* The reference's split of a request latency target into (TTFT, TPOT) pairs, and the pick under
 * it: front against request_latency (lower better), best by throughput then lower latency. */
static void test_request_latency(void)
{
	pick_sla sla[PICK_MAX_SLA];
	/* no target: the user's TTFT with every TPOT of the scan (1..19, 20..295 by 5) */
	pick_targets plain = {.ttft = 2000, .tpot = 30};
	size_t n = pick_sla_pairs(&plain, 1000, sla, PICK_MAX_SLA);
	CHECK(n == 75 && sla[0].ttft == 2000 && sla[0].tpot == 1 && sla[74].tpot == 295);
	/* 30000 ms: the 13 typical TTFTs, 9000/15000/21000 (30, 50, 70 %; 3000 and 6000 are typical
	 * range), the user's 2000 already among them */
	pick_targets rl = {.ttft = 2000, .tpot = 30, .request_latency = 30000};
	n = pick_sla_pairs(&rl, 1000, sla, PICK_MAX_SLA);
	CHECK(n == 16);
	CHECK(n == 16 && sla[0].ttft == 300 && sla[12].ttft == 8000 && sla[13].ttft == 9000 && sla[15].ttft == 21000);
	CHECK_NEAR(sla[0].tpot, 29700.0 / 999, 1e-12);
	CHECK_NEAR(sla[15].tpot, 9000.0 / 999, 1e-12);
	/* 1000 ms: TTFTs below it only: 100 (10 %), 200 (20 %), 300..800, and the user's 750 */
	pick_targets small = {.ttft = 750, .request_latency = 1000};
	n = pick_sla_pairs(&small, 11, sla, PICK_MAX_SLA);
	CHECK(n == 8);
	CHECK(n == 8 && sla[0].ttft == 100 && sla[1].ttft == 200 && sla[6].ttft == 750 && sla[7].ttft == 800);
	CHECK_NEAR(sla[0].tpot, 90.0, 1e-12);

	pick_row rows[] = {
		row("tp2", 0, 1200, 0, 2), row("tp2", 0, 1000, 0, 2), row("tp4", 0, 950, 0, 4),
		row("tp4", 0, 900, 0, 4), row("tp1", 0, 950, 0, 1),
	};
	double latency[] = {9000, 7000, 5000, 6000, 4000};
	for (size_t i = 0; i < 5; i++)
		rows[i].request_latency = latency[i];
	pick_table t = {.rows = rows, .n = 5, .cap = 5};
	pick_targets tg = {.ttft = 2000, .tpot = 30, .request_latency = 6500, .total_gpus = 4, .top_n = 5};
	pick_table front = {0}, best = {0};
	bool met;
	pick_default(&t, &tg, &front, &best, &met);
	CHECK(met);
	/* ascending latency: 4000 (950), 5000 (950: no better, gone), 6000 (900: gone), 7000 (1000), 9000 (1200) */
	CHECK(front.n == 3);
	CHECK(front.n == 3 && front.rows[0].request_latency == 4000 && front.rows[1].request_latency == 7000 &&
	      front.rows[2].request_latency == 9000);
	/* under 6500 ms: tp4 (950 at 5000) and tp1 (950 at 4000): equal throughput, lower latency first */
	CHECK(best.n == 2);
	CHECK(best.n == 2 && strcmp(best.rows[0].group, "tp1") == 0 && strcmp(best.rows[1].group, "tp4") == 0);
	pick_table_free(&front);
	pick_table_free(&best);
}

/* Load-model agg points: read from a load report, and searched without run_agg's balance skip. */
static void test_load_points(void)
{
	const char *json =
		"{\"record\":\"report\",\"config_id\":\"agg/tp2pp1dp2etp1ep1/b21\",\"mode\":\"agg\",\"tp\":2,\"pp\":1,"
		"\"dp\":2,\"moe_tp\":null,\"moe_ep\":null,\"batch\":21,\"oom\":false,\"serving\":{\"mode\":\"agg\","
		"\"model\":\"load\",\"chunk_tokens\":8192,\"chunk_prompts\":2},\"latency_model\":\"load\","
		"\"ttft_ms\":900,\"tpot_ms\":20,\"request_latency_ms\":900,\"seq_per_s\":4,\"seq_per_s_per_gpu\":1,"
		"\"tokens_per_s\":40,\"tokens_per_s_per_gpu\":10,\"tokens_per_s_per_user\":50,\"concurrency\":42,"
		"\"num_total_gpus\":4,\"memory\":70,\"load\":{\"chunk_tokens\":8192,\"chunk_prompts\":2}}";
	cJSON *r = cJSON_Parse(json);
	agg_point p;
	char err[256];
	CHECK(sweep_agg_point(r, 0.9, &p, err, sizeof err) == 0);
	CHECK(p.load && !p.error && !p.oom && !p.kv_cache_oom);
	CHECK(p.batch == 21 && p.global_batch == 42 && p.concurrency == 42 && p.ctx_tokens == 8192);
	CHECK(p.num_ctx_reqs == 2 && p.num_gen_reqs == 21 && p.ttft == 900 && p.tpot == 20);
	/* a load report without its load object is an error naming the key, not a zero */
	cJSON_DeleteItemFromObject(r, "load");
	CHECK(sweep_agg_point(r, 0.9, &p, err, sizeof err) == -1);
	CHECK(strstr(err, "'load.chunk_tokens' is missing") != NULL);
	cJSON_Delete(r);

	/* isl 4000, osl 10, ctx 4000: batch 20 and 30 both have decode share 10; the reference's
	 * loop skips the second, the load model has no balance and keeps both */
	agg_point pts[2];
	for (int i = 0; i < 2; i++) {
		memset(&pts[i], 0, sizeof pts[i]);
		pts[i].layout = (sweep_layout){1, 1, 1, 1, 1};
		pts[i].batch = 20 + 10 * i;
		pts[i].ctx_tokens = 4000;
		pts[i].ttft = 100;
		pts[i].tpot = 10;
		pts[i].seq_s = 1 + i;
		pts[i].tokens_s_gpu = 10 + i;
		pts[i].num_total_gpus = 1;
	}
	pick_table t = {0};
	pick_agg_results(pts, 2, 4000, 10, 1000, &t);
	CHECK(t.n == 1);
	pick_table_free(&t);
	pts[0].load = pts[1].load = true;
	pick_agg_results(pts, 2, 4000, 10, 1000, &t);
	CHECK(t.n == 2);
	pick_table_free(&t);
}

/* sweep_layout_name writes what snprintf's "tp%dpp%ddp%detp%dep%d" writes, cut alike. */
static void test_layout_name(void)
{
	const sweep_layout ls[] = { { 1, 1, 1, 1, 1 }, { 8, 2, 4, 16, 32 }, { 1024, 10, 0, 512, 100000 }, { -3, 7, 2147483647, -2147483647 - 1, 9 } };
	for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++)
		for (size_t n = 0; n <= 64; n++) {
			char got[64] = "unset", want[64] = "unset";
			sweep_layout_name(&ls[i], got, n);
			if (n)
				snprintf(want, n, "tp%dpp%ddp%detp%dep%d", ls[i].tp, ls[i].pp, ls[i].dp, ls[i].moe_tp, ls[i].moe_ep);
			CHECK_STR(got, want);
		}
}

int main(void)
{
	test_layout_name();
	test_pyfloat();
	test_lists();
	test_layouts();
	test_pick();
	test_disagg();
	test_request_latency();
	test_load_points();
	UNIT_DONE();
}
