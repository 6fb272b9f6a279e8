/* Fuzz paretoplot (filters/paretoplot.c, lib/sweep/plot_front, plot_ticks, plot_picture,
 * plot_draw): a random CSV as one of a saved run's files (first byte: bit 0 agg or disagg,
 * bit 1 pareto.csv or best_config_topn.csv; the other three files are a real run's), drawn with
 * a title, the model's name and a TPOT mark, and described. The folder and the PNG are the
 * process's own under /tmp. */
#include "fuzz_common.h"
#define main paretoplot_main
#include "../filters/paretoplot.c"
#undef main

#include <sys/stat.h>

/* the real run's file, or "" when the seed run has none */
static void put_file(const char *dir, const char *mode, const char *name, const uint8_t *data, size_t size)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, mode);
	mkdir(path, 0777);
	snprintf(path, sizeof path, "%s/%s/%s", dir, mode, name);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
}

/* a real run's file, copied in */
static void copy_file(const char *dir, const char *mode, const char *name)
{
	char src[512];
	snprintf(src, sizeof src, FUZZ_ROOT "/build/fuzz/picks/%s/%s", mode, name);
	FILE *in = fopen(src, "rb");
	static uint8_t buf[1 << 16];
	size_t n = in ? fread(buf, 1, sizeof buf, in) : 0;
	if (in)
		fclose(in);
	put_file(dir, mode, name, buf, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	unsigned flags = fuzz_take_flags(&data, &size);
	static char dir[256], png[300];
	snprintf(dir, sizeof dir, "/tmp/infercast-fuzz-%ld-plot", (long)getpid());
	snprintf(png, sizeof png, "%s.png", dir);
	mkdir(dir, 0777);
	static const char *const modes[] = { "agg", "disagg" }, *const names[] = { "pareto.csv", "best_config_topn.csv" };
	for (int m = 0; m < 2; m++)
		for (int k = 0; k < 2; k++) {
			if ((unsigned)m == (flags & 1) && (unsigned)k == ((flags >> 1) & 1))
				put_file(dir, modes[m], names[k], data, size);
			else
				copy_file(dir, modes[m], names[k]);
		}
	char *argv[] = { "paretoplot", "-o", png, "--title", "{model} on 8 x h200_sxm", "--tpot-mark", "30",
			 "--describe", dir, NULL };
	fuzz_main(paretoplot_main, 9, argv, NULL, 0);
	return 0;
}
