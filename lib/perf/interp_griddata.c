/* interp_griddata: scipy's griddata on the reference's point layouts (see interp.h): a Delaunay
 * triangulation with barycentric weights (linear) or the Clough-Tocher interpolant (cubic) in 2-D,
 * the Delaunay tetrahedra of a box in 3-D. */
#include "interp.h"

#include <float.h>
#include <math.h>
#include <string.h>

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
		return interp_fail(err, INTERP_EARG, "2-D griddata expects 4 points, got %d", n);
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
		return interp_fail(err, INTERP_EARG, "2-D griddata: points are not two vertical segments");
	if (distinct < 3 || pts[0][0] == pts[2][0])
		return interp_fail(err, INTERP_EDEGENERATE, "griddata: the points span no area (qhull refuses)");
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
		return interp_fail(err, INTERP_EARG, "3-D griddata expects 8 points, got %d", n);
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
		return interp_fail(err, INTERP_EDEGENERATE, "griddata: points have no volume (qhull refuses)");
	*out = NAN;
	return INTERP_OK;
}

