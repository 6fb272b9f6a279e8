/* Fuzz lib/util/jsonarena and lib/util/numfmt against the code they stand in for: any bytes
 * jsonarena_parse accepts must parse with cJSON to the same tree (types, keys, strings, the very
 * doubles, valueints); what jsonarena_pick accepts, lib/util/jsonpick's scan must accept with the
 * same members; jsonarena_scan_next must walk through exactly the texts jsonarena_pick accepts
 * (but for kept numbers that are not finite), giving its members; lib/serve/op_fields's scan must
 * give the fields op_fields_of_json reads from jsonarena_pick's tree; numfmt_g of any double (the
 * input's bytes read as doubles) must be snprintf's "%.Pg" and numfmt_g_back strtod's reading of
 * it. A difference traps. */
#include "fuzz_common.h"
#include "jsonarena.h"
#include "jsonpick.h"
#include "numfmt.h"
#include "op_fields.h"

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

static bool wanted(const jsonarena_member *m, const char *const *keys)
{
	for (; *keys; keys++)
		if (strlen(*keys) == m->key_len && memcmp(*keys, m->key, m->key_len) == 0)
			return true;
	return false;
}

/* The scan's walk against jsonarena_pick: the same verdict, and the members pick keeps. */
static void check_scan(const char *text, size_t size, const char *const *keys)
{
	jsonarena_scan s;
	jsonarena_scan_start(&s, text, size);
	jsonarena_member m[64];
	size_t n = 0, extra = 0;
	bool finite = true; /* every kept number, in a kept object or array too: pick refuses one that is not */
	int more;
	jsonarena_member one;
	while ((more = jsonarena_scan_next(&s, &one)) == 1) {
		if (!wanted(&one, keys))
			continue;
		double v;
		if ((one.type == cJSON_Number && !jsonarena_member_number(&one, &v)) || one.type == cJSON_Object ||
		    one.type == cJSON_Array)
			finite = false; /* (unknown for a container: the walk does not read its numbers) */
		if (n < sizeof m / sizeof m[0])
			m[n++] = one;
		else
			extra++;
	}
	const cJSON *got = jsonarena_pick(&arena, text, size, keys);
	if (more < 0) {
		if (got)
			__builtin_trap();
		return;
	}
	if (!finite)
		return;
	if (!got)
		__builtin_trap();
	const cJSON *c = got->child;
	for (size_t i = 0; i < n; i++, c = c->next) {
		if (!c || strlen(c->string) != m[i].key_len || memcmp(c->string, m[i].key, m[i].key_len) ||
		    (c->type & 0xFF) != m[i].type)
			__builtin_trap();
		double v;
		if (m[i].type == cJSON_String && !m[i].escaped &&
		    (strlen(c->valuestring) != m[i].val_len || memcmp(c->valuestring, m[i].val, m[i].val_len)))
			__builtin_trap();
		if (m[i].type == cJSON_Number &&
		    (!jsonarena_member_number(&m[i], &v) || memcmp(&v, &c->valuedouble, sizeof v)))
			__builtin_trap();
	}
	if (!extra && c)
		__builtin_trap();
}

static bool same_fields(const op_fields *a, const op_fields *b)
{
	for (int k = 0; k < OPF_STRINGS; k++)
		if (!a->str[k] != !b->str[k] || (a->str[k] && strcmp(a->str[k], b->str[k])))
			return false;
	return a->wrong == b->wrong && a->has_latency == b->has_latency && a->has_scale == b->has_scale &&
	       (!a->has_latency || memcmp(&a->latency_ms, &b->latency_ms, sizeof(double)) == 0) &&
	       memcmp(&a->energy_wms, &b->energy_wms, sizeof(double)) == 0 &&
	       (!a->has_scale || memcmp(&a->scale_factor, &b->scale_factor, sizeof(double)) == 0);
}

/* aggregate's op record scan against the tree it stands in for (filters/aggregate.c's take_record). */
static void check_op_fields(const char *text, size_t size)
{
	static const char *const op_keys[] = { "record", "config_id", "name", "phase", "error", "latency_ms",
					       "energy_wms", "source", "step", "scale_factor", NULL };
	static op_scan_buf buf;
	op_fields f, want;
	enum op_scan_result res = op_fields_scan(&buf, text, size, &f);
	if (res == OP_SCAN_REFUSED)
		return;
	const cJSON *tree = jsonarena_pick(&arena, text, size, op_keys);
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tree, "record"));
	bool config = kind && strcmp(kind, "config") == 0, op = kind && strcmp(kind, "op") == 0;
	if (res == OP_SCAN_CONFIG) { /* the rest of the text is the config parse's to check */
		if (tree && !config)
			__builtin_trap();
		return;
	}
	if (!tree || config || op != (res == OP_SCAN_OP))
		__builtin_trap();
	if (op) {
		op_fields_of_json(tree, &want);
		if (!same_fields(&f, &want))
			__builtin_trap();
	}
}

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
	if (strlen(text) == size) {
		check_scan(text, size, keys);
		check_op_fields(text, size);
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
