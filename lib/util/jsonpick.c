#include "jsonpick.h"

#include <string.h>

enum { MAX_DEPTH = 200, MAX_NUMBER = 32 };

static const char *blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* A string at p (on its opening quote): the byte after its closing quote, NULL if refused.
 * *plain says whether it has no escapes at all. */
static const char *string_end(const char *p, bool *plain)
{
	*plain = true;
	for (p++;; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20) /* NUL (end of text) or a raw control character */
			return NULL;
		if (c == '\\') {
			*plain = false;
			p++;
			if (!strchr("\"\\/bfnrt", *p) || !*p) /* \u escapes: left to cJSON */
				return NULL;
		}
	}
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A number in strict JSON form, short enough for cJSON to read it whole. */
static const char *number_end(const char *p)
{
	const char *s = p;
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (digit(*p))
		while (digit(*p))
			p++;
	else
		return NULL;
	if (*p == '.') {
		p++;
		if (!digit(*p))
			return NULL;
		while (digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!digit(*p))
			return NULL;
		while (digit(*p))
			p++;
	}
	return p - s > MAX_NUMBER ? NULL : p;
}

/* Any value at p (no leading blanks): the byte after it, NULL if refused. */
static const char *value_end(const char *p, int depth)
{
	bool plain;
	if (depth > MAX_DEPTH)
		return NULL;
	switch (*p) {
	case '"': return string_end(p, &plain);
	case 't': return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f': return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n': return strncmp(p, "null", 4) ? NULL : p + 4;
	case '[':
		p = blanks(p + 1);
		if (*p == ']')
			return p + 1;
		for (;;) {
			if (!(p = value_end(p, depth + 1)))
				return NULL;
			p = blanks(p);
			if (*p == ']')
				return p + 1;
			if (*p != ',')
				return NULL;
			p = blanks(p + 1);
		}
	case '{':
		p = blanks(p + 1);
		if (*p == '}')
			return p + 1;
		for (;;) {
			if (*p != '"' || !(p = string_end(p, &plain)))
				return NULL;
			p = blanks(p);
			if (*p != ':')
				return NULL;
			if (!(p = value_end(blanks(p + 1), depth + 1)))
				return NULL;
			p = blanks(p);
			if (*p == '}')
				return p + 1;
			if (*p != ',')
				return NULL;
			p = blanks(p + 1);
		}
	default: return number_end(p);
	}
}

static bool wanted(const char *key, size_t len, const char *const *keys)
{
	for (; *keys; keys++)
		if ((*keys)[0] == key[0] && strncmp(*keys, key, len) == 0 && (*keys)[len] == '\0')
			return true;
	return false;
}

cJSON *jsonpick_scan(const char *text, const char *const *keys)
{
	const char *p = blanks(text);
	if (*p != '{')
		return NULL;
	cJSON *obj = cJSON_CreateObject();
	if (!obj)
		return NULL;
	p = blanks(p + 1);
	if (*p == '}') {
		p++;
		goto done;
	}
	for (;;) {
		bool plain;
		const char *key = p + 1, *after;
		if (*p != '"' || !(after = string_end(p, &plain)) || !plain)
			goto refuse;
		size_t key_len = (size_t)(after - 1 - key);
		p = blanks(after);
		if (*p != ':')
			goto refuse;
		const char *val = blanks(p + 1);
		if (!(p = value_end(val, 1)))
			goto refuse;
		if (wanted(key, key_len, keys)) {
			const char *end = NULL;
			cJSON *item = cJSON_ParseWithLengthOpts(val, (size_t)(p - val), &end, false);
			if (!item || end != p) {
				cJSON_Delete(item);
				goto refuse;
			}
			char name[64];
			if (key_len >= sizeof name) {
				cJSON_Delete(item);
				goto refuse;
			}
			memcpy(name, key, key_len);
			name[key_len] = '\0';
			cJSON_AddItemToObject(obj, name, item);
		}
		p = blanks(p);
		if (*p == '}') {
			p++;
			break;
		}
		if (*p != ',')
			goto refuse;
		p = blanks(p + 1);
	}
done:
	if (*blanks(p) == '\0')
		return obj;
refuse:
	cJSON_Delete(obj);
	return NULL;
}

cJSON *jsonpick_parse_text(jsonl_reader *r, const char *const *keys, bool *whole)
{
	*whole = false;
	if (utf8_invalid_at(r->buf) < 0) {
		cJSON *picked = jsonpick_scan(r->text, keys);
		if (picked)
			return picked;
	}
	*whole = true;
	return jsonl_parse_text(r); /* refused text: parsed (or reported) exactly as ever */
}
