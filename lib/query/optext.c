#define _GNU_SOURCE /* MAP_ANONYMOUS (POSIX 2024, not 2008), MAP_POPULATE: the memo's text blocks */
#include "optext.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "diag.h"
#include "jsonl.h"

int optext_number(char *buf, size_t n, double v)
{
	return jsonl_cjson_number(buf, n, v);
}

/* Appends n bytes of s at *at when they fit before end (false, and nothing more, once not). */
static bool put(char **at, const char *end, const char *s, size_t n)
{
	if ((size_t)(end - *at) <= n)
		return false;
	memcpy(*at, s, n);
	*at += n;
	return true;
}

#define PUT_LIT(at, end, lit) put(at, end, lit, sizeof lit - 1)

size_t optext_priced_tail(char *buf, size_t n, const perf_result *res, bool no_points)
{
	/* what snprintf with the format below gave, joined by hand: the tail is written for every
	 * priced record */
	char lat[32], en[32];
	size_t lat_len = (size_t)optext_number(lat, sizeof lat, res->latency);
	size_t en_len = (size_t)optext_number(en, sizeof en, res->energy);
	char *at = buf, *end = buf + n;
	bool ok = PUT_LIT(&at, end, ",\"latency_ms\":") && put(&at, end, lat, lat_len) &&
		  PUT_LIT(&at, end, ",\"energy_wms\":") && put(&at, end, en, en_len);
	if (no_points) {
		ok = ok && PUT_LIT(&at, end, ",\"source\":null,\"detail\":\"none\"}");
	} else {
		const char *source = perf_source_name(res->source), *detail = perf_detail_name(res->detail);
		ok = ok && PUT_LIT(&at, end, ",\"source\":\"") && put(&at, end, source, strlen(source)) &&
		     PUT_LIT(&at, end, "\",\"detail\":\"") && put(&at, end, detail, strlen(detail)) &&
		     PUT_LIT(&at, end, "\"}");
	}
	if (!ok)
		return 0;
	*at = '\0';
	return (size_t)(at - buf);
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

void optext_write_spliced(const char *text, size_t body_len, const char *tail)
{
	fwrite(text, 1, body_len, stdout);
	fputs(tail, stdout);
	putchar('\n');
	check_stdout();
}

size_t optext_body_len(const char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' ' ||
			   text[len - 1] == '\t'))
		len--;
	return len > 0 && text[len - 1] == '}' ? len - 1 : 0;
}

/* The database's address and the text, mixed a word at a time (lines are hundreds of bytes):
 * four lanes over each 32 bytes, then one, since every record's text is hashed (6 MB on a
 * sweep) and a single lane waits on its multiply at every word. */
static unsigned long long memo_hash(const void *db, const char *s, size_t n)
{
	unsigned long long h = 0x9E3779B97F4A7C15ULL ^ (unsigned long long)(size_t)db;
	size_t i = 0;
	if (n >= 32) {
		unsigned long long l[4] = { h, 0xC2B2AE3D27D4EB4FULL, 0x165667B19E3779F9ULL, 0x27D4EB2F165667C5ULL };
		for (; i + 32 <= n; i += 32)
			for (int k = 0; k < 4; k++) {
				unsigned long long w;
				memcpy(&w, s + i + 8 * (size_t)k, sizeof w);
				l[k] = (l[k] ^ w) * 0xFF51AFD7ED558CCDULL;
				l[k] ^= l[k] >> 32;
			}
		h = l[0];
		for (int k = 1; k < 4; k++)
			h = (h ^ l[k]) * 0xFF51AFD7ED558CCDULL;
	}
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

static optext_memo_entry *memo_slot(const optext_memo_gen *g, unsigned long long hash, const void *db,
				    const char *rest, size_t rest_len)
{
	for (size_t i = hash & (g->cap - 1);; i = (i + 1) & (g->cap - 1)) {
		optext_memo_entry *e = &g->slots[i];
		if (!e->rest || (e->hash == hash && e->db == db && e->rest_len == rest_len &&
				 memcmp(e->rest, rest, rest_len) == 0))
			return e;
	}
}

static optext_memo_entry *gen_find(const optext_memo_gen *g, unsigned long long hash, const void *db,
				   const char *rest, size_t rest_len)
{
	if (!g->cap)
		return NULL;
	optext_memo_entry *e = memo_slot(g, hash, db, rest, rest_len);
	return e->rest ? e : NULL;
}

struct optext_block {
	optext_block *next;
	size_t size, used; /* bytes of the mapping, bytes taken (this header included) */
};

enum { OPTEXT_BLOCK = 1 << 20 };

/* n bytes of text in g's blocks: a block of the generation dropped last (spare) when one is
 * left, else a fresh mapping. Reusing them saves the page faults of new mappings (a 10,000
 * configuration stream turns generations ten times: 20,000 faults, a tenth of query's time)
 * and keeps the same bound: the spare blocks and the young generation's share one half. */
static char *gen_alloc(optext_memo_gen *g, optext_block **spare, size_t n)
{
	optext_block *b = g->blocks;
	if (!b || b->size - b->used < n) {
		size_t size = n + sizeof *b > OPTEXT_BLOCK ? n + sizeof *b : OPTEXT_BLOCK;
		if (*spare && (*spare)->size >= size) {
			b = *spare;
			*spare = b->next;
		} else {
			/* Blocks after the first populated at once: the text fills a block front to
			 * back, and one call that maps its pages costs less than a fault per page (~750
			 * in a sweep's query). Not the first, which a short stream (one estimate: a few KB
			 * of text) fills only a little: populating it cost 0.3 ms and 1 MiB there. */
			static bool mapped_one;
			int populate = 0;
#ifdef MAP_POPULATE
			if (mapped_one)
				populate = MAP_POPULATE;
#endif
			mapped_one = true;
			void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | populate, -1, 0);
			if (p == MAP_FAILED)
				die(EXIT_DATA, "out of memory");
			b = p;
			b->size = size;
		}
		b->next = g->blocks;
		b->used = sizeof *b;
		g->blocks = b;
	}
	char *at = (char *)b + b->used;
	b->used += n;
	return at;
}

static void unmap_blocks(optext_block *b)
{
	for (optext_block *next; b; b = next) {
		next = b->next;
		munmap(b, b->size);
	}
}

static void gen_free(optext_memo_gen *g)
{
	unmap_blocks(g->blocks);
	free(g->slots);
	*g = (optext_memo_gen){ 0 };
}

/* The old generation dropped: its blocks of the usual size become the spare ones (those of an
 * outsized text are given back), its slot array, cleared, the young one's (of the size the
 * generation before needed, so that it does not grow by doubling again). */
static void gen_recycle(optext_memo *m)
{
	optext_memo_gen *g = &m->old;
	unmap_blocks(m->spare);
	m->spare = NULL;
	for (optext_block *b = g->blocks, *next; b; b = next) {
		next = b->next;
		if (b->size == OPTEXT_BLOCK) {
			b->next = m->spare;
			m->spare = b;
		} else {
			munmap(b, b->size);
		}
	}
	optext_memo_entry *slots = g->slots;
	size_t cap = g->cap;
	m->used -= g->used;
	*g = m->young;
	m->young = (optext_memo_gen){ 0 };
	if (slots) {
		memset(slots, 0, cap * sizeof *slots);
		m->young.slots = slots;
		m->young.cap = cap;
	}
}

static size_t memo_budget(const optext_memo *m)
{
	return m->budget ? m->budget : OPTEXT_MEMO_BUDGET;
}

/* Adds (db, rest) -> tail to the young generation, first turning the young one old if it would
 * take it past its half of the budget. Text larger than that half is not kept. rest and tail
 * must not lie in the old generation (its blocks go in the turn). */
static void memo_insert(optext_memo *m, unsigned long long hash, const void *db, const char *rest, size_t rest_len,
			const char *tail)
{
	size_t tail_len = strlen(tail), size = rest_len + tail_len, half = memo_budget(m) / 2;
	if (size > half)
		return;
	if (m->young.bytes + size > half)
		gen_recycle(m);
	optext_memo_gen *g = &m->young;
	if (2 * (g->used + 1) > g->cap) {
		optext_memo_gen grown = { xcalloc(g->cap ? 2 * g->cap : 1024, sizeof *g->slots), g->cap ? 2 * g->cap : 1024,
					  g->used, g->bytes, g->blocks };
		for (size_t i = 0; i < g->cap; i++)
			if (g->slots[i].rest)
				*memo_slot(&grown, g->slots[i].hash, NULL, NULL, SIZE_MAX) = g->slots[i];
		free(g->slots);
		*g = grown;
	}
	char *copy = gen_alloc(g, &m->spare, size + 1);
	memcpy(copy, rest, rest_len);
	memcpy(copy + rest_len, tail, tail_len + 1);
	*memo_slot(g, hash, db, rest, rest_len) = (optext_memo_entry){ hash, db, copy, rest_len, copy + rest_len };
	g->used++;
	g->bytes += size;
	m->used++;
}

const char *optext_memo_find(optext_memo *m, const void *db, const char *rest, size_t rest_len)
{
	if (!m->used)
		return NULL;
	unsigned long long hash = memo_hash(db, rest, rest_len);
	optext_memo_entry *e = gen_find(&m->young, hash, db, rest, rest_len);
	if (e)
		return e->tail;
	e = gen_find(&m->old, hash, db, rest, rest_len);
	if (!e)
		return NULL;
	/* still asked for: into the young generation, copied out first since the insert may drop
	 * the old one */
	size_t tail_len = strlen(e->tail);
	char *copy = malloc(e->rest_len + tail_len + 1);
	if (!copy)
		die(EXIT_DATA, "out of memory");
	memcpy(copy, e->rest, e->rest_len);
	memcpy(copy + e->rest_len, e->tail, tail_len + 1);
	memo_insert(m, hash, db, copy, e->rest_len, copy + e->rest_len);
	free(copy);
	e = gen_find(&m->young, hash, db, rest, rest_len);
	return e ? e->tail : NULL;
}

void optext_memo_put(optext_memo *m, const void *db, const char *rest, size_t rest_len, const char *tail)
{
	unsigned long long hash = memo_hash(db, rest, rest_len);
	if (gen_find(&m->young, hash, db, rest, rest_len) || gen_find(&m->old, hash, db, rest, rest_len))
		return; /* the first tail stays */
	memo_insert(m, hash, db, rest, rest_len, tail);
}

void optext_memo_free(optext_memo *m)
{
	gen_free(&m->young);
	gen_free(&m->old);
	unmap_blocks(m->spare);
	*m = (optext_memo){ 0 };
}
