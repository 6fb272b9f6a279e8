#include "explain.h"
#include "perfdb.h"
#include "perf_mode.h"
#include "perfdb_impl.h"
#include "diag.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table_attention.h"
#include "table_cache.h"
#include "table_comm.h"
#include "table_sources.h"
#include "table_gemm.h"

const char *const perfdb_table_names[] = {
	"gemm_perf.txt", "computescale_perf.txt", "scale_matrix_perf.txt", "context_attention_perf.txt",
	"generation_attention_perf.txt", "custom_allreduce_perf.txt", "nccl_perf.txt",
};
const size_t perfdb_table_count = sizeof perfdb_table_names / sizeof perfdb_table_names[0];

/* A database of system's spec with nothing else set; NULL with a message. */
static perfdb *perfdb_new(const char *system, char *err, size_t errlen)
{
	const struct system_spec *sys = system_load(system, err, errlen);
	if (!sys)
		return NULL;
	perfdb *db = xcalloc(1, sizeof *db);
	db->sys = sys;
	return db;
}

perfdb *perfdb_open(const char *data_dir_opt, const char *system, const char *backend, const char *version,
		    char *err, size_t errlen)
{
	perfdb *db = perfdb_new(system, err, errlen);
	if (!db)
		return NULL;
	if (datadir_resolve(data_dir_opt, db->sys, backend, version, &db->path, err, errlen) != 0) {
		free(db);
		return NULL;
	}
	db->mode = PERF_SILICON;
	return db;
}

perfdb *perfdb_open_spec_only(const char *system, const char *backend, char *err, size_t errlen)
{
	perfdb *db = perfdb_new(system, err, errlen);
	if (!db)
		return NULL;
	snprintf(db->path.backend, sizeof db->path.backend, "%s", backend ? backend : "");
	/* paths that cannot exist: every table reads as absent */
	snprintf(db->path.dir, sizeof db->path.dir, "/nonexistent/infercast-no-data");
	snprintf(db->path.nccl_dir, sizeof db->path.nccl_dir, "/nonexistent/infercast-no-data");
	db->mode = PERF_SOL;
	return db;
}

void perfdb_close(perfdb *db)
{
	if (!db)
		return;
	table_set *all[] = { &db->gemm, &db->compute_scale, &db->scale_matrix, &db->ctx, &db->gen,
			     &db->allreduce, &db->nccl, &db->oneccl };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		table_set_free(all[i]);
	for (size_t i = 0; i < db->nextra; i++) {
		table_set_free(&db->extra[i]->t);
		free(db->extra[i]);
	}
	free(db->extra);
	free(db->memo.table);
	free(db->memo_old.table);
	free(db);
}

const struct system_spec *perfdb_system(const perfdb *db) { return db->sys; }
const struct perf_data_path *perfdb_paths(const perfdb *db) { return &db->path; }
perf_mode perfdb_mode(const perfdb *db) { return db->mode; }

void perfdb_set_shared_layer(perfdb *db, bool on) { db->shared = on; }
/* (the reference's row-level reuse, when on, reads every database through the layer) */
bool perfdb_shared_layer(const perfdb *db) { return db->shared || table_sources_row_reuse(); }

void perfdb_set_moe_transfer(perfdb *db, bool on) { db->moe_transfer = on; }
bool perfdb_moe_transfer(const perfdb *db) { return db->moe_transfer; }

void perfdb_set_mode(perfdb *db, perf_mode mode)
{
	db->mode = mode; /* memo keys carry the mode */
}

/* Load one table group (its loaders' calls); 0 or -1 with e. */
static int load_group(perfdb *db, int group, char *e, size_t n)
{
	int st = 0;
	char path[DATADIR_PATH_MAX + 32];
	switch (group) {
	case G_GEMM:
		st = table_gemm_load(&db->gemm, &db->compute_scale, &db->scale_matrix, db->path.dir, db->sys, e, n);
		break;
	case G_CTX:
		st = table_context_attention_load(&db->ctx, db->path.dir, e, n);
		break;
	case G_GEN:
		st = table_generation_attention_load(&db->gen, db->path.dir, db->sys, e, n);
		break;
	case G_AR:
		snprintf(path, sizeof path, "%s/custom_allreduce_perf.txt", db->path.dir);
		st = table_custom_allreduce_load(&db->allreduce, path, e, n);
		break;
	case G_NCCL:
		snprintf(path, sizeof path, "%s/nccl_perf.txt", db->path.nccl_dir);
		st = table_nccl_load(&db->nccl, path, e, n);
		if (st == 0 && db->path.oneccl_dir[0]) {
			snprintf(path, sizeof path, "%s/oneccl_perf.txt", db->path.oneccl_dir);
			st = table_nccl_load(&db->oneccl, path, e, n);
		}
		break;
	}
	return st;
}

/* The same through lib/perf/table_cache (parsed tables kept between processes). */
typedef struct group_call {
	perfdb *db;
	int group;
} group_call;

/* A HYBRID database reads its tables with the sibling sources the reference's shared layer
 * adds (lib/perf/table_sources). */
static void shared_begin(const perfdb *db)
{
	if (perfdb_shared_layer(db))
		table_sources_begin(db->path.system_dir, db->path.backend, db->path.version);
}

static int load_group_call(void *arg, char *e, size_t n)
{
	group_call *c = arg;
	shared_begin(c->db);
	int st = load_group(c->db, c->group, e, n);
	table_sources_end();
	return st;
}

static int load_group_cached(perfdb *db, int group, char *e, size_t n)
{
	static const char *const files[G_COUNT] = { "gemm_perf.txt", "context_attention_perf.txt",
						    "generation_attention_perf.txt", "custom_allreduce_perf.txt",
						    "nccl_perf.txt" };
	table_set *sets[3];
	int nsets = 0;
	switch (group) {
	case G_GEMM: sets[0] = &db->gemm, sets[1] = &db->compute_scale, sets[2] = &db->scale_matrix, nsets = 3; break;
	case G_CTX: sets[0] = &db->ctx, nsets = 1; break;
	case G_GEN: sets[0] = &db->gen, nsets = 1; break;
	case G_AR: sets[0] = &db->allreduce, nsets = 1; break;
	case G_NCCL: sets[0] = &db->nccl, sets[1] = &db->oneccl, nsets = db->path.oneccl_dir[0] ? 2 : 1; break;
	}
	static const char *const gemm_files[] = { "gemm_perf.txt", "computescale_perf.txt", "scale_matrix_perf.txt",
						  NULL };
	const char *one[] = { files[group], NULL };
	char tag[64];
	shared_begin(db);
	table_sources_tag(db->path.dir, group == G_GEMM ? gemm_files : one, tag, sizeof tag);
	table_sources_end();
	char key[3 * DATADIR_PATH_MAX + 128];
	char k1[DATADIR_PATH_MAX], k2[DATADIR_PATH_MAX];
	snprintf(key, sizeof key, "perfdb %d|%s|%s|%s%s", group, table_cache_key_path(db->path.oneccl_dir, k1, sizeof k1),
		 table_cache_key_path(group == G_NCCL ? db->path.nccl_dir : db->path.dir, k2, sizeof k2), files[group], tag);
	group_call call = { db, group };
	const char *deps[] = { db->sys->path, NULL }; /* preparing GEMM and attention reads the spec */
	return table_cache_load(sets, nsets, key, deps, load_group_call, &call, sizeof call, e, n);
}

/* Read a table group on first use. 0, or PERFDB_FATAL with the table's error. */
int pdb_ensure(perfdb *db, int group, char *err, size_t errlen)
{
	if (db->state[group] == 0) {
		explain_suspend();
		db->state[group] = load_group_cached(db, group, db->fatal[group], sizeof db->fatal[group]) == 0 ? 1 : -1;
		explain_resume();
	}
	if (db->state[group] < 0) {
		snprintf(err, errlen, "%s", db->fatal[group]);
		return PERFDB_FATAL;
	}
	return 0;
}

/* ---- other families' tables and look-ups ---- */

typedef struct ext_call {
	perfdb *db;
	table_set *t;
	perfdb_table_loader load;
} ext_call;

static int load_ext_call(void *arg, char *e, size_t n)
{
	ext_call *c = arg;
	shared_begin(c->db);
	int st = c->load(c->t, c->db->path.dir, c->db->sys, e, n);
	table_sources_end();
	return st;
}

table_set *perfdb_table(perfdb *db, const char *file, perfdb_table_loader load, char *err, size_t errlen)
{
	struct extra_table *e = NULL;
	for (size_t i = 0; i < db->nextra && !e; i++)
		if (strcmp(db->extra[i]->file, file) == 0)
			e = db->extra[i];
	if (!e) {
		db->extra = xrealloc(db->extra, (db->nextra + 1) * sizeof *db->extra);
		e = xcalloc(1, sizeof *e);
		db->extra[db->nextra++] = e;
		snprintf(e->file, sizeof e->file, "%s", file);
		ext_call call = { db, &e->t, load };
		const char *files[] = { file, NULL };
		char tag[64];
		shared_begin(db);
		table_sources_tag(db->path.dir, files, tag, sizeof tag);
		table_sources_end();
		char key[DATADIR_PATH_MAX + 160];
		char kdir[DATADIR_PATH_MAX];
		snprintf(key, sizeof key, "perfdb_table|%s/%s%s", table_cache_key_path(db->path.dir, kdir, sizeof kdir), file,
			 tag);
		table_set *sets[1] = { &e->t };
		const char *deps[] = { db->sys->path, NULL };
		explain_suspend();
		e->state = table_cache_load(sets, 1, key, deps, load_ext_call, &call, sizeof call, e->fatal, sizeof e->fatal) == 0 ? 1 : -1;
		explain_resume();
	}
	if (e->state < 0) {
		snprintf(err, errlen, "%s", e->fatal);
		return NULL;
	}
	return &e->t;
}

