#include "explain.h"
#include "perfdb.h"
#include "perf_mode.h"
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

/* Table groups loaded together (the reference's load_data of one op class). */
enum { G_GEMM, G_CTX, G_GEN, G_AR, G_NCCL, G_COUNT };

/* Memo of answers by arguments: sweeps ask the same shapes again and again. */
enum { FN_GEMM = 1, FN_CS, FN_SM, FN_CTX, FN_GEN, FN_AR, FN_NCCL, FN_EXT };
typedef struct memo_key {
	int fn;
	int mode;
	long long a[8];
	const void *p[2];
	char op[24];
} memo_key;
typedef struct memo_slot {
	bool used;
	uint64_t hash;     /* of key: probes compare it first, growing reuses it */
	memo_key key;
	perf_result r;
} memo_slot;

struct perfdb {
	const struct system_spec *sys;
	struct perf_data_path path;
	perf_mode mode;
	bool shared;             /* read tables with the HYBRID shared layer */
	int state[G_COUNT];      /* 0 not read yet, 1 read, -1 bad table (fatal[] says why) */
	char fatal[G_COUNT][600];
	table_set gemm, compute_scale, scale_matrix, ctx, gen, allreduce, nccl, oneccl;
	bool oneccl_used;
	/* two generations, so that memory stays bounded on any stream: when the young one
	 * holds MEMO_GEN_MAX answers it becomes the old one (the old one is dropped); an
	 * answer found in the old one is copied to the young one */
	memo_slot *memo, *memo_old;
	size_t memo_cap, memo_n, memo_old_cap;
	struct extra_table {
		char file[64];
		int state; /* 1 read, -1 bad table (fatal says why) */
		char fatal[600];
		table_set t;
	} **extra;     /* other families' tables (perfdb_table), each where it stays: the table
			* cache may read a damaged part again into it long after */
	size_t nextra;
};

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
	free(db->memo);
	free(db->memo_old);
	free(db);
}

const struct system_spec *perfdb_system(const perfdb *db) { return db->sys; }
const struct perf_data_path *perfdb_paths(const perfdb *db) { return &db->path; }
perf_mode perfdb_mode(const perfdb *db) { return db->mode; }

void perfdb_set_shared_layer(perfdb *db, bool on) { db->shared = on; }
/* (the reference's row-level reuse, when on, reads every database through the layer) */
bool perfdb_shared_layer(const perfdb *db) { return db->shared || table_sources_row_reuse(); }

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
	snprintf(key, sizeof key, "perfdb %d|%s|%s|%s%s", group, db->path.oneccl_dir,
		 group == G_NCCL ? db->path.nccl_dir : db->path.dir, files[group], tag);
	group_call call = { db, group };
	const char *deps[] = { db->sys->path, NULL }; /* preparing GEMM and attention reads the spec */
	return table_cache_load(sets, nsets, key, deps, load_group_call, &call, sizeof call, e, n);
}

/* Read a table group on first use. 0, or PERFDB_FATAL with the table's error. */
static int ensure(perfdb *db, int group, char *err, size_t errlen)
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

/* ---- memo ---- */

/* Keys are zero-filled structs without padding: hashed a word at a time (a multiply-xorshift
 * mix per word; byte-wise FNV over the 112 bytes cost more than the probe). */
static uint64_t hash_key(const memo_key *k)
{
	_Static_assert(sizeof(memo_key) % sizeof(uint64_t) == 0, "memo_key is hashed by words");
	uint64_t h = 0x9E3779B97F4A7C15ull;
	const unsigned char *p = (const unsigned char *)k;
	for (size_t i = 0; i < sizeof *k; i += sizeof(uint64_t)) {
		uint64_t w;
		memcpy(&w, p + i, sizeof w);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
	}
	return h ^ (h >> 29);
}

/* Answers one generation keeps (~1.3 MB of slots at half load): a Qwen3-32B stream of
 * 10,000 configurations asks ~12,000 distinct look-ups, most of them soon again or not at
 * all (query's text memo answers the repeats first), so 8,192 cost no CPU there and keep
 * query under 50 MB at 100,000 configurations (16,384: 53 MB). */
enum { MEMO_GEN_MAX = 8192 };

static memo_slot *memo_find_in(memo_slot *slots, size_t cap, const memo_key *k, uint64_t h)
{
	if (!cap)
		return NULL;
	size_t mask = cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		memo_slot *s = &slots[i];
		if (!s->used)
			return NULL;
		if (s->hash == h && memcmp(&s->key, k, sizeof *k) == 0)
			return s;
	}
}

static void memo_put_hashed(perfdb *db, const memo_key *k, uint64_t h, const perf_result *r);

static memo_slot *memo_find(perfdb *db, const memo_key *k)
{
	if (explain_on) /* a remembered answer reads no table: query --explain shows every read */
		return NULL;
	uint64_t h = hash_key(k);
	memo_slot *s = memo_find_in(db->memo, db->memo_cap, k, h);
	if (s || !(s = memo_find_in(db->memo_old, db->memo_old_cap, k, h)))
		return s;
	/* still asked for: into the young generation (copied first: the put may drop the old) */
	perf_result r = s->r;
	memo_put_hashed(db, k, h, &r);
	return memo_find_in(db->memo, db->memo_cap, k, h);
}

static void memo_insert(perfdb *db, const memo_key *k, uint64_t h, const perf_result *r)
{
	size_t mask = db->memo_cap - 1;
	size_t i = h & mask;
	while (db->memo[i].used)
		i = (i + 1) & mask;
	db->memo[i].used = true;
	db->memo[i].hash = h;
	db->memo[i].key = *k;
	db->memo[i].r = *r;
	db->memo_n++;
}

static void memo_put_hashed(perfdb *db, const memo_key *k, uint64_t h, const perf_result *r)
{
	if (db->memo_n >= MEMO_GEN_MAX) {
		free(db->memo_old);
		db->memo_old = db->memo;
		db->memo_old_cap = db->memo_cap;
		db->memo = NULL;
		db->memo_cap = db->memo_n = 0;
	}
	if ((db->memo_n + 1) * 2 > db->memo_cap) {
		size_t ncap = db->memo_cap ? 2 * db->memo_cap : 1024;
		memo_slot *old = db->memo;
		size_t ocap = db->memo_cap;
		db->memo = calloc(ncap, sizeof *db->memo);
		if (!db->memo) {
			db->memo = old;
			return; /* no memory: just do not memoize */
		}
		db->memo_cap = ncap;
		db->memo_n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].used)
				memo_insert(db, &old[i].key, old[i].hash, &old[i].r);
		free(old);
	}
	memo_insert(db, k, h, r);
}

static void memo_put(perfdb *db, const memo_key *k, const perf_result *r)
{
	memo_put_hashed(db, k, hash_key(k), r);
}

static memo_key make_key(const perfdb *db, int fn)
{
	memo_key k;
	memset(&k, 0, sizeof k);
	k.fn = fn;
	k.mode = (int)db->mode;
	return k;
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
		snprintf(key, sizeof key, "perfdb_table|%s/%s%s", db->path.dir, file, tag);
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

static memo_key ext_key(const perfdb *db, const char *fn, const long long *a, int na, const void *p0, const void *p1)
{
	memo_key k = make_key(db, FN_EXT);
	for (int i = 0; i < na && i < 8; i++)
		k.a[i] = a[i];
	k.p[0] = p0;
	k.p[1] = p1;
	snprintf(k.op, sizeof k.op, "%s", fn);
	return k;
}

bool perfdb_memo_get(perfdb *db, const char *fn, const long long *a, int na, const void *p0, const void *p1,
		     perf_result *out)
{
	memo_key k = ext_key(db, fn, a, na, p0, p1);
	memo_slot *hit = memo_find(db, &k);
	if (hit)
		*out = hit->r;
	return hit != NULL;
}

void perfdb_memo_put(perfdb *db, const char *fn, const long long *a, int na, const void *p0, const void *p1,
		     const perf_result *r)
{
	memo_key k = ext_key(db, fn, a, na, p0, p1);
	memo_put(db, &k, r);
}

/* ---- the reference's mode dispatch ---- */

int perfdb_gemm(perfdb *db, long long m, long long n, long long k, const quant_mode *q, perf_result *out,
		char *err, size_t errlen)
{
	memo_key key = make_key(db, FN_GEMM);
	key.a[0] = m, key.a[1] = n, key.a[2] = k, key.p[0] = q;
	memo_slot *hit = memo_find(db, &key);
	if (hit) {
		*out = hit->r;
		return 0;
	}
	double sol = gemm_sol_ms(db->sys, (double)m, (double)n, (double)k, q);
	if (!perf_mode_formula(db->mode, sol, 0.8, out)) {
		int st = ensure(db, G_GEMM, err, errlen);
		if (st)
			return st;
		st = table_gemm_query(&db->gemm, m, n, k, q, out, err, errlen);
		char what[160] = "";
		if (st) /* named only for a refusal: formatting costs on every miss */
			snprintf(what, sizeof what, "GEMM m=%lld n=%lld k=%lld quant %s", m, n, k, q->name);
		if ((st = perf_mode_settle(db->mode, st, sol / 0.8, out, what, err, errlen)))
			return st;
	}
	memo_put(db, &key, out);
	return 0;
}

static int scale_op(perfdb *db, int fn, long long m, long long k, const quant_mode *q, perf_result *out, char *err,
		    size_t errlen)
{
	memo_key key = make_key(db, fn);
	key.a[0] = m, key.a[1] = k, key.p[0] = q;
	memo_slot *hit = memo_find(db, &key);
	if (hit) {
		*out = hit->r;
		return 0;
	}
	bool cs = fn == FN_CS;
	double sol = cs ? compute_scale_sol_ms(db->sys, (double)m, (double)k)
			: scale_matrix_sol_ms(db->sys, (double)m, (double)k);
	if (!perf_mode_formula(db->mode, sol, 0.8, out)) {
		int st = ensure(db, G_GEMM, err, errlen);
		if (st)
			return st;
		const char *what = cs ? "compute scale" : "scale matrix";
		st = table_scale_query(cs ? &db->compute_scale : &db->scale_matrix, what, m, k, q, out, err, errlen);
		char lookup[160];
		snprintf(lookup, sizeof lookup, "%s m=%lld k=%lld quant %s", what, m, k, q->name);
		if ((st = perf_mode_settle(db->mode, st, sol / 0.8, out, lookup, err, errlen)))
			return st;
	}
	memo_put(db, &key, out);
	return 0;
}

int perfdb_compute_scale(perfdb *db, long long m, long long k, const quant_mode *q, perf_result *out, char *err,
			 size_t errlen)
{
	return scale_op(db, FN_CS, m, k, q, out, err, errlen);
}

int perfdb_scale_matrix(perfdb *db, long long m, long long k, const quant_mode *q, perf_result *out, char *err,
			size_t errlen)
{
	return scale_op(db, FN_SM, m, k, q, out, err, errlen);
}

int perfdb_context_attention(perfdb *db, long long b, long long s, long long prefix, long long n, long long n_kv,
			     const quant_mode *kv, const quant_mode *fmha, long long window_size,
			     long long head_size, perf_result *out, char *err, size_t errlen)
{
	if (n_kv > n) {
		snprintf(err, errlen, "context attention: n_kv %lld must not exceed n %lld", n_kv, n);
		return PERFDB_REFUSED;
	}
	memo_key key = make_key(db, FN_CTX);
	key.a[0] = b, key.a[1] = s, key.a[2] = prefix, key.a[3] = n, key.a[4] = n_kv, key.a[5] = window_size;
	key.a[6] = head_size, key.p[0] = kv, key.p[1] = fmha;
	memo_slot *hit = memo_find(db, &key);
	if (hit) {
		*out = hit->r;
		return 0;
	}
	double sol = context_attention_sol_ms(db->sys, (double)b, (double)s, (double)prefix, (double)n, (double)n_kv,
					      (double)head_size, (double)window_size, kv, fmha);
	if (!perf_mode_formula(db->mode, sol, 0.6, out)) {
		int st = ensure(db, G_CTX, err, errlen);
		if (st)
			return st;
		st = table_context_attention_query(&db->ctx, b, s, prefix, n, n_kv, kv, fmha, window_size, head_size, out,
						   err, errlen);
		char what[200] = "";
		if (st) /* named only for a refusal: formatting costs on every miss */
			snprintf(what, sizeof what,
				 "context attention b=%lld s=%lld prefix=%lld n=%lld n_kv=%lld head_size=%lld window_size=%lld kv %s fmha %s",
				 b, s, prefix, n, n_kv, head_size, window_size, kv->name, fmha->name);
		if ((st = perf_mode_settle(db->mode, st, sol / 0.6, out, what, err, errlen)))
			return st;
	}
	memo_put(db, &key, out);
	return 0;
}

int perfdb_generation_attention(perfdb *db, long long b, long long s, long long n, long long n_kv,
				const quant_mode *kv, long long window_size, long long head_size, perf_result *out,
				char *err, size_t errlen)
{
	if (n_kv > n) {
		snprintf(err, errlen, "generation attention: n_kv %lld must not exceed n %lld", n_kv, n);
		return PERFDB_REFUSED;
	}
	memo_key key = make_key(db, FN_GEN);
	key.a[0] = b, key.a[1] = s, key.a[2] = n, key.a[3] = n_kv, key.a[4] = window_size, key.a[5] = head_size;
	key.p[0] = kv;
	memo_slot *hit = memo_find(db, &key);
	if (hit) {
		*out = hit->r;
		return 0;
	}
	double sol = generation_attention_sol_ms(db->sys, (double)b, (double)s, (double)n, (double)n_kv,
						 (double)head_size, (double)window_size, kv);
	if (!perf_mode_formula(db->mode, sol, 0.8, out)) {
		int st = ensure(db, G_GEN, err, errlen);
		if (st)
			return st;
		st = table_generation_attention_query(&db->gen, b, s, n, n_kv, kv, window_size, head_size, out, err, errlen);
		char what[200] = "";
		if (st) /* named only for a refusal: formatting costs on every miss */
			snprintf(what, sizeof what,
				 "generation attention b=%lld s=%lld n=%lld n_kv=%lld head_size=%lld window_size=%lld kv %s", b, s, n,
				 n_kv, head_size, window_size, kv->name);
		if ((st = perf_mode_settle(db->mode, st, sol / 0.8, out, what, err, errlen)))
			return st;
	}
	memo_put(db, &key, out);
	return 0;
}

int perfdb_nccl(perfdb *db, const quant_mode *comm, long long num_gpus, const char *operation,
		long long message_size, perf_result *out, char *err, size_t errlen)
{
	memo_key key = make_key(db, FN_NCCL);
	key.a[0] = num_gpus, key.a[1] = message_size, key.p[0] = comm;
	snprintf(key.op, sizeof key.op, "%s", operation);
	bool memoizable = strlen(operation) < sizeof key.op;
	memo_slot *hit = memoizable ? memo_find(db, &key) : NULL;
	if (hit) {
		*out = hit->r;
		return 0;
	}
	double sol = nccl_sol_ms(db->sys, comm, (double)num_gpus, operation, (double)message_size);
	if (!perf_mode_formula(db->mode, sol, 0.8, out)) {
		int st = ensure(db, G_NCCL, err, errlen);
		if (st)
			return st;
		if (num_gpus == 1) {
			*out = perf_formula(0.0, PERF_SRC_EMPIRICAL);
		} else {
			/* systems without NCCL tables (XPU) read oneCCL's */
			const table_set *t = &db->nccl;
			if (!t->loaded && db->oneccl.loaded)
				t = &db->oneccl;
			st = table_nccl_query(t, db->sys, comm, num_gpus, operation, message_size, out, err, errlen);
			char what[160] = "";
			if (st) /* named only for a refusal: formatting costs on every miss */
				snprintf(what, sizeof what, "NCCL %s dtype %s num_gpus=%lld message_size=%lld", operation, comm->name,
					 num_gpus, message_size);
			if ((st = perf_mode_settle(db->mode, st, sol / 0.8, out, what, err, errlen)))
				return st;
		}
	}
	if (memoizable)
		memo_put(db, &key, out);
	return 0;
}

int perfdb_custom_allreduce(perfdb *db, const quant_mode *comm, long long tp_size, long long size,
			    perf_result *out, char *err, size_t errlen)
{
	memo_key key = make_key(db, FN_AR);
	key.a[0] = tp_size, key.a[1] = size, key.p[0] = comm;
	memo_slot *hit = memo_find(db, &key);
	if (hit) {
		*out = hit->r;
		return 0;
	}
	double sol = custom_allreduce_sol_ms(db->sys, (double)tp_size, (double)size);
	if (!perf_mode_formula(db->mode, sol, 0.8, out)) {
		int st = ensure(db, G_AR, err, errlen);
		if (st)
			return st;
		if (tp_size == 1) {
			*out = perf_formula(0.0, PERF_SRC_EMPIRICAL);
		} else if (db->sys->num_gpus_per_node == 72 && tp_size > 4) {
			/* NVL72 racks have custom all-reduce data up to 4 GPUs only: NCCL beyond */
			st = perfdb_nccl(db, comm, tp_size, "all_reduce", size, out, err, errlen);
			if (st == PERFDB_FATAL)
				return st;
			char what[160] = "";
			if (st) /* named only for a refusal: formatting costs on every miss */
				snprintf(what, sizeof what, "custom all-reduce tp_size=%lld size=%lld", tp_size, size);
			if ((st = perf_mode_settle(db->mode, st, sol / 0.8, out, what, err, errlen)))
				return st;
		} else {
			st = table_custom_allreduce_query(&db->allreduce, db->sys, comm, tp_size, size, out, err, errlen);
			char what[160] = "";
			if (st) /* named only for a refusal: formatting costs on every miss */
				snprintf(what, sizeof what, "custom all-reduce %s tp_size=%lld size=%lld", comm->name, tp_size, size);
			if ((st = perf_mode_settle(db->mode, st, sol / 0.8, out, what, err, errlen)))
				return st;
		}
	}
	memo_put(db, &key, out);
	return 0;
}

int perfdb_mem_op(perfdb *db, double mem_bytes, perf_result *out)
{
	const struct system_spec *s = db->sys;
	if (db->mode == PERF_SOL) {
		*out = perf_formula(mem_bytes / s->mem_bw_bytes_per_s * 1000, PERF_SRC_SOL);
		return 0;
	}
	/* no table for raw memory traffic: every other mode uses the empirical formula */
	double t = (mem_bytes / (s->mem_bw_bytes_per_s * s->mem_bw_empirical_scaling_factor) +
		    s->mem_empirical_constant_latency_s) * 1000;
	*out = perf_formula(t, PERF_SRC_EMPIRICAL);
	return 0;
}

int perfdb_p2p(perfdb *db, double message_bytes, perf_result *out)
{
	const struct system_spec *s = db->sys;
	if (db->mode == PERF_SOL) {
		*out = perf_formula(message_bytes / s->inter_node_bw_bytes_per_s * 1000, PERF_SRC_SOL);
		return 0;
	}
	*out = perf_formula((message_bytes / s->inter_node_bw_bytes_per_s + s->p2p_latency_s) * 1000, PERF_SRC_EMPIRICAL);
	return 0;
}
