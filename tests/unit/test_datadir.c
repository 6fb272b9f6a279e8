#include "datadir.h"
#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/infercast_data_XXXXXX";

static void make_dir(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	mkdir(path, 0755);
}

static void make_file(const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	FILE *f = fopen(path, "w");
	if (f)
		fclose(f);
}

static void remove_path(const char *rel, int is_dir)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", tmp, rel);
	if (is_dir)
		rmdir(path);
	else
		unlink(path);
}

/* The newest of names (given in any order; sorted as the reference sorts them first). */
static const char *newest_of(const char **names, size_t n)
{
	static char out[128];
	struct datadir_list l = { 0, NULL };
	l.names = malloc(n * sizeof *l.names);
	for (size_t i = 0; i < n; i++)
		l.names[l.n++] = (char *)names[i];
	for (size_t i = 1; i < n; i++) /* insertion sort by strcmp */
		for (size_t j = i; j > 0 && strcmp(l.names[j - 1], l.names[j]) > 0; j--) {
			char *t = l.names[j];
			l.names[j] = l.names[j - 1];
			l.names[j - 1] = t;
		}
	snprintf(out, sizeof out, "%s", datadir_newest(&l) ? datadir_newest(&l) : "(none)");
	free(l.names);
	return out;
}

#define NEWEST(...) newest_of((const char *[]){ __VA_ARGS__ }, sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *))

static void check_key(const char *v, long long a, long long b, long long c, long long d, long long e, long long f)
{
	long long k[6];
	datadir_version_key(v, k);
	if (k[0] != a || k[1] != b || k[2] != c || k[3] != d || k[4] != e || k[5] != f) {
		fprintf(stderr, "key of '%s': (%lld, %lld, %lld, %lld, %lld, %lld) != (%lld, %lld, %lld, %lld, %lld, %lld)\n",
			v, k[0], k[1], k[2], k[3], k[4], k[5], a, b, c, d, e, f);
		unit_failures++;
	}
}

int main(void)
{
	char err[4096];
	setenv("INFERCAST_SYSTEMS", "systems", 0);
	setenv("INFERCAST_DATA", "../shared/data", 0);

	/* version keys: (major, minor, patch, stable, rc, trailing), checked against the reference */
	check_key("1.3.0", 1, 3, 0, 1, 0, 0);
	check_key("1.3.0rc10", 1, 3, 0, 0, 10, 10);
	check_key("V1.0.0RC2", 1, 0, 0, 0, 2, 2);
	check_key("1.0.0.post1", 1, 0, 0, 1, 0, 1);
	check_key("1.0.0.dev3", 1, 0, 0, 1, 0, 3);
	check_key("1.0.0rc", 1, 0, 0, 0, 0, 0);
	check_key("1.0.0-source", 1, 0, 0, 0, 0, 0); /* "rc" inside "source" counts, as in the reference */
	check_key("v0.20_fix0719", 0, 20, 0, 1, 0, 719);
	check_key("2.27", 2, 27, 0, 1, 0, 0);
	check_key("1.2.3.4.5", 1, 2, 3, 1, 0, 5);
	check_key("1.2.x.3.4.5", 3, 4, 5, 1, 0, 0);
	check_key("rcx-rc3-1.2", 1, 2, 0, 0, 3, 0);
	check_key("1_2_3_4", 1, 2, 3, 0, 0, 0);
	check_key("x9", 9, 0, 0, 0, 0, 0);
	check_key("abc", 0, 0, 0, -1, 0, 0);
	check_key("", 0, 0, 0, -1, 0, 0);

	/* newest: releases above their candidates, numeric not text order, suffix numbers count */
	CHECK_STR(NEWEST("1.3.0rc10", "1.3.0rc9", "1.2.0"), "1.3.0rc10");
	CHECK_STR(NEWEST("1.3.0rc10", "1.3.0"), "1.3.0");
	CHECK_STR(NEWEST("1.3.0rc2", "1.3.0rc10"), "1.3.0rc10");
	CHECK_STR(NEWEST("0.5.9", "0.5.10"), "0.5.10");
	CHECK_STR(NEWEST("0.19.0", "0.14.0", "0.9.2"), "0.19.0");
	CHECK_STR(NEWEST("1.0.0", "1.0.0.post1"), "1.0.0.post1");
	CHECK_STR(NEWEST("1.0.0", "1.0.0.dev1"), "1.0.0.dev1"); /* the reference's rule, kept */
	CHECK_STR(NEWEST("0.20.0", "v0.20_fix0719"), "v0.20_fix0719");
	CHECK_STR(NEWEST("1.1.0rc5", "1.0.0"), "1.1.0rc5");
	CHECK_STR(NEWEST("v1.0.0", "1.0.0"), "1.0.0");     /* equal keys: first in sorted order */
	CHECK_STR(NEWEST("latest", "0.0.1"), "0.0.1");      /* no digits ranks lowest */
	CHECK_STR(NEWEST("nightly", "beta"), "beta");
	CHECK(datadir_version_cmp("1.3.0rc10", "1.3.0") < 0 && datadir_version_cmp("2.27.3", "2.27") > 0);
	CHECK(datadir_version_cmp("1.0.0", "v1.0.0") == 0);
	struct datadir_list empty = { 0, NULL };
	CHECK(datadir_newest(&empty) == NULL);

	/* the shared data */
	const struct system_spec *h200 = system_load("h200_sxm", err, sizeof err);
	const struct system_spec *l40s = system_load("l40s", err, sizeof err);
	const struct system_spec *a100p = system_load("a100_pcie", err, sizeof err);
	CHECK(h200 && l40s && a100p);
	if (!h200 || !l40s || !a100p) {
		fprintf(stderr, "%s\n", err);
		UNIT_DONE();
	}
	const char *root = datadir_root(NULL, err, sizeof err);
	CHECK_STR(root, getenv("INFERCAST_DATA"));
	CHECK(datadir_root("/nonexistent/data", err, sizeof err) == NULL);
	CHECK_PREFIX(err, "perf data folder not found: /nonexistent/data (as given); / holds the folders ");

	struct datadir_list l;
	char joined[1024];
	CHECK(datadir_backends(root, h200, &l, err, sizeof err) == 0);
	datadir_list_join(&l, joined, sizeof joined);
	CHECK_STR(joined, "trtllm, sglang, vllm");
	datadir_list_free(&l);
	CHECK(datadir_backends(root, l40s, &l, err, sizeof err) == 0);
	datadir_list_join(&l, joined, sizeof joined);
	CHECK_STR(joined, "trtllm");
	datadir_list_free(&l);

	struct perf_data_path p;
	CHECK(datadir_resolve(NULL, h200, "trtllm", NULL, &p, err, sizeof err) == 0);
	CHECK_STR(p.version, "1.3.0rc10");
	char want[4096];
	snprintf(want, sizeof want, "%s/h200_sxm/trtllm/1.3.0rc10", root);
	CHECK_STR(p.dir, want);
	snprintf(want, sizeof want, "%s/h200_sxm/nccl/2.26.2", root);
	CHECK_STR(p.nccl_dir, want);
	CHECK(p.nccl_present && datadir_require_nccl(&p, h200, err, sizeof err) == 0);
	CHECK_STR(p.oneccl_dir, "");
	CHECK(datadir_resolve(NULL, h200, "vllm", "", &p, err, sizeof err) == 0);
	CHECK_STR(p.version, "0.19.0");
	CHECK(datadir_resolve(root, h200, "sglang", "0.5.10", &p, err, sizeof err) == 0);
	CHECK_STR(p.version, "0.5.10");

	CHECK(datadir_resolve(NULL, h200, "trtllm", "9.9.9", &p, err, sizeof err) == -1);
	CHECK_STR(err, "unknown version '9.9.9' for h200_sxm/trtllm (known: 1.3.0rc10)");
	CHECK(datadir_resolve(NULL, h200, "trtllm", "../vllm/0.19.0", &p, err, sizeof err) == -1);
	CHECK_STR(err, "unknown version '../vllm/0.19.0' for h200_sxm/trtllm (known: 1.3.0rc10)");
	CHECK(datadir_resolve(NULL, h200, "tensorrt", NULL, &p, err, sizeof err) == -1);
	CHECK_STR(err, "unknown backend 'tensorrt' (known: trtllm, sglang, vllm; with data for h200_sxm: trtllm, sglang, vllm)");
	CHECK(datadir_resolve(NULL, l40s, "vllm", NULL, &p, err, sizeof err) == -1);
	snprintf(want, sizeof want, "no vllm data for system l40s in %s/l40s (backends with data: trtllm)", root);
	CHECK_STR(err, want);
	CHECK(datadir_resolve(NULL, a100p, "trtllm", NULL, &p, err, sizeof err) == -1);
	snprintf(want, sizeof want, "no perf data for system a100_pcie: %s/a100_pcie not found", root);
	CHECK_STR(err, want);
	CHECK(datadir_resolve("/nonexistent/data", h200, "trtllm", NULL, &p, err, sizeof err) == -1);
	CHECK_PREFIX(err, "perf data folder not found: /nonexistent/data (as given); / holds the folders ");

	/* a made-up tree: hidden, INCOMPLETE and plain-file entries are not versions */
	CHECK(mkdtemp(tmp) != NULL);
	make_dir("h200_sxm");
	make_dir("h200_sxm/trtllm");
	make_dir("h200_sxm/trtllm/1.2.0");
	make_dir("h200_sxm/trtllm/1.3.0rc10");
	make_dir("h200_sxm/trtllm/1.3.0rc9");
	make_dir("h200_sxm/trtllm/.9.9.9");
	make_dir("h200_sxm/trtllm/9.0.0");
	make_file("h200_sxm/trtllm/9.0.0/INCOMPLETE.txt");
	make_file("h200_sxm/trtllm/8.0.0");
	make_dir("h200_sxm/sglang"); /* no versions: not a usable backend */
	make_dir("h200_sxm/nccl");
	make_dir("h200_sxm/nccl/2.27.3");
	CHECK(datadir_versions(tmp, h200, "trtllm", &l, err, sizeof err) == 0);
	datadir_list_join(&l, joined, sizeof joined);
	CHECK_STR(joined, "1.2.0, 1.3.0rc10, 1.3.0rc9");
	CHECK_STR(datadir_newest(&l), "1.3.0rc10");
	datadir_list_free(&l);
	CHECK(datadir_backends(tmp, h200, &l, err, sizeof err) == 0);
	datadir_list_join(&l, joined, sizeof joined);
	CHECK_STR(joined, "trtllm");
	datadir_list_free(&l);
	CHECK(datadir_resolve(tmp, h200, "trtllm", "9.0.0", &p, err, sizeof err) == -1);
	CHECK_STR(err, "unknown version '9.0.0' for h200_sxm/trtllm (known: 1.2.0, 1.3.0rc10, 1.3.0rc9)");
	/* the spec's NCCL version (2.26.2) is used, never the newest present */
	CHECK(datadir_resolve(tmp, h200, "trtllm", NULL, &p, err, sizeof err) == 0);
	CHECK(!p.nccl_present);
	CHECK(datadir_require_nccl(&p, h200, err, sizeof err) == -1);
	snprintf(want, sizeof want,
		 "no NCCL data for h200_sxm: %s/h200_sxm/nccl/2.26.2/nccl_perf.txt not found "
		 "(the spec asks for NCCL 2.26.2; present: 2.27.3)", tmp);
	CHECK_STR(err, want);

	remove_path("h200_sxm/nccl/2.27.3", 1);
	remove_path("h200_sxm/nccl", 1);
	remove_path("h200_sxm/sglang", 1);
	remove_path("h200_sxm/trtllm/8.0.0", 0);
	remove_path("h200_sxm/trtllm/9.0.0/INCOMPLETE.txt", 0);
	remove_path("h200_sxm/trtllm/9.0.0", 1);
	remove_path("h200_sxm/trtllm/.9.9.9", 1);
	remove_path("h200_sxm/trtllm/1.3.0rc9", 1);
	remove_path("h200_sxm/trtllm/1.3.0rc10", 1);
	remove_path("h200_sxm/trtllm/1.2.0", 1);
	remove_path("h200_sxm/trtllm", 1);
	remove_path("h200_sxm", 1);
	rmdir(tmp);

	/* $INFERCAST_DATA is used when no --data-dir is given */
	setenv("INFERCAST_DATA", "/nonexistent/env-data", 1);
	CHECK(datadir_root(NULL, err, sizeof err) == NULL);
	CHECK_PREFIX(err, "perf data folder not found: /nonexistent/env-data (INFERCAST_DATA); / holds the folders ");
	CHECK(datadir_root("", err, sizeof err) == NULL);
	UNIT_DONE();
}
