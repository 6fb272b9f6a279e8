/* Fuzz query (filters/query.c, lib/query/query_run, query_price, query_configs, lib/util/jsonarena,
 * lib/perf/perfdb, lib/perf/table_*, lib/query/opquery*): random config and op
 * records priced from the fuzz data folder (heads of the real tables, build/fuzz/data). */
#include "fuzz_common.h"
#define main query_main
#include "../filters/query.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	char *argv[] = { "query", "--database-mode", "hybrid", NULL };
	fuzz_main(query_main, 3, argv, data, size);
	return 0;
}
