#include "query_run.h"
#include "optext_slim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "explain.h"

/* A config record: remembered (the last configuration's database is forgotten). */
static void remember_config(query_run *st, const jsonl_reader *r, const cJSON *rec)
{
	if (!jsonl_opt_str(r, rec, "config_id", NULL))
		return;
	free(st->last_id);
	st->last_id = NULL;
	query_configs_put(&st->configs, r, rec);
}

/* The database configuration id (NULL: none) is priced with, or the one of an op that names its
 * own system (op_system: a disagg decode side on another system, at op_version, NULL: its
 * newest); NULL with err when it cannot be opened or the configuration does not say which. */
static perfdb *config_db(query_run *st, const char *id, const char *op_system, const char *op_version, char *err,
			 size_t errlen)
{
	const cJSON *cfg = query_configs_find(&st->configs, id);
	const char *system = op_system ? op_system : st->o.system ? st->o.system : query_config_str(cfg, "system");
	const char *backend = st->o.backend ? st->o.backend : query_config_str(cfg, "backend");
	const char *version = op_system ? op_version : st->o.version ? st->o.version : query_config_str(cfg, "version");
	int mode = st->o.mode;
	if (mode < 0) {
		const char *m = query_config_str(cfg, "database_mode");
		mode = m ? perf_mode_parse(m) : PERF_SILICON;
		if (mode < 0) {
			snprintf(err, errlen, "configuration '%s' has an unknown database_mode '%s'", id, m);
			return NULL;
		}
	}
	if (!system || !backend) {
		snprintf(err, errlen, "op record without a system/backend: %s",
			 st->o.no_system_words ? st->o.no_system_words : "give them, or a config record first");
		return NULL;
	}
	return query_dbs_open(&st->dbs, system, backend, version, mode, err, errlen);
}

static void remember_db(query_run *st, const char *id, perfdb *db)
{
	if (!id)
		return;
	free(st->last_id);
	st->last_id = strdup(id);
	st->last_db = db;
}

/* The database an op of configuration id (NULL: none) is priced with; op_system, when the op
 * names its own (a disagg decode side on another system), with op_version (NULL: its newest). */
static perfdb *op_db(query_run *st, const jsonl_reader *r, const char *id, const char *op_system, const char *op_version)
{
	if (!op_system && id && st->last_id && strcmp(id, st->last_id) == 0)
		return st->last_db;
	char err[2048];
	perfdb *db = config_db(st, id, op_system, op_version, err, sizeof err);
	if (!db)
		jsonl_fail(r, "%s", err);
	/* the configuration's own database stays the remembered one: the memo of priced records
	 * (write_remembered) is keyed by it */
	if (!op_system)
		remember_db(st, id, db);
	return db;
}


/* A record whose text after the config id was priced before with the same database: written
 * without parsing or pricing it again. Only for the configuration of the op before, whose
 * database is known without a search (or a failure that must come after parsing). */
static bool write_remembered(query_run *st, const jsonl_reader *r)
{
	const char *id, *rest;
	size_t id_len;
	if (explain_on || !st->pricer.memo.used || !st->last_id || !optext_split(r->text, r->text_len, &id, &id_len, &rest))
		return false;
	if (strlen(st->last_id) != id_len || memcmp(st->last_id, id, id_len) != 0)
		return false;
	const char *tail = optext_memo_find(&st->pricer.memo, st->last_db, rest, (size_t)(r->text + r->text_len - rest));
	size_t body = optext_body_len(r->text, r->text_len);
	if (!tail || !body)
		return false;
	if (st->pricer.slim) /* the slim text after the id, tail included (query_price) */
		optext_write_spliced(r->text, (size_t)(rest - r->text), tail);
	else
		optext_write_spliced(r->text, body, tail);
	query_configs_op_done(&st->configs, id, id_len);
	return true;
}

/* A configuration's record says which tables price it: data_version (the version resolved,
 * the newest when none was asked for; null without tables) and database_mode, so that every
 * report names them (a speed-of-light number must not pass for a measured one). Returns true
 * when it has written the record (else it passes as read). A configuration whose database cannot be opened passes
 * unchanged: its first op then fails with the line that needs the tables. */
static bool annotate_config(query_run *st, const jsonl_reader *r, cJSON *rec)
{
	const char *id = jsonl_opt_str(r, rec, "config_id", NULL);
	char err[2048];
	perfdb *db = id && !cJSON_HasObjectItem(rec, "error") ? config_db(st, id, NULL, NULL, err, sizeof err) : NULL;
	if (!db)
		return false;
	remember_db(st, id, db);
	const char *version = perfdb_paths(db)->version;
	static const char *const modes[] = { "silicon", "hybrid", "empirical", "sol" }; /* as --database-mode */
	const char *mode = modes[perfdb_mode(db)];
	size_t body = optext_body_len(r->text, r->text_len);
	if (body && !cJSON_HasObjectItem(rec, "data_version") && !cJSON_HasObjectItem(rec, "database_mode")) {
		/* version names are plain path components (lib/util/fspath): nothing to escape */
		char tail[256];
		if (*version)
			snprintf(tail, sizeof tail, ",\"data_version\":\"%s\",\"database_mode\":\"%s\"}", version, mode);
		else
			snprintf(tail, sizeof tail, ",\"data_version\":null,\"database_mode\":\"%s\"}", mode);
		optext_write_spliced(r->text, body, tail);
		return true;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "data_version");
	if (*version)
		cJSON_AddStringToObject(rec, "data_version", version);
	else
		cJSON_AddNullToObject(rec, "data_version");
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "database_mode");
	cJSON_AddStringToObject(rec, "database_mode", mode);
	jsonl_write(rec);
	return true;
}

/* query_price with the op's database and configuration (in the order the filter always read
 * them, so that a bad field is reported the same way). */
static priced price(query_run *st, const jsonl_reader *r, cJSON *rec, bool in_arena)
{
	const char *id = jsonl_opt_str(r, rec, "config_id", NULL);
	perfdb *db = op_db(st, r, id, jsonl_opt_str(r, rec, "system", NULL), jsonl_opt_str(r, rec, "version", NULL));
	return query_price(&st->pricer, r, rec, db, query_configs_find(&st->configs, id), in_arena);
}

/* An op record priced from its tree in the arena (lib/util/jsonarena: no allocation per member)
 * and written spliced; false for any other record, or one that needs more (see price). The
 * calls on the tree are the ones main makes on cJSON's, in the same order, so a bad field is
 * reported the same way. */
static bool price_in_arena(query_run *st, const jsonl_reader *r)
{
	cJSON *rec = explain_on ? NULL : jsonarena_parse(&st->arena, r->text, r->text_len);
	const char *kind = rec ? jsonl_opt_str(r, rec, "record", NULL) : NULL;
	if (kind && strcmp(kind, "config") == 0 && !cJSON_HasObjectItem(rec, "data_version") &&
	    !cJSON_HasObjectItem(rec, "database_mode")) {
		/* annotated by a splice, or passed as read: the tree is only read */
		remember_config(st, r, rec);
		if (!annotate_config(st, r, rec))
			optext_write_spliced(r->text, optext_body_len(r->text, r->text_len), "}");
		return true;
	}
	if (!kind || strcmp(kind, "op") != 0 || price(st, r, rec, true) != PRICED_WRITTEN)
		return false;
	const char *id = jsonl_opt_str(r, rec, "config_id", NULL);
	if (id)
		query_configs_op_done(&st->configs, id, strlen(id));
	return true;
}

void query_run_line(query_run *st, jsonl_reader *r)
{
	if (write_remembered(st, r) || price_in_arena(st, r))
		return;
	cJSON *rec = jsonl_parse_text(r);
	const char *kind = jsonl_opt_str(r, rec, "record", NULL);
	bool written = false;
	if (kind && strcmp(kind, "config") == 0) {
		remember_config(st, r, rec);
		written = annotate_config(st, r, rec);
	} else if (kind && strcmp(kind, "op") == 0) {
		written = price(st, r, rec, false) == PRICED_WRITTEN;
		const char *id = jsonl_opt_str(r, rec, "config_id", NULL);
		if (id)
			query_configs_op_done(&st->configs, id, strlen(id));
	}
	size_t body = written ? 0 : optext_body_len(r->text, r->text_len);
	if (body && !(kind && strcmp(kind, "op") == 0)) /* passed through: as read, no reprint */
		optext_write_spliced(r->text, body, "}");
	else if (!written) {
		if (st->pricer.slim && kind && strcmp(kind, "op") == 0)
			for (const char *const *d = optext_slim_dropped; *d; d++)
				cJSON_DeleteItemFromObjectCaseSensitive(rec, *d);
		jsonl_write(rec);
	}
	cJSON_Delete(rec);
}

void query_run_free(query_run *st)
{
	query_pricer_free(&st->pricer);
	jsonarena_free(&st->arena);
	free(st->last_id);
	st->last_id = NULL;
	query_dbs_free(&st->dbs);
	query_configs_free(&st->configs);
}
