/* Fuzz interp (filters/interp.c, lib/perf/interp_probe, lib/perf/interp, lib/perf/grid): random
 * tables and query points. The first input byte picks the method and flags; the rest is the
 * record stream. */
#include "fuzz_common.h"
#define main interp_main
#include "../filters/interp.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	static const char *const methods[] = { NULL, "linear-1d", "linear-2d", "cubic-2d-1d", "bilinear-2d-1d", "linear-3d" };
	char *argv[16];
	int argc = 0;
	argv[argc++] = "interp";
	unsigned flags = fuzz_take_flags(&data, &size);
	if (methods[flags % 6]) {
		argv[argc++] = "--method";
		argv[argc++] = (char *)methods[flags % 6];
	}
	if (flags & 0x08)
		argv[argc++] = "--inner-only";
	if (flags & 0x10) {
		argv[argc++] = "--extrapolate-x";
		argv[argc++] = "1,2,4,8,4096";
		argv[argc++] = "--extrapolate-y";
		argv[argc++] = "1,16,65536";
		argv[argc++] = "--extrapolate-z";
		argv[argc++] = "1,8192";
	}
	if (flags & 0x20)
		argv[argc++] = "--sqrt-y";
	if (flags & 0x40) {
		argv[argc++] = "--query";
		argv[argc++] = "3,5,7";
	}
	argv[argc] = NULL;
	fuzz_main(interp_main, argc, argv, data, size);
	return 0;
}
