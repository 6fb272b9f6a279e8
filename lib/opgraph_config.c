#include "opgraph_config.h"

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

static void add_long_or_null(cJSON *o, const char *key, long v)
{
	if (v > 0)
		cJSON_AddNumberToObject(o, key, (double)v);
	else
		cJSON_AddNullToObject(o, key);
}

cJSON *og_config_record(const og_config *cfg, const cJSON *model, const char *id, const mem_usage *mem)
{
	const og_runtime *rt = &cfg->rt;
	static const char *const quant_keys[QUANT_KIND_COUNT] = {"gemm_quant", "moe_quant", "fmha_quant",
								  "kvcache_quant", "comm_quant"};
	cJSON *c = og_config_head(rt, model, id);
	cJSON_AddStringToObject(c, "family", cfg->model.family);
	cJSON_AddNumberToObject(c, "tp", (double)rt->tp);
	cJSON_AddNumberToObject(c, "pp", (double)rt->pp);
	cJSON_AddNumberToObject(c, "dp", (double)rt->dp);
	add_long_or_null(c, "moe_tp", rt->moe_tp);
	add_long_or_null(c, "moe_ep", rt->moe_ep);
	cJSON_AddNumberToObject(c, "batch", (double)rt->batch);
	cJSON_AddNumberToObject(c, "isl", (double)rt->isl);
	cJSON_AddNumberToObject(c, "osl", (double)rt->osl);
	cJSON_AddNumberToObject(c, "prefix", (double)rt->prefix);
	cJSON_AddNumberToObject(c, "nextn", (double)rt->nextn);
	cJSON_AddNumberToObject(c, "stride", (double)rt->stride);
	cJSON_AddNumberToObject(c, "beam", (double)rt->beam);
	for (int k = 0; k < QUANT_KIND_COUNT; k++)
		cJSON_AddStringToObject(c, quant_keys[k], cfg->quant[k]->name);
	cJSON_AddNumberToObject(c, "num_gpus", (double)(rt->tp * rt->pp * rt->dp));
	if (rt->wideep) {
		cJSON_AddBoolToObject(c, "wideep", true);
		cJSON_AddBoolToObject(c, "enable_eplb", rt->enable_eplb);
		add_long_or_null(c, "wideep_num_slots", rt->wideep_num_slots);
	}
	if (rt->nextn > 0)
		cJSON_AddItemToObject(c, "nextn_accept_rates",
				      cJSON_CreateDoubleArray(rt->nextn_accept_rates, OG_MAX_NEXTN));
	cJSON_AddNumberToObject(c, "mtp_scale_factor", cfg->mtp_scale_factor);
	cJSON *mg = cJSON_AddObjectToObject(c, "memory_gib");
	cJSON_AddNumberToObject(mg, "weights", mem->weights);
	cJSON_AddNumberToObject(mg, "kvcache", mem->kvcache);
	cJSON_AddNumberToObject(mg, "activations", mem->activations);
	cJSON_AddNumberToObject(mg, "nccl", mem->nccl);
	cJSON_AddNumberToObject(mg, "others", mem->others);
	cJSON_AddNumberToObject(mg, "total", mem->total);
	cJSON_AddNumberToObject(c, "mem_capacity_gib", mem->capacity);
	cJSON_AddBoolToObject(c, "oom", mem->oom);
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
	cJSON_AddObjectToObject(c, "memory_gib");
	cJSON_AddStringToObject(c, "error", error);
	return c;
}
