/* deploy_price: the records that price the picks, and their reports matched back to the picks. */
#include "deploy_price.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonl.h"

/* The layout columns of each kind of picks file, with the runtime key (opgraph's option
 * name with '_') each one sets. */
typedef struct layout_column {
	const char *column, *key;
} layout_column;

static const layout_column agg_columns[] = {
	{"bs", "batch"}, {"ctx_tokens", "ctx_tokens"}, {"tp", "tp"}, {"pp", "pp"},
	{"dp", "dp"}, {"moe_tp", "moe_tp"}, {"moe_ep", "moe_ep"},
};
static const layout_column disagg_columns[] = {
	{"(p)bs", "prefill_batch"}, {"(d)bs", "decode_batch"},
	{"(p)tp", "prefill_tp"}, {"(p)pp", "prefill_pp"}, {"(p)dp", "prefill_dp"},
	{"(p)moe_tp", "prefill_moe_tp"}, {"(p)moe_ep", "prefill_moe_ep"}, {"(p)workers", "prefill_workers"},
	{"(d)tp", "decode_tp"}, {"(d)pp", "decode_pp"}, {"(d)dp", "decode_dp"},
	{"(d)moe_tp", "decode_moe_tp"}, {"(d)moe_ep", "decode_moe_ep"}, {"(d)workers", "decode_workers"},
};

/* The pick's name in the pricing stream: the folder its files go to, under its mode. */
static void pick_id(const deploy_ctx *c, int rank, char *buf, size_t n)
{
	snprintf(buf, n, "%s/top%d", c->disagg ? "disagg" : "agg", rank);
}

cJSON *deploy_price_record(const deploy_ctx *c, const cJSON *model, const csvtab *t, size_t row, int rank)
{
	const layout_column *cols = c->disagg ? disagg_columns : agg_columns;
	size_t ncols = c->disagg ? sizeof disagg_columns / sizeof *disagg_columns
				 : sizeof agg_columns / sizeof *agg_columns;
	cJSON *runtime = cJSON_CreateObject();
	cJSON_AddStringToObject(runtime, "mode", c->disagg ? "disagg" : "agg");
	for (size_t i = 0; i < ncols; i++) {
		int col = csvtab_col(t, cols[i].column);
		const char *s = col >= 0 ? t->rows[row][col] : "";
		char *end;
		/* pandas writes counts as 4 or 4.0 */
		double v = strtod(s, &end);
		if (end == s || *end || v != floor(v) || !(v >= 0 && v < 1e15)) {
			cJSON_Delete(runtime);
			return NULL;
		}
		cJSON_AddNumberToObject(runtime, cols[i].key, v);
	}
	cJSON *rec = cJSON_Duplicate(model, 1);
	char id[64];
	pick_id(c, rank, id, sizeof id);
	cJSON_AddStringToObject(rec, "config_id", id);
	cJSON_AddItemToObject(rec, "runtime", runtime);
	return rec;
}

/* A config_id that names a pick: agg/topN or disagg/topN. */
static bool names_pick(const cJSON *report)
{
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(report, "config_id"));
	return id && (strncmp(id, "agg/top", 7) == 0 || strncmp(id, "disagg/top", 10) == 0);
}

void deploy_sources_read(deploy_sources *s, const char *path)
{
	jsonl_reader r;
	jsonl_open(&r, path);
	size_t cap = 0;
	*s = (deploy_sources){0};
	cJSON *rec;
	while ((rec = jsonl_next(&r))) {
		if (s->n == cap) {
			cap = cap ? 2 * cap : 8;
			s->v = xrealloc(s->v, cap * sizeof *s->v);
		}
		s->by_id = s->by_id || names_pick(rec);
		s->v[s->n++] = rec;
	}
	jsonl_close(&r);
}

const cJSON *deploy_sources_find(const deploy_sources *s, const deploy_ctx *c, int rank, size_t index)
{
	const cJSON *found = NULL;
	if (s->by_id) {
		char id[64];
		pick_id(c, rank, id, sizeof id);
		for (size_t i = 0; i < s->n && !found; i++) {
			const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->v[i], "config_id"));
			if (rid && strcmp(rid, id) == 0)
				found = s->v[i];
		}
	} else if (index < s->n) {
		found = s->v[index];
	}
	/* a pick the chain could not price: no per_ops_source.json rather than a wrong one */
	if (found && cJSON_GetObjectItemCaseSensitive(found, "error"))
		return NULL;
	return found;
}

void deploy_sources_free(deploy_sources *s)
{
	for (size_t i = 0; i < s->n; i++)
		cJSON_Delete(s->v[i]);
	free(s->v);
	*s = (deploy_sources){0};
}
