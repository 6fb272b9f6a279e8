/* Reading a checkpoint config the way the reference's Python does: the truthiness, the
 * `get(key) or default` idiom and the first-failure error collection every part of lib/model/hfmodel
 * shares. */
#include "hfjson.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

void hf_fail(struct hf_ctx *c, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/* ---- JSON helpers with Python semantics ---- */

cJSON *hf_item(const cJSON *obj, const char *key)
{
	return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

bool hf_present(const cJSON *v) { return v && !cJSON_IsNull(v); }

/* Python truthiness of a JSON value (absent counts as None). */
bool hf_truthy(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return false;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != 0;
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return true;
}

bool hf_is_int(const cJSON *v)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble == floor(v->valuedouble);
}

/* A required integer field (the reference indexes it with config[key]). */
double hf_req_int(struct hf_ctx *c, const cJSON *obj, const char *key)
{
	const cJSON *v = hf_item(obj, key);
	if (!v) {
		hf_fail(c, "missing required field '%s%s'", c->scope, key);
		return 0;
	}
	if (!hf_is_int(v)) {
		hf_fail(c, "field '%s%s' must be an integer", c->scope, key);
		return 0;
	}
	return v->valuedouble;
}

double hf_req_num(struct hf_ctx *c, const cJSON *obj, const char *key)
{
	const cJSON *v = hf_item(obj, key);
	if (!v) {
		hf_fail(c, "missing required field '%s%s'", c->scope, key);
		return 0;
	}
	if (!cJSON_IsNumber(v)) {
		hf_fail(c, "field '%s%s' must be a number", c->scope, key);
		return 0;
	}
	return v->valuedouble;
}

/* An optional integer: def when absent or null (null stands for "not set" in these configs). */
double hf_opt_int(struct hf_ctx *c, const cJSON *obj, const char *key, double def)
{
	const cJSON *v = hf_item(obj, key);
	if (!hf_present(v))
		return def;
	if (!hf_is_int(v)) {
		hf_fail(c, "field '%s%s' must be an integer", c->scope, key);
		return def;
	}
	return v->valuedouble;
}

/* An optional list of integers; NULL when absent or null. */
const cJSON *hf_opt_int_list(struct hf_ctx *c, const cJSON *obj, const char *key)
{
	const cJSON *v = hf_item(obj, key);
	if (!hf_present(v))
		return NULL;
	const cJSON *e;
	if (!cJSON_IsArray(v))
		goto bad;
	cJSON_ArrayForEach(e, v)
		if (!hf_is_int(e))
			goto bad;
	return v;
bad:
	hf_fail(c, "field '%s%s' must be an array of integers", c->scope, key);
	return NULL;
}

void hf_add_num(cJSON *obj, const char *key, double v) { cJSON_AddNumberToObject(obj, key, v); }

cJSON *hf_int_array(const int *v, int n)
{
	cJSON *a = cJSON_CreateArray();
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
	return a;
}
