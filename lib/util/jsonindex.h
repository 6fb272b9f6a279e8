/* jsonindex: an object's members by name through one hashed pass over them, for code that asks
 * one object for many members (pareto reads some 30 of each report's 50: walking the members
 * with strcmp for each was an eighth of its time). A lookup is a hash and, on a match, one
 * strcmp. The answers are cJSON_GetObjectItemCaseSensitive's: the first member of that exact
 * name, NULL for a NULL object, and a member without a name ends the members. */
#ifndef INFERCAST_JSONINDEX_H
#define INFERCAST_JSONINDEX_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

enum { JSON_INDEX_SLOTS = 128, JSON_INDEX_MAX = 96 }; /* past JSON_INDEX_MAX members, lookups walk */

typedef struct json_index {
	const cJSON *obj;
	bool walk; /* too many members to index: lookups walk the object as cJSON does */
	struct {
		uint32_t hash, len; /* len: the name's */
		const cJSON *item;  /* NULL: an empty slot */
	} slot[JSON_INDEX_SLOTS];
} json_index;

/* Indexes obj's members (obj may be NULL or not an object: nothing is found then). The index
 * points into obj, which must outlive it. */
void json_index_build(json_index *ix, const cJSON *obj);

/* The first member named key, or NULL. */
const cJSON *json_index_get(const json_index *ix, const char *key);

#endif
