/* Unit tests of lib/perf/interp against values pinned from scipy and from the reference's
 * interpolation.py: bracketing, the 1-D guard, griddata linear/cubic (rectangles,
 * trapezoids, repeated points, grid lines, vertices, outside the hull), 3-D boxes,
 * interp_3d / interp_2d_linear on tables, grid extrapolation and top-k regimes. */
#include <stdbool.h>

#include "grid.h"
#include "interp.h"
#include "unit.h"

/* Pinned answers of scipy 1.10 griddata and of the reference's interpolation.py (run on
 * the same inputs with /usr/bin/python3 when these tests were written). */
static const struct g2case { double p[4][2], v[4], q[2]; bool cubic; double want; } g2cases[] = {
	{ {{16.0, 1.0}, {16.0, 384.0}, {32.0, 1.0}, {32.0, 384.0}}, {88.82032855003737, 35242.72841694945, 72.41902878049109, 0.06061997559163121}, {26.0, 217.1805115146203}, false, 37.72753753133682 },
	{ {{16.0, 1.0}, {16.0, 384.0}, {32.0, 1.0}, {32.0, 384.0}}, {88.82032855003737, 35242.72841694945, 72.41902878049109, 0.06061997559163121}, {26.0, 217.1805115146203}, true, 4057.7235093767404 },
	{ {{64.0, 128.0}, {64.0, 4096.0}, {256.0, 128.0}, {256.0, 4096.0}}, {0.5, 3.25, 1.75, 9.5}, {100.0, 1000.0}, false, 2.276209677419355 },
	{ {{64.0, 128.0}, {64.0, 4096.0}, {256.0, 128.0}, {256.0, 4096.0}}, {0.5, 3.25, 1.75, 9.5}, {100.0, 1000.0}, true, 1.8858681304367613 },
	{ {{64.0, 128.0}, {64.0, 4096.0}, {256.0, 128.0}, {256.0, 4096.0}}, {0.5, 3.25, 1.75, 9.5}, {64.0, 1000.0}, false, 1.104334677419355 },
	{ {{64.0, 128.0}, {64.0, 4096.0}, {256.0, 128.0}, {256.0, 4096.0}}, {0.5, 3.25, 1.75, 9.5}, {64.0, 1000.0}, true, 1.4089359099582999 },
	{ {{64.0, 128.0}, {64.0, 4096.0}, {256.0, 128.0}, {256.0, 4096.0}}, {0.5, 3.25, 1.75, 9.5}, {128.0, 2048.0}, false, 3.913978494623656 },
	{ {{64.0, 128.0}, {64.0, 4096.0}, {256.0, 128.0}, {256.0, 4096.0}}, {0.5, 3.25, 1.75, 9.5}, {128.0, 2048.0}, true, 3.534726635145433 },
	{ {{64.0, 128.0}, {64.0, 4096.0}, {256.0, 128.0}, {256.0, 4096.0}}, {0.5, 3.25, 1.75, 9.5}, {160.0, 2112.0}, false, 5.0 },
	{ {{64.0, 128.0}, {64.0, 4096.0}, {256.0, 128.0}, {256.0, 4096.0}}, {0.5, 3.25, 1.75, 9.5}, {160.0, 2112.0}, true, 4.248994847449652 },
	{ {{8.0, 16.0}, {8.0, 512.0}, {24.0, 64.0}, {24.0, 128.0}}, {1.0, 7.0, 2.5, 3.0}, {12.0, 100.0}, false, 2.1774193548387095 },
	{ {{8.0, 16.0}, {8.0, 512.0}, {24.0, 64.0}, {24.0, 128.0}}, {1.0, 7.0, 2.5, 3.0}, {12.0, 100.0}, true, 2.0827879836682475 },
	{ {{4.0, -1008.0}, {4.0, 1040.0}, {48.0, -3056.0}, {48.0, 3088.0}}, {9.5, 1.25, 0.75, 3.0}, {30.0, -100.0}, false, 1.4234286221590908 },
	{ {{4.0, -1008.0}, {4.0, 1040.0}, {48.0, -3056.0}, {48.0, 3088.0}}, {9.5, 1.25, 0.75, 3.0}, {30.0, -100.0}, true, 2.8419502300925714 },
	{ {{4.0, -3056.0}, {4.0, 3088.0}, {48.0, -1008.0}, {48.0, 1040.0}}, {9.5, 1.25, 0.75, 3.0}, {30.0, -100.0}, false, 4.939852627840909 },
	{ {{4.0, -3056.0}, {4.0, 3088.0}, {48.0, -1008.0}, {48.0, 1040.0}}, {9.5, 1.25, 0.75, 3.0}, {30.0, -100.0}, true, 3.8346742026536176 },
	{ {{8.0, 48.0}, {8.0, 48.0}, {12.0, 48.0}, {12.0, 3072.0}}, {98.14727786940959, 34.11030274315631, 45851.35912790548, 17.686219487181578}, {11.0, 1563.0}, false, 11450.749797587692 },
	{ {{8.0, 48.0}, {8.0, 48.0}, {12.0, 48.0}, {12.0, 3072.0}}, {98.14727786940959, 34.11030274315631, 45851.35912790548, 17.686219487181578}, {11.0, 1563.0}, true, 11450.749594127372 },
	{ {{8.0, 48.0}, {8.0, 3072.0}, {12.0, 96.0}, {12.0, 96.0}}, {5.0, 34.0, 21.0, 21.0}, {9.0, 96.0}, false, 9.345238095238095 },
	{ {{8.0, 48.0}, {8.0, 3072.0}, {12.0, 96.0}, {12.0, 96.0}}, {5.0, 34.0, 21.0, 21.0}, {9.0, 96.0}, true, 9.34523842990464 },
	{ {{2.0, 10.0}, {2.0, 20.0}, {6.0, 10.0}, {6.0, 20.0}}, {1.0, 2.0, 3.0, 4.0}, {7.0, 15.0}, false, NAN },
	{ {{2.0, 10.0}, {2.0, 20.0}, {6.0, 10.0}, {6.0, 20.0}}, {1.0, 2.0, 3.0, 4.0}, {7.0, 15.0}, true, NAN },
	{ {{1.0, 4096.0}, {1.0, 6144.0}, {6144.0, 4096.0}, {6144.0, 6144.0}}, {0.0986532503761459, 71496.89654547832, 0.016573907656160427, 0.00241036714452666}, {6144.0, 4096.0}, false, 0.016573907656160434 },
	{ {{1.0, 4096.0}, {1.0, 6144.0}, {6144.0, 4096.0}, {6144.0, 6144.0}}, {0.0986532503761459, 71496.89654547832, 0.016573907656160427, 0.00241036714452666}, {6144.0, 4096.0}, true, 0.016573907654739917 },
};
static const struct g3case { double p[8][3], v[8], q[3]; double want; } g3cases[] = {
	{ {{2.0, 256.0, 8.0}, {2.0, 256.0, 64.0}, {2.0, 4096.0, 8.0}, {2.0, 4096.0, 64.0}, {8.0, 256.0, 8.0}, {8.0, 256.0, 64.0}, {8.0, 4096.0, 8.0}, {8.0, 4096.0, 64.0}}, {20.563421, 35.859058, 13.334535, 12.333816, 40.647823, 24.965239, 20.852018, 36.415181}, {7.779, 1444.592, 47.427}, 32.26353778704643 },
	{ {{1.0, 64.0, 8.0}, {1.0, 64.0, 64.0}, {1.0, 1024.0, 8.0}, {1.0, 1024.0, 64.0}, {16.0, 64.0, 8.0}, {16.0, 64.0, 64.0}, {16.0, 1024.0, 8.0}, {16.0, 1024.0, 64.0}}, {10.709292, 20.654332, 3.018403, 17.537301, 20.886876, 6.296758, 37.200829, 38.164277}, {6.855, 395.485, 19.264}, 14.94667497661384 },
	{ {{8.0, 64.0, 1.0}, {8.0, 64.0, 512.0}, {8.0, 256.0, 1.0}, {8.0, 256.0, 512.0}, {64.0, 64.0, 1.0}, {64.0, 64.0, 512.0}, {64.0, 256.0, 1.0}, {64.0, 256.0, 512.0}}, {10.304104, 37.520454, 38.119708, 48.55567, 13.018036, 25.331452, 38.643006, 28.551407}, {47.489, 181.828, 170.206}, 31.300199454843934 },
	{ {{16.0, 64.0, 8.0}, {16.0, 64.0, 512.0}, {16.0, 4096.0, 8.0}, {16.0, 4096.0, 512.0}, {32.0, 64.0, 8.0}, {32.0, 64.0, 512.0}, {32.0, 4096.0, 8.0}, {32.0, 4096.0, 512.0}}, {6.891611, 18.50208, 29.814806, 31.4421, 13.170449, 31.219812, 16.841508, 35.455531}, {27.404, 3536.5, 352.773}, 27.91259411780258 },
};
static const struct t3case { const char *method; double q[3], latency, energy; } t3cases[] = {
	{ "cubic", {2.0, 300.0, 20.0}, 0.5793840237298317, 174.99362994594003 },
	{ "cubic", {4.0, 128.0, 50.0}, 0.6761633186374835, 205.553563514646 },
	{ "cubic", {10.0, 1000.0, 60.0}, 1.4985592656050428, 464.91329277086254 },
	{ "cubic", {1.0, 128.0, 8.0}, 0.40700586025666546, 122.5087639372563 },
	{ "cubic", {3.0, 512.0, 512.0}, 3.64571474529551, 1104.669727415388 },
	{ "bilinear", {2.0, 300.0, 20.0}, 0.543365814071964, 164.11647584973315 },
	{ "bilinear", {10.0, 1000.0, 60.0}, 1.4925939686335215, 463.0641302763917 },
	{ "linear", {2.0, 300.0, 20.0}, 0.6313030513708684, 190.45922432288808 },
	{ "linear", {3.0, 512.0, 500.0}, 3.4733625113498086, 1050.549435933281 },
};
static const struct t2case { double q[2], latency; } t2cases[] = {
	{ {4.0, 10.0}, 1.776190476190476 },
	{ {8.0, 16.0}, 2.5 },
	{ {20.0, 30.0}, 8.416666666666668 },
	{ {1.0, 1.0}, 0.5 },
};
static const struct extcase { double k[3], plain, sqrt_y; } extcases[] = {
	{ {1.0, 128.0, 1.0}, 0.33333333333333315, NAN },
	{ {32.0, 128.0, 1.0}, 23.583333333333336, 34.9820365262561 },
	{ {1.0, 16.0, 8.0}, 1.4999999999999998, NAN },
	{ {4.0, 128.0, 8.0}, 7.4444444444444455, NAN },
	{ {32.0, 8.0, 8.0}, 5.500000000000003, 5.740498611101993 },
	{ {2.0, 8.0, 1.0}, 0.4583333333333333, 0.4632440527849689 },
	{ {8.0, 128.0, 4.0}, 7.333333333333334, 9.20317493379356 },
	{ {32.0, 32.0, 64.0}, 46.33333333333333, 48.30319741537719 },
	{ {2.0, 16.0, 64.0}, 11.0, 11.0 },
	{ {4.0, 32.0, 1.0}, 0.8333333333333335, NAN },
};

static void add(grid *g, double x, double y, double z, double lat, double power, double energy, bool dict)
{
	double k[3] = { x, y, z };
	grid_leaf leaf = dict ? grid_leaf_dict(lat, power, energy) : grid_leaf_scalar(lat);
	CHECK(grid_insert(g, k, &leaf, GRID_KEEP_FIRST) == 1);
}

/* The 3-D dict table of the pins: latency 0.01x + 0.002 sqrt(y) z^0.7 + 0.3, power 300 + x;
 * the (16, 1024) row stops at z = 64. */
static grid *pin_table3(void)
{
	grid *g = grid_new(3);
	double xs[3] = { 1, 4, 16 }, ys[2] = { 128, 1024 }, zs[3] = { 8, 64, 512 };
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			for (int k = 0; k < 3; k++) {
				if (xs[i] == 16 && ys[j] == 1024 && zs[k] == 512)
					continue;
				double lat = 0.01 * xs[i] + 0.002 * pow(ys[j], 0.5) * pow(zs[k], 0.7) + 0.3;
				add(g, xs[i], ys[j], zs[k], lat, 300.0 + xs[i], lat * (300.0 + xs[i]), true);
			}
	return g;
}

static grid *pin_table_ext(void)
{
	grid *g = grid_new(3);
	double rows[][4] = { { 2, 16, 4, 1.0 }, { 2, 16, 16, 3.0 }, { 2, 64, 4, 2.0 }, { 2, 64, 16, 7.0 },
			     { 8, 16, 4, 1.5 }, { 8, 16, 16, 5.0 }, { 8, 64, 4, 4.0 }, { 8, 64, 16, 9.0 } };
	for (int i = 0; i < 8; i++)
		add(g, rows[i][0], rows[i][1], rows[i][2], rows[i][3], 0, 0, false);
	return g;
}

static void test_nearest(void)
{
	double v[] = { 64, 1, 16, 4 }; /* any order */
	double lo, hi;
	interp_err err = { 0 };
	CHECK(interp_nearest_1d(5, v, 4, true, &lo, &hi, &err) == 0 && lo == 4 && hi == 16);
	CHECK(interp_nearest_1d(4, v, 4, true, &lo, &hi, &err) == 0 && lo == 4 && hi == 16);
	CHECK(interp_nearest_1d(1, v, 4, true, &lo, &hi, &err) == 0 && lo == 1 && hi == 4);
	CHECK(interp_nearest_1d(64, v, 4, true, &lo, &hi, &err) == 0 && lo == 16 && hi == 64);
	CHECK(interp_nearest_1d(100, v, 4, false, &lo, &hi, &err) == 0 && lo == 16 && hi == 64);
	CHECK(interp_nearest_1d(0.5, v, 4, false, &lo, &hi, &err) == 0 && lo == 1 && hi == 4);
	CHECK(interp_nearest_1d(0.5, v, 4, true, &lo, &hi, &err) == INTERP_ERANGE);
	CHECK_STR(err.msg, "0.5 is below the smallest key 1");
	CHECK(interp_nearest_1d(65, v, 4, true, &lo, &hi, &err) == INTERP_ERANGE);
	CHECK_STR(err.msg, "65 is above the largest key 64");
	double one = 8;
	CHECK(interp_nearest_1d(8, &one, 1, true, &lo, &hi, &err) == 0 && lo == 8 && hi == 8);
	CHECK(interp_nearest_1d(9, &one, 1, false, &lo, &hi, &err) == 0 && lo == 8 && hi == 8);
	CHECK(interp_nearest_1d(9, &one, 1, true, &lo, &hi, &err) == INTERP_ERANGE);
}

static void test_interp_1d(void)
{
	CHECK(interp_1d(2, 4, 10, 20, 3) == 15);
	CHECK(interp_1d(2, 4, 10, 20, 8) == 40);   /* rising: extrapolates */
	CHECK(interp_1d(2, 4, 20, 10, 8) == 20);   /* falling beyond the pair: held flat */
	CHECK(interp_1d(2, 4, 20, 10, 1) == 20);
	CHECK(interp_1d(2, 4, 20, 10, 3) == 15);   /* inside: plain line */
	CHECK(interp_1d(2, 2, 7, 7, 2) == 7);
	grid_leaf a = grid_leaf_dict(1, 100, 5), b = grid_leaf_dict(3, 50, 9), out;
	interp_err err = { 0 };
	CHECK(interp_1d_leaf(1, 2, &a, &b, 3, &out, &err) == 0);
	CHECK(out.latency == 5 && out.power == 100 && grid_leaf_get(&out, GRID_ENERGY) == 0);
	grid_leaf s = grid_leaf_scalar(1);
	CHECK(interp_1d_leaf(1, 2, &a, &s, 3, &out, &err) == INTERP_EARG);
	CHECK(interp_validate(NAN, &err) == INTERP_ENONFINITE && interp_validate(-1, &err) == 0);
}

static void test_griddata(void)
{
	interp_err err = { 0 };
	for (size_t i = 0; i < sizeof g2cases / sizeof g2cases[0]; i++) {
		const struct g2case *c = &g2cases[i];
		double got = 0;
		CHECK(interp_griddata_2d(c->p, c->v, 4, c->q[0], c->q[1], c->cubic, &got, &err) == 0);
		if (isnan(c->want))
			CHECK(isnan(got));
		else
			CHECK_NEAR(got, c->want, 1e-12);
	}
	for (size_t i = 0; i < sizeof g3cases / sizeof g3cases[0]; i++) {
		const struct g3case *c = &g3cases[i];
		double got = 0;
		CHECK(interp_griddata_3d_linear(c->p, c->v, 8, c->q[0], c->q[1], c->q[2], &got, &err) == 0);
		CHECK_NEAR(got, c->want, 1e-12);
	}
	/* Points with no area: qhull refuses, so do we. */
	double line[4][2] = { { 4, 1 }, { 4, 9 }, { 4, 1 }, { 4, 9 } }, v[4] = { 1, 2, 3, 4 }, got;
	CHECK(interp_griddata_2d(line, v, 4, 4, 5, true, &got, &err) == INTERP_EDEGENERATE);
	double two[4][2] = { { 4, 1 }, { 4, 1 }, { 8, 3 }, { 8, 3 } };
	CHECK(interp_griddata_2d(two, v, 4, 6, 2, false, &got, &err) == INTERP_EDEGENERATE);
}

static void test_tables(void)
{
	grid *g = pin_table3();
	CHECK(interp_dict_leaves(g));
	interp_err err = { 0 };
	for (size_t i = 0; i < sizeof t3cases / sizeof t3cases[0]; i++) {
		const struct t3case *c = &t3cases[i];
		interp_method m = c->method[0] == 'c' ? INTERP_CUBIC : c->method[0] == 'b' ? INTERP_BILINEAR : INTERP_LINEAR;
		interp_result r;
		CHECK(interp_3d(c->q[0], c->q[1], c->q[2], grid_root(g), true, m, &r, &err) == 0);
		CHECK_NEAR(r.latency, c->latency, 1e-12);
		CHECK_NEAR(r.energy, c->energy, 1e-12);
		CHECK(r.power == 0);
	}
	/* Where the reference raises. */
	interp_result r;
	CHECK(interp_3d(0, 300, 20, grid_root(g), true, INTERP_CUBIC, &r, &err) == INTERP_ERANGE);
	CHECK_STR(err.msg, "0 is below the smallest key 1");
	CHECK(interp_3d(2, 2000, 20, grid_root(g), true, INTERP_CUBIC, &r, &err) == INTERP_ERANGE);
	CHECK(interp_3d(4, 128, 100, grid_root(g), true, INTERP_CUBIC, &r, &err) == INTERP_ERANGE);
	CHECK_STR(err.msg, "100 is above the largest key 64");
	CHECK(interp_2d_linear(1, 1, grid_root(g), true, &r, &err) == INTERP_EARG);
	grid_free(g);

	grid *t2 = grid_new(2);
	double rows[][3] = { { 1, 1, 0.5 }, { 1, 8, 1.5 }, { 1, 64, 9.0 }, { 8, 1, 0.9 }, { 8, 16, 2.5 },
			     { 8, 64, 11.0 }, { 32, 4, 3.0 }, { 32, 64, 20.0 } };
	for (int i = 0; i < 8; i++) {
		grid_leaf leaf = grid_leaf_scalar(rows[i][2]);
		grid_insert(t2, rows[i], &leaf, GRID_KEEP_FIRST);
	}
	CHECK(!interp_dict_leaves(t2));
	for (size_t i = 0; i < sizeof t2cases / sizeof t2cases[0]; i++) {
		CHECK(interp_2d_linear(t2cases[i].q[0], t2cases[i].q[1], grid_root(t2), false, &r, &err) == 0);
		CHECK_NEAR(r.latency, t2cases[i].latency, 1e-12);
		CHECK(r.energy == 0);
	}
	grid_free(t2);
}

static void test_extrapolate(void)
{
	double tx[] = { 1, 4, 32 }, ty[] = { 8, 32, 128 }, tz[] = { 1, 8, 64 };
	interp_err err = { 0 };
	for (int sq = 0; sq < 2; sq++) {
		grid *g = pin_table_ext();
		const double *x = sq ? (double[]){ 32 } : tx;
		CHECK(interp_extrapolate_grid(g, x, sq ? 1 : 3, ty, 3, tz, 3, sq, &err) == 0);
		CHECK(grid_size(g) == (sq ? 75u : 125u));
		for (size_t i = 0; i < sizeof extcases / sizeof extcases[0]; i++) {
			const struct extcase *c = &extcases[i];
			const grid_leaf *leaf = grid_get(g, c->k);
			double want = sq ? c->sqrt_y : c->plain;
			if (isnan(want)) {
				CHECK(leaf == NULL);
				continue;
			}
			CHECK(leaf != NULL);
			if (leaf)
				CHECK_NEAR(leaf->latency, want, 1e-12);
		}
		grid_free(g);
	}
	/* Square roots of a negative extrapolated latency: the reference's math domain error. */
	grid *g = grid_new(3);
	add(g, 1, 1, 1, 1, 0, 0, false);
	add(g, 1, 1, 2, 9, 0, 0, false);
	add(g, 1, 2, 1, 2, 0, 0, false);
	add(g, 1, 2, 2, 3, 0, 0, false);
	double z0[] = { 0.25 }, y3[] = { 3 };
	CHECK(interp_extrapolate_grid(g, NULL, 0, y3, 1, z0, 1, true, &err) == INTERP_ENONFINITE);
	CHECK_STR(err.msg, "square root of a negative latency at (1, 1, 0.25)");
	grid_free(g);
}

static void test_topk(void)
{
	grid *raw = grid_new(3);
	add(raw, 16, 1024, 1, 1.0, 10, 10, true);
	add(raw, 16, 1024, 4, 2.0, 10, 20, true);
	add(raw, 16, 2048, 1, 1.8, 12, 21.6, true);
	add(raw, 16, 4096, 1, 5.0, 14, 70, true);
	add(raw, 16, 8192, 1, 9.0, 15, 135, true);
	interp_result r;
	interp_err err = { 0 };
	CHECK(interp_context_topk_piecewise(16, 1024, 1, grid_root(raw), 2048, &r, &err) == 1);
	CHECK(r.latency == 1.0 && r.power == 10 && r.energy == 10);
	CHECK(interp_context_topk_piecewise(16, 1500, 1, grid_root(raw), 2048, &r, &err) == 1);
	CHECK_NEAR(r.latency, 1.371875, 1e-15);
	CHECK_NEAR(r.power, 10.9296875, 1e-15);
	CHECK_NEAR(r.energy, 15.3921875, 1e-15);
	CHECK(interp_context_topk_piecewise(16, 3000, 1, grid_root(raw), 2048, &r, &err) == 1);
	CHECK_NEAR(r.latency, 3.9296875, 1e-15);
	CHECK_NEAR(r.energy, 52.607421875, 1e-15);
	CHECK(interp_context_topk_piecewise(16, 6000, 1, grid_root(raw), 2048, &r, &err) == 1);
	CHECK_NEAR(r.latency, 6.859375, 1e-15);
	CHECK_NEAR(r.power, 14.46484375, 1e-15);
	CHECK_NEAR(r.energy, 100.21484375, 1e-15);
	CHECK(interp_context_topk_piecewise(16, 10000, 1, grid_root(raw), 2048, &r, &err) == 0);
	CHECK(interp_context_topk_piecewise(16, 100, 1, grid_root(raw), 2048, &r, &err) == 0);
	CHECK(interp_context_topk_piecewise(16, 1500, 4, grid_root(raw), 2048, &r, &err) == 0);
	CHECK(interp_context_topk_piecewise(8, 1500, 1, grid_root(raw), 2048, &r, &err) == 0);
	CHECK(interp_context_topk_piecewise(16, 1500, 1, grid_root(raw), NAN, &r, &err) == 0);
	grid_free(raw);
}

/* interp_3d keeps its last walk for the next look-up of the same (x, y) whose z lies in the pair
 * every row found: its answers must be those of a walk from scratch, and a grid changed since
 * (a key inside the kept cell) must be walked again. */
static void test_walk_reuse(void)
{
	grid *g = pin_table3();
	interp_err err = { 0 };
	const double zs[] = { 8, 9, 20, 63.5, 64, 65, 100, 511, 512, 30, 8, 600 };
	const interp_method methods[] = { INTERP_CUBIC, INTERP_BILINEAR };
	for (int m = 0; m < 2; m++)
		for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
			interp_result warm, cold, other;
			int a = interp_3d(2, 300, zs[i], grid_root(g), true, methods[m], &warm, &err);
			CHECK(interp_3d(3, 200, 10, grid_root(g), true, methods[m], &other, &err) == 0);
			int b = interp_3d(2, 300, zs[i], grid_root(g), true, methods[m], &cold, &err);
			CHECK(a == b);
			if (a == 0)
				CHECK(warm.latency == cold.latency && warm.energy == cold.energy);
			if (zs[i] == 600)
				CHECK(a == INTERP_ERANGE);
		}
	interp_result before, after, fresh, other;
	CHECK(interp_3d(2, 300, 20, grid_root(g), true, INTERP_BILINEAR, &before, &err) == 0);
	const double planes[2] = { 1, 4 }, rows[2] = { 128, 1024 };
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			add(g, planes[i], rows[j], 16, 5.0 + i + j, 300.0, 1500.0, true);
	CHECK(interp_3d(2, 300, 20, grid_root(g), true, INTERP_BILINEAR, &after, &err) == 0);
	CHECK(interp_3d(3, 200, 10, grid_root(g), true, INTERP_BILINEAR, &other, &err) == 0);
	CHECK(interp_3d(2, 300, 20, grid_root(g), true, INTERP_BILINEAR, &fresh, &err) == 0);
	CHECK(after.latency == fresh.latency && after.latency != before.latency);
	grid_free(g);
}

int main(void)
{
	test_nearest();
	test_interp_1d();
	test_griddata();
	test_tables();
	test_walk_reuse();
	test_extrapolate();
	test_topk();
	UNIT_DONE();
}
