#include "opgraph_config.h"

#include <string.h>

/* The reference's CLI (cli/api.py, constants in sdk/task.py) scales every prefill op's latency
 * by 1.1 and every decode op's by 1.08 in disagg: its static runs are taken as optimistic. */
#define DISAGG_PREFILL_LATENCY_CORRECTION 1.1
#define DISAGG_DECODE_LATENCY_CORRECTION 1.08

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

static void add_mem(cJSON *o, const mem_usage *mem)
{
	cJSON *mg = cJSON_AddObjectToObject(o, "memory_gib");
	cJSON_AddNumberToObject(mg, "weights", mem->weights);
	cJSON_AddNumberToObject(mg, "kvcache", mem->kvcache);
	cJSON_AddNumberToObject(mg, "activations", mem->activations);
	cJSON_AddNumberToObject(mg, "nccl", mem->nccl);
	cJSON_AddNumberToObject(mg, "others", mem->others);
	cJSON_AddNumberToObject(mg, "total", mem->total);
	cJSON_AddNumberToObject(o, "mem_capacity_gib", mem->capacity);
	cJSON_AddBoolToObject(o, "oom", mem->oom);
}

static void add_num_or_null(cJSON *o, const char *key, long v)
{
	if (v > 0)
		cJSON_AddNumberToObject(o, key, (double)v);
	else
		cJSON_AddNullToObject(o, key);
}

/* A worker's layout and batch, as a config record and each disagg side carry it. */
static void add_layout(cJSON *o, long tp, long pp, long dp, long moe_tp, long moe_ep, long batch)
{
	cJSON_AddNumberToObject(o, "tp", (double)tp);
	cJSON_AddNumberToObject(o, "pp", (double)pp);
	cJSON_AddNumberToObject(o, "dp", (double)dp);
	add_num_or_null(o, "moe_tp", moe_tp);
	add_num_or_null(o, "moe_ep", moe_ep);
	cJSON_AddNumberToObject(o, "batch", (double)batch);
}

/* What aggregate's load model reads beside the steps' latencies. */
static void add_load_keys(const og_serving *s, cJSON *sv)
{
	cJSON_AddStringToObject(sv, "model", "load");
	cJSON_AddNumberToObject(sv, "chunk_tokens", (double)s->chunk_tokens);
	cJSON_AddNumberToObject(sv, "chunk_prompts", (double)s->chunk_prompts);
	if (s->agg) {
		cJSON_AddNumberToObject(sv, "kv_slots", (double)s->kv_slots);
		cJSON_AddBoolToObject(sv, "kv_admission", s->kv_admission);
	}
	if (s->engine_version)
		cJSON_AddStringToObject(sv, "engine_version", s->engine_version);
	else
		cJSON_AddNullToObject(sv, "engine_version");
}

void og_serving_annotate(const og_serving *s, cJSON *config)
{
	cJSON *sv = cJSON_AddObjectToObject(config, "serving");
	cJSON_AddStringToObject(sv, "mode", s->agg ? "agg" : "disagg");
	if (s->agg && s->load) {
		add_load_keys(s, sv);
		if (s->kv_cache_checked) {
			cJSON_AddNumberToObject(sv, "max_seq_len", (double)s->max_seq_len);
			cJSON_AddBoolToObject(sv, "kv_cache_oom", s->kv_cache_oom);
		}
		return;
	}
	if (s->agg) {
		const agg_plan *p = &s->plan;
		cJSON_AddNumberToObject(sv, "ctx_tokens", (double)p->ctx_tokens);
		cJSON_AddNumberToObject(sv, "balance_score", p->balance_score);
		cJSON_AddNumberToObject(sv, "steps_to_finish_ctx", p->steps_to_finish_ctx);
		cJSON_AddNumberToObject(sv, "num_mix_steps", p->num_mix_steps);
		cJSON_AddNumberToObject(sv, "num_genonly_steps", p->num_genonly_steps);
		cJSON_AddNumberToObject(sv, "num_mix_steps_for_tpot", p->num_mix_steps_for_tpot);
		cJSON_AddNumberToObject(sv, "mix_ctx_tokens", p->mix_ctx_tokens);
		cJSON_AddNumberToObject(sv, "mix_gen_tokens", p->mix_gen_tokens);
		cJSON_AddNumberToObject(sv, "genonly_tokens", p->genonly_tokens);
		if (s->kv_cache_checked) {
			cJSON_AddNumberToObject(sv, "max_num_tokens", (double)s->max_num_tokens);
			cJSON_AddNumberToObject(sv, "max_seq_len", (double)s->max_seq_len);
			cJSON_AddNumberToObject(sv, "free_gpu_memory_fraction", s->free_gpu_memory_fraction);
			cJSON_AddBoolToObject(sv, "kv_cache_oom", s->kv_cache_oom);
		}
		return;
	}
	static const char *const names[2] = {"prefill", "decode"};
	long total = 0;
	for (int i = 0; i < 2; i++) {
		const og_side *d = &s->side[i];
		cJSON *o = cJSON_AddObjectToObject(sv, names[i]);
		add_layout(o, d->tp, d->pp, d->dp, d->moe_tp, d->moe_ep, d->batch);
		cJSON_AddNumberToObject(o, "workers", (double)d->workers);
		cJSON_AddNumberToObject(o, "num_gpus", (double)(d->tp * d->pp * d->dp));
		cJSON_AddNumberToObject(o, "latency_correction_scale",
					i ? DISAGG_DECODE_LATENCY_CORRECTION : DISAGG_PREFILL_LATENCY_CORRECTION);
		/* a side on another system (--decode-system) names it and its data version */
		const og_runtime *srt = &s->steps[i].cfg.rt;
		if (strcmp(srt->system, s->main.rt.system)) {
			cJSON_AddStringToObject(o, "system", srt->system);
			if (srt->version)
				cJSON_AddStringToObject(o, "version", srt->version);
			else
				cJSON_AddNullToObject(o, "version");
		}
		add_mem(o, &s->side_mem[i]);
		total += d->tp * d->pp * d->dp * d->workers;
	}
	cJSON_AddNumberToObject(sv, "num_total_gpus", (double)total);
	if (s->load) {
		add_load_keys(s, sv);
		/* the clients as asked (--concurrency), beside the decode batch derived from them */
		if (s->concurrency > 0) {
			cJSON_AddNumberToObject(sv, "concurrency", (double)s->concurrency);
			cJSON_AddBoolToObject(sv, "prefill_workers_auto", s->prefill_workers_auto);
		}
	}
}

cJSON *og_config_record(const og_config *cfg, const cJSON *model, const char *id, const mem_usage *mem)
{
	const og_runtime *rt = &cfg->rt;
	static const char *const quant_keys[QUANT_KIND_COUNT] = {"gemm_quant", "moe_quant", "fmha_quant",
								  "kvcache_quant", "comm_quant"};
	cJSON *c = og_config_head(rt, model, id);
	cJSON_AddStringToObject(c, "family", cfg->model.family);
	add_layout(c, rt->tp, rt->pp, rt->dp, rt->moe_tp, rt->moe_ep, rt->batch);
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
		add_num_or_null(c, "wideep_num_slots", rt->wideep_num_slots);
	} else if (rt->deepep) {
		cJSON_AddStringToObject(c, "moe_backend", "deepep_moe");
		cJSON_AddBoolToObject(c, "enable_eplb", rt->enable_eplb);
	}
	if (rt->nextn > 0)
		cJSON_AddItemToObject(c, "nextn_accept_rates",
				      cJSON_CreateDoubleArray(rt->nextn_accept_rates, OG_MAX_NEXTN));
	cJSON_AddNumberToObject(c, "mtp_scale_factor", cfg->mtp_scale_factor);
	add_mem(c, mem);
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
