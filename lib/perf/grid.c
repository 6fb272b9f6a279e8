/* grid: nested perf tables with sorted numeric keys at each level (see grid.h). */
#include "grid.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A node either owns its arrays (pointers) or is part of an image (grid_image): then the two
 * array fields hold offsets from the node itself, so that an image works wherever it is
 * mapped, read-only, without a pointer to fix. */
struct grid_node {
	int levels;          /* levels of keys from here down; 1: keys map to leaves */
	unsigned char image; /* 1: part of an image (offsets, never written) */
	size_t n, cap;
	union {
		double *p;   /* ascending */
		int64_t rel; /* image: from the node to its keys */
	} keys;
	union {
		grid_node *kids; /* levels > 1: one child dict per key, stored inline */
		grid_leaf *leaves;
		int64_t rel;     /* image: from the node to its kids or leaves */
	} u;
};

struct grid {
	grid_node root;
	size_t size;
	bool have_sample;
	grid_leaf sample;
};

/* Lazily checked images (grid_image_open_lazy): nodes whose arrays are checked on first use. */
typedef struct lazy_image {
	const char *base;
	size_t len;
	unsigned char *checked; /* a bit per 8-byte offset: the node there was checked */
	grid_image_guard guard;
} lazy_image;

static size_t nlazy;
static lazy_image *last_lazy; /* the image of the last node checked or found checked */
static void lazy_use(const grid_node *node);

/* A node of a lazily checked image is checked before it is handed out (the root when the
 * image is opened, a kid by grid_node_child and grid_node_child_at: the only ways to a node),
 * so its arrays are read only once it was checked, and reading them costs nothing more. The
 * common case inline: a kid in the last image used, checked already. */
static inline const grid_node *node_use(const grid_node *node)
{
	if (!nlazy || !node->image)
		return node;
	const lazy_image *l = last_lazy;
	uintptr_t at = (uintptr_t)node - (uintptr_t)(l ? l->base : 0);
	if (!(l && at < l->len && (l->checked[at / 64] >> (at / 8 % 8) & 1)))
		lazy_use(node);
	return node;
}

static inline const double *node_keys(const grid_node *node)
{
	return node->image ? (const double *)(const void *)((const char *)node + node->keys.rel) : node->keys.p;
}

static inline const grid_node *node_kids(const grid_node *node)
{
	return node->image ? (const grid_node *)((const char *)node + node->u.rel) : node->u.kids;
}

static inline const grid_leaf *node_leaves(const grid_node *node)
{
	return node->image ? (const grid_leaf *)((const char *)node + node->u.rel) : node->u.leaves;
}

grid_leaf grid_leaf_scalar(double latency)
{
	return (grid_leaf){ latency, 0.0, 0.0, GRID_LEAF_HAS_LATENCY };
}

grid_leaf grid_leaf_dict(double latency, double power, double energy)
{
	return (grid_leaf){ latency, power, energy,
		GRID_LEAF_DICT | GRID_LEAF_HAS_LATENCY | GRID_LEAF_HAS_POWER | GRID_LEAF_HAS_ENERGY };
}

grid_leaf grid_leaf_dict_lp(double latency, double power)
{
	return (grid_leaf){ latency, power, 0.0, GRID_LEAF_DICT | GRID_LEAF_HAS_LATENCY | GRID_LEAF_HAS_POWER };
}

double grid_leaf_get(const grid_leaf *leaf, grid_metric metric)
{
	if (!(leaf->flags & GRID_LEAF_DICT))
		return metric == GRID_LATENCY ? leaf->latency : 0.0;
	switch (metric) {
	case GRID_LATENCY: return (leaf->flags & GRID_LEAF_HAS_LATENCY) ? leaf->latency : 0.0;
	case GRID_POWER: return (leaf->flags & GRID_LEAF_HAS_POWER) ? leaf->power : 0.0;
	case GRID_ENERGY: return (leaf->flags & GRID_LEAF_HAS_ENERGY) ? leaf->energy : 0.0;
	}
	return 0.0;
}

static void node_init(grid_node *node, int levels)
{
	memset(node, 0, sizeof *node);
	node->levels = levels;
}

static void node_release(grid_node *node)
{
	if (node->levels > 1)
		for (size_t i = 0; i < node->n; i++)
			node_release(&node->u.kids[i]);
	free(node->u.kids); /* or the leaves: same pointer */
	free(node->keys.p);
	node->n = node->cap = 0;
	node->keys.p = NULL;
	node->u.kids = NULL;
}

/* Bumped by every call that may change or free a grid (see grid_changes in grid.h). */
static unsigned long changes;

unsigned long grid_changes(void) { return changes; }

grid *grid_new(int depth)
{
	if (depth < 1 || depth > GRID_MAX_DEPTH)
		return NULL;
	grid *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	node_init(&g->root, depth);
	return g;
}

void grid_free(grid *g)
{
	if (!g || g->root.image) /* an image belongs to whoever mapped it */
		return;
	changes++;
	node_release(&g->root);
	free(g);
}

int grid_depth(const grid *g) { return g->root.levels; }
size_t grid_size(const grid *g) { return g->size; }
const grid_node *grid_root(const grid *g) { return &g->root; }
grid_node *grid_root_mut(grid *g) { return changes++, &g->root; }
int grid_node_levels(const grid_node *node) { return node->levels; }
size_t grid_node_count(const grid_node *node) { return node->n; }

const grid_leaf *grid_sample_leaf(const grid *g)
{
	return g->have_sample ? &g->sample : NULL;
}

size_t grid_node_keys(const grid_node *node, const double **keys)
{
	*keys = node->n ? node_keys(node) : NULL;
	return node->n;
}

/* Index of the first key >= key. */
static size_t lower_bound(const grid_node *node, double key)
{
	const double *keys = node_keys(node);
	size_t lo = 0, hi = node->n;
	/* Tables are mostly built in ascending order: check the end first. */
	if (hi && keys[hi - 1] < key)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool find_index(const grid_node *node, double key, size_t *at)
{
	size_t i = lower_bound(node, key);
	*at = i;
	return i < node->n && node_keys(node)[i] == key;
}

bool grid_node_has(const grid_node *node, double key)
{
	size_t i;
	return find_index(node, key, &i);
}

const grid_node *grid_node_child(const grid_node *node, double key)
{
	size_t i;
	if (node->levels <= 1 || !find_index(node, key, &i))
		return NULL;
	return node_use(&node_kids(node)[i]);
}

grid_node *grid_node_child_mut(grid_node *node, double key)
{
	changes++;
	return (grid_node *)grid_node_child(node, key);
}

const grid_leaf *grid_node_leaf(const grid_node *node, double key)
{
	size_t i;
	if (node->levels != 1 || !find_index(node, key, &i))
		return NULL;
	return &node_leaves(node)[i];
}

/* Open a slot at index i (keys above shift up); false on no memory. */
static bool open_slot(grid_node *node, size_t i, double key)
{
	size_t elem = node->levels > 1 ? sizeof(grid_node) : sizeof(grid_leaf);
	if (node->n == node->cap) {
		size_t cap = node->cap ? node->cap * 2 : 8;
		double *keys = realloc(node->keys.p, cap * sizeof *keys);
		if (!keys)
			return false;
		node->keys.p = keys;
		void *vals = realloc(node->u.kids, cap * elem);
		if (!vals)
			return false;
		node->u.kids = vals;
		node->cap = cap;
	}
	char *vals = (char *)node->u.kids;
	memmove(node->keys.p + i + 1, node->keys.p + i, (node->n - i) * sizeof(double));
	memmove(vals + (i + 1) * elem, vals + i * elem, (node->n - i) * elem);
	node->keys.p[i] = key;
	node->n++;
	return true;
}

grid_node *grid_node_child_make(grid *g, grid_node *node, double key)
{
	changes++;
	(void)g;
	size_t i;
	if (node->levels <= 1 || node->image)
		return NULL;
	if (find_index(node, key, &i))
		return &node->u.kids[i];
	if (!open_slot(node, i, key))
		return NULL;
	node_init(&node->u.kids[i], node->levels - 1);
	return &node->u.kids[i];
}

int grid_node_put_leaf(grid *g, grid_node *node, double key, const grid_leaf *leaf, grid_insert_mode mode)
{
	changes++;
	size_t i;
	if (node->levels != 1 || node->image)
		return -1;
	if (find_index(node, key, &i)) {
		if (mode == GRID_OVERWRITE)
			node->u.leaves[i] = *leaf;
		return 0;
	}
	if (!open_slot(node, i, key))
		return -1;
	node->u.leaves[i] = *leaf;
	g->size++;
	if (!g->have_sample) {
		g->have_sample = true;
		g->sample = *leaf;
	}
	return 1;
}

int grid_insert(grid *g, const double *keys, const grid_leaf *leaf, grid_insert_mode mode)
{
	changes++;
	grid_node *node = &g->root;
	for (int d = 0; d < g->root.levels - 1; d++) {
		node = grid_node_child_make(g, node, keys[d]);
		if (!node)
			return -1;
	}
	return grid_node_put_leaf(g, node, keys[g->root.levels - 1], leaf, mode);
}

const grid_node *grid_find(const grid *g, const double *keys, int nkeys)
{
	const grid_node *node = &g->root;
	for (int d = 0; d < nkeys && node; d++)
		node = grid_node_child(node, keys[d]);
	return node;
}

const grid_leaf *grid_get(const grid *g, const double *keys)
{
	int depth = g->root.levels;
	const grid_node *node = grid_find(g, keys, depth - 1);
	return node ? grid_node_leaf(node, keys[depth - 1]) : NULL;
}

grid_leaf *grid_get_mut(grid *g, const double *keys)
{
	changes++;
	return (grid_leaf *)grid_get(g, keys);
}

const grid_node *grid_node_child_at(const grid_node *node, size_t i)
{
	return node->levels > 1 && i < node->n ? node_use(&node_kids(node)[i]) : NULL;
}

const grid_leaf *grid_node_leaf_at(const grid_node *node, size_t i)
{
	return node->levels == 1 && i < node->n ? &node_leaves(node)[i] : NULL;
}

/* ---- images ----
 *
 * The grid struct at offset 0, then every node's arrays depth first: its keys, then its
 * leaves or its kids (node structs), then each kid's arrays in key order. grid_image_open
 * insists on exactly that order, so that a check of the image is one pass (no array read
 * twice, however the offsets were forged). */

_Static_assert(sizeof(grid) % 8 == 0 && sizeof(grid_node) % 8 == 0 && sizeof(grid_leaf) % 8 == 0,
	       "image records keep 8-byte alignment");

typedef struct image_buf {
	char *p;
	size_t n, cap;
	bool bad;
	bool fixed; /* p is the caller's, cap bytes: never grown */
} image_buf;

/* Room for n more bytes (zeroed) at the end; their offset, or SIZE_MAX on no memory. */
static size_t image_grow(image_buf *b, size_t n)
{
	if (b->bad || (b->fixed && b->n + n > b->cap)) {
		b->bad = true;
		return SIZE_MAX;
	}
	if (b->n + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->n + n)
			cap *= 2;
		char *q = realloc(b->p, cap);
		if (!q) {
			b->bad = true;
			return SIZE_MAX;
		}
		b->p = q;
		b->cap = cap;
	}
	size_t at = b->n;
	memset(b->p + at, 0, n);
	b->n += n;
	return at;
}

/* Write node's arrays after the image so far; its image struct is at `at`. */
static void image_node(image_buf *b, size_t at, const grid_node *node)
{
	size_t n = node->n;
	grid_node img;
	memset(&img, 0, sizeof img);
	img.levels = node->levels;
	img.image = 1;
	img.n = img.cap = n;
	if (n) {
		size_t k = image_grow(b, n * sizeof(double));
		size_t v = image_grow(b, n * (node->levels > 1 ? sizeof(grid_node) : sizeof(grid_leaf)));
		if (b->bad)
			return;
		memcpy(b->p + k, node_keys(node), n * sizeof(double));
		img.keys.rel = (int64_t)k - (int64_t)at;
		img.u.rel = (int64_t)v - (int64_t)at;
		if (node->levels == 1) {
			const grid_leaf *lv = node_leaves(node);
			for (size_t i = 0; i < n; i++) { /* field by field: no padding bytes of ours in the file */
				grid_leaf c;
				memset(&c, 0, sizeof c);
				c.latency = lv[i].latency, c.power = lv[i].power, c.energy = lv[i].energy, c.flags = lv[i].flags;
				memcpy(b->p + v + i * sizeof c, &c, sizeof c);
			}
		} else {
			for (size_t i = 0; i < n && !b->bad; i++)
				image_node(b, v + i * sizeof(grid_node), &node_kids(node)[i]);
		}
	}
	if (!b->bad)
		memcpy(b->p + at, &img, sizeof img);
}

static size_t node_image_size(const grid_node *node)
{
	if (!node->n)
		return 0;
	size_t size = node->n * sizeof(double);
	if (node->levels == 1)
		return size + node->n * sizeof(grid_leaf);
	size += node->n * sizeof(grid_node);
	const grid_node *kids = node_kids(node);
	for (size_t i = 0; i < node->n; i++)
		size += node_image_size(&kids[i]);
	return size;
}

size_t grid_image_size(const grid *g)
{
	return sizeof(grid) + node_image_size(&g->root);
}

static bool image_into(const grid *g, image_buf *b);

bool grid_image_write(const grid *g, void *dst, size_t len)
{
	image_buf b = { dst, 0, len, false, true };
	return image_into(g, &b) && b.n == len;
}

void *grid_image(const grid *g, size_t *len)
{
	image_buf b = { 0 };
	if (!image_into(g, &b)) {
		free(b.p);
		return NULL;
	}
	*len = b.n;
	return b.p;
}

/* The image of g after what b holds (b empty: at its start). */
static bool image_into(const grid *g, image_buf *b_)
{
	image_buf b = *b_;
	size_t at = image_grow(&b, sizeof(grid));
	if (at != SIZE_MAX)
		image_node(&b, at + offsetof(grid, root), &g->root);
	if (b.bad) {
		*b_ = b;
		return false;
	}
	grid hdr;
	memset(&hdr, 0, sizeof hdr);
	hdr.size = g->size;
	hdr.have_sample = g->have_sample;
	if (g->have_sample) {
		hdr.sample.latency = g->sample.latency, hdr.sample.power = g->sample.power;
		hdr.sample.energy = g->sample.energy, hdr.sample.flags = g->sample.flags;
	}
	if (!b.bad) /* everything but the root node, which image_node wrote */
		memcpy(b.p + at + offsetof(grid, size), (const char *)&hdr + offsetof(grid, size),
		       sizeof hdr - offsetof(grid, size));
	*b_ = b;
	return !b.bad;
}

typedef struct image_check {
	const char *base;
	size_t len, cursor, leaves;
} image_check;

/* The node at `at` (already inside the image) and everything under it, in writing order. */
static bool check_node(image_check *c, size_t at, int levels)
{
	grid_node node;
	memcpy(&node, c->base + at, sizeof node);
	if (node.levels != levels || node.image != 1 || node.n != node.cap)
		return false;
	if (node.n == 0)
		return true;
	size_t elem = levels > 1 ? sizeof(grid_node) : sizeof(grid_leaf);
	size_t room = c->len - c->cursor;
	if (node.n > room / (sizeof(double) + elem))
		return false;
	if (node.keys.rel != (int64_t)c->cursor - (int64_t)at)
		return false;
	const double *keys = (const double *)(const void *)(c->base + c->cursor);
	for (size_t i = 0; i < node.n; i++)
		if (!(isfinite(keys[i]) && (i == 0 || keys[i - 1] < keys[i])))
			return false; /* look-ups bisect: strictly ascending, no NaN */
	c->cursor += node.n * sizeof(double);
	if (node.u.rel != (int64_t)c->cursor - (int64_t)at)
		return false;
	size_t vals = c->cursor;
	c->cursor += node.n * elem;
	if (levels == 1) {
		c->leaves += node.n;
		return true;
	}
	for (size_t i = 0; i < node.n; i++)
		if (!check_node(c, vals + i * elem, levels - 1))
			return false;
	return true;
}

grid *grid_image_open(const void *img, size_t len)
{
	if (!img || len < sizeof(grid) || (uintptr_t)img % 8 != 0)
		return NULL;
	const char *base = img;
	int levels;
	unsigned char have_sample;
	size_t size;
	memcpy(&levels, base + offsetof(grid, root) + offsetof(grid_node, levels), sizeof levels);
	memcpy(&have_sample, base + offsetof(grid, have_sample), 1); /* a bool read only once it is 0 or 1 */
	memcpy(&size, base + offsetof(grid, size), sizeof size);
	if (levels < 1 || levels > GRID_MAX_DEPTH || have_sample > 1)
		return NULL;
	image_check c = { base, len, sizeof(grid), 0 };
	if (!check_node(&c, offsetof(grid, root), levels) || c.cursor != len || c.leaves != size)
		return NULL;
	return (grid *)img;
}

/* ---- lazily checked images ----
 *
 * A large image (the 3.4 MB GEMM grid) is mostly not read by a run: checking it whole on open
 * cost more than the run's look-ups. grid_image_open_lazy checks the grid header and the root;
 * any other node is checked the first time it is handed out (grid_node_child,
 * grid_node_child_at): its arrays inside the image, their bytes vouched for by the guard
 * (checksums of the blocks they lie in), keys finite and strictly ascending, and its kids'
 * headers one level down. A node is reached only through its parent's checked kids array (the
 * root: the checked header), so every header read was vouched for, and levels fall by one per
 * step: a forged image can neither read outside itself nor loop. */

static lazy_image **lazies;
static size_t lazies_cap;

static lazy_image *lazy_of(const void *p)
{
	uintptr_t a = (uintptr_t)p;
	if (last_lazy && a - (uintptr_t)last_lazy->base < last_lazy->len)
		return last_lazy;
	for (size_t i = 0; i < nlazy; i++)
		if (a - (uintptr_t)lazies[i]->base < lazies[i]->len)
			return last_lazy = lazies[i];
	return NULL; /* an image checked whole (grid_image_open) */
}

/* Bytes [off, off + n) of the image inside it and 8-byte aligned. */
static bool lazy_range(const lazy_image *l, int64_t off, size_t n)
{
	return off >= 0 && (uint64_t)off % 8 == 0 && (uint64_t)off <= l->len && n <= l->len - (size_t)off;
}

/* 1: the node at `at` is well formed; 0: it is not; -1: the guard found damaged bytes and
 * had them replaced (every check so far is void: start again). */
static int lazy_node_ok(lazy_image *l, size_t at)
{
	grid_node node;
	memcpy(&node, l->base + at, sizeof node);
	if (node.image != 1 || node.n != node.cap || node.levels < 1 || node.levels > GRID_MAX_DEPTH)
		return 0;
	if (node.n == 0)
		return 1;
	size_t elem = node.levels > 1 ? sizeof(grid_node) : sizeof(grid_leaf);
	if (node.n > l->len / (sizeof(double) + elem))
		return 0;
	int64_t k = (int64_t)at + node.keys.rel, v = (int64_t)at + node.u.rel;
	if (node.keys.rel > (int64_t)l->len || node.keys.rel < -(int64_t)l->len || node.u.rel > (int64_t)l->len ||
	    node.u.rel < -(int64_t)l->len || !lazy_range(l, k, node.n * sizeof(double)) || !lazy_range(l, v, node.n * elem))
		return 0;
	if (!l->guard.verify(l->guard.ctx, (size_t)k, node.n * sizeof(double)) ||
	    !l->guard.verify(l->guard.ctx, (size_t)v, node.n * elem))
		return -1;
	const double *keys = (const double *)(const void *)(l->base + k);
	for (size_t i = 0; i < node.n; i++)
		if (!(isfinite(keys[i]) && (i == 0 || keys[i - 1] < keys[i])))
			return 0; /* look-ups bisect: strictly ascending, no NaN */
	if (node.levels > 1)
		for (size_t i = 0; i < node.n; i++) {
			grid_node kid;
			memcpy(&kid, l->base + v + i * elem, sizeof kid);
			if (kid.levels != node.levels - 1 || kid.image != 1)
				return 0;
		}
	return 1;
}

static void lazy_forget_all(void)
{
	for (size_t i = 0; i < nlazy; i++)
		memset(lazies[i]->checked, 0, lazies[i]->len / 64 + 1);
}

static void lazy_use(const grid_node *node)
{
	lazy_image *l = lazy_of(node);
	if (!l)
		return;
	size_t at = (size_t)((const char *)node - l->base);
	if (l->checked[at / 64] >> (at / 8 % 8) & 1)
		return;
	for (int attempt = 0; attempt < 3; attempt++) {
		int ok = lazy_node_ok(l, at);
		if (ok == 1) {
			l->checked[at / 64] |= (unsigned char)(1u << (at / 8 % 8));
			return;
		}
		if (ok == 0)
			break;
		lazy_forget_all(); /* the bytes were replaced: nodes checked before are checked again */
	}
	l->guard.malformed(l->guard.ctx);
	abort(); /* malformed does not return */
}

grid *grid_image_open_lazy(const void *img, size_t len, const grid_image_guard *guard)
{
	if (!img || len < sizeof(grid) || len % 8 || (uintptr_t)img % 8 != 0 || !guard->verify(guard->ctx, 0, sizeof(grid)))
		return NULL;
	const char *base = img;
	int levels;
	unsigned char have_sample, image;
	memcpy(&levels, base + offsetof(grid, root) + offsetof(grid_node, levels), sizeof levels);
	memcpy(&image, base + offsetof(grid, root) + offsetof(grid_node, image), 1);
	memcpy(&have_sample, base + offsetof(grid, have_sample), 1); /* a bool read only once it is 0 or 1 */
	if (levels < 1 || levels > GRID_MAX_DEPTH || have_sample > 1 || image != 1)
		return NULL;
	lazy_image *l = calloc(1, sizeof *l);
	unsigned char *checked = calloc(len / 64 + 1, 1);
	if (nlazy == lazies_cap) {
		lazy_image **grown = realloc(lazies, (lazies_cap = lazies_cap ? 2 * lazies_cap : 16) * sizeof *grown);
		if (grown)
			lazies = grown;
		else
			lazies_cap = nlazy;
	}
	if (!l || !checked || nlazy == lazies_cap) {
		free(l);
		free(checked);
		return NULL;
	}
	l->base = base;
	l->len = len;
	l->checked = checked;
	l->guard = *guard;
	lazies[nlazy++] = l;
	lazy_use((const grid_node *)(const void *)(base + offsetof(grid, root))); /* the root, before it is handed out */
	return (grid *)img;
}

void grid_image_close_lazy(const grid *g)
{
	changes++;
	for (size_t i = 0; i < nlazy; i++)
		if (lazies[i]->base == (const char *)g) {
			if (last_lazy == lazies[i])
				last_lazy = NULL;
			free(lazies[i]->checked);
			free(lazies[i]);
			lazies[i] = lazies[--nlazy];
			return;
		}
}
