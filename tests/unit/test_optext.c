/* test_optext: query's text fast path. Numbers print exactly as cJSON prints them (random
 * doubles of every magnitude, integers at the int limits, values 15 digits cannot carry),
 * priced tails, the canonical op-record head, and the memo of priced tails. */
#include <stdint.h>
#include <stdlib.h>

#include "jsonl.h"
#include "optext.h"
#include "unit.h"

static void same_as_cjson(double v)
{
	cJSON *n = cJSON_CreateNumber(v);
	char *want = cJSON_PrintUnformatted(n);
	char got[64];
	optext_number(got, sizeof got, v);
	CHECK_STR(got, want);
	free(want);
	cJSON_Delete(n);
}

/* jsonl_print streams the bytes cJSON_PrintUnformatted gives. */
static void printed_as_cjson(const cJSON *item)
{
	char *want = cJSON_PrintUnformatted(item), *got = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&got, &n);
	jsonl_print(f, item);
	fclose(f);
	CHECK_STR(got, want);
	free(want);
	free(got);
}

int main(void)
{
	const char *texts[] = {
		"{}", "[]", "{\"a\":[],\"b\":{},\"c\":[[],[{}]]}", "[true,false,null,0,-0.0,1e300,-2.5e-07]",
		"{\"s\":\"q\\\"b\\\\s\\/ \\b\\f\\n\\r\\t \\u0001\\u001f\\u007f \\u00e9 \\ud83d\\ude00\"}",
		"{\"k\\n\\u0002\":1,\"\":\"\",\"n\":[0.1,0.3,5e-06,123456789012345678,1.7976931348623157e308]}",
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		cJSON *j = cJSON_Parse(texts[i]);
		CHECK(j != NULL);
		if (j)
			printed_as_cjson(j);
		cJSON_Delete(j);
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "big", 2147483648.0);
	cJSON_AddNumberToObject(o, "neg", -2147483649.5);
	cJSON_AddStringToObject(o, "all", "\x01\x02\x03\x04\x05\x06\x07\x0b\x0e\x1b\x7f");
	cJSON_AddRawToObject(o, "raw", "[1, 2]");
	printed_as_cjson(o);
	cJSON_Delete(o);
	const double fixed[] = { 0.0, -0.0, 1.0, -1.0, 0.1, 5e-06, 1e300, -1e-300, 2147483647.0, 2147483648.0,
				 -2147483648.0, -2147483649.0, 1e15, 9.5e15, 0.30000000000000004, 1.0 / 3.0,
				 123456789.12345678, 4.35, 2.675, 1e-320,
				 5.10604085033602533e20 /* fuzz: once cast to long long before the range test */ };
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		same_as_cjson(fixed[i]);
	/* random bit patterns (finite ones) and random latencies */
	unsigned long long x = 88172645463325252ULL;
	for (int i = 0; i < 50000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		double v;
		uint64_t bits = x;
		memcpy(&v, &bits, sizeof v);
		if (isfinite(v))
			same_as_cjson(v);
		same_as_cjson((double)(x >> 11) / (double)(1ULL << 53) * 1000.0);
	}
	char buf[256];
	perf_result r = { 1.5, 0.0, PERF_SRC_SILICON, PERF_DET_INTERPOLATED };
	CHECK(optext_priced_tail(buf, sizeof buf, &r, false) > 0);
	CHECK_STR(buf, ",\"latency_ms\":1.5,\"energy_wms\":0,\"source\":\"silicon\",\"detail\":\"interpolated\"}");
	CHECK(optext_priced_tail(buf, sizeof buf, &r, true) > 0);
	CHECK_STR(buf, ",\"latency_ms\":1.5,\"energy_wms\":0,\"source\":null,\"detail\":\"none\"}");
	CHECK(optext_priced_tail(buf, 10, &r, false) == 0);

	const char *id, *rest;
	size_t id_len;
	const char line[] = "{\"record\":\"op\",\"config_id\":\"c7\",\"name\":\"a\"}\n";
	CHECK(optext_split(line, strlen(line), &id, &id_len, &rest));
	CHECK(id_len == 2 && memcmp(id, "c7", 2) == 0);
	CHECK_STR(rest, ",\"name\":\"a\"}\n");
	CHECK(optext_body_len(line, strlen(line)) == strlen(line) - 2);
	CHECK(!optext_split("{\"record\":\"op\",\"config_id\":\"c\\\"7\"}", 32, &id, &id_len, &rest));
	CHECK(!optext_split("{\"config_id\":\"c7\",\"record\":\"op\"}", 32, &id, &id_len, &rest));
	CHECK(!optext_split("{\"record\":\"op\",\"config_id\":\"c7", 30, &id, &id_len, &rest));
	CHECK(optext_body_len("{} x", 4) == 0);

	optext_memo m = { 0 };
	int db1, db2;
	CHECK(optext_memo_find(&m, &db1, "abc", 3) == NULL);
	char key[32], tail[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		snprintf(tail, sizeof tail, "t%d", i);
		optext_memo_put(&m, &db1, key, strlen(key), tail);
	}
	optext_memo_put(&m, &db1, "k7", 2, "other"); /* the first tail stays */
	CHECK_STR(optext_memo_find(&m, &db1, "k7", 2), "t7");
	CHECK_STR(optext_memo_find(&m, &db1, "k4999", 5), "t4999");
	CHECK(optext_memo_find(&m, &db2, "k7", 2) == NULL);
	CHECK(optext_memo_find(&m, &db1, "k7x", 3) == NULL);
	CHECK(m.used == 5000);
	optext_memo_free(&m);

	/* bounded: 20 bytes a generation (key + tail 4 bytes each, 5 entries); what is asked
	 * for again survives the turn of a generation, the rest goes */
	optext_memo b = { .budget = 40 };
	for (int i = 0; i < 5; i++) {
		snprintf(key, sizeof key, "k%d", i);
		snprintf(tail, sizeof tail, "t%d", i);
		optext_memo_put(&b, &db1, key, strlen(key), tail);
	}
	CHECK(b.young.used == 5 && b.old.used == 0);
	optext_memo_put(&b, &db1, "k5", 2, "t5"); /* the young turns old */
	CHECK(b.young.used == 1 && b.old.used == 5);
	CHECK_STR(optext_memo_find(&b, &db1, "k1", 2), "t1"); /* copied to the young */
	CHECK(b.young.used == 2);
	for (int i = 6; i < 10; i++) {
		snprintf(key, sizeof key, "k%d", i);
		snprintf(tail, sizeof tail, "t%d", i);
		optext_memo_put(&b, &db1, key, strlen(key), tail);
	}
	CHECK_STR(optext_memo_find(&b, &db1, "k1", 2), "t1");
	CHECK(optext_memo_find(&b, &db1, "k2", 2) == NULL); /* never asked for again: gone */
	CHECK_STR(optext_memo_find(&b, &db1, "k9", 2), "t9");
	optext_memo_put(&b, &db1, "a long key", 10, "a long tail"); /* over half the budget */
	CHECK(optext_memo_find(&b, &db1, "a long key", 10) == NULL);
	CHECK(b.young.bytes <= 20 && b.old.bytes <= 20);
	optext_memo_free(&b);

	/* texts lie in blocks of 1 MB: one larger than a block gets its own, and texts that
	 * straddle block ends read back whole */
	optext_memo big = { .budget = 16 << 20 };
	size_t big_len = 1500000;
	char *huge = malloc(big_len);
	CHECK(huge != NULL);
	if (huge) {
		for (size_t i = 0; i < big_len; i++)
			huge[i] = (char)('a' + i % 26);
		for (int i = 0; i < 3; i++) {
			huge[0] = (char)('0' + i);
			optext_memo_put(&big, &db1, huge, big_len, i ? "t-later" : "t-first");
		}
		huge[0] = '0';
		CHECK_STR(optext_memo_find(&big, &db1, huge, big_len), "t-first");
		huge[0] = '2';
		CHECK_STR(optext_memo_find(&big, &db1, huge, big_len), "t-later");
		for (int i = 0; i < 20000; i++) { /* 20,000 small texts over block ends */
			snprintf(key, sizeof key, "key-%d-%0*d", i, i % 90, 0);
			optext_memo_put(&big, &db1, key, strlen(key), "t");
		}
		snprintf(key, sizeof key, "key-%d-%0*d", 12345, 12345 % 90, 0);
		CHECK_STR(optext_memo_find(&big, &db1, key, strlen(key)), "t");
		free(huge);
	}
	optext_memo_free(&big);
	UNIT_DONE();
}
