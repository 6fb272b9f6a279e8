/* test_pyfloat: py_float_repr gives the bytes of Python's repr(float), as its first version found
 * them with printf and strtod at each precision (kept here as the reference), on random doubles of
 * every magnitude, decimals of few digits (what the 3-decimal rounded columns hold), whole numbers
 * and the cases apart (zero, nan, inf, the scientific ranges). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyfloat.h"
#include "unit.h"

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t next(void) { return unit_xorshift(&rng); }

/* repr(float) the slow way: the fewest "%.*e" digits that strtod reads back as v. */
static void reference_repr(double v, char *buf, size_t n)
{
	if (isnan(v)) {
		snprintf(buf, n, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, n, "%sinf", v < 0 ? "-" : "");
		return;
	}
	if (v == 0) {
		snprintf(buf, n, "%s0.0", signbit(v) ? "-" : "");
		return;
	}
	char e[40];
	for (int p = 0; p <= 16; p++) {
		snprintf(e, sizeof e, "%.*e", p, v);
		if (strtod(e, NULL) == v)
			break;
	}
	const char *s = e, *sign = "";
	if (*s == '-')
		sign = "-", s++;
	char digits[24];
	size_t nd = 0;
	for (; *s && *s != 'e'; s++)
		if (*s != '.')
			digits[nd++] = *s;
	digits[nd] = 0;
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = 0;
	int ex = atoi(s + 1);
	if (ex < -4 || ex >= 16) {
		if (nd == 1)
			snprintf(buf, n, "%s%ce%c%02d", sign, digits[0], ex < 0 ? '-' : '+', abs(ex));
		else
			snprintf(buf, n, "%s%c.%se%c%02d", sign, digits[0], digits + 1, ex < 0 ? '-' : '+', abs(ex));
		return;
	}
	char out[48];
	size_t k = 0;
	if (ex < 0) {
		out[k++] = '0';
		out[k++] = '.';
		for (int i = 0; i < -ex - 1; i++)
			out[k++] = '0';
		for (size_t i = 0; i < nd; i++)
			out[k++] = digits[i];
	} else {
		for (int i = 0; i <= ex; i++)
			out[k++] = (size_t)i < nd ? digits[i] : '0';
		out[k++] = '.';
		if ((size_t)ex + 1 < nd)
			for (size_t i = (size_t)ex + 1; i < nd; i++)
				out[k++] = digits[i];
		else
			out[k++] = '0';
	}
	out[k] = 0;
	snprintf(buf, n, "%s%s", sign, out);
}

static void same(double v)
{
	char want[64], got[64];
	reference_repr(v, want, sizeof want);
	py_float_repr(v, got, sizeof got);
	if (strcmp(want, got) != 0) {
		fprintf(stderr, "repr of %a: '%s' != '%s'\n", v, got, want);
		unit_failures++;
	}
}

static void both_signs(double v)
{
	same(v);
	same(-v);
}

int main(void)
{
	static const double fixed[] = {
		0.0, -0.0, 1.0, 0.1, 0.5, 1.5, 2.5, 1e-6, 9.9999999999999995e-7, 1e-5, 1e-4, 9.99999999999999e-5,
		0.001, 1e15, 999999999999999.9, 999999999999999.4, 1e14, 123456789012345.6, 42.702702702702695,
		1414.133, 1400.0, 1e16, 1.5e16, 9999999999999998.0, 12345678901234567890.0, DBL_MIN, DBL_MAX,
		DBL_TRUE_MIN, INFINITY, NAN, 9.5, 0.95, 9.96, 99.99, 999.9999, 0.30000000000000004, 2.675, 1.005,
		8.5e-6, 99999.99999999999, 0.069861160608468448, 69.861160608468452, 28263.16, 5e-324,
	};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		both_signs(fixed[i]);
	/* a buffer too small: cut as snprintf cuts */
	char cut[4];
	py_float_repr(1414.133, cut, sizeof cut);
	CHECK_STR(cut, "141");

	/* random bit patterns across the fast range and past it */
	for (int i = 0; i < 50000 && unit_failures <= 10; i++) {
		uint64_t bits = next();
		int e = (int)(next() % 120) - 60;
		double v = ldexp((double)(bits >> 11) / 9007199254740992.0 + 0.5, e);
		same(v);
		if (i % 8 == 0) {
			memcpy(&v, &bits, sizeof v);
			same(v);
		}
	}
	/* decimals of few digits, as the tables' rounded columns are, their neighbours, whole numbers */
	for (int i = 0; i < 50000 && unit_failures <= 10; i++) {
		double v = (double)(next() % 100000000) / pow(10, (double)(next() % 14));
		both_signs(v);
		same(nextafter(v, 0));
		same(nextafter(v, INFINITY));
		same(round(v * 1000) / 1000);
		same((double)(next() >> (next() % 64)));
	}
	UNIT_DONE();
}
