/* test_jsonindex: json_index_get answers as cJSON_GetObjectItemCaseSensitive: every member of a
 * report-sized object, names that are absent or differ in case, a name given twice (the first),
 * an object too big to index (walked), NULL and non-objects. */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "jsonindex.h"
#include "unit.h"

static void same_as_cjson(const cJSON *obj, const char *key)
{
	json_index ix;
	json_index_build(&ix, obj);
	if (json_index_get(&ix, key) != cJSON_GetObjectItemCaseSensitive(obj, key)) {
		fprintf(stderr, "member '%s': not cJSON's\n", key);
		unit_failures++;
	}
}

int main(void)
{
	cJSON *rep = cJSON_Parse("{\"record\":\"report\",\"mode\":\"agg\",\"tp\":2,\"pp\":1,\"tp\":4,\"serving\":{\"x\":1},"
				 "\"Mode\":\"x\",\"\":5,\"memory_gib\":{\"total\":3}}");
	CHECK(rep != NULL);
	const char *keys[] = { "record", "mode", "tp", "pp", "serving", "Mode", "", "memory_gib", "absent", "MODE", "t" };
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		same_as_cjson(rep, keys[i]);
	json_index ix;
	json_index_build(&ix, rep);
	CHECK(json_index_get(&ix, "tp")->valuedouble == 2); /* the first of two */

	/* more members than the index holds: walked, the same answers */
	cJSON *big = cJSON_CreateObject();
	char name[32];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "k%d", i);
		cJSON_AddNumberToObject(big, name, i);
	}
	cJSON_AddNumberToObject(big, "k7", 1000);
	for (int i = 0; i < 310; i += 7) {
		snprintf(name, sizeof name, "k%d", i);
		same_as_cjson(big, name);
	}
	/* many members below the cap, all found */
	cJSON *mid = cJSON_CreateObject();
	for (int i = 0; i < JSON_INDEX_MAX; i++) {
		snprintf(name, sizeof name, "member_%d", i);
		cJSON_AddNumberToObject(mid, name, i);
	}
	for (int i = 0; i < JSON_INDEX_MAX + 5; i++) {
		snprintf(name, sizeof name, "member_%d", i);
		same_as_cjson(mid, name);
	}

	same_as_cjson(NULL, "tp");
	cJSON *arr = cJSON_Parse("[1,2,3]");
	same_as_cjson(arr, "tp");
	cJSON *num = cJSON_CreateNumber(3);
	same_as_cjson(num, "tp");
	cJSON_Delete(rep);
	cJSON_Delete(big);
	cJSON_Delete(mid);
	cJSON_Delete(arr);
	cJSON_Delete(num);
	UNIT_DONE();
}
