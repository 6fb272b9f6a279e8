/* DeepSeek-V4 ops (lib/query/opquery_dsv4): the pair counts and the per-call latencies of the mHC
 * and compressed-attention modules against values the reference's PerfDatabase gave for the
 * same arguments on h200_sxm / trtllm (speed of light, and the HYBRID fallback, as no system has
 * DeepSeek-V4 tables), and the SILICON refusal. */
#include <stdlib.h>

#include "opquery.h"
#include "opquery_dsv4.h"
#include "unit.h"

static void test_pair_counts(void)
{
	CHECK(dsv4_causal_limited_pairs(8, 1024, 0, 128) == 983552);
	CHECK(dsv4_causal_limited_pairs(2, 100, 0, 128) == 10100);
	CHECK(dsv4_causal_limited_pairs(3, 50, 200, 128) == 19200);
	CHECK(dsv4_causal_limited_pairs(1, 300, 100, 128) == 38022);
	CHECK(dsv4_causal_limited_pairs(4, 0, 5, 128) == 0);
	CHECK(dsv4_causal_limited_pairs(1, 10, 0, 0) == 0);

	CHECK(dsv4_sum_floor_upto(-1, 4) == 0);
	CHECK(dsv4_sum_floor_upto(0, 4) == 0);
	CHECK(dsv4_sum_floor_upto(3, 4) == 0);
	CHECK(dsv4_sum_floor_upto(4, 4) == 1);
	CHECK(dsv4_sum_floor_upto(17, 4) == 32);
	CHECK(dsv4_sum_floor_upto(1000, 128) == 3423);

	CHECK(dsv4_compressed_context_pairs(8, 1024, 0, 4, 512) == 1046528);     /* before saturation */
	CHECK(dsv4_compressed_context_pairs(2, 9000, 2000, 4, 512) == 9215400);  /* saturated from the start */
	CHECK(dsv4_compressed_context_pairs(1, 3000, 0, 128, 23) == 33695);      /* ramp, then saturated */
	CHECK(dsv4_compressed_context_pairs(1, 100, 2040, 4, 512) == 51190);
	CHECK(dsv4_compressed_context_pairs(1, 5000, 1000, 4, 512) == 2422450);
	CHECK(dsv4_compressed_context_pairs(3, 10, 0, 4, 0) == 0);
}

static double one(perfdb *db, const char *type, const char *attrs_json, long long x, long long batch, long long s,
		  long long prefix, perf_source *src, int *st)
{
	cJSON *attrs = cJSON_Parse(attrs_json);
	opq_point pt = { .x = x, .batch = batch, .beam = 1, .s = s, .prefix = prefix, .count = 1, .seq_scale = 1,
			 .gen_seq_scale = 1 };
	perf_result r = { 0 };
	char err[512];
	*st = opquery_point(db, type, attrs, 1.0, &pt, &r, err, sizeof err);
	cJSON_Delete(attrs);
	*src = r.source;
	return r.latency;
}

static const char *const MHC = "{\"op\":\"%s\",\"hidden_size\":4096,\"hc_mult\":4,\"sinkhorn_iters\":20,"
			       "\"quant_mode\":\"bfloat16\"}";
static const char *const ATTN =
	"{\"num_heads\":8,\"native_heads\":64,\"tp_size\":8,\"hidden_size\":4096,\"q_lora_rank\":1024,"
	"\"o_lora_rank\":1024,\"head_dim\":512,\"rope_head_dim\":64,\"index_n_heads\":64,\"index_head_dim\":128,"
	"\"index_topk\":512,\"window_size\":128,\"compress_ratio\":%d,\"o_groups\":1,\"kvcache_quant_mode\":\"fp8\","
	"\"fmha_quant_mode\":\"bfloat16\",\"gemm_quant_mode\":\"fp8_block\"}";

static void test_modules(perfdb *db)
{
	char a[1024];
	perf_source src;
	int st;
	const char *ops[] = { "pre", "post", "both" };
	const double sol[] = { 0.22435159583333333, 0.22402391583333334, 0.3361997025 };
	const double emp[] = { 0.40791199242424236, 0.4073162106060606, 0.6112721863636362 };
	for (int i = 0; i < 3; i++) {
		snprintf(a, sizeof a, MHC, ops[i]);
		perfdb_set_mode(db, PERF_SOL);
		CHECK_NEAR(one(db, "DeepSeekV4MHCModule", a, 8192, 8, 1024, 0, &src, &st), sol[i], 1e-12);
		CHECK(st == 0 && src == PERF_SRC_SOL);
		perfdb_set_mode(db, PERF_HYBRID);
		CHECK_NEAR(one(db, "DeepSeekV4MHCModule", a, 8192, 8, 1024, 0, &src, &st), emp[i], 1e-12);
		CHECK(st == 0 && src == PERF_SRC_EMPIRICAL);
	}
	const int ratios[] = { 0, 4, 128 };
	const double ctx_sol[] = { 0.6748859733333333, 3.06520512, 0.7732445866666667 };
	const double gen_emp[] = { 0.010988088888888891, 0.029090488888888887, 0.013331911111111112 };
	for (int i = 0; i < 3; i++) {
		snprintf(a, sizeof a, ATTN, ratios[i]);
		perfdb_set_mode(db, PERF_SOL);
		CHECK_NEAR(one(db, "ContextDeepSeekV4AttentionModule", a, 6000, 2, 3000, 1000, &src, &st), ctx_sol[i],
			   1e-12);
		CHECK(st == 0 && src == PERF_SRC_SOL);
		perfdb_set_mode(db, PERF_HYBRID);
		CHECK_NEAR(one(db, "GenerationDeepSeekV4AttentionModule", a, 16, 16, 5000, 0, &src, &st), gen_emp[i],
			   1e-12);
		CHECK(st == 0 && src == PERF_SRC_EMPIRICAL);
	}
	/* SILICON: no DeepSeek-V4 table anywhere, so the look-up is refused */
	perfdb_set_mode(db, PERF_SILICON);
	snprintf(a, sizeof a, MHC, "pre");
	one(db, "DeepSeekV4MHCModule", a, 8192, 8, 1024, 0, &src, &st);
	CHECK(st == PERFDB_REFUSED);
	snprintf(a, sizeof a, ATTN, 4);
	one(db, "GenerationDeepSeekV4AttentionModule", a, 16, 16, 5000, 0, &src, &st);
	CHECK(st == PERFDB_REFUSED);
	/* bad attrs */
	perfdb_set_mode(db, PERF_HYBRID);
	snprintf(a, sizeof a, MHC, "middle");
	one(db, "DeepSeekV4MHCModule", a, 8192, 8, 1024, 0, &src, &st);
	CHECK(st == -2);
	one(db, "ContextDeepSeekV4AttentionModule", "{\"num_heads\":8}", 8192, 8, 1024, 0, &src, &st);
	CHECK(st == -2);
}

int main(void)
{
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	setenv("INFERCAST_DATA", "../shared/data", 0);
	test_pair_counts();
	char err[512];
	perfdb *db = perfdb_open(NULL, "h200_sxm", "trtllm", NULL, err, sizeof err);
	CHECK(db != NULL);
	if (db) {
		test_modules(db);
		perfdb_close(db);
	} else {
		fprintf(stderr, "%s\n", err);
	}
	CHECK(opquery_known("DeepSeekV4MHCModule") && opquery_known("ContextDeepSeekV4AttentionModule") &&
	      opquery_known("GenerationDeepSeekV4AttentionModule"));
	UNIT_DONE();
}
