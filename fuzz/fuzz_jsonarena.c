/* Fuzz lib/util/jsonarena and lib/util/numfmt against the code they stand in for: any bytes
 * jsonarena_parse accepts must parse with cJSON to the same tree (types, keys, strings, the very
 * doubles, valueints); what jsonarena_pick accepts, lib/util/jsonpick's scan must accept with the
 * same members; numfmt_g of any double (the input's bytes read as doubles) must be snprintf's
 * "%.Pg" and numfmt_g_back strtod's reading of it. A difference traps. */
#include "fuzz_common.h"
#include "jsonarena.h"
#include "jsonpick.h"
#include "numfmt.h"

static bool same(const cJSON *a, const cJSON *b)
{
	for (; a || b; a = a->next, b = b->next) {
		if (!a || !b || a->type != b->type || a->valueint != b->valueint ||
		    memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0 || !a->string != !b->string ||
		    (a->string && strcmp(a->string, b->string)) || !a->valuestring != !b->valuestring ||
		    (a->valuestring && strcmp(a->valuestring, b->valuestring)) || !same(a->child, b->child))
			return false;
	}
	return true;
}

static jsonarena arena;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	cJSON *got = jsonarena_parse(&arena, text, size);
	if (got && strlen(text) == size) {
		const char *end = NULL;
		cJSON *want = cJSON_ParseWithOpts(text, &end, 0);
		if (!want || !same(got, want))
			__builtin_trap();
		cJSON_Delete(want);
	}
	static const char *const keys[] = { "record", "config_id", "name", "latency_ms", "step", NULL };
	got = jsonarena_pick(&arena, text, size, keys);
	if (got && strlen(text) == size) {
		cJSON *want = jsonpick_scan(text, keys);
		if (!want || !same(got, want))
			__builtin_trap();
		cJSON_Delete(want);
	}
	for (size_t i = 0; i + 9 <= size; i += 9) {
		double v;
		memcpy(&v, data + i, sizeof v);
		int prec = data[i + 8] % 19;
		char a[64], b[64];
		snprintf(a, sizeof a, "%.*g", prec, v);
		if (numfmt_g(b, sizeof b, v, prec) != (int)strlen(a) || strcmp(a, b) != 0)
			__builtin_trap();
		double back;
		if (numfmt_g_back(v, prec, &back)) {
			double want = strtod(a, NULL);
			if (memcmp(&back, &want, sizeof back) != 0)
				__builtin_trap();
		}
	}
	free(text);
	return 0;
}
