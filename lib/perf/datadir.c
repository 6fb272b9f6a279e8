/* datadir: locate perf data folders and pick versions (see datadir.h). */
#include "datadir.h"
#include "diag.h"
#include "fspath.h"
#include "sharedir.h"

#include "perftree.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const datadir_backend_names[] = { "trtllm", "sglang", "vllm" };
const size_t datadir_backend_count = sizeof datadir_backend_names / sizeof datadir_backend_names[0];

static void list_push(struct datadir_list *l, const char *name)
{
	l->names = xrealloc(l->names, (l->n + 1) * sizeof *l->names);
	l->names[l->n++] = xstrdup(name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The longest leading part of path that is an existing folder ("." for a relative path
 * with none, "/" for an absolute one). */
static void nearest_folder(const char *path, char *out, size_t n)
{
	snprintf(out, n, "%s", path);
	for (;;) {
		char *slash = strrchr(out, '/');
		while (slash && slash > out && slash[1] == '\0') { /* trailing slashes */
			*slash = '\0';
			slash = strrchr(out, '/');
		}
		if (!slash) {
			snprintf(out, n, ".");
			return;
		}
		if (slash == out) {
			snprintf(out, n, "/");
			return;
		}
		*slash = '\0';
		if (fspath_is_dir(out))
			return;
	}
}

/* "its sub-folders a/, b/, c/" (sorted, not hidden, at most 12) or "no sub-folders". */
static void folder_listing(const char *dir, char *buf, size_t n)
{
	enum { SHOWN = 12 };
	struct datadir_list l = { 0 };
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[DATADIR_PATH_MAX];
	while (d && (e = readdir(d))) {
		snprintf(path, sizeof path, "%.3800s/%s", dir, e->d_name);
		if (e->d_name[0] != '.' && fspath_is_dir(path))
			list_push(&l, e->d_name);
	}
	if (d)
		closedir(d);
	if (l.n)
		qsort(l.names, l.n, sizeof *l.names, cmp_str);
	size_t used = (size_t)snprintf(buf, n, "%s", l.n ? "the folders" : "no folders");
	for (size_t i = 0; i < l.n && i < SHOWN && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s/", i ? ", " : " ", l.names[i]);
	if (l.n > SHOWN && used < n)
		snprintf(buf + used, n - used, " and %zu more", l.n - SHOWN);
	datadir_list_free(&l);
}

const char *datadir_root(const char *data_dir_opt, char *err, size_t errlen)
{
	static char installed[4096];
	const char *root, *from;
	if (data_dir_opt && *data_dir_opt) {
		root = data_dir_opt;
		from = "as given";
	} else if (getenv("INFERCAST_DATA") && *getenv("INFERCAST_DATA")) {
		root = getenv("INFERCAST_DATA");
		from = "INFERCAST_DATA";
	} else {
		root = sharedir_path("data", installed, sizeof installed);
		from = "the installed default; set INFERCAST_DATA or give the program a data folder";
	}
	if (!fspath_is_dir(root)) {
		/* a typo in a path is the usual cause: show what is there one level up, where the
		 * user can see the right name */
		char near[DATADIR_PATH_MAX], listing[1024];
		nearest_folder(root, near, sizeof near);
		folder_listing(near, listing, sizeof listing);
		diag_errf(err, errlen, "perf data folder not found: %s (%s); %s holds %s", root, from, near, listing);
		return NULL;
	}
	/* the reference's systems folder (a checkout's, or a copy): its tables are in data/ */
	static _Thread_local char inner[DATADIR_PATH_MAX];
	char probe[DATADIR_PATH_MAX];
	snprintf(probe, sizeof probe, "%.4000s/perf_data_reuse_manifest.yaml", root);
	snprintf(inner, sizeof inner, "%.4000s/data", root);
	if (fspath_is_file(probe) && fspath_is_dir(inner))
		return inner;
	return root;
}

bool datadir_family_tree(const char *data_dir_opt)
{
	const char *root = datadir_root(data_dir_opt, NULL, 0);
	DIR *d = root ? opendir(root) : NULL;
	bool found = false;
	struct dirent *e;
	char path[DATADIR_PATH_MAX];
	while (d && !found && (e = readdir(d))) {
		snprintf(path, sizeof path, "%.3800s/%s", root, e->d_name);
		found = e->d_name[0] != '.' && fspath_is_dir(path) && perftree_has_families(path);
	}
	if (d)
		closedir(d);
	return found;
}

static int system_dir(const char *root, const struct system_spec *sys, char *out, size_t n, char *err,
		      size_t errlen)
{
	snprintf(out, n, "%.3000s/%s", root, sys->data_subdir);
	if (!fspath_is_dir(out)) {
		diag_errf(err, errlen, "no perf data for system %s: %s not found", sys->name, out);
		return -1;
	}
	return 0;
}

/* Sub-folders of dir that hold a usable database, as the reference's discovery. */
static void usable_versions(const char *dir, struct datadir_list *out)
{
	out->n = 0;
	out->names = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char path[DATADIR_PATH_MAX];
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%.3800s/%s", dir, e->d_name);
		if (!fspath_is_dir(path))
			continue;
		snprintf(path, sizeof path, "%.3800s/%s/INCOMPLETE.txt", dir, e->d_name);
		if (fspath_is_file(path))
			continue;
		list_push(out, e->d_name);
	}
	closedir(d);
	if (out->n)
		qsort(out->names, out->n, sizeof *out->names, cmp_str);
}

int datadir_versions(const char *root, const struct system_spec *sys, const char *backend,
		     struct datadir_list *out, char *err, size_t errlen)
{
	out->n = 0;
	out->names = NULL;
	char dir[DATADIR_PATH_MAX];
	if (system_dir(root, sys, dir, sizeof dir, err, errlen) != 0)
		return -1;
	if (!fspath_plain_name(backend)) {
		diag_errf(err, errlen, "bad backend name '%s'", backend ? backend : "");
		return -1;
	}
	char legacy[DATADIR_PATH_MAX];
	snprintf(legacy, sizeof legacy, "%.4000s/%s", dir, backend);
	usable_versions(legacy, out);
	/* and those of the family-first layout (lib/perf/perftree), merged */
	return perftree_versions(dir, backend, out, err, errlen);
}

int datadir_backends(const char *root, const struct system_spec *sys, struct datadir_list *out,
		     char *err, size_t errlen)
{
	out->n = 0;
	out->names = NULL;
	for (size_t i = 0; i < datadir_backend_count; i++) {
		struct datadir_list v;
		if (datadir_versions(root, sys, datadir_backend_names[i], &v, err, errlen) != 0) {
			datadir_list_free(out);
			return -1;
		}
		bool any = v.n > 0;
		datadir_list_free(&v);
		if (any)
			list_push(out, datadir_backend_names[i]);
	}
	return 0;
}

/* ---- version ordering ----
 * A port of the reference's version parser. It works on the lower-cased name:
 *  1. the first "A.B.C" (digit runs): key (A, B, C, stable, rc, trailing);
 *  2. else the first "A.B":           key (A, B, 0, stable, rc, trailing);
 *  3. else up to three digit runs, zero-padded, then (0, 0, 0);
 *  4. no digits at all: (0, 0, 0, -1, 0, 0).
 * stable/rc: (0, N) when "rc" followed by digits N occurs anywhere, (0, 0) when "rc" occurs
 * without digits, else (1, 0) — so a release candidate sorts below its release. trailing: the
 * last digit run after the matched numbers (0 if none), so "post1", "fix0719" or "rc10" rank
 * above the bare version (the reference's rule, kept as is, also for ".dev1"). */

/* Digit runs are read like Python's int(), saturating instead of growing without bound. */
static long long digits_value(const char *s, size_t len)
{
	long long v = 0;
	for (size_t i = 0; i < len; i++) {
		int d = s[i] - '0';
		if (v > (LLONG_MAX - d) / 10)
			return LLONG_MAX;
		v = v * 10 + d;
	}
	return v;
}

static size_t digit_run(const char *s, size_t i)
{
	size_t j = i;
	while (isdigit((unsigned char)s[j]))
		j++;
	return j - i;
}

/* Leftmost match of `groups` digit runs joined by '.', as a regex search would find it:
 * start[k], len[k] of each run, and the end of the match. */
static bool find_dotted(const char *s, int groups, size_t start[3], size_t len[3], size_t *end)
{
	for (size_t i = 0; s[i]; i++) {
		size_t p = i;
		int k;
		for (k = 0; k < groups; k++) {
			size_t n = digit_run(s, p);
			if (n == 0)
				break;
			start[k] = p;
			len[k] = n;
			p += n;
			if (k + 1 < groups) {
				if (s[p] != '.')
					break;
				p++;
			}
		}
		if (k == groups) {
			*end = p;
			return true;
		}
	}
	return false;
}

static void prerelease(const char *s, long long out[2])
{
	for (const char *p = strstr(s, "rc"); p; p = strstr(p + 1, "rc")) {
		size_t n = digit_run(p, 2);
		if (n) {
			out[0] = 0;
			out[1] = digits_value(p + 2, n);
			return;
		}
	}
	out[0] = strstr(s, "rc") ? 0 : 1;
	out[1] = 0;
}

static long long trailing_number(const char *s)
{
	long long v = 0;
	for (size_t i = 0; s[i];) {
		size_t n = digit_run(s, i);
		if (n) {
			v = digits_value(s + i, n);
			i += n;
		} else {
			i++;
		}
	}
	return v;
}

void datadir_version_key(const char *version, long long key[6])
{
	char s[256];
	size_t n = 0;
	for (; version[n] && n + 1 < sizeof s; n++)
		s[n] = (char)tolower((unsigned char)version[n]);
	s[n] = '\0';

	size_t start[3], len[3], end;
	for (int groups = 3; groups >= 2; groups--) {
		if (!find_dotted(s, groups, start, len, &end))
			continue;
		for (int k = 0; k < 3; k++)
			key[k] = k < groups ? digits_value(s + start[k], len[k]) : 0;
		prerelease(s, key + 3);
		key[5] = trailing_number(s + end);
		return;
	}
	int found = 0;
	for (int k = 0; k < 6; k++)
		key[k] = 0;
	for (size_t i = 0; s[i] && found < 3;) {
		size_t d = digit_run(s, i);
		if (d) {
			key[found++] = digits_value(s + i, d);
			i += d;
		} else {
			i++;
		}
	}
	if (!found)
		key[3] = -1;
}

int datadir_version_cmp(const char *a, const char *b)
{
	long long ka[6], kb[6];
	datadir_version_key(a, ka);
	datadir_version_key(b, kb);
	for (int i = 0; i < 6; i++)
		if (ka[i] != kb[i])
			return ka[i] < kb[i] ? -1 : 1;
	return 0;
}

const char *datadir_newest(const struct datadir_list *versions)
{
	const char *best = NULL;
	for (size_t i = 0; i < versions->n; i++)
		if (!best || datadir_version_cmp(versions->names[i], best) > 0)
			best = versions->names[i];
	return best;
}

/* ---- resolving one database ---- */

/* The tables every model reads (custom all-reduce from tensor parallelism 2 on): a version of
 * the family-first layout without them (its newest folders hold only what was re-collected)
 * is no default. */
static const char *const core_tables[] = { "gemm_perf.txt", "context_attention_perf.txt",
					   "generation_attention_perf.txt", "custom_allreduce_perf.txt" };

static bool has_core_tables(const char *system_dir, const char *backend, const char *version)
{
	for (size_t i = 0; i < sizeof core_tables / sizeof core_tables[0]; i++) {
		char path[DATADIR_PATH_MAX];
		perftree_file where;
		snprintf(path, sizeof path, "%.3000s/%s/%s/%s", system_dir, backend, version, core_tables[i]);
		if (perftree_locate(path, &where, NULL, 0) != 0)
			return false;
	}
	return true;
}

/* The default version: the newest (datadir_newest); where the system holds the family-first
 * layout, the newest that has the core tables, else the newest. */
static const char *newest_complete(const char *system_dir, const char *backend, const struct datadir_list *versions)
{
	const char *newest = datadir_newest(versions);
	if (!perftree_has_families(system_dir))
		return newest;
	const char *best = NULL;
	for (size_t i = 0; i < versions->n; i++)
		if ((!best || datadir_version_cmp(versions->names[i], best) > 0) &&
		    has_core_tables(system_dir, backend, versions->names[i]))
			best = versions->names[i];
	return best ? best : newest;
}

static bool known_backend(const char *backend)
{
	for (size_t i = 0; i < datadir_backend_count; i++)
		if (!strcmp(backend, datadir_backend_names[i]))
			return true;
	return false;
}

int datadir_resolve(const char *data_dir_opt, const struct system_spec *sys, const char *backend,
		    const char *version, struct perf_data_path *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	const char *root = datadir_root(data_dir_opt, err, errlen);
	if (!root)
		return -1;
	snprintf(out->root, sizeof out->root, "%s", root);
	if (system_dir(root, sys, out->system_dir, sizeof out->system_dir, err, errlen) != 0)
		return -1;

	if (!backend || !known_backend(backend)) {
		struct datadir_list have;
		char names[512];
		if (datadir_backends(root, sys, &have, err, errlen) != 0)
			return -1;
		datadir_list_join(&have, names, sizeof names);
		datadir_list_free(&have);
		diag_errf(err, errlen, "unknown backend '%s' (known: trtllm, sglang, vllm; with data for %s: %s)",
			backend ? backend : "", sys->name, names);
		return -1;
	}
	snprintf(out->backend, sizeof out->backend, "%s", backend);

	struct datadir_list versions;
	if (datadir_versions(root, sys, backend, &versions, err, errlen) != 0)
		return -1;
	if (versions.n == 0) {
		struct datadir_list have;
		char names[512] = "none";
		if (datadir_backends(root, sys, &have, NULL, 0) == 0) {
			datadir_list_join(&have, names, sizeof names);
			datadir_list_free(&have);
		}
		diag_errf(err, errlen, "no %s data for system %s in %s (backends with data: %s)", backend, sys->name,
			out->system_dir, names);
		return -1;
	}

	const char *chosen = NULL;
	if (version && *version) {
		for (size_t i = 0; i < versions.n; i++)
			if (!strcmp(versions.names[i], version))
				chosen = versions.names[i];
		if (!chosen) {
			char names[1024];
			datadir_list_join(&versions, names, sizeof names);
			diag_errf(err, errlen, "unknown version '%s' for %s/%s (known: %s)", version, sys->name, backend,
				names);
			datadir_list_free(&versions);
			return -1;
		}
	} else {
		chosen = newest_complete(out->system_dir, backend, &versions);
	}
	snprintf(out->version, sizeof out->version, "%s", chosen);
	datadir_list_free(&versions);

	snprintf(out->dir, sizeof out->dir, "%.3000s/%s/%s", out->system_dir, out->backend, out->version);
	snprintf(out->nccl_dir, sizeof out->nccl_dir, "%.3000s/nccl/%s", out->system_dir, sys->nccl_version);
	char table[DATADIR_PATH_MAX];
	snprintf(table, sizeof table, "%.4000s/nccl_perf.txt", out->nccl_dir);
	perftree_file where;
	out->nccl_present = fspath_plain_name(sys->nccl_version) && perftree_locate(table, &where, NULL, 0) == 0 &&
			    fspath_is_file(where.path);
	if (sys->oneccl_version[0])
		snprintf(out->oneccl_dir, sizeof out->oneccl_dir, "%.3000s/oneccl/%s", out->system_dir,
			 sys->oneccl_version);
	return 0;
}

int datadir_require_nccl(const struct perf_data_path *p, const struct system_spec *sys, char *err,
			 size_t errlen)
{
	if (p->nccl_present)
		return 0;
	char dir[DATADIR_PATH_MAX];
	snprintf(dir, sizeof dir, "%.4000s/nccl", p->system_dir);
	struct datadir_list have;
	char names[512] = "none";
	usable_versions(dir, &have);
	if (perftree_versions(p->system_dir, "nccl", &have, NULL, 0) == 0) {
		datadir_list_join(&have, names, sizeof names);
		datadir_list_free(&have);
	}
	diag_errf(err, errlen, "no NCCL data for %s: %s/nccl_perf.txt not found (the spec asks for NCCL %s; present: %s)",
		sys->name, p->nccl_dir, sys->nccl_version, names);
	return -1;
}
