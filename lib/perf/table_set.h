/* table_set: one loaded perf table (*_perf.txt) as the reference holds it: a few enum-like
 * keys on top (quant modes, an op name), each leading to a numeric nested table (lib/perf/grid).
 * The reference keys its dicts by enum members first (gemm: quant_mode -> m -> n -> k);
 * here each distinct top key tuple is one `table_part` with its own grid.
 *
 * Also the row helpers every loader shares (required columns, strict numbers, latency
 * checks) so that a bad table always reads "FILE:LINE: what", and the record of which key
 * ranges were measured (before extrapolation) so a query can tell measured, interpolated
 * and extrapolated answers apart. */
#ifndef INFERCAST_TABLE_SET_H
#define INFERCAST_TABLE_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "grid.h"
#include "table_csv.h"

enum { TABLE_MAX_PREFIX = 8 };

/* One sub-table: the keys above it and a numeric nested table below. */
typedef struct table_part {
	const void *k1, *k2;    /* enum keys (quant modes as opgraph_quant pointers), NULL if unused */
	char name[48];          /* string key (NCCL op name), "" if unused */
	double pre[TABLE_MAX_PREFIX]; /* numeric keys above the grid (kv heads, head size, window) */
	int npre;
	grid *g;
	int ready;              /* 0: rows as read; 1: finalized (clamped, extrapolated); -1: that failed */
	bool boxed;             /* lo/hi hold the measured key range of the grid's first 3 levels */
	double lo[3], hi[3];
	const void *pending;    /* restored by a table_backing and not checked yet (g NULL): its record */
	bool borrowed;          /* g is the backing's (read in place, a mapped file's): never freed here,
				 * nor read when freeing (the file may have changed under the mapping) */
} table_part;

/* The key of a part, for find/make. */
typedef struct table_key {
	const void *k1, *k2;
	const char *name;       /* NULL: "" */
	double pre[TABLE_MAX_PREFIX];
	int npre;
} table_key;

typedef struct table_set table_set;

/* Where the parts of a restored set live (lib/perf/table_cache's mapped file): a handle of two calls,
 * so that this module never calls its owner. check makes a pending part usable on its first
 * use (its grid verified against the file's checksum and opened in place; a damaged one is
 * read again from the tables, never trusted) and clears p->pending; it does not return
 * otherwise (a table that cannot be read again ends the program with its error). release drops
 * the set's hold on the backing (table_set_free). */
typedef struct table_backing table_backing;
struct table_backing {
	void (*check)(table_backing *src, table_set *t, table_part *p);
	void (*release)(table_backing *src);
};

/* Load-time work the reference does on a whole table (speed-of-light clamp, extrapolation),
 * done here per part on its first look-up: a run touches few parts of a table. */
typedef int (*table_finalize_fn)(table_set *t, table_part *p, char *err, size_t errlen);

struct table_set {
	char *path;             /* the primary file */
	bool loaded;            /* the file existed and was read (the reference's LoadedOpData.loaded) */
	size_t rows;            /* data rows read */
	bool has_power;         /* the table had a power column */
	int depth;              /* numeric levels of every part's grid */
	size_t nparts;
	table_part *parts;
	table_finalize_fn finalize; /* NULL: parts are ready as read */
	const void *ctx;            /* for finalize (the system spec) */
	table_backing *backing;      /* where restored parts live, NULL when read from the tables */
};

void table_set_init(table_set *t, const char *path, int depth);
/* table_set_init, then read path into c. TABLE_CSV_OK: t is loaded with c's row count (free c
 * when done); TABLE_CSV_MISSING: t stays not loaded; else an error, err says what. */
int table_set_open(table_set *t, table_csv *c, const char *path, int depth, char *err, size_t errlen);
void table_set_free(table_set *t);
/* The part for key, or NULL. Parts found here, through table_set_ready or table_set_use are
 * ready to read (p->g set); a loop over t->parts may read their keys only. */
table_part *table_set_find(const table_set *t, const table_key *key);
/* p (one of t->parts, picked by a loop over its keys), ready to read. */
const table_part *table_set_use(const table_set *t, const table_part *p);
/* The part for key, created empty when absent. */
table_part *table_set_part(table_set *t, const table_key *key);
/* The part for key, finalized on first use. NULL when absent (*failed false) or when
 * finalizing failed (*failed true, err says why). */
table_part *table_set_ready(table_set *t, const table_key *key, bool *failed, char *err, size_t errlen);
/* Finalize every part (perfload, tests). 0 or -1 with err. */
int table_set_finalize_all(table_set *t, char *err, size_t errlen);
/* Total leaves over all parts. */
size_t table_set_leaves(const table_set *t);

/* Record the measured key range of the part's grid (call before extrapolating). */
void table_part_record_box(table_part *p);
/* True when every coordinate lies in the measured range of its level. */
bool table_part_inside(const table_part *p, const double *coords, int n);

/* Call fn on every leaf of g in ascending key order, with its full key path. */
typedef void (*table_leaf_fn)(const double *keys, grid_leaf *leaf, void *ctx);
void table_walk(grid *g, table_leaf_fn fn, void *ctx);

/* Row helpers: each returns false with "FILE:LINE: what" (or "FILE: what") in err. */
bool table_require_col(const table_csv *c, const char *name, int *col, char *err, size_t errlen);
bool table_row_int(const table_csv *c, size_t row, int col, long long *out, char *err, size_t errlen);
/* A latency: a finite, non-negative number. */
bool table_row_latency(const table_csv *c, size_t row, int col, double *out, char *err, size_t errlen);
/* A finite number (power). col < 0 gives 0. */
bool table_row_float(const table_csv *c, size_t row, int col, double *out, char *err, size_t errlen);

#endif
