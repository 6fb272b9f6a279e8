/* grid: nested perf tables with sorted numeric keys at each level (see grid.h). */
#include "grid.h"

#include <stdlib.h>
#include <string.h>

struct grid_node {
	int levels;          /* levels of keys from here down; 1: keys map to leaves */
	unsigned char borrowed; /* BORROW_*: arrays owned by someone else (a cache mapping) */
	size_t n, cap;
	double *keys;        /* ascending */
	union {
		grid_node *kids; /* levels > 1: one child dict per key, stored inline */
		grid_leaf *leaves;
	} u;
};

struct grid {
	grid_node root;
	size_t size;
	bool have_sample;
	grid_leaf sample;
};

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

enum { BORROW_KEYS = 1, BORROW_VALS = 2 };

static void node_release(grid_node *node)
{
	if (node->levels > 1)
		for (size_t i = 0; i < node->n; i++)
			node_release(&node->u.kids[i]);
	if (!(node->borrowed & BORROW_VALS))
		free(node->u.kids); /* or the leaves: same pointer */
	if (!(node->borrowed & BORROW_KEYS))
		free(node->keys);
	node->borrowed = 0;
	node->n = node->cap = 0;
	node->keys = NULL;
	node->u.kids = NULL;
}

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
	if (!g)
		return;
	node_release(&g->root);
	free(g);
}

int grid_depth(const grid *g) { return g->root.levels; }
size_t grid_size(const grid *g) { return g->size; }
const grid_node *grid_root(const grid *g) { return &g->root; }
grid_node *grid_root_mut(grid *g) { return &g->root; }
int grid_node_levels(const grid_node *node) { return node->levels; }
size_t grid_node_count(const grid_node *node) { return node->n; }

const grid_leaf *grid_sample_leaf(const grid *g)
{
	return g->have_sample ? &g->sample : NULL;
}

size_t grid_node_keys(const grid_node *node, const double **keys)
{
	*keys = node->n ? node->keys : NULL;
	return node->n;
}

/* Index of the first key >= key. */
static size_t lower_bound(const grid_node *node, double key)
{
	size_t lo = 0, hi = node->n;
	/* Tables are mostly built in ascending order: check the end first. */
	if (hi && node->keys[hi - 1] < key)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (node->keys[mid] < key)
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
	return i < node->n && node->keys[i] == key;
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
	return &node->u.kids[i];
}

grid_node *grid_node_child_mut(grid_node *node, double key)
{
	return (grid_node *)grid_node_child(node, key);
}

const grid_leaf *grid_node_leaf(const grid_node *node, double key)
{
	size_t i;
	if (node->levels != 1 || !find_index(node, key, &i))
		return NULL;
	return &node->u.leaves[i];
}

/* Open a slot at index i (keys above shift up); false on no memory. */
static bool open_slot(grid_node *node, size_t i, double key)
{
	size_t elem = node->levels > 1 ? sizeof(grid_node) : sizeof(grid_leaf);
	if (node->borrowed) { /* first insert into borrowed arrays: take private copies */
		size_t cap = node->n < 4 ? 8 : 2 * node->n;
		double *keys = malloc(cap * sizeof *keys);
		void *vals = (node->borrowed & BORROW_VALS) ? malloc(cap * elem) : realloc(node->u.kids, cap * elem);
		if (!keys || !vals) {
			free(keys);
			if (vals && (node->borrowed & BORROW_VALS))
				free(vals);
			else if (vals)
				node->u.kids = vals;
			return false;
		}
		memcpy(keys, node->keys, node->n * sizeof *keys);
		if (node->borrowed & BORROW_VALS)
			memcpy(vals, node->u.kids, node->n * elem);
		node->keys = keys;
		node->u.kids = vals;
		node->cap = cap;
		node->borrowed = 0;
	}
	if (node->n == node->cap) {
		size_t cap = node->cap ? node->cap * 2 : 8;
		double *keys = realloc(node->keys, cap * sizeof *keys);
		if (!keys)
			return false;
		node->keys = keys;
		void *vals = realloc(node->u.kids, cap * elem);
		if (!vals)
			return false;
		node->u.kids = vals;
		node->cap = cap;
	}
	char *vals = (char *)node->u.kids;
	memmove(node->keys + i + 1, node->keys + i, (node->n - i) * sizeof(double));
	memmove(vals + (i + 1) * elem, vals + i * elem, (node->n - i) * elem);
	node->keys[i] = key;
	node->n++;
	return true;
}

grid_node *grid_node_child_make(grid *g, grid_node *node, double key)
{
	(void)g;
	size_t i;
	if (node->levels <= 1)
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
	size_t i;
	if (node->levels != 1)
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
	return (grid_leaf *)grid_get(g, keys);
}

int grid_node_fill(grid *g, grid_node *node, const double *keys, size_t n, const grid_leaf *leaves, bool borrow)
{
	if (node->n || n == 0)
		return node->n ? -1 : 0;
	size_t elem = node->levels > 1 ? sizeof(grid_node) : sizeof(grid_leaf);
	bool leaf_level = node->levels == 1;
	double *k = borrow ? (double *)keys : malloc(n * sizeof *k);
	void *vals = borrow && leaf_level ? (void *)leaves : malloc(n * elem);
	if (!k || !vals) {
		if (!borrow)
			free(k);
		if (!(borrow && leaf_level))
			free(vals);
		return -1;
	}
	if (!borrow)
		memcpy(k, keys, n * sizeof *k);
	free(node->keys);
	free(node->u.kids);
	node->keys = k;
	node->u.kids = vals;
	node->n = node->cap = n;
	node->borrowed = borrow ? (unsigned char)(BORROW_KEYS | (leaf_level ? BORROW_VALS : 0)) : 0;
	if (!leaf_level) {
		for (size_t i = 0; i < n; i++)
			node_init(&node->u.kids[i], node->levels - 1);
	} else {
		if (!borrow)
			memcpy(node->u.leaves, leaves, n * sizeof *leaves);
		g->size += n;
	}
	return 0;
}

grid_node *grid_node_kid_at(grid_node *node, size_t i)
{
	return node->levels > 1 && i < node->n ? &node->u.kids[i] : NULL;
}

const grid_node *grid_node_child_at(const grid_node *node, size_t i)
{
	return node->levels > 1 && i < node->n ? &node->u.kids[i] : NULL;
}

const grid_leaf *grid_node_leaf_at(const grid_node *node, size_t i)
{
	return node->levels == 1 && i < node->n ? &node->u.leaves[i] : NULL;
}

void grid_set_sample(grid *g, const grid_leaf *leaf)
{
	g->have_sample = leaf != NULL;
	if (leaf)
		g->sample = *leaf;
}
