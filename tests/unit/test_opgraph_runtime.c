/* Unit tests of lib/graph/opgraph_runtime: --nextn-accept-rates lists and a model record's runtime laid
 * over the options (its refusals end the run and are tested through opgraph in tests/opgraph.bats). */
#include "opgraph_runtime.h"
#include "unit.h"

int main(void)
{
	double rates[OG_MAX_NEXTN] = { 9, 9, 9, 9, 9 };
	CHECK(og_parse_accept_rates("0.85,0.3", rates) == 0);
	CHECK(rates[0] == 0.85 && rates[1] == 0.3 && rates[2] == 0 && rates[OG_MAX_NEXTN - 1] == 0);
	CHECK(og_parse_accept_rates("1.5", rates) == -1);
	CHECK(og_parse_accept_rates("", rates) == -1);
	CHECK(og_parse_accept_rates("0.5;0.2", rates) == -1);
	CHECK(og_parse_accept_rates("0,0,0,0,0,0", rates) == -1); /* more than OG_MAX_NEXTN */
	CHECK(rates[0] == 0.85); /* untouched by a refused list */

	og_runtime rt;
	og_runtime_defaults(&rt);
	og_serving_request srv = { 0 };
	jsonl_reader r = { 0 };
	cJSON *runtime = cJSON_Parse("{\"tp\": 4, \"isl\": 2048, \"gemm_quant\": \"fp8\", \"mode\": \"static_ctx\","
				     "\"system\": \"b200_sxm\", \"ctx_tokens\": 8192, \"nextn_accept_rates\": [0.5, 0.25]}");
	og_apply_runtime(&r, runtime, &rt, &srv);
	CHECK(rt.tp == 4 && rt.isl == 2048);
	CHECK_STR(rt.quant[QUANT_GEMM], "fp8");
	CHECK_STR(rt.mode, "static_ctx");
	CHECK_STR(rt.system, "b200_sxm");
	CHECK(*og_serving_key(&srv, "ctx_tokens") == 8192);
	CHECK(rt.nextn_accept_rates[0] == 0.5 && rt.nextn_accept_rates[1] == 0.25 && rt.nextn_accept_rates[2] == 0);
	/* no runtime: nothing changes */
	og_apply_runtime(&r, NULL, &rt, &srv);
	CHECK(rt.tp == 4);
	cJSON_Delete(runtime);
	UNIT_DONE();
}
