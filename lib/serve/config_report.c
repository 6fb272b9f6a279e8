/* config_report: a configuration's report from its config and priced op records. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_report.h"
#include "diag.h"
#include "report_format.h"

/* The report of a configuration that could not be priced: its keys (the model by its path),
 * then the reason; no numbers, so that nobody ranks it. */
static cJSON *error_report(const cJSON *config, const char *error)
{
	cJSON *r = summary_report_head(config);
	cJSON_AddStringToObject(r, "error", error);
	return r;
}

void config_report_finish(config_report *st)
{
	if (!st->config)
		return;
	const cJSON *c = st->config;
	/* A stage that stopped halfway (its error is on stderr) must not leave a plausible report. */
	if (st->ops_expected >= 0 && st->ops_seen != st->ops_expected)
		die(EXIT_DATA, "%s:%ld: config '%s': %ld of its %ld op records arrived (did an earlier stage stop?)",
		    st->name, st->config_line, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "config_id")),
		    st->ops_seen, st->ops_expected);
	const char *mode = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "mode"));
	cJSON *report;
	if (st->error) {
		report = error_report(c, st->error);
	} else if (serving_config(c)) {
		char err[512];
		report = serving_report(c, &st->steps, st->with_ops, err, sizeof err);
		if (!report)
			die(EXIT_DATA, "%s:%ld: config '%s': %s", st->name, st->config_line,
			    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "config_id")), err);
	} else {
		static_result res;
		summary_static(&st->ops, mode ? mode : "static",
			       (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "batch")),
			       (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "osl")),
			       (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "tp")),
			       (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "pp")),
			       (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "dp")), &res);
		report = summary_report(c, &st->ops, &res, st->with_ops);
	}
	if (st->op_fallbacks) {
		/* what priced an op in place of the tables is part of the result, not only of --ops */
		if (!st->error) {
			cJSON *fb = cJSON_GetObjectItemCaseSensitive(report, "fallbacks");
			if (!cJSON_IsArray(fb)) {
				cJSON_DeleteItemFromObjectCaseSensitive(report, "fallbacks");
				fb = cJSON_AddArrayToObject(report, "fallbacks");
			}
			const cJSON *f;
			cJSON_ArrayForEach(f, st->op_fallbacks)
				cJSON_AddItemToArray(fb, cJSON_Duplicate(f, 1));
		}
		cJSON_Delete(st->op_fallbacks);
		st->op_fallbacks = NULL;
	}
	if ((st->refuse_oom || st->warn_oom) && !st->error && report_is_oom(report)) {
		char why[512], msg[1024]; /* the report is freed before exiting: the sanitizer build checks leaks */
		report_oom_reason(report, why, sizeof why);
		snprintf(msg, sizeof msg, "%s:%ld: config '%s': %s%s", st->name, st->config_line,
			 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "config_id")),
			 st->refuse_oom ? "OOM: " : "warning: ", why);
		if (st->refuse_oom) {
			cJSON_Delete(report);
			die(EXIT_DATA, "%s", msg);
		}
		warnx_("%s", msg);
	}
	if (st->fmt == CONFIG_REPORT_JSONL) {
		jsonl_write(report);
		cJSON_Delete(report);
	} else if (st->fmt == CONFIG_REPORT_CSV) {
		report_write_csv(report, !st->header_done);
		st->header_done = true;
		cJSON_Delete(report);
	} else {
		if (st->nkept == st->capkept) {
			st->capkept = st->capkept ? 2 * st->capkept : 16;
			st->kept = realloc(st->kept, st->capkept * sizeof *st->kept);
			if (!st->kept)
				die(EXIT_DATA, "out of memory");
		}
		/* the table's per-layer column: each op's scale_factor, kept with the report */
		const cJSON *op;
		cJSON_ArrayForEach(op, cJSON_GetObjectItemCaseSensitive(report, "ops")) {
			char key[160];
			snprintf(key, sizeof key, "%s/%s", cJSON_GetStringValue(cJSON_GetObjectItem(op, "phase")),
				 cJSON_GetStringValue(cJSON_GetObjectItem(op, "name")));
			const cJSON *scale = cJSON_GetObjectItemCaseSensitive(st->scales, key);
			if (cJSON_IsNumber(scale))
				cJSON_AddNumberToObject((cJSON *)op, "layers", scale->valuedouble);
		}
		st->kept[st->nkept++] = report;
	}
	cJSON_Delete(st->scales);
	st->scales = NULL;
	if (!st->config_in_arena)
		cJSON_Delete(st->config);
	st->config = NULL;
	st->config_id = NULL;
	free(st->error);
	st->error = NULL;
	/* their arrays stay for the next configuration's ops */
	st->ops.n = 0;
	serving_ops_clear(&st->steps);
}

cJSON *config_report_parse_config(config_report *st, jsonl_reader *r, bool *in_arena)
{
	/* not the arena of the configuration being summed: that one is finished only after this
	 * record has been checked (config_report_take_config) */
	st->parsed_arena = 1 - st->config_arena;
	cJSON *rec = jsonarena_parse(&st->arenas[st->parsed_arena], r->text, r->text_len);
	*in_arena = rec != NULL;
	return rec ? rec : jsonl_parse_text(r);
}

void config_report_free(config_report *st)
{
	summary_free(&st->ops);
	serving_ops_free(&st->steps);
	jsonarena_free(&st->arenas[0]);
	jsonarena_free(&st->arenas[1]);
}

/* Takes rec over (it becomes st->config). */
void config_report_take_config(config_report *st, const jsonl_reader *r, cJSON *rec, bool in_arena)
{
	jsonl_get_str(r, rec, "config_id");
	static const char *const need[] = {"batch", "osl", "tp", "pp", "dp"};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (jsonl_get_int(r, rec, need[i]) < 1)
			jsonl_fail(r, "config record: '%s' must be positive", need[i]);
	jsonl_get_str(r, rec, "mode");
	jsonl_get_obj(r, rec, "memory_gib");
	/* a configuration built for the other kind of number must not be summed as this one */
	const char *lm = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "serving"), "model"));
	if (st->fid == FIDELITY_REFERENCE && lm && strcmp(lm, "load") == 0)
		jsonl_fail(r, "config record was built for the load model (serving.model load), but aggregate "
			      "runs with the reference fidelity: give opgraph and aggregate the same fidelity");
	config_report_finish(st);
	st->config = rec; /* taken over from the caller (no copy of a large record) */
	st->config_in_arena = in_arena;
	if (in_arena)
		st->config_arena = st->parsed_arena;
	st->config_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "config_id"));
	st->config_line = r->line;
	st->name = r->name;
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(rec, "op_records");
	st->ops_expected = -1;
	st->ops_seen = 0;
	if (n) {
		if (!cJSON_IsNumber(n) || !(n->valuedouble >= 0 && n->valuedouble <= 1e9) ||
		    n->valuedouble != floor(n->valuedouble))
			jsonl_fail(r, "config record: 'op_records' must be an integer from 0 to 1e9");
		st->ops_expected = (long)n->valuedouble;
	}
	const char *error = jsonl_opt_str(r, rec, "error", NULL);
	if (error) { /* opgraph --keep-going could not build it: no ops follow */
		st->error = strdup(error);
		if (!st->error)
			die(EXIT_DATA, "out of memory");
	}
}

/* A string field as jsonl_get_str (required) or jsonl_opt_str reads it: the same messages. */
static const char *op_str(const jsonl_reader *r, const op_fields *f, int k, bool required, const char *def)
{
	if (f->wrong & 1u << k)
		jsonl_fail(r, "field '%s' must be a string", op_field_keys[k]);
	if (!f->str[k] && required)
		jsonl_fail(r, "missing field '%s'", op_field_keys[k]);
	return f->str[k] ? f->str[k] : def;
}

/* The checks come in the order they always came (the first that fails is the one reported). */
void config_report_take_op(config_report *st, const jsonl_reader *r, const op_fields *f)
{
	const char *id = op_str(r, f, OPF_CONFIG_ID, true, NULL);
	const char *name = op_str(r, f, OPF_NAME, true, NULL);
	if (!st->config)
		jsonl_fail(r, "op '%s' of config '%s' comes before any config record", name, id);
	if (strcmp(st->config_id, id))
		jsonl_fail(r, "op '%s' belongs to config '%s' but follows the config record of '%s'", name, id,
			   st->config_id);
	st->ops_seen++;
	const char *phase = op_str(r, f, OPF_PHASE, true, NULL);
	int ph = strcmp(phase, "context") == 0 ? 0 : strcmp(phase, "generation") == 0 ? 1
		 : strcmp(phase, "encoder") == 0 ? 2 : -1;
	if (ph < 0)
		jsonl_fail(r, "op '%s': phase '%s' is not context, generation or encoder", name, phase);
	const char *error = op_str(r, f, OPF_ERROR, false, NULL);
	if (error) { /* unpriced (query --keep-going): the configuration has no numbers */
		if (!st->error) {
			size_t n = strlen(name) + strlen(error) + 8;
			st->error = malloc(n);
			if (!st->error)
				die(EXIT_DATA, "out of memory");
			snprintf(st->error, n, "op %s: %s", name, error);
		}
		return;
	}
	if (!f->has_latency)
		jsonl_fail(r, "op '%s' has no latency_ms (was it priced by query?)", name);
	double lat = f->latency_ms, energy = f->energy_wms;
	if (f->wrong & 1u << OPF_ENERGY)
		jsonl_fail(r, "field 'energy_wms' must be a number");
	if (!isfinite(energy))
		jsonl_fail(r, "field 'energy_wms' is not finite");
	/* Sums of these must stay finite and meaningful. */
	if (!(lat >= 0 && lat < 1e200) || !(energy >= 0 && energy < 1e200))
		jsonl_fail(r, "op '%s': latency_ms or energy_wms is negative or absurdly large", name);
	const char *source = op_str(r, f, OPF_SOURCE, false, "silicon");
	const char *step = op_str(r, f, OPF_STEP, false, NULL);
	if (strncmp(source, "fallback:", 9) == 0) {
		char note[400];
		snprintf(note, sizeof note, "%s: %.300s", name, source);
		if (!st->op_fallbacks && !(st->op_fallbacks = cJSON_CreateArray()))
			die(EXIT_DATA, "out of memory");
		bool seen = false;
		const cJSON *fb;
		cJSON_ArrayForEach(fb, st->op_fallbacks)
			seen = seen || strcmp(fb->valuestring, note) == 0;
		if (!seen)
			cJSON_AddItemToArray(st->op_fallbacks, cJSON_CreateString(note));
	}
	char err[512];
	if (step && serving_ops_add(&st->steps, step, name, ph, lat, energy, source, err, sizeof err))
		jsonl_fail(r, "%s", err);
	if (!step)
		summary_add(&st->ops, name, ph, lat, energy, source);
	if (!step && st->fmt == CONFIG_REPORT_TABLE && st->with_ops && f->has_scale) {
		char key[160];
		snprintf(key, sizeof key, "%s/%s", phase, name);
		if (!st->scales)
			st->scales = cJSON_CreateObject();
		if (!cJSON_GetObjectItemCaseSensitive(st->scales, key))
			cJSON_AddNumberToObject(st->scales, key, f->scale_factor);
	}
}
