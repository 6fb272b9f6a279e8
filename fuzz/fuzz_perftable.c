/* Fuzz the perf-table loaders (lib/perf/table_csv, lib/perf/table_set, lib/table_*, lib/perf/perfdb): the
 * input is one table file, priced against by query over real op records (build/fuzz/ops.jsonl,
 * made by bench/fuzz). A first line "#file: NAME_perf.txt" says which table it stands for
 * (default gemm_perf.txt); the table is the only file of its data folder. */
#include <sys/stat.h>

#include "fuzz_common.h"
#define main query_main
#include "../filters/query.c"
#undef main

static const char *const tables[] = {
	"gemm_perf.txt", "context_attention_perf.txt", "generation_attention_perf.txt",
	"custom_allreduce_perf.txt", "nccl_perf.txt", "moe_perf.txt", "context_mla_perf.txt",
	"generation_mla_perf.txt", "computescale_perf.txt", "scale_matrix_perf.txt", "mla_bmm_perf.txt",
	"mamba2_perf.txt", "gdn_perf.txt",
};
#define NTABLES (sizeof tables / sizeof tables[0])

static char root[256], tabdir[320], nccldir[320];

static void mkdirs(void)
{
	snprintf(root, sizeof root, "/tmp/infercast-fuzz-%ld-data", (long)getpid());
	char p[400];
	const char *parts[] = { "", "/h200_sxm", "/h200_sxm/trtllm", "/h200_sxm/trtllm/1.3.0rc10", "/h200_sxm/nccl",
				"/h200_sxm/nccl/2.26.2" };
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		snprintf(p, sizeof p, "%s%s", root, parts[i]);
		mkdir(p, 0755);
	}
	snprintf(tabdir, sizeof tabdir, "%s/h200_sxm/trtllm/1.3.0rc10", root);
	snprintf(nccldir, sizeof nccldir, "%s/h200_sxm/nccl/2.26.2", root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	if (!root[0])
		mkdirs();
	size_t which = 0;
	if (size > 7 && memcmp(data, "#file: ", 7) == 0) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) - 7 : size - 7;
		for (size_t i = 0; i < NTABLES; i++)
			if (strlen(tables[i]) == len && memcmp(data + 7, tables[i], len) == 0)
				which = i;
		size_t skip = nl ? (size_t)(nl - data) + 1 : size;
		data += skip;
		size -= skip;
	}
	char path[700];
	for (size_t i = 0; i < NTABLES; i++) {
		snprintf(path, sizeof path, "%s/%s", i == 4 ? nccldir : tabdir, tables[i]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/%s", which == 4 ? nccldir : tabdir, tables[which]);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	char *argv[] = { "query", "--data-dir", root, "--database-mode", "hybrid", FUZZ_ROOT "/build/fuzz/ops.jsonl", NULL };
	optind = 0;
	fuzz_armed = 1;
	if (setjmp(fuzz_jmp) == 0) {
		query_main(6, argv);
		fuzz_armed = 0;
	}
	fflush(stdout);
	clearerr(stdout);
	return 0;
}
