/* Fuzz deploygen (filters/deploygen.c, lib/deploy: the picks file read by csvtab and
 * deploy_pick_read, the price records, and with bit 0 of the first byte the deployment files
 * themselves: deploy_write, deploy_yaml's libyaml documents, outfile) on a random picks file
 * (best_config_topn.csv, agg or disagg, from stdin) for Qwen3-32B on 8 x h200_sxm. Bits 1-2
 * pick the deployment targets. The files go to a folder of the process's own under /tmp. */
#define _XOPEN_SOURCE 700 /* realpath, as deploygen.c asks before any header: fuzz_common.h includes some first */
#include "fuzz_common.h"
#define main deploygen_main
#include "../filters/deploygen.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	static const char *const targets[] = { "k8s,slurm,local", "k8s", "slurm", "local" };
	unsigned flags = fuzz_take_flags(&data, &size);
	static char out[256];
	snprintf(out, sizeof out, "/tmp/infercast-fuzz-%ld-deploy", (long)getpid());
	char *argv[] = { "deploygen", "--out", out, "--model", FUZZ_ROOT "/../shared/models/Qwen--Qwen3-32B",
			 "--system", "h200_sxm", "--backend", "trtllm", "--total-gpus", "8", "--isl", "4000", "--osl",
			 "1000", "--ttft", "2000", "--tpot", "30", "--deployment-target", (char *)targets[(flags >> 1) & 3],
			 (flags & 1) ? NULL : "--price-records", NULL };
	fuzz_main(deploygen_main, (flags & 1) ? 21 : 22, argv, data, size);
	return 0;
}
