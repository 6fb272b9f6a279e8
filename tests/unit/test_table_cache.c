/* Unit tests of lib/perf/table_cache through perfdb: a hit gives the miss's answer bit for bit; a
 * file changed in place under a live mapping is not read when the sets are freed; a file
 * whose header or a grid was damaged is never trusted (read again, rewritten, same answer). */
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

/* The cache file of the all-reduce table (one file: its name ends so). */
static void allreduce_file(char *out, size_t n)
{
	DIR *d = opendir(dir);
	const struct dirent *e;
	out[0] = 0;
	while (d && (e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 3 && strcmp(e->d_name + len - 3, ".tc") == 0 && strstr(e->d_name, "custom_allreduce"))
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

	double miss = allreduce(NULL);
	table_cache_stats s = table_cache_get_stats();
	CHECK(miss > 0 && s.misses == 1 && s.writes == 1);
	perfdb *live = NULL;
	double hit = allreduce(&live);
	s = table_cache_get_stats();
	CHECK(s.hits == 1 && memcmp(&hit, &miss, sizeof hit) == 0);

	/* changed in place (zeros, same length) while mapped: freeing reads nothing of it */
	char file[400];
	allreduce_file(file, sizeof file);
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

	free(good);
	free(bad);
	free(zeros);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0);
	UNIT_DONE();
}
