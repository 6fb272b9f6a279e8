/* interp: the reference's table interpolation, the walks over grid tables (see interp.h); scipy's
 * griddata is in interp_griddata.c, the load-time extrapolation in interp_extrap.c. */
#include "explain.h"
#include "interp.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int interp_fail(interp_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

const char *interp_code_name(int code)
{
	switch (code) {
	case INTERP_OK: return "ok";
	case INTERP_ERANGE: return "out of range";
	case INTERP_EMISSING: return "missing key";
	case INTERP_EDEGENERATE: return "degenerate points";
	case INTERP_ENONFINITE: return "non-finite result";
	case INTERP_EARG: return "bad argument";
	case INTERP_ENOMEM: return "out of memory";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ 1-D */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* interp_nearest_1d on keys already in ascending order (grid nodes keep theirs sorted); at, when
 * given, receives the pair's indices. */
static int nearest_sorted(double x, const double *v, size_t n, bool inner_only, double *lo, double *hi,
			  size_t at[2], interp_err *err)
{
	size_t at_[2];
	if (!at)
		at = at_;
	if (n == 0)
		return interp_fail(err, INTERP_EMISSING, "no keys to bracket %.17g", x);
	if (n == 1) {
		if (inner_only && x != v[0])
			return interp_fail(err, INTERP_ERANGE, "%.17g is not the only key %.17g", x, v[0]);
		*lo = *hi = v[0];
		at[0] = at[1] = 0;
		return INTERP_OK;
	}
	int rc = INTERP_OK;
	if (x < v[0]) {
		if (inner_only)
			rc = interp_fail(err, INTERP_ERANGE, "%.17g is below the smallest key %.17g", x, v[0]);
		else
			*lo = v[0], *hi = v[1], at[0] = 0, at[1] = 1;
	} else if (x > v[n - 1]) {
		if (inner_only)
			rc = interp_fail(err, INTERP_ERANGE, "%.17g is above the largest key %.17g", x, v[n - 1]);
		else
			*lo = v[n - 2], *hi = v[n - 1], at[0] = n - 2, at[1] = n - 1;
	} else {
		/* First key above x; a query equal to the last key takes the last pair. */
		size_t a = 0, b = n - 1;
		while (a < b) {
			size_t mid = a + (b - a) / 2;
			if (v[mid] <= x)
				a = mid + 1;
			else
				b = mid;
		}
		size_t i = a ? a : 1; /* x >= v[0] so a >= 1 unless NaN */
		*lo = v[i - 1];
		*hi = v[i];
		at[0] = i - 1;
		at[1] = i;
	}
	return rc;
}

int interp_nearest_1d(double x, const double *values, size_t n, bool inner_only,
		      double *lo, double *hi, interp_err *err)
{
	if (n == 0)
		return interp_fail(err, INTERP_EMISSING, "no keys to bracket %.17g", x);
	if (n == 1) {
		if (inner_only && x != values[0])
			return interp_fail(err, INTERP_ERANGE, "%.17g is not the only key %.17g", x, values[0]);
		*lo = *hi = values[0];
		return INTERP_OK;
	}
	const double *v = values;
	double *copy = NULL;
	for (size_t i = 1; i < n; i++) {
		if (values[i - 1] > values[i]) {
			copy = malloc(n * sizeof *copy);
			if (!copy)
				return interp_fail(err, INTERP_ENOMEM, "out of memory");
			memcpy(copy, values, n * sizeof *copy);
			qsort(copy, n, sizeof *copy, cmp_double);
			v = copy;
			break;
		}
	}
	int rc = nearest_sorted(x, v, n, inner_only, lo, hi, NULL, err);
	free(copy);
	return rc;
}

static int sign_of(double v) { return (v > 0) - (v < 0); }

double interp_1d(double x0, double x1, double y0, double y1, double x)
{
	/* Beyond the pair, a decreasing-with-growth line would extrapolate downwards:
	 * the reference holds it flat instead. */
	if (sign_of(x0 - x1) * sign_of(y0 - y1) < 0 && sign_of(x - x0) * sign_of(x - x1) > 0)
		y1 = y0;
	if (y0 == y1)
		return y0;
	return y0 + (y1 - y0) / (x1 - x0) * (x - x0);
}

int interp_1d_leaf(double x0, double x1, const grid_leaf *y0, const grid_leaf *y1, double x,
		   grid_leaf *out, interp_err *err)
{
	bool d0 = y0->flags & GRID_LEAF_DICT, d1 = y1->flags & GRID_LEAF_DICT;
	if (d0 != d1)
		return interp_fail(err, INTERP_EARG, "cannot interpolate a dict leaf with a bare latency");
	if (!d0)
		*out = grid_leaf_scalar(interp_1d(x0, x1, y0->latency, y1->latency, x));
	else
		*out = grid_leaf_dict_lp(interp_1d(x0, x1, y0->latency, y1->latency, x),
					 interp_1d(x0, x1, y0->power, y1->power, x));
	if (explain_on) {
		const double pts[2] = { x0, x1 }, vals[2] = { y0->latency, y1->latency };
		explain_step("linear_1d", 1, &x, 2, pts, vals, out->latency);
	}
	return INTERP_OK;
}

int interp_validate(double v, interp_err *err)
{
	if (!isfinite(v))
		return interp_fail(err, INTERP_ENONFINITE, "non-finite interpolated value %g", v);
	return INTERP_OK;
}

/* The bilinear arithmetic on the cell [x1, x2] x [y1, y2] with corner values q. */
static int bilinear_cell(const double q[2][2], double x1, double x2, double y1, double y2, double x, double y,
			 double *out, interp_err *err)
{
	double total = (x2 - x1) * (y2 - y1);
	if (total == 0)
		return interp_fail(err, INTERP_EDEGENERATE, "zero-area bilinear cell [%.17g, %.17g] x [%.17g, %.17g]",
			    x1, x2, y1, y2);
	double f11 = q[0][0] * (x2 - x) * (y2 - y);
	double f12 = q[0][1] * (x2 - x) * (y - y1);
	double f21 = q[1][0] * (x - x1) * (y2 - y);
	double f22 = q[1][1] * (x - x1) * (y - y1);
	*out = (f11 + f12 + f21 + f22) / total;
	return INTERP_OK;
}

int interp_bilinear(const grid_node *data, double x1, double x2, double y1, double y2,
		    double x, double y, grid_metric metric, double *out, interp_err *err)
{
	double xs[2] = { x1, x2 }, ys[2] = { y1, y2 }, q[2][2];
	for (int i = 0; i < 2; i++) {
		const grid_node *row = grid_node_child(data, xs[i]);
		for (int j = 0; j < 2; j++) {
			const grid_leaf *leaf = row ? grid_node_leaf(row, ys[j]) : NULL;
			if (!leaf)
				return interp_fail(err, INTERP_EMISSING, "no value at (%.17g, %.17g)", xs[i], ys[j]);
			q[i][j] = grid_leaf_get(leaf, metric);
		}
	}
	return bilinear_cell(q, x1, x2, y1, y2, x, y, out, err);
}

/* ------------------------------------------------------------------ table interpolation */

bool interp_dict_leaves(const grid *g)
{
	const grid_leaf *s = grid_sample_leaf(g);
	return s && (s->flags & GRID_LEAF_DICT);
}

/* Bracket x among the keys of node (inner only). */
static int bracket(const grid_node *node, double x, double *lo, double *hi, interp_err *err)
{
	const double *keys;
	size_t n = grid_node_keys(node, &keys);
	return nearest_sorted(x, keys, n, true, lo, hi, NULL, err); /* a grid node's keys are sorted */
}

/* bracket, also giving the pair's positions among the node's keys (children/leaves by index). */
static int bracket_at(const grid_node *node, double x, double *lo, double *hi, size_t at[2], interp_err *err)
{
	const double *keys;
	size_t n = grid_node_keys(node, &keys);
	return nearest_sorted(x, keys, n, true, lo, hi, at, err);
}

static int leaf_value(const grid_node *node, double key, grid_metric metric, double *out, interp_err *err)
{
	const grid_leaf *leaf = grid_node_leaf(node, key);
	if (!leaf)
		return interp_fail(err, INTERP_EMISSING, "no value at key %.17g", key);
	*out = grid_leaf_get(leaf, metric);
	return INTERP_OK;
}

static int check_levels(const grid_node *data, int levels, const char *what, interp_err *err)
{
	if (!data || grid_node_levels(data) != levels)
		return interp_fail(err, INTERP_EARG, "%s needs a %d-level table", what, levels);
	return INTERP_OK;
}

/* The four surrounding points of (x, y) in a 2-level table, in the reference's order. */
static int surround_2d(double x, double y, const grid_node *data, grid_metric metric,
		       double pts[4][2], double vals[4], interp_err *err)
{
	double xs[2];
	int rc = bracket(data, x, &xs[0], &xs[1], err);
	if (rc)
		return rc;
	int n = 0;
	for (int i = 0; i < 2; i++) {
		const grid_node *row = grid_node_child(data, xs[i]);
		double ys[2];
		if ((rc = bracket(row, y, &ys[0], &ys[1], err)))
			return rc;
		for (int j = 0; j < 2; j++, n++) {
			pts[n][0] = xs[i];
			pts[n][1] = ys[j];
			if ((rc = leaf_value(row, ys[j], metric, &vals[n], err)))
				return rc;
		}
	}
	return INTERP_OK;
}

int interp_2d_linear(double x, double y, const grid_node *data, bool dict_leaves,
		     interp_result *out, interp_err *err)
{
	int rc = check_levels(data, 2, "interp_2d_linear", err);
	if (rc)
		return rc;
	double pts[4][2], vals[4];
	*out = (interp_result){ 0, 0, 0 };
	if ((rc = surround_2d(x, y, data, GRID_LATENCY, pts, vals, err)))
		return rc;
	if ((rc = interp_griddata_2d((const double (*)[2])pts, vals, 4, x, y, false, &out->latency, err))
	    || (rc = interp_validate(out->latency, err)))
		return rc;
	if (explain_on)
		explain_step("linear_2d", 2, (const double[]){ x, y }, 4, &pts[0][0], vals, out->latency);
	if (!dict_leaves)
		return INTERP_OK;
	if ((rc = surround_2d(x, y, data, GRID_ENERGY, pts, vals, err)))
		return rc;
	if ((rc = interp_griddata_2d((const double (*)[2])pts, vals, 4, x, y, false, &out->energy, err))
	    || (rc = interp_validate(out->energy, err)))
		return rc;
	return INTERP_OK;
}

int interp_3d_linear(double x, double y, double z, const grid_node *data, grid_metric metric,
		     double *out, interp_err *err)
{
	int rc = check_levels(data, 3, "interp_3d_linear", err);
	if (rc)
		return rc;
	double xs[2], pts[8][3], vals[8];
	if ((rc = bracket(data, x, &xs[0], &xs[1], err)))
		return rc;
	int n = 0;
	for (int i = 0; i < 2; i++) {
		const grid_node *plane = grid_node_child(data, xs[i]);
		double ys[2];
		if ((rc = bracket(plane, y, &ys[0], &ys[1], err)))
			return rc;
		for (int j = 0; j < 2; j++) {
			const grid_node *row = grid_node_child(plane, ys[j]);
			double zs[2];
			if ((rc = bracket(row, z, &zs[0], &zs[1], err)))
				return rc;
			for (int k = 0; k < 2; k++, n++) {
				pts[n][0] = xs[i];
				pts[n][1] = ys[j];
				pts[n][2] = zs[k];
				if ((rc = leaf_value(row, zs[k], metric, &vals[n], err)))
					return rc;
			}
		}
	}
	if ((rc = interp_griddata_3d_linear((const double (*)[3])pts, vals, 8, x, y, z, out, err)))
		return rc;
	if (explain_on && metric == GRID_LATENCY && interp_validate(*out, err) == INTERP_OK)
		explain_step("linear_3d", 3, (const double[]){ x, y, z }, 8, &pts[0][0], vals, *out);
	return interp_validate(*out, err);
}

/* What interp_2d_1d found in a table for one query point: the bracketing keys and the leaves
 * each plane's interpolation reads. None of it depends on the metric, so interp_3d's second
 * pass (energy) reads the same leaves without searching the keys again. */
typedef struct corner_walk {
	double xs[2];
	double ys[2][2], zs[2][2];   /* per plane: the bilinear cell (z pair of the upper row) */
	double pts[2][4][2];         /* per plane: the cubic points */
	const grid_leaf *leaf[2][4]; /* per plane: the leaves, in the order they are used */
	double zrow[2][2][2];        /* per plane and row: the z pair that row's search found */
} corner_walk;

/* A leaf of row by key, trying position guess first (rows of a table mostly share their keys). */
static const grid_leaf *leaf_by_key_near(const grid_node *row, double key, size_t guess)
{
	const double *keys;
	size_t n = grid_node_keys(row, &keys);
	if (guess < n && keys[guess] == key)
		return grid_node_leaf_at(row, guess);
	return grid_node_leaf(row, key);
}

/* One plane's value from the leaves w found for it. */
static int plane_value(const corner_walk *w, int i, double y, double z, grid_metric metric, interp_method method,
		       double *out, interp_err *err)
{
	if (method == INTERP_CUBIC) {
		double vals[4];
		for (int n = 0; n < 4; n++)
			vals[n] = grid_leaf_get(w->leaf[i][n], metric);
		return interp_griddata_2d((const double (*)[2])w->pts[i], vals, 4, y, z, true, out, err);
	}
	/* the cell's values straight from the leaves (a copy through a 4-value array was read
	 * back 16 bytes at a time, a store-forwarding stall on the bilinear look-ups' hot path) */
	const double q[2][2] = { { grid_leaf_get(w->leaf[i][0], metric), grid_leaf_get(w->leaf[i][1], metric) },
				 { grid_leaf_get(w->leaf[i][2], metric), grid_leaf_get(w->leaf[i][3], metric) } };
	return bilinear_cell(q, w->ys[i][0], w->ys[i][1], w->zs[i][0], w->zs[i][1], y, z, out, err);
}

/* For query --explain: the eight leaves a walk read, at (x of its plane, y, z), the method named
 * as its two steps (per plane over (y, z), then along x). */
static void explain_walk(const corner_walk *w, double x, double y, double z, interp_method method, double value)
{
	double pts[8][3], vals[8];
	for (int i = 0, n = 0; i < 2; i++)
		for (int k = 0; k < 4; k++, n++) {
			pts[n][0] = w->xs[i];
			if (method == INTERP_CUBIC) {
				pts[n][1] = w->pts[i][k][0];
				pts[n][2] = w->pts[i][k][1];
			} else { /* the bilinear cell: both rows at the upper row's z pair */
				pts[n][1] = w->ys[i][k / 2];
				pts[n][2] = w->zs[i][k % 2];
			}
			vals[n] = grid_leaf_get(w->leaf[i][k], GRID_LATENCY);
		}
	explain_step(method == INTERP_CUBIC ? "cubic_2d_then_1d" : "bilinear_2d_then_1d", 3, (const double[]){ x, y, z },
		     8, &pts[0][0], vals, value);
}

/* interp_2d_1d; w, when given, receives what was found, and when found is true holds it
 * already (from a successful walk of the same point and table). */
static int walk_2d_1d(double x, double y, double z, const grid_node *data, grid_metric metric,
		      interp_method method, double *out, interp_err *err, corner_walk *w, bool found)
{
	corner_walk local;
	if (!w)
		w = &local, found = false;
	double xv[2];
	int rc;
	size_t xi[2], yi[2], zi[2]; /* the brackets' positions: children and leaves by index */
	if (!found && (rc = bracket_at(data, x, &w->xs[0], &w->xs[1], xi, err)))
		return rc;
	for (int i = 0; i < 2; i++) {
		if (!found) {
			const grid_node *plane = grid_node_child_at(data, xi[i]);
			double *ys = w->ys[i], zs[2] = { 0, 0 };
			if ((rc = bracket_at(plane, y, &ys[0], &ys[1], yi, err)))
				return rc;
			int n = 0;
			for (int j = 0; j < 2; j++) {
				const grid_node *row = grid_node_child_at(plane, yi[j]);
				if ((rc = bracket_at(row, z, &zs[0], &zs[1], zi, err)))
					return rc;
				w->zrow[i][j][0] = zs[0];
				w->zrow[i][j][1] = zs[1];
				for (int k = 0; k < 2; k++, n++) {
					w->pts[i][n][0] = ys[j];
					w->pts[i][n][1] = zs[k];
					w->leaf[i][n] = grid_node_leaf_at(row, zi[k]);
				}
			}
			/* the reference's bilinear form reuses the z pair of the upper y row for both rows */
			w->zs[i][0] = zs[0];
			w->zs[i][1] = zs[1];
			if (method == INTERP_BILINEAR) {
				for (int j = 0; j < 2; j++) {
					const grid_node *row = grid_node_child_at(plane, yi[j]);
					for (int k = 0; k < 2; k++) {
						const grid_leaf *leaf = j == 1 ? grid_node_leaf_at(row, zi[k])
									       : leaf_by_key_near(row, zs[k], zi[k]);
						if (!leaf)
							return interp_fail(err, INTERP_EMISSING, "no value at (%.17g, %.17g)", ys[j],
								    zs[k]);
						w->leaf[i][2 * j + k] = leaf;
					}
				}
			}
		}
		if ((rc = plane_value(w, i, y, z, metric, method, &xv[i], err)) || (rc = interp_validate(xv[i], err)))
			return rc;
	}
	*out = interp_1d(w->xs[0], w->xs[1], xv[0], xv[1], x);
	if (explain_on && metric == GRID_LATENCY)
		explain_walk(w, x, y, z, method, *out);
	return interp_validate(*out, err);
}

int interp_2d_1d(double x, double y, double z, const grid_node *data, grid_metric metric,
		 interp_method method, double *out, interp_err *err)
{
	int rc = check_levels(data, 3, "interp_2d_1d", err);
	if (rc)
		return rc;
	if (method != INTERP_CUBIC && method != INTERP_BILINEAR)
		return interp_fail(err, INTERP_EARG, "interp_2d_1d: method must be cubic or bilinear");
	return walk_2d_1d(x, y, z, data, metric, method, out, err, NULL, false);
}

int interp_3d(double x, double y, double z, const grid_node *data, bool dict_leaves,
	      interp_method method, interp_result *out, interp_err *err)
{
	int rc;
	*out = (interp_result){ 0, 0, 0 };
	if (method != INTERP_LINEAR) {
		if ((rc = check_levels(data, 3, "interp_2d_1d", err)))
			return rc;
		if (method != INTERP_CUBIC && method != INTERP_BILINEAR)
			return interp_fail(err, INTERP_EARG, "interp_2d_1d: method must be cubic or bilinear");
		/* The last successful walk, kept: a decode op's look-ups come in runs of one (x, y) with
		 * z (the kv length) growing a step at a time, mostly inside the cell found before, where
		 * every search would find the same keys again (a sixth of query's time in a sweep). */
		static struct {
			const grid_node *data;
			unsigned long changes; /* grid_changes() then: no grid changed or freed since */
			double x, y;
			interp_method method;
			corner_walk w;
		} last;
		bool found = last.data == data && last.changes == grid_changes() && last.x == x && last.y == y &&
			     last.method == method;
		for (int i = 0; found && i < 2; i++)
			for (int j = 0; j < 2; j++) /* z in [lo, hi): every row's search would find that pair */
				found = found && last.w.zrow[i][j][0] <= z && z < last.w.zrow[i][j][1];
		if (!found)
			last.data = NULL;
		if ((rc = walk_2d_1d(x, y, z, data, GRID_LATENCY, method, &out->latency, err, &last.w, found)))
			return rc;
		last.data = data, last.changes = grid_changes(), last.x = x, last.y = y, last.method = method;
		if (dict_leaves)
			rc = walk_2d_1d(x, y, z, data, GRID_ENERGY, method, &out->energy, err, &last.w, true);
		return rc;
	}
	for (int pass = 0; pass < (dict_leaves ? 2 : 1); pass++) {
		grid_metric m = pass == 0 ? GRID_LATENCY : GRID_ENERGY;
		double *dst = pass == 0 ? &out->latency : &out->energy;
		if ((rc = interp_3d_linear(x, y, z, data, m, dst, err)))
			return rc;
	}
	return INTERP_OK;
}

/* ------------------------------------------------------------------ top-k regimes */

int interp_context_topk_piecewise(double num_heads, double full_s, double b, const grid_node *raw,
				  double boundary, interp_result *out, interp_err *err)
{
	if (isnan(boundary) || !raw)
		return 0;
	if (grid_node_levels(raw) != 3)
		return interp_fail(err, INTERP_EARG, "top-k piecewise interpolation needs a 3-level table");
	const grid_node *heads = grid_node_child(raw, num_heads);
	if (!heads)
		return 0;
	/* The (seq_len -> leaf) curve at this exact batch. */
	const double *seqs;
	size_t ns = grid_node_keys(heads, &seqs);
	double *keys = malloc((ns ? ns : 1) * sizeof *keys);
	const grid_leaf **leaves = malloc((ns ? ns : 1) * sizeof *leaves);
	if (!keys || !leaves) {
		free(keys);
		free(leaves);
		return interp_fail(err, INTERP_ENOMEM, "out of memory");
	}
	size_t nk = 0;
	const grid_leaf *exact = NULL;
	bool upper = full_s > boundary;
	for (size_t i = 0; i < ns; i++) {
		const grid_leaf *leaf = grid_node_leaf(grid_node_child(heads, seqs[i]), b);
		if (!leaf)
			continue;
		if (seqs[i] == full_s)
			exact = leaf;
		if ((seqs[i] > boundary) == upper) {
			keys[nk] = seqs[i];
			leaves[nk++] = leaf;
		}
	}
	int rc = 0;
	if (exact) {
		*out = (interp_result){ grid_leaf_get(exact, GRID_LATENCY), grid_leaf_get(exact, GRID_POWER),
					grid_leaf_get(exact, GRID_ENERGY) };
		rc = 1;
		goto done;
	}
	if (nk < 2)
		goto done;
	size_t left, right;
	if (full_s < keys[0]) {
		if (!upper)
			goto done;
		left = 0, right = 1;
	} else if (full_s > keys[nk - 1]) {
		goto done;
	} else {
		double lo, hi;
		if ((rc = interp_nearest_1d(full_s, keys, nk, true, &lo, &hi, err)))
			goto done;
		for (left = 0; keys[left] != lo; left++)
			;
		right = left + 1;
	}
	grid_metric ms[3] = { GRID_LATENCY, GRID_POWER, GRID_ENERGY };
	double r[3];
	for (int m = 0; m < 3; m++)
		r[m] = interp_1d(keys[left], keys[right], grid_leaf_get(leaves[left], ms[m]),
				 grid_leaf_get(leaves[right], ms[m]), full_s);
	*out = (interp_result){ r[0], r[1], r[2] };
	rc = 1;
done:
	free(keys);
	free(leaves);
	return rc;
}

