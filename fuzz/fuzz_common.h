/* fuzz_common: what every libFuzzer harness shares.
 *
 * The filters end a bad input with exit() (die, jsonl_fail, usage_error). A fuzzer must
 * survive that, so the harnesses are linked with -Wl,--wrap=exit,--wrap=finish_stdout:
 * exit() inside a run jumps back to the harness (fuzz_run), and finish_stdout() flushes
 * instead of closing stdout. Filter mains are compiled into a harness by including the
 * filter's source with `main` renamed. Standard output goes to /dev/null. */
#ifndef INFERCAST_FUZZ_COMMON_H
#define INFERCAST_FUZZ_COMMON_H

#include <getopt.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FUZZ_ROOT
#define FUZZ_ROOT "."
#endif

static jmp_buf fuzz_jmp;
static int fuzz_armed;
static int fuzz_exit_code;

void __real_exit(int code) __attribute__((noreturn));
void __wrap_exit(int code) __attribute__((noreturn));
void __wrap_exit(int code)
{
	if (fuzz_armed) {
		fuzz_exit_code = code;
		fuzz_armed = 0;
		longjmp(fuzz_jmp, 1);
	}
	__real_exit(code);
}

int __wrap_finish_stdout(void);
int __wrap_finish_stdout(void)
{
	fflush(stdout);
	clearerr(stdout);
	return 0;
}

/* Once per process: stdout to /dev/null, the systems folder and perf data of the tree. */
static __attribute__((unused)) void fuzz_init(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	if (!freopen("/dev/null", "w", stdout))
		abort();
	setenv("INFERCAST_SYSTEMS", FUZZ_ROOT "/systems", 0);
	setenv("INFERCAST_DATA", FUZZ_ROOT "/build/fuzz/data", 0);
	setenv("INFERCAST_CACHE", "off", 1);
}

/* Write the input to a per-process file and return its path (the filters read files). */
static __attribute__((unused)) const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
	static char path[256];
	snprintf(path, sizeof path, "/tmp/infercast-fuzz-%ld%s", (long)getpid(), suffix);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	return path;
}

/* The input's first byte, taken off it (0 for an empty input): the harnesses' option bits. */
static __attribute__((unused)) unsigned fuzz_take_flags(const uint8_t **data, size_t *size)
{
	if (!*size)
		return 0;
	unsigned flags = (*data)[0];
	(*data)++;
	(*size)--;
	return flags;
}

/* Run a filter main on argv with the input as standard input; returns its exit status. */
static __attribute__((unused)) int fuzz_main(int (*fmain)(int, char **), int argc, char **argv, const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, ".in");
	if (!freopen(path, "r", stdin))
		abort();
	optind = 0; /* glibc: a full re-initialisation of getopt */
	fuzz_exit_code = 0;
	fuzz_armed = 1;
	if (setjmp(fuzz_jmp) == 0) {
		fuzz_exit_code = fmain(argc, argv);
		fuzz_armed = 0;
	}
	fflush(stdout);
	clearerr(stdout);
	return fuzz_exit_code;
}

#endif
