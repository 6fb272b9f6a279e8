/* The wide-EP tables (lib/perf/table_wideep): look-ups on the shared tables (exact rows, values
 * interpolated by hand from neighbouring rows, a few cubic/SOL values probed from the
 * reference), the DeepEP and all-to-all tables on a made-up data tree, the modes and the
 * refusals. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hint.h"
#include "table_moe.h"
#include "table_wideep.h"
#include "unit.h"

static const quant_mode *Q(quant_kind k, const char *n) { return quant_find(k, n); }

static perfdb *open_db(const char *root, const char *sys, const char *backend)
{
	char err[1024];
	perfdb *db = perfdb_open(root, sys, backend, NULL, err, sizeof err);
	if (!db)
		fprintf(stderr, "open %s/%s: %s\n", sys, backend, err);
	CHECK(db != NULL);
	return db;
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

static void sglang_mla(void)
{
	perfdb *db = open_db(NULL, "h200_sxm", "sglang");
	if (!db)
		return;
	const quant_mode *kv = Q(QUANT_KVCACHE, "fp8"), *fmha = Q(QUANT_FMHA, "fp8_block");
	perf_result r;
	char err[1024];
	/* a measured row: flashinfer, 128 heads, b=1, isl=1024 */
	CHECK(perfdb_wideep_context_mla(db, 1, 1024, 0, 1, kv, fmha, NULL, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 0.7636, 1e-12);
	CHECK_STR(perf_detail_name(r.detail), "measured");
	CHECK_STR(perf_source_name(r.source), "silicon");
	/* cubic between rows, and a cached prefix (values of the reference's query) */
	CHECK(perfdb_wideep_context_mla(db, 3, 1000, 0, 1, kv, fmha, "flashinfer", &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 1.4048230966460216, 1e-9);
	CHECK(perfdb_wideep_context_mla(db, 8, 4096, 1024, 2, kv, fmha, "flashinfer", &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 13.348903869491028, 1e-9);
	/* generation, fa3, 128 heads, b=1: kv length 1025 lies between the rows at 1024 (0.1008 ms)
	 * and 2048 (0.1024 ms) */
	CHECK(perfdb_wideep_generation_mla(db, 1, 1025, 1, kv, fmha, "fa3", &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 0.1008 + (0.1024 - 0.1008) * (1.0 / 1024), 1e-12);
	CHECK_STR(perf_detail_name(r.detail), "interpolated");
	/* an attention backend the reference does not know: refused, HYBRID falls back */
	CHECK(perfdb_wideep_generation_mla(db, 1, 1025, 1, kv, fmha, "triton", &r, err, sizeof err) == PERFDB_REFUSED);
	CHECK(strstr(err, "unsupported attention backend 'triton'") != NULL);
	perfdb_set_mode(db, PERF_HYBRID);
	CHECK(perfdb_wideep_generation_mla(db, 1, 1025, 1, kv, fmha, "triton", &r, err, sizeof err) == 0);
	CHECK_STR(perf_source_name(r.source), "empirical");
	CHECK_NEAR(r.latency, wideep_generation_mla_sol_ms(perfdb_system(db), 1, 1025, 1, fmha) / 0.7, 1e-15);
	/* speed of light (the reference's values) */
	perfdb_set_mode(db, PERF_SOL);
	CHECK(perfdb_wideep_context_mla(db, 8, 4096, 1024, 2, kv, fmha, NULL, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 7.017863650491406, 1e-12);
	CHECK(perfdb_wideep_generation_mla(db, 16, 2049, 8, kv, fmha, NULL, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 0.01264512, 1e-12);
	perfdb_set_mode(db, PERF_EMPIRICAL);
	CHECK(perfdb_wideep_context_mla(db, 8, 4096, 1024, 2, kv, fmha, NULL, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 7.017863650491406 / 0.6, 1e-12);

	/* the SGLang DeepEP MoE path of the MoE op: context table, uniform, ep 2 */
	perfdb_set_mode(db, PERF_SILICON);
	moe_query q = { .num_tokens = 32, .hidden_size = 7168, .inter_size = 2048, .topk = 8, .num_experts = 256,
			.moe_tp = 1, .moe_ep = 2, .quant = Q(QUANT_MOE, "fp8_block"), .distribution = "uniform",
			.is_context = true, .moe_backend = "deepep_moe", .is_gated = true };
	CHECK(perfdb_moe(db, &q, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 0.40285257356507437, 1e-15);
	q.num_tokens = 48; /* halfway between the rows at 32 and 64 tokens */
	CHECK(perfdb_moe(db, &q, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 0.40285257356507437 + (0.3779017116342272 - 0.40285257356507437) * 0.5, 1e-14);
	q.moe_ep = 3; /* no such layout measured */
	CHECK(perfdb_moe(db, &q, &r, err, sizeof err) == PERFDB_REFUSED);
	perfdb_close(db);

	/* the wide-EP MLA tables are SGLang's: refused elsewhere, HYBRID included */
	db = open_db(NULL, "h200_sxm", "trtllm");
	if (!db)
		return;
	perfdb_set_mode(db, PERF_HYBRID);
	CHECK(perfdb_wideep_context_mla(db, 1, 1024, 0, 1, kv, fmha, NULL, &r, err, sizeof err) == PERFDB_REFUSED);
	CHECK(strstr(err, "SGLang-only") != NULL);
	perfdb_close(db);
}

static void trtllm_compute(void)
{
	perfdb *db = open_db(NULL, "h200_sxm", "trtllm");
	if (!db)
		return;
	perf_result r;
	char err[1024];
	/* the table's kernel is wideep_compute_cutlass: the preferred moe_torch_flow gives way to it */
	wideep_moe_query q = { .num_tokens = 1, .hidden_size = 6144, .inter_size = 2048, .topk = 8, .num_experts = 256,
			       .num_slots = 256, .moe_tp = 1, .moe_ep = 2, .quant = Q(QUANT_MOE, "fp8_block"),
			       .distribution = "power_law_1.01", .is_gated = true };
	CHECK(perfdb_wideep_moe_compute(db, &q, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 0.150764799118042, 1e-15);
	CHECK_STR(perf_detail_name(r.detail), "measured");
	q.num_tokens = 100; /* between the rows at 96 and 128 tokens */
	CHECK(perfdb_wideep_moe_compute(db, &q, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 1.0082688331604004 + (1.1182080268859864 - 1.0082688331604004) * (4.0 / 32), 1e-14);
	/* speed of light: 800 routed tokens, 400 a rank; the weights of 128 slots dominate:
	 * (400*6144*2 + 400*2048*3 + 6144*2048*3*128) bytes / 4.8 TB/s */
	perfdb_set_mode(db, PERF_SOL);
	CHECK(perfdb_wideep_moe_compute(db, &q, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, (400.0 * 6144 * 2 + 400.0 * 2048 * 3 + 6144.0 * 2048 * 3 * 128) / 4.8e12 * 1000, 1e-12);
	CHECK_NEAR(r.latency, 1.00816896, 1e-12); /* the reference's */
	/* a layout not measured: refused in SILICON, the math-only empirical estimate in HYBRID */
	perfdb_set_mode(db, PERF_SILICON);
	q.moe_ep = 3;
	CHECK(perfdb_wideep_moe_compute(db, &q, &r, err, sizeof err) == PERFDB_REFUSED);
	CHECK(hint_of(err, NULL) == HINT_HYBRID_MODE); /* query adds "(try --database-mode hybrid)" */
	CHECK(strstr(err, "--") == NULL);
	perfdb_set_mode(db, PERF_HYBRID);
	CHECK(perfdb_wideep_moe_compute(db, &q, &r, err, sizeof err) == 0);
	double ops = (double)(100LL * 8 * 6144 * 2048 * 3 * 2 / 3);
	CHECK_NEAR(r.latency, ops / (perfdb_system(db)->bfloat16_tc_flops * 2) * 1000 / 0.4, 1e-15);
	CHECK_STR(perf_source_name(r.source), "empirical");
	perfdb_close(db);
}

static void made_up_tree(void)
{
	char root[] = "/tmp/infercast-wideep-XXXXXX";
	CHECK(mkdtemp(root) != NULL);
	char p[512];
	const char *dirs[] = { "h200_sxm", "h200_sxm/sglang", "h200_sxm/sglang/0.5.10", "h200_sxm/trtllm",
			       "h200_sxm/trtllm/1.3.0rc10" };
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
		CHECK(mkdir(p, 0755) == 0);
	}
	snprintf(p, sizeof p, "%s/h200_sxm/sglang/0.5.10/wideep_deepep_ll_perf.txt", root);
	write_file(p, "hidden_size,node_num,num_token,num_topk,num_experts,dispatch_avg_t_us,combine_avg_t_us\n"
		      "7168,1,8,8,256,40,60\n7168,1,16,8,256,50,70\n7168,1,32,8,256,70,90\n"
		      "7168,1,16,8,256,999,999\n"); /* a repeated shape: the first row stays */
	char normal[512];
	snprintf(normal, sizeof normal, "%s/h200_sxm/sglang/0.5.10/wideep_deepep_normal_perf.txt", root);
	write_file(normal, "num_token,num_topk,node_num,num_experts,hidden_size,dispatch_sms,dispatch_transmit_us,"
			   "dispatch_notify_us,combine_transmit_us,combine_notify_us\n"
			   "1024,8,1,256,7168,20,100,10,150,20\n2048,8,1,256,7168,20,180,10,250,20\n"
			   "1024,8,1,256,7168,24,90,10,140,20\n2048,8,1,256,7168,24,170,10,240,20\n");
	snprintf(p, sizeof p, "%s/h200_sxm/trtllm/1.3.0rc10/trtllm_alltoall_perf.txt", root);
	write_file(p, "kernel_source,op_name,moe_dtype,num_tokens,hidden_size,topk,num_experts,moe_ep_size,latency\n"
		      "DeepEPLowLatency,alltoall_dispatch,fp8,64,7168,8,256,8,0.05\n"
		      "DeepEPLowLatency,alltoall_dispatch,fp8,128,7168,8,256,8,0.07\n");

	perf_result r;
	char err[1024];
	perfdb *db = open_db(root, "h200_sxm", "sglang");
	if (db) {
		/* low latency: dispatch + combine µs, in ms; 8 GPUs of an 8-GPU node are one node */
		CHECK(perfdb_wideep_deepep_ll(db, 8.0 / 8, 16, 256, 8, 7168, &r, err, sizeof err) == 0);
		CHECK_NEAR(r.latency, 0.120, 1e-15);
		CHECK(perfdb_wideep_deepep_ll(db, 1.0, 24, 256, 8, 7168, &r, err, sizeof err) == 0);
		CHECK_NEAR(r.latency, 0.140, 1e-15);
		/* beyond the last row: the line through the last two */
		CHECK(perfdb_wideep_deepep_ll(db, 1.0, 64, 256, 8, 7168, &r, err, sizeof err) == 0);
		CHECK_NEAR(r.latency, 0.240, 1e-15);
		CHECK_STR(perf_detail_name(r.detail), "extrapolated");
		/* half a node (4 GPUs) was not measured; no mode recovers a DeepEP miss */
		perfdb_set_mode(db, PERF_HYBRID);
		CHECK(perfdb_wideep_deepep_ll(db, 0.5, 16, 256, 8, 7168, &r, err, sizeof err) == PERFDB_REFUSED);
		CHECK(strstr(err, "has no rows for this shape") != NULL);
		/* normal: 20 SMs on one node reads the SM-20 row along the tokens (280 and 460 µs) */
		CHECK(perfdb_wideep_deepep_normal(db, 1.0, 1536, 256, 8, 7168, 20, &r, err, sizeof err) == 0);
		CHECK_NEAR(r.latency, 0.370, 1e-15);
		/* other SM counts: linear over (SMs, tokens); these rows are affine, so exactly 360 µs */
		CHECK(perfdb_wideep_deepep_normal(db, 1.0, 1536, 256, 8, 7168, 22, &r, err, sizeof err) == 0);
		CHECK_NEAR(r.latency, 0.360, 1e-12);
		perfdb_set_mode(db, PERF_SOL);
		CHECK(perfdb_wideep_deepep_normal(db, 1.0, 1536, 256, 8, 7168, 20, &r, err, sizeof err) == PERFDB_REFUSED);
		perfdb_close(db);
	}
	db = open_db(root, "h200_sxm", "trtllm");
	if (db) {
		const quant_mode *fp8b = Q(QUANT_MOE, "fp8_block");
		/* Hopper + wide-EP within one node: DeepEP low latency; fp8_block reads the fp8 rows;
		 * without a num_nodes column the rows count moe_ep / 4 = 2 nodes, as the query does */
		CHECK(perfdb_trtllm_alltoall(db, "alltoall_dispatch", 96, 7168, 8, 256, 8, fp8b, 0, "WIDEEP", &r, err,
					     sizeof err) == 0);
		CHECK_NEAR(r.latency, 0.06, 1e-14);
		CHECK(perfdb_trtllm_alltoall(db, "alltoall_dispatch", 128, 7168, 8, 256, 8, fp8b, 0, "wideep", &r, err,
					     sizeof err) == 0);
		CHECK_NEAR(r.latency, 0.07, 1e-15);
		/* no all-to-all for the default MoE backend on Hopper: 0 */
		CHECK(perfdb_trtllm_alltoall(db, "alltoall_dispatch", 96, 7168, 8, 256, 8, fp8b, 0, NULL, &r, err,
					     sizeof err) == 0);
		CHECK(r.latency == 0.0);
		CHECK(perfdb_trtllm_alltoall(db, "alltoall_shuffle", 96, 7168, 8, 256, 8, fp8b, 0, "WIDEEP", &r, err,
					     sizeof err) == PERFDB_REFUSED);
		/* combine was not measured: refused, then the empirical estimate (SOL / 0.5) in HYBRID:
		 * 96 tokens x 7 remote ranks x 7168 x 2 bytes over the inter-node bandwidth (2 nodes) */
		CHECK(perfdb_trtllm_alltoall(db, "alltoall_combine", 96, 7168, 8, 256, 8, fp8b, 0, "WIDEEP", &r, err,
					     sizeof err) == PERFDB_REFUSED);
		perfdb_set_mode(db, PERF_HYBRID);
		CHECK(perfdb_trtllm_alltoall(db, "alltoall_combine", 96, 7168, 8, 256, 8, fp8b, 0, "WIDEEP", &r, err,
					     sizeof err) == 0);
		CHECK_NEAR(r.latency, 96.0 * 7 * 7168 * 2 / perfdb_system(db)->inter_node_bw_bytes_per_s * 1000 / 0.5,
			   1e-15);
		perfdb_close(db);
	}
	/* a bad row is "FILE:LINE: what" */
	write_file(normal, "num_token,num_topk,node_num,num_experts,hidden_size,dispatch_sms,dispatch_transmit_us,"
			   "dispatch_notify_us,combine_transmit_us,combine_notify_us\n1024,8,1,256,7168,20,x,10,150,20\n");
	db = open_db(root, "h200_sxm", "sglang");
	if (db) {
		CHECK(perfdb_wideep_deepep_normal(db, 1.0, 1536, 256, 8, 7168, 20, &r, err, sizeof err) == PERFDB_FATAL);
		CHECK(strstr(err, "wideep_deepep_normal_perf.txt:2: dispatch_transmit_us 'x' is not a number") != NULL);
		perfdb_close(db);
	}
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	CHECK(system(cmd) == 0);
}

int main(void)
{
	setenv("INFERCAST_DATA", "../shared/data", 0);
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	sglang_mla();
	trtllm_compute();
	made_up_tree();
	UNIT_DONE();
}
