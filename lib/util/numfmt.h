/* numfmt: printf's "%.Pg" for doubles and "%ld" for longs, the same bytes, without printf.
 *
 * Every priced op record and every report prints its numbers as cJSON does ("%1.15g", read back,
 * "%1.17g" when that does not come close enough): glibc's printf_fp and strtod were a fifth of
 * query's instructions. For |v| in [1e-6, 1e15) (what latencies, throughputs and memory sizes are)
 * the digits here are exact: v = M * 2^E with M < 2^53, and v * 10^k for k <= 22 is an integer
 * below 2^128 over a power of two, so the rounded P digits (ties to even, as glibc rounds) come
 * from one 128-bit division by a shift. Other values, and precisions past 17, go to snprintf. */
#ifndef INFERCAST_NUMFMT_H
#define INFERCAST_NUMFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* snprintf(buf, n, "%.*g", prec, v), byte for byte (prec 1..17 on the fast path). */
int numfmt_g(char *buf, size_t n, double v, int prec);

/* |v| rounded to prec significant digits as printf rounds them ("%.*e" with prec - 1): the digits
 * N (10^(prec-1) <= N < 10^prec) and the decimal exponent of the first; false off the exact range
 * (then ask printf). pyfloat's shortest repr looks for the fewest digits that read back. */
bool numfmt_digits(double v, int prec, uint64_t *digits, int *exp10);

/* v as printf's "%ld" writes it, NUL-terminated, into buf (21 bytes hold any long): its length.
 * Record writers print counts and layout numbers by the thousand. */
size_t numfmt_ld(char buf[static 21], long v);

/* The double strtod reads from the text numfmt_g(prec) wrote for v, when it can be had without
 * strtod (sets *back); false otherwise (then read the text). */
bool numfmt_g_back(double v, int prec, double *back);

/* numfmt_g and numfmt_g_back in one, the digits rounded once (cJSON's rule formats and reads back
 * every number it prints): *have_back says whether *back was set. */
int numfmt_g_read(char *buf, size_t n, double v, int prec, double *back, bool *have_back);

#endif
