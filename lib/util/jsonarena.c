#include "jsonarena.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK = 64 * 1024, MAX_DEPTH = 64, MAX_NUMBER = 32 };

struct jsonarena_block {
	jsonarena_block *next;
	size_t size, used;
	_Alignas(max_align_t) unsigned char data[];
};

/* n bytes (8-aligned) from the current block or the next one, a new one when none is left
 * with room: blocks stay for the records after, so a stream allocates once. */
static inline void *arena_alloc(jsonarena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (a->cur && a->cur->size - a->cur->used >= n) {
		void *p = a->cur->data + a->cur->used;
		a->cur->used += n;
		return p;
	}
	for (jsonarena_block *b = a->cur; b; b = b->next) {
		if (b->size - b->used >= n) {
			a->cur = b;
			void *p = b->data + b->used;
			b->used += n;
			return p;
		}
		if (b->next)
			b->next->used = 0;
	}
	size_t size = n > BLOCK ? n : BLOCK;
	jsonarena_block *b = malloc(sizeof *b + size);
	if (!b)
		return NULL;
	*b = (jsonarena_block){ .size = size, .used = n };
	if (a->cur) { /* after the last block (cur is it: the loop above ran to the end) */
		jsonarena_block *last = a->cur;
		while (last->next)
			last = last->next;
		last->next = b;
	} else {
		a->first = b;
	}
	a->cur = b;
	return b->data;
}

typedef struct parser {
	jsonarena *a;
	const char *p, *end;
	const char *const *keys; /* jsonarena_pick: the top-level members built; NULL: all */
	bool heap;               /* jsonarena_parse_heap: malloc'd as cJSON's own nodes */
	bool insitu;             /* the text is the arena's copy: strings end in place */
} parser;

static void *take(parser *ps, size_t n)
{
	return ps->heap ? malloc(n) : arena_alloc(ps->a, n);
}

/* What a failed heap parse allocated and did not link (an arena's goes with the next parse). */
static void drop(parser *ps, void *p)
{
	if (ps->heap)
		free(p);
}

static void drop_tree(parser *ps, cJSON *n)
{
	if (ps->heap)
		cJSON_Delete(n);
}

static inline void blanks(parser *ps)
{
	if (ps->p < ps->end && (unsigned char)*ps->p > ' ')
		return;
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static cJSON *node(parser *ps, int type)
{
	cJSON *n = take(ps, sizeof *n);
	if (n)
		*n = (cJSON){ .type = type };
	return n;
}

/* The bytes a string holds as they are: ASCII but the quote, the backslash and control characters. */
static const bool plain_byte[256] = {
	[0x20] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x22 '"' */
	[0x30] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x40] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x50] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x5C '\\' */
	[0x60] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x70] = 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

/* The bytes of w that are not plain_byte (a quote, a backslash, a control character or a byte not
 * ASCII), each flagged by its top bit: the bit tricks of "has a zero byte" and "has a byte less
 * than n". A flag may be wrong only above a right one (a borrow runs upwards), so the lowest
 * flag is exact. */
static inline uint64_t special_bytes(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
	uint64_t quote = w ^ (ones * '"'), backslash = w ^ (ones * '\\');
	return (((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | ((w - ones * 0x20) & ~w) | w) & high;
}

/* The first byte from p that is not plain_byte, or end: 8 bytes a step (most of an op record's
 * text is its strings), the byte found by the lowest flag where the first byte in memory is the
 * lowest, byte by byte otherwise. */
static inline const char *plain_run(const char *p, const char *end)
{
	while (end - p >= 8) {
		uint64_t w;
		memcpy(&w, p, sizeof w);
		uint64_t special = special_bytes(w);
		if (special) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + __builtin_ctzll(special) / 8;
#else
			break;
#endif
		}
		p += 8;
	}
	while (p < end && plain_byte[(unsigned char)*p])
		p++;
	return p;
}

/* A string at ps->p (its opening quote) as cJSON decodes it; NULL if refused (a \u escape, a
 * byte that is a control character or not ASCII, the end of the text). */
static inline char *string(parser *ps, bool build)
{
	const char *s = ++ps->p;
	size_t escapes = 0;
	for (;; ps->p++) {
		const char *p = plain_run(ps->p, ps->end);
		ps->p = p;
		if (p >= ps->end)
			return NULL;
		if (*p == '"')
			break;
		if (*p != '\\') /* a control character or not ASCII */
			return NULL;
		if (++ps->p >= ps->end || !strchr("\"\\/bfnrt", *ps->p) || !*ps->p)
			return NULL;
		escapes++;
	}
	size_t len = (size_t)(ps->p - s);
	if (!build) {
		ps->p++;
		return (char *)s; /* (not NULL: accepted) */
	}
	/* in the arena's copy of the text a string ends where its closing quote was (escapes decode
	 * in place: the text only shrinks); elsewhere it is copied */
	char *out = ps->insitu ? (char *)s : take(ps, len + 1);
	if (!out)
		return NULL;
	ps->p++;
	if (ps->insitu && !escapes) {
		out[len] = '\0';
		return out;
	}
	if (!escapes) {
		memcpy(out, s, len);
		out[len] = '\0';
		return out;
	}
	char *o = out;
	for (const char *q = s; q < s + len; q++) {
		if (*q != '\\') {
			*o++ = *q;
			continue;
		}
		switch (*++q) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		default: *o++ = *q; break; /* " \ / */
		}
	}
	*o = '\0';
	return out;
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* One more digit of the mantissa; sig counts the digits from the first nonzero one. Past 19
 * the digits are only counted (m must not wrap; strtod reads such a number). */
static void mantissa_digit(uint64_t *m, int *sig, char c)
{
	if (*sig >= 19) {
		(*sig)++;
		return;
	}
	*m = *m * 10 + (uint64_t)(c - '0');
	*sig += *m != 0;
}

__extension__ typedef unsigned __int128 u128;

/* m / 10^k (m < 2^64 exact, 1 <= k <= 22) correctly rounded, ties to even, as strtod rounds it:
 * the quotient of m * 2^s by 10^k to 54 or more bits (both below 2^128), its bits past the 53rd
 * and the remainder deciding the rounding. A sweep's latencies have 17 digits, too many for the
 * one-operation path below, and strtod was a tenth of aggregate. */
static double quotient_double(uint64_t m, int k)
{
	u128 d = 1;
	for (int i = 0; i < k; i++)
		d *= 10;
	int bm = 64 - __builtin_clzll(m);
	int bd = (d >> 64) ? 128 - __builtin_clzll((uint64_t)(d >> 64)) : 64 - __builtin_clzll((uint64_t)d);
	int s = 54 + bd - bm > 0 ? 54 + bd - bm : 0; /* m * 2^s has 54 + bd bits at most: under 2^128 */
	u128 n = (u128)m << s;
	u128 q = n / d;
	bool rest = n - q * d != 0;
	int bq = (q >> 64) ? 128 - __builtin_clzll((uint64_t)(q >> 64)) : 64 - __builtin_clzll((uint64_t)q);
	int extra = bq - 53; /* >= 1: q >= 2^53 */
	uint64_t mant = (uint64_t)(q >> extra);
	uint64_t low = (uint64_t)q & ((1ULL << extra) - 1), half = 1ULL << (extra - 1);
	bool up = low > half || (low == half && (rest || (mant & 1)));
	return ldexp((double)(mant + up), extra - s); /* mant + up <= 2^53: exact, and so is the scaling */
}

/* 10^0 .. 10^22: exact in a double */
static const double pow10_exact[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
				      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

/* A strict JSON number's parts: the integer digits [int0, int1), the fraction's [frac0, frac1)
 * and the exponent's from exp0 (NULL: none). */
typedef struct number_spans {
	const char *int0, *int1, *frac0, *frac1, *exp0;
} number_spans;

/* The number at p in strict JSON form and at most MAX_NUMBER bytes: the byte after it, its parts
 * in *n; NULL if refused. */
static const char *number_end(const char *p, const char *end, number_spans *n)
{
	const char *s = p;
	if (p < end && *p == '-')
		p++;
	n->int0 = p;
	if (p < end && *p == '0')
		p++;
	else if (p < end && digit(*p))
		while (p < end && digit(*p))
			p++;
	else
		return NULL;
	n->int1 = n->frac0 = n->frac1 = p;
	n->exp0 = NULL;
	if (p < end && *p == '.') {
		n->frac0 = ++p;
		if (p >= end || !digit(*p))
			return NULL;
		while (p < end && digit(*p))
			p++;
		n->frac1 = p;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		n->exp0 = p;
		if (p >= end || !digit(*p))
			return NULL;
		while (p < end && digit(*p))
			p++;
	}
	return p - s > MAX_NUMBER ? NULL : p;
}

/* The value of the number [s, p) whose parts number_end gave, as strtod reads it: when the
 * mantissa's significant digits (up to 15) and the power of ten (up to 22) are exact doubles, one
 * multiplication or division by the power is correctly rounded, the very value strtod gives; a
 * mantissa of up to 19 digits over such a power by quotient_double; strtod otherwise. False when
 * the value is not finite. */
static bool number_value(const char *s, const char *p, const number_spans *n, double *v)
{
	const char *int0 = n->int0, *int1 = n->int1, *frac0 = n->frac0, *frac1 = n->frac1, *exp0 = n->exp0;
	uint64_t m = 0;
	int sig = 0;
	for (const char *q = int0; q < int1; q++)
		mantissa_digit(&m, &sig, *q);
	for (const char *q = frac0; q < frac1; q++)
		mantissa_digit(&m, &sig, *q);
	long exp = 0;
	if (exp0) {
		for (const char *q = exp0; q < p; q++)
			if (exp < 100000)
				exp = exp * 10 + (*q - '0');
		if (exp0[-1] == '-')
			exp = -exp;
	}
	long e10 = exp - (frac1 - frac0);
	bool neg = *s == '-';
#if FLT_EVAL_METHOD == 0
	if (m == 0) {
		*v = neg ? -0.0 : 0.0;
		return true;
	}
	if (sig <= 15 && e10 >= -22 && e10 <= 22) {
		double d = (double)m;
		d = e10 < 0 ? d / pow10_exact[-e10] : d * pow10_exact[e10];
		*v = neg ? -d : d;
		return true;
	}
	if (sig <= 19 && e10 < 0 && e10 >= -22) { /* (m holds every digit) */
		double d = quotient_double(m, (int)-e10);
		*v = neg ? -d : d;
		return true;
	}
#endif
	char buf[MAX_NUMBER + 1];
	memcpy(buf, s, (size_t)(p - s));
	buf[p - s] = '\0';
	char *after;
	*v = strtod(buf, &after);
	return *after == '\0' && isfinite(*v);
}

static bool number(parser *ps, double *v, bool build)
{
	/* the syntax first (a dropped member needs no more), then the digits' value */
	const char *s = ps->p;
	number_spans n;
	const char *p = number_end(s, ps->end, &n);
	if (!p)
		return false;
	ps->p = p;
	if (!build) /* a member jsonarena_pick drops: its syntax is all that matters */
		return true;
	return number_value(s, p, &n, v);
}

/* A value's node: built in the arena, or (build false: a member jsonarena_pick does not keep)
 * only checked, then the shared marker below stands for it. */
static cJSON unbuilt;

static cJSON *value(parser *ps, int depth, bool build);

static bool wanted(const char *key, size_t len, const char *const *keys)
{
	for (; *keys; keys++)
		if ((*keys)[0] == key[0] && strncmp(*keys, key, len) == 0 && (*keys)[len] == '\0')
			return true;
	return false;
}

/* An object's key: NULL if refused; *keep false for a top-level member jsonarena_pick drops. */
static char *key(parser *ps, int depth, bool build, bool *keep)
{
	*keep = build;
	if (ps->p >= ps->end || *ps->p != '"')
		return NULL;
	if (!ps->keys || depth > 0)
		return string(ps, build);
	const char *k = ps->p + 1;
	if (!string(ps, false))
		return NULL;
	size_t len = (size_t)(ps->p - 1 - k);
	if (memchr(k, '\\', len)) /* as jsonpick: escaped top-level keys are left to cJSON */
		return NULL;
	if (!(*keep = wanted(k, len, ps->keys)))
		return (char *)k; /* (not NULL: accepted) */
	char *out = arena_alloc(ps->a, len + 1);
	if (out) {
		memcpy(out, k, len);
		out[len] = '\0';
	}
	return out;
}

/* The members of an object or an array (close: '}' or ']'), ps->p after its opening bracket,
 * linked under parent when built. */
static bool members(parser *ps, cJSON *parent, char close, int depth, bool build)
{
	blanks(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return true;
	}
	cJSON *last = NULL;
	for (;;) {
		char *name = NULL;
		bool keep = build;
		if (close == '}') {
			if (!(name = key(ps, depth, build, &keep)))
				return false;
			blanks(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return false;
			ps->p++;
			blanks(ps);
		}
		cJSON *item = value(ps, depth + 1, keep);
		if (!item) {
			if (keep)
				drop(ps, name);
			return false;
		}
		if (keep) {
			item->string = name;
			if (last) {
				last->next = item;
				item->prev = last;
			} else {
				parent->child = item;
			}
			last = item;
		}
		blanks(ps);
		if (ps->p >= ps->end)
			return false;
		char c = *ps->p++;
		if (c == close) {
			if (last)
				parent->child->prev = last; /* as cJSON 1.7.15 links a parsed list */
			return true;
		}
		if (c != ',')
			return false;
		blanks(ps);
	}
}

/* A string at p (its opening quote) checked as string() checks it: the byte after its closing
 * quote, NULL if refused; *escaped says whether it has a backslash escape. */
static inline const char *scan_string(const char *p, const char *end, bool *escaped)
{
	*escaped = false;
	for (p++;; p++) {
		p = plain_run(p, end);
		if (p >= end)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (*p != '\\' || ++p >= end || !*p || !strchr("\"\\/bfnrt", *p))
			return NULL;
		*escaped = true;
	}
}

static const char *skip_string(const char *p, const char *end)
{
	bool escaped;
	return scan_string(p, end, &escaped);
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A value jsonarena_pick drops, at ps->p: checked as value(ps, depth, false) would check it (the
 * same grammar and limits), in one loop with a stack of the brackets open instead of a call per
 * member (most of an op record's text is the attrs and points aggregate drops). */
static bool skip_value(parser *ps, int depth)
{
	char open[MAX_DEPTH + 2]; /* the closing bracket of each container open */
	int top = 0;
	const char *p = ps->p, *end = ps->end;
value:
	if (depth + top > MAX_DEPTH || p >= end)
		return false;
	switch (*p) {
	case '"': p = skip_string(p, end); break;
	case 't': p = end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL; break;
	case 'f': p = end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL; break;
	case 'n': p = end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL; break;
	case '[':
	case '{':
		open[top++] = *p == '[' ? ']' : '}';
		p = skip_blanks(p + 1, end);
		if (p < end && *p == open[top - 1]) {
			p++;
			top--;
			break;
		}
		if (open[top - 1] == ']')
			goto value;
		goto key;
	default: {
		number_spans spans;
		p = number_end(p, end, &spans);
		break;
	}
	}
	if (!p)
		return false;
	for (;;) { /* after a value */
		if (top == 0) {
			ps->p = p;
			return true;
		}
		p = skip_blanks(p, end);
		if (p >= end)
			return false;
		if (*p == ',') {
			p = skip_blanks(p + 1, end);
			if (open[top - 1] == ']')
				goto value;
			goto key;
		}
		if (*p != open[top - 1])
			return false;
		p++;
		top--;
	}
key:
	if (p >= end || *p != '"' || !(p = skip_string(p, end)))
		return false;
	p = skip_blanks(p, end);
	if (p >= end || *p != ':')
		return false;
	p = skip_blanks(p + 1, end);
	goto value;
}

static bool literal(parser *ps, const char *word, size_t n)
{
	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static cJSON *value(parser *ps, int depth, bool build)
{
	if (!build)
		return skip_value(ps, depth) ? &unbuilt : NULL;
	if (depth > MAX_DEPTH || ps->p >= ps->end)
		return NULL;
	cJSON *n = &unbuilt;
	switch (*ps->p) {
	case '"': {
		char *s = string(ps, build);
		if (!s)
			return NULL;
		if (build && !(n = node(ps, cJSON_String))) {
			drop(ps, s);
			return NULL;
		}
		if (build)
			n->valuestring = s;
		return n;
	}
	case 't':
		if (!literal(ps, "true", 4) || (build && !(n = node(ps, cJSON_True))))
			return NULL;
		if (build)
			n->valueint = 1; /* as cJSON sets it */
		return n;
	case 'f': return literal(ps, "false", 5) ? build ? node(ps, cJSON_False) : n : NULL;
	case 'n': return literal(ps, "null", 4) ? build ? node(ps, cJSON_NULL) : n : NULL;
	case '[':
	case '{': {
		char close = *ps->p == '[' ? ']' : '}';
		ps->p++;
		if (build && !(n = node(ps, close == ']' ? cJSON_Array : cJSON_Object)))
			return NULL;
		if (members(ps, n, close, depth, build))
			return n;
		if (build)
			drop_tree(ps, n);
		return NULL;
	}
	default: {
		double v;
		if (!number(ps, &v, build) || (build && !(n = node(ps, cJSON_Number))))
			return NULL;
		if (build) {
			n->valuedouble = v;
			/* cJSON's valueint: saturated at the int range */
			n->valueint = v >= INT_MAX ? INT_MAX : v <= (double)INT_MIN ? INT_MIN : (int)v;
		}
		return n;
	}
	}
}

/* Both entry points: the first block is reused from its start. */
static cJSON *parse(jsonarena *a, const char *text, size_t len, const char *const *keys)
{
	if (a && a->first) {
		a->first->used = 0;
		a->cur = a->first;
	}
	parser ps = { a, text, text + len, keys, !a, false };
	if (a) { /* the text copied once, its strings then cut in place */
		char *copy = arena_alloc(a, len + 1);
		if (!copy)
			return NULL;
		memcpy(copy, text, len);
		copy[len] = '\0';
		ps = (parser){ a, copy, copy + len, keys, false, true };
	}
	blanks(&ps);
	if (ps.p >= ps.end || *ps.p != '{')
		return NULL;
	cJSON *obj = value(&ps, 0, true);
	if (!obj)
		return NULL;
	blanks(&ps);
	if (ps.p == ps.end)
		return obj;
	drop_tree(&ps, obj);
	return NULL;
}

cJSON *jsonarena_parse_heap(const char *text, size_t len)
{
	return parse(NULL, text, len, NULL);
}

cJSON *jsonarena_pick(jsonarena *a, const char *text, size_t len, const char *const *keys)
{
	return parse(a, text, len, keys);
}

cJSON *jsonarena_parse(jsonarena *a, const char *text, size_t len)
{
	return parse(a, text, len, NULL);
}

void jsonarena_free(jsonarena *a)
{
	for (jsonarena_block *b = a->first, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	*a = (jsonarena){ 0 };
}

/* ---- jsonarena_scan: the members of a record without building them ---- */

void jsonarena_scan_start(jsonarena_scan *s, const char *text, size_t len)
{
	*s = (jsonarena_scan){ .p = text, .end = text + len };
}

/* The object's end at p (its '}'): 0 when only blanks follow, as parse() wants. */
static int scan_end(jsonarena_scan *s, const char *p)
{
	p = skip_blanks(p + 1, s->end);
	s->p = p;
	return p == s->end ? 0 : -1;
}

/* The grammar is members()'s at the top level with key()'s rule for picked keys (no escapes)
 * and skip_value() for every value, so that what it walks through jsonarena_pick accepts. */
int jsonarena_scan_next(jsonarena_scan *s, jsonarena_member *m)
{
	const char *p = skip_blanks(s->p, s->end), *end = s->end;
	if (p >= end)
		return -1;
	if (!s->started) {
		if (*p != '{')
			return -1;
		s->started = true;
		p = skip_blanks(p + 1, end);
		if (p < end && *p == '}')
			return scan_end(s, p);
	} else {
		if (*p == '}')
			return scan_end(s, p);
		if (*p != ',')
			return -1;
		p = skip_blanks(p + 1, end);
	}
	if (p >= end || *p != '"')
		return -1;
	const char *k = p + 1;
	bool escaped;
	if (!(p = scan_string(p, end, &escaped)) || escaped) /* as key(): an escaped top-level key is left to cJSON */
		return -1;
	m->key = k;
	m->key_len = (size_t)(p - 1 - k);
	p = skip_blanks(p, end);
	if (p >= end || *p != ':')
		return -1;
	p = skip_blanks(p + 1, end);
	parser ps = { .p = p, .end = end };
	number_spans n;
	m->escaped = false;
	m->finite = false;
	if (p < end && *p == '"') /* strings and numbers without skip_value's call: what they are is wanted */
		ps.p = scan_string(p, end, &m->escaped);
	else if (p < end && (*p == '-' || digit(*p)))
		ps.p = number_end(p, end, &n);
	else if (!skip_value(&ps, 1))
		return -1;
	if (!ps.p)
		return -1;
	switch (*p) {
	case '"': m->type = cJSON_String; break;
	case '{': m->type = cJSON_Object; break;
	case '[': m->type = cJSON_Array; break;
	case 't': m->type = cJSON_True; break;
	case 'f': m->type = cJSON_False; break;
	case 'n': m->type = cJSON_NULL; break;
	default: m->type = cJSON_Number; break;
	}
	if (m->type == cJSON_Number) /* read once here: most numbers of a record are wanted */
		m->finite = number_value(p, ps.p, &n, &m->number);
	bool str = m->type == cJSON_String;
	m->val = str ? p + 1 : p;
	m->val_len = (size_t)(ps.p - p) - (str ? 2 : 0);
	s->p = ps.p;
	return 1;
}

bool jsonarena_member_number(const jsonarena_member *m, double *v)
{
	*v = m->number;
	return m->type == cJSON_Number && m->finite;
}

cJSON *jsonarena_parse_line(jsonarena *a, jsonl_reader *r, bool *in_arena)
{
	cJSON *rec = jsonarena_parse(a, r->text, r->text_len);
	*in_arena = rec != NULL;
	return rec ? rec : jsonl_parse_text(r);
}
