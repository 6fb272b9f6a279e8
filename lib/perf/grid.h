/* grid: an in-memory perf table shaped like the reference's nested dicts,
 * table[k1][k2]...[kd] -> leaf, with 1 to GRID_MAX_DEPTH levels of numeric keys.
 *
 * Every level keeps its keys sorted in one array (binary search, ascending walk);
 * a leaf holds what the reference stores per measured shape: either a bare latency
 * (its "legacy float" leaf) or a {latency, power, energy} dict, of which some keys
 * may be missing (values made by the reference's 1-D interpolation of dict leaves
 * carry latency and power only). grid_leaf_get() reads a metric the way the
 * reference's get_value() does: a missing dict key, or power/energy of a bare
 * latency, reads as 0.
 *
 * Keys are doubles: the reference's keys are Python ints (exact in a double up to
 * 2^53) and int/float keys that compare equal are the same key there too.
 *
 * Pointers returned by grid_node_keys(), grid_node_child() and grid_node_leaf()
 * stay valid until the next insert into that same node. */
#ifndef INFERCAST_GRID_H
#define INFERCAST_GRID_H

#include <stdbool.h>
#include <stddef.h>

enum { GRID_MAX_DEPTH = 8 };

/* Leaf flags: which keys the reference's leaf has. */
enum {
	GRID_LEAF_DICT = 1u,       /* a dict leaf (else a bare latency) */
	GRID_LEAF_HAS_LATENCY = 2u,
	GRID_LEAF_HAS_POWER = 4u,
	GRID_LEAF_HAS_ENERGY = 8u,
};

typedef struct grid_leaf {
	double latency, power, energy;
	unsigned flags;
} grid_leaf;

typedef enum grid_metric { GRID_LATENCY, GRID_POWER, GRID_ENERGY } grid_metric;

/* What grid_insert does when the key path already holds a leaf. The reference's
 * loaders keep the first row they read for a shape (GRID_KEEP_FIRST). */
typedef enum grid_insert_mode { GRID_KEEP_FIRST, GRID_OVERWRITE } grid_insert_mode;

typedef struct grid_node grid_node;
typedef struct grid grid;

/* Leaf constructors. */
grid_leaf grid_leaf_scalar(double latency);
grid_leaf grid_leaf_dict(double latency, double power, double energy);   /* all three keys */
grid_leaf grid_leaf_dict_lp(double latency, double power);               /* latency, power only */
/* The reference's get_value(leaf, metric). */
double grid_leaf_get(const grid_leaf *leaf, grid_metric metric);

/* A new empty table of depth levels (1..GRID_MAX_DEPTH); NULL on bad depth or no memory. */
grid *grid_new(int depth);
void grid_free(grid *g);
int grid_depth(const grid *g);
/* Number of leaves. */
size_t grid_size(const grid *g);

/* Insert leaf at keys[0..depth-1]. Returns 1 if a new leaf was added, 0 if the path
 * already held one (kept or overwritten per mode), -1 on no memory. */
int grid_insert(grid *g, const double *keys, const grid_leaf *leaf, grid_insert_mode mode);
/* The leaf at keys[0..depth-1], or NULL. */
const grid_leaf *grid_get(const grid *g, const double *keys);
grid_leaf *grid_get_mut(grid *g, const double *keys);

/* The first leaf ever inserted (the reference decides dict-vs-float handling of a
 * whole table from one sample leaf), or NULL for an empty table. */
const grid_leaf *grid_sample_leaf(const grid *g);

/* A count of the calls so far that may have changed or freed a grid (inserts, mutable access,
 * frees): a walk remembered while it stays the same still holds (lib/perf/interp). */
unsigned long grid_changes(void);

/* Walking the table level by level. A node is one dict of the nesting. */
const grid_node *grid_root(const grid *g);
grid_node *grid_root_mut(grid *g);
/* Levels of keys from this node down to the leaves: 1 means its keys map to leaves. */
int grid_node_levels(const grid_node *node);
/* Sorted keys of the node; returns how many, *keys points at them (NULL when none). */
size_t grid_node_keys(const grid_node *node, const double **keys);
size_t grid_node_count(const grid_node *node);
bool grid_node_has(const grid_node *node, double key);
/* Child dict under key (levels > 1), or NULL. */
const grid_node *grid_node_child(const grid_node *node, double key);
grid_node *grid_node_child_mut(grid_node *node, double key);
/* Leaf under key (levels == 1), or NULL. */
const grid_leaf *grid_node_leaf(const grid_node *node, double key);
/* The node at a path of nkeys keys from the root (nkeys 0: the root), or NULL. */
const grid_node *grid_find(const grid *g, const double *keys, int nkeys);

/* Low-level inserts used by the extrapolation (which fills a table in place):
 * the child under key, created empty if absent (levels > 1); NULL on no memory. */
grid_node *grid_node_child_make(grid *g, grid_node *node, double key);
/* Set a leaf under key (levels == 1). Same return as grid_insert. */
int grid_node_put_leaf(grid *g, grid_node *node, double key, const grid_leaf *leaf, grid_insert_mode mode);

/* The i-th child (levels > 1) or leaf (levels == 1) of a node in key order, NULL otherwise:
 * for walks that found i by bracketing the sorted keys (no second search by key). */
const grid_node *grid_node_child_at(const grid_node *node, size_t i);
const grid_leaf *grid_node_leaf_at(const grid_node *node, size_t i);
/* Images (lib/perf/table_cache): a grid as one block of bytes, with offsets where a built grid has
 * pointers, that is read in place wherever it lies (a read-only mapping of a cache file): no
 * rebuild, nothing to free, pages touched only where a look-up goes.
 * grid_image: an image of g, malloc'd, *len bytes (a multiple of 8); NULL on no memory.
 * grid_image_open: the grid of the len bytes at img (8-byte aligned) when they are a
 * well-formed image (every array inside it and in writing order, keys ascending and finite,
 * levels and leaf count consistent), else NULL. One pass over the keys and node records,
 * never the leaves, so a forged image cannot make it loop. The grid is read-only: inserts
 * into it fail, grid_free leaves it alone. */
void *grid_image(const grid *g, size_t *len);
/* The same into the caller's len bytes at dst (8-byte aligned), len being grid_image_size(g):
 * a file writer lays its grids out without a copy. False when len does not fit. */
size_t grid_image_size(const grid *g);
bool grid_image_write(const grid *g, void *dst, size_t len);
grid *grid_image_open(const void *img, size_t len);

/* Lazily checked images: what vouches for an image's bytes. verify(ctx, off, len): true when
 * bytes [off, off + len) of the image are as written; false when they were found damaged and
 * the whole image has since been replaced in place by a good one (then the grid checks again
 * every node it had checked). malformed(ctx): the image is not well formed although its bytes
 * are as written (a forged file); it must not return. */
typedef struct grid_image_guard {
	bool (*verify)(void *ctx, size_t off, size_t len);
	void (*malformed)(void *ctx);
	void *ctx;
} grid_image_guard;
/* The grid of the len bytes at img (8-byte aligned) with only its header checked (through
 * guard, whose functions and ctx must outlive the grid) and its root; each other node is
 * checked as grid_image_open checks it (its arrays inside the image, keys ascending and finite,
 * levels consistent; the array order is not required) when it is first handed out
 * (grid_node_child, grid_node_child_at, grid_find, grid_get), after guard->verify vouched for
 * its arrays' bytes. So a run reads only the parts of a large image it looks up. NULL when the header is malformed or on no memory. The grid is read-only
 * like grid_image_open's; grid_image_close_lazy forgets it (before img goes away). */
grid *grid_image_open_lazy(const void *img, size_t len, const grid_image_guard *guard);
void grid_image_close_lazy(const grid *g);

#endif
