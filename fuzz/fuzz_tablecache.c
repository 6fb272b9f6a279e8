/* Fuzz the table cache's file format (lib/perf/table_cache, lib/perf/grid's images): query prices real
 * op records (build/fuzz/ops.jsonl) over the small perf tables of build/fuzz/data through a
 * cache directory of its own, whose files are replaced by mutated ones.
 *
 * The first run writes the real cache files (the base images) and keeps query's output. Each
 * input then picks a base image (first byte, low 7 bits) and either replaces it whole (an input
 * that starts with the file magic) or patches it (records of a 4-byte offset, a length byte
 * and that many bytes). With the first byte's high bit set the result is resealed
 * (table_cache_reseal: checksums, block sums, length and end mark made to agree), so that
 * mutations reach the index parser and the grids' lazy checks (grid_image_open_lazy) behind
 * the checksums: any answer (or the malformed file's exit) is allowed then, only memory errors
 * are findings. Without it the file is damaged as a disk could damage it, and
 * the cache must never trust it: query's output must be byte for byte the first run's (else
 * the harness aborts). */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#define main query_main
#include "../filters/query.c"
#undef main
#include "table_cache.h"

enum { MAX_IMAGES = 32 };

static char cache_dir[256], out_path[300];
static struct image {
	char path[600];
	unsigned char *bytes;
	size_t len;
} images[MAX_IMAGES];
static size_t nimages;
static unsigned char *baseline;
static size_t baseline_len;

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		abort();
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0, k;
	unsigned char block[65536];
	while ((k = fread(block, 1, sizeof block, f)) > 0) {
		if (n + k > cap && !(buf = realloc(buf, cap = 2 * (n + k))))
			abort();
		memcpy(buf + n, block, k);
		n += k;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* query over the ops with the cache on; its output into out_path */
static void run_query(void)
{
	char *argv[] = { "query", "--data-dir", FUZZ_ROOT "/build/fuzz/data", "--database-mode", "hybrid",
			 FUZZ_ROOT "/build/fuzz/ops.jsonl", NULL };
	if (!freopen(out_path, "w", stdout))
		abort();
	optind = 0;
	fuzz_armed = 1;
	if (setjmp(fuzz_jmp) == 0) {
		query_main(6, argv);
		fuzz_armed = 0;
	}
	fflush(stdout);
	clearerr(stdout);
}

/* A whole file under a new name, then renamed over path, as the cache writes its files: a
 * file changed in place would change the pages of the mappings that the run before left
 * (freed at the start of the next run), which no writer of ours does. */
static void put_file(const char *path, const void *bytes, size_t len)
{
	char tmp[700];
	snprintf(tmp, sizeof tmp, "%s.new", path);
	FILE *f = fopen(tmp, "wb");
	if (!f || (len && fwrite(bytes, 1, len, f) != len) || fclose(f) != 0 || rename(tmp, path) != 0)
		abort();
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct image *)a)->path, ((const struct image *)b)->path);
}

static void setup(void)
{
	fuzz_init();
	snprintf(cache_dir, sizeof cache_dir, "/tmp/infercast-fuzz-%ld-cache", (long)getpid());
	snprintf(out_path, sizeof out_path, "/tmp/infercast-fuzz-%ld.out", (long)getpid());
	mkdir(cache_dir, 0755);
	setenv("INFERCAST_CACHE", cache_dir, 1);
	table_cache_set_dir(NULL);
	run_query();
	baseline = slurp(out_path, &baseline_len);
	DIR *d = opendir(cache_dir);
	const struct dirent *e;
	while (d && (e = readdir(d)) != NULL && nimages < MAX_IMAGES) {
		size_t n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 3, ".tc") != 0)
			continue;
		struct image *im = &images[nimages++];
		snprintf(im->path, sizeof im->path, "%s/%s", cache_dir, e->d_name);
		im->bytes = slurp(im->path, &im->len);
	}
	if (d)
		closedir(d);
	if (!nimages) {
		fprintf(stderr, "fuzz_tablecache: the first run wrote no cache file into %s\n", cache_dir);
		abort();
	}
	qsort(images, nimages, sizeof *images, by_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!nimages)
		setup();
	if (size < 1)
		return 0;
	bool reseal = data[0] & 0x80;
	const struct image *im = &images[(data[0] & 0x7f) % nimages];
	data++, size--;
	/* 8-byte aligned, as a mapping is: the reseal writes words */
	size_t len = size >= 8 && memcmp(data, "IFCTABL1", 8) == 0 ? size : im->len;
	uint64_t *words = calloc(len / 8 + 1, 8);
	unsigned char *buf = (unsigned char *)words;
	if (!buf)
		abort();
	if (len == size && size != im->len) {
		memcpy(buf, data, size);
	} else if (len == size && memcmp(data, "IFCTABL1", 8) == 0) {
		memcpy(buf, data, size);
	} else {
		memcpy(buf, im->bytes, len);
		for (size_t i = 0; i + 5 <= size;) {
			uint32_t at;
			memcpy(&at, data + i, 4);
			size_t n = data[i + 4];
			i += 5;
			if (n > size - i)
				n = size - i;
			for (size_t k = 0; k < n && len; k++)
				buf[((size_t)at + k) % len] = data[i + k];
			i += n;
		}
	}
	if (reseal && len >= 64)
		table_cache_reseal(buf, len / 8 * 8);
	put_file(im->path, buf, len);
	free(buf);
	run_query();
	/* the next input finds every file as written (a forged file of this input, resealed, may
	 * have been trusted and left in place) */
	put_file(im->path, im->bytes, im->len);
	if (!reseal) {
		size_t n;
		unsigned char *out = slurp(out_path, &n);
		bool same = n == baseline_len && memcmp(out, baseline, n) == 0;
		free(out);
		if (!same) {
			char keep[400];
			snprintf(keep, sizeof keep, "%s.expected", out_path);
			FILE *k = fopen(keep, "wb");
			if (k) {
				fwrite(baseline, 1, baseline_len, k);
				fclose(k);
			}
			fprintf(stderr, "fuzz_tablecache: a damaged cache file changed query's output (%s): %s, expected %s\n",
				im->path, out_path, keep);
			abort();
		}
	}
	return 0;
}
