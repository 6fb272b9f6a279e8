#include "moe_nearest.h"

#include <math.h>

static double ratio_dist(double a, double b)
{
	return fabs(log(a / b));
}

double moe_shape_distance(const moe_shape *a, const moe_shape *b)
{
	/* keys: 0 topk, 1 experts, 2 hidden, 3 inter, 4 moe_tp, 5 moe_ep */
	double problem = ratio_dist(a->k[2], b->k[2]) + ratio_dist(a->k[3] / a->k[4], b->k[3] / b->k[4]) +
			 ratio_dist(a->k[1] / a->k[5], b->k[1] / b->k[5]) + ratio_dist(a->k[0], b->k[0]);
	/* the parallel layout weighs most: a table's efficiency falls about as 1 / moe_ep and
	 * drops where moe_tp cuts the expert width below the kernels' tiles, at any shape */
	return problem + 2 * (ratio_dist(a->k[4], b->k[4]) + ratio_dist(a->k[5], b->k[5]));
}

double moe_shape_matched_tokens(const moe_shape *from, const moe_shape *to, double tokens)
{
	double t = tokens * (from->k[0] / from->k[1]) / (to->k[0] / to->k[1]);
	return t < 1 ? 1 : t;
}

/* Depth-first over the shape levels; level is the key index the node's children hold. */
static void walk(const grid_node *node, int level, moe_shape *path, const moe_shape *want, double *best_d,
		 moe_shape *best, const grid_node **best_node)
{
	const double *keys;
	size_t n = grid_node_keys(node, &keys);
	for (size_t i = 0; i < n; i++) {
		const grid_node *child = grid_node_child_at(node, i);
		if (!child)
			continue;
		path->k[level] = keys[i];
		if (level + 1 < MOE_NEAREST_KEYS) {
			walk(child, level + 1, path, want, best_d, best, best_node);
			continue;
		}
		if (grid_node_count(child) == 0 || keys[i] <= 0)
			continue;
		bool positive = true;
		for (int j = 0; j < MOE_NEAREST_KEYS; j++)
			positive = positive && path->k[j] > 0;
		if (!positive)
			continue;
		double d = moe_shape_distance(want, path);
		if (d < *best_d) {
			*best_d = d;
			*best = *path;
			*best_node = child;
		}
	}
}

bool moe_nearest_shape(const grid_node *root, const moe_shape *want, moe_shape *best, const grid_node **tokens)
{
	double best_d = INFINITY;
	moe_shape path = { { 0 } };
	*tokens = NULL;
	if (root && grid_node_levels(root) > MOE_NEAREST_KEYS)
		walk(root, 0, &path, want, &best_d, best, tokens);
	return *tokens != NULL;
}
