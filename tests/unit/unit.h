/* unit: a tiny assertion kit for the C unit tests of lib/. Each test binary returns 1 on failure. */
#ifndef INFERCAST_UNIT_H
#define INFERCAST_UNIT_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int unit_failures;

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); unit_failures++; } } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); if (!a_ || !b_ || strcmp(a_, b_)) { fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); unit_failures++; } } while (0)
#define CHECK_PREFIX(a, p) do { const char *a_ = (a), *p_ = (p); if (!a_ || strncmp(a_, p_, strlen(p_))) { fprintf(stderr, "%s:%d: '%s' does not start with '%s'\n", __FILE__, __LINE__, a_ ? a_ : "(null)", p_); unit_failures++; } } while (0)
#define CHECK_NEAR(a, b, rel) do { double a_ = (a), b_ = (b); if (!(a_ == b_ || fabs(a_ - b_) <= (rel) * fabs(b_))) { fprintf(stderr, "%s:%d: %.17g != %.17g (rel %g)\n", __FILE__, __LINE__, a_, b_, fabs(a_ - b_) / fabs(b_)); unit_failures++; } } while (0)
/* The next of a xorshift64 sequence in *state (non-zero): random inputs that are the same on
 * every run. */
static inline uint64_t unit_xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#define UNIT_DONE() do { if (unit_failures) { fprintf(stderr, "%s: %d failure(s)\n", __FILE__, unit_failures); return 1; } return 0; } while (0)

#endif
