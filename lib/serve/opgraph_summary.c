#include "opgraph_summary.h"
#include "diag.h"
#include "strcut.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void summary_init(summary *s)
{
	memset(s, 0, sizeof *s);
}

void summary_free(summary *s)
{
	free(s->ops);
	memset(s, 0, sizeof *s);
}

/* FNV-1a of a name: summary_add compares it before the name, since each op is added to a list of
 * the configuration's others (a sweep's 18,000 op records made 300,000 name comparisons). */
static unsigned name_hash(const char *name)
{
	unsigned h = 2166136261u;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

void summary_add(summary *s, const char *name, int phase, double latency_ms, double energy_wms, const char *source)
{
	unsigned h = name_hash(name);
	for (size_t i = 0; i < s->n; i++) {
		summary_op *op = &s->ops[i];
		if (op->name_hash == h && op->phase == phase && strcmp(op->name, name) == 0) {
			op->latency_ms += latency_ms;
			op->energy_wms += energy_wms;
			if (strcmp(op->source, source))
				str_cut(op->source, sizeof op->source, "mixed");
			return;
		}
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 32;
		s->ops = xrealloc(s->ops, cap * sizeof *s->ops);
		s->cap = cap;
	}
	summary_op *op = &s->ops[s->n++];
	memset(op, 0, sizeof *op);
	op->name_hash = h;
	str_cut(op->name, sizeof op->name, name);
	op->phase = phase;
	/* The reference's dict starts each entry at 0.0 and adds. */
	op->latency_ms = 0.0 + latency_ms;
	op->energy_wms = 0.0 + energy_wms;
	str_cut(op->source, sizeof op->source, source);
}

void summary_static(const summary *s, const char *mode, long batch, long osl, long tp, long pp, long dp,
		    static_result *out)
{
	memset(out, 0, sizeof *out);
	double enc = 0.0, ctx = 0.0, gen = 0.0, enc_e = 0.0, ctx_e = 0.0, gen_e = 0.0;
	for (size_t i = 0; i < s->n; i++) {
		if (s->ops[i].phase == 2) {
			enc += s->ops[i].latency_ms;
			enc_e += s->ops[i].energy_wms;
		} else if (s->ops[i].phase == 0) {
			ctx += s->ops[i].latency_ms;
			ctx_e += s->ops[i].energy_wms;
		} else {
			gen += s->ops[i].latency_ms;
			gen_e += s->ops[i].energy_wms;
		}
	}
	out->context_latency_ms = ctx;
	out->generation_latency_ms = gen;
	out->encoder_latency_ms = enc;
	out->ttft_ms = enc + ctx; /* a vision encoder runs before the prompt */
	out->tpot_ms = osl <= 1 ? 0.0 : gen / (double)(osl - 1);
	long generated = osl - 1 > 0 ? osl - 1 : 0;
	double request = out->ttft_ms + out->tpot_ms * (double)generated;
	if (request == 0.0)
		request = enc + ctx + gen;
	out->request_latency_ms = request;
	double global_batch = (double)(batch * dp);
	/* A pipeline of pp stages keeps pp batches in flight. */
	out->seq_per_s = request == 0.0 ? 0.0 : global_batch / request * 1000 * (double)pp;
	out->seq_per_s_per_gpu = out->seq_per_s / (double)tp / (double)pp / (double)dp;
	if (strcmp(mode, "static_ctx") == 0)
		out->tokens_per_s = out->seq_per_s * 1;
	else if (strcmp(mode, "static_gen") == 0)
		out->tokens_per_s = out->seq_per_s * (double)(osl - 1);
	else
		out->tokens_per_s = out->seq_per_s * (double)osl;
	out->tokens_per_s_per_gpu = out->tokens_per_s / (double)tp / (double)pp / (double)dp;
	out->tokens_per_s_per_user = out->tpot_ms == 0.0 ? 0.0 : 1000.0 / out->tpot_ms;
	double total = enc + ctx + gen, energy = enc_e + ctx_e + gen_e;
	out->power_w = total > 0 ? energy / total : 0.0;
}

/* The report names the version the tables came from (query's data_version, a string or null), not
 * the one asked for, which is null when the newest was taken: data_version takes the place of
 * the config's version (the first of that exact key), or comes last when there is none. A key
 * like "Version" and no "version" drops it, as cJSON's case-blind cJSON_HasObjectItem and
 * case-sensitive replace together did when the config record was changed in place. */
static const cJSON *data_version(const cJSON *config, const cJSON **version, bool *append)
{
	const cJSON *dv = cJSON_GetObjectItemCaseSensitive(config, "data_version");
	*version = NULL;
	*append = false;
	if (!cJSON_IsString(dv) && !cJSON_IsNull(dv))
		return NULL;
	*version = cJSON_GetObjectItemCaseSensitive(config, "version");
	*append = !cJSON_HasObjectItem(config, "version");
	return dv;
}

cJSON *summary_report_head(const cJSON *config)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "record", "report");
	const cJSON *version;
	bool append;
	const cJSON *dv = data_version(config, &version, &append);
	const cJSON *item;
	cJSON_ArrayForEach(item, config) {
		const char *k = item->string;
		if (item == dv || (k[0] == 'r' && strcmp(k, "record") == 0))
			continue;
		if (item == version) {
			cJSON_AddItemToObject(r, "version", cJSON_Duplicate(dv, 1));
			continue;
		}
		if (k[0] == 'm' && strcmp(k, "model") == 0) {
			/* The whole model record stays upstream; the report names it. */
			const cJSON *p = cJSON_GetObjectItemCaseSensitive(item, "model_path");
			if (cJSON_IsString(p))
				cJSON_AddStringToObject(r, "model", p->valuestring);
			else
				cJSON_AddNullToObject(r, "model");
			continue;
		}
		cJSON_AddItemToObject(r, k, cJSON_Duplicate(item, 1));
	}
	if (append)
		cJSON_AddItemToObject(r, "version", cJSON_Duplicate(dv, 1));
	return r;
}

cJSON *summary_report(const cJSON *config, const summary *s, const static_result *res, bool with_ops)
{
	cJSON *r = summary_report_head(config);
	cJSON_AddNumberToObject(r, "ttft_ms", res->ttft_ms);
	cJSON_AddNumberToObject(r, "tpot_ms", res->tpot_ms);
	cJSON_AddNumberToObject(r, "encoder_latency_ms", res->encoder_latency_ms);
	cJSON_AddNumberToObject(r, "context_latency_ms", res->context_latency_ms);
	cJSON_AddNumberToObject(r, "generation_latency_ms", res->generation_latency_ms);
	cJSON_AddNumberToObject(r, "request_latency_ms", res->request_latency_ms);
	cJSON_AddNumberToObject(r, "seq_per_s", res->seq_per_s);
	cJSON_AddNumberToObject(r, "seq_per_s_per_gpu", res->seq_per_s_per_gpu);
	cJSON_AddNumberToObject(r, "tokens_per_s", res->tokens_per_s);
	cJSON_AddNumberToObject(r, "tokens_per_s_per_gpu", res->tokens_per_s_per_gpu);
	cJSON_AddNumberToObject(r, "tokens_per_s_per_user", res->tokens_per_s_per_user);
	cJSON_AddNumberToObject(r, "power_w", res->power_w);
	if (with_ops) {
		cJSON *ops = cJSON_AddArrayToObject(r, "ops");
		for (size_t i = 0; i < s->n; i++) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "name", s->ops[i].name);
			cJSON_AddStringToObject(o, "phase", s->ops[i].phase == 0 ? "context"
							    : s->ops[i].phase == 1 ? "generation" : "encoder");
			cJSON_AddNumberToObject(o, "latency_ms", s->ops[i].latency_ms);
			cJSON_AddNumberToObject(o, "energy_wms", s->ops[i].energy_wms);
			cJSON_AddStringToObject(o, "source", s->ops[i].source);
			cJSON_AddItemToArray(ops, o);
		}
	}
	return r;
}
