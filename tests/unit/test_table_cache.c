/* Unit tests of lib/perf/table_cache through perfdb: a hit gives the miss's answer bit for bit; a
 * file changed in place under a live mapping is not read when the sets are freed; a file
 * whose header, block sums or a grid block was damaged is never trusted (made again from the
 * tables, rewritten, same answer), a damaged block found in the middle of a look-up too. */
#include "opgraph_quant.h"
#include "perfdb.h"
#include "table_cache.h"
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

/* The custom all-reduce answer for 1 MiB over 2 GPUs, from a database opened for it. */
static double allreduce(perfdb **keep)
{
	char err[2048];
	perfdb *db = perfdb_open(NULL, "h200_sxm", "trtllm", NULL, err, sizeof err);
	CHECK(db != NULL);
	if (!db) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	perf_result r;
	int st = perfdb_custom_allreduce(db, quant_find(QUANT_COMM, "half"), 2, 1 << 20, &r, err, sizeof err);
	CHECK(st == 0);
	if (keep)
		*keep = db;
	else
		perfdb_close(db);
	return st == 0 ? r.latency : -1;
}

/* GEMM answers of a few shapes (bfloat16, the Qwen3-32B tp 2 layers), latencies into out[4]. */
static void gemms(double out[4])
{
	char err[2048];
	perfdb *db = perfdb_open(NULL, "h200_sxm", "trtllm", NULL, err, sizeof err);
	CHECK(db != NULL);
	static const long long shapes[4][3] = { { 8, 5120, 5120 }, { 32000, 5120, 4096 }, { 8, 25600, 5120 }, { 8, 5120, 12800 } };
	for (int i = 0; db && i < 4; i++) {
		perf_result r;
		CHECK(perfdb_gemm(db, shapes[i][0], shapes[i][1], shapes[i][2], quant_find(QUANT_GEMM, "bfloat16"), &r, err,
				  sizeof err) == 0);
		out[i] = r.latency;
	}
	if (db)
		perfdb_close(db);
}

/* Flip a bit in the middle of each grid block but the first (the header's, checked when the
 * part is opened): found only when a look-up reads the block. */
static void damage_blocks(void *ctx, size_t off, size_t len)
{
	unsigned char *file = ctx;
	for (size_t at = off + 2048 + 1024; at < off + len; at += 2048)
		file[at] ^= 1;
}

/* Flip a bit of each grid's leaf count (in its header, the first block: checked when the part
 * is opened). */
static void damage_headers(void *ctx, size_t off, size_t len)
{
	unsigned char *file = ctx;
	if (len > 48)
		file[off + 40] ^= 1;
}

/* The cache file of a table (one file: its name ends with what). */
static void table_file(const char *what, char *out, size_t n)
{
	DIR *d = opendir(dir);
	const struct dirent *e;
	out[0] = 0;
	while (d && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 3 && strcmp(e->d_name + len - 3, ".tc") == 0 && strstr(e->d_name, what))
			snprintf(out, n, "%s/%s", dir, e->d_name);
	}
	if (d)
		closedir(d);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	unsigned char *b = malloc(*len ? *len : 1);
	if (b && fread(b, 1, *len, f) != *len) {
		free(b);
		b = NULL;
	}
	fclose(f);
	return b;
}

int main(void)
{
	setenv("INFERCAST_DATA", "../shared/data", 0);
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	snprintf(dir, sizeof dir, "/tmp/infercast-unit-cache-XXXXXX");
	CHECK(mkdtemp(dir) != NULL);
	table_cache_set_dir(dir);

	/* one name per library and key: another build's file is never this build's */
	char a[300], b[300], c[300];
	CHECK(table_cache_file_name("/c", "111", "v1/gemm_perf.txt", "/data/v1/gemm_perf.txt", a, sizeof a));
	CHECK(table_cache_file_name("/c", "222", "v1/gemm_perf.txt", "/data/v1/gemm_perf.txt", b, sizeof b));
	CHECK(table_cache_file_name("/c", "111", "v1/gemm_perf.txt", "/data/v1/gemm_perf.txt", c, sizeof c));
	CHECK(strcmp(a, b) != 0 && strcmp(a, c) == 0);
	CHECK_PREFIX(a, "/c/v1_gemm_perf.txt-");
	CHECK(!table_cache_file_name("/c", "111", "v1/gemm_perf.txt", "/data/v1/gemm_perf.txt", c, 20));

	double miss = allreduce(NULL);
	table_cache_stats s = table_cache_get_stats();
	CHECK(miss > 0 && s.misses == 1 && s.writes == 1);
	perfdb *live = NULL;
	double hit = allreduce(&live);
	s = table_cache_get_stats();
	CHECK(s.hits == 1 && memcmp(&hit, &miss, sizeof hit) == 0);

	/* changed in place (zeros, same length) while mapped: freeing reads nothing of it */
	char file[400];
	table_file("custom_allreduce", file, sizeof file);
	CHECK(file[0] != 0);
	size_t len = 0;
	unsigned char *good = slurp(file, &len);
	CHECK(good != NULL && len > 64);
	int fd = open(file, O_WRONLY);
	unsigned char *zeros = calloc(1, len);
	CHECK(fd >= 0 && zeros && write(fd, zeros, len) == (ssize_t)len);
	close(fd);
	perfdb_close(live);

	/* the zeroed file: not a cache file any more, read again and rewritten */
	double again = allreduce(NULL);
	s = table_cache_get_stats();
	CHECK(s.misses == 2 && s.writes == 2 && memcmp(&again, &miss, sizeof again) == 0);

	/* one grid word's lowest bit (the last word before the end mark: the last part's grid,
	 * behind the index's checksum): the part used is read again when its checksum fails */
	unsigned char *bad = slurp(file, &len);
	CHECK(bad != NULL && memcmp(bad, good, len) == 0);
	if (bad && len > 64) {
		bad[len - 16] ^= 1;
		char tmp[420];
		snprintf(tmp, sizeof tmp, "%s.new", file);
		FILE *f = fopen(tmp, "wb");
		CHECK(f && fwrite(bad, 1, len, f) == len && fclose(f) == 0 && rename(tmp, file) == 0);
	}
	/* every part of the table used, so that the damaged one is opened */
	unsigned before = table_cache_get_stats().damaged;
	perfdb *db = NULL;
	double damaged = allreduce(&db);
	for (long long gpus = 2; db && gpus <= 8; gpus *= 2)
		for (long long size = 128; size <= (1ll << 29); size *= 4) {
			perf_result r;
			char err[512];
			perfdb_custom_allreduce(db, quant_find(QUANT_COMM, "half"), gpus, size, &r, err, sizeof err);
		}
	s = table_cache_get_stats();
	CHECK(s.damaged == before + 1 && memcmp(&damaged, &miss, sizeof damaged) == 0);
	free(bad);
	bad = slurp(file, &len);
	CHECK(bad && memcmp(bad, good, len) == 0); /* rewritten as it was */
	perfdb_close(db);

	/* GEMM grids damaged inside (every block but the headers', the sums intact): the first
	 * look-up that reads a damaged block finds it, mid-walk; the file is made again from the
	 * tables, replaces the mapping in place, and every answer is the undamaged one */
	double want[4], got[4];
	gemms(want);
	char gemm[400];
	table_file("gemm_perf", gemm, sizeof gemm);
	size_t glen = 0;
	unsigned char *gbytes = slurp(gemm, &glen), *gcopy = NULL;
	CHECK(gbytes && glen % 8 == 0 && (gcopy = aligned_alloc(8, glen)) != NULL);
	if (gcopy) {
		memcpy(gcopy, gbytes, glen);
		CHECK(table_cache_grids(gcopy, glen, damage_blocks, gcopy) == 0 && memcmp(gcopy, gbytes, glen) != 0);
		char tmp[420];
		snprintf(tmp, sizeof tmp, "%s.new", gemm);
		FILE *f = fopen(tmp, "wb");
		CHECK(f && fwrite(gcopy, 1, glen, f) == glen && fclose(f) == 0 && rename(tmp, gemm) == 0);
	}
	before = table_cache_get_stats().damaged;
	unsigned hits = table_cache_get_stats().hits;
	gemms(got);
	s = table_cache_get_stats();
	CHECK(s.hits > hits && s.damaged == before + 1 && memcmp(got, want, sizeof got) == 0);
	free(gcopy);
	gcopy = slurp(gemm, &glen);
	CHECK(gcopy && memcmp(gcopy, gbytes, glen) == 0); /* rewritten as it was */
	/* the grids' headers damaged: found when a part is opened, the same way */
	if (gcopy) {
		CHECK(table_cache_grids(gcopy, glen, damage_headers, gcopy) == 0 && memcmp(gcopy, gbytes, glen) != 0);
		char tmp[420];
		snprintf(tmp, sizeof tmp, "%s.new", gemm);
		FILE *f = fopen(tmp, "wb");
		CHECK(f && fwrite(gcopy, 1, glen, f) == glen && fclose(f) == 0 && rename(tmp, gemm) == 0);
	}
	before = table_cache_get_stats().damaged;
	gemms(got);
	s = table_cache_get_stats();
	CHECK(s.damaged == before + 1 && memcmp(got, want, sizeof got) == 0);
	free(gcopy);
	gcopy = slurp(gemm, &glen);
	CHECK(gcopy && memcmp(gcopy, gbytes, glen) == 0);
	free(gcopy);
	free(gbytes);

	free(good);
	free(bad);
	free(zeros);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	UNIT_DONE();
}
