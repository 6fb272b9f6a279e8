#include "numfmt.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

static const uint64_t pow10_u64[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
	10000000000ULL, 100000000000ULL, 1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
	1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

/* 10^0 .. 10^22: exact in a double */
static const double pow10_double[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
				       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

static u128 pow10_u128(int k)
{
	return k <= 19 ? (u128)pow10_u64[k] : (u128)pow10_u64[19] * pow10_u64[k - 19];
}

/* x (> 0) rounded to prec significant digits, ties to even: N with 10^(prec-1) <= N < 10^prec and
 * the value N * 10^-k. False outside the exact range (see numfmt.h). */
static bool rounded_digits(double x, int prec, uint64_t *N, int *k)
{
	if (!(x >= 1e-6 && x < 1e15) || prec < 1 || prec > 17)
		return false;
	uint64_t bits;
	memcpy(&bits, &x, sizeof bits);
	int biased = (int)(bits >> 52 & 0x7FF);       /* x is normal here (>= 1e-6) */
	uint64_t m = (bits & ((1ULL << 52) - 1)) | 1ULL << 52; /* exact: x = m * 2^(biased - 1075) */
	int shift = 1075 - biased;                    /* x = m / 2^shift */
	if (shift <= 0 || shift >= 128)
		return false;
	/* a guess at floor(log10(x)) from the binary exponent (x in [2^(e-1), 2^e), e = biased - 1022;
	 * 1233 / 4096 is log10(2) to 5e-6), put right below by exact comparisons: log10() cost more
	 * than the rest */
	int e = biased - 1022;
	int e10 = (int)floor((double)((e - 1) * 1233) / 4096.0);
	for (int tries = 0; tries < 4; tries++) {
		int kk = prec - 1 - e10;
		if (kk < 0 || kk > 22)
			return false;
		u128 num = (u128)m * pow10_u128(kk); /* < 2^53 * 10^22 < 2^127 */
		u128 q = num >> shift, r = num - (q << shift);
		if (q < pow10_u64[prec - 1]) {
			e10--;
			continue;
		}
		if (q >= pow10_u64[prec]) {
			e10++;
			continue;
		}
		u128 half = (u128)1 << (shift - 1);
		if (r > half || (r == half && (q & 1)))
			q++;
		if (q == pow10_u64[prec]) { /* 9.99... rounded up to the next power of ten */
			q = pow10_u64[prec - 1];
			kk--;
		}
		*N = (uint64_t)q;
		*k = kk;
		return true;
	}
	return false;
}

/* The text %.Pg writes for v, whose prec digits rounded_digits gave (N, k). */
static int digits_text(char *buf, size_t n, double v, int prec, uint64_t N, int k)
{
	char d[20], out[48];
	for (int i = prec - 1; i >= 0; i--, N /= 10)
		d[i] = (char)('0' + N % 10);
	int last = prec - 1; /* the last digit kept: %g drops trailing zeros */
	int x = prec - 1 - k; /* the decimal exponent */
	size_t len = 0;
	if (signbit(v))
		out[len++] = '-';
	if (x < -4 || x >= prec) {
		while (last > 0 && d[last] == '0')
			last--;
		out[len++] = d[0];
		if (last > 0) {
			out[len++] = '.';
			memcpy(out + len, d + 1, (size_t)last);
			len += (size_t)last;
		}
		len += (size_t)sprintf(out + len, "e%c%02d", x < 0 ? '-' : '+', x < 0 ? -x : x);
	} else if (x >= 0) {
		while (last > x && d[last] == '0')
			last--;
		memcpy(out + len, d, (size_t)x + 1);
		len += (size_t)x + 1;
		if (last > x) {
			out[len++] = '.';
			memcpy(out + len, d + x + 1, (size_t)(last - x));
			len += (size_t)(last - x);
		}
	} else {
		while (last > 0 && d[last] == '0')
			last--;
		out[len++] = '0';
		out[len++] = '.';
		for (int i = 0; i < -x - 1; i++)
			out[len++] = '0';
		memcpy(out + len, d, (size_t)last + 1);
		len += (size_t)last + 1;
	}
	out[len] = '\0';
	if (len >= n) /* cut as snprintf cuts */
		return snprintf(buf, n, "%s", out);
	memcpy(buf, out, len + 1);
	return (int)len;
}

/* N * 10^-k (v's digits) read by strtod: one correctly rounded division when both are exact doubles. */
static bool digits_back(double v, uint64_t N, int k, double *back)
{
	if (k < 0 || k > 22 || N > (1ULL << 53))
		return false;
	double d = (double)N / pow10_double[k];
	*back = signbit(v) ? -d : d;
	return true;
}

int numfmt_g(char *buf, size_t n, double v, int prec)
{
	uint64_t N;
	int k;
	if (prec == 0)
		prec = 1; /* as printf: %.0g is %.1g */
	if (!rounded_digits(fabs(v), prec, &N, &k))
		return snprintf(buf, n, "%.*g", prec, v);
	return digits_text(buf, n, v, prec, N, k);
}

bool numfmt_g_back(double v, int prec, double *back)
{
	uint64_t N;
	int k;
	if (prec == 0)
		prec = 1;
	return rounded_digits(fabs(v), prec, &N, &k) && digits_back(v, N, k, back);
}

int numfmt_g_read(char *buf, size_t n, double v, int prec, double *back, bool *have_back)
{
	uint64_t N;
	int k;
	if (prec == 0)
		prec = 1;
	if (!rounded_digits(fabs(v), prec, &N, &k)) {
		*have_back = false;
		return snprintf(buf, n, "%.*g", prec, v);
	}
	*have_back = digits_back(v, N, k, back);
	return digits_text(buf, n, v, prec, N, k);
}

bool numfmt_digits(double v, int prec, uint64_t *digits, int *exp10)
{
	int k;
	if (!rounded_digits(fabs(v), prec, digits, &k))
		return false;
	*exp10 = prec - 1 - k;
	return true;
}

size_t numfmt_ld(char buf[static 21], long v)
{
	char d[20];
	size_t n = 0, len = 0;
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	do
		d[n++] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		buf[len++] = '-';
	while (n > 0)
		buf[len++] = d[--n];
	buf[len] = '\0';
	return len;
}
