#include "query_price.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "explain.h"
#include "opquery.h"
#include "hint.h"
#include "opquery_fallback.h"
#include "optext_slim.h"
#include "query_configs.h"

static void set_number(cJSON *rec, const char *key, double v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(rec, key);
	cJSON_AddNumberToObject(rec, key, v);
}

static void set_string(cJSON *rec, const char *key, const char *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(rec, key);
	cJSON_AddStringToObject(rec, key, v);
}

/* Says once per kind of fallback, on stderr, what an op was refused for and what priced it. */
static void warn_fallback(query_pricer *st, const jsonl_reader *r, const char *name, const char *why, const char *what)
{
	for (size_t i = 0; i < st->nwarned; i++)
		if (strcmp(st->warned[i], what) == 0)
			return;
	char **grown = realloc(st->warned, (st->nwarned + 1) * sizeof *grown);
	if (!grown || !(grown[st->nwarned] = strdup(what)))
		die(EXIT_DATA, "out of memory");
	st->warned = grown;
	st->nwarned++;
	const char *words = st->fallback_words ? st->fallback_words : "";
	warnx_("warning: %s:%ld: op %s: %s; priced with %s%s%s", r->name, r->line, name ? name : "?", why, what,
	       *words ? " " : "", words);
}

/* An op the tables refuse, under the load fidelity: what the engine runs instead
 * (lib/query/opquery_fallback). 0 with *res and what, else the refusal, err extended. */
static int price_fallback(query_pricer *st, const jsonl_reader *r, perfdb *db, const cJSON *rec, const cJSON *cfg,
			  perf_result *res, char *what, size_t whatlen, char *err, size_t errlen)
{
	const char *gemm = query_config_str(cfg, "checkpoint_gemm"), *moe = query_config_str(cfg, "checkpoint_moe");
	opquery_fallback_quants ckpt = { gemm ? quant_find(QUANT_GEMM, gemm) : NULL, moe ? quant_find(QUANT_MOE, moe) : NULL };
	char ferr[2048];
	int rc = opquery_fallback_price(db, rec, &ckpt, res, what, whatlen, ferr, sizeof ferr);
	if (rc == 0) {
		warn_fallback(st, r, jsonl_opt_str(r, rec, "name", NULL), err, what);
		return 0;
	}
	if (rc == PERFDB_REFUSED) {
		size_t used = strlen(err);
		/* cut to fit: the refusal itself comes first */
		if (snprintf(err + used, errlen - used, " (no fallback prices it: %s)", ferr) < 0)
			err[used] = 0;
	} else {
		snprintf(err, errlen, "%s", ferr);
	}
	return rc;
}

/* The line as read with tail spliced in (with slim: without attrs and points), remembered by
 * its text after the config id: the tail, or with slim the slim text after the id and the
 * tail (lib/query/query_run's write_remembered writes it after the line's id). */
static void write_priced(query_pricer *st, const jsonl_reader *r, perfdb *db, size_t body, const char *tail)
{
	const char *idt, *rest;
	size_t id_len;
	bool split = optext_split(r->text, r->text_len, &idt, &id_len, &rest);
	size_t rest_len = split ? (size_t)(r->text + r->text_len - rest) : 0;
	if (!st->slim) {
		optext_write_spliced(r->text, body, tail);
		if (split)
			optext_memo_put(&st->memo, db, rest, rest_len, tail);
		return;
	}
	size_t n = optext_slim(r->text, body, tail, &st->slim_buf, &st->slim_cap);
	size_t head = split ? (size_t)(rest - r->text) : 0;
	if (!n || n < head || memcmp(st->slim_buf, r->text, head) != 0) {
		optext_write_spliced(r->text, body, tail); /* a text the scan does not follow: whole */
		return;
	}
	optext_write_spliced(st->slim_buf, n, tail);
	if (split)
		optext_memo_put(&st->memo, db, rest, rest_len, st->slim_buf + head);
}

priced query_price(query_pricer *st, const jsonl_reader *r, cJSON *rec, perfdb *db, const cJSON *cfg, bool in_arena)
{
	bool fresh = !cJSON_HasObjectItem(rec, "latency_ms") && !cJSON_HasObjectItem(rec, "energy_wms") &&
		     !cJSON_HasObjectItem(rec, "source") && !cJSON_HasObjectItem(rec, "detail");
	if (in_arena && (!fresh || explain_on))
		return PRICED_AGAIN;
	perf_result res;
	char err[2048];
	cJSON_Delete(explain_take()); /* (none unless --explain) */
	int rc = opquery_record(db, rec, &res, err, sizeof err);
	if (in_arena && rc != 0)
		return PRICED_AGAIN;
	if (rc == PERFDB_REFUSED && st->hybrid_words && *st->hybrid_words && hint_of(err, NULL) == HINT_HYBRID_MODE)
		hint_cat(err, sizeof err, "%s", st->hybrid_words);
	char what[512] = "";
	if (rc == PERFDB_REFUSED && st->fallbacks)
		rc = price_fallback(st, r, db, rec, cfg, &res, what, sizeof what, err, sizeof err);
	if (rc == PERFDB_FATAL) /* a bad table: its own FILE:LINE says where */
		die(EXIT_DATA, "%s", err);
	if (rc == PERFDB_REFUSED && st->keep_going) {
		/* The reference drops a configuration whose op raises; the op says why, unpriced. */
		const char *keys[] = { "latency_ms", "energy_wms", "source", "detail" };
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
			cJSON_DeleteItemFromObjectCaseSensitive(rec, keys[i]);
		set_string(rec, "error", err);
		return PRICED_IN_REC;
	}
	if (rc != 0) {
		const char *name = jsonl_opt_str(r, rec, "name", NULL);
		if (name)
			jsonl_fail(r, "op %s: %s", name, err);
		jsonl_fail(r, "%s", err);
	}
	bool no_points = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rec, "points")) == 0;
	char tail[256];
	size_t body = optext_body_len(r->text, r->text_len);
	if (!what[0] && fresh && body && !explain_on && optext_priced_tail(tail, sizeof tail, &res, no_points)) {
		write_priced(st, r, db, body, tail);
		return PRICED_WRITTEN;
	}
	if (in_arena)
		return PRICED_AGAIN;
	set_number(rec, "latency_ms", res.latency);
	set_number(rec, "energy_wms", res.energy);
	if (no_points) {
		/* nothing was looked up (a phase the mode does not run): no source, as the reference */
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "source");
		cJSON_AddNullToObject(rec, "source");
		set_string(rec, "detail", "none");
		return PRICED_IN_REC;
	}
	set_string(rec, "source", what[0] ? what : perf_source_name(res.source));
	set_string(rec, "detail", perf_detail_name(res.detail));
	if (explain_on) {
		/* what the tables gave, look-up by look-up; [] for an op priced by formulas alone */
		cJSON *steps = explain_take();
		cJSON_DeleteItemFromObjectCaseSensitive(rec, "explain");
		cJSON_AddItemToObject(rec, "explain", steps ? steps : cJSON_CreateArray());
	}
	return PRICED_IN_REC;
}

void query_pricer_free(query_pricer *st)
{
	optext_memo_free(&st->memo);
	free(st->slim_buf);
	st->slim_buf = NULL;
	st->slim_cap = 0;
	for (size_t i = 0; i < st->nwarned; i++)
		free(st->warned[i]);
	free(st->warned);
	st->warned = NULL;
	st->nwarned = 0;
}
