/* query: price op records with the perf database (latency_ms, energy_wms, source, detail). */
#include <malloc.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "explain.h"
#include "fidelity.h"
#include "jsonarena.h"
#include "jsonl.h"
#include "opquery.h"
#include "opquery_fallback.h"
#include "optext.h"
#include "perfdb.h"
#include "systems.h"
#include "table_sources.h"

static const char usage_text[] =
	"usage: query [--system S] [--backend B] [--version V] [--database-mode MODE] [--data-dir DIR]\n"
	"             [--keep-going] [--shared-layer] [--row-reuse] [--fidelity load|reference] [--strict]\n"
	"             [--explain] [FILE]\n"
	"\n"
	"Reads op records (opgraph) and writes them back with latency_ms, energy_wms, source and\n"
	"detail, looked up in the perf tables of the system/backend/version as the reference does.\n"
	"Config records get data_version (the version whose tables price it) and database_mode;\n"
	"other records pass through unchanged. An op naming its own `system` (and `version`; a\n"
	"disagg decode side on another system) is priced with that system's tables.\n"
	"  --system S          system (default: each configuration's `system`)\n"
	"  --backend B         backend (default: each configuration's `backend`)\n"
	"  --version V         perf-data version (default: the configuration's, else the newest)\n"
	"  --database-mode M   silicon (default: refuse shapes without table data), hybrid (fall\n"
	"                      back to the empirical formula), empirical, or sol (speed of light)\n"
	"  --data-dir DIR      perf data root (default: $INFERCAST_DATA, else the installed data)\n"
	"  --keep-going        an op the tables cannot price gets `error` (the reason) instead of\n"
	"                      latency_ms and the stream goes on (sweeps drop such configurations)\n"
	"  --shared-layer      in hybrid mode, also read the rows the reference's HYBRID databases\n"
	"                      inherit from other backends/versions (its `default` sweeps do; its\n"
	"                      `estimate` does not); see docs/data.md\n"
	"  --row-reuse         the reference's current row-level reuse: a table is completed from the\n"
	"                      versions its reuse.yaml names, earlier versions and, as the data tree's\n"
	"                      perf_data_reuse_manifest.yaml allows, other backends (docs/data.md;\n"
	"                      also $INFERCAST_ROW_REUSE=1)\n"
	"  --fidelity F        load (default; else $INFERCAST_FIDELITY): an op the tables refuse is\n"
	"                      priced with what the engine runs instead (the checkpoint's quant modes,\n"
	"                      bfloat16 FMHA, the empirical formula for missing points), its source\n"
	"                      saying `fallback: ...` and a warning on stderr; reference: refuse as\n"
	"                      the reference does\n"
	"  --strict            refuse as the reference does, whatever the fidelity\n"
	"  --explain           add `explain` to each op record: per look-up, in order, the table file,\n"
	"                      the method (row, linear_1d, linear_2d, linear_3d, cubic_2d_then_1d,\n"
	"                      bilinear_2d_then_1d), the query point (`at`), the grid points used\n"
	"                      (coordinates, then latency per call) and the latency it gave\n"
	"See query(1) and docs/records.md.\n";

typedef struct opts {
	const char *system, *backend, *version, *data_dir;
	int mode;          /* -1: from the configuration, else silicon */
	bool keep_going;   /* a refused op gets `error` instead of ending the stream */
	bool shared_layer; /* HYBRID databases read sibling rows (lib/perf/table_sources) */
	const char *fidelity; /* --fidelity, NULL: $INFERCAST_FIDELITY or load */
	bool strict;       /* --strict: no fallbacks */
	bool fallbacks;    /* load fidelity and not --strict (lib/query/opquery_fallback) */
} opts;

/* Databases in use, by system/backend/version/mode. */
typedef struct db_entry {
	char key[512];
	perfdb *db;
} db_entry;

typedef struct state {
	opts o;
	db_entry *dbs;
	size_t ndbs;
	/* config_id -> {system, backend, version, database_mode}: open addressing (a sweep has
	 * thousands of configurations; a cJSON object is searched linearly) */
	struct config_slot {
		char *id;
		const cJSON *c; /* one of shapes */
		long left;      /* op records still to come (its op_records), -1 when not said */
	} *configs;
	size_t configs_cap, configs_n;
	/* the distinct {system, backend, ...} objects the configurations point to: a sweep's
	 * thousands share a few, so memory grows by an id and a slot per configuration, not by a
	 * cJSON object */
	cJSON **shapes;
	size_t nshapes;
	/* ops come grouped by configuration: the last one's database saves a search per op */
	char *last_id;
	perfdb *last_db;
	optext_memo memo;  /* priced tails of records seen before (lib/query/optext) */
	jsonarena arena;   /* the op record being priced, when it is parsed there */
	char **warned;     /* the fallbacks already announced on stderr, once each */
	size_t nwarned;
} state;

/* The database of system/backend/version/mode, opened once; NULL with err when it cannot be. */
static perfdb *find_db(state *st, const char *system, const char *backend, const char *version, int mode, char *err,
		       size_t errlen)
{
	char key[512];
	snprintf(key, sizeof key, "%s\n%s\n%s\n%d", system, backend, version ? version : "", mode);
	for (size_t i = 0; i < st->ndbs; i++)
		if (strcmp(st->dbs[i].key, key) == 0)
			return st->dbs[i].db;
	perfdb *db = perfdb_open(st->o.data_dir, system, backend, version, err, errlen);
	if (!db && (mode == PERF_SOL || mode == PERF_EMPIRICAL)) {
		/* estimates need the system spec only */
		char err2[1024];
		db = perfdb_open_spec_only(system, backend, err2, sizeof err2);
	}
	if (!db)
		return NULL;
	perfdb_set_mode(db, (perf_mode)mode);
	perfdb_set_shared_layer(db, st->o.shared_layer && mode == PERF_HYBRID);
	st->dbs = realloc(st->dbs, (st->ndbs + 1) * sizeof *st->dbs);
	if (!st->dbs)
		die(EXIT_DATA, "out of memory");
	snprintf(st->dbs[st->ndbs].key, sizeof st->dbs[st->ndbs].key, "%s", key);
	st->dbs[st->ndbs++].db = db;
	return db;
}

static const char *config_str(const cJSON *cfg, const char *key)
{
	const cJSON *v = cfg ? cJSON_GetObjectItemCaseSensitive(cfg, key) : NULL;
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static size_t id_hash(const char *id)
{
	size_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

/* The slot of id: its entry, or the empty slot where it goes. */
static struct config_slot *config_slot(const state *st, const char *id)
{
	for (size_t i = id_hash(id) & (st->configs_cap - 1);; i = (i + 1) & (st->configs_cap - 1))
		if (!st->configs[i].id || strcmp(st->configs[i].id, id) == 0)
			return &st->configs[i];
}

static const cJSON *config_of(const state *st, const char *id)
{
	return id && st->configs_cap ? config_slot(st, id)->c : NULL;
}

/* c, or an equal shape already kept (then c is deleted). Only the latest few are searched:
 * configurations come grouped, and a stream of many distinct shapes stays linear. */
static const cJSON *config_shape(state *st, cJSON *c)
{
	for (size_t i = st->nshapes, seen = 0; i > 0 && seen < 16; i--, seen++)
		if (cJSON_Compare(st->shapes[i - 1], c, true)) {
			cJSON_Delete(c);
			return st->shapes[i - 1];
		}
	cJSON **grown = realloc(st->shapes, (st->nshapes + 1) * sizeof *grown);
	if (!grown)
		die(EXIT_DATA, "out of memory");
	st->shapes = grown;
	st->shapes[st->nshapes++] = c;
	return c;
}

/* Drop a slot (linear probing: the entries after it in its run move back into the hole), so
 * that a configuration whose op records have all come costs nothing more: memory stays
 * bounded on any stream of configurations that say how many records follow. */
static void config_drop(state *st, struct config_slot *slot)
{
	size_t mask = st->configs_cap - 1, hole = (size_t)(slot - st->configs);
	free(slot->id);
	st->configs[hole] = (struct config_slot){ 0 };
	st->configs_n--;
	for (size_t i = (hole + 1) & mask; st->configs[i].id; i = (i + 1) & mask) {
		size_t home = id_hash(st->configs[i].id) & mask;
		/* movable when its home is not in (hole, i] (cyclically) */
		if ((i > hole && (home <= hole || home > i)) || (i < hole && home <= hole && home > i)) {
			st->configs[hole] = st->configs[i];
			st->configs[i] = (struct config_slot){ 0 };
			hole = i;
		}
	}
}

/* One op record of configuration id (id_len bytes) is done. */
static void config_op_done(state *st, const char *id, size_t id_len)
{
	if (!st->configs_n || id_len >= 256)
		return;
	char key[256];
	memcpy(key, id, id_len);
	key[id_len] = 0;
	struct config_slot *slot = config_slot(st, key);
	if (slot->id && slot->left > 0 && --slot->left == 0)
		config_drop(st, slot);
}

static void config_set(state *st, const char *id, const cJSON *c, long left)
{
	if (2 * (st->configs_n + 1) > st->configs_cap) {
		state grown = { .configs_cap = st->configs_cap ? 2 * st->configs_cap : 256 };
		grown.configs = calloc(grown.configs_cap, sizeof *grown.configs);
		if (!grown.configs)
			die(EXIT_DATA, "out of memory");
		for (size_t i = 0; i < st->configs_cap; i++)
			if (st->configs[i].id)
				*config_slot(&grown, st->configs[i].id) = st->configs[i];
		free(st->configs);
		st->configs = grown.configs;
		st->configs_cap = grown.configs_cap;
	}
	struct config_slot *slot = config_slot(st, id);
	if (slot->id) { /* a configuration given again: the later record counts */
		slot->c = c;
		slot->left = left;
		return;
	}
	slot->id = strdup(id);
	if (!slot->id)
		die(EXIT_DATA, "out of memory");
	slot->c = c;
	slot->left = left;
	st->configs_n++;
}

static void remember_config(state *st, const jsonl_reader *r, const cJSON *rec)
{
	const char *id = jsonl_opt_str(r, rec, "config_id", NULL);
	if (!id)
		return;
	free(st->last_id);
	st->last_id = NULL;
	cJSON *c = cJSON_CreateObject();
	const char *keys[] = { "system", "backend", "version", "database_mode" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const char *v = jsonl_opt_str(r, rec, keys[i], NULL);
		if (v)
			cJSON_AddStringToObject(c, keys[i], v);
	}
	/* the checkpoint's own modes, which the fallbacks turn to */
	const cJSON *quant = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(rec, "model"), "quant");
	const char *gemm = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(quant, "gemm"));
	const char *moe = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(quant, "moe"));
	if (gemm)
		cJSON_AddStringToObject(c, "checkpoint_gemm", gemm);
	if (moe)
		cJSON_AddStringToObject(c, "checkpoint_moe", moe);
	/* op_records: how many op records follow (docs/records.md); after the last one the
	 * configuration is forgotten. Absent (a hand-made stream) or 0: kept. */
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(rec, "op_records");
	long left = cJSON_IsNumber(n) && n->valuedouble >= 1 && n->valuedouble <= 1e9 ? (long)n->valuedouble : -1;
	config_set(st, id, config_shape(st, c), left);
}

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

/* The database configuration id (NULL: none) is priced with, or the one of an op that names its
 * own system (op_system: a disagg decode side on another system, at op_version, NULL: its
 * newest); NULL with err when it cannot be opened or the configuration does not say which. */
static perfdb *config_db(state *st, const char *id, const char *op_system, const char *op_version, char *err,
			 size_t errlen)
{
	const cJSON *cfg = config_of(st, id);
	const char *system = op_system ? op_system : st->o.system ? st->o.system : config_str(cfg, "system");
	const char *backend = st->o.backend ? st->o.backend : config_str(cfg, "backend");
	const char *version = op_system ? op_version : st->o.version ? st->o.version : config_str(cfg, "version");
	int mode = st->o.mode;
	if (mode < 0) {
		const char *m = config_str(cfg, "database_mode");
		mode = m ? perf_mode_parse(m) : PERF_SILICON;
		if (mode < 0) {
			snprintf(err, errlen, "configuration '%s' has an unknown database_mode '%s'", id, m);
			return NULL;
		}
	}
	if (!system || !backend) {
		snprintf(err, errlen, "op record without a system/backend: give --system and --backend or a config record first");
		return NULL;
	}
	return find_db(st, system, backend, version, mode, err, errlen);
}

static void remember_db(state *st, const char *id, perfdb *db)
{
	if (!id)
		return;
	free(st->last_id);
	st->last_id = strdup(id);
	st->last_db = db;
}

/* The database an op of configuration id (NULL: none) is priced with; op_system, when the op
 * names its own (a disagg decode side on another system), with op_version (NULL: its newest). */
static perfdb *op_db(state *st, const jsonl_reader *r, const char *id, const char *op_system, const char *op_version)
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

/* The line as read, its closing brace replaced by tail. */
static void write_spliced(const char *text, size_t body_len, const char *tail)
{
	fwrite(text, 1, body_len, stdout);
	fputs(tail, stdout);
	putchar('\n');
	check_stdout();
}

/* A record whose text after the config id was priced before with the same database: written
 * without parsing or pricing it again. Only for the configuration of the op before, whose
 * database is known without a search (or a failure that must come after parsing). */
static bool write_remembered(state *st, const jsonl_reader *r)
{
	const char *id, *rest;
	size_t id_len;
	if (explain_on || !st->memo.used || !st->last_id || !optext_split(r->text, r->text_len, &id, &id_len, &rest))
		return false;
	if (strlen(st->last_id) != id_len || memcmp(st->last_id, id, id_len) != 0)
		return false;
	const char *tail = optext_memo_find(&st->memo, st->last_db, rest, (size_t)(r->text + r->text_len - rest));
	size_t body = optext_body_len(r->text, r->text_len);
	if (!tail || !body)
		return false;
	write_spliced(r->text, body, tail);
	config_op_done(st, id, id_len);
	return true;
}

/* A configuration's record says which tables price it: data_version (the version resolved,
 * the newest when none was asked for; null without tables) and database_mode, so that every
 * report names them (a speed-of-light number must not pass for a measured one). Returns true
 * when it has written the record (else it passes as read). A configuration whose database cannot be opened passes
 * unchanged: its first op then fails with the line that needs the tables. */
static bool annotate_config(state *st, const jsonl_reader *r, cJSON *rec)
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
		write_spliced(r->text, body, tail);
		return true;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(rec, "data_version");
	if (*version)
		cJSON_AddStringToObject(rec, "data_version", version);
	else
		cJSON_AddNullToObject(rec, "data_version");
	set_string(rec, "database_mode", mode);
	jsonl_write(rec);
	return true;
}

/* Says once per kind of fallback, on stderr, what an op was refused for and what priced it. */
static void warn_fallback(state *st, const jsonl_reader *r, const char *name, const char *why, const char *what)
{
	for (size_t i = 0; i < st->nwarned; i++)
		if (strcmp(st->warned[i], what) == 0)
			return;
	char **grown = realloc(st->warned, (st->nwarned + 1) * sizeof *grown);
	if (!grown || !(grown[st->nwarned] = strdup(what)))
		die(EXIT_DATA, "out of memory");
	st->warned = grown;
	st->nwarned++;
	warnx_("warning: %s:%ld: op %s: %s; priced with %s (--strict or --fidelity reference refuses it)", r->name,
	       r->line, name ? name : "?", why, what);
}

/* An op the tables refuse, under the load fidelity: what the engine runs instead
 * (lib/query/opquery_fallback). 0 with *res and what, else the refusal, err extended. */
static int price_fallback(state *st, const jsonl_reader *r, perfdb *db, const cJSON *rec, const char *id,
			  perf_result *res, char *what, size_t whatlen, char *err, size_t errlen)
{
	const cJSON *cfg = config_of(st, id);
	const char *gemm = config_str(cfg, "checkpoint_gemm"), *moe = config_str(cfg, "checkpoint_moe");
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

typedef enum priced {
	PRICED_WRITTEN, /* the line as read with the fields spliced in */
	PRICED_IN_REC,  /* the fields set in the record, for the caller to write */
	PRICED_AGAIN,   /* (in_arena) a record that needs more than a splice: parse it with cJSON */
} priced;

/* Prices an op record: the line as read with the fields spliced in (when it had none of them),
 * remembered for repeats, else the record changed. A record parsed in the arena (in_arena)
 * cannot be changed: anything but a splice is left to a second pass on cJSON's tree, which
 * prices it again the same way (the look-ups are deterministic, a fallback is announced once). */
static priced price(state *st, const jsonl_reader *r, cJSON *rec, bool in_arena)
{
	const char *id = jsonl_opt_str(r, rec, "config_id", NULL);
	perfdb *db = op_db(st, r, id, jsonl_opt_str(r, rec, "system", NULL), jsonl_opt_str(r, rec, "version", NULL));
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
	char what[512] = "";
	if (rc == PERFDB_REFUSED && st->o.fallbacks)
		rc = price_fallback(st, r, db, rec, id, &res, what, sizeof what, err, sizeof err);
	if (rc == PERFDB_FATAL) /* a bad table: its own FILE:LINE says where */
		die(EXIT_DATA, "%s", err);
	if (rc == PERFDB_REFUSED && st->o.keep_going) {
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
		write_spliced(r->text, body, tail);
		const char *idt, *rest;
		size_t id_len;
		if (optext_split(r->text, r->text_len, &idt, &id_len, &rest))
			optext_memo_put(&st->memo, db, rest, (size_t)(r->text + r->text_len - rest), tail);
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

/* An op record priced from its tree in the arena (lib/util/jsonarena: no allocation per member)
 * and written spliced; false for any other record, or one that needs more (see price). The
 * calls on the tree are the ones main makes on cJSON's, in the same order, so a bad field is
 * reported the same way. */
static bool price_in_arena(state *st, const jsonl_reader *r)
{
	cJSON *rec = explain_on ? NULL : jsonarena_parse(&st->arena, r->text, r->text_len);
	const char *kind = rec ? jsonl_opt_str(r, rec, "record", NULL) : NULL;
	if (kind && strcmp(kind, "config") == 0 && !cJSON_HasObjectItem(rec, "data_version") &&
	    !cJSON_HasObjectItem(rec, "database_mode")) {
		/* annotated by a splice, or passed as read: the tree is only read */
		remember_config(st, r, rec);
		if (!annotate_config(st, r, rec))
			write_spliced(r->text, optext_body_len(r->text, r->text_len), "}");
		return true;
	}
	if (!kind || strcmp(kind, "op") != 0 || price(st, r, rec, true) != PRICED_WRITTEN)
		return false;
	const char *id = jsonl_opt_str(r, rec, "config_id", NULL);
	if (id)
		config_op_done(st, id, strlen(id));
	return true;
}

static void parse_options(int argc, char **argv, opts *o)
{
	static const struct option longopts[] = {
		{ "system", required_argument, NULL, 's' }, { "backend", required_argument, NULL, 'b' },
		{ "version", required_argument, NULL, 'v' }, { "database-mode", required_argument, NULL, 'm' },
		{ "data-dir", required_argument, NULL, 'd' }, { "help", no_argument, NULL, 'h' },
		{ "keep-going", no_argument, NULL, 'k' }, { "shared-layer", no_argument, NULL, 'l' },
		{ "fidelity", required_argument, NULL, 'f' }, { "strict", no_argument, NULL, 'S' },
		{ "row-reuse", no_argument, NULL, 'r' }, { "explain", no_argument, NULL, 'e' }, { NULL, 0, NULL, 0 },
	};
	o->mode = -1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': o->system = optarg; break;
		case 'b': o->backend = optarg; break;
		case 'v': o->version = optarg; break;
		case 'd': o->data_dir = optarg; break;
		case 'k': o->keep_going = true; break;
		case 'l': o->shared_layer = true; break;
		case 'f': o->fidelity = optarg; break;
		case 'S': o->strict = true; break;
		case 'r': table_sources_set_row_reuse(true); break;
		case 'e': explain_set(true); break;
		case 'm':
			o->mode = perf_mode_parse(optarg);
			if (o->mode < 0)
				usage_error("--database-mode must be silicon, hybrid, empirical or sol, not '%s'", optarg);
			break;
		case 'h': usage_print(usage_text); exit(finish_stdout());
		default:
			if (optopt)
				usage_error("option '-%c' is unknown or lacks its value", optopt);
			usage_error("option '%s' is unknown or lacks its value", argv[optind - 1]);
		}
	}
	if (optind < argc - 1)
		usage_error("at most one input file");
	if (o->system && !system_name_ok(o->system))
		usage_error("--system: bad system name '%s': use a name such as h200_sxm", o->system);
	fidelity f;
	char err[256];
	if (fidelity_resolve(o->fidelity, &f, err, sizeof err))
		usage_error("%s", err);
	o->fallbacks = f == FIDELITY_LOAD && !o->strict;
	/* the newest tables were measured on the reference's current specs; its v0.9 numbers (the
	 * reference fidelity, the goldens) keep the v0.9 specs on either tree */
	systems_use_current(f == FIDELITY_LOAD && datadir_family_tree(o->data_dir));
}

/* What main holds, for a caller that runs it again in one process (the fuzz harnesses). */
static void state_free(state *st)
{
	optext_memo_free(&st->memo);
	jsonarena_free(&st->arena);
	free(st->last_id);
	for (size_t i = 0; i < st->ndbs; i++)
		perfdb_close(st->dbs[i].db);
	free(st->dbs);
	for (size_t i = 0; i < st->configs_cap; i++)
		free(st->configs[i].id);
	free(st->configs);
	for (size_t i = 0; i < st->nshapes; i++)
		cJSON_Delete(st->shapes[i]);
	free(st->shapes);
	for (size_t i = 0; i < st->nwarned; i++)
		free(st->warned[i]);
	free(st->warned);
}

/* fuzz/ includes this file and calls main once per input, also after a failure jumped out of
 * it: each call frees what the one before left (still reachable until then) */
#ifdef FUZZ_ROOT
enum { FREE_BEFORE_RUN = 1 };
#else
enum { FREE_BEFORE_RUN = 0 };
#endif

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
#ifdef M_MMAP_THRESHOLD
	/* The memos' slot arrays (up to a few MB, replaced when a generation turns) are mapped
	 * apart and given back when freed: glibc otherwise raises its threshold to the largest
	 * freed mapping and puts the next ones in the heap, whose holes grew the peak RSS by
	 * ~7 MB per 30,000 configurations (a 100,000-configuration stream: 65 MB, now under 50). */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
	/* static: what it holds stays reachable at exit (see the end) */
	static state st;
	if (FREE_BEFORE_RUN)
		state_free(&st);
	st = (state){ 0 };
	parse_options(argc, argv, &st.o);
	jsonl_reader r;
	jsonl_open(&r, optind < argc ? argv[optind] : NULL);
	while (jsonl_next_text(&r)) {
		if (write_remembered(&st, &r) || price_in_arena(&st, &r))
			continue;
		cJSON *rec = jsonl_parse_text(&r);
		const char *kind = jsonl_opt_str(&r, rec, "record", NULL);
		bool written = false;
		if (kind && strcmp(kind, "config") == 0) {
			remember_config(&st, &r, rec);
			written = annotate_config(&st, &r, rec);
		} else if (kind && strcmp(kind, "op") == 0) {
			written = price(&st, &r, rec, false) == PRICED_WRITTEN;
			const char *id = jsonl_opt_str(&r, rec, "config_id", NULL);
			if (id)
				config_op_done(&st, id, strlen(id));
		}
		size_t body = written ? 0 : optext_body_len(r.text, r.text_len);
		if (body && !(kind && strcmp(kind, "op") == 0)) /* passed through: as read, no reprint */
			write_spliced(r.text, body, "}");
		else if (!written)
			jsonl_write(rec);
		cJSON_Delete(rec);
	}
	jsonl_close(&r);
	/* The tables, memos and configurations are not freed: the process ends here and the
	 * kernel takes it all back at once, where freeing every grid node of the dense tables
	 * was 15% of a one-case run's instructions (3.4 M of 22.5 M). All of it stays reachable
	 * from st, so leak checkers do not count it (valgrind: "still reachable"). */
	return finish_stdout();
}
