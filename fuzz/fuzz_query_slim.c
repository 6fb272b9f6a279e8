/* Fuzz query --slim (lib/query/optext_slim, and the slim paths of query_price and query_run:
 * the memo's slim text, records re-printed through cJSON without attrs and points): random
 * config and op records priced from the fuzz data folder, as fuzz_query. */
#include "fuzz_common.h"
#define main query_main
#include "../filters/query.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	char *argv[] = { "query", "--database-mode", "hybrid", "--keep-going", "--slim", NULL };
	fuzz_main(query_main, 5, argv, data, size);
	return 0;
}
