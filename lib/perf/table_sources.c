#include "table_sources.h"
#include "diag.h"

#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "datadir.h"
#include "perftree.h"
#include "systems.h"

/* ---- PEP 440 versions (packaging.version.Version's order) ---- */

enum { REL_MAX = 16, LOCAL_MAX = 16 };

typedef struct pep440 {
	long long epoch;
	long long rel[REL_MAX];
	int nrel;
	/* pre: kind -1 none, 0 a, 1 b, 2 rc */
	int pre_kind;
	long long pre_n;
	bool has_post, has_dev;
	long long post_n, dev_n;
	int nlocal;
	struct {
		bool num;
		long long n;
		char s[32];
	} local[LOCAL_MAX];
} pep440;

static bool is_sep(char c) { return c == '-' || c == '_' || c == '.'; }

/* Digits at *p into *v; false (nothing consumed) when none. */
static bool digits(const char **p, long long *v)
{
	if (!isdigit((unsigned char)**p))
		return false;
	long long x = 0;
	while (isdigit((unsigned char)**p)) {
		if (x < 100000000000000000LL)
			x = x * 10 + (**p - '0');
		(*p)++;
	}
	*v = x;
	return true;
}

/* One of words (in order) at *p; its index or -1. */
static int word(const char **p, const char *const *words, int n)
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(words[i]);
		if (strncmp(*p, words[i], len) == 0) {
			*p += len;
			return i;
		}
	}
	return -1;
}

/* [sep] WORD [sep] [digits]: the index of the word matched, -1 (nothing consumed) when none. */
static int labelled(const char **p, const char *const *words, int n, long long *num)
{
	const char *q = *p;
	if (is_sep(*q))
		q++;
	int w = word(&q, words, n);
	if (w < 0)
		return -1;
	*num = 0;
	const char *r = q;
	if (is_sep(*r))
		r++;
	if (digits(&r, num))
		q = r;
	*p = q;
	return w;
}

static bool pep440_parse(const char *text, pep440 *v)
{
	char buf[256];
	size_t n = 0;
	while (isspace((unsigned char)*text))
		text++;
	for (; *text && n + 1 < sizeof buf; text++)
		buf[n++] = (char)tolower((unsigned char)*text);
	while (n && isspace((unsigned char)buf[n - 1]))
		n--;
	buf[n] = 0;
	memset(v, 0, sizeof *v);
	v->pre_kind = -1;
	const char *p = buf;
	if (*p == 'v')
		p++;
	long long x;
	const char *q = p;
	if (digits(&q, &x) && *q == '!') {
		v->epoch = x;
		p = q + 1;
	}
	if (!digits(&p, &v->rel[0]))
		return false;
	v->nrel = 1;
	while (*p == '.' && isdigit((unsigned char)p[1])) {
		p++;
		digits(&p, &x);
		if (v->nrel < REL_MAX)
			v->rel[v->nrel++] = x;
	}
	static const char *const pre_words[] = { "alpha", "a", "beta", "b", "preview", "pre", "c", "rc" };
	static const int pre_kind[] = { 0, 0, 1, 1, 2, 2, 2, 2 };
	int w = labelled(&p, pre_words, 8, &v->pre_n);
	if (w >= 0)
		v->pre_kind = pre_kind[w];
	static const char *const post_words[] = { "post", "rev", "r" };
	q = p;
	if (*q == '-' && digits(&(const char *){ q + 1 }, &x)) {
		q++;
		digits(&q, &v->post_n);
		v->has_post = true;
		p = q;
	} else if (labelled(&p, post_words, 3, &v->post_n) >= 0) {
		v->has_post = true;
	}
	static const char *const dev_words[] = { "dev" };
	if (labelled(&p, dev_words, 1, &v->dev_n) >= 0)
		v->has_dev = true;
	if (*p == '+') {
		p++;
		do {
			if (v->nlocal >= LOCAL_MAX)
				return false;
			const char *start = p;
			while (isalnum((unsigned char)*p))
				p++;
			size_t len = (size_t)(p - start);
			if (!len || len >= sizeof v->local[0].s)
				return false;
			memcpy(v->local[v->nlocal].s, start, len);
			v->local[v->nlocal].s[len] = 0;
			bool num = true;
			for (size_t i = 0; i < len; i++)
				num = num && isdigit((unsigned char)start[i]);
			v->local[v->nlocal].num = num;
			v->local[v->nlocal].n = num ? strtoll(start, NULL, 10) : 0;
			v->nlocal++;
		} while (is_sep(*p) && isalnum((unsigned char)p[1]) && p++);
	}
	return *p == 0;
}

static int cmp_ll(long long a, long long b) { return a < b ? -1 : a > b; }

/* packaging's comparison key, field by field. */
static int pep440_cmp(const pep440 *a, const pep440 *b)
{
	int c;
	if ((c = cmp_ll(a->epoch, b->epoch)))
		return c;
	/* the release with trailing zeros dropped */
	int na = a->nrel, nb = b->nrel;
	while (na > 1 && a->rel[na - 1] == 0)
		na--;
	while (nb > 1 && b->rel[nb - 1] == 0)
		nb--;
	if (na == 1 && a->rel[0] == 0)
		na = 0;
	if (nb == 1 && b->rel[0] == 0)
		nb = 0;
	for (int i = 0; i < na && i < nb; i++)
		if ((c = cmp_ll(a->rel[i], b->rel[i])))
			return c;
	if ((c = cmp_ll(na, nb)))
		return c;
	/* pre: a dev-only release sorts before any pre-release; no pre-release after all of them */
	long long pa = a->pre_kind >= 0 ? a->pre_kind : (!a->has_post && a->has_dev) ? -1 : 3;
	long long pb = b->pre_kind >= 0 ? b->pre_kind : (!b->has_post && b->has_dev) ? -1 : 3;
	if ((c = cmp_ll(pa, pb)))
		return c;
	if (a->pre_kind >= 0 && (c = cmp_ll(a->pre_n, b->pre_n)))
		return c;
	if ((c = cmp_ll(a->has_post, b->has_post)))
		return c;
	if (a->has_post && (c = cmp_ll(a->post_n, b->post_n)))
		return c;
	if ((c = cmp_ll(!a->has_dev, !b->has_dev)))
		return c;
	if (a->has_dev && (c = cmp_ll(a->dev_n, b->dev_n)))
		return c;
	/* local: none first; then segment by segment, numbers above words */
	for (int i = 0; i < a->nlocal && i < b->nlocal; i++) {
		if ((c = cmp_ll(a->local[i].num, b->local[i].num)))
			return c;
		c = a->local[i].num ? cmp_ll(a->local[i].n, b->local[i].n) : strcmp(a->local[i].s, b->local[i].s);
		if (c)
			return c < 0 ? -1 : 1;
	}
	return cmp_ll(a->nlocal, b->nlocal);
}

int table_sources_version_cmp(const char *a, const char *b, bool *ok)
{
	pep440 va, vb;
	*ok = pep440_parse(a, &va) && pep440_parse(b, &vb);
	return *ok ? pep440_cmp(&va, &vb) : 0;
}

/* Newest first: PEP 440 versions (descending), then other names (descending text); equal
 * versions in text order. */
static int newest_first(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	pep440 va, vb;
	bool pa = pep440_parse(a, &va), pb = pep440_parse(b, &vb);
	if (pa != pb)
		return pa ? -1 : 1;
	int c = pa ? -pep440_cmp(&va, &vb) : -strcmp(a, b);
	return c ? c : strcmp(a, b);
}

/* ---- the manifest ---- */

typedef struct group {
	char *op_file, *kernel_source;
	char **frameworks; /* lower case */
	int nframeworks;
} group;

static struct {
	bool read;
	char *override;
	group *groups;
	size_t ngroups;
	char err[600];
} manifest;

static void free_manifest(void)
{
	for (size_t i = 0; i < manifest.ngroups; i++) {
		free(manifest.groups[i].op_file);
		free(manifest.groups[i].kernel_source);
		for (int j = 0; j < manifest.groups[i].nframeworks; j++)
			free(manifest.groups[i].frameworks[j]);
		free(manifest.groups[i].frameworks);
	}
	free(manifest.groups);
	manifest.groups = NULL;
	manifest.ngroups = 0;
	manifest.read = false;
	manifest.err[0] = 0;
}

static void free_all(void)
{
	free_manifest();
	free(manifest.override);
	manifest.override = NULL;
}

void table_sources_set_manifest(const char *path)
{
	static bool registered;
	if (!registered) {
		atexit(free_all);
		registered = true;
	}
	free_manifest();
	free(manifest.override);
	manifest.override = path ? strdup(path) : NULL;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (cap - n < 2) {
			char *grown = realloc(buf, cap *= 2);
			if (!grown) {
				free(buf);
				buf = NULL;
			}
			buf = grown;
		}
	}
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}

static char *lower_dup(const char *s)
{
	char *d = strdup(s);
	for (char *p = d; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

/* Read the manifest once: 0, or -1 with manifest.err. A missing file means no groups. */
static int load_manifest(void)
{
	if (manifest.read)
		return manifest.err[0] ? -1 : 0;
	if (!manifest.override)
		table_sources_set_manifest(NULL); /* registers the clean-up */
	manifest.read = true;
	char path[TABLE_SOURCES_PATH_MAX];
	if (manifest.override) {
		snprintf(path, sizeof path, "%s", manifest.override);
	} else {
		char e[512];
		const char *dir = systems_dir(e, sizeof e);
		if (!dir)
			return 0; /* no systems folder: no manifest either */
		snprintf(path, sizeof path, "%.4000s/kernel_sources/op_kernel_source_manifest.json", dir);
	}
	char *text = read_all(path);
	if (!text)
		return 0;
	cJSON *root = cJSON_Parse(text);
	free(text);
	const cJSON *groups = root ? cJSON_GetObjectItemCaseSensitive(root, "groups") : NULL;
	if (!cJSON_IsArray(groups)) {
		snprintf(manifest.err, sizeof manifest.err, "%.500s: not a kernel-source manifest (no \"groups\" array)", path);
		cJSON_Delete(root);
		return -1;
	}
	size_t n = (size_t)cJSON_GetArraySize(groups);
	manifest.groups = calloc(n ? n : 1, sizeof *manifest.groups);
	const cJSON *g;
	cJSON_ArrayForEach(g, groups)
	{
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(g, "op_file");
		const cJSON *ks = cJSON_GetObjectItemCaseSensitive(g, "kernel_source");
		const cJSON *tier = cJSON_GetObjectItemCaseSensitive(g, "tier");
		const cJSON *fws = cJSON_GetObjectItemCaseSensitive(g, "frameworks");
		/* the reference skips groups without an op file or a kernel source, and inherits only
		 * the two shared tiers */
		if (!cJSON_IsString(op) || !op->valuestring[0] || !cJSON_IsString(ks) || !ks->valuestring[0] ||
		    !cJSON_IsString(tier) ||
		    (strcmp(tier->valuestring, "shared") != 0 && strcmp(tier->valuestring, "shared_fallback") != 0) ||
		    !cJSON_IsArray(fws))
			continue;
		group *d = &manifest.groups[manifest.ngroups++];
		d->op_file = strdup(op->valuestring);
		d->kernel_source = strdup(ks->valuestring);
		d->frameworks = calloc((size_t)cJSON_GetArraySize(fws) + 1, sizeof *d->frameworks);
		const cJSON *f;
		cJSON_ArrayForEach(f, fws)
		{
			if (cJSON_IsString(f))
				d->frameworks[d->nframeworks++] = lower_dup(f->valuestring);
		}
	}
	cJSON_Delete(root);
	return 0;
}

static bool group_has(const group *g, const char *framework)
{
	for (int i = 0; i < g->nframeworks; i++)
		if (strcmp(g->frameworks[i], framework) == 0)
			return true;
	return false;
}

/* ---- the active layer ---- */

static _Thread_local struct {
	bool on;
	char system_dir[TABLE_SOURCES_PATH_MAX];
	char backend[64], version[256];
} active;

void table_sources_begin(const char *system_dir, const char *backend, const char *version)
{
	active.on = true;
	snprintf(active.system_dir, sizeof active.system_dir, "%s", system_dir);
	size_t i;
	for (i = 0; backend[i] && i + 1 < sizeof active.backend; i++)
		active.backend[i] = (char)tolower((unsigned char)backend[i]);
	active.backend[i] = 0;
	snprintf(active.version, sizeof active.version, "%s", version);
}

void table_sources_end(void) { active.on = false; }
bool table_sources_active(void) { return active.on; }

static size_t list_versions(const char *dir, char ***out);

/* The versions of backend under system_dir in both layouts (lib/perf/perftree for the family-first
 * one), sorted newest first, without those starting with '_'; the caller frees them. */
static size_t backend_versions(const char *system_dir, const char *backend, char ***out)
{
	char dir[TABLE_SOURCES_PATH_MAX];
	snprintf(dir, sizeof dir, "%.1500s/%.64s", system_dir, backend);
	size_t n = list_versions(dir, out);
	struct datadir_list tree = { 0, NULL };
	perftree_versions(system_dir, backend, &tree, NULL, 0);
	for (size_t i = 0; i < tree.n; i++) {
		bool seen = tree.names[i][0] == '_';
		for (size_t j = 0; j < n && !seen; j++)
			seen = strcmp((*out)[j], tree.names[i]) == 0;
		if (seen)
			continue;
		char **grown = realloc(*out, (n + 1) * sizeof *grown);
		if (!grown)
			break;
		*out = grown;
		(*out)[n++] = tree.names[i];
		tree.names[i] = NULL;
	}
	for (size_t i = 0; i < tree.n; i++)
		free(tree.names[i]);
	free(tree.names);
	if (n)
		qsort(*out, n, sizeof **out, newest_first);
	return n;
}

/* Sub-folder names of dir not starting with '_' (as the reference lists them), sorted newest
 * first; the caller frees names and the array. */
static size_t list_versions(const char *dir, char ***out)
{
	*out = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0, cap = 0;
	char **names = NULL;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '_' || strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			char **grown = realloc(names, cap * sizeof *names);
			if (!grown)
				break;
			names = grown;
		}
		if ((names[n] = strdup(e->d_name)))
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, newest_first);
	*out = names;
	return n;
}

/* The file a source path reads (itself, or the family-first layout's table), or NULL. */
static const char *source_file(const char *path, perftree_file *where)
{
	struct stat st;
	char err[8];
	if (perftree_locate(path, where, err, sizeof err) != 0 || stat(where->path, &st) != 0 || !S_ISREG(st.st_mode))
		return NULL;
	return where->path;
}

/* A framework name from the manifest that can be a folder name. */
static bool plain_fw(const char *s)
{
	if (!*s || *s == '.')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	return true;
}

/* ---- the reference's current resolver: row-level reuse (perf_data_reuse_manifest.yaml) ---- */

static _Thread_local int row_reuse_state = -1; /* -1: not decided yet ($INFERCAST_ROW_REUSE) */

void table_sources_set_row_reuse(bool on) { row_reuse_state = on; }

bool table_sources_row_reuse(void)
{
	if (row_reuse_state < 0) {
		const char *e = getenv("INFERCAST_ROW_REUSE");
		row_reuse_state = e && (strcmp(e, "1") == 0 || strcmp(e, "on") == 0);
	}
	return row_reuse_state > 0;
}

/* Add path (a file that exists) with filter ks[0..nks) (nks -1: every row) unless listed. */
static void add_source(table_source *out, size_t *n, size_t max, const char *path, const char *const *ks, int nks)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(out[i].path, path) == 0)
			return;
	if (*n >= max)
		return;
	snprintf(out[*n].path, sizeof out[*n].path, "%s", path);
	out[*n].nfilter = nks;
	if (nks > 0)
		memcpy(out[*n].filter, ks, (size_t)nks * sizeof *ks);
	(*n)++;
}

/* The sources of system_dir/backend/version/file in the order of the reference's current
 * resolver (aic-core's source_resolution): 1. the version's own table; 2. the tables of the
 * versions its reuse.yaml declares, in file order; 3. the same table of the backend's earlier
 * versions (PEP 440), nearest first; 4. other backends' tables, alphabetically and newest first,
 * only their rows whose kernel_source perf_data_reuse_manifest.yaml lets this backend inherit
 * (tiers shared and shared_fallback). Collective tables (NCCL, oneCCL, the comm family) have
 * their own table only. Loaders keep the first row of a shape, so a later source only fills
 * shapes the earlier ones lack. */
static size_t row_reuse_sources(const char *primary, const char *file, table_source *out, size_t max, char *err,
				size_t errlen)
{
	size_t n = 0;
	size_t flen = strlen(file);
	char table[256];
	snprintf(table, sizeof table, "%.*s", (int)(flen > 4 ? flen - 4 : flen), file);
	perftree_file own;
	bool collective = strcmp(file, "nccl_perf.txt") == 0 || strcmp(file, "oneccl_perf.txt") == 0;
	if (perftree_locate_own(primary, &own) == 0) {
		add_source(out, &n, max, own.path, NULL, -1);
		collective = collective || strcmp(own.family, "comm") == 0;
	}
	if (collective)
		goto done;
	char path[TABLE_SOURCES_PATH_MAX];
	perftree_donors donors;
	if (perftree_reuse_donors(active.system_dir, active.backend, active.version, table, &donors, err, errlen) != 0)
		return 0;
	for (int i = 0; i < donors.n; i++) {
		snprintf(path, sizeof path, "%.1500s/%.64s/%.128s/%.200s", active.system_dir, active.backend, donors.v[i], file);
		perftree_file f;
		if (perftree_locate_own(path, &f) == 0)
			add_source(out, &n, max, f.path, NULL, -1);
	}
	char **versions;
	size_t nv = backend_versions(active.system_dir, active.backend, &versions);
	for (size_t v = 0; v < nv; v++) {
		bool ok, declared = false;
		for (int i = 0; i < donors.n; i++)
			declared = declared || strcmp(donors.v[i], versions[v]) == 0;
		if (!declared && table_sources_version_cmp(versions[v], active.version, &ok) < 0 && ok) {
			snprintf(path, sizeof path, "%.1500s/%.64s/%.256s/%.200s", active.system_dir, active.backend, versions[v],
				 file);
			perftree_file f;
			if (perftree_locate_own(path, &f) == 0)
				add_source(out, &n, max, f.path, NULL, -1);
		}
		free(versions[v]);
	}
	free(versions);
	const perftree_group *g;
	size_t ng;
	if (perftree_manifest(active.system_dir, &g, &ng, err, errlen) != 0)
		return 0;
	/* per framework (sorted), the kernel sources the active backend may take from it */
	const char *fw[32];
	const char *ks[32][TABLE_SOURCES_MAX_FILTER];
	int nks[32], nfw = 0;
	for (size_t i = 0; i < ng; i++) {
		bool consumer = false;
		for (int k = 0; k < g[i].nframeworks; k++)
			consumer = consumer || strcmp(g[i].frameworks[k], active.backend) == 0;
		if (strcmp(g[i].table, table) != 0 || !consumer ||
		    (strcmp(g[i].tier, "shared") != 0 && strcmp(g[i].tier, "shared_fallback") != 0))
			continue;
		for (int k = 0; k < g[i].nframeworks; k++) {
			int j;
			for (j = 0; j < nfw && strcmp(fw[j], g[i].frameworks[k]) != 0; j++)
				;
			if (j == nfw) {
				if (nfw == 32)
					continue;
				fw[nfw] = g[i].frameworks[k];
				nks[nfw++] = 0;
			}
			bool seen = false;
			for (int m = 0; m < nks[j]; m++)
				seen = seen || strcmp(ks[j][m], g[i].kernel_source) == 0;
			if (!seen && nks[j] < TABLE_SOURCES_MAX_FILTER)
				ks[j][nks[j]++] = g[i].kernel_source;
		}
	}
	for (int a = 1; a < nfw; a++) /* alphabetical */
		for (int b = a; b > 0 && strcmp(fw[b - 1], fw[b]) > 0; b--) {
			const char *t = fw[b];
			fw[b] = fw[b - 1];
			fw[b - 1] = t;
			int tn = nks[b];
			nks[b] = nks[b - 1];
			nks[b - 1] = tn;
			const char *tk[TABLE_SOURCES_MAX_FILTER];
			memcpy(tk, ks[b], sizeof tk);
			memcpy(ks[b], ks[b - 1], sizeof tk);
			memcpy(ks[b - 1], tk, sizeof tk);
		}
	for (int j = 0; j < nfw; j++) {
		if (strcmp(fw[j], active.backend) == 0 || !plain_fw(fw[j]))
			continue;
		nv = backend_versions(active.system_dir, fw[j], &versions);
		for (size_t v = 0; v < nv; v++) {
			snprintf(path, sizeof path, "%.1500s/%.64s/%.256s/%.200s", active.system_dir, fw[j], versions[v], file);
			perftree_file f;
			if (perftree_locate_own(path, &f) == 0)
				add_source(out, &n, max, f.path, ks[j], nks[j]);
			free(versions[v]);
		}
		free(versions);
	}
done:
	if (n == 0) { /* nothing anywhere: the primary, which is missing */
		snprintf(out[0].path, sizeof out[0].path, "%s", primary);
		out[0].nfilter = -1;
		n = 1;
	}
	return n;
}

size_t table_sources_for(const char *primary, table_source *out, size_t max, char *err, size_t errlen)
{
	if (max == 0)
		return 0;
	snprintf(out[0].path, sizeof out[0].path, "%s", primary);
	out[0].nfilter = -1;
	if (!active.on)
		return 1;
	/* only files of the active table folder, and never the collective tables */
	const char *slash = strrchr(primary, '/');
	const char *file = slash ? slash + 1 : primary;
	char folder[TABLE_SOURCES_PATH_MAX];
	snprintf(folder, sizeof folder, "%.1500s/%.64s/%.256s", active.system_dir, active.backend, active.version);
	size_t flen = strlen(folder);
	if (!slash || (size_t)(slash - primary) != flen || strncmp(primary, folder, flen) != 0)
		return 1;
	if (table_sources_row_reuse())
		return row_reuse_sources(primary, file, out, max, err, errlen);
	if (strcmp(file, "nccl_perf.txt") == 0 || strcmp(file, "oneccl_perf.txt") == 0)
		return 1;
	if (load_manifest() != 0) {
		snprintf(err, errlen, "%s", manifest.err);
		return 0;
	}
	/* frameworks (lower case) the active backend may inherit from, each with its kernel sources */
	const char *fw[32];
	const char *ks[32][TABLE_SOURCES_MAX_FILTER];
	int nks[32], nfw = 0;
	for (size_t i = 0; i < manifest.ngroups; i++) {
		const group *g = &manifest.groups[i];
		if (strcmp(g->op_file, file) != 0 || !group_has(g, active.backend))
			continue;
		for (int j = 0; j < g->nframeworks; j++) {
			int k;
			for (k = 0; k < nfw && strcmp(fw[k], g->frameworks[j]) != 0; k++)
				;
			if (k == nfw) {
				if (nfw == 32)
					continue;
				fw[nfw] = g->frameworks[j];
				nks[nfw++] = 0;
			}
			bool seen = false;
			for (int m = 0; m < nks[k]; m++)
				seen = seen || strcmp(ks[k][m], g->kernel_source) == 0;
			if (!seen && nks[k] < TABLE_SOURCES_MAX_FILTER)
				ks[k][nks[k]++] = g->kernel_source;
		}
	}
	if (!nfw)
		return 1;
	/* the active framework first, then the others alphabetically */
	int order[32], norder = 0;
	for (int k = 0; k < nfw; k++)
		if (strcmp(fw[k], active.backend) == 0)
			order[norder++] = k;
	int first_other = norder;
	for (int k = 0; k < nfw; k++)
		if (strcmp(fw[k], active.backend) != 0)
			order[norder++] = k;
	for (int i = first_other + 1; i < norder; i++)
		for (int j = i; j > first_other && strcmp(fw[order[j - 1]], fw[order[j]]) > 0; j--) {
			int t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	size_t n = 1;
	for (int o = 0; o < norder && n < max; o++) {
		int k = order[o];
		char fw_dir[TABLE_SOURCES_PATH_MAX];
		snprintf(fw_dir, sizeof fw_dir, "%.1500s/%.64s", active.system_dir, fw[k]);
		char **versions;
		size_t nv = backend_versions(active.system_dir, fw[k], &versions);
		for (size_t v = 0; v < nv; v++) {
			bool self = strcmp(fw[k], active.backend) == 0 && strcmp(versions[v], active.version) == 0;
			char path[TABLE_SOURCES_PATH_MAX];
			perftree_file where;
			snprintf(path, sizeof path, "%.1600s/%.256s/%.200s", fw_dir, versions[v], file);
			if (!self && n < max && source_file(path, &where)) {
				snprintf(out[n].path, sizeof out[n].path, "%s", path);
				out[n].nfilter = nks[k];
				memcpy(out[n].filter, ks[k], (size_t)nks[k] * sizeof ks[k][0]);
				n++;
			}
			free(versions[v]);
		}
		free(versions);
	}
	return n;
}

void table_sources_tag(const char *dir, const char *const *files, char *out, size_t n)
{
	if (n)
		out[0] = 0;
	if (!active.on || n == 0)
		return;
	/* a hash of every sibling file's path, size and time */
	uint64_t h = 1469598103934665603ull;
	static _Thread_local table_source *src; /* on the heap on first use (see table_csv_load) */
	if (!src)
		src = xcalloc(TABLE_SOURCES_MAX, sizeof *src);
	for (size_t f = 0; files && files[f]; f++) {
		char primary[TABLE_SOURCES_PATH_MAX], err[600], id[TABLE_SOURCES_PATH_MAX + 64];
		snprintf(primary, sizeof primary, "%.3000s/%.200s", dir, files[f]);
		size_t ns = table_sources_for(primary, src, TABLE_SOURCES_MAX, err, sizeof err);
		for (size_t i = 1; i < ns; i++) {
			struct stat st;
			perftree_file where;
			const char *real = source_file(src[i].path, &where);
			if (!real || stat(real, &st) != 0)
				continue;
			snprintf(id, sizeof id, "%s:%lld:%lld.%ld|", real, (long long)st.st_size,
				 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
			for (const char *p = id; *p; p++)
				h = (h ^ (unsigned char)*p) * 1099511628211ull;
		}
	}
	snprintf(out, n, "|%s:%016llx", table_sources_row_reuse() ? "rows" : "shared", (unsigned long long)h);
}
