/* test_jsonpick: the picking scan gives the members cJSON would (same values, order, repeats),
 * and refuses whatever it does not fully check (so callers parse it whole with cJSON). */
#include <stdlib.h>

#include "jsonpick.h"
#include "unit.h"

static const char *const keys[] = { "record", "name", "latency_ms", "step", NULL };

/* The picked members printed, or "REFUSED". */
static char *pick(const char *text)
{
	cJSON *o = jsonpick_scan(text, keys);
	if (!o)
		return strdup("REFUSED");
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

static void same(const char *text, const char *want)
{
	char *got = pick(text);
	CHECK_STR(got, want);
	free(got);
}

/* What jsonpick must give when it accepts text: cJSON's whole parse, keys[] members only. */
static char *reference(const char *text)
{
	cJSON *full = cJSON_Parse(text);
	if (!cJSON_IsObject(full)) {
		cJSON_Delete(full);
		return NULL;
	}
	cJSON *o = cJSON_CreateObject(), *c;
	cJSON_ArrayForEach(c, full)
	{
		for (const char *const *k = keys; *k; k++)
			if (strcmp(c->string, *k) == 0)
				cJSON_AddItemToObject(o, c->string, cJSON_Duplicate(c, 1));
	}
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	cJSON_Delete(full);
	return s;
}

/* Random one-byte mutations of a real op record: whatever the scan accepts, cJSON accepts
 * with the same picked members. */
static void differential(void)
{
	const char *base = "{\"record\":\"op\",\"config_id\":\"agg/tp1\",\"phase\":\"generation\",\"name\":\"g_a\","
			   "\"attrs\":{\"n\":64,\"w\":[0.3,5e-06,true,null]},\"points\":[{\"x\":10,\"s\":4001}],"
			   "\"latency_ms\":1.5,\"step\":\"mix\"}";
	const char alphabet[] = "{}[]\":,.-+eE0123456789 tfnrul\\x";
	unsigned long long x = 1234567;
	char buf[512];
	int accepted = 0;
	for (int i = 0; i < 20000; i++) {
		snprintf(buf, sizeof buf, "%s", base);
		size_t n = strlen(buf);
		for (int m = 0; m < 1 + i % 3; m++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			buf[x % n] = alphabet[(x >> 20) % (sizeof alphabet - 1)];
		}
		cJSON *o = jsonpick_scan(buf, keys);
		if (!o)
			continue;
		accepted++;
		char *got = cJSON_PrintUnformatted(o), *want = reference(buf);
		CHECK_STR(got, want);
		free(got);
		free(want);
		cJSON_Delete(o);
	}
	CHECK(accepted > 100);
}

int main(void)
{
	differential();
	same("{\"record\":\"op\",\"config_id\":\"c1\",\"name\":\"gemm\",\"attrs\":{\"n\":1,\"k\":[1,2.5e-3,{\"a\":null}]},"
	     "\"points\":[{\"x\":1,\"s\":-0.5}],\"latency_ms\":1.25,\"source\":\"silicon\"}\n",
	     "{\"record\":\"op\",\"name\":\"gemm\",\"latency_ms\":1.25}");
	same(" { \"name\" : \"a\\\"b\\\\c\\/\\n\" , \"name\" : true , \"x\" : [ ] , \"y\" : { } } \r\n",
	     "{\"name\":\"a\\\"b\\\\c/\\n\",\"name\":true}");
	same("{}", "{}");
	same("{\"step\":[1,[2,[3]]],\"latency_ms\":1e400}", "{\"step\":[1,[2,[3]]],\"latency_ms\":null}");
	/* refused: left to cJSON */
	const char *refused[] = {
		"[1,2]", "{\"a\":1", "{\"a\":1}x", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{\"a\":01}", "{\"a\":1.}",
		"{\"a\":.5}", "{\"a\":+1}", "{\"a\":\"\\u0041\"}", "{\"a\":\"tab\there\"}", "{\"a\":tru}",
		"{\"a\":1e}", "{\"a\":\"x\\q\"}", "{\"na\\nme\":1}", "{\"a\":123456789012345678901234567890123}",
		"\v{\"a\":1}", "{\"a\":[1 2]}", "",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		same(refused[i], "REFUSED");
	/* deep nesting is refused before it can exhaust the stack */
	char deep[1200];
	size_t n = 0;
	n += (size_t)snprintf(deep + n, sizeof deep - n, "{\"a\":");
	for (int i = 0; i < 500; i++)
		deep[n++] = '[';
	for (int i = 0; i < 500; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	same(deep, "REFUSED");
	UNIT_DONE();
}
