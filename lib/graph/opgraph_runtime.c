/* opgraph_runtime: the runtime a model record carries (a sweep's layout, lengths and quant modes)
 * laid over opgraph's options, key by key (docs/records.md). */
#include "opgraph_runtime.h"

#include <stdlib.h>
#include <string.h>

/* Runtime keys a model record may override, with where they go in og_runtime. */
static long *runtime_long(og_runtime *rt, const char *key)
{
	struct {
		const char *key;
		long *dst;
	} keys[] = {
		{"tp", &rt->tp}, {"pp", &rt->pp}, {"dp", &rt->dp}, {"moe_tp", &rt->moe_tp}, {"moe_ep", &rt->moe_ep},
		{"batch", &rt->batch}, {"isl", &rt->isl}, {"osl", &rt->osl}, {"prefix", &rt->prefix},
		{"nextn", &rt->nextn}, {"stride", &rt->stride}, {"beam", &rt->beam},
		{"image_height", &rt->image_height}, {"image_width", &rt->image_width}, {"num_images", &rt->num_images},
	};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(keys[i].key, key) == 0)
			return keys[i].dst;
	return NULL;
}

static const char **runtime_string(og_runtime *rt, const char *key)
{
	static const char *const quant_keys[QUANT_KIND_COUNT] = {"gemm_quant", "moe_quant", "fmha_quant",
								  "kvcache_quant", "comm_quant"};
	for (int k = 0; k < QUANT_KIND_COUNT; k++)
		if (strcmp(key, quant_keys[k]) == 0)
			return &rt->quant[k];
	if (strcmp(key, "mode") == 0)
		return &rt->mode;
	/* a sweep's decode workers may run on another system (and its data version) */
	if (strcmp(key, "system") == 0)
		return &rt->system;
	if (strcmp(key, "version") == 0)
		return &rt->version;
	return NULL;
}

/* "0.85,0.3,0,0,0": the MTP acceptance rate of each draft token; missing ones are 0. */
int og_parse_accept_rates(const char *list, double *rates)
{
	double v[OG_MAX_NEXTN] = { 0 };
	int n = 0;
	const char *p = list;
	while (*p) {
		char *end;
		double x = strtod(p, &end);
		if (end == p || n == OG_MAX_NEXTN || !(x >= 0 && x <= 1) || (*end && *end != ','))
			return -1;
		v[n++] = x;
		p = *end ? end + 1 : end;
	}
	if (!n)
		return -1;
	memcpy(rates, v, sizeof v);
	return 0;
}

void og_apply_runtime(const jsonl_reader *r, const cJSON *runtime, og_runtime *rt, og_serving_request *srv)
{
	if (!runtime)
		return;
	if (!cJSON_IsObject(runtime))
		jsonl_fail(r, "'runtime' is not an object");
	const cJSON *item;
	cJSON_ArrayForEach(item, runtime) {
		long *l = runtime_long(rt, item->string);
		if (!l)
			l = og_serving_key(srv, item->string);
		const char **s = runtime_string(rt, item->string);
		if (l) {
			if (!cJSON_IsNumber(item) || !(item->valuedouble > -9e15 && item->valuedouble < 9e15) ||
			    item->valuedouble != (double)(long)item->valuedouble)
				jsonl_fail(r, "runtime.%s is not an integer", item->string);
			*l = (long)item->valuedouble;
		} else if (s) {
			if (!cJSON_IsString(item))
				jsonl_fail(r, "runtime.%s is not a string", item->string);
			*s = item->valuestring;
		} else if (strcmp(item->string, "enable_eplb") == 0) {
			/* a sweep's disagg worker with expert load balancing (an experiment's enable_eplb) */
			if (!cJSON_IsBool(item))
				jsonl_fail(r, "runtime.enable_eplb is not true or false");
			rt->enable_eplb = cJSON_IsTrue(item);
		} else if (strcmp(item->string, "nextn_accept_rates") == 0) {
			double v[OG_MAX_NEXTN] = { 0 };
			int n = 0;
			const cJSON *x;
			cJSON_ArrayForEach(x, item) {
				if (n == OG_MAX_NEXTN || !cJSON_IsNumber(x) || !(x->valuedouble >= 0 && x->valuedouble <= 1))
					jsonl_fail(r, "runtime.nextn_accept_rates is not a list of at most %d rates in [0, 1]",
						   OG_MAX_NEXTN);
				v[n++] = x->valuedouble;
			}
			if (!cJSON_IsArray(item))
				jsonl_fail(r, "runtime.nextn_accept_rates is not a list");
			memcpy(rt->nextn_accept_rates, v, sizeof v);
		} else {
			jsonl_fail(r, "runtime.%s is not a runtime key", item->string);
		}
	}
}
