/* test_jsonarena: the arena parse gives cJSON's tree (types, keys, strings, the very doubles and
 * valueints, member order and the prev links), and refuses what it does not fully check. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "jsonarena.h"
#include "jsonpick.h"
#include "unit.h"

/* Same trees, node for node; says where they part. */
static bool same_tree(const cJSON *a, const cJSON *b, const char *text)
{
	for (; a || b; a = a->next, b = b->next) {
		if (!a || !b || a->type != b->type || a->valueint != b->valueint ||
		    memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0 || !a->string != !b->string ||
		    (a->string && strcmp(a->string, b->string)) || !a->valuestring != !b->valuestring ||
		    (a->valuestring && strcmp(a->valuestring, b->valuestring)) || !a->child != !b->child) {
			fprintf(stderr, "differs from cJSON in %s at '%s'\n", text, a && a->string ? a->string : "?");
			return false;
		}
		if (a->child) {
			/* the first member's prev is the last one, as cJSON links it */
			const cJSON *la = a->child, *lb = b->child;
			while (la->next)
				la = la->next;
			while (lb->next)
				lb = lb->next;
			if (a->child->prev != la || b->child->prev != lb) {
				fprintf(stderr, "prev link of the first member differs in %s\n", text);
				return false;
			}
			if (!same_tree(a->child, b->child, text))
				return false;
		}
	}
	return true;
}

static jsonarena arena;

static void accepted(const char *text)
{
	cJSON *want = cJSON_Parse(text);
	cJSON *got = jsonarena_parse(&arena, text, strlen(text));
	CHECK(want && got);
	if (want && got)
		CHECK(same_tree(got, want, text));
	cJSON *heap = jsonarena_parse_heap(text, strlen(text));
	CHECK(heap && want && same_tree(heap, want, text));
	if (heap) { /* a tree of cJSON's own: it can change and be deleted */
		cJSON_AddNumberToObject(heap, "added", 1);
		cJSON_DeleteItemFromObjectCaseSensitive(heap, "added");
	}
	cJSON_Delete(heap);
	cJSON_Delete(want);
}

static void refused(const char *text)
{
	cJSON *heap = jsonarena_parse_heap(text, strlen(text)); /* (what it built so far freed: valgrind) */
	CHECK(!heap);
	cJSON_Delete(heap);
	if (jsonarena_parse(&arena, text, strlen(text))) {
		fprintf(stderr, "accepted: %s\n", text);
		unit_failures++;
	}
}

/* {"v":NUMBER} for numbers of every shape: the value must be strtod's, bit for bit. */
static void numbers(void)
{
	static const char *const fixed[] = {
		"0", "-0", "1", "-1", "0.1", "0.3", "1e22", "1e23", "1.5e-7", "123456789012345", "1234567890123456",
		"12345678901234567890123", "9007199254740993", "2147483647", "2147483648", "-2147483648",
		"-2147483649", "1e-22", "1e-23", "4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308",
		"0.000001", "100000000000000000000000.5", "3.0000000000000004", "42.702702702702695", "1E5", "1e+5",
		"0.0000000000000000000000000001", "5e-5", "0.00", "-0.0e10",
	};
	char text[128];
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		snprintf(text, sizeof text, "{\"v\":%s}", fixed[i]);
		accepted(text);
	}
	/* halfway between two doubles (written with a fraction of up to 19 digits in all): strtod
	 * rounds to the even one, and so must the integer division of 16 to 19 digits */
	uint64_t t = 0x9E3779B97F4A7C15ULL;
	for (int i = 0; i < 20000; i++) {
		t ^= t << 13, t ^= t >> 7, t ^= t << 17;
		int bits = 54 + (int)(t % 6);                       /* doubles of 2^54 .. 2^60: ulp 4 .. 128 */
		uint64_t mant = (1ULL << 52) | (t >> 12 & ((1ULL << 52) - 1));
		uint64_t lo = mant << (bits - 53), ulp = 1ULL << (bits - 53);
		uint64_t mid = lo + ulp / 2 + (t >> 63) * (i & 1);     /* the midpoint, or one past it */
		char digits[24];
		int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mid);
		int frac = n < 19 ? 19 - n : 0;                      /* as many zero decimals as fit in 19 digits */
		snprintf(text, sizeof text, "{\"v\":%s.%.*s}", digits, frac, "0000000000000000000");
		accepted(text);
		snprintf(text, sizeof text, "{\"v\":%se-%d}", digits, 1 + (int)(t >> 40) % 3);
		accepted(text);
		if (unit_failures > 5)
			return;
	}
	/* random mantissas and exponents around the fast path's edges */
	uint64_t s = 88172645463325252ULL;
	for (int i = 0; i < 200000; i++) {
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		int digits = 1 + (int)(s % 20), point = (int)((s >> 8) % (unsigned)(digits + 1)), e = (int)((s >> 16) % 61) - 30;
		char mant[40];
		int len = 0;
		uint64_t r = s >> 20;
		if (s >> 63)
			mant[len++] = '-';
		for (int d = 0; d < digits; d++, r = r * 6364136223846793005ULL + 1442695040888963407ULL) {
			if (d == point && d > 0)
				mant[len++] = '.';
			mant[len++] = (char)('0' + (d == 0 && digits > 1 && point != 1 ? 1 + (r >> 60) % 9 : (r >> 60) % 10));
		}
		mant[len] = '\0';
		if (mant[0] == '0' && len > 1 && mant[1] != '.') /* no leading zeros in JSON */
			continue;
		if (s & 1)
			snprintf(text, sizeof text, "{\"v\":%s}", mant);
		else
			snprintf(text, sizeof text, "{\"v\":%se%d}", mant, e);
		accepted(text);
		if (unit_failures > 5)
			return;
	}
}

static const char *const pick_keys[] = { "record", "name", "latency_ms", "step", NULL };

/* jsonarena_scan_next's verdict on text with pick_keys kept: a walk to the end, every kept number
 * finite (what jsonarena_pick accepts); the kept members counted into *kept. */
static bool scan_accepts(const char *text, int *kept)
{
	jsonarena_scan s;
	jsonarena_scan_start(&s, text, strlen(text));
	jsonarena_member m;
	bool finite = true;
	int more;
	*kept = 0;
	while ((more = jsonarena_scan_next(&s, &m)) == 1) {
		for (const char *const *k = pick_keys; *k; k++) {
			double v;
			if (strlen(*k) != m.key_len || memcmp(*k, m.key, m.key_len))
				continue;
			++*kept;
			if (m.type == cJSON_Number && !jsonarena_member_number(&m, &v))
				finite = false;
		}
	}
	return more == 0 && finite;
}

/* jsonarena_pick gives jsonpick's members (which it is a faster path of) or refuses; the scan
 * agrees with it, member for member. */
static void picked(const char *text, bool accept)
{
	int kept;
	CHECK(scan_accepts(text, &kept) == accept);
	cJSON *want = jsonpick_scan(text, pick_keys);
	cJSON *got = jsonarena_pick(&arena, text, strlen(text), pick_keys);
	if (accept) {
		CHECK(want && got);
		if (want && got)
			CHECK(same_tree(got, want, text));
		CHECK(got && cJSON_GetArraySize(got) == kept);
	} else {
		CHECK(!got);
	}
	cJSON_Delete(want);
}

/* The scan's members: keys and values as spans of the text, types, escapes, numbers. */
static void scanned(void)
{
	const char *t = " { \"s\" : \"a\\nb\" ,\"n\":-1.5e2,\"o\":{\"x\":[1]},\"a\":[],\"t\":true,\"f\":false,\"z\":null,"
			"\"p\":\"plain\"}\n";
	jsonarena_scan s;
	jsonarena_scan_start(&s, t, strlen(t));
	jsonarena_member m;
	static const struct { const char *key; int type; const char *val; bool escaped; } want[] = {
		{ "s", cJSON_String, "a\\nb", true }, { "n", cJSON_Number, "-1.5e2", false },
		{ "o", cJSON_Object, "{\"x\":[1]}", false }, { "a", cJSON_Array, "[]", false },
		{ "t", cJSON_True, "true", false }, { "f", cJSON_False, "false", false },
		{ "z", cJSON_NULL, "null", false }, { "p", cJSON_String, "plain", false },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		CHECK(jsonarena_scan_next(&s, &m) == 1);
		CHECK(m.key_len == strlen(want[i].key) && memcmp(m.key, want[i].key, m.key_len) == 0);
		CHECK(m.type == want[i].type && m.escaped == want[i].escaped);
		CHECK(m.val_len == strlen(want[i].val) && memcmp(m.val, want[i].val, m.val_len) == 0);
		double v;
		CHECK(jsonarena_member_number(&m, &v) == (m.type == cJSON_Number));
		if (m.type == cJSON_Number)
			CHECK(v == -150.0);
	}
	CHECK(jsonarena_scan_next(&s, &m) == 0);
	/* the length bounds the text, as for the parse */
	jsonarena_scan_start(&s, "{\"a\":1}x", 7);
	CHECK(jsonarena_scan_next(&s, &m) == 1 && jsonarena_scan_next(&s, &m) == 0);
	jsonarena_scan_start(&s, "{\"a\":1}x", 8);
	CHECK(jsonarena_scan_next(&s, &m) == 1 && jsonarena_scan_next(&s, &m) == -1);
	jsonarena_scan_start(&s, "{}", 2);
	CHECK(jsonarena_scan_next(&s, &m) == 0);
	/* strings long enough for the 8-byte steps, with what stops them at each place */
	static const char *const stops[] = { "\"", "\\n", "\x01", "\x7f", "\xc3\xa9" };
	for (size_t k = 0; k < sizeof stops / sizeof stops[0]; k++)
		for (int at = 0; at < 20; at++) {
			char text[80];
			snprintf(text, sizeof text, "{\"k\":\"%.*s%s%.*s\"}", at, "abcdefghijklmnopqrstuvwxyz", stops[k],
				 3, "xyz");
			cJSON *want_tree = jsonarena_parse(&arena, text, strlen(text));
			jsonarena_scan_start(&s, text, strlen(text));
			int r = jsonarena_scan_next(&s, &m);
			if (r == 1)
				r = jsonarena_scan_next(&s, &m);
			CHECK((r == 0) == (want_tree != NULL));
		}
}

int main(void)
{
	picked("{\"record\":\"op\",\"attrs\":{\"name\":1,\"record\":[1,{\"step\":2}]},\"name\":\"a\\\"b\","
	       "\"points\":[{\"x\":1.5e3}],\"latency_ms\":0.27938133333333337,\"step\":null,\"name\":2}\n", true);
	picked("{\"attrs\":{}}", true);
	picked("{}", true);
	picked("{\"latency_ms\":[],\"x\":{\"y\":[[],{}]}}", true);
	picked("{\"na\\u006de\":1}", false);  /* escaped top-level key */
	picked("{\"n\\\"\":1}", false);
	picked("{\"x\":1e400}", true);        /* a dropped member: its syntax alone counts, as in jsonpick */
	picked("{\"name\":1e400}", false);    /* a kept one must be finite: left to jsonpick */
	picked("{\"x\":[1,]}", false);
	picked("{\"x\":\"\xc3\xa9\"}", false);
	/* dropped members are checked as strictly as kept ones (lib/util/jsonarena's skip) */
	picked("{\"x\":{\"y\":[true,false,null,-0.5e+3,\"s\\n\",{},[]]},\"name\":\"n\"}", true);
	picked("{\"x\":{\"a\" 1}}", false);
	picked("{\"x\":{\"a\":1,}}", false);
	picked("{\"x\":{\"a\":1]}", false);
	picked("{\"x\":tru}", false);
	picked("{\"x\":01}", false);
	picked("{\"x\":\"\\u0041\"}", false);
	picked("{\"x\":[1 2]}", false);
	char deep_pick[400] = "{\"x\":";
	for (int i = 0; i < 70; i++)
		strcat(deep_pick, "[");
	for (int i = 0; i < 70; i++)
		strcat(deep_pick, "]");
	strcat(deep_pick, "}");
	picked(deep_pick, false); /* deeper than the arena's limit: left to jsonpick */
	scanned();
	accepted("{}");
	accepted(" {\"a\":[]} \n");
	accepted("{\"record\":\"op\",\"config_id\":\"tp1_b1\",\"attrs\":{\"m\":128,\"flag\":true,\"off\":false,\"q\":null},"
		 "\"points\":[{\"x\":128,\"s\":1.5},{\"x\":1,\"s\":2}],\"nested\":[[1,[2,[3]]],{}],\"e\":\"a\\\"b\\\\c\\/d\\n\\t\"}");
	accepted("{\"a\":1,\"a\":2}"); /* repeated keys: both, in order */
	accepted("{ \"a\" : [ 1 , 2 ] , \"b\" :\t{ } }\r\n");
	numbers();

	refused("");
	refused("[1]");
	refused("{\"a\":1} x");
	refused("{\"a\":1");
	refused("{\"a\":01}");
	refused("{\"a\":1.}");
	refused("{\"a\":-}");
	refused("{\"a\":1e}");
	refused("{\"a\":1e400}"); /* not finite: cJSON's parse and jsonl's message */
	refused("{\"a\":\"\\u00e9\"}");
	refused("{\"a\":\"\xc3\xa9\"}");
	refused("{\"a\":\"x\ty\"}");
	refused("{\"a\":tru}");
	refused("{\"a\":1,}");
	refused("{a:1}");
	refused("{\"a\":123456789012345678901234567890123}"); /* longer than the number limit */
	char deep[300] = "{\"a\":";
	for (int i = 0; i < 100; i++)
		strcat(deep, "[");
	refused(deep);

	/* the length bounds the text: what follows is not read */
	const char *t = "{\"a\":1}{\"b\":2}";
	cJSON *o = jsonarena_parse(&arena, t, 7);
	CHECK(o && o->child && o->child->valueint == 1 && !o->child->next);
	/* a record larger than a block, then a small one: both parse */
	size_t big = 200000;
	char *s = malloc(big + 16);
	strcpy(s, "{\"a\":\"");
	memset(s + 6, 'x', big);
	strcpy(s + 6 + big, "\"}");
	o = jsonarena_parse(&arena, s, strlen(s));
	CHECK(o && strlen(o->child->valuestring) == big);
	free(s);
	accepted("{\"after\":[1,2,3]}");
	jsonarena_free(&arena);
	UNIT_DONE();
}
