/* table_mamba: Mamba2 and GDN kernel look-ups against numbers the reference produced (per-call
 * values taken from the static goldens: op latency / scale factor / decode steps), the
 * speed-of-light formulas by hand, and the fallbacks: another shape of the same width (first
 * read for Mamba2, closest value-head count for GDN, first on ties), points beyond the grid,
 * kernels the table lacks, a system without the file, and Mamba2 generation always SOL. */
#include <stdlib.h>

#include "table_mamba.h"
#include "unit.h"

static perfdb *open_db(const char *system, const char *backend)
{
	char err[1024];
	perfdb *db = perfdb_open(NULL, system, backend, NULL, err, sizeof err);
	if (!db)
		fprintf(stderr, "%s\n", err);
	CHECK(db != NULL);
	return db;
}

static void mamba2(void)
{
	perfdb *db = open_db("h200_sxm", "trtllm");
	if (!db)
		return;
	double bw = perfdb_system(db)->mem_bw_bytes_per_s;
	char err[512];
	perf_result r;
	/* Nemotron-3 Nano's shape is measured: its context conv1d at batch 8, 1024 tokens */
	mamba2_shape nano = { 2688, 128, 4, 64, 64, 8, 128 };
	CHECK(table_mamba2_lookup(db, "context", "causal_conv1d_fn", 8, 1024, &nano, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 2.347472035884857 / 23, 1e-12);
	CHECK(r.source == PERF_SRC_SILICON);
	/* the scan kernel has no rows: SOL, x (d_inner + 2 groups·state + heads) · 2 read + x d_inner · 2 written */
	CHECK(table_mamba2_lookup(db, "context", "mamba_chunk_scan_combined", 8, 1024, &nano, &r, err, sizeof err) == 0);
	double x = 8.0 * 1024, d_inner = 64 * 64;
	CHECK_NEAR(r.latency, (x * (d_inner + 8 * 128 * 2 + 64) * 2 + x * d_inner * 2) / bw * 1000, 1e-12);
	CHECK(r.source == PERF_SRC_SOL);
	/* generation rows exist in the file, but the reference never keeps them: SOL */
	CHECK(table_mamba2_lookup(db, "generation", "causal_conv1d_update", 16, 0, &nano, &r, err, sizeof err) == 0);
	double conv_dim = d_inner + 2 * 8 * 128;
	CHECK_NEAR(r.latency, (16 * conv_dim * 5 * 2 + 16 * conv_dim * 2) / bw * 1000, 1e-12);
	CHECK(r.source == PERF_SRC_SOL);
	/* Nemotron-H 56B's shape is not measured: the first shape of width 8192 answers (golden) */
	mamba2_shape h56 = { 8192, 256, 4, 256, 64, 8, 128 }, measured = { 8192, 128, 4, 64, 64, 8, 256 };
	perf_result m;
	CHECK(table_mamba2_lookup(db, "context", "causal_conv1d_fn", 16, 4000, &h56, &r, err, sizeof err) == 0);
	CHECK(table_mamba2_lookup(db, "context", "causal_conv1d_fn", 16, 4000, &measured, &m, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 31.48786992430687 / 54, 1e-12);
	CHECK(r.latency == m.latency);
	/* beyond the measured sequence lengths: SOL */
	CHECK(table_mamba2_lookup(db, "context", "causal_conv1d_fn", 8, 40000, &nano, &r, err, sizeof err) == 0);
	CHECK(r.source == PERF_SRC_SOL);
	/* a width never measured: SOL */
	mamba2_shape other = { 3000, 128, 4, 64, 64, 8, 128 };
	CHECK(table_mamba2_lookup(db, "context", "causal_conv1d_fn", 8, 1024, &other, &r, err, sizeof err) == 0);
	CHECK(r.source == PERF_SRC_SOL);
	perfdb_close(db);
}

static void gdn(void)
{
	perfdb *db = open_db("h200_sxm", "trtllm");
	if (!db)
		return;
	double bw = perfdb_system(db)->mem_bw_bytes_per_s;
	char err[512];
	perf_result r, m;
	gdn_shape q27 = { 5120, 16, 128, 48, 128, 4 };
	CHECK(table_gdn_lookup(db, "context", "chunk_gated_delta_rule", 8, 4000, &q27, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 122.76161684989928 / 48, 1e-12);
	CHECK(r.source == PERF_SRC_SILICON);
	/* decode conv1d at batch 16 (batch 8 with one MTP token), the same at every step */
	CHECK(table_gdn_lookup(db, "generation", "causal_conv1d_update", 16, 0, &q27, &r, err, sizeof err) == 0);
	CHECK_NEAR(r.latency, 101.25647627748555 / 26.351351351351347 / 999, 1e-9);
	/* the decode recurrence is not in the table: SOL with both states read and written */
	CHECK(table_gdn_lookup(db, "generation", "fused_sigmoid_gating_delta_rule_update", 16, 0, &q27, &r, err,
			       sizeof err) == 0);
	double state = 48.0 * 128 * 128;
	double bytes = 16 * (2048.0 + 6144) * 2 + state * 2 * 16 + 16 * 6144.0 * 2 + state * 2 * 16;
	CHECK_NEAR(r.latency, bytes / bw * 1000, 1e-12);
	CHECK(r.source == PERF_SRC_SOL);
	/* width 2048 has 16 and 32 value heads: 24 is as close to both, the first read wins */
	gdn_shape v24 = { 2048, 16, 128, 24, 128, 4 }, v16 = { 2048, 16, 128, 16, 128, 4 };
	gdn_shape v30 = { 2048, 16, 128, 30, 128, 4 }, v32 = { 2048, 16, 128, 32, 128, 4 };
	CHECK(table_gdn_lookup(db, "context", "causal_conv1d_fn", 4, 2048, &v24, &r, err, sizeof err) == 0);
	CHECK(table_gdn_lookup(db, "context", "causal_conv1d_fn", 4, 2048, &v16, &m, err, sizeof err) == 0);
	CHECK(r.latency == m.latency);
	CHECK(table_gdn_lookup(db, "context", "causal_conv1d_fn", 4, 2048, &v30, &r, err, sizeof err) == 0);
	CHECK(table_gdn_lookup(db, "context", "causal_conv1d_fn", 4, 2048, &v32, &m, err, sizeof err) == 0);
	CHECK(r.latency == m.latency);
	/* chunked scan SOL: 64-token chunks of state written and read back */
	CHECK(table_gdn_lookup(db, "context", "chunk_gated_delta_rule", 2, 70000, &q27, &r, err, sizeof err) == 0);
	double x = 2.0 * 70000, chunks = 70000 / 64, h = chunks * state * 2 * 2;
	bytes = x * 8192 * 2 + state * 2 * 2 + h + x * 6144 * 2 + state * 2 * 2 + h;
	CHECK_NEAR(r.latency, bytes / bw * 1000, 1e-12);
	CHECK(r.source == PERF_SRC_SOL);
	perfdb_close(db);
	/* a system without gdn_perf.txt: SOL */
	db = open_db("l40s", "trtllm");
	if (!db)
		return;
	CHECK(table_gdn_lookup(db, "context", "causal_conv1d_fn", 4, 2048, &v16, &r, err, sizeof err) == 0);
	CHECK(r.source == PERF_SRC_SOL);
	perfdb_close(db);
}

int main(void)
{
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	setenv("INFERCAST_DATA", "../shared/data", 0);
	mamba2();
	gdn();
	UNIT_DONE();
}
