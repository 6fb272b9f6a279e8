/* interp: the reference's table interpolation, with scipy's griddata redone (see interp.h). */
#include "explain.h"
#include "interp.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(interp_err *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(interp_err *err, int code, const char *fmt, ...)
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
		return fail(err, INTERP_EMISSING, "no keys to bracket %.17g", x);
	if (n == 1) {
		if (inner_only && x != v[0])
			return fail(err, INTERP_ERANGE, "%.17g is not the only key %.17g", x, v[0]);
		*lo = *hi = v[0];
		at[0] = at[1] = 0;
		return INTERP_OK;
	}
	int rc = INTERP_OK;
	if (x < v[0]) {
		if (inner_only)
			rc = fail(err, INTERP_ERANGE, "%.17g is below the smallest key %.17g", x, v[0]);
		else
			*lo = v[0], *hi = v[1], at[0] = 0, at[1] = 1;
	} else if (x > v[n - 1]) {
		if (inner_only)
			rc = fail(err, INTERP_ERANGE, "%.17g is above the largest key %.17g", x, v[n - 1]);
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
		return fail(err, INTERP_EMISSING, "no keys to bracket %.17g", x);
	if (n == 1) {
		if (inner_only && x != values[0])
			return fail(err, INTERP_ERANGE, "%.17g is not the only key %.17g", x, values[0]);
		*lo = *hi = values[0];
		return INTERP_OK;
	}
	const double *v = values;
	double *copy = NULL;
	for (size_t i = 1; i < n; i++) {
		if (values[i - 1] > values[i]) {
			copy = malloc(n * sizeof *copy);
			if (!copy)
				return fail(err, INTERP_ENOMEM, "out of memory");
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
		return fail(err, INTERP_EARG, "cannot interpolate a dict leaf with a bare latency");
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
		return fail(err, INTERP_ENONFINITE, "non-finite interpolated value %g", v);
	return INTERP_OK;
}

/* The bilinear arithmetic on the cell [x1, x2] x [y1, y2] with corner values q. */
static int bilinear_cell(const double q[2][2], double x1, double x2, double y1, double y2, double x, double y,
			 double *out, interp_err *err)
{
	double total = (x2 - x1) * (y2 - y1);
	if (total == 0)
		return fail(err, INTERP_EDEGENERATE, "zero-area bilinear cell [%.17g, %.17g] x [%.17g, %.17g]",
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
				return fail(err, INTERP_EMISSING, "no value at (%.17g, %.17g)", xs[i], ys[j]);
			q[i][j] = grid_leaf_get(leaf, metric);
		}
	}
	return bilinear_cell(q, x1, x2, y1, y2, x, y, out, err);
}

/* ------------------------------------------------------------------ 2-D triangulation */

/* A triangulation of the reference's 4 points: at most 2 triangles. Vertices are the
 * caller's point indices; a repeated point is used through its first copy (as qhull
 * does) and is otherwise left out. */
typedef struct tri2 {
	double p[4][2];
	double v[4];
	bool used[4];         /* a vertex of some triangle */
	int ntri;
	int t[2][3];          /* vertex indices, in qhull's order */
	int nb[2][3];         /* neighbour triangle opposite vertex k, or -1 */
	double tinv[2][2][2]; /* per triangle: inverse of the edge matrix, as scipy computes it */
} tri2;

/* Sign of the incircle determinant of d against triangle a, b, c (counter-clockwise):
 * > 0 when d is strictly inside the circle. Exact for integral coordinates. */
static int incircle_sign(const double *a, const double *b, const double *c, const double *d)
{
	const double *pts[3] = { a, b, c };
	bool integral = true;
	for (int i = 0; i < 3; i++)
		for (int k = 0; k < 2; k++) {
			double diff = pts[i][k] - d[k];
			if (diff != floor(diff) || fabs(diff) >= 1073741824.0)
				integral = false;
		}
	if (integral) {
		__int128 m[3][3];
		for (int i = 0; i < 3; i++) {
			__int128 dx = (__int128)(long long)(pts[i][0] - d[0]);
			__int128 dy = (__int128)(long long)(pts[i][1] - d[1]);
			m[i][0] = dx;
			m[i][1] = dy;
			m[i][2] = dx * dx + dy * dy;
		}
		__int128 det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
			     - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
			     + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
		return (det > 0) - (det < 0);
	}
	long double m[3][3];
	for (int i = 0; i < 3; i++) {
		long double dx = (long double)pts[i][0] - d[0], dy = (long double)pts[i][1] - d[1];
		m[i][0] = dx;
		m[i][1] = dy;
		m[i][2] = dx * dx + dy * dy;
	}
	long double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
			- m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
			+ m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
	return (det > 0) - (det < 0);
}

static double orient2(const double *a, const double *b, const double *c)
{
	return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
}

static void set_tri(tri2 *t, int k, int a, int b, int c)
{
	t->t[k][0] = a;
	t->t[k][1] = b;
	t->t[k][2] = c;
}

/* Neighbours of two triangles sharing an edge: opposite the vertex not on that edge. */
static void link_pair(tri2 *t)
{
	for (int k = 0; k < 2; k++)
		for (int j = 0; j < 3; j++)
			t->nb[k][j] = -1;
	if (t->ntri < 2)
		return;
	for (int k = 0; k < 2; k++) {
		int o = 1 - k;
		for (int j = 0; j < 3; j++) {
			int vtx = t->t[k][j];
			bool shared = vtx == t->t[o][0] || vtx == t->t[o][1] || vtx == t->t[o][2];
			if (!shared)
				t->nb[k][j] = o;
		}
	}
}

/* scipy's barycentric transform of a triangle: the edge matrix (rows: vertex minus the
 * last vertex) LU-factorised with partial pivoting (multiplier through a reciprocal, as
 * LAPACK's getrf) and solved against the identity (divisions, as getrs). Bit-for-bit the
 * same as Delaunay.transform in the probes. */
static void set_transform(tri2 *t, int k)
{
	const double *r = t->p[t->t[k][2]];
	double a[2][2];
	for (int j = 0; j < 2; j++)
		for (int i = 0; i < 2; i++)
			a[j][i] = t->p[t->t[k][j]][i] - r[i];
	bool swap = fabs(a[1][0]) > fabs(a[0][0]);
	if (swap) {
		for (int i = 0; i < 2; i++) {
			double s = a[0][i];
			a[0][i] = a[1][i];
			a[1][i] = s;
		}
	}
	double l = a[1][0] * (1.0 / a[0][0]);
	double u11 = a[1][1] - l * a[0][1];
	double x[2][2]; /* x[row][col] = inverse of a */
	for (int col = 0; col < 2; col++) {
		double b0 = col == 0 ? 1.0 : 0.0, b1 = col == 1 ? 1.0 : 0.0;
		if (swap) {
			double s = b0;
			b0 = b1;
			b1 = s;
		}
		double y1 = b1 - l * b0;
		double x1 = y1 / u11;
		double x0 = (b0 - a[0][1] * x1) / a[0][0];
		x[0][col] = x0;
		x[1][col] = x1;
	}
	/* a is the transpose of the edge matrix, so its inverse read transposed is ours. */
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			t->tinv[k][i][j] = x[j][i];
}

/* Triangulate the reference's 4-point layout the way scipy's Delaunay (qhull) does,
 * with qhull's vertex order in each triangle (probed). */
static int triangulate2(const double (*pts)[2], const double *vals, int n, tri2 *t, interp_err *err)
{
	if (n != 4)
		return fail(err, INTERP_EARG, "2-D griddata expects 4 points, got %d", n);
	int first[4], distinct = 0;
	for (int i = 0; i < 4; i++) {
		t->p[i][0] = pts[i][0];
		t->p[i][1] = pts[i][1];
		t->v[i] = vals[i];
		t->used[i] = false;
		first[i] = i;
		for (int j = 0; j < i; j++)
			if (first[j] == j && pts[j][0] == pts[i][0] && pts[j][1] == pts[i][1]) {
				first[i] = j;
				break;
			}
		if (first[i] == i)
			distinct++;
	}
	if (pts[0][0] != pts[1][0] || pts[2][0] != pts[3][0])
		return fail(err, INTERP_EARG, "2-D griddata: points are not two vertical segments");
	if (distinct < 3 || pts[0][0] == pts[2][0])
		return fail(err, INTERP_EDEGENERATE, "griddata: the points span no area (qhull refuses)");
	if (distinct == 3) {
		/* One side collapsed to a point: one triangle. */
		if (first[1] == 0)
			set_tri(t, 0, 2, 3, 0);
		else
			set_tri(t, 0, 2, 1, 0);
		t->ntri = 1;
	} else {
		/* Counter-clockwise p0, p2, p3 (or p0, p3, p2): is p1 inside its circle? */
		const double *a = t->p[0], *b = t->p[2], *c = t->p[3];
		if (orient2(a, b, c) < 0) {
			const double *s = b;
			b = c;
			c = s;
		}
		int in = incircle_sign(a, b, c, t->p[1]);
		bool diag03;
		if (in != 0)
			diag03 = in < 0;
		else {
			/* Cocircular (rectangles, symmetric trapezoids): qhull cuts from the low
			 * end of the longer side, the left one on a tie (probed). */
			double h_left = fabs(t->p[1][1] - t->p[0][1]), h_right = fabs(t->p[3][1] - t->p[2][1]);
			diag03 = h_left >= h_right;
		}
		/* qhull's triangle order decides which one a point on the diagonal is read
		 * from (equal up to rounding): rectangles list (3,1,0) first, other shapes
		 * mostly the triangle through point 2 (probed). */
		bool rect = pts[0][1] == pts[2][1] && pts[1][1] == pts[3][1];
		t->ntri = 2;
		if (diag03 && rect) {
			set_tri(t, 0, 3, 1, 0);
			set_tri(t, 1, 2, 3, 0);
		} else if (diag03) {
			set_tri(t, 0, 2, 3, 0);
			set_tri(t, 1, 3, 1, 0);
		} else {
			set_tri(t, 0, 2, 1, 0);
			set_tri(t, 1, 3, 1, 2);
		}
	}
	link_pair(t);
	for (int k = 0; k < t->ntri; k++) {
		for (int j = 0; j < 3; j++)
			t->used[t->t[k][j]] = true;
		set_transform(t, k);
	}
	return INTERP_OK;
}

/* Barycentric coordinates of q in triangle k through scipy's transform. */
static void barycentric2(const tri2 *t, int k, const double *q, double c[3])
{
	const double *r = t->p[t->t[k][2]];
	c[2] = 1.0;
	for (int i = 0; i < 2; i++) {
		c[i] = 0.0;
		for (int j = 0; j < 2; j++)
			c[i] += t->tinv[k][i][j] * (q[j] - r[j]);
		c[2] -= c[i];
	}
}

/* The triangle holding q, scipy's way: the first whose coordinates all lie within
 * [-eps, 1 + eps]; -1 outside the hull. */
static int find_triangle(const tri2 *t, const double *q, double c[3])
{
	const double eps = 100 * DBL_EPSILON;
	for (int k = 0; k < t->ntri; k++) {
		barycentric2(t, k, q, c);
		bool inside = true;
		for (int j = 0; j < 3; j++)
			if (!(c[j] >= -eps && c[j] <= 1 + eps))
				inside = false;
		if (inside)
			return k;
	}
	return -1;
}

/* scipy's global gradient estimate: Gauss-Seidel sweeps, in point order, minimising the
 * curvature of the Clough-Tocher interpolant along every edge. */
static void estimate_gradients(const tri2 *t, double grad[4][2])
{
	bool edge[4][4] = { { false } };
	for (int k = 0; k < t->ntri; k++)
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++)
				if (i != j)
					edge[t->t[k][i]][t->t[k][j]] = true;
	for (int i = 0; i < 4; i++)
		grad[i][0] = grad[i][1] = 0.0;
	/* What does not depend on the gradients is worked out once, with the very same operations
	 * in the same order as inside the iteration (so the same bits). */
	double ex[4][4], ey[4][4], len3[4][4], q00[4], q01[4], q11[4], det[4];
	for (int i = 0; i < 4; i++) {
		q00[i] = q01[i] = q11[i] = 0;
		for (int j = 0; j < 4; j++) {
			if (!edge[i][j])
				continue;
			ex[i][j] = t->p[j][0] - t->p[i][0], ey[i][j] = t->p[j][1] - t->p[i][1];
			double len = sqrt(ex[i][j] * ex[i][j] + ey[i][j] * ey[i][j]);
			len3[i][j] = len * len * len;
			q00[i] += 4 * ex[i][j] * ex[i][j] / len3[i][j];
			q01[i] += 4 * ex[i][j] * ey[i][j] / len3[i][j];
			q11[i] += 4 * ey[i][j] * ey[i][j] / len3[i][j];
		}
		det[i] = q00[i] * q11[i] - q01[i] * q01[i];
	}
	for (int iter = 0; iter < 400; iter++) {
		double err = 0.0;
		for (int i = 0; i < 4; i++) {
			if (!t->used[i])
				continue; /* a repeated point: no edges, never evaluated */
			double s0 = 0, s1 = 0;
			for (int j = 0; j < 4; j++) {
				if (!edge[i][j])
					continue;
				double df2 = -ex[i][j] * grad[j][0] - ey[i][j] * grad[j][1];
				double w = 6 * (t->v[i] - t->v[j]) - 2 * df2;
				s0 += w * ex[i][j] / len3[i][j];
				s1 += w * ey[i][j] / len3[i][j];
			}
			double r0 = (q11[i] * s0 - q01[i] * s1) / det[i];
			double r1 = (-q01[i] * s0 + q00[i] * s1) / det[i];
			double change = fmax(fabs(grad[i][0] + r0), fabs(grad[i][1] + r1));
			grad[i][0] = -r0;
			grad[i][1] = -r1;
			change /= fmax(1.0, fmax(fabs(r0), fabs(r1)));
			if (change > err)
				err = change;
		}
		if (err < 1e-6)
			break;
	}
}

/* scipy's Clough-Tocher evaluation on triangle k at barycentric b. */
static double clough_tocher(const tri2 *t, int k, const double b[3], double grad[4][2])
{
	const int *s = t->t[k];
	const double *p1 = t->p[s[0]], *p2 = t->p[s[1]], *p3 = t->p[s[2]];
	double e12x = p2[0] - p1[0], e12y = p2[1] - p1[1];
	double e23x = p3[0] - p2[0], e23y = p3[1] - p2[1];
	double e31x = p1[0] - p3[0], e31y = p1[1] - p3[1];
	double f1 = t->v[s[0]], f2 = t->v[s[1]], f3 = t->v[s[2]];
	const double *g1v = grad[s[0]], *g2v = grad[s[1]], *g3v = grad[s[2]];

	/* Derivatives along the edges, away from each vertex. */
	double df12 = +(g1v[0] * e12x + g1v[1] * e12y);
	double df21 = -(g2v[0] * e12x + g2v[1] * e12y);
	double df23 = +(g2v[0] * e23x + g2v[1] * e23y);
	double df32 = -(g3v[0] * e23x + g3v[1] * e23y);
	double df31 = +(g3v[0] * e31x + g3v[1] * e31y);
	double df13 = -(g1v[0] * e31x + g1v[1] * e31y);

	/* Bezier ordinates of the three corner micro-patches. */
	double c3000 = f1, c0300 = f2, c0030 = f3;
	double c2100 = (df12 + 3 * c3000) / 3, c2010 = (df13 + 3 * c3000) / 3;
	double c1200 = (df21 + 3 * c0300) / 3, c0210 = (df23 + 3 * c0300) / 3;
	double c1020 = (df31 + 3 * c0030) / 3, c0120 = (df32 + 3 * c0030) / 3;
	double c2001 = (c2100 + c2010 + c3000) / 3;
	double c0201 = (c1200 + c0300 + c0210) / 3;
	double c0021 = (c1020 + c0120 + c0030) / 3;

	/* Cross-boundary derivative direction: towards the neighbour's centroid, which is
	 * affine invariant; towards our own centroid where there is no neighbour. */
	double g[3];
	for (int e = 0; e < 3; e++) {
		int nt = t->nb[k][e];
		if (nt < 0) {
			g[e] = -1.0 / 2;
			continue;
		}
		double cen[2], c[3];
		for (int d = 0; d < 2; d++)
			cen[d] = (t->p[t->t[nt][0]][d] + t->p[t->t[nt][1]][d] + t->p[t->t[nt][2]][d]) / 3;
		barycentric2(t, k, cen, c);
		if (e == 0)
			g[0] = (2 * c[2] + c[1] - 1) / (2 - 3 * c[2] - 3 * c[1]);
		else if (e == 1)
			g[1] = (2 * c[0] + c[2] - 1) / (2 - 3 * c[0] - 3 * c[2]);
		else
			g[2] = (2 * c[1] + c[0] - 1) / (2 - 3 * c[1] - 3 * c[0]);
	}
	double c0111 = (g[0] * (-c0300 + 3 * c0210 - 3 * c0120 + c0030)
			+ (-c0300 + 2 * c0210 - c0120 + c0021 + c0201)) / 2;
	double c1011 = (g[1] * (-c0030 + 3 * c1020 - 3 * c2010 + c3000)
			+ (-c0030 + 2 * c1020 - c2010 + c2001 + c0021)) / 2;
	double c1101 = (g[2] * (-c3000 + 3 * c2100 - 3 * c1200 + c0300)
			+ (-c3000 + 2 * c2100 - c1200 + c2001 + c0201)) / 2;
	double c1002 = (c1101 + c1011 + c2001) / 3;
	double c0102 = (c1101 + c0111 + c0201) / 3;
	double c0012 = (c1011 + c0111 + c0021) / 3;
	double c0003 = (c1002 + c0102 + c0012) / 3;

	/* Coordinates in the micro-triangle holding the point: one of b1..b3 is zero. */
	double minval = fmin(b[0], fmin(b[1], b[2]));
	double b1 = b[0] - minval, b2 = b[1] - minval, b3 = b[2] - minval, b4 = 3 * minval;
	return b1 * b1 * b1 * c3000 + 3 * b1 * b1 * b2 * c2100 + 3 * b1 * b1 * b3 * c2010
	       + 3 * b1 * b1 * b4 * c2001 + 3 * b1 * b2 * b2 * c1200 + 6 * b1 * b2 * b4 * c1101
	       + 3 * b1 * b3 * b3 * c1020 + 6 * b1 * b3 * b4 * c1011 + 3 * b1 * b4 * b4 * c1002
	       + b2 * b2 * b2 * c0300 + 3 * b2 * b2 * b3 * c0210 + 3 * b2 * b2 * b4 * c0201
	       + 3 * b2 * b3 * b3 * c0120 + 6 * b2 * b3 * b4 * c0111 + 3 * b2 * b4 * b4 * c0102
	       + b3 * b3 * b3 * c0030 + 3 * b3 * b3 * b4 * c0021 + 3 * b3 * b4 * b4 * c0012
	       + b4 * b4 * b4 * c0003;
}

int interp_griddata_2d(const double (*pts)[2], const double *vals, int n, double qx, double qy,
		       bool cubic, double *out, interp_err *err)
{
	tri2 t;
	int rc = triangulate2(pts, vals, n, &t, err);
	if (rc)
		return rc;
	double q[2] = { qx, qy }, c[3];
	int k = find_triangle(&t, q, c);
	if (k < 0) {
		*out = NAN;
		return INTERP_OK;
	}
	if (!cubic) {
		double sum = 0;
		for (int j = 0; j < 3; j++)
			sum += c[j] * t.v[t.t[k][j]];
		*out = sum;
		return INTERP_OK;
	}
	double grad[4][2];
	estimate_gradients(&t, grad);
	*out = clough_tocher(&t, k, c, grad);
	return INTERP_OK;
}

/* ------------------------------------------------------------------ 3-D linear */

static double det3(const double *a, const double *b, const double *c)
{
	return a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
	       + a[2] * (b[0] * c[1] - b[1] * c[0]);
}

/* Barycentric coordinates of q in tetrahedron a, b, c, d (relative to d); false if flat. */
static bool barycentric3(const double *a, const double *b, const double *c, const double *d,
			 const double *q, double w[4])
{
	double ca[3], cb[3], cc[3], r[3];
	for (int i = 0; i < 3; i++) {
		ca[i] = a[i] - d[i];
		cb[i] = b[i] - d[i];
		cc[i] = c[i] - d[i];
		r[i] = q[i] - d[i];
	}
	double det = det3(ca, cb, cc);
	if (det == 0)
		return false;
	w[0] = det3(r, cb, cc) / det;
	w[1] = det3(ca, r, cc) / det;
	w[2] = det3(ca, cb, r) / det;
	w[3] = 1.0 - w[0] - w[1] - w[2];
	return true;
}

/* Is e strictly inside the sphere through a, b, c, d? (long double, small tolerance) */
static bool in_sphere(const double *a, const double *b, const double *c, const double *d, const double *e)
{
	const double *p[4] = { a, b, c, d };
	long double m[4][4];
	long double scale = 0;
	for (int i = 0; i < 4; i++) {
		long double s = 0;
		for (int k = 0; k < 3; k++) {
			m[i][k] = (long double)p[i][k] - e[k];
			s += m[i][k] * m[i][k];
			if (fabsl(m[i][k]) > scale)
				scale = fabsl(m[i][k]);
		}
		m[i][3] = s;
	}
	/* 4x4 determinant by cofactors of the last column. */
	long double det = 0;
	for (int r = 0; r < 4; r++) {
		long double sub[3][3];
		for (int i = 0, ii = 0; i < 4; i++) {
			if (i == r)
				continue;
			for (int k = 0; k < 3; k++)
				sub[ii][k] = m[i][k];
			ii++;
		}
		long double d3 = sub[0][0] * (sub[1][1] * sub[2][2] - sub[1][2] * sub[2][1])
				 - sub[0][1] * (sub[1][0] * sub[2][2] - sub[1][2] * sub[2][0])
				 + sub[0][2] * (sub[1][0] * sub[2][1] - sub[1][1] * sub[2][0]);
		det += ((r % 2) ? 1 : -1) * m[r][3] * d3;
	}
	long double orient = 0;
	{
		double ab[3], ac[3], ad[3];
		for (int k = 0; k < 3; k++) {
			ab[k] = b[k] - a[k];
			ac[k] = c[k] - a[k];
			ad[k] = d[k] - a[k];
		}
		orient = det3(ab, ac, ad);
	}
	long double tol = 1e-15L * scale * scale * scale * scale * scale;
	/* With this orientation sign, e is inside when det and orient differ in sign. */
	return orient > 0 ? det < -tol : det > tol;
}

int interp_griddata_3d_linear(const double (*pts)[3], const double *vals, int n,
			      double qx, double qy, double qz, double *out, interp_err *err)
{
	if (n != 8)
		return fail(err, INTERP_EARG, "3-D griddata expects 8 points, got %d", n);
	double q[3] = { qx, qy, qz }, w[4];
	/* An axis-aligned box in the reference's order: qhull (probed) cuts it into six
	 * tetrahedra around the diagonal from (x0, y1, z1) to (x1, y0, z0). */
	static const int box_tets[6][4] = { { 0, 1, 3, 4 }, { 0, 2, 3, 4 }, { 1, 3, 4, 5 },
					    { 2, 3, 4, 6 }, { 3, 4, 5, 7 }, { 3, 4, 6, 7 } };
	bool box = pts[0][0] < pts[4][0] && pts[0][1] < pts[2][1] && pts[0][2] < pts[1][2];
	for (int i = 0; box && i < 8; i++) {
		int xi = i >> 2, yi = (i >> 1) & 1, zi = i & 1;
		box = pts[i][0] == pts[xi * 4][0] && pts[i][1] == pts[yi * 2][1] && pts[i][2] == pts[zi][2];
	}
	if (box) {
		const double eps = 100 * DBL_EPSILON;
		for (int pass = 0; pass < 2; pass++) {
			double tol = pass == 0 ? eps : sqrt(100 * DBL_EPSILON);
			for (int k = 0; k < 6; k++) {
				const int *s = box_tets[k];
				barycentric3(pts[s[0]], pts[s[1]], pts[s[2]], pts[s[3]], q, w);
				if (w[0] >= -tol && w[1] >= -tol && w[2] >= -tol && w[3] >= -tol) {
					*out = w[0] * vals[s[0]] + w[1] * vals[s[1]] + w[2] * vals[s[2]] + w[3] * vals[s[3]];
					return INTERP_OK;
				}
			}
		}
		*out = NAN;
		return INTERP_OK;
	}
	/* Otherwise: the Delaunay tetrahedra of the distinct points, found by the empty
	 * sphere test (unique when no five points share a sphere). */
	double p[8][3], v[8];
	int np = 0;
	for (int i = 0; i < 8; i++) {
		bool seen = false;
		for (int j = 0; j < np; j++)
			if (p[j][0] == pts[i][0] && p[j][1] == pts[i][1] && p[j][2] == pts[i][2])
				seen = true;
		if (seen)
			continue;
		memcpy(p[np], pts[i], sizeof p[np]);
		v[np++] = vals[i];
	}
	bool any = false;
	for (int pass = 0; pass < 2; pass++) {
		double tol = pass == 0 ? 100 * DBL_EPSILON : sqrt(100 * DBL_EPSILON);
		for (int a = 0; a < np; a++)
			for (int b = a + 1; b < np; b++)
				for (int c = b + 1; c < np; c++)
					for (int d = c + 1; d < np; d++) {
						if (!barycentric3(p[a], p[b], p[c], p[d], q, w))
							continue;
						bool empty = true;
						for (int e = 0; e < np && empty; e++)
							if (e != a && e != b && e != c && e != d
							    && in_sphere(p[a], p[b], p[c], p[d], p[e]))
								empty = false;
						if (!empty)
							continue;
						any = true;
						if (w[0] >= -tol && w[1] >= -tol && w[2] >= -tol && w[3] >= -tol) {
							*out = w[0] * v[a] + w[1] * v[b] + w[2] * v[c] + w[3] * v[d];
							return INTERP_OK;
						}
					}
	}
	if (!any)
		return fail(err, INTERP_EDEGENERATE, "griddata: points have no volume (qhull refuses)");
	*out = NAN;
	return INTERP_OK;
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
		return fail(err, INTERP_EMISSING, "no value at key %.17g", key);
	*out = grid_leaf_get(leaf, metric);
	return INTERP_OK;
}

static int check_levels(const grid_node *data, int levels, const char *what, interp_err *err)
{
	if (!data || grid_node_levels(data) != levels)
		return fail(err, INTERP_EARG, "%s needs a %d-level table", what, levels);
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
	double vals[4];
	for (int n = 0; n < 4; n++)
		vals[n] = grid_leaf_get(w->leaf[i][n], metric);
	if (method == INTERP_CUBIC)
		return interp_griddata_2d((const double (*)[2])w->pts[i], vals, 4, y, z, true, out, err);
	const double q[2][2] = { { vals[0], vals[1] }, { vals[2], vals[3] } };
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
							return fail(err, INTERP_EMISSING, "no value at (%.17g, %.17g)", ys[j],
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
		return fail(err, INTERP_EARG, "interp_2d_1d: method must be cubic or bilinear");
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
			return fail(err, INTERP_EARG, "interp_2d_1d: method must be cubic or bilinear");
		corner_walk w;
		if ((rc = walk_2d_1d(x, y, z, data, GRID_LATENCY, method, &out->latency, err, &w, false)))
			return rc;
		if (dict_leaves)
			rc = walk_2d_1d(x, y, z, data, GRID_ENERGY, method, &out->energy, err, &w, true);
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
		return fail(err, INTERP_EARG, "top-k piecewise interpolation needs a 3-level table");
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
		return fail(err, INTERP_ENOMEM, "out of memory");
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
			return fail(err, INTERP_ENOMEM, "out of memory");
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
			return fail(err, INTERP_ENOMEM, "out of memory");
		for (size_t k = 0; k < nzs; k++) {
			const grid_leaf *pl = grid_node_leaf(grid_node_child(plane, lo), zs[k]);
			const grid_leaf *ph = grid_node_leaf(grid_node_child(plane, hi), zs[k]);
			if (!pl || !ph)
				continue;
			grid_leaf a = *pl, b = *ph, v;
			if (sqrt_y) {
				if (a.latency < 0 || b.latency < 0) {
					fail(err, INTERP_ENONFINITE, "square root of a negative latency at (%.17g, %.17g, %.17g)",
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
				return fail(err, INTERP_ENOMEM, "out of memory");
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
		return fail(err, INTERP_EARG, "extrapolate_data_grid needs a 3-level table");
	grid_node *root = grid_root_mut(g);
	size_t n_x;
	double *xs = keys_copy(root, &n_x);
	if (!xs)
		return fail(err, INTERP_ENOMEM, "out of memory");
	int rc = INTERP_OK;
	for (size_t i = 0; i < n_x && !rc; i++) {
		grid_node *plane = grid_node_child_mut(root, xs[i]);
		size_t n_y;
		double *ys = keys_copy(plane, &n_y);
		if (!ys) {
			rc = fail(err, INTERP_ENOMEM, "out of memory");
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
			rc = fail(err, INTERP_ENOMEM, "out of memory");
			break;
		}
		for (size_t j = 0; j < n_y && !rc; j++) {
			if (!grid_node_child(grid_node_child(root, hi), ys[j]))
				continue;
			size_t n_z;
			double *zs = keys_copy(grid_node_child(grid_node_child(root, lo), ys[j]), &n_z);
			if (!zs) {
				rc = fail(err, INTERP_ENOMEM, "out of memory");
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
					rc = fail(err, INTERP_ENOMEM, "out of memory");
			}
			free(zs);
		}
		free(ys);
	}
	free(xs);
	return rc;
}
