#include "opgraph_refused.h"

#include <string.h>

static void add_long(cJSON *o, const char *key, long v)
{
	cJSON_AddNumberToObject(o, key, (double)v);
}

cJSON *og_config_head(const og_runtime *rt, const cJSON *model_rec, const char *config_id)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "record", "config");
	cJSON_AddStringToObject(c, "config_id", config_id);
	cJSON *m = cJSON_Duplicate(model_rec, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(m, "runtime");
	cJSON_DeleteItemFromObjectCaseSensitive(m, "config_id");
	cJSON_AddItemToObject(c, "model", m);
	cJSON_AddStringToObject(c, "system", rt->system ? rt->system : "");
	cJSON_AddStringToObject(c, "backend", rt->backend ? rt->backend : "");
	cJSON_AddItemToObject(c, "version", rt->version ? cJSON_CreateString(rt->version) : cJSON_CreateNull());
	cJSON_AddStringToObject(c, "mode", rt->mode);
	return c;
}

cJSON *og_refused_config(const og_runtime *rt, const og_serving_request *srv, const cJSON *model_rec,
			 const char *config_id, const char *error)
{
	cJSON *c = og_config_head(rt, model_rec, config_id);
	add_long(c, "tp", rt->tp);
	add_long(c, "pp", rt->pp);
	add_long(c, "dp", rt->dp);
	/* 0: not given (a dense model, or left to opgraph's inference) */
	cJSON_AddItemToObject(c, "moe_tp", rt->moe_tp ? cJSON_CreateNumber((double)rt->moe_tp) : cJSON_CreateNull());
	cJSON_AddItemToObject(c, "moe_ep", rt->moe_ep ? cJSON_CreateNumber((double)rt->moe_ep) : cJSON_CreateNull());
	add_long(c, "batch", rt->batch);
	add_long(c, "isl", rt->isl);
	add_long(c, "osl", rt->osl);
	add_long(c, "prefix", rt->prefix);
	if (strcmp(rt->mode, "agg") == 0) {
		cJSON *sv = cJSON_AddObjectToObject(c, "serving");
		cJSON_AddStringToObject(sv, "mode", "agg");
		add_long(sv, "ctx_tokens", srv->ctx_tokens ? srv->ctx_tokens : rt->isl);
	}
	/* pareto reads it from whichever report comes first, refused or not */
	if (rt->wideep)
		cJSON_AddBoolToObject(c, "wideep", true);
	cJSON_AddObjectToObject(c, "memory_gib");
	cJSON_AddStringToObject(c, "error", error);
	return c;
}
