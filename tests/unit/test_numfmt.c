/* test_numfmt: numfmt_g gives snprintf's "%.Pg" bytes and numfmt_g_back strtod's reading of them,
 * on random doubles of every magnitude, short binary mantissas (exact ties), values next to
 * powers of ten (rounding that carries) and the cases printf handles apart. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"
#include "unit.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void) { return unit_xorshift(&rng); }

static void same(double v, int prec)
{
	char want[64], got[64];
	snprintf(want, sizeof want, "%.*g", prec, v);
	int len = numfmt_g(got, sizeof got, v, prec);
	if (strcmp(want, got) != 0 || len != (int)strlen(want)) {
		fprintf(stderr, "%%.%dg of %a: '%s' != '%s'\n", prec, v, got, want);
		unit_failures++;
	}
	double back;
	bool have_back = numfmt_g_back(v, prec, &back);
	if (have_back) {
		double want_back = strtod(want, NULL);
		if (memcmp(&back, &want_back, sizeof back) != 0) {
			fprintf(stderr, "reading %s back: %a != %a\n", want, back, want_back);
			unit_failures++;
		}
	}
	/* the two in one: the same text, and the same reading where there is one */
	char both[64];
	double back2;
	bool have2;
	int len2 = numfmt_g_read(both, sizeof both, v, prec, &back2, &have2);
	if (len2 != len || strcmp(both, got) || have2 != have_back || (have2 && memcmp(&back, &back2, sizeof back))) {
		fprintf(stderr, "numfmt_g_read of %a at %d differs from numfmt_g and numfmt_g_back\n", v, prec);
		unit_failures++;
	}
}

static void all_precisions(double v)
{
	for (int p = 0; p <= 18; p++)
		same(v, p);
	same(-v, 15);
	same(-v, 17);
}

/* numfmt_ld gives snprintf's "%ld" bytes, the ends of long included. */
static void test_ld(void)
{
	const long fixed[] = { 0, 1, -1, 9, 10, -10, 99, 100, 123456789, -987654321, LONG_MAX, LONG_MIN, LONG_MIN + 1 };
	char got[21], want[32];
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		size_t n = numfmt_ld(got, fixed[i]);
		snprintf(want, sizeof want, "%ld", fixed[i]);
		CHECK_STR(got, want);
		CHECK(n == strlen(want));
	}
	for (int i = 0; i < 100000; i++) {
		long v = (long)(((unsigned long)rand() << 33) ^ ((unsigned long)rand() << 11) ^ (unsigned long)rand());
		v >>= rand() % 63;
		numfmt_ld(got, v);
		snprintf(want, sizeof want, "%ld", v);
		CHECK_STR(got, want);
	}
}

int main(void)
{
	test_ld();
	static const double fixed[] = {
		0.0, -0.0, 1.0, 0.1, 0.5, 1.5, 2.5, 1e-6, 9.9999999999999995e-7, 1e-5, 1e-4, 9.99999999999999e-5,
		0.001, 1e15, 999999999999999.9, 999999999999999.4, 1e14, 123456789012345.6, 42.702702702702695,
		0.0033413333333333333, 0.27938133333333337, 61.02294921875, 0.068359375, 3.5, 64.65380859375,
		DBL_MIN, DBL_MAX, DBL_TRUE_MIN, INFINITY, -INFINITY, NAN, 9.5, 0.95, 0.125, 0.375, 1e22, 1e23,
		5e-324, 1.0000000000000002, 0.30000000000000004, 2.675, 1.005, 8.5e-6, 99999.99999999999,
	};
	char cut[4];
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		all_precisions(fixed[i]);
	/* a buffer too small: cut as snprintf cuts, the full length returned */
	CHECK(numfmt_g(cut, sizeof cut, 0.123456, 15) == 8 && strcmp(cut, "0.1") == 0);

	/* random bit patterns across the fast range and past it */
	for (int i = 0; i < 300000; i++) {
		uint64_t bits = next();
		double v;
		int e = (int)(next() % 80) - 40; /* 2^-40 .. 2^40, plus the whole range below */
		v = ldexp((double)(bits >> 11) / 9007199254740992.0 + 0.5, e);
		same(v, 15);
		same(v, 16);
		same(v, 17);
		if (i % 16 == 0) {
			memcpy(&v, &bits, sizeof v);
			same(v, 15);
			same(v, 17);
		}
		if (unit_failures > 10)
			break;
	}
	/* short mantissas: values whose digits end in an exact 5 (ties, to even) */
	for (int i = 0; i < 200000 && unit_failures <= 10; i++) {
		uint64_t m = next() >> (40 + next() % 24);
		double v = ldexp((double)m, (int)(next() % 60) - 45);
		for (int p = 1; p <= 17; p++)
			same(v, p);
	}
	/* decimal values of few digits, as latencies and sizes are, and their neighbours */
	for (int i = 0; i < 200000 && unit_failures <= 10; i++) {
		double v = (double)(next() % 100000000) / pow(10, (double)(next() % 14));
		same(v, 15);
		same(nextafter(v, 0), 15);
		same(nextafter(v, INFINITY), 17);
	}
	UNIT_DONE();
}
