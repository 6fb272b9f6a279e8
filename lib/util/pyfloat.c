#include "pyfloat.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "numfmt.h"

/* 10^0 .. 10^22: exact in a double */
static const double pow10_exact[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
				      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

/* The digits (trailing zeros dropped) and decimal exponent of "%.*e" text. */
static size_t digits_of_e(const char *e, char digits[24], int *ex)
{
	const char *s = e;
	if (*s == '-')
		s++;
	size_t nd = 0;
	for (; *s && *s != 'e'; s++)
		if (*s != '.' && nd + 1 < 24)
			digits[nd++] = *s;
	digits[nd] = 0;
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = 0;
	*ex = atoi(s + 1);
	return nd;
}

/* The shortest significand that reads back exactly, as printf and strtod find it: for each
 * precision, "%.*e" then strtod, the first that gives v back. */
static size_t shortest_by_printf(double v, char digits[24], int *ex)
{
	char e[40];
	for (int p = 0; p <= 16; p++) {
		snprintf(e, sizeof e, "%.*e", p, v);
		if (strtod(e, NULL) == v)
			break;
	}
	return digits_of_e(e, digits, ex);
}

/* The same without printf or strtod, where numfmt rounds exactly (|v| in [1e-6, 1e15)): the digits
 * of each precision from numfmt_digits, read back as N / 10^k, one correctly rounded division of
 * two exact doubles (what strtod gives). pyfloat prints every number of the CSV files pareto and
 * deploygen write: seventeen printf and strtod calls a number were half of writing them. A
 * precision whose reading cannot be had so is asked of printf and strtod, alone. 0: not here. */
static size_t shortest_fast(double v, char digits[24], int *ex)
{
	double a = fabs(v);
	if (!(a >= 1e-6 && a < 1e15))
		return 0;
	/* a rounding to whole units or coarser is a whole number below 2^53, which reads back as
	 * itself: v's own digits if v is one, never v otherwise */
	char whole[24];
	size_t int_digits = a >= 1 ? numfmt_ld(whole, (long)a) : 0;
	if (a == floor(a)) {
		size_t nd = int_digits;
		*ex = (int)nd - 1;
		while (nd > 1 && whole[nd - 1] == '0')
			nd--;
		memcpy(digits, whole, nd);
		digits[nd] = 0;
		return nd;
	}
	for (int prec = (int)int_digits + 1; prec <= 17; prec++) {
		uint64_t N;
		int x, k = -1;
		bool back_ok;
		if (numfmt_digits(a, prec, &N, &x))
			k = prec - 1 - x;
		if (k >= 0 && k <= 22 && N <= (1ULL << 53)) {
			back_ok = (double)N / pow10_exact[k] == a;
		} else {
			char e[40];
			snprintf(e, sizeof e, "%.*e", prec - 1, a);
			back_ok = strtod(e, NULL) == a;
			if (back_ok || prec == 17)
				return digits_of_e(e, digits, ex);
		}
		if (!back_ok && prec < 17)
			continue;
		size_t nd = (size_t)prec;
		for (int i = prec - 1; i >= 0; i--, N /= 10)
			digits[i] = (char)('0' + N % 10);
		while (nd > 1 && digits[nd - 1] == '0')
			nd--;
		digits[nd] = 0;
		*ex = x;
		return nd;
	}
	return 0;
}

void py_float_repr(double v, char *buf, size_t n)
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
	const char *sign = v < 0 ? "-" : "";
	char digits[24];
	int ex;
	size_t nd = shortest_fast(v, digits, &ex);
	if (!nd)
		nd = shortest_by_printf(v, digits, &ex);
	if (ex < -4 || ex >= 16) {
		/* scientific: 1e-05, 1.5e+16 */
		char mant[32];
		if (nd == 1)
			snprintf(mant, sizeof mant, "%c", digits[0]);
		else
			snprintf(mant, sizeof mant, "%c.%s", digits[0], digits + 1);
		snprintf(buf, n, "%s%se%c%02d", sign, mant, ex < 0 ? '-' : '+', ex < 0 ? -ex : ex);
		return;
	}
	char out[48];
	size_t k = 0;
	if (*sign)
		out[k++] = '-';
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
	if (k < n) {
		memcpy(buf, out, k + 1);
	} else if (n) { /* cut as snprintf cuts */
		memcpy(buf, out, n - 1);
		buf[n - 1] = 0;
	}
}
