#include "explain.h"
#include "table_set.h"

#include "perftree.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("out of memory\n", stderr);
		exit(1);
	}
	return q;
}

void table_set_init(table_set *t, const char *path, int depth)
{
	memset(t, 0, sizeof *t);
	/* the file itself, for messages (lib/perf/perftree: the .parquet a v0.9 name stands for) */
	char shown[DATADIR_PATH_MAX];
	perftree_display(path ? path : "", shown, sizeof shown);
	t->path = strdup(shown);
	t->depth = depth;
}

int table_set_open(table_set *t, table_csv *c, const char *path, int depth, char *err, size_t errlen)
{
	table_set_init(t, path, depth);
	int st = table_csv_load(c, path, err, errlen);
	if (st == TABLE_CSV_OK) {
		t->loaded = true;
		t->rows = c->nrows;
	}
	return st;
}

void table_set_free(table_set *t)
{
	for (size_t i = 0; i < t->nparts; i++)
		if (!t->parts[i].borrowed)
			grid_free(t->parts[i].g);
	free(t->parts);
	free(t->path);
	if (t->backing)
		t->backing->release(t->backing);
	memset(t, 0, sizeof *t);
}

static bool same_key(const table_part *p, const table_key *k)
{
	if (p->k1 != k->k1 || p->k2 != k->k2 || p->npre != k->npre)
		return false;
	for (int i = 0; i < k->npre; i++)
		if (p->pre[i] != k->pre[i])
			return false;
	return strcmp(p->name, k->name ? k->name : "") == 0;
}

const table_part *table_set_use(const table_set *t, const table_part *p)
{
	/* the check changes no answer (it only opens or re-reads the part's own grid): a look-up
	 * through a const set may make it */
	if (p && p->pending)
		t->backing->check(t->backing, (table_set *)t, (table_part *)p);
	return p;
}

table_part *table_set_find(const table_set *t, const table_key *key)
{
	if (explain_on) /* every look-up finds its part here: the file query --explain names */
		explain_table(t->path);
	/* the last part found is the likeliest next one (loaders see rows grouped) */
	static _Thread_local const table_set *last_t;
	static _Thread_local size_t last_i;
	if (last_t == t && last_i < t->nparts && same_key(&t->parts[last_i], key))
		return (table_part *)table_set_use(t, &t->parts[last_i]);
	for (size_t i = 0; i < t->nparts; i++)
		if (same_key(&t->parts[i], key)) {
			last_t = t;
			last_i = i;
			return (table_part *)table_set_use(t, &t->parts[i]);
		}
	return NULL;
}

table_part *table_set_part(table_set *t, const table_key *key)
{
	table_part *p = table_set_find(t, key);
	if (p)
		return p;
	t->parts = xrealloc(t->parts, (t->nparts + 1) * sizeof *t->parts);
	p = &t->parts[t->nparts++];
	memset(p, 0, sizeof *p);
	p->k1 = key->k1;
	p->k2 = key->k2;
	snprintf(p->name, sizeof p->name, "%s", key->name ? key->name : "");
	p->npre = key->npre;
	memcpy(p->pre, key->pre, sizeof p->pre);
	p->g = grid_new(t->depth);
	if (!p->g) {
		fputs("out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static int finalize_part(table_set *t, table_part *p, char *err, size_t errlen)
{
	if (p->ready == 0) {
		/* load-time work (the reference's extrapolation) is no look-up: query --explain skips it */
		explain_suspend();
		int rc = t->finalize ? t->finalize(t, p, err, errlen) : 0;
		explain_resume();
		if (rc != 0) {
			p->ready = -1;
			return -1;
		}
		p->ready = 1;
	}
	if (p->ready < 0) {
		snprintf(err, errlen, "%s: this part of the table could not be prepared", t->path);
		return -1;
	}
	return 0;
}

table_part *table_set_ready(table_set *t, const table_key *key, bool *failed, char *err, size_t errlen)
{
	*failed = false;
	table_part *p = table_set_find(t, key);
	if (p && finalize_part(t, p, err, errlen) != 0) {
		*failed = true;
		return NULL;
	}
	return p;
}

int table_set_finalize_all(table_set *t, char *err, size_t errlen)
{
	for (size_t i = 0; i < t->nparts; i++)
		if (!table_set_use(t, &t->parts[i]) || finalize_part(t, &t->parts[i], err, errlen) != 0)
			return -1;
	return 0;
}

size_t table_set_leaves(const table_set *t)
{
	size_t n = 0;
	for (size_t i = 0; i < t->nparts; i++)
		n += grid_size(table_set_use(t, &t->parts[i])->g);
	return n;
}

/* Min and max key of every node at `level` levels below node (0: node itself). */
static void range_at(const grid_node *node, int level, double *lo, double *hi)
{
	const double *keys;
	size_t n = grid_node_keys(node, &keys);
	if (level == 0) {
		if (n) {
			if (keys[0] < *lo)
				*lo = keys[0];
			if (keys[n - 1] > *hi)
				*hi = keys[n - 1];
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const grid_node *kid = grid_node_child(node, keys[i]);
		if (kid)
			range_at(kid, level - 1, lo, hi);
	}
}

void table_part_record_box(table_part *p)
{
	const grid_node *root = grid_root(p->g);
	int levels = grid_node_levels(root);
	for (int l = 0; l < 3; l++) {
		p->lo[l] = INFINITY;
		p->hi[l] = -INFINITY;
		if (l < levels)
			range_at(root, l, &p->lo[l], &p->hi[l]);
	}
	p->boxed = true;
}

bool table_part_inside(const table_part *p, const double *coords, int n)
{
	if (!p->boxed)
		return true;
	for (int l = 0; l < n && l < 3; l++)
		if (coords[l] < p->lo[l] || coords[l] > p->hi[l])
			return false;
	return true;
}

static void walk(grid *g, const grid_node *node, double *keys, int depth, table_leaf_fn fn, void *ctx)
{
	const double *k;
	size_t n = grid_node_keys(node, &k);
	for (size_t i = 0; i < n; i++) {
		keys[depth] = k[i];
		if (grid_node_levels(node) == 1)
			fn(keys, (grid_leaf *)grid_node_leaf(node, k[i]), ctx);
		else
			walk(g, grid_node_child(node, k[i]), keys, depth + 1, fn, ctx);
	}
}

void table_walk(grid *g, table_leaf_fn fn, void *ctx)
{
	double keys[GRID_MAX_DEPTH];
	walk(g, grid_root(g), keys, 0, fn, ctx);
}

bool table_require_col(const table_csv *c, const char *name, int *col, char *err, size_t errlen)
{
	*col = table_csv_col(c, name);
	if (*col < 0) {
		snprintf(err, errlen, "%s:1: missing column '%s'", c->path, name);
		return false;
	}
	return true;
}

bool table_row_int(const table_csv *c, size_t row, int col, long long *out, char *err, size_t errlen)
{
	const char *s = table_csv_cell(c, row, col);
	if (!table_csv_int(s, out)) {
		snprintf(err, errlen, "%s:%ld: %s '%s' is not an integer", table_csv_row_file(c, row), c->lines[row], c->header[col], s);
		return false;
	}
	return true;
}

bool table_row_latency(const table_csv *c, size_t row, int col, double *out, char *err, size_t errlen)
{
	const char *s = table_csv_cell(c, row, col);
	if (!table_csv_float(s, out)) {
		snprintf(err, errlen, "%s:%ld: %s '%s' is not a number", table_csv_row_file(c, row), c->lines[row], c->header[col], s);
		return false;
	}
	if (!isfinite(*out) || *out < 0) {
		snprintf(err, errlen, "%s:%ld: %s '%s' is %s", table_csv_row_file(c, row), c->lines[row], c->header[col], s,
			 isfinite(*out) ? "negative" : "not finite");
		return false;
	}
	return true;
}

bool table_row_float(const table_csv *c, size_t row, int col, double *out, char *err, size_t errlen)
{
	if (col < 0 || table_csv_cell_absent(c, row, col)) {
		*out = 0.0;
		return true;
	}
	const char *s = table_csv_cell(c, row, col);
	if (!table_csv_float(s, out) || !isfinite(*out)) {
		snprintf(err, errlen, "%s:%ld: %s '%s' is not a finite number", table_csv_row_file(c, row), c->lines[row], c->header[col], s);
		return false;
	}
	return true;
}
