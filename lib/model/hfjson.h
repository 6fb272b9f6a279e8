/* hfjson: reading checkpoint config fields with the reference's Python semantics (truthiness,
 * `get(key) or default`, required integer fields), collecting the first failure as a message so
 * that lib/model/hfmodel's parts carry on harmlessly and report it once. */
#ifndef INFERCAST_HFJSON_H
#define INFERCAST_HFJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* ---- error collection: the first failure wins, the build continues harmlessly ---- */

struct hf_ctx {
	char *err;
	size_t errlen;
	bool failed;
	const char *scope;   /* "text_config." when fields come from a nested config */
};

__attribute__((format(printf, 2, 3)))
void hf_fail(struct hf_ctx *c, const char *fmt, ...);

/* obj[key] when obj is an object, else NULL. */
cJSON *hf_item(const cJSON *obj, const char *key);
/* Neither absent nor null. */
bool hf_present(const cJSON *v);
/* Python truthiness of a JSON value (absent counts as None). */
bool hf_truthy(const cJSON *v);
bool hf_is_int(const cJSON *v);
/* Required fields (the reference indexes them with config[key]); 0 after a failure. */
double hf_req_int(struct hf_ctx *c, const cJSON *obj, const char *key);
double hf_req_num(struct hf_ctx *c, const cJSON *obj, const char *key);
/* An optional integer: def when absent or null (null stands for "not set" in these configs). */
double hf_opt_int(struct hf_ctx *c, const cJSON *obj, const char *key, double def);
/* An optional list of integers; NULL when absent or null. */
const cJSON *hf_opt_int_list(struct hf_ctx *c, const cJSON *obj, const char *key);

void hf_add_num(cJSON *obj, const char *key, double v);
cJSON *hf_int_array(const int *v, int n);

#endif
