#include "optext.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonl.h"

int optext_number(char *buf, size_t n, double v)
{
	return jsonl_cjson_number(buf, n, v);
}

size_t optext_priced_tail(char *buf, size_t n, const perf_result *res, bool no_points)
{
	char lat[32], en[32];
	optext_number(lat, sizeof lat, res->latency);
	optext_number(en, sizeof en, res->energy);
	int len;
	if (no_points)
		len = snprintf(buf, n, ",\"latency_ms\":%s,\"energy_wms\":%s,\"source\":null,\"detail\":\"none\"}", lat, en);
	else
		len = snprintf(buf, n, ",\"latency_ms\":%s,\"energy_wms\":%s,\"source\":\"%s\",\"detail\":\"%s\"}", lat, en,
			       perf_source_name(res->source), perf_detail_name(res->detail));
	return len < 0 || (size_t)len >= n ? 0 : (size_t)len;
}

bool optext_split(const char *text, size_t len, const char **id, size_t *id_len, const char **rest)
{
	static const char head[] = "{\"record\":\"op\",\"config_id\":\"";
	size_t h = sizeof head - 1;
	if (len <= h || memcmp(text, head, h) != 0)
		return false;
	const char *p = text + h, *end = text + len;
	for (; p < end && *p != '"'; p++)
		if (*p == '\\' || (unsigned char)*p < 0x20)
			return false;
	if (p == end)
		return false;
	*id = text + h;
	*id_len = (size_t)(p - *id);
	*rest = p + 1;
	return true;
}

size_t optext_body_len(const char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ' ||
			   text[len - 1] == '\t'))
		len--;
	return len > 0 && text[len - 1] == '}' ? len - 1 : 0;
}

/* The database's address and the text, mixed a word at a time (lines are hundreds of bytes). */
static unsigned long long memo_hash(const void *db, const char *s, size_t n)
{
	unsigned long long h = 0x9E3779B97F4A7C15ULL ^ (unsigned long long)(size_t)db;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		unsigned long long w;
		memcpy(&w, s + i, sizeof w);
		h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
		h ^= h >> 32;
	}
	unsigned long long w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w ^ n) * 0xC4CEB9FE1A85EC53ULL;
	return h ^ (h >> 29);
}

static optext_memo_entry *memo_slot(const optext_memo *m, unsigned long long hash, const void *db, const char *rest,
				    size_t rest_len)
{
	for (size_t i = hash & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		optext_memo_entry *e = &m->slots[i];
		if (!e->rest || (e->hash == hash && e->db == db && e->rest_len == rest_len &&
				 memcmp(e->rest, rest, rest_len) == 0))
			return e;
	}
}

const char *optext_memo_find(const optext_memo *m, const void *db, const char *rest, size_t rest_len)
{
	if (!m->cap)
		return NULL;
	optext_memo_entry *e = memo_slot(m, memo_hash(db, rest, rest_len), db, rest, rest_len);
	return e->rest ? e->tail : NULL;
}

enum { MEMO_BUDGET = 256 << 20 }; /* bytes of remembered text; a sweep needs a few MB */

void optext_memo_put(optext_memo *m, const void *db, const char *rest, size_t rest_len, const char *tail)
{
	size_t tail_len = strlen(tail);
	if (m->bytes + rest_len + tail_len > MEMO_BUDGET)
		return;
	if (2 * (m->used + 1) > m->cap) {
		optext_memo grown = { calloc(m->cap ? 2 * m->cap : 1024, sizeof *m->slots), m->cap ? 2 * m->cap : 1024,
				      m->used, m->bytes };
		if (!grown.slots)
			die(EXIT_DATA, "out of memory");
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].rest)
				*memo_slot(&grown, m->slots[i].hash, NULL, NULL, SIZE_MAX) = m->slots[i];
		free(m->slots);
		*m = grown;
	}
	unsigned long long hash = memo_hash(db, rest, rest_len);
	optext_memo_entry *e = memo_slot(m, hash, db, rest, rest_len);
	if (e->rest)
		return;
	char *copy = malloc(rest_len + tail_len + 1);
	if (!copy)
		die(EXIT_DATA, "out of memory");
	memcpy(copy, rest, rest_len);
	memcpy(copy + rest_len, tail, tail_len + 1);
	*e = (optext_memo_entry){ hash, db, copy, rest_len, copy + rest_len };
	m->used++;
	m->bytes += rest_len + tail_len;
}

void optext_memo_free(optext_memo *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].rest);
	free(m->slots);
	*m = (optext_memo){ 0 };
}
