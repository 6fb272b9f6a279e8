/* jsonget: an object's member by key, as cJSON_GetObjectItemCaseSensitive finds it (the first
 * member of that exact name; NULL for a NULL object), comparing the first byte before calling
 * strcmp. The filters' hot loops look members up by the million (an op's attrs for every point
 * it is priced at), and most members differ from the key in their first byte. */
#ifndef INFERCAST_JSONGET_H
#define INFERCAST_JSONGET_H

#include <string.h>
#include <cjson/cJSON.h>

static inline cJSON *json_member(const cJSON *obj, const char *key)
{
	if (!obj)
		return NULL;
	for (cJSON *c = obj->child; c && c->string; c = c->next) /* (a member without a name ends the search, as in cJSON) */
		if (c->string[0] == key[0] && strcmp(c->string, key) == 0)
			return c;
	return NULL;
}

#endif
