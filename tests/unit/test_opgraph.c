/* Unit tests of lib/graph/opgraph, lib/graph/opgraph_quant, lib/graph/memory and lib/serve/opgraph_summary. */
#include <stdlib.h>

#include "memory.h"
#include "opgraph_build.h"
#include "opgraph.h"
#include "opgraph_quant.h"
#include "opgraph_summary.h"
#include "systems.h"
#include "unit.h"

/* Meta-Llama-3.1-405B as hfparse writes it (the fields opgraph reads). */
static const char *llama405b =
	"{\"record\":\"model\",\"model_path\":\"meta-llama/Meta-Llama-3.1-405B\",\"architecture\":\"LlamaForCausalLM\","
	"\"family\":\"LLAMA\",\"layers\":126,\"n\":128,\"n_kv\":8,\"d\":128,\"hidden_size\":16384,"
	"\"inter_size\":53248,\"vocab\":128256,\"context\":131072,\"quant\":{\"gemm\":\"bfloat16\"}}";

int main(void)
{
	/* make test runs from the repository root */
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	/* quant table */
	CHECK_NEAR(quant_find(QUANT_GEMM, "nvfp4")->memory, 0.5625, 0);
	CHECK(quant_find(QUANT_GEMM, "fp8")->compute == 2);
	CHECK(quant_find(QUANT_KVCACHE, "fp4") == NULL);
	CHECK(quant_find(QUANT_COMM, "half") != NULL);

	/* MTP expectation: p1·p2 + p1 */
	double rates[5] = {0.85, 0.3, 0, 0, 0};
	CHECK_NEAR(og_mtp_expectation(2, rates), 0.85 * 0.3 + 0.85, 1e-15);
	CHECK_NEAR(og_mtp_expectation(0, rates), 0.0, 0);

	/* golden llama31_405b__h200_sxm__trtllm__isl1024_osl128__bs8_tp8_pp1_gemm-fp8_kvcache-fp8 */
	cJSON *rec = cJSON_Parse(llama405b);
	char err[256];
	og_model m;
	CHECK(og_model_from_json(rec, &m, err, sizeof err) == 0);
	og_runtime rt;
	og_runtime_defaults(&rt);
	rt.system = "h200_sxm";
	rt.backend = "trtllm";
	rt.tp = 8;
	rt.batch = 8;
	rt.isl = 1024;
	rt.osl = 128;
	rt.quant[QUANT_GEMM] = "fp8";
	rt.quant[QUANT_KVCACHE] = "fp8";
	og_config cfg;
	CHECK(og_resolve(&rt, &m, &cfg, err, sizeof err) == 0);
	CHECK_STR(cfg.quant[QUANT_FMHA]->name, "bfloat16");
	og_graph g;
	CHECK(og_build(&cfg, &g, err, sizeof err) == 0);
	CHECK(g.n == 28);
	const struct system_spec *sys = system_load("h200_sxm", err, sizeof err);
	CHECK(sys != NULL);
	mem_usage mem;
	if (sys) {
		CHECK(memory_for_static(&cfg, &g, sys, &mem, err, sizeof err) == 0);
		CHECK_NEAR(mem.weights, 47.736328125, 1e-12);
		CHECK_NEAR(mem.kvcache, 0.27685546875, 1e-12);
		CHECK_NEAR(mem.activations, 1.25, 1e-12);
		CHECK_NEAR(mem.nccl, 0.3828125, 1e-12);
		CHECK_NEAR(mem.total, 53.14599609375, 1e-12);
		CHECK(!mem.oom);
	}
	og_graph_free(&g);

	/* tp must divide the heads; isl must exceed prefix */
	rt.tp = 3;
	CHECK(og_resolve(&rt, &m, &cfg, err, sizeof err) == -1);
	CHECK_STR(err, "num_heads 128 is not divisible by tp 3");
	rt.tp = 8;
	rt.prefix = 1024;
	CHECK(og_resolve(&rt, &m, &cfg, err, sizeof err) == -1);
	cJSON_Delete(rec);

	/* summary: the reference's static arithmetic */
	summary s;
	summary_init(&s);
	summary_add(&s, "context_a", 0, 10.0, 0, "silicon");
	summary_add(&s, "generation_a", 1, 99.0, 0, "silicon");
	summary_add(&s, "generation_a", 1, 1.0, 0, "empirical");
	CHECK(s.n == 2);
	CHECK_STR(s.ops[1].source, "mixed");
	static_result res;
	summary_static(&s, "static", 4, 11, 2, 1, 1, &res);
	CHECK_NEAR(res.tpot_ms, 10.0, 1e-15);
	CHECK_NEAR(res.request_latency_ms, 110.0, 1e-15);
	CHECK_NEAR(res.tokens_per_s_per_gpu, 4.0 / 110.0 * 1000 * 11 / 2, 1e-12);
	summary_free(&s);
	UNIT_DONE();
}
