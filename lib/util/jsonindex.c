#include "jsonindex.h"

#include <string.h>

#include "jsonget.h"

/* The name's length and three of its bytes, mixed: names of one record seldom share all four
 * (a hash of every byte cost more than the lookups it saved) */
static uint32_t name_hash(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	uint32_t h = (uint32_t)n * 0x9E3779B1u;
	h ^= (uint32_t)(unsigned char)s[0] | (uint32_t)(unsigned char)s[n / 2] << 8 |
	     (uint32_t)(unsigned char)s[n - 1] << 16;
	h *= 0x85EBCA6Bu;
	return h ^ h >> 15;
}

void json_index_build(json_index *ix, const cJSON *obj)
{
	ix->obj = obj;
	ix->walk = false;
	memset(ix->slot, 0, sizeof ix->slot);
	if (!cJSON_IsObject(obj))
		return;
	size_t n = 0;
	for (const cJSON *c = obj->child; c && c->string; c = c->next) {
		if (++n > JSON_INDEX_MAX) {
			ix->walk = true;
			return;
		}
		size_t len = strlen(c->string);
		uint32_t h = name_hash(c->string, len);
		size_t i = h % JSON_INDEX_SLOTS;
		/* a later member of a name already here is never the answer */
		while (ix->slot[i].item && (ix->slot[i].hash != h || ix->slot[i].len != len ||
					    memcmp(ix->slot[i].item->string, c->string, len) != 0))
			i = (i + 1) % JSON_INDEX_SLOTS;
		if (!ix->slot[i].item) {
			ix->slot[i].hash = h;
			ix->slot[i].len = (uint32_t)len;
			ix->slot[i].item = c;
		}
	}
}

const cJSON *json_index_get(const json_index *ix, const char *key)
{
	if (ix->walk)
		return json_member(ix->obj, key);
	size_t len = strlen(key);
	uint32_t h = name_hash(key, len);
	for (size_t i = h % JSON_INDEX_SLOTS; ix->slot[i].item; i = (i + 1) % JSON_INDEX_SLOTS)
		if (ix->slot[i].hash == h && ix->slot[i].len == len && memcmp(ix->slot[i].item->string, key, len) == 0)
			return ix->slot[i].item;
	return NULL;
}
