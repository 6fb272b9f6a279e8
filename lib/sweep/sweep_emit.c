/* sweep_emit: a model record's configurations of the `default` search space, written for opgraph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_emit.h"
#include "sweep_quant.h"

/* The rows of sweep_emit_options.quant. */
enum { ROLE_ALL, ROLE_PREFILL, ROLE_DECODE };

/* The user's quant mode of kind for a worker of mode (agg, static_ctx, static_gen), or NULL. */
static const char *role_quant(const sweep_emit_options *o, const char *mode, int kind)
{
	int role = !strcmp(mode, "static_ctx") ? ROLE_PREFILL : !strcmp(mode, "static_gen") ? ROLE_DECODE : ROLE_ALL;
	return o->quant[role][kind] ? o->quant[role][kind] : o->quant[ROLE_ALL][kind];
}

/* Writes one configuration: the model record with its id and runtime. */
static void put(const cJSON *model, const char *id, const char *mode, const sweep_layout *l, bool is_moe,
		long batch, long ctx_tokens, const sweep_emit_options *o, long nextn, const char *context_fmha, long *count)
{
	++*count;
	if (o->count_only)
		return;
	cJSON *rec = cJSON_Duplicate(model, 1);
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "config_id");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "runtime");
	cJSON_AddStringToObject(rec, "config_id", id);
	cJSON *rt = cJSON_AddObjectToObject(rec, "runtime");
	cJSON_AddStringToObject(rt, "mode", mode);
	cJSON_AddNumberToObject(rt, "tp", l->tp);
	cJSON_AddNumberToObject(rt, "pp", l->pp);
	cJSON_AddNumberToObject(rt, "dp", l->dp);
	if (is_moe) {
		cJSON_AddNumberToObject(rt, "moe_tp", l->moe_tp);
		cJSON_AddNumberToObject(rt, "moe_ep", l->moe_ep);
	}
	cJSON_AddNumberToObject(rt, "batch", (double)batch);
	cJSON_AddNumberToObject(rt, "isl", (double)o->isl);
	cJSON_AddNumberToObject(rt, "osl", (double)o->osl);
	cJSON_AddNumberToObject(rt, "prefix", (double)o->prefix);
	cJSON_AddNumberToObject(rt, "nextn", (double)nextn);
	if (ctx_tokens > 0)
		cJSON_AddNumberToObject(rt, "ctx_tokens", (double)ctx_tokens);
	static const char *const quant_keys[QUANT_KIND_COUNT] = { "gemm_quant", "moe_quant", "fmha_quant",
								  "kvcache_quant", "comm_quant" };
	for (int k = 0; k < QUANT_KIND_COUNT; k++) {
		const char *q = role_quant(o, mode, k);
		/* the FMHA mode of agg and prefill workers is context_fmha's business below */
		if (q && !(k == QUANT_FMHA && strcmp(mode, "static_gen")))
			cJSON_AddStringToObject(rt, quant_keys[k], q);
	}
	/* agg and prefill workers: the FMHA mode after the task's check (lib/sweep/sweep_quant) */
	if (context_fmha && strcmp(mode, "static_gen"))
		cJSON_AddStringToObject(rt, "fmha_quant", context_fmha);
	if (o->decode_system && !strcmp(mode, "static_gen")) {
		cJSON_AddStringToObject(rt, "system", o->decode_system);
		if (o->decode_version)
			cJSON_AddStringToObject(rt, "version", o->decode_version);
	}
	if ((o->eplb_prefill && !strcmp(mode, "static_ctx")) || (o->eplb_decode && !strcmp(mode, "static_gen")))
		cJSON_AddBoolToObject(rt, "enable_eplb", true);
	if (o->accept_rates) {
		cJSON *a = cJSON_AddArrayToObject(rt, "nextn_accept_rates");
		for (const char *p = o->accept_rates; *p;) {
			char *end;
			cJSON_AddItemToArray(a, cJSON_CreateNumber(strtod(p, &end)));
			p = *end ? end + 1 : end;
		}
	}
	jsonl_write(rec);
	cJSON_Delete(rec);
}

long sweep_emit_model(const jsonl_reader *r, const cJSON *model, const sweep_emit_options *o)
{
	sweep_spec spec = o->spec;
	jsonl_get_str(r, model, "architecture"); /* what hfparse writes: an object without it is no model */
	spec.is_moe = jsonl_opt_bool(r, model, "is_moe", false);
	const char *family = jsonl_opt_str(r, model, "family", NULL);
	long nextn = o->nextn >= 0 ? o->nextn : sweep_default_nextn(family);
	const char *fmha = sweep_context_fmha_fallback(model, o->spec.system, o->spec.backend, o->data_dir, o->version,
						       o->spec.enable_wideep);
	/* A user's FMHA mode is checked as the checkpoint's is: fp8 falls back to bfloat16 where the
	 * context MLA tables have no fp8 rows (per role: every worker, or prefill's own). */
	const char *user_fmha[2] = { o->quant[ROLE_ALL][QUANT_FMHA], o->quant[ROLE_PREFILL][QUANT_FMHA] };
	const char *ctx_fmha[2] = { fmha, fmha };
	for (int i = 0; i < 2; i++) {
		const char *u = i == 1 && !user_fmha[1] ? user_fmha[0] : user_fmha[i];
		if (!u)
			continue;
		ctx_fmha[i] = u;
		if (!strcmp(u, "fp8")) {
			cJSON *as_fp8 = cJSON_Duplicate(model, 1);
			cJSON *q = cJSON_GetObjectItemCaseSensitive(as_fp8, "quant");
			if (cJSON_IsObject(q))
				cJSON_ReplaceItemInObjectCaseSensitive(q, "fmha", cJSON_CreateString("fp8"));
			const char *fb = sweep_context_fmha_fallback(as_fp8, o->spec.system, o->spec.backend, o->data_dir,
								     o->version, o->spec.enable_wideep);
			if (fb)
				ctx_fmha[i] = fb;
			cJSON_Delete(as_fp8);
		}
	}
	sweep_layout lay[SWEEP_MAX_LAYOUTS];
	long batches[SWEEP_MAX_LIST], ctx[SWEEP_MAX_LIST];
	char name[64], id[160];
	long count = 0;

	if (o->agg) {
		size_t nl = sweep_layouts(&spec, SWEEP_AGG, lay, SWEEP_MAX_LAYOUTS);
		size_t nb = sweep_agg_batches(o->max_batch, batches, SWEEP_MAX_LIST);
		size_t nc = sweep_ctx_tokens(o->isl, o->chunked, ctx, SWEEP_MAX_LIST);
		for (size_t i = 0; i < nl; i++) {
			sweep_layout_name(&lay[i], name, sizeof name);
			/* The load model's engine splits prompts into its own chunks (opgraph): the
			 * context-token budgets of run_agg are not a choice there. */
			for (size_t b = 0; o->load_agg && b < nb; b++) {
				snprintf(id, sizeof id, "agg/%s/b%ld", name, batches[b]);
				put(model, id, "agg", &lay[i], spec.is_moe, batches[b], 0, o, nextn, ctx_fmha[0], &count);
			}
			for (size_t b = 0; !o->load_agg && b < nb; b++)
				for (size_t c = 0; c < nc && sweep_agg_point_reached(batches[b], ctx[c], o->isl); c++) {
					snprintf(id, sizeof id, "agg/%s/b%ld/ctx%ld", name, batches[b], ctx[c]);
					put(model, id, "agg", &lay[i], spec.is_moe, batches[b], ctx[c], o, nextn, ctx_fmha[0],
					    &count);
				}
		}
	}
	if (o->disagg && o->spec.total_gpus >= 2) {
		static const struct {
			sweep_role role;
			const char *tag, *mode;
		} sides[2] = {{SWEEP_PREFILL, "prefill", "static_ctx"}, {SWEEP_DECODE, "decode", "static_gen"}};
		for (int s = 0; s < 2; s++) {
			/* decode workers on --decode-system enumerate that system's layouts */
			sweep_spec side = spec;
			if (sides[s].role == SWEEP_DECODE && o->decode_system)
				side.system = o->decode_system;
			size_t nl = sweep_layouts(&side, sides[s].role, lay, SWEEP_MAX_LAYOUTS);
			size_t nb = sides[s].role == SWEEP_PREFILL
					    ? sweep_prefill_batches(o->prefill_max_batch, batches, SWEEP_MAX_LIST)
					    : sweep_decode_batches(o->decode_max_batch, batches, SWEEP_MAX_LIST);
			for (size_t i = 0; i < nl; i++) {
				sweep_layout_name(&lay[i], name, sizeof name);
				for (size_t b = 0; b < nb; b++) {
					snprintf(id, sizeof id, "%s/%s/b%ld", sides[s].tag, name, batches[b]);
					put(model, id, sides[s].mode, &lay[i], spec.is_moe, batches[b], 0, o, nextn,
					    ctx_fmha[1], &count);
				}
			}
		}
	}
	return count;
}
