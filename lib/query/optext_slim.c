/* optext_slim: see optext_slim.h. */
#include "optext_slim.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

const char *const optext_slim_dropped[] = { "attrs", "points", NULL };

static const char *blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* p at a string's opening quote: just past its closing quote, or NULL. */
static const char *past_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* The bytes that matter inside an object or array: the rest (digits, letters, colons, commas)
 * is skipped a byte a step without a branch each (most of attrs and points; the scan of the
 * records query prices was a twentieth of its time). */
static const unsigned char nested_special[256] = {
	['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1,
};

/* p at a value: just past it (a string, an object or array with all it holds, or a scalar up to
 * the next comma, brace or blank at its level), or NULL. */
static const char *past_value(const char *p, const char *end)
{
	if (p < end && *p == '"')
		return past_string(p, end);
	int depth = 0;
	for (; p < end; p++) {
		if (depth > 0)
			while (p < end && !nested_special[(unsigned char)*p])
				p++;
		if (p == end)
			break;
		char c = *p;
		if (c == '"') {
			if (!(p = past_string(p, end)))
				return NULL;
			p--;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0)
				return p;
			if (--depth == 0)
				return p + 1;
		} else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			return p;
		}
	}
	return depth == 0 ? p : NULL;
}

static bool dropped(const char *key, size_t len)
{
	for (const char *const *d = optext_slim_dropped; *d; d++)
		if (strlen(*d) == len && memcmp(*d, key, len) == 0)
			return true;
	return false;
}

static void put(char **buf, size_t *cap, size_t *n, const char *s, size_t len)
{
	if (*n + len > *cap) {
		size_t want = *cap ? *cap : 1024;
		while (want < *n + len)
			want *= 2;
		char *grown = realloc(*buf, want);
		if (!grown)
			die(EXIT_DATA, "out of memory");
		*buf = grown;
		*cap = want;
	}
	memcpy(*buf + *n, s, len);
	*n += len;
}

static size_t slim_body(const char *body, size_t len, char **buf, size_t *cap);

size_t optext_slim(const char *body, size_t len, const char *tail, char **buf, size_t *cap)
{
	size_t n = slim_body(body, len, buf, cap);
	if (n) {
		size_t at = n;
		put(buf, cap, &at, tail, strlen(tail) + 1);
	}
	return n;
}

static size_t slim_body(const char *body, size_t len, char **buf, size_t *cap)
{
	const char *p = body, *end = body + len;
	p = blanks(p, end);
	if (p == end || *p != '{')
		return 0;
	size_t n = 0;
	put(buf, cap, &n, "{", 1);
	bool first = true;
	for (p++;;) {
		p = blanks(p, end);
		if (p == end)
			return n; /* the body ends where the closing brace was */
		const char *member = p;
		if (*p != '"')
			return 0;
		const char *key_end = past_string(p, end);
		if (!key_end)
			return 0;
		p = blanks(key_end, end);
		if (p == end || *p != ':')
			return 0;
		const char *value_end = past_value(blanks(p + 1, end), end);
		if (!value_end)
			return 0;
		if (!dropped(member + 1, (size_t)(key_end - 1 - (member + 1)))) {
			if (!first)
				put(buf, cap, &n, ",", 1);
			put(buf, cap, &n, member, (size_t)(value_end - member));
			first = false;
		}
		p = blanks(value_end, end);
		if (p < end && *p != ',')
			return 0;
		if (p < end)
			p++;
	}
}
