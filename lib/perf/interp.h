/* interp: the reference's table interpolation (aiconfigurator sdk/interpolation.py),
 * digit for digit, over grid tables (grid.h).
 *
 * What the reference does with scipy is redone here: griddata(method="linear") is a
 * Delaunay triangulation of the surrounding points plus barycentric weights, and
 * griddata(method="cubic") is scipy's Clough-Tocher interpolant over that
 * triangulation with gradients from its global Gauss-Seidel estimate (tolerance
 * 1e-6, at most 400 sweeps, points swept in the reference's order). Where several
 * triangulations are equally Delaunay (rectangles, boxes, symmetric trapezoids) we
 * take the one scipy's qhull returns for the reference's point order (probed).
 *
 * Every function that the reference lets raise returns an INTERP_* code and fills
 * an interp_err; none aborts. "metric" arguments say which number of a leaf the
 * interpolation runs on, as the reference's get_value(leaf, metric) reads it.
 *
 * lib/perf/interp.c walks the tables (1-D, bilinear, 2-D/3-D, top-k regimes); lib/perf/interp_griddata.c
 * is scipy's griddata; lib/perf/interp_extrap.c the load-time extrapolation. */
#ifndef INFERCAST_INTERP_H
#define INFERCAST_INTERP_H

#include <stdbool.h>
#include <stddef.h>

#include "grid.h"

enum interp_code {
	INTERP_OK = 0,
	INTERP_ERANGE,      /* a query coordinate outside the keys where only inner points are allowed */
	INTERP_EMISSING,    /* a key the computation needs is absent (the reference's KeyError) */
	INTERP_EDEGENERATE, /* points with no area/volume (qhull refuses) or a zero-width bracket */
	INTERP_ENONFINITE,  /* the result is NaN or infinite (validate_interpolation_result) */
	INTERP_EARG,        /* a call the reference cannot make (wrong table depth, mixed leaves, ...) */
	INTERP_ENOMEM,
};

typedef struct interp_err {
	int code;
	char msg[240];
} interp_err;

/* The reference's nearest_1d_point_helper: the two keys bracketing x among values
 * (any order; n >= 1). Inside the range: the pair (v[i-1], v[i]) with v[i-1] <= x < v[i],
 * or the last two keys when x is the largest. Outside: INTERP_ERANGE when inner_only,
 * else the two keys at that end. One key: (v, v), and with inner_only x must equal it. */
int interp_nearest_1d(double x, const double *values, size_t n, bool inner_only,
		      double *lo, double *hi, interp_err *err);

/* The reference's interp_1d on numbers: the line through (x0,y0),(x1,y1) at x, except
 * that beyond the pair a line sloping against the direction of growth is held flat
 * (the monotonicity guard): y1 is replaced by y0. */
double interp_1d(double x0, double x1, double y0, double y1, double x);

/* interp_1d on leaves: two dict leaves give a dict with latency and power only (the
 * reference drops energy here), two bare latencies a bare latency. */
int interp_1d_leaf(double x0, double x1, const grid_leaf *y0, const grid_leaf *y1, double x,
		   grid_leaf *out, interp_err *err);

/* validate_interpolation_result: INTERP_ENONFINITE when v is NaN or infinite. */
int interp_validate(double v, interp_err *err);

/* bilinear_interpolation on a 2-level node: the four corners data[x1][y1], data[x1][y2],
 * data[x2][y1], data[x2][y2] (metric of each leaf), weighted as the reference does. */
int interp_bilinear(const grid_node *data, double x1, double x2, double y1, double y2,
		    double x, double y, grid_metric metric, double *out, interp_err *err);

/* scipy griddata on the reference's point layouts. 2-D: n == 4 points given as two
 * vertical segments, pts {x0,y}, {x0,y'}, {x1,y''}, {x1,y'''} (duplicates allowed).
 * 3-D: n == 8 points, for each of two x, two y, then z_lo and z_hi (the order
 * interp_3d_linear builds). A query outside the hull gives NaN (scipy's fill value). */
int interp_griddata_2d(const double (*pts)[2], const double *vals, int n, double qx, double qy,
		       bool cubic, double *out, interp_err *err);
int interp_griddata_3d_linear(const double (*pts)[3], const double *vals, int n,
			      double qx, double qy, double qz, double *out, interp_err *err);

/* Interpolated metrics, as the reference's dict results (power is always 0 there). */
typedef struct interp_result {
	double latency, power, energy;
} interp_result;

/* interp_2d_linear on a 2-level node (griddata linear over the 4 surrounding keys).
 * For dict tables (dict_leaves) latency and energy are both interpolated. */
int interp_2d_linear(double x, double y, const grid_node *data, bool dict_leaves,
		     interp_result *out, interp_err *err);

/* interp_3d_linear on a 3-level node, one metric. */
int interp_3d_linear(double x, double y, double z, const grid_node *data, grid_metric metric,
		     double *out, interp_err *err);

/* interp_2d_1d on a 3-level node, one metric: per bracketing x, a 2-D interpolation
 * over (y, z) (cubic: griddata cubic; else bilinear), then interp_1d over x. */
typedef enum interp_method { INTERP_BILINEAR, INTERP_CUBIC, INTERP_LINEAR } interp_method;
int interp_2d_1d(double x, double y, double z, const grid_node *data, grid_metric metric,
		 interp_method method, double *out, interp_err *err);

/* interp_3d: INTERP_LINEAR dispatches to interp_3d_linear, the others to interp_2d_1d;
 * latency always, energy too for dict tables. */
int interp_3d(double x, double y, double z, const grid_node *data, bool dict_leaves,
	      interp_method method, interp_result *out, interp_err *err);

/* interp_context_topk_piecewise_from_raw over a 3-level table [heads][seq_len][batch]:
 * 1 with *out set, 0 where the reference returns None (no boundary, heads absent, fewer
 * than two same-regime anchors, or a query the regime rule leaves to other paths).
 * A NaN boundary means "no boundary" (None); any number, negative too, is one (a cached prefix
 * longer than top-k moves it below zero). The DSA variant is the same with index_topk. */
int interp_context_topk_piecewise(double num_heads, double full_s, double b, const grid_node *raw,
				  double boundary, interp_result *out, interp_err *err);

/* extrapolate_data_grid on a 3-level table, in place, as the reference's loaders do it
 * once after reading: fill the target z keys of each (x, y), then the target y rows of
 * each x, then the target x slabs, each by interp_1d from the two nearest keys (beyond
 * the edge: the two outermost). sqrt_y interpolates square roots along y. */
int interp_extrapolate_grid(grid *g, const double *target_x, size_t nx, const double *target_y,
			    size_t ny, const double *target_z, size_t nz, bool sqrt_y, interp_err *err);

/* The reference's test for dict leaves (get_sample_leaf_value): the first leaf inserted. */
bool interp_dict_leaves(const grid *g);

const char *interp_code_name(int code);

/* For lib/perf/interp*.c: fill err (when not NULL) with code and the message; returns code. */
int interp_fail(interp_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
