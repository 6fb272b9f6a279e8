#include "table_moe.h"
#include "perf_mode.h"
#include "diag.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "moe_nearest.h"
#include "table_cache.h"
#include "table_gemm.h"
#include "table_set.h"
#include "table_sources.h"
#include "table_wideep.h"

/* Numeric levels below quant mode and distribution: topk, experts, hidden, inter, moe_tp,
 * moe_ep, tokens. */
enum { MOE_DEPTH = 7, MOE_SHAPE_KEYS = 6 };

/* The tables of one data directory. */
typedef struct moe_tables {
	char *dir;
	bool shared;            /* read with the HYBRID shared layer's sibling rows (lib/perf/table_sources) */
	int state;              /* 1 read, -1 bad table (fatal says why) */
	char fatal[DATADIR_PATH_MAX + 600];
	table_set regular, low_latency;
	struct moe_tables *next;
} moe_tables;

static moe_tables *cache;

static void free_cache(void)
{
	while (cache) {
		moe_tables *t = cache;
		cache = t->next;
		table_set_free(&t->regular);
		table_set_free(&t->low_latency);
		free(t->dir);
		free(t);
	}
}

/* Reads path into regular / low_latency (a missing file leaves both not loaded). */
static int load(moe_tables *t, const char *path, char *err, size_t errlen)
{
	table_set_init(&t->regular, path, MOE_DEPTH);
	table_set_init(&t->low_latency, path, MOE_DEPTH);
	table_csv c;
	int st = table_csv_load(&c, path, err, errlen);
	if (st == TABLE_CSV_MISSING)
		return 0;
	if (st != TABLE_CSV_OK)
		return -1;
	t->regular.loaded = t->low_latency.loaded = true;
	t->regular.rows = c.nrows;
	int pcol = table_csv_col(&c, "power");
	t->regular.has_power = t->low_latency.has_power = pcol >= 0;
	static const char *const int_cols[] = { "topk", "num_experts", "hidden_size", "inter_size",
						"moe_tp_size", "moe_ep_size", "num_tokens" };
	int icol[MOE_DEPTH], qcol, dcol, kcol, lcol;
	bool ok = true;
	if (c.nrows > 0) {
		for (int i = 0; ok && i < MOE_DEPTH; i++)
			ok = table_require_col(&c, int_cols[i], &icol[i], err, errlen);
		ok = ok && table_require_col(&c, "moe_dtype", &qcol, err, errlen) &&
		     table_require_col(&c, "distribution", &dcol, err, errlen) &&
		     table_require_col(&c, "kernel_source", &kcol, err, errlen) &&
		     table_require_col(&c, "latency", &lcol, err, errlen);
	}
	for (size_t r = 0; ok && r < c.nrows; r++) {
		double keys[MOE_DEPTH], lat, power;
		for (int i = 0; ok && i < MOE_DEPTH; i++) {
			long long v;
			ok = table_row_int(&c, r, icol[i], &v, err, errlen);
			keys[i] = (double)v;
		}
		ok = ok && table_row_latency(&c, r, lcol, &lat, err, errlen) &&
		     table_row_float(&c, r, pcol, &power, err, errlen);
		if (!ok)
			break;
		const char *qname = table_csv_cell(&c, r, qcol);
		const quant_mode *q = quant_find(QUANT_MOE, qname);
		if (!q) {
			snprintf(err, errlen, "%s:%ld: unknown moe_dtype '%s'", path, c.lines[r], qname);
			ok = false;
			break;
		}
		const char *dist = table_csv_cell(&c, r, dcol);
		if (strlen(dist) >= sizeof t->regular.parts[0].name) {
			snprintf(err, errlen, "%s:%ld: distribution '%s' is too long", path, c.lines[r], dist);
			ok = false;
			break;
		}
		bool low = strcmp(table_csv_cell(&c, r, kcol), "moe_torch_flow_min_latency") == 0;
		table_key key = { .k1 = q, .name = dist };
		table_part *p = table_set_part(low ? &t->low_latency : &t->regular, &key);
		grid_leaf leaf = grid_leaf_dict(lat, power, power * lat);
		/* the first row read for a shape is kept, as the reference's loader does */
		if (grid_insert(p->g, keys, &leaf, GRID_KEEP_FIRST) < 0) {
			snprintf(err, errlen, "out of memory reading %s", path);
			ok = false;
		}
	}
	table_csv_free(&c);
	return ok ? 0 : -1;
}

/* The loader's call through lib/perf/table_cache: the file, read with the shared layer's sibling
 * rows when the database has it on. */
typedef struct moe_call {
	moe_tables *t;
	char path[DATADIR_PATH_MAX + 32]; /* in the call (the cache keeps a copy of it) */
	const struct perf_data_path *pp;
} moe_call;

static int load_call(void *arg, char *err, size_t errlen)
{
	moe_call *c = arg;
	if (c->t->shared)
		table_sources_begin(c->pp->system_dir, c->pp->backend, c->pp->version);
	int st = load(c->t, c->path, err, errlen);
	table_sources_end();
	return st;
}

/* The tables of db's data directory, read on first use (from the parsed-table cache when it
 * holds them: moe_perf.txt is ~9 MB of CSV). */
static moe_tables *tables_of(perfdb *db, char *err, size_t errlen, int *st)
{
	const char *dir = perfdb_paths(db)->dir;
	bool shared = perfdb_shared_layer(db); /* as the reference's HYBRID databases */
	moe_tables *t;
	for (t = cache; t; t = t->next)
		if (strcmp(t->dir, dir) == 0 && t->shared == shared)
			break;
	if (!t) {
		t = xcalloc(1, sizeof *t);
		t->dir = xstrdup(dir);
		if (!cache)
			atexit(free_cache);
		t->next = cache;
		cache = t;
		t->shared = shared;
		char path[DATADIR_PATH_MAX + 32];
		snprintf(path, sizeof path, "%s/moe_perf.txt", dir);
		const struct perf_data_path *pp = perfdb_paths(db);
		/* the key names the sibling files the shared layer lends rows from (their identity) */
		static const char *const files[] = { "moe_perf.txt", NULL };
		char tag[64], key[DATADIR_PATH_MAX + 128];
		if (shared)
			table_sources_begin(pp->system_dir, pp->backend, pp->version);
		table_sources_tag(dir, files, tag, sizeof tag);
		table_sources_end();
		char kpath[DATADIR_PATH_MAX + 32];
		snprintf(key, sizeof key, "table_moe|%s%s", table_cache_key_path(path, kpath, sizeof kpath), tag);
		table_set *sets[] = { &t->regular, &t->low_latency };
		moe_call call = { .t = t, .pp = pp };
		snprintf(call.path, sizeof call.path, "%s", path);
		t->state = table_cache_load(sets, 2, key, NULL, load_call, &call, sizeof call, t->fatal, sizeof t->fatal) == 0 ? 1 : -1;
	}
	*st = 0;
	if (t->state < 0) {
		snprintf(err, errlen, "%s", t->fatal);
		*st = PERFDB_FATAL;
	}
	return t;
}

/* ---- speed of light ---- */

double moe_sol_ms(const struct system_spec *sys, const moe_query *q, long long num_tokens)
{
	/* Python integer arithmetic (exact, floor division) before the float steps. */
	typedef __int128 big;
	big gemms = q->is_gated ? 3 : 2;
	big total = (big)num_tokens * q->topk;
	big h = q->hidden_size, inter = q->inter_size, ep = q->moe_ep, tp = q->moe_tp;
	big ops = total * h * inter * gemms * 2 / ep / tp;
	big per_rank = total / ep;
	big experts = q->num_experts / ep < per_rank ? q->num_experts / ep : per_rank;
	big elems = per_rank * h * 2 + per_rank * inter * gemms / tp + h * inter * gemms / tp * experts;
	double mem_bytes = q->quant->memory * (double)elems;
	double math = (double)ops / (sys->bfloat16_tc_flops * q->quant->compute) * 1000;
	double mem = mem_bytes / sys->mem_bw_bytes_per_s * 1000;
	return math > mem ? math : mem;
}

/* ---- silicon look-up ---- */

static void describe(const moe_query *q, long long tokens, char *buf, size_t n)
{
	snprintf(buf, n,
		 "MoE num_tokens=%lld hidden_size=%lld inter_size=%lld topk=%lld num_experts=%lld moe_tp=%lld "
		 "moe_ep=%lld quant %s distribution %s",
		 tokens, q->hidden_size, q->inter_size, q->topk, q->num_experts, q->moe_tp, q->moe_ep, q->quant->name,
		 q->distribution);
}

/* True when t has any part for quant mode q (the reference's moe_data[quant_mode] exists). */
static bool has_quant(const table_set *t, const quant_mode *q)
{
	for (size_t i = 0; i < t->nparts; i++)
		if (t->parts[i].k1 == q)
			return true;
	return false;
}

static void list_quants(const table_set *t, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < t->nparts && used < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i; j++)
			seen = seen || t->parts[j].k1 == t->parts[i].k1;
		if (!seen)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
						 ((const quant_mode *)t->parts[i].k1)->name);
	}
	if (!used)
		snprintf(buf, n, "none");
}

/* The part of q's quant mode and distribution in t, else of "uniform" (*dist: which), or NULL. */
static const table_part *dist_part(const table_set *t, const moe_query *q, const char **dist)
{
	table_key key = { .k1 = q->quant, .name = q->distribution };
	const table_part *p = table_set_find(t, &key);
	*dist = q->distribution;
	if (!p) {
		*dist = key.name = "uniform";
		p = table_set_find(t, &key);
	}
	return p;
}

/* The token node of q's shape in t: the distribution asked for when t has it for the quant
 * mode, else "uniform". NULL with err when the quant mode or the shape is absent. */
static const grid_node *token_node(const table_set *t, const moe_query *q, char *err, size_t errlen)
{
	if (!has_quant(t, q->quant)) {
		char have[256];
		list_quants(t, have, sizeof have);
		snprintf(err, errlen, "moe_perf.txt has no %s rows (it has: %s) in %s", q->quant->name, have, t->path);
		return NULL;
	}
	const char *dist;
	const table_part *p = dist_part(t, q, &dist);
	double shape[MOE_SHAPE_KEYS] = { (double)q->topk, (double)q->num_experts, (double)q->hidden_size,
					 (double)q->inter_size, (double)q->moe_tp, (double)q->moe_ep };
	const grid_node *node = p ? grid_find(p->g, shape, MOE_SHAPE_KEYS) : NULL;
	if (!node || grid_node_count(node) == 0) {
		snprintf(err, errlen,
			 "moe_perf.txt has no rows for %s distribution %s topk=%lld num_experts=%lld hidden_size=%lld "
			 "inter_size=%lld moe_tp=%lld moe_ep=%lld in %s",
			 q->quant->name, dist, q->topk, q->num_experts, q->hidden_size, q->inter_size, q->moe_tp,
			 q->moe_ep, t->path);
		return NULL;
	}
	return node;
}

/* Beyond the largest measured token count: the last point's utilisation of the speed of light. */
static int overflow(const struct system_spec *sys, const moe_query *q, const grid_node *node, long long tokens,
		    perf_result *out, char *err, size_t errlen)
{
	const double *keys;
	size_t n = grid_node_keys(node, &keys);
	double last = keys[n - 1];
	const grid_leaf *leaf = grid_node_leaf(node, last);
	double last_lat = grid_leaf_get(leaf, GRID_LATENCY);
	double last_power = grid_leaf_get(leaf, GRID_POWER), last_energy = grid_leaf_get(leaf, GRID_ENERGY);
	if (last_lat == 0.0) {
		snprintf(err, errlen, "moe_perf.txt: zero latency at %g tokens, cannot extrapolate", last);
		return PERFDB_REFUSED;
	}
	double sol_last = moe_sol_ms(sys, q, (long long)last), sol_query = moe_sol_ms(sys, q, tokens);
	double util = sol_last / last_lat;
	if (util > 1.0)
		util = 1.0;
	if (util < 1e-8)
		util = 1e-8;
	double lat = sol_query / util, energy = 0.0;
	if (last_power > 0)
		energy = last_power * lat;
	else if (last_energy > 0)
		energy = last_energy * (lat / last_lat);
	*out = (perf_result){ lat, energy, PERF_SRC_SILICON, PERF_DET_EXTRAPOLATED };
	return 0;
}

static int lookup(const struct system_spec *sys, const moe_query *q, const grid_node *node, long long tokens,
		  perf_result *out, char *err, size_t errlen)
{
	const double *keys;
	size_t n = grid_node_keys(node, &keys);
	double x = (double)tokens;
	if (x > keys[n - 1])
		return overflow(sys, q, node, tokens, out, err, errlen);
	double lo, hi;
	grid_leaf r;
	interp_err ie = { 0 };
	int st = interp_nearest_1d(x, keys, n, false, &lo, &hi, &ie);
	if (st == 0)
		st = interp_1d_leaf(lo, hi, grid_node_leaf(node, lo), grid_node_leaf(node, hi), x, &r, &ie);
	if (st == 0)
		st = interp_validate(grid_leaf_get(&r, GRID_LATENCY), &ie);
	if (st != 0) {
		snprintf(err, errlen, "moe_perf.txt at %lld tokens: %s", tokens, ie.msg);
		return PERFDB_REFUSED;
	}
	perf_detail d = grid_node_has(node, x) ? PERF_DET_MEASURED
			: x >= keys[0] ? PERF_DET_INTERPOLATED : PERF_DET_EXTRAPOLATED;
	*out = (perf_result){ grid_leaf_get(&r, GRID_LATENCY), grid_leaf_get(&r, GRID_ENERGY), PERF_SRC_SILICON, d };
	return 0;
}

/* The per-backend table choice of the reference's get_silicon. */
static int silicon(perfdb *db, moe_tables *t, const moe_query *q, perf_result *out, char *err, size_t errlen)
{
	const struct system_spec *sys = perfdb_system(db);
	const char *backend = perfdb_paths(db)->backend;
	long long tokens = q->num_tokens;
	if (strcmp(backend, "sglang") == 0) {
		if (q->enable_eplb && q->is_context)
			tokens = (long long)((double)tokens * 0.8); /* balanced experts shorten prefill */
		if (q->moe_backend && strcmp(q->moe_backend, "deepep_moe") == 0) {
			/* SGLang wide-EP: the DeepEP MoE table of the phase, looked up the same way */
			int st;
			const table_set *w = table_wideep_moe(db, q->is_context, &st, err, errlen);
			if (!w)
				return st;
			if (!w->loaded)
				return table_not_loaded(w, "DeepEP MoE", err, errlen);
			const grid_node *node = token_node(w, q, err, errlen);
			return node ? lookup(sys, q, node, tokens, out, err, errlen) : PERFDB_REFUSED;
		}
	} else if (strcmp(backend, "trtllm") != 0 && strcmp(backend, "vllm") != 0) {
		snprintf(err, errlen, "backend %s has no MoE look-up", backend);
		return PERFDB_REFUSED;
	}
	if (!t->regular.loaded)
		return table_not_loaded(&t->regular, "MoE", err, errlen);
	const grid_node *node = NULL;
	/* TRT-LLM runs small nvfp4 batches of gated experts on its low-latency kernel when measured */
	if (strcmp(backend, "trtllm") == 0 && tokens <= 128 && t->low_latency.nparts > 0 &&
	    strcmp(q->quant->name, "nvfp4") == 0 && q->is_gated) {
		char ignored[512];
		node = token_node(&t->low_latency, q, ignored, sizeof ignored);
	}
	if (!node)
		node = token_node(&t->regular, q, err, errlen);
	if (!node)
		return PERFDB_REFUSED;
	return lookup(sys, q, node, tokens, out, err, errlen);
}

/* The shape transfer (perfdb_set_moe_transfer; load fidelity only): q's shape is not in the
 * table, so it is priced at the efficiency (speed of light / latency) the nearest measured shape
 * of the same quant mode and distribution reaches at the token count that loads its experts
 * alike (lib/perf/moe_nearest). Not for DeepEP's tables, whose shapes are the model's own. */
static int transfer(perfdb *db, moe_tables *t, const moe_query *q, perf_result *out, char *err, size_t errlen)
{
	const struct system_spec *sys = perfdb_system(db);
	if (!t->regular.loaded || !has_quant(&t->regular, q->quant) ||
	    (q->moe_backend && strcmp(q->moe_backend, "deepep_moe") == 0))
		return PERFDB_REFUSED;
	const char *dist;
	const table_part *p = dist_part(&t->regular, q, &dist);
	moe_shape want = { { (double)q->topk, (double)q->num_experts, (double)q->hidden_size, (double)q->inter_size,
			     (double)q->moe_tp, (double)q->moe_ep } }, near;
	const grid_node *node;
	if (!p || !moe_nearest_shape(grid_root(p->g), &want, &near, &node))
		return PERFDB_REFUSED;
	moe_query nq = *q;
	nq.topk = (long long)near.k[0], nq.num_experts = (long long)near.k[1], nq.hidden_size = (long long)near.k[2];
	nq.inter_size = (long long)near.k[3], nq.moe_tp = (long long)near.k[4], nq.moe_ep = (long long)near.k[5];
	long long ntok = llround(moe_shape_matched_tokens(&want, &near, (double)q->num_tokens));
	perf_result at;
	int st = lookup(sys, &nq, node, ntok, &at, err, errlen);
	if (st)
		return st;
	double sol_near = moe_sol_ms(sys, &nq, ntok);
	if (!(at.latency > 0) || !(sol_near > 0)) {
		snprintf(err, errlen, "moe_perf.txt: no efficiency at the nearest shape");
		return PERFDB_REFUSED;
	}
	double util = sol_near / at.latency;
	util = util > 1.0 ? 1.0 : util < 1e-8 ? 1e-8 : util;
	double lat = moe_sol_ms(sys, q, q->num_tokens) / util;
	*out = (perf_result){ lat, at.energy * (lat / at.latency), PERF_SRC_SILICON, PERF_DET_EXTRAPOLATED };
	return 0;
}

int perfdb_moe(perfdb *db, const moe_query *q, perf_result *out, char *err, size_t errlen)
{
	const struct system_spec *sys = perfdb_system(db);
	perf_mode mode = perfdb_mode(db);
	double sol = moe_sol_ms(sys, q, q->num_tokens);
	/* the MoE empirical formula: 40% of the speed of light */
	if (perf_mode_formula(mode, sol, 0.4, out))
		return 0;
	int st;
	moe_tables *t = tables_of(db, err, errlen, &st);
	if (st)
		return st;
	st = silicon(db, t, q, out, err, errlen);
	if (st == PERFDB_REFUSED && mode == PERF_SILICON && perfdb_moe_transfer(db)) {
		char terr[512];
		if (transfer(db, t, q, out, terr, sizeof terr) == 0)
			return 0;
	}
	char what[300] = "";
	if (st) /* named only for a refusal */
		describe(q, q->num_tokens, what, sizeof what);
	return perf_mode_settle(mode, st, sol / 0.4, out, what, err, errlen);
}
