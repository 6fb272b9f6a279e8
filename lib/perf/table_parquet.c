#include "table_parquet.h"
#include "diag.h"

#include "parquet.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal digits of u into buf (no sign, NUL-terminated); returns the length. Two digits per
 * division: the tables' numbers are written once per distinct value, but there are many. */
static size_t utoa(unsigned long long u, char *buf)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
				    "8081828384858687888990919293949596979899";
	char tmp[24];
	size_t n = sizeof tmp;
	while (u >= 100) {
		unsigned d = (unsigned)(u % 100);
		u /= 100;
		tmp[--n] = pairs[2 * d + 1];
		tmp[--n] = pairs[2 * d];
	}
	if (u >= 10) {
		tmp[--n] = pairs[2 * u + 1];
		tmp[--n] = pairs[2 * u];
	} else {
		tmp[--n] = (char)('0' + u);
	}
	size_t len = sizeof tmp - n;
	memcpy(buf, tmp + n, len);
	buf[len] = 0;
	return len;
}

static size_t int_text(long long v, char *buf)
{
	if (v < 0) {
		*buf = '-';
		return 1 + utoa(0ull - (unsigned long long)v, buf + 1);
	}
	return utoa((unsigned long long)v, buf);
}

/* "%.Pg" layout of the decimal digits d[0..nd) (no trailing zeros) with leading-digit
 * exponent x. */
static size_t g_layout(bool neg, const char *d, size_t nd, int x, int prec, char *buf)
{
	char *o = buf;
	if (neg)
		*o++ = '-';
	if (x < -4 || x >= prec) {
		*o++ = d[0];
		if (nd > 1) {
			*o++ = '.';
			memcpy(o, d + 1, nd - 1);
			o += nd - 1;
		}
		*o++ = 'e';
		*o++ = x < 0 ? '-' : '+';
		int ax = x < 0 ? -x : x;
		if (ax < 10)
			*o++ = '0';
		o += utoa((unsigned long long)ax, o);
	} else if (x < 0) {
		*o++ = '0';
		*o++ = '.';
		for (int i = -1; i > x; i--)
			*o++ = '0';
		memcpy(o, d, nd);
		o += nd;
	} else {
		for (int i = 0; i <= x; i++)
			*o++ = (size_t)i < nd ? d[i] : '0';
		if ((size_t)x + 1 < nd) {
			*o++ = '.';
			memcpy(o, d + x + 1, nd - (size_t)x - 1);
			o += nd - (size_t)x - 1;
		}
	}
	*o = 0;
	return (size_t)(o - buf);
}

/* The fast path of table_parquet_double, with exact integer arithmetic: v = M * 2^E is
 * expanded digit by digit (the fraction times 10, in 128 bits), and for P = 15, 16, 17 the
 * correctly rounded P-digit decimal is taken when it reads back as v, decided exactly: it
 * does when it lies within half the gap to the neighbouring double (a tie reads back when M
 * is even, as strtod rounds ties to even). That is what printf("%.Pg") then strtod decide,
 * without either. Covers 1e-20 < |v| < 1e14, where every quantity fits; false elsewhere. */
typedef unsigned __int128 u128;

static size_t slow_exact(double v, char *buf)
{
	bool neg = signbit(v);
	double a = neg ? -v : v;
	if (!(a > 1e-20 && a < 1e14))
		return 0;
	uint64_t bits;
	memcpy(&bits, &a, sizeof bits);
	int bexp = (int)(bits >> 52);
	uint64_t mant = (bits & ((1ull << 52) - 1)) | (1ull << 52);
	int shift = 1075 - bexp; /* a = mant / 2^shift */
	if (shift <= 0 || shift > 120)
		return 0;
	bool lower_closer = (bits & ((1ull << 52) - 1)) == 0; /* the gap below is half the gap above */
	bool even = (mant & 1) == 0;
	u128 den = (u128)1 << shift, mask = den - 1;
	uint64_t ipart = shift < 64 ? mant >> shift : 0;
	u128 frac = shift < 64 ? (u128)(mant & ((1ull << shift) - 1)) : (u128)mant;
	/* digits: the integer part, then fraction digits; pos counts fraction digits */
	char d[64];
	size_t nd = 0;
	int x; /* exponent of the leading digit */
	if (ipart) {
		nd = utoa(ipart, d);
		x = (int)nd - 1;
	} else {
		x = 0;
	}
	int pos = 0;
	u128 p10 = 1;
	/* the state after 15, 16 and 17 significant digits */
	u128 rem[3], pw[3];
	size_t at[3];
	int got = 0;
	if (nd >= 15)
		return 0; /* not below 1e14 after all */
	while (got < 3) {
		if (pos >= 38)
			return 0;
		frac *= 10;
		p10 *= 10;
		pos++;
		char dig = (char)('0' + (int)(frac >> shift));
		frac &= mask;
		if (nd == 0 && dig == '0') { /* leading zeros of a number below 1 */
			x--;
			continue;
		}
		if (nd == 0)
			x--;
		d[nd++] = dig;
		if (nd >= 15) {
			rem[got] = frac;
			pw[got] = p10;
			at[got] = nd;
			got++;
		}
	}
	for (int g = 0; g < 3; g++) {
		int prec = 15 + g;
		u128 f = rem[g], p = pw[g];
		/* round to nearest, ties to even digit (as printf) */
		bool up = 2 * f > den || (2 * f == den && ((d[at[g] - 1] - '0') & 1));
		u128 dist = up ? den - f : f; /* in units of 1 / (den * 10^pos) ... times den */
		/* reads back iff dist / (den * 10^pos) < half the gap (1 / (2 den)), i.e.
		 * 2 dist < 10^pos; below v and a power of two: a quarter gap, 4 dist < 10^pos */
		u128 lhs = (!up && lower_closer) ? 4 * dist : 2 * dist;
		bool ok = lhs < p || (lhs == p && even);
		if (!ok)
			continue;
		char out[24];
		size_t n = at[g];
		memcpy(out, d, n);
		int xx = x;
		if (up) { /* carry */
			size_t i = n;
			while (i > 0 && out[i - 1] == '9')
				out[--i] = '0';
			if (i == 0) {
				memmove(out + 1, out, n - 1);
				out[0] = '1';
				xx++;
			} else {
				out[i - 1]++;
			}
		}
		while (n > 1 && out[n - 1] == '0')
			n--;
		return g_layout(neg, out, n, xx, prec, buf);
	}
	return 0;
}

/* Powers of ten in 128 bits, 10^0 .. 10^38. */
static u128 p10_128(int k)
{
	static u128 t[39];
	if (!t[0]) {
		u128 p = 1;
		for (int i = 0; i <= 38; i++, p *= 10)
			t[i] = p;
	}
	return t[k];
}

/* The same decision as slow_exact in one 128-bit product: q = the first 17 significant digits
 * of v (mant * 10^pos >> shift, exact while mant * 10^pos < 2^128: pos <= 22) and r the rest;
 * the 15- and 16-digit roundings and their read-back follow from q's last digits and r. */
static size_t fast_exact(double v, char *buf)
{
	bool neg = signbit(v);
	double a = neg ? -v : v;
	if (!(a >= 1e-5 && a < 1e14))
		return 0;
	uint64_t bits;
	memcpy(&bits, &a, sizeof bits);
	uint64_t frac_bits = bits & ((1ull << 52) - 1);
	uint64_t mant = frac_bits | (1ull << 52);
	int shift = 1075 - (int)(bits >> 52);
	if (shift <= 0 || shift > 119)
		return 0;
	bool lower_closer = frac_bits == 0, even = (mant & 1) == 0;
	u128 den = (u128)1 << shift;
	/* the decimal exponent from the binary one (floor(e2 * log10 2), exact over this range up
	 * to one, which the loop below corrects) */
	int x = (int)(((long long)((int)(bits >> 52) - 1023) * 78913) >> 18);
	u128 q = 0, r = 0;
	int pos = 0;
	for (int tries = 0; tries < 3; tries++) {
		pos = 16 - x;
		if (pos < 0 || pos > 22)
			return 0;
		u128 n = (u128)mant * p10_128(pos);
		q = n >> shift;
		r = n & (den - 1);
		if (q >= p10_128(17))
			x++;
		else if (q < p10_128(16))
			x--;
		else
			break;
	}
	if (q >= p10_128(17) || q < p10_128(16))
		return 0;
	for (int prec = 15; prec <= 17; prec++) {
		int j = 17 - prec; /* digits of q dropped */
		uint64_t unit = (uint64_t)p10_128(j), q64 = (uint64_t)q; /* q < 10^17 */
		uint64_t head = q64 / unit, low = q64 % unit;
		/* the tail below the kept digits, in units of 1 / (den * 10^pos): low * den + r,
		 * against one kept unit: unit * den */
		u128 tail = (u128)low * den + r, one = (u128)unit * den;
		bool up = 2 * tail > one || (2 * tail == one && (head & 1));
		u128 dist = up ? one - tail : tail;
		/* reads back iff dist / (den * 10^pos) < 1 / (2 den): 2 dist < 10^pos (a quarter gap
		 * below a power of two); a tie reads back when the mantissa is even */
		u128 lhs = (!up && lower_closer) ? 4 * dist : 2 * dist, lim = p10_128(pos);
		if (!(lhs < lim || (lhs == lim && even)))
			continue;
		if (up)
			head++;
		int xx = x;
		if (head == (uint64_t)p10_128(prec)) { /* 9.99 -> 10.0 */
			head /= 10;
			xx++;
		}
		char d[24];
		size_t nd = utoa(head, d);
		while (nd > 1 && d[nd - 1] == '0')
			nd--;
		return g_layout(neg, d, nd, xx, prec, buf);
	}
	return 0;
}

size_t table_parquet_double(double v, char *buf, size_t n)
{
	char tmp[48];
	char *out = n >= sizeof tmp ? buf : tmp; /* the fast paths write at most 40 bytes */
	size_t len = 0;
	if (isnan(v) || isinf(v)) {
		snprintf(buf, n, "%s", isnan(v) ? "nan" : v < 0 ? "-inf" : "inf");
		return strlen(buf);
	}
	if (v == floor(v) && fabs(v) < 1e16)
		len = v == 0 && signbit(v) ? (memcpy(out, "-0", 3), 2) : int_text((long long)v, out);
	else if (!(len = fast_exact(v, out)))
		len = slow_exact(v, out);
	if (len) {
		if (out == buf)
			return len;
		if (len < n) {
			memcpy(buf, tmp, len + 1);
			return len;
		}
	}
	for (int p = 15; p < 17; p++) {
		snprintf(buf, n, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return strlen(buf);
	}
	snprintf(buf, n, "%.17g", v);
	return strlen(buf);
}

/* The texts of the table: one arena, offsets first (it grows), pointers at the end. */
typedef struct arena {
	char *buf;
	size_t len, cap;
} arena;

static size_t put(arena *a, const char *s, size_t n)
{
	if (a->cap - a->len < n + 1) {
		a->cap = 2 * a->cap + n + 1;
		a->buf = xrealloc(a->buf, a->cap);
	}
	size_t at = a->len;
	memcpy(a->buf + at, s, n);
	a->buf[at + n] = 0;
	a->len += n + 1;
	return at;
}

int table_parquet_load(table_csv *t, const char *path, bool header_only, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	parquet_table pq;
	int rc = header_only ? parquet_read_schema(&pq, path, err, errlen) : parquet_read(&pq, path, err, errlen);
	if (rc != 0)
		return errno == ENOENT ? TABLE_CSV_MISSING : TABLE_CSV_BAD;
	arena a = { 0 };
	size_t empty = put(&a, "", 0);
	size_t *head = xrealloc(NULL, pq.ncols * sizeof *head);
	size_t **text = xrealloc(NULL, pq.ncols * sizeof *text);
	size_t nrows = header_only ? 0 : pq.nrows;
	for (size_t c = 0; c < pq.ncols; c++) {
		const parquet_column *col = &pq.cols[c];
		head[c] = put(&a, col->name, strlen(col->name));
		text[c] = NULL;
		if (!nrows)
			continue;
		text[c] = xrealloc(NULL, (col->nvalues ? col->nvalues : 1) * sizeof **text);
		char num[48];
		for (size_t k = 0; k < col->nvalues; k++) {
			const char *s = num;
			size_t len = 0;
			switch (col->type) {
			case PARQUET_BOOLEAN:
				s = col->i64[k] ? "True" : "False";
				len = strlen(s);
				break;
			case PARQUET_INT64:
				len = int_text((long long)col->i64[k], num);
				break;
			case PARQUET_DOUBLE:
				len = table_parquet_double(col->f64[k], num, sizeof num);
				break;
			case PARQUET_STRING:
				s = col->str_buf + col->str_off[k];
				len = strlen(s);
				break;
			}
			text[c][k] = put(&a, s, len);
		}
	}
	t->path = strdup(path);
	t->buf = a.buf;
	t->ncols = pq.ncols;
	t->header = xrealloc(NULL, pq.ncols * sizeof *t->header);
	for (size_t c = 0; c < pq.ncols; c++)
		t->header[c] = a.buf + head[c];
	t->nrows = nrows;
	t->cells = xrealloc(NULL, (nrows ? nrows : 1) * (pq.ncols ? pq.ncols : 1) * sizeof *t->cells);
	t->lines = xrealloc(NULL, (nrows ? nrows : 1) * sizeof *t->lines);
	for (size_t r = 0; r < nrows; r++) {
		char **row = t->cells + r * pq.ncols;
		for (size_t c = 0; c < pq.ncols; c++) {
			uint32_t k = pq.cols[c].row[r];
			row[c] = a.buf + (k == PARQUET_NULL ? empty : text[c][k]);
		}
		t->lines[r] = (long)r + 1;
	}
	for (size_t c = 0; c < pq.ncols; c++)
		free(text[c]);
	free(text);
	free(head);
	parquet_free(&pq);
	return TABLE_CSV_OK;
}
