#include "query_configs.h"

#include <stdlib.h>
#include <string.h>

#include "diag.h"

const char *query_config_str(const cJSON *cfg, const char *key)
{
	const cJSON *v = cfg ? cJSON_GetObjectItemCaseSensitive(cfg, key) : NULL;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static size_t id_hash(const char *id)
{
	size_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* The slot of id: its entry, or the empty slot where it goes. */
static query_config_slot *slot_of(const query_configs *q, const char *id)
{
	for (size_t i = id_hash(id) & (q->cap - 1);; i = (i + 1) & (q->cap - 1))
		if (!q->slots[i].id || strcmp(q->slots[i].id, id) == 0)
			return &q->slots[i];
}

const cJSON *query_configs_find(const query_configs *q, const char *id)
{
	return id && q->cap ? slot_of(q, id)->c : NULL;
}

/* c, or an equal shape already kept (then c is deleted). Only the latest few are searched:
 * configurations come grouped, and a stream of many distinct shapes stays linear. */
static const cJSON *shape(query_configs *q, cJSON *c)
{
	for (size_t i = q->nshapes, seen = 0; i > 0 && seen < 16; i--, seen++)
		if (cJSON_Compare(q->shapes[i - 1], c, true)) {
			cJSON_Delete(c);
			return q->shapes[i - 1];
		}
	q->shapes = xrealloc(q->shapes, (q->nshapes + 1) * sizeof *q->shapes);
	q->shapes[q->nshapes++] = c;
	return c;
}

/* Drop a slot (linear probing: the entries after it in its run move back into the hole). */
static void drop(query_configs *q, query_config_slot *slot)
{
	size_t mask = q->cap - 1, hole = (size_t)(slot - q->slots);
	free(slot->id);
	q->slots[hole] = (query_config_slot){ 0 };
	q->n--;
	for (size_t i = (hole + 1) & mask; q->slots[i].id; i = (i + 1) & mask) {
		size_t home = id_hash(q->slots[i].id) & mask;
		/* movable when its home is not in (hole, i] (cyclically) */
		if ((i > hole && (home <= hole || home > i)) || (i < hole && home <= hole && home > i)) {
			q->slots[hole] = q->slots[i];
			q->slots[i] = (query_config_slot){ 0 };
			hole = i;
		}
	}
}

void query_configs_op_done(query_configs *q, const char *id, size_t id_len)
{
	if (!q->n || id_len >= 256)
		return;
	char key[256];
	memcpy(key, id, id_len);
	key[id_len] = 0;
	query_config_slot *slot = slot_of(q, key);
	if (slot->id && slot->left > 0 && --slot->left == 0)
		drop(q, slot);
}

static void set(query_configs *q, const char *id, const cJSON *c, long left)
{
	if (2 * (q->n + 1) > q->cap) {
		query_configs grown = { .cap = q->cap ? 2 * q->cap : 256 };
		grown.slots = xcalloc(grown.cap, sizeof *grown.slots);
		for (size_t i = 0; i < q->cap; i++)
			if (q->slots[i].id)
				*slot_of(&grown, q->slots[i].id) = q->slots[i];
		free(q->slots);
		q->slots = grown.slots;
		q->cap = grown.cap;
	}
	query_config_slot *slot = slot_of(q, id);
	if (!slot->id) {
		slot->id = strdup(id);
		if (!slot->id)
			die(EXIT_DATA, "out of memory");
		q->n++;
	}
	slot->c = c;
	slot->left = left;
}

void query_configs_put(query_configs *q, const jsonl_reader *r, const cJSON *rec)
{
	const char *id = jsonl_opt_str(r, rec, "config_id", NULL);
	if (!id)
		return;
	cJSON *c = cJSON_CreateObject();
	const char *keys[] = { "system", "backend", "version", "database_mode" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = jsonl_opt_str(r, rec, keys[i], NULL);
		if (v)
			cJSON_AddStringToObject(c, keys[i], v);
	}
	/* the checkpoint's own modes, which the fallbacks turn to */
	const cJSON *quant = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "model"), "quant");
	const char *gemm = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(quant, "gemm"));
	const char *moe = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(quant, "moe"));
	if (gemm)
		cJSON_AddStringToObject(c, "checkpoint_gemm", gemm);
	if (moe)
		cJSON_AddStringToObject(c, "checkpoint_moe", moe);
	/* op_records: how many op records follow (docs/records.md); after the last one the
	 * configuration is forgotten. Absent (a hand-made stream) or 0: kept. */
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(rec, "op_records");
	long left = cJSON_IsNumber(n) && n->valuedouble >= 1 && n->valuedouble <= 1e9 ? (long)n->valuedouble : -1;
	set(q, id, shape(q, c), left);
}

void query_configs_free(query_configs *q)
{
	for (size_t i = 0; i < q->cap; i++)
		free(q->slots[i].id);
	free(q->slots);
	for (size_t i = 0; i < q->nshapes; i++)
		cJSON_Delete(q->shapes[i]);
	free(q->shapes);
	*q = (query_configs){ 0 };
}
