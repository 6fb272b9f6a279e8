#include "pyfloat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	/* The shortest significand that reads back exactly, as "d.ddde±XX". */
	char e[40];
	for (int p = 0; p <= 16; p++) {
		snprintf(e, sizeof e, "%.*e", p, v);
		if (strtod(e, NULL) == v)
			break;
	}
	const char *s = e;
	const char *sign = "";
	if (*s == '-')
		sign = "-", s++;
	char digits[24];
	size_t nd = 0;
	for (; *s && *s != 'e'; s++)
		if (*s != '.' && nd + 1 < sizeof digits)
			digits[nd++] = *s;
	digits[nd] = 0;
	while (nd > 1 && digits[nd - 1] == '0')
		digits[--nd] = 0;
	int ex = atoi(s + 1);
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
