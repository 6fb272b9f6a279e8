/* perfdb_memo: the perf database's answers remembered by their arguments, in two generations
 * so that memory stays bounded on any stream (see struct perfdb in perfdb_impl.h). */
#include "explain.h"
#include "perfdb.h"
#include "perfdb_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- memo ---- */

/* Keys are zero-filled structs without padding: hashed a word at a time (a multiply-xorshift
 * mix per word; byte-wise FNV over the 112 bytes cost more than the probe). */
static uint64_t hash_key(const memo_key *k)
{
	_Static_assert(sizeof(memo_key) % sizeof(uint64_t) == 0, "memo_key is hashed by words");
	uint64_t h = 0x9E3779B97F4A7C15ull;
	const unsigned char *p = (const unsigned char *)k;
	for (size_t i = 0; i < sizeof *k; i += sizeof(uint64_t)) {
		uint64_t w;
		memcpy(&w, p + i, sizeof w);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
	}
	return h ^ (h >> 29);
}

/* Answers one generation keeps (1.2 MB of slots, a 128 KB table at half load): a Qwen3-32B stream of
 * 10,000 configurations asks ~12,000 distinct look-ups, most of them soon again or not at
 * all (query's text memo answers the repeats first), so 8,192 cost no CPU there and keep
 * query under 50 MB at 100,000 configurations (16,384: 53 MB). */
enum { MEMO_GEN_MAX = 8192, MEMO_CAP = 2 * MEMO_GEN_MAX };

static uint32_t tag_of(uint64_t h) { return (uint32_t)(h >> 32) | 1u; }

static memo_slot *memo_find_in(const memo_gen *g, const memo_key *k, uint64_t h)
{
	if (!g->cap)
		return NULL;
	size_t mask = g->cap - 1;
	uint32_t tag = tag_of(h);
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		const memo_entry *e = &g->table[i];
		if (!e->tag)
			return NULL;
		if (e->tag != tag)
			continue;
		memo_slot *s = &g->slots[e->slot];
		if (s->hash == h && memcmp(&s->key, k, sizeof *k) == 0)
			return s;
	}
}

static void memo_put_hashed(perfdb *db, const memo_key *k, uint64_t h, const perf_result *r);

memo_slot *pdb_memo_find(perfdb *db, const memo_key *k)
{
	if (explain_on) /* a remembered answer reads no table: query --explain shows every read */
		return NULL;
	uint64_t h = hash_key(k);
	memo_slot *s = memo_find_in(&db->memo, k, h);
	if (s || !(s = memo_find_in(&db->memo_old, k, h)))
		return s;
	/* still asked for: into the young generation (copied first: the put may drop the old) */
	perf_result r = s->r;
	memo_put_hashed(db, k, h, &r);
	return memo_find_in(&db->memo, k, h);
}

static void memo_insert(memo_gen *g, const memo_key *k, uint64_t h, const perf_result *r)
{
	size_t mask = g->cap - 1;
	size_t i = h & mask;
	while (g->table[i].tag)
		i = (i + 1) & mask;
	g->table[i] = (memo_entry){ tag_of(h), (uint32_t)g->n };
	g->slots[g->n++] = (memo_slot){ h, *k, *r };
}

static void memo_put_hashed(perfdb *db, const memo_key *k, uint64_t h, const perf_result *r)
{
	if (db->memo.n >= MEMO_GEN_MAX) {
		/* The young generation turns old, and the arrays of the one dropped are the new young
		 * one's: its table cleared (128 KB), its slots written over from the first. Fresh
		 * arrays would cost a page fault per 4 KiB touched again. */
		memo_gen reuse = db->memo_old;
		db->memo_old = db->memo;
		db->memo = reuse;
		db->memo.n = 0;
		if (reuse.table)
			memset(reuse.table, 0, reuse.cap * sizeof *reuse.table);
	}
	if (!db->memo.table) {
		/* Every generation at its full size from the start, in one allocation (the table,
		 * then MEMO_GEN_MAX slots: a generation turns old before it holds more), touched only
		 * where used: growing by doubling rehashed into arrays that were then dropped (4,000
		 * page faults of a 564-configuration sweep). */
		_Static_assert(MEMO_CAP * sizeof(memo_entry) % _Alignof(memo_slot) == 0, "slots follow the table aligned");
		size_t bytes = MEMO_CAP * sizeof(memo_entry) + MEMO_GEN_MAX * sizeof(memo_slot);
		db->memo.table = calloc(1, bytes);
		if (!db->memo.table)
			return; /* no memory: just do not memoize */
		db->memo.slots = (memo_slot *)(void *)(db->memo.table + MEMO_CAP);
		db->memo.cap = MEMO_CAP;
		db->memo.n = 0;
	}
	memo_insert(&db->memo, k, h, r);
}

void pdb_memo_put(perfdb *db, const memo_key *k, const perf_result *r)
{
	memo_put_hashed(db, k, hash_key(k), r);
}

memo_key pdb_key(const perfdb *db, int fn)
{
	memo_key k;
	memset(&k, 0, sizeof k);
	k.fn = fn;
	k.mode = (int)db->mode;
	return k;
}

static memo_key ext_key(const perfdb *db, const char *fn, const long long *a, int na, const void *p0, const void *p1)
{
	memo_key k = pdb_key(db, FN_EXT);
	for (int i = 0; i < na && i < 8; i++)
		k.a[i] = a[i];
	k.p[0] = p0;
	k.p[1] = p1;
	snprintf(k.op, sizeof k.op, "%s", fn);
	return k;
}

bool perfdb_memo_get(perfdb *db, const char *fn, const long long *a, int na, const void *p0, const void *p1,
		     perf_result *out)
{
	memo_key k = ext_key(db, fn, a, na, p0, p1);
	memo_slot *hit = pdb_memo_find(db, &k);
	if (hit)
		*out = hit->r;
	return hit != NULL;
}

void perfdb_memo_put(perfdb *db, const char *fn, const long long *a, int na, const void *p0, const void *p1,
		     const perf_result *r)
{
	memo_key k = ext_key(db, fn, a, na, p0, p1);
	pdb_memo_put(db, &k, r);
}

