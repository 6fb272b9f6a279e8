/* Fuzz pareto (filters/pareto.c, lib/sweep/sweep_points, sweep_report with lib/util/jsonindex,
 * sweep_pick, sweep_pick_csv's rows through sweep_print, lib/util/pyfloat): random report
 * records, as aggregate writes them for a sweep. The first input byte picks the output format,
 * --strict-sla and a request-latency target in place of the TPOT one. Nothing is saved. */
#include "fuzz_common.h"
#define main pareto_main
#include "../filters/pareto.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	static const char *const formats[] = { "jsonl", "csv", "table" };
	unsigned flags = fuzz_take_flags(&data, &size);
	char *argv[12] = { "pareto", "--total-gpus", "8", "--ttft", "2000", "--format", (char *)formats[flags % 3] };
	int argc = 7;
	if (flags & 4) {
		argv[argc++] = "--request-latency";
		argv[argc++] = "20000";
	} else {
		argv[argc++] = "--tpot";
		argv[argc++] = "30";
	}
	if (flags & 8)
		argv[argc++] = "--strict-sla";
	argv[argc] = NULL;
	fuzz_main(pareto_main, argc, argv, data, size);
	return 0;
}
