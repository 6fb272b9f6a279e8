/* Fuzz aggregate (filters/aggregate.c, lib/util/jsonarena, lib/serve/config_report,
 * lib/serve/opgraph_summary, lib/serve/serving_*): random config and priced op records. The first
 * input byte picks the output format and --ops. */
#include "fuzz_common.h"
#define main aggregate_main
#include "../filters/aggregate.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	static const char *const formats[] = { "jsonl", "csv", "table" };
	unsigned flags = fuzz_take_flags(&data, &size);
	char *argv[] = { "aggregate", "--format", (char *)formats[flags % 3], (flags & 4) ? "--ops" : NULL, NULL };
	fuzz_main(aggregate_main, (flags & 4) ? 4 : 3, argv, data, size);
	return 0;
}
