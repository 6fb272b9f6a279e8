#include "systems.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* make test runs from the repository root; the specs are the in-tree systems/. */
int main(void)
{
	char err[4096];
	setenv("INFERCAST_SYSTEMS", "systems", 0);

	const struct system_spec *h200 = system_load("h200_sxm", err, sizeof err);
	CHECK(h200 != NULL);
	if (!h200) {
		fprintf(stderr, "%s\n", err);
		UNIT_DONE();
	}
	CHECK_STR(h200->name, "h200_sxm");
	CHECK_STR(h200->data_subdir, "h200_sxm");
	CHECK(h200->mem_bw_bytes_per_s == 4800000000000.0);
	CHECK(h200->mem_capacity_bytes == 151397597184.0);
	CHECK(h200->mem_bw_empirical_scaling_factor == 0.8);
	CHECK(h200->mem_empirical_constant_latency_s == 0.000003);
	CHECK(h200->bfloat16_tc_flops == 989e12);
	CHECK(h200->int8_tc_flops == 1978e12);
	CHECK(h200->has_fp8_tc_flops && h200->fp8_tc_flops == 1978e12);
	CHECK(!h200->has_fp4_tc_flops && h200->fp4_tc_flops == 0);
	CHECK(!h200->has_float32_tc_flops);
	CHECK(h200->power_w == 700);
	CHECK(h200->sm_version == 90);
	CHECK(h200->num_gpus_per_node == 8);
	CHECK(h200->num_gpus_per_rack == 0);
	CHECK(h200->intra_node_bw_bytes_per_s == 450e9);
	CHECK(h200->inter_node_bw_bytes_per_s == 50e9);
	CHECK(h200->pcie_bw_bytes_per_s == 64e9);
	CHECK(h200->p2p_latency_s == 0.00001);
	CHECK(h200->other_mem_bytes == 3758096384.0);
	CHECK_STR(h200->nccl_version, "2.26.2");
	CHECK_STR(h200->oneccl_version, "");
	double b = -1;
	CHECK(system_nccl_mem_bytes(h200, 1, &b) && b == 0);
	CHECK(system_nccl_mem_bytes(h200, 2, &b) && b == 358612992.0);
	CHECK(system_nccl_mem_bytes(h200, 8, &b) && b == 411041792.0);
	CHECK(!system_nccl_mem_bytes(h200, 3, &b));
	CHECK(cJSON_IsObject(h200->json));
	/* loading again returns the same spec */
	CHECK(system_load("h200_sxm", err, sizeof err) == h200);

	/* tensor-core rates by compute factor: fp4 absent falls back to bf16 × 4 */
	CHECK(system_tc_flops(h200, 1) == 989e12);
	CHECK(system_tc_flops(h200, 2) == 1978e12);
	CHECK(system_tc_flops(h200, 4) == 4 * 989e12);

	const struct system_spec *a100 = system_load("a100_sxm", err, sizeof err);
	CHECK(a100 && !a100->has_fp8_tc_flops && system_tc_flops(a100, 2) == 2 * 312e12);
	CHECK(a100 && a100->sm_version == 80 && a100->intra_node_bw_bytes_per_s == 300e9);

	const struct system_spec *b200 = system_load("b200_sxm", err, sizeof err);
	CHECK(b200 && b200->fp4_tc_flops == 9e15 && system_tc_flops(b200, 4) == 9e15);
	CHECK(b200 && b200->mem_capacity_bytes == 193273528320.0 && b200->sm_version == 100);

	const struct system_spec *rtx = system_load("rtx_pro_6000_server", err, sizeof err);
	CHECK(rtx && rtx->bfloat16_tc_flops == 467800534963698.0 && rtx->fp4_tc_flops == 1871202139854795.0);
	CHECK(rtx && rtx->num_gpus_per_node == 2 && !strcmp(rtx->nccl_version, "2.28.9"));

	/* GB200: three bandwidth tiers */
	const struct system_spec *gb = system_load("gb200", err, sizeof err);
	CHECK(gb != NULL);
	if (gb) {
		CHECK(gb->num_gpus_per_node == 4 && gb->num_gpus_per_rack == 72);
		CHECK(gb->inter_rack_bw_bytes_per_s == 100e9 && gb->inter_rack_latency_s == 0.000005);
		CHECK(system_p2p_bw_bytes_per_s(gb, 4) == 900e9);
		CHECK(system_p2p_bw_bytes_per_s(gb, 72) == 900e9);
		CHECK(system_p2p_bw_bytes_per_s(gb, 144) == 100e9);
		CHECK_STR(gb->nccl_version, "2.23");
	}
	CHECK(system_p2p_bw_bytes_per_s(h200, 8) == 450e9);
	CHECK(system_p2p_bw_bytes_per_s(h200, 16) == 50e9);

	/* Intel B60: no sm_version (reference default -1), a float32 rate, oneCCL */
	const struct system_spec *b60 = system_load("b60", err, sizeof err);
	CHECK(b60 && b60->sm_version == -1 && b60->has_float32_tc_flops && b60->float32_tc_flops == 12280e9);
	CHECK(b60 && !strcmp(b60->oneccl_version, "2021.17.2"));

	/* every transcribed system loads */
	const char *all[] = { "a100_pcie", "a100_sxm", "a30", "b200_sxm", "b300_sxm", "b60", "gb200",
			      "gb300", "h100_pcie", "h100_sxm", "h200_sxm", "l4", "l40s", "rtx_pro_6000_server" };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		const struct system_spec *s = system_load(all[i], err, sizeof err);
		CHECK(s != NULL);
		if (!s)
			fprintf(stderr, "%s\n", err);
	}
	char known[2048];
	CHECK(systems_known(known, sizeof known, err, sizeof err) == 0);
	CHECK_STR(known, "a100_pcie, a100_sxm, a30, b200_sxm, b300_sxm, b60, gb200, gb300, h100_pcie, h100_sxm, "
			 "h200_sxm, l4, l40s, rtx_pro_6000_server");

	/* errors */
	CHECK(system_load("h300_sxm", err, sizeof err) == NULL);
	CHECK_STR(err, "unknown system 'h300_sxm': did you mean b300_sxm or h100_sxm or h200_sxm? (known: a100_pcie, a100_sxm, a30, b200_sxm, b300_sxm, b60, "
		       "gb200, gb300, h100_pcie, h100_sxm, h200_sxm, l4, l40s, rtx_pro_6000_server)");
	const char *bad[] = { "../systems/h200_sxm", "h200/sxm", "..", ".hidden", "", "h200 sxm", "a..b" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(system_load(bad[i], err, sizeof err) == NULL);
		CHECK(strstr(err, "bad system name") != NULL);
	}
	CHECK(!system_name_ok(NULL) && system_name_ok("h200_sxm") && system_name_ok("x-1.2"));

	/* a malformed spec names the file and the missing field */
	char tmp[] = "/tmp/infercast_sys_XXXXXX";
	CHECK(mkdtemp(tmp) != NULL);
	char path[256];
	snprintf(path, sizeof path, "%s/broken.json", tmp);
	FILE *f = fopen(path, "w");
	fputs("{\"data_subdir\": \"broken\", \"gpu\": {\"mem_bw_bytes_per_s\": 1}, \"node\": {}, \"misc\": {}}\n", f);
	fclose(f);
	snprintf(path, sizeof path, "%s/notjson.json", tmp);
	f = fopen(path, "w");
	fputs("{\"gpu\": \n", f);
	fclose(f);
	setenv("INFERCAST_SYSTEMS", tmp, 1);
	CHECK(system_load("broken", err, sizeof err) == NULL);
	char want[512];
	snprintf(want, sizeof want, "%s/broken.json: missing gpu.mem_bw_empirical_scaling_factor", tmp);
	CHECK_STR(err, want);
	CHECK(system_load("notjson", err, sizeof err) == NULL);
	snprintf(want, sizeof want, "%s/notjson.json: not a JSON object", tmp);
	CHECK_STR(err, want);
	CHECK(system_load("h200_sxm", err, sizeof err) == h200); /* cached specs stay valid */
	snprintf(path, sizeof path, "%s/broken.json", tmp);
	unlink(path);
	snprintf(path, sizeof path, "%s/notjson.json", tmp);
	unlink(path);
	rmdir(tmp);

	setenv("INFERCAST_SYSTEMS", "/nonexistent/systems", 1);
	CHECK(system_load("not_loaded_yet", err, sizeof err) == NULL);
	CHECK_STR(err, "systems folder not found: /nonexistent/systems (from INFERCAST_SYSTEMS)");
	UNIT_DONE();
}
