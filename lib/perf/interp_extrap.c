/* interp_extrap: the reference's extrapolate_data_grid, run once by the table loaders after reading
 * (see interp_extrapolate_grid in interp.h). */
#include "interp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ grid extrapolation */

/* A copy of a node's keys: the reference walks snapshots while it inserts. */
static double *keys_copy(const grid_node *node, size_t *n)
{
	const double *k;
	*n = grid_node_keys(node, &k);
	double *c = malloc((*n ? *n : 1) * sizeof *c);
	if (c && *n)
		memcpy(c, k, *n * sizeof *c);
	return c;
}

static grid_leaf leaf_sqrt(const grid_leaf *l)
{
	if (l->flags & GRID_LEAF_DICT)
		return grid_leaf_dict_lp(sqrt(l->latency), l->power > 0 ? sqrt(l->power) : 0.0);
	return grid_leaf_scalar(sqrt(l->latency));
}

static grid_leaf leaf_square(const grid_leaf *l)
{
	if (l->flags & GRID_LEAF_DICT)
		return grid_leaf_dict_lp(l->latency * l->latency, l->power * l->power);
	return grid_leaf_scalar(l->latency * l->latency);
}

static int extrapolate_z(grid *g, grid_node *row, const double *target_z, size_t nz, interp_err *err)
{
	if (grid_node_count(row) <= 1)
		return INTERP_OK;
	for (size_t t = 0; t < nz; t++) {
		double z = target_z[t], lo, hi;
		if (grid_node_has(row, z))
			continue;
		const double *keys;
		size_t n = grid_node_keys(row, &keys);
		int rc = interp_nearest_1d(z, keys, n, false, &lo, &hi, err);
		if (rc)
			return rc;
		grid_leaf a = *grid_node_leaf(row, lo), b = *grid_node_leaf(row, hi), v;
		if ((rc = interp_1d_leaf(lo, hi, &a, &b, z, &v, err)))
			return rc;
		if (grid_node_put_leaf(g, row, z, &v, GRID_OVERWRITE) < 0)
			return interp_fail(err, INTERP_ENOMEM, "out of memory");
	}
	return INTERP_OK;
}

static int extrapolate_y(grid *g, double x, grid_node *plane, const double *target_y, size_t ny, bool sqrt_y,
			 interp_err *err)
{
	for (size_t t = 0; t < ny; t++) {
		double y = target_y[t], lo, hi;
		if (grid_node_has(plane, y))
			continue;
		const double *keys;
		size_t n = grid_node_keys(plane, &keys);
		if (n < 2)
			break;
		int rc = interp_nearest_1d(y, keys, n, false, &lo, &hi, err);
		if (rc)
			return rc;
		size_t nzs;
		double *zs = keys_copy(grid_node_child(plane, lo), &nzs);
		if (!zs)
			return interp_fail(err, INTERP_ENOMEM, "out of memory");
		for (size_t k = 0; k < nzs; k++) {
			const grid_leaf *pl = grid_node_leaf(grid_node_child(plane, lo), zs[k]);
			const grid_leaf *ph = grid_node_leaf(grid_node_child(plane, hi), zs[k]);
			if (!pl || !ph)
				continue;
			grid_leaf a = *pl, b = *ph, v;
			if (sqrt_y) {
				if (a.latency < 0 || b.latency < 0) {
					interp_fail(err, INTERP_ENONFINITE, "square root of a negative latency at (%.17g, %.17g, %.17g)",
					     x, a.latency < 0 ? lo : hi, zs[k]);
					free(zs);
					return INTERP_ENONFINITE;
				}
				a = leaf_sqrt(&a);
				b = leaf_sqrt(&b);
			}
			if ((rc = interp_1d_leaf(lo, hi, &a, &b, y, &v, err))) {
				free(zs);
				return rc;
			}
			if (sqrt_y)
				v = leaf_square(&v);
			grid_node *row = grid_node_child_make(g, plane, y);
			if (!row || grid_node_put_leaf(g, row, zs[k], &v, GRID_OVERWRITE) < 0) {
				free(zs);
				return interp_fail(err, INTERP_ENOMEM, "out of memory");
			}
		}
		free(zs);
	}
	return INTERP_OK;
}

int interp_extrapolate_grid(grid *g, const double *target_x, size_t nx, const double *target_y,
			    size_t ny, const double *target_z, size_t nz, bool sqrt_y, interp_err *err)
{
	if (grid_depth(g) != 3)
		return interp_fail(err, INTERP_EARG, "extrapolate_data_grid needs a 3-level table");
	grid_node *root = grid_root_mut(g);
	size_t n_x;
	double *xs = keys_copy(root, &n_x);
	if (!xs)
		return interp_fail(err, INTERP_ENOMEM, "out of memory");
	int rc = INTERP_OK;
	for (size_t i = 0; i < n_x && !rc; i++) {
		grid_node *plane = grid_node_child_mut(root, xs[i]);
		size_t n_y;
		double *ys = keys_copy(plane, &n_y);
		if (!ys) {
			rc = interp_fail(err, INTERP_ENOMEM, "out of memory");
			break;
		}
		for (size_t j = 0; j < n_y && !rc; j++)
			rc = extrapolate_z(g, grid_node_child_mut(plane, ys[j]), target_z, nz, err);
		free(ys);
		if (!rc)
			rc = extrapolate_y(g, xs[i], plane, target_y, ny, sqrt_y, err);
	}
	/* x slabs are made from the x keys read before any was added. */
	for (size_t t = 0; t < nx && !rc; t++) {
		double x = target_x[t], lo, hi;
		if (grid_node_has(root, x))
			continue;
		if (n_x < 2)
			break;
		if ((rc = interp_nearest_1d(x, xs, n_x, false, &lo, &hi, err)))
			break;
		size_t n_y;
		double *ys = keys_copy(grid_node_child(root, lo), &n_y);
		if (!ys) {
			rc = interp_fail(err, INTERP_ENOMEM, "out of memory");
			break;
		}
		for (size_t j = 0; j < n_y && !rc; j++) {
			if (!grid_node_child(grid_node_child(root, hi), ys[j]))
				continue;
			size_t n_z;
			double *zs = keys_copy(grid_node_child(grid_node_child(root, lo), ys[j]), &n_z);
			if (!zs) {
				rc = interp_fail(err, INTERP_ENOMEM, "out of memory");
				break;
			}
			for (size_t k = 0; k < n_z && !rc; k++) {
				const grid_leaf *pl = grid_node_leaf(grid_node_child(grid_node_child(root, lo), ys[j]), zs[k]);
				const grid_leaf *ph = grid_node_leaf(grid_node_child(grid_node_child(root, hi), ys[j]), zs[k]);
				if (!pl || !ph)
					continue;
				grid_leaf a = *pl, b = *ph, v;
				if ((rc = interp_1d_leaf(lo, hi, &a, &b, x, &v, err)))
					break;
				double key[3] = { x, ys[j], zs[k] };
				if (grid_insert(g, key, &v, GRID_OVERWRITE) < 0)
					rc = interp_fail(err, INTERP_ENOMEM, "out of memory");
			}
			free(zs);
		}
		free(ys);
	}
	free(xs);
	return rc;
}
