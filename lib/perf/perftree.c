/* perftree: the family-first perf-data layout (see perftree.h). */
#include "perftree.h"
#include "diag.h"
#include "fspath.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

/* The first-level folders of a system that are not families (the reference's list). */
static bool backend_dir(const char *name)
{
	static const char *const names[] = { "trtllm", "sglang", "vllm", "nccl", "oneccl" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted sub-folder names of dir that pass keep (NULL: all not starting with '.'). */
static int list_dirs(const char *dir, bool (*keep)(const char *), struct datadir_list *out)
{
	out->n = 0;
	out->names = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct dirent *e;
	char path[DATADIR_PATH_MAX];
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || (keep && !keep(e->d_name)))
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= sizeof path || !fspath_is_dir(path))
			continue;
		out->names = xrealloc(out->names, (out->n + 1) * sizeof *out->names);
		out->names[out->n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (out->n)
		qsort(out->names, out->n, sizeof *out->names, cmp_str);
	return 0;
}

static bool is_family(const char *name)
{
	return !backend_dir(name);
}

void perftree_forget(void);

static void forget_at_exit(void)
{
	perftree_forget();
}

/* What is kept is released at exit (so that leak checkers see nothing). */
static void register_forget(void)
{
	static _Thread_local bool registered;
	if (!registered) {
		atexit(forget_at_exit);
		registered = true;
	}
}

/* The family folders of a system, listed once per process (perftree_forget lists them again). */
enum { FMEMO_MAX = 32 };
static _Thread_local struct fmemo {
	char *dir;
	struct datadir_list f;
} fmemo[FMEMO_MAX];
static _Thread_local size_t nfmemo;

static void families_forget(void)
{
	for (size_t i = 0; i < nfmemo; i++) {
		free(fmemo[i].dir);
		datadir_list_free(&fmemo[i].f);
	}
	nfmemo = 0;
}

/* A copy of the list into out (the caller frees it). */
static void families(const char *system_dir, struct datadir_list *out)
{
	size_t i;
	for (i = 0; i < nfmemo && strcmp(fmemo[i].dir, system_dir) != 0; i++)
		;
	if (i == nfmemo) {
		register_forget();
		if (nfmemo == FMEMO_MAX || !(fmemo[nfmemo].dir = strdup(system_dir))) {
			list_dirs(system_dir, is_family, out);
			return;
		}
		list_dirs(system_dir, is_family, &fmemo[nfmemo++].f);
	}
	out->n = 0;
	out->names = NULL;
	if (!fmemo[i].f.n)
		return;
	out->names = xmalloc(fmemo[i].f.n * sizeof *out->names);
	for (size_t j = 0; j < fmemo[i].f.n; j++)
		out->names[j] = xstrdup(fmemo[i].f.names[j]);
	out->n = fmemo[i].f.n;
}

bool perftree_has_families(const char *system_dir)
{
	struct datadir_list f;
	families(system_dir, &f);
	bool any = f.n > 0;
	datadir_list_free(&f);
	return any;
}

/* The reference's veto: INCOMPLETE.txt without a collection_meta.yaml. */
static bool usable(const char *version_dir)
{
	char p[DATADIR_PATH_MAX];
	snprintf(p, sizeof p, "%.4000s/collection_meta.yaml", version_dir);
	if (fspath_is_file(p))
		return true;
	snprintf(p, sizeof p, "%.4000s/INCOMPLETE.txt", version_dir);
	return !fspath_is_file(p);
}

/* ---- YAML (libyaml's document API) ---- */

/* Load path: 0 with doc (free with yaml_document_delete), 1 when the file does not exist,
 * -1 with "FILE:LINE: what". */
static int yaml_read(const char *path, yaml_document_t *doc, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 1;
		diag_errf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		fclose(f);
		diag_errf(err, errlen, "%s: cannot start the YAML parser", path);
		return -1;
	}
	yaml_parser_set_input_file(&p, f);
	int ok = yaml_parser_load(&p, doc);
	if (!ok)
		diag_errf(err, errlen, "%s:%zu: YAML: %s", path, p.problem_mark.line + 1,
			p.problem ? p.problem : "unreadable");
	yaml_parser_delete(&p);
	fclose(f);
	return ok ? 0 : -1;
}

/* A scalar's text, or NULL when n is not a scalar or holds a NUL byte. */
static const char *scalar(const yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	const char *s = (const char *)n->data.scalar.value;
	return strlen(s) == n->data.scalar.length ? s : NULL;
}

/* The value of key in mapping node m, or NULL. */
static yaml_node_t *map_get(yaml_document_t *d, const yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(d, p->key));
		if (k && strcmp(k, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

/* The version reuse.yaml in version_dir names for table, into from (empty when none):
 * 0, or -1 with err for a file that is not a reuse list. */
static int reuse_of(const char *version_dir, const char *table, char *from, size_t fromlen, char *err,
		    size_t errlen)
{
	char path[DATADIR_PATH_MAX];
	snprintf(path, sizeof path, "%.4000s/reuse.yaml", version_dir);
	from[0] = 0;
	yaml_document_t doc;
	int st = yaml_read(path, &doc, err, errlen);
	if (st)
		return st > 0 ? 0 : -1;
	int rc = 0;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE) {
		diag_errf(err, errlen, "%s: not a reuse file (a mapping with a 'reuse' list)", path);
		rc = -1;
		goto out;
	}
	const char *schema = scalar(map_get(&doc, root, "schema_version"));
	if (schema && strcmp(schema, "1") != 0) {
		diag_errf(err, errlen, "%s: schema_version %s is not supported (1)", path, schema);
		rc = -1;
		goto out;
	}
	yaml_node_t *list = map_get(&doc, root, "reuse");
	if (!list)
		goto out;
	if (list->type != YAML_SEQUENCE_NODE) {
		diag_errf(err, errlen, "%s: 'reuse' is not a list", path);
		rc = -1;
		goto out;
	}
	size_t i = 0;
	for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++, i++) {
		yaml_node_t *e = yaml_document_get_node(&doc, *it);
		const char *t = scalar(map_get(&doc, e, "table"));
		const char *v = scalar(map_get(&doc, e, "from_version"));
		if (!t || !v) {
			diag_errf(err, errlen, "%s:%zu: reuse entry %zu lacks 'table' or 'from_version'", path,
				e ? e->start_mark.line + 1 : 0, i + 1);
			rc = -1;
			goto out;
		}
		if (strcmp(t, table) != 0)
			continue;
		if (!fspath_plain_name(v)) {
			diag_errf(err, errlen, "%s:%zu: from_version '%s' is not a version folder name", path,
				e->start_mark.line + 1, v);
			rc = -1;
			goto out;
		}
		if (!from[0])
			snprintf(from, fromlen, "%s", v);
	}
out:
	yaml_document_delete(&doc);
	return rc;
}

/* collection_meta.yaml's status of table in version_dir ("" when the file or the entry is
 * missing; an unreadable file is not an error here: the status is only reported). */
static void status_of(const char *version_dir, const char *table, char *out, size_t n)
{
	char path[DATADIR_PATH_MAX];
	snprintf(path, sizeof path, "%.4000s/collection_meta.yaml", version_dir);
	out[0] = 0;
	yaml_document_t doc;
	if (yaml_read(path, &doc, NULL, 0) != 0)
		return;
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	const char *s = scalar(map_get(&doc, map_get(&doc, map_get(&doc, root, "tables"), table), "status"));
	if (s)
		snprintf(out, n, "%s", s);
	yaml_document_delete(&doc);
}

/* ---- locating a table ---- */

/* Split .../<system>/<backend>/<version>/<file> into its parts; false when it has fewer. */
static bool split_legacy(const char *path, char *system_dir, char *backend, char *version, char *file)
{
	char buf[DATADIR_PATH_MAX];
	if (strlen(path) >= sizeof buf)
		return false;
	strcpy(buf, path);
	char *parts[3];
	for (int i = 0; i < 3; i++) {
		char *slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return false;
		parts[i] = slash + 1;
		*slash = 0;
	}
	if (strlen(parts[0]) >= 256 || strlen(parts[1]) >= 128 || strlen(parts[2]) >= 128)
		return false;
	strcpy(file, parts[0]);
	strcpy(version, parts[1]);
	strcpy(backend, parts[2]);
	strcpy(system_dir, buf);
	return true;
}

static int locate(const char *legacy_path, bool own_only, perftree_file *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct stat st;
	if (stat(legacy_path, &st) == 0) { /* whatever is there is read as before, errors and all */
		snprintf(out->path, sizeof out->path, "%s", legacy_path);
		out->how = PERFTREE_LEGACY;
		return 0;
	}
	char system_dir[DATADIR_PATH_MAX], backend[128], version[128], file[256];
	if (!split_legacy(legacy_path, system_dir, backend, version, file) || !fspath_plain_name(backend) ||
	    !fspath_plain_name(version))
		return 1;
	size_t len = strlen(file);
	if (len < 5 || strcmp(file + len - 4, ".txt") != 0)
		return 1;
	char table[256];
	snprintf(table, sizeof table, "%.*s", (int)(len - 4), file);
	struct datadir_list fam;
	families(system_dir, &fam);
	char vdir[DATADIR_PATH_MAX], cand[DATADIR_PATH_MAX];
	int rc = 1;
	for (size_t i = 0; i < fam.n; i++) {
		snprintf(vdir, sizeof vdir, "%.3000s/%s/%s/%s", system_dir, fam.names[i], backend, version);
		snprintf(cand, sizeof cand, "%.3800s/%s.parquet", vdir, table);
		if (!fspath_is_file(cand) || !usable(vdir))
			continue;
		if (rc == 0) {
			diag_errf(err, errlen, "%s: also in %s (a table belongs to one family)", cand, out->path);
			rc = -1;
			goto out;
		}
		snprintf(out->path, sizeof out->path, "%s", cand);
		snprintf(out->family, sizeof out->family, "%s", fam.names[i]);
		snprintf(out->version, sizeof out->version, "%s", version);
		out->how = PERFTREE_OWN;
		status_of(vdir, table, out->status, sizeof out->status);
		rc = 0;
	}
	if (rc == 0 || own_only)
		goto out;
	for (size_t i = 0; i < fam.n; i++) {
		snprintf(vdir, sizeof vdir, "%.3000s/%s/%s/%s", system_dir, fam.names[i], backend, version);
		if (!fspath_is_dir(vdir) || !usable(vdir))
			continue;
		char from[128];
		if (reuse_of(vdir, table, from, sizeof from, err, errlen) != 0) {
			rc = -1;
			goto out;
		}
		if (!from[0])
			continue;
		char donor[DATADIR_PATH_MAX];
		snprintf(donor, sizeof donor, "%.3000s/%s/%s/%s", system_dir, fam.names[i], backend, from);
		snprintf(cand, sizeof cand, "%.3800s/%s.parquet", donor, table);
		if (!fspath_is_file(cand)) {
			diag_errf(err, errlen, "%s/reuse.yaml: %s comes from version %s, which does not hold it (%s not found)",
				vdir, table, from, cand);
			rc = -1;
			goto out;
		}
		snprintf(out->path, sizeof out->path, "%s", cand);
		snprintf(out->family, sizeof out->family, "%s", fam.names[i]);
		snprintf(out->version, sizeof out->version, "%s", from);
		out->how = PERFTREE_REUSED;
		status_of(donor, table, out->status, sizeof out->status);
		rc = 0;
		break;
	}
out:
	datadir_list_free(&fam);
	return rc;
}

void perftree_display(const char *legacy_path, char *buf, size_t n)
{
	perftree_file where;
	char err[8];
	char system_dir[DATADIR_PATH_MAX], backend[128], version[128], file[256];
	size_t len;
	if (perftree_locate(legacy_path, &where, err, sizeof err) == 0) {
		snprintf(buf, n, "%s", where.path);
	} else if (split_legacy(legacy_path, system_dir, backend, version, file) && perftree_has_families(system_dir) &&
		   (len = strlen(file)) > 4 && strcmp(file + len - 4, ".txt") == 0) {
		snprintf(buf, n, "%s/<family>/%s/%s/%.*s.parquet", system_dir, backend, version, (int)(len - 4), file);
	} else {
		snprintf(buf, n, "%s", legacy_path);
	}
}

/* A table is looked up several times per load (its set, its rows, the cache's identity of it, the
 * default version's check): the answers of this process are kept, as the tree does not change
 * under a run. */
enum { MEMO_MAX = 512 };
typedef struct memo_entry {
	char *key;
	int rc;
	perftree_file f;
	char err[600];
} memo_entry;
/* (on the heap: a static array of them would be megabytes of thread-local storage that every
 * tool start-up clears) */
static _Thread_local memo_entry *memo;
static _Thread_local size_t nmemo, capmemo;

static void versions_forget(void);
static void manifest_forget(void);

void perftree_forget(void)
{
	for (size_t i = 0; i < nmemo; i++)
		free(memo[i].key);
	free(memo);
	memo = NULL;
	nmemo = capmemo = 0;
	versions_forget();
	families_forget();
	manifest_forget();
}


int perftree_locate(const char *legacy_path, perftree_file *out, char *err, size_t errlen)
{
	struct stat st;
	if (stat(legacy_path, &st) == 0) { /* the v0.9 layout: nothing to keep (locate's answer, without its stat) */
		memset(out, 0, sizeof *out);
		snprintf(out->path, sizeof out->path, "%s", legacy_path);
		out->how = PERFTREE_LEGACY;
		return 0;
	}
	for (size_t i = 0; i < nmemo; i++)
		if (strcmp(memo[i].key, legacy_path) == 0) {
			*out = memo[i].f;
			if (memo[i].rc < 0)
				diag_errf(err, errlen, "%s", memo[i].err);
			return memo[i].rc;
		}
	char e[600] = "";
	int rc = locate(legacy_path, false, out, e, sizeof e);
	if (rc < 0)
		diag_errf(err, errlen, "%s", e);
	/* "none" is kept only where the system has family folders (a v0.9 file may appear later) */
	char system_dir[DATADIR_PATH_MAX], backend[128], version[128], file[256];
	bool keep = rc != 1 || (split_legacy(legacy_path, system_dir, backend, version, file) &&
				perftree_has_families(system_dir));
	if (keep && nmemo == capmemo && capmemo < MEMO_MAX) {
		size_t cap = capmemo ? 2 * capmemo : 16;
		memo_entry *grown = realloc(memo, cap * sizeof *memo);
		if (grown) {
			memo = grown;
			capmemo = cap;
		}
	}
	if (keep && nmemo < capmemo) {
		register_forget();
		memo_entry *m = &memo[nmemo];
		if ((m->key = strdup(legacy_path))) {
			m->rc = rc;
			m->f = *out;
			snprintf(m->err, sizeof m->err, "%s", e);
			nmemo++;
		}
	}
	return rc;
}

/* ---- listing ---- */

static int push_unique(struct datadir_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->names[i], name) == 0)
			return 0;
	l->names = xrealloc(l->names, (l->n + 1) * sizeof *l->names);
	char *dup = xstrdup(name);
	l->names[l->n++] = dup;
	return 0;
}

/* The versions found per system folder and backend, kept as locate's answers are. */
enum { VMEMO_MAX = 64 };
static _Thread_local struct vmemo {
	char *key;
	struct datadir_list v;
} vmemo[VMEMO_MAX];
static _Thread_local size_t nvmemo;

static void versions_forget(void)
{
	for (size_t i = 0; i < nvmemo; i++) {
		free(vmemo[i].key);
		datadir_list_free(&vmemo[i].v);
	}
	nvmemo = 0;
}

static void scan_versions(const char *system_dir, const char *backend, struct datadir_list *out);

int perftree_versions(const char *system_dir, const char *backend, struct datadir_list *out, char *err,
		      size_t errlen)
{
	(void)err;
	(void)errlen;
	if (!fspath_plain_name(backend))
		return 0;
	char key[DATADIR_PATH_MAX + 200];
	snprintf(key, sizeof key, "%.4000s|%s", system_dir, backend);
	size_t i;
	for (i = 0; i < nvmemo && strcmp(vmemo[i].key, key) != 0; i++)
		;
	if (i == nvmemo) {
		struct datadir_list found = { 0, NULL };
		scan_versions(system_dir, backend, &found);
		if (nvmemo == VMEMO_MAX || !(vmemo[nvmemo].key = strdup(key))) {
			for (size_t j = 0; j < found.n; j++)
				push_unique(out, found.names[j]);
			datadir_list_free(&found);
			goto sorted;
		}
		vmemo[nvmemo++].v = found;
	}
	for (size_t j = 0; j < vmemo[i].v.n; j++)
		push_unique(out, vmemo[i].v.names[j]);
sorted:
	if (out->n)
		qsort(out->names, out->n, sizeof *out->names, cmp_str);
	return 0;
}

static void scan_versions(const char *system_dir, const char *backend, struct datadir_list *out)
{
	struct datadir_list fam;
	families(system_dir, &fam);
	char dir[DATADIR_PATH_MAX], vdir[DATADIR_PATH_MAX];
	for (size_t i = 0; i < fam.n; i++) {
		snprintf(dir, sizeof dir, "%.3000s/%s/%s", system_dir, fam.names[i], backend);
		struct datadir_list v;
		list_dirs(dir, NULL, &v);
		for (size_t j = 0; j < v.n; j++) {
			snprintf(vdir, sizeof vdir, "%.3800s/%s", dir, v.names[j]);
			if (usable(vdir))
				push_unique(out, v.names[j]);
		}
		datadir_list_free(&v);
	}
	datadir_list_free(&fam);
}

/* The table names a version folder offers: its .parquet files and its reuse.yaml entries. */
static int table_names(const char *vdir, struct datadir_list *names, char *err, size_t errlen)
{
	DIR *d = opendir(vdir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			size_t len = strlen(e->d_name);
			if (e->d_name[0] != '.' && len > 8 && strcmp(e->d_name + len - 8, ".parquet") == 0) {
				char name[256];
				snprintf(name, sizeof name, "%.*s", (int)(len - 8), e->d_name);
				push_unique(names, name);
			}
		}
		closedir(d);
	}
	char path[DATADIR_PATH_MAX];
	snprintf(path, sizeof path, "%.4000s/reuse.yaml", vdir);
	yaml_document_t doc;
	int st = yaml_read(path, &doc, err, errlen);
	if (st)
		return st > 0 ? 0 : -1;
	yaml_node_t *list = map_get(&doc, yaml_document_get_root_node(&doc), "reuse");
	if (list && list->type == YAML_SEQUENCE_NODE)
		for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
			const char *t = scalar(map_get(&doc, yaml_document_get_node(&doc, *it), "table"));
			if (t && fspath_plain_name(t))
				push_unique(names, t);
		}
	yaml_document_delete(&doc);
	return 0;
}

int perftree_tables(const char *system_dir, const char *backend, const char *version, perftree_table_fn fn,
		    void *arg, char *err, size_t errlen)
{
	if (!fspath_plain_name(backend) || !fspath_plain_name(version))
		return 0;
	struct datadir_list fam, names = { 0, NULL };
	families(system_dir, &fam);
	char vdir[DATADIR_PATH_MAX];
	int rc = 0;
	for (size_t i = 0; i < fam.n && rc == 0; i++) {
		snprintf(vdir, sizeof vdir, "%.3000s/%s/%s/%s", system_dir, fam.names[i], backend, version);
		if (fspath_is_dir(vdir) && usable(vdir))
			rc = table_names(vdir, &names, err, errlen);
	}
	datadir_list_free(&fam);
	if (names.n)
		qsort(names.names, names.n, sizeof *names.names, cmp_str);
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		char legacy[DATADIR_PATH_MAX], file[300];
		snprintf(file, sizeof file, "%s.txt", names.names[i]);
		snprintf(legacy, sizeof legacy, "%.3000s/%s/%s/%s", system_dir, backend, version, file);
		perftree_file where;
		int st = perftree_locate(legacy, &where, err, errlen);
		if (st < 0)
			rc = -1;
		else if (st == 0 && where.how != PERFTREE_LEGACY)
			rc = fn(arg, file, &where);
	}
	datadir_list_free(&names);
	return rc;
}

/* ---- the reference's row-level reuse (lib/perf/table_sources' manifest mode) ---- */

int perftree_locate_own(const char *legacy_path, perftree_file *out)
{
	char err[8];
	return locate(legacy_path, true, out, err, sizeof err) == 0 ? 0 : 1;
}

int perftree_reuse_donors(const char *system_dir, const char *backend, const char *version, const char *table,
			  perftree_donors *out, char *err, size_t errlen)
{
	out->n = 0;
	if (!fspath_plain_name(backend) || !fspath_plain_name(version))
		return 0;
	struct datadir_list fam;
	families(system_dir, &fam);
	char path[DATADIR_PATH_MAX];
	int rc = 0;
	for (size_t i = 0; i < fam.n && rc == 0; i++) {
		snprintf(path, sizeof path, "%.3000s/%s/%s/%s/reuse.yaml", system_dir, fam.names[i], backend, version);
		yaml_document_t doc;
		int st = yaml_read(path, &doc, err, errlen);
		if (st) {
			rc = st > 0 ? 0 : -1;
			continue;
		}
		yaml_node_t *list = map_get(&doc, yaml_document_get_root_node(&doc), "reuse");
		if (list && list->type == YAML_SEQUENCE_NODE)
			for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
				yaml_node_t *e = yaml_document_get_node(&doc, *it);
				const char *t = scalar(map_get(&doc, e, "table"));
				const char *v = scalar(map_get(&doc, e, "from_version"));
				if (!t || !v || strcmp(t, table) != 0 || !fspath_plain_name(v) || out->n >= PERFTREE_MAX_DONORS)
					continue;
				bool dup = false;
				for (int k = 0; k < out->n; k++)
					dup = dup || strcmp(out->v[k], v) == 0;
				if (!dup)
					snprintf(out->v[out->n++], sizeof out->v[0], "%s", v);
			}
		yaml_document_delete(&doc);
	}
	datadir_list_free(&fam);
	return rc;
}

/* perf_data_reuse_manifest.yaml, read once per process: its groups. */
static _Thread_local struct manifest {
	bool read;
	char path[DATADIR_PATH_MAX];
	perftree_group *g;
	size_t n;
	char err[600];
} man;

static void manifest_forget(void)
{
	for (size_t i = 0; i < man.n; i++) {
		free(man.g[i].table);
		free(man.g[i].kernel_source);
		free(man.g[i].tier);
		for (int k = 0; k < man.g[i].nframeworks; k++)
			free(man.g[i].frameworks[k]);
		free(man.g[i].frameworks);
	}
	free(man.g);
	memset(&man, 0, sizeof man);
}

static int manifest_read(const char *path)
{
	yaml_document_t doc;
	int st = yaml_read(path, &doc, man.err, sizeof man.err);
	if (st)
		return st > 0 ? 0 : -1;
	yaml_node_t *groups = map_get(&doc, yaml_document_get_root_node(&doc), "groups");
	int rc = 0;
	if (!groups || groups->type != YAML_SEQUENCE_NODE) {
		diag_errf(man.err, sizeof man.err, "%s: not a reuse manifest (a mapping with a 'groups' list)", path);
		rc = -1;
		goto out;
	}
	size_t cap = (size_t)(groups->data.sequence.items.top - groups->data.sequence.items.start);
	man.g = xcalloc(cap, sizeof *man.g);
	for (yaml_node_item_t *it = groups->data.sequence.items.start; it < groups->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(&doc, *it);
		const char *op = scalar(map_get(&doc, e, "op_file"));
		const char *ks = scalar(map_get(&doc, e, "kernel_source"));
		const char *tier = scalar(map_get(&doc, e, "tier"));
		yaml_node_t *fws = map_get(&doc, e, "frameworks");
		/* groups without an op file or a kernel source are skipped, as the reference does */
		if (!op || !*op || !ks || !*ks)
			continue;
		if (fws && fws->type != YAML_SEQUENCE_NODE && !(fws->type == YAML_SCALAR_NODE && !*scalar(fws))) {
			diag_errf(man.err, sizeof man.err, "%s:%zu: 'frameworks' must be a list", path, e->start_mark.line + 1);
			rc = -1;
			goto out;
		}
		size_t len = strlen(op);
		char table[256];
		if (len > 8 && strcmp(op + len - 8, ".parquet") == 0)
			snprintf(table, sizeof table, "%.*s", (int)(len - 8), op);
		else if (len > 4 && strcmp(op + len - 4, ".txt") == 0)
			snprintf(table, sizeof table, "%.*s", (int)(len - 4), op);
		else
			continue;
		perftree_group *g = &man.g[man.n++];
		g->table = xstrdup(table);
		g->kernel_source = xstrdup(ks);
		g->tier = xstrdup(tier ? tier : "");
		size_t nf = fws && fws->type == YAML_SEQUENCE_NODE
				    ? (size_t)(fws->data.sequence.items.top - fws->data.sequence.items.start)
				    : 0;
		g->frameworks = xcalloc(nf, sizeof *g->frameworks);
		for (size_t k = 0; k < nf; k++) {
			const char *f = scalar(yaml_document_get_node(&doc, fws->data.sequence.items.start[k]));
			if (!f) {
				diag_errf(man.err, sizeof man.err, "%s:%zu: frameworks entries must be strings", path,
					e->start_mark.line + 1);
				rc = -1;
				goto out;
			}
			char *low = xstrdup(f);
			for (char *c = low; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			g->frameworks[g->nframeworks++] = low;
		}
	}
out:
	yaml_document_delete(&doc);
	return rc;
}

int perftree_manifest(const char *system_dir, const perftree_group **groups, size_t *n, char *err, size_t errlen)
{
	/* the manifest sits beside data/: system_dir/../../perf_data_reuse_manifest.yaml */
	char path[DATADIR_PATH_MAX];
	snprintf(path, sizeof path, "%.4000s/../../perf_data_reuse_manifest.yaml", system_dir);
	if (!man.read || strcmp(man.path, path) != 0) {
		manifest_forget();
		register_forget();
		man.read = true;
		snprintf(man.path, sizeof man.path, "%s", path);
		if (manifest_read(path) != 0) {
			/* keep the error, drop what was read */
			char e[600];
			snprintf(e, sizeof e, "%s", man.err);
			manifest_forget();
			man.read = true;
			snprintf(man.path, sizeof man.path, "%s", path);
			snprintf(man.err, sizeof man.err, "%s", e);
		}
	}
	if (man.err[0]) {
		diag_errf(err, errlen, "%s", man.err);
		return -1;
	}
	*groups = man.g;
	*n = man.n;
	return 0;
}
