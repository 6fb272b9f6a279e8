/* table_dsa / opquery_dsa: DSA module look-ups against numbers the reference's PerfDatabase gave
 * (query_context_dsa_module / query_generation_dsa_module, a54593e24) on the shared tables, in
 * every database mode, and on a small made-up table with two cached-prefix slices
 * (tests/fixtures/dsa) for the paths the shared tables never reach: a prefix between or beyond
 * the measured ones, a top-k boundary moved below zero by a long prefix, and the regime rule. */
#include <stdlib.h>
#include <string.h>

#include "opquery_dsa.h"
#include "table_dsa.h"
#include "unit.h"

static perfdb *open_db(void)
{
	char err[1024];
	perfdb *db = perfdb_open(NULL, "h200_sxm", "sglang", "0.5.10", err, sizeof err);
	if (!db)
		fprintf(stderr, "%s\n", err);
	CHECK(db != NULL);
	return db;
}

typedef struct ref_point {
	bool context;
	long long b, s, prefix, heads;
	const char *kv, *gemm, *arch;
	perf_mode mode;
	double latency;
	perf_source source;
} ref_point;

static const ref_point shared_refs[] = {
	{ true, 1, 2048, 0, 16, "fp8", "fp8_block", "DeepseekV32ForCausalLM", PERF_SILICON, 0.901, PERF_SRC_SILICON },
	{ true, 8, 3000, 0, 16, "fp8", "fp8_block", "DeepseekV32ForCausalLM", PERF_SILICON, 20.7887333984375,
	  PERF_SRC_SILICON },
	{ true, 8, 1024, 0, 8, "bfloat16", "bfloat16", "GlmMoeDsaForCausalLM", PERF_SILICON, 0.7776, PERF_SRC_SILICON },
	{ true, 5, 40000, 0, 24, "bfloat16", "bfloat16", "GlmMoeDsaForCausalLM", PERF_SILICON, 227.54803170909207,
	  PERF_SRC_SILICON },
	{ true, 8, 4000, 0, 16, "fp8", "fp8_block", "DeepseekV32ForCausalLM", PERF_SOL, 4.41400240689181, PERF_SRC_SOL },
	{ true, 8, 4000, 1000, 16, "fp8", "fp8_block", "DeepseekV32ForCausalLM", PERF_SOL, 5.1148781197330635,
	  PERF_SRC_SOL },
	{ true, 8, 1000, 500, 16, "fp8", "fp8_block", "DeepseekV32ForCausalLM", PERF_SOL, 0.6910188068756319,
	  PERF_SRC_SOL },
	{ true, 8, 1000, 3000, 16, "fp8", "fp8_block", "DeepseekV32ForCausalLM", PERF_SOL, 1.2510815773508597,
	  PERF_SRC_SOL },
	/* the tables measure prefix 0 only: a cached prefix falls back to the empirical formula */
	{ true, 8, 4000, 100, 16, "fp8", "fp8_block", "DeepseekV32ForCausalLM", PERF_HYBRID, 8.993526285977754,
	  PERF_SRC_EMPIRICAL },
	{ false, 8, 4001, 0, 16, "fp8", "fp8_block", "DeepseekV32ForCausalLM", PERF_SILICON, 0.12180007762850112,
	  PERF_SRC_SILICON },
	{ false, 8, 1025, 0, 8, "bfloat16", "bfloat16", "GlmMoeDsaForCausalLM", PERF_SILICON, 0.0881, PERF_SRC_SILICON },
	{ false, 300, 100000, 0, 24, "fp8", "bfloat16", "GlmMoeDsaForCausalLM", PERF_SILICON, 4.401365160004433,
	  PERF_SRC_SILICON },
	{ false, 8, 4001, 0, 16, "fp8", "fp8_block", "DeepseekV32ForCausalLM", PERF_SOL, 0.012949766666666666,
	  PERF_SRC_SOL },
	{ false, 8, 1000, 0, 16, "bfloat16", "fp8_block", "GlmMoeDsaForCausalLM", PERF_EMPIRICAL, 0.028883306666666667,
	  PERF_SRC_EMPIRICAL },
};

static cJSON *attrs_of(const ref_point *p)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddNumberToObject(a, "num_heads", (double)p->heads);
	cJSON_AddStringToObject(a, p->context ? "kvcache_quant_mode" : "kv_cache_dtype", p->kv);
	if (p->context)
		cJSON_AddStringToObject(a, "fmha_quant_mode", "bfloat16");
	cJSON_AddStringToObject(a, "gemm_quant_mode", p->gemm);
	cJSON_AddStringToObject(a, "architecture", p->arch);
	return a;
}

static void shared_tables(void)
{
	perfdb *db = open_db();
	if (!db)
		return;
	for (size_t i = 0; i < sizeof shared_refs / sizeof shared_refs[0]; i++) {
		const ref_point *p = &shared_refs[i];
		perfdb_set_mode(db, p->mode);
		cJSON *a = attrs_of(p);
		opq_point pt = { .x = p->b * (p->context ? p->s : 1), .batch = p->b, .beam = 1, .s = p->s,
				 .prefix = p->prefix, .count = 1, .seq_scale = 1, .gen_seq_scale = 1 };
		perf_result r;
		char err[1024];
		int st = opquery_dsa_point(db, p->context ? "ContextDSAModule" : "GenerationDSAModule", a, &pt, &r, err,
					   sizeof err);
		if (st)
			fprintf(stderr, "point %zu: %s\n", i, err);
		CHECK(st == 0);
		if (st == 0) {
			CHECK_NEAR(r.latency, p->latency, 1e-9);
			CHECK(r.source == p->source);
		}
		cJSON_Delete(a);
	}
	/* SILICON refuses a cached prefix (one prefix slice: nothing to draw a line through) and a
	 * GEMM mode the tables lack, naming the look-up */
	perfdb_set_mode(db, PERF_SILICON);
	ref_point p = shared_refs[8];
	cJSON *a = attrs_of(&p);
	opq_point pt = { .x = 32000, .batch = 8, .beam = 1, .s = 4000, .prefix = 100, .count = 1 };
	perf_result r;
	char err[1024];
	CHECK(opquery_dsa_point(db, "ContextDSAModule", a, &pt, &r, err, sizeof err) == PERFDB_REFUSED);
	CHECK(strstr(err, "context DSA module") != NULL && strstr(err, "prefix=100") != NULL);
	cJSON_Delete(a);
	p = shared_refs[2];
	p.gemm = "fp8";
	a = attrs_of(&p);
	pt = (opq_point){ .x = 8192, .batch = 8, .beam = 1, .s = 1024, .count = 1 };
	CHECK(opquery_dsa_point(db, "ContextDSAModule", a, &pt, &r, err, sizeof err) == PERFDB_REFUSED);
	CHECK(strstr(err, "gemm fp8") != NULL);
	/* generation: beam width 1 only; bad attrs are -2 */
	cJSON_Delete(a);
	p = shared_refs[10];
	a = attrs_of(&p);
	pt = (opq_point){ .x = 8, .batch = 8, .beam = 2, .s = 1025, .count = 1 };
	CHECK(opquery_dsa_point(db, "GenerationDSAModule", a, &pt, &r, err, sizeof err) == PERFDB_REFUSED);
	cJSON_DeleteItemFromObject(a, "kv_cache_dtype");
	pt.beam = 1;
	CHECK(opquery_dsa_point(db, "GenerationDSAModule", a, &pt, &r, err, sizeof err) == -2);
	CHECK(strstr(err, "kv_cache_dtype") != NULL);
	cJSON_Delete(a);
	perfdb_close(db);
}

/* The made-up table: GLM-5 rows at prefixes 0 and 4096, heads 8 and 16, batches 1/4/16,
 * sequences 256..8192; the reference's answers in SILICON mode. */
static const struct {
	long long b, s, prefix, heads;
	double latency;
} fixture_refs[] = {
	{ 4, 1500, 0, 8, 20.346784 },             /* between two rows below the top-k boundary */
	{ 4, 3000, 0, 8, 49.471999999999994 },    /* above it: the line through the first two rows above */
	{ 4, 100, 0, 8, -0.8227705121256248 },    /* below every row: the extended grid (cubic) */
	{ 4, 20000, 0, 8, 330.17008883040796 },   /* beyond every row: the extended grid */
	{ 4, 1500, 0, 12, 33.30801622869441 },    /* heads not measured */
	{ 3, 1500, 0, 8, 16.561630886263902 },    /* batch not measured */
	{ 16, 1024, 0, 16, 67.636544 },           /* measured */
	{ 4, 1500, 4096, 8, 24.836 },             /* prefix beyond top-k: the boundary is below zero */
	{ 4, 1500, 2000, 8, 22.538784 },          /* between the measured prefixes */
	{ 4, 3000, 6000, 16, 98.744 },            /* beyond them */
	{ 1, 500, 1000, 8, 1.2762120000000001 },
	{ 2, 5000, 4096, 16, 84.90527205012502 },
	{ 4, 300, 4096, 8, 5.127199999999999 },
};

static void fixture_prefixes(void)
{
	table_set t;
	char err[1024];
	int st = table_dsa_context_load(&t, "tests/fixtures/dsa", NULL, err, sizeof err);
	if (st)
		fprintf(stderr, "%s\n", err);
	CHECK(st == 0 && t.loaded && t.rows == 60);
	const quant_mode *bf16_kv = quant_find(QUANT_KVCACHE, "bfloat16"), *bf16_fmha = quant_find(QUANT_FMHA, "bfloat16");
	const quant_mode *bf16_gemm = quant_find(QUANT_GEMM, "bfloat16");
	for (size_t i = 0; i < sizeof fixture_refs / sizeof fixture_refs[0]; i++) {
		perf_result r;
		st = table_dsa_context_query(&t, fixture_refs[i].b, fixture_refs[i].s, fixture_refs[i].prefix,
					     fixture_refs[i].heads, bf16_kv, bf16_fmha, bf16_gemm, "GlmMoeDsaForCausalLM", &r,
					     err, sizeof err);
		if (st)
			fprintf(stderr, "fixture point %zu: %s\n", i, err);
		CHECK(st == 0);
		if (st == 0)
			CHECK_NEAR(r.latency, fixture_refs[i].latency, 1e-9);
	}
	/* another architecture has no rows */
	perf_result r;
	CHECK(table_dsa_context_query(&t, 4, 1500, 0, 8, bf16_kv, bf16_fmha, bf16_gemm, "DeepseekV32ForCausalLM", &r, err,
				      sizeof err) == PERFDB_REFUSED);
	table_set_free(&t);
	/* no file: not loaded, and a look-up says so */
	CHECK(table_dsa_generation_load(&t, "tests/fixtures/dsa", NULL, err, sizeof err) == 0 && !t.loaded);
	CHECK(table_dsa_generation_query(&t, 8, 1000, 8, bf16_kv, bf16_gemm, NULL, &r, err, sizeof err) ==
	      PERFDB_REFUSED);
	table_set_free(&t);
}

static void cache_bytes(void)
{
	/* DeepSeek-V3.2 with an fp8 cache: 512 + 64 × 2 + (128 + 4) bytes per token and layer */
	CHECK(dsa_indexer_entry_bytes(128) == 132);
	CHECK(dsa_indexer_entry_bytes(129) == 137);
	CHECK(strcmp(dsa_dims_of("GlmMoeDsaForCausalLM")->architecture, "GlmMoeDsaForCausalLM") == 0);
	CHECK(dsa_dims_of("SomethingElse")->hidden_size == 7168);
}

int main(void)
{
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	setenv("INFERCAST_DATA", "../shared/data", 0);
	shared_tables();
	fixture_prefixes();
	cache_bytes();
	UNIT_DONE();
}
