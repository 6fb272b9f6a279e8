/* Fuzz opgraph (filters/opgraph.c, lib/graph/opgraph*, lib/model_*, lib/graph/memory): random model
 * records (with per-record runtime objects) on a fixed command line. */
#include "fuzz_common.h"
#define main opgraph_main
#include "../filters/opgraph.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	char *argv[] = { "opgraph", "--system", "h200_sxm", "--backend", "trtllm", "--tp", "2", "--batch", "4",
			 "--isl", "512", "--osl", "65", NULL };
	fuzz_main(opgraph_main, (int)(sizeof argv / sizeof argv[0]) - 1, argv, data, size);
	return 0;
}
