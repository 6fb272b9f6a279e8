#include "table_wideep.h"
#include "perf_mode.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "interp.h"
#include "table_gemm.h"
#include "table_targets.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- loading ---- */

/* Kinds of wide-EP tables and the numeric levels of their grids. */
typedef enum wideep_kind { W_CTX_MLA, W_GEN_MLA, W_MOE, W_LL, W_NORMAL, W_COMPUTE, W_ALLTOALL } wideep_kind;
static const int kind_depth[] = { 3, 3, 7, 5, 6, 8, 6 };

/* Integer columns of each kind, outermost grid level first (the token/sequence levels that
 * need arithmetic are handled apart). */
static const char *const moe_cols[] = { "topk", "num_experts", "hidden_size", "inter_size", "moe_tp_size",
					"moe_ep_size", "num_tokens" };
static const char *const ll_cols[] = { "node_num", "hidden_size", "num_topk", "num_experts", "num_token" };
static const char *const normal_cols[] = { "node_num", "hidden_size", "num_topk", "num_experts", "dispatch_sms",
					   "num_token" };
static const char *const compute_cols[] = { "topk", "num_experts", "hidden_size", "inter_size", "num_slots",
					    "moe_tp_size", "moe_ep_size", "num_tokens" };
/* num_nodes first: filled from moe_ep_size when the column is absent */
static const char *const alltoall_cols[] = { "num_nodes", "hidden_size", "topk", "num_experts", "moe_ep_size",
					     "num_tokens" };
static const char *const ll_time_cols[] = { "dispatch_avg_t_us", "combine_avg_t_us" };
static const char *const normal_time_cols[] = { "dispatch_transmit_us", "dispatch_notify_us",
						"combine_transmit_us", "combine_notify_us" };

typedef struct reader {
	const table_csv *c;
	char *err;
	size_t errlen;
} reader;

static const quant_mode *cell_quant(const reader *rd, size_t r, int col, quant_kind kind)
{
	const char *name = table_csv_cell(rd->c, r, col);
	const quant_mode *q = quant_find(kind, name);
	if (!q)
		snprintf(rd->err, rd->errlen, "%s:%ld: unknown %s '%s'", table_csv_row_file(rd->c, r), rd->c->lines[r], rd->c->header[col],
			 name);
	return q;
}

/* "a" or "a|b" as a part name; false when it does not fit. */
static bool part_name(const reader *rd, size_t r, const char *a, const char *b, char *out, size_t n)
{
	int len = b ? snprintf(out, n, "%s|%s", a, b) : snprintf(out, n, "%s", a);
	if (len < 0 || (size_t)len >= n) {
		snprintf(rd->err, rd->errlen, "%s:%ld: key '%s' is too long", table_csv_row_file(rd->c, r), rd->c->lines[r], out);
		return false;
	}
	return true;
}

/* Columns of one kind, found once. */
typedef struct cols {
	int num[8], time[4], lat, power, ks, q1, q2, dist, op, heads, tp, b, s, step;
	int nnum, ntime;
} cols;

static bool find_cols(const reader *rd, wideep_kind kind, cols *k)
{
	const table_csv *c = rd->c;
	char *e = rd->err;
	size_t n = rd->errlen;
	memset(k, -1, sizeof *k);
	k->nnum = k->ntime = 0;
	k->power = table_csv_col(c, "power");
	k->ks = table_csv_col(c, "kernel_source");
	const char *const *num = NULL, *const *time = NULL;
	switch (kind) {
	case W_CTX_MLA:
	case W_GEN_MLA:
		k->heads = table_csv_col(c, "num_heads");
		return (kind == W_GEN_MLA || table_require_col(c, "mla_dtype", &k->q1, e, n)) &&
		       table_require_col(c, "kv_cache_dtype", &k->q2, e, n) &&
		       (k->heads >= 0 || table_require_col(c, "tp_size", &k->tp, e, n)) &&
		       table_require_col(c, "batch_size", &k->b, e, n) && table_require_col(c, "isl", &k->s, e, n) &&
		       (kind == W_CTX_MLA || table_require_col(c, "step", &k->step, e, n)) &&
		       table_require_col(c, "latency", &k->lat, e, n);
	case W_MOE: num = moe_cols, k->nnum = COUNT(moe_cols); break;
	case W_LL: num = ll_cols, k->nnum = COUNT(ll_cols), time = ll_time_cols, k->ntime = 2; break;
	case W_NORMAL: num = normal_cols, k->nnum = COUNT(normal_cols), time = normal_time_cols, k->ntime = 4; break;
	case W_COMPUTE: num = compute_cols, k->nnum = COUNT(compute_cols); break;
	case W_ALLTOALL: num = alltoall_cols, k->nnum = COUNT(alltoall_cols); break;
	}
	for (int i = 0; i < k->nnum; i++) {
		if (kind == W_ALLTOALL && i == 0) {
			k->num[0] = table_csv_col(c, "num_nodes");
			continue;
		}
		if (!table_require_col(c, num[i], &k->num[i], e, n))
			return false;
	}
	for (int i = 0; i < k->ntime; i++)
		if (!table_require_col(c, time[i], &k->time[i], e, n))
			return false;
	bool moe_like = kind == W_MOE || kind == W_COMPUTE || kind == W_ALLTOALL;
	return (!moe_like || table_require_col(c, "moe_dtype", &k->q1, e, n)) &&
	       (!(kind == W_MOE || kind == W_COMPUTE) || table_require_col(c, "distribution", &k->dist, e, n)) &&
	       (kind != W_ALLTOALL || table_require_col(c, "op_name", &k->op, e, n)) &&
	       (!moe_like || table_require_col(c, "latency", &k->lat, e, n));
}

/* One row into t. */
static bool read_row(const reader *rd, wideep_kind kind, const cols *k, size_t r, table_set *t)
{
	const table_csv *c = rd->c;
	char *e = rd->err;
	size_t n = rd->errlen;
	double keys[8], lat = 0, power;
	long long v;
	table_key key = { 0 };
	char name[64];
	if (!table_row_float(c, r, k->power, &power, e, n))
		return false;
	if (kind == W_CTX_MLA || kind == W_GEN_MLA) {
		long long heads, b, s, step = 0;
		if (k->heads >= 0) {
			if (!table_row_int(c, r, k->heads, &heads, e, n))
				return false;
		} else {
			long long tp;
			if (!table_row_int(c, r, k->tp, &tp, e, n))
				return false;
			if (tp <= 0) {
				snprintf(e, n, "%s:%ld: tp_size must be positive", table_csv_row_file(c, r), c->lines[r]);
				return false;
			}
			heads = 128 / tp;
		}
		if (!table_row_int(c, r, k->b, &b, e, n) || !table_row_int(c, r, k->s, &s, e, n) ||
		    (k->step >= 0 && !table_row_int(c, r, k->step, &step, e, n)) ||
		    !table_row_latency(c, r, k->lat, &lat, e, n))
			return false;
		/* tables without the column are FlashInfer measurements */
		if (!part_name(rd, r, k->ks >= 0 ? table_csv_cell(c, r, k->ks) : "flashinfer", NULL, name, sizeof name))
			return false;
		key.name = name;
		if (kind == W_CTX_MLA) {
			if (!(key.k1 = cell_quant(rd, r, k->q1, QUANT_FMHA)) ||
			    !(key.k2 = cell_quant(rd, r, k->q2, QUANT_KVCACHE)))
				return false;
			keys[0] = (double)heads, keys[1] = (double)s, keys[2] = (double)b;
		} else {
			if (!(key.k1 = cell_quant(rd, r, k->q2, QUANT_KVCACHE)))
				return false;
			keys[0] = (double)heads, keys[1] = (double)b, keys[2] = (double)(s + step);
		}
	} else {
		for (int i = 0; i < k->nnum; i++) {
			if (kind == W_ALLTOALL && i == 0)
				continue; /* after moe_ep_size */
			if (!table_row_int(c, r, k->num[i], &v, e, n))
				return false;
			keys[i] = (double)v;
		}
		if (kind == W_ALLTOALL) {
			if (k->num[0] >= 0) {
				if (!table_row_int(c, r, k->num[0], &v, e, n))
					return false;
			} else {
				/* the reference assumes 4 GPUs a node (GB200 NVL4) */
				v = (long long)keys[4] / 4;
				if (v < 1)
					v = 1;
			}
			keys[0] = (double)v;
		}
		if (k->ntime) {
			/* DeepEP phases in µs, summed in the reference's order */
			for (int i = 0; i < k->ntime; i++) {
				double t_us;
				if (!table_row_latency(c, r, k->time[i], &t_us, e, n))
					return false;
				lat = i == 0 ? t_us : lat + t_us;
			}
		} else if (!table_row_latency(c, r, k->lat, &lat, e, n)) {
			return false;
		}
		if (k->q1 >= 0 && !(key.k1 = cell_quant(rd, r, k->q1, QUANT_MOE)))
			return false;
		const char *ks = kind == W_COMPUTE ? (k->ks >= 0 ? table_csv_cell(c, r, k->ks) : "moe_torch_flow")
			       : kind == W_ALLTOALL ? (k->ks >= 0 ? table_csv_cell(c, r, k->ks) : "NVLinkTwoSided")
						    : NULL;
		const char *second = kind == W_ALLTOALL ? table_csv_cell(c, r, k->op)
				     : k->dist >= 0   ? table_csv_cell(c, r, k->dist)
							: NULL;
		if (ks || second) {
			if (!part_name(rd, r, ks ? ks : second, ks ? second : NULL, name, sizeof name))
				return false;
			key.name = name;
		}
	}
	if (key.name && strlen(key.name) >= sizeof t->parts[0].name) {
		snprintf(e, n, "%s:%ld: key '%s' is too long", table_csv_row_file(c, r), c->lines[r], key.name);
		return false;
	}
	table_part *p = table_set_part(t, &key);
	grid_leaf leaf = grid_leaf_dict(lat, power, power * lat);
	/* MLA and DeepEP loaders keep the first row of a shape, the MoE ones the last */
	bool keep_first = kind == W_CTX_MLA || kind == W_GEN_MLA || kind == W_LL || kind == W_NORMAL;
	if (grid_insert(p->g, keys, &leaf, keep_first ? GRID_KEEP_FIRST : GRID_OVERWRITE) < 0) {
		snprintf(e, n, "out of memory reading %s", c->path);
		return false;
	}
	return true;
}

static int load(table_set *t, const char *dir, const char *file, wideep_kind kind, char *err, size_t errlen)
{
	char path[DATADIR_PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	table_csv c;
	int st = table_set_open(t, &c, path, kind_depth[kind], err, errlen);
	if (st != TABLE_CSV_OK)
		return st == TABLE_CSV_MISSING ? 0 : -1;
	reader rd = { &c, err, errlen };
	cols k;
	bool ok = c.nrows == 0 || find_cols(&rd, kind, &k);
	t->has_power = ok && c.nrows && k.power >= 0;
	for (size_t r = 0; ok && r < c.nrows; r++)
		ok = read_row(&rd, kind, &k, r, t);
	table_csv_free(&c);
	return ok ? 0 : -1;
}

int table_wideep_context_mla_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				  size_t errlen)
{
	(void)sys;
	if (load(t, dir, "wideep_context_mla_perf.txt", W_CTX_MLA, err, errlen) != 0)
		return -1;
	/* the wide-EP table's sequence lengths start at 16, the regular one's at 1 */
	return table_targets_extend_parts(t, table_ctx_seq_targets() + 1, TABLE_CTX_SEQ_TARGETS - 1,
					  table_ctx_batch_targets, TABLE_CTX_BATCH_TARGETS, true, err, errlen);
}

int table_wideep_generation_mla_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				     size_t errlen)
{
	(void)sys;
	if (load(t, dir, "wideep_generation_mla_perf.txt", W_GEN_MLA, err, errlen) != 0)
		return -1;
	return table_targets_extend_parts(t, table_gen_batch_targets, TABLE_GEN_BATCH_TARGETS, table_gen_len_targets,
					  TABLE_GEN_LEN_TARGETS, false, err, errlen);
}

int table_wideep_context_moe_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				  size_t errlen)
{
	(void)sys;
	return load(t, dir, "wideep_context_moe_perf.txt", W_MOE, err, errlen);
}

int table_wideep_generation_moe_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				     size_t errlen)
{
	(void)sys;
	return load(t, dir, "wideep_generation_moe_perf.txt", W_MOE, err, errlen);
}

int table_wideep_deepep_ll_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				size_t errlen)
{
	(void)sys;
	return load(t, dir, "wideep_deepep_ll_perf.txt", W_LL, err, errlen);
}

int table_wideep_deepep_normal_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				    size_t errlen)
{
	(void)sys;
	return load(t, dir, "wideep_deepep_normal_perf.txt", W_NORMAL, err, errlen);
}

int table_wideep_moe_compute_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				  size_t errlen)
{
	(void)sys;
	return load(t, dir, "wideep_moe_perf.txt", W_COMPUTE, err, errlen);
}

int table_trtllm_alltoall_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
			       size_t errlen)
{
	(void)sys;
	return load(t, dir, "trtllm_alltoall_perf.txt", W_ALLTOALL, err, errlen);
}

const table_set *table_wideep_moe(perfdb *db, bool is_context, int *st, char *err, size_t errlen)
{
	const table_set *t = is_context
				     ? perfdb_table(db, "wideep_context_moe_perf.txt", table_wideep_context_moe_load, err, errlen)
				     : perfdb_table(db, "wideep_generation_moe_perf.txt", table_wideep_generation_moe_load, err,
						    errlen);
	*st = t ? 0 : PERFDB_FATAL;
	return t;
}

/* ---- speed of light ---- */

typedef __int128 big;

/* DeepSeek-V3's MLA widths */
enum { HIDDEN = 7168, Q_RANK = 1536, KV_RANK = 512, ROPE = 64, NOPE = 128, V_DIM = 128 };

static double roofline(const struct system_spec *sys, big ops, big attn_flop, big elems, const quant_mode *fmha)
{
	double math = (double)ops / (sys->bfloat16_tc_flops * fmha->compute) * 1000;
	math += (double)attn_flop / sys->bfloat16_tc_flops * 1000;
	double mem = (double)elems * fmha->memory / sys->mem_bw_bytes_per_s * 1000;
	return math > mem ? math : mem;
}

double wideep_context_mla_sol_ms(const struct system_spec *sys, long long b_, long long s_, long long prefix_,
				 long long tp_size, const quant_mode *fmha)
{
	big b = b_, s = s_, prefix = prefix_, h = 128 / tp_size, full = s + prefix;
	/* the q_a/kv_a projection is a GEMM op of its own; the block starts at q_b */
	big q_b_flop = 2 * Q_RANK * h * (ROPE + NOPE) * b * s;
	big q_b_mem = b * Q_RANK * s + Q_RANK * h * (ROPE + NOPE) + 2 * b * h * (ROPE + NOPE) * s;
	big kv_b_flop = 2 * KV_RANK * h * (NOPE + V_DIM) * b * s;
	big kv_b_mem = b * s * KV_RANK + h * (NOPE + V_DIM) * KV_RANK + 2 * b * h * (NOPE + V_DIM) * s;
	big attn_flop = 2 * h * (NOPE * 2 + ROPE) * b * (full * full - prefix * prefix) / 2;
	big attn_mem = b * s * h * (NOPE + ROPE) + b * full * h * (NOPE + ROPE) + b * full * h * NOPE + b * s * h * NOPE;
	big out_flop = 2 * h * V_DIM * HIDDEN * b * s;
	big out_mem = b * h * V_DIM * s + h * V_DIM * HIDDEN + 2 * b * HIDDEN * s;
	return roofline(sys, q_b_flop + kv_b_flop + out_flop, attn_flop, q_b_mem + kv_b_mem + attn_mem * 2 + out_mem,
			fmha);
}

double wideep_generation_mla_sol_ms(const struct system_spec *sys, long long b_, long long s_, long long tp_size,
				    const quant_mode *fmha)
{
	big b = b_, s = s_, h = 128 / tp_size;
	big q_b_flop = 2 * Q_RANK * h * (ROPE + NOPE) * b;
	big q_b_mem = b * Q_RANK + Q_RANK * h * (ROPE + NOPE) + 2 * b * h * (ROPE + NOPE);
	big kc_flop = 2 * h * NOPE * KV_RANK * b; /* q absorbed into the latent space */
	big kc_mem = b * h * NOPE + h * KV_RANK * NOPE + 2 * b * h * KV_RANK;
	big attn_flop = 2 * b * s * h * (ROPE + KV_RANK * 2);
	big attn_mem = b * h * (KV_RANK + ROPE) + b * s * (ROPE + KV_RANK) + b * h * KV_RANK;
	big vc_flop = 2 * b * h * KV_RANK * V_DIM; /* back out of the latent space */
	big vc_mem = b * h * KV_RANK + h * V_DIM * KV_RANK + 2 * b * h * V_DIM;
	big out_flop = 2 * h * V_DIM * HIDDEN * b;
	big out_mem = b * h * V_DIM + h * V_DIM * HIDDEN + 2 * b * HIDDEN;
	return roofline(sys, q_b_flop + kc_flop + vc_flop + out_flop, attn_flop,
			q_b_mem + kc_mem + attn_mem * 2 + vc_mem + out_mem, fmha);
}

/* ---- shared pieces of the queries ---- */

/* A string as a memo argument. */
static long long str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (long long)(h >> 1) + (s ? 1 : 0);
}

static long long dbl_bits(double d)
{
	long long v;
	memcpy(&v, &d, sizeof v);
	return v;
}

/* A refusal that no database mode recovers from (the reference raises outside its fallback). */
static int refuse(const char *what, const char *why, char *err, size_t errlen)
{
	char w[700];
	snprintf(w, sizeof w, "%s", why);
	snprintf(err, errlen, "%s: %s", what, w);
	return PERFDB_REFUSED;
}

static bool backend_is(perfdb *db, const char *name)
{
	return strcmp(perfdb_paths(db)->backend, name) == 0;
}

/* The table of file (loaded on first use); NULL with *st set. */
static const table_set *table_of(perfdb *db, const char *file, perfdb_table_loader load, int *st, char *err,
				 size_t errlen)
{
	const table_set *t = perfdb_table(db, file, load, err, errlen);
	*st = t ? 0 : PERFDB_FATAL;
	return t;
}

/* interp_1d between the two token keys around x (the two nearest beyond the ends), latency and
 * energy times scale. */
static int interp_tokens(const grid_node *node, double x, double scale, perf_result *out, char *err, size_t errlen)
{
	const double *keys;
	size_t n = node ? grid_node_keys(node, &keys) : 0;
	if (!n) {
		snprintf(err, errlen, "no token counts measured for this shape");
		return PERFDB_REFUSED;
	}
	double lo, hi;
	grid_leaf r;
	interp_err ie = { 0 };
	if (interp_nearest_1d(x, keys, n, false, &lo, &hi, &ie) != 0 ||
	    interp_1d_leaf(lo, hi, grid_node_leaf(node, lo), grid_node_leaf(node, hi), x, &r, &ie) != 0) {
		snprintf(err, errlen, "no table answer (%s)", ie.msg);
		return PERFDB_REFUSED;
	}
	perf_detail d = grid_node_has(node, x)			   ? PERF_DET_MEASURED
			: x >= keys[0] && x <= keys[n - 1] ? PERF_DET_INTERPOLATED
							   : PERF_DET_EXTRAPOLATED;
	*out = (perf_result){ grid_leaf_get(&r, GRID_LATENCY) * scale, grid_leaf_get(&r, GRID_ENERGY) * scale,
			      PERF_SRC_SILICON, d };
	return 0;
}

/* ---- wide-EP MLA (SGLang) ---- */

static int mla_silicon(const table_set *t, const char *attn, const void *k1, const void *k2, double x, double y,
		       double z, interp_method method, double correction, perf_result *out, char *err,
		       size_t errlen)
{
	if (!t->loaded)
		return table_not_loaded(t, "wide-EP MLA", err, errlen);
	if (strcmp(attn, "flashinfer") != 0 && strcmp(attn, "fa3") != 0) {
		snprintf(err, errlen, "unsupported attention backend '%s' (flashinfer or fa3)", attn);
		return PERFDB_REFUSED;
	}
	table_key key = { .k1 = k1, .k2 = k2, .name = attn };
	const table_part *p = table_set_find(t, &key);
	if (!p) {
		snprintf(err, errlen, "%s has no %s rows for these quant modes", t->path, attn);
		return PERFDB_REFUSED;
	}
	interp_result r;
	interp_err ie = { 0 };
	if (interp_3d(x, y, z, grid_root(p->g), interp_dict_leaves(p->g), method, &r, &ie) != 0) {
		snprintf(err, errlen, "no table answer (%s)", ie.msg);
		return PERFDB_REFUSED;
	}
	double coords[3] = { x, y, z };
	perf_detail d = table_part_inside(p, coords, 3) ? PERF_DET_INTERPOLATED : PERF_DET_EXTRAPOLATED;
	const grid_leaf *hit = grid_get(p->g, coords);
	if (hit && (hit->flags & GRID_LEAF_HAS_ENERGY) && correction == 1.0)
		d = PERF_DET_MEASURED;
	*out = (perf_result){ r.latency * correction, r.energy * correction, PERF_SRC_SILICON, d };
	return 0;
}

int perfdb_wideep_context_mla(perfdb *db, long long b, long long s, long long prefix, long long tp_size,
			      const quant_mode *kv, const quant_mode *fmha, const char *attention_backend,
			      perf_result *out, char *err, size_t errlen)
{
	char what[300];
	snprintf(what, sizeof what, "wide-EP context MLA b=%lld s=%lld prefix=%lld tp_size=%lld kv cache %s fmha %s", b,
		 s, prefix, tp_size, kv->name, fmha->name);
	if (tp_size <= 0 || b <= 0 || s + prefix <= 0)
		return refuse(what, "b, s + prefix and tp_size must be positive", err, errlen);
	const char *attn = attention_backend ? attention_backend : "flashinfer";
	long long a[5] = { b, s, prefix, tp_size, str_hash(attn) };
	if (perfdb_memo_get(db, "wideep_ctx_mla", a, 5, kv, fmha, out))
		return 0;
	double sol = wideep_context_mla_sol_ms(perfdb_system(db), b, s, prefix, tp_size, fmha);
	perf_mode mode = perfdb_mode(db);
	int st = 0;
	if (perf_mode_formula(mode, sol, 0.6, out)) {
		/* speed of light or empirical: no table read */
	} else if (!backend_is(db, "sglang")) {
		return refuse(what, "the wide-EP MLA tables are SGLang-only", err, errlen);
	} else {
		const table_set *t = table_of(db, "wideep_context_mla_perf.txt", table_wideep_context_mla_load, &st, err,
					      errlen);
		if (st)
			return st;
		double full = (double)(s + prefix), pf = (double)prefix;
		/* the table holds full causal prefills; a cached prefix skips its share */
		double correction = (full * full - pf * pf) / (full * full);
		st = mla_silicon(t, attn, fmha, kv, (double)(128 / tp_size), full, (double)b, INTERP_CUBIC, correction,
				 out, err, errlen);
		if ((st = perf_mode_settle(perfdb_mode(db), st, sol / 0.6, out, what, err, errlen)))
			return st;
	}
	perfdb_memo_put(db, "wideep_ctx_mla", a, 5, kv, fmha, out);
	return 0;
}

int perfdb_wideep_generation_mla(perfdb *db, long long b, long long s, long long tp_size, const quant_mode *kv,
				 const quant_mode *fmha, const char *attention_backend, perf_result *out, char *err,
				 size_t errlen)
{
	char what[300];
	snprintf(what, sizeof what, "wide-EP generation MLA b=%lld s=%lld tp_size=%lld kv cache %s fmha %s", b, s,
		 tp_size, kv->name, fmha->name);
	if (tp_size <= 0)
		return refuse(what, "tp_size must be positive", err, errlen);
	const char *attn = attention_backend ? attention_backend : "flashinfer";
	long long a[4] = { b, s, tp_size, str_hash(attn) };
	if (perfdb_memo_get(db, "wideep_gen_mla", a, 4, kv, fmha, out))
		return 0;
	double sol = wideep_generation_mla_sol_ms(perfdb_system(db), b, s, tp_size, fmha);
	perf_mode mode = perfdb_mode(db);
	int st = 0;
	if (perf_mode_formula(mode, sol, 0.7, out)) {
		/* speed of light or empirical: no table read */
	} else if (!backend_is(db, "sglang")) {
		return refuse(what, "the wide-EP MLA tables are SGLang-only", err, errlen);
	} else {
		const table_set *t = table_of(db, "wideep_generation_mla_perf.txt", table_wideep_generation_mla_load, &st,
					      err, errlen);
		if (st)
			return st;
		st = mla_silicon(t, attn, kv, NULL, (double)(128 / tp_size), (double)b, (double)s, INTERP_BILINEAR, 1.0,
				 out, err, errlen);
		if ((st = perf_mode_settle(perfdb_mode(db), st, sol / 0.7, out, what, err, errlen)))
			return st;
	}
	perfdb_memo_put(db, "wideep_gen_mla", a, 4, kv, fmha, out);
	return 0;
}

/* ---- DeepEP dispatch/combine (SGLang) ---- */

/* The node under the leading keys of the single-part DeepEP table, or NULL with err. */
static const grid_node *deepep_node(const table_set *t, const double *keys, int n, char *err, size_t errlen)
{
	if (!t->loaded) {
		table_not_loaded(t, "DeepEP", err, errlen);
		return NULL;
	}
	table_key key = { 0 };
	const table_part *p = table_set_find(t, &key);
	const grid_node *node = p ? grid_find(p->g, keys, n) : NULL;
	if (!node)
		snprintf(err, errlen, "%s has no rows for this shape", t->path);
	return node;
}

static int deepep_start(perfdb *db, const char *what, char *err, size_t errlen)
{
	perf_mode mode = perfdb_mode(db);
	if (mode == PERF_SOL || mode == PERF_EMPIRICAL)
		return refuse(what, "the reference has no speed-of-light or empirical estimate for DeepEP", err, errlen);
	if (!backend_is(db, "sglang"))
		return refuse(what, "the DeepEP tables are SGLang-only", err, errlen);
	return 0;
}

int perfdb_wideep_deepep_ll(perfdb *db, double node_num, long long num_tokens, long long num_experts,
			    long long topk, long long hidden_size, perf_result *out, char *err, size_t errlen)
{
	char what[240];
	snprintf(what, sizeof what, "DeepEP low-latency node_num=%g num_tokens=%lld num_experts=%lld topk=%lld hidden=%lld",
		 node_num, num_tokens, num_experts, topk, hidden_size);
	long long a[5] = { dbl_bits(node_num), num_tokens, num_experts, topk, hidden_size };
	if (perfdb_memo_get(db, "deepep_ll", a, 5, NULL, NULL, out))
		return 0;
	int st = deepep_start(db, what, err, errlen);
	if (st)
		return st;
	const table_set *t = table_of(db, "wideep_deepep_ll_perf.txt", table_wideep_deepep_ll_load, &st, err, errlen);
	if (st)
		return st;
	double keys[4] = { node_num, (double)hidden_size, (double)topk, (double)num_experts };
	char why[600];
	const grid_node *node = deepep_node(t, keys, 4, why, sizeof why);
	if (!node || interp_tokens(node, (double)num_tokens, 1.0 / 1000.0, out, why, sizeof why) != 0)
		return refuse(what, why, err, errlen);
	perfdb_memo_put(db, "deepep_ll", a, 5, NULL, NULL, out);
	return 0;
}

int perfdb_wideep_deepep_normal(perfdb *db, double node_num, long long num_tokens, long long num_experts,
				long long topk, long long hidden_size, long long sms, perf_result *out, char *err,
				size_t errlen)
{
	char what[260];
	snprintf(what, sizeof what,
		 "DeepEP normal node_num=%g num_tokens=%lld num_experts=%lld topk=%lld hidden=%lld sms=%lld", node_num,
		 num_tokens, num_experts, topk, hidden_size, sms);
	long long a[6] = { dbl_bits(node_num), num_tokens, num_experts, topk, hidden_size, sms };
	if (perfdb_memo_get(db, "deepep_normal", a, 6, NULL, NULL, out))
		return 0;
	int st = deepep_start(db, what, err, errlen);
	if (st)
		return st;
	const table_set *t = table_of(db, "wideep_deepep_normal_perf.txt", table_wideep_deepep_normal_load, &st, err,
				      errlen);
	if (st)
		return st;
	char why[600];
	if (node_num == 1 && sms == 20) {
		/* one node at 20 SMs, the only SM count collected there: along the tokens only */
		double keys[5] = { node_num, (double)hidden_size, (double)topk, (double)num_experts, (double)sms };
		const grid_node *node = deepep_node(t, keys, 5, why, sizeof why);
		if (!node || interp_tokens(node, (double)num_tokens, 1.0 / 1000.0, out, why, sizeof why) != 0)
			return refuse(what, why, err, errlen);
	} else {
		double keys[4] = { node_num, (double)hidden_size, (double)topk, (double)num_experts };
		const grid_node *node = deepep_node(t, keys, 4, why, sizeof why);
		if (!node)
			return refuse(what, why, err, errlen);
		interp_result r;
		interp_err ie = { 0 };
		if (interp_2d_linear((double)sms, (double)num_tokens, node, true, &r, &ie) != 0) {
			snprintf(why, sizeof why, "no table answer (%s)", ie.msg);
			return refuse(what, why, err, errlen);
		}
		*out = (perf_result){ r.latency / 1000.0, r.energy / 1000.0, PERF_SRC_SILICON, PERF_DET_INTERPOLATED };
	}
	perfdb_memo_put(db, "deepep_normal", a, 6, NULL, NULL, out);
	return 0;
}

/* ---- TRT-LLM wide-EP expert compute ---- */

static double compute_sol_ms(const struct system_spec *sys, const wideep_moe_query *q)
{
	big gemms = q->is_gated ? 3 : 2;
	big total = (big)q->num_tokens * q->topk;
	big h = q->hidden_size, inter = q->inter_size, ep = q->moe_ep, tp = q->moe_tp;
	big ops = total * h * inter * gemms * 2 / ep / tp;
	big per_rank = total / ep;
	/* weights: as many expert slots as this rank holds or its tokens can touch */
	big slots = q->num_slots / ep < per_rank ? q->num_slots / ep : per_rank;
	big elems = per_rank * h * 2 + per_rank * inter * gemms / tp + h * inter * gemms / tp * slots;
	double math = (double)ops / (sys->bfloat16_tc_flops * q->quant->compute) * 1000;
	double mem = q->quant->memory * (double)elems / sys->mem_bw_bytes_per_s * 1000;
	return math > mem ? math : mem;
}

/* The kernel of the part name "kernel|distribution" equals kernel. */
static bool name_has_kernel(const char *name, const char *kernel)
{
	size_t n = strlen(kernel);
	return strncmp(name, kernel, n) == 0 && name[n] == '|';
}

static int compute_silicon(const table_set *t, const char *kernel, const wideep_moe_query *q, perf_result *out,
			   char *err, size_t errlen)
{
	if (!t->loaded)
		return table_not_loaded(t, "wide-EP MoE compute", err, errlen);
	/* the distribution asked for when measured for this kernel and quant mode, else the first */
	const table_part *p = NULL, *first = NULL;
	char want[128];
	snprintf(want, sizeof want, "%s|%s", kernel, q->distribution);
	for (size_t i = 0; i < t->nparts && !p; i++) {
		const table_part *c = &t->parts[i];
		if (c->k1 != q->quant || !name_has_kernel(c->name, kernel))
			continue;
		if (!first)
			first = c;
		if (strcmp(c->name, want) == 0)
			p = c;
	}
	p = table_set_use(t, p ? p : first);
	if (!p) {
		snprintf(err, errlen, "%s has no %s rows for kernel %s", t->path, q->quant->name, kernel);
		return PERFDB_REFUSED;
	}
	double shape[7] = { (double)q->topk,	 (double)q->num_experts, (double)q->hidden_size, (double)q->inter_size,
			    (double)q->num_slots, (double)q->moe_tp,	 (double)q->moe_ep };
	const grid_node *node = grid_find(p->g, shape, 7);
	if (!node) {
		snprintf(err, errlen, "%s has no rows for this shape (%s)", t->path, p->name);
		return PERFDB_REFUSED;
	}
	return interp_tokens(node, (double)q->num_tokens, 1.0, out, err, errlen);
}

int perfdb_wideep_moe_compute(perfdb *db, const wideep_moe_query *q, perf_result *out, char *err, size_t errlen)
{
	char what[400];
	snprintf(what, sizeof what,
		 "wide-EP MoE compute num_tokens=%lld hidden_size=%lld inter_size=%lld topk=%lld num_experts=%lld "
		 "num_slots=%lld moe_tp=%lld moe_ep=%lld quant %s distribution %s",
		 q->num_tokens, q->hidden_size, q->inter_size, q->topk, q->num_experts, q->num_slots, q->moe_tp, q->moe_ep,
		 q->quant->name, q->distribution);
	if (q->moe_tp <= 0 || q->moe_ep <= 0)
		return refuse(what, "moe_tp and moe_ep must be positive", err, errlen);
	long long a[8] = { q->num_tokens, q->hidden_size, q->inter_size, q->topk, q->num_experts, q->num_slots,
			   q->moe_tp * 1000000 + q->moe_ep, str_hash(q->distribution) * 2 + q->is_gated };
	if (perfdb_memo_get(db, "wideep_moe_compute", a, 8, q->quant, NULL, out))
		return 0;
	const struct system_spec *sys = perfdb_system(db);
	double sol = compute_sol_ms(sys, q);
	perf_mode mode = perfdb_mode(db);
	if (perf_mode_formula(mode, sol, 0.4, out)) {
		/* speed of light or empirical: no table read */
	} else {
		int st = 0;
		const table_set *t = NULL;
		/* only TRT-LLM has the table; elsewhere the look-up fails (HYBRID falls back) */
		if (backend_is(db, "trtllm")) {
			t = table_of(db, "wideep_moe_perf.txt", table_wideep_moe_compute_load, &st, err, errlen);
			if (st)
				return st;
		}
		/* TRT-LLM's kernel choice: DeepGEMM for block fp8 on Blackwell, else Cutlass; a kernel
		 * the table lacks gives way to the table's first */
		const char *kernel = sys->sm_version >= 100 && strstr(q->quant->name, "fp8_block") ? "deepgemm"
												  : "moe_torch_flow";
		char first[48] = "";
		bool have = false;
		for (size_t i = 0; t && t->loaded && i < t->nparts && !have; i++) {
			if (!first[0]) {
				snprintf(first, sizeof first, "%s", t->parts[i].name);
				char *bar = strchr(first, '|');
				if (bar)
					*bar = 0;
			}
			have = name_has_kernel(t->parts[i].name, kernel);
		}
		if (!have && first[0])
			kernel = first;
		if (t)
			st = compute_silicon(t, kernel, q, out, err, errlen);
		else {
			snprintf(err, errlen, "backend %s has no wide-EP MoE compute table", perfdb_paths(db)->backend);
			st = PERFDB_REFUSED;
		}
		/* the fallback counts three GEMMs and the math only, whatever the gating */
		big ops = (big)q->num_tokens * q->topk * q->hidden_size * q->inter_size * 3 * 2 / q->moe_ep / q->moe_tp;
		double empirical = (double)ops / (sys->bfloat16_tc_flops * q->quant->compute) * 1000 / 0.4;
		if ((st = perf_mode_settle(perfdb_mode(db), st, empirical, out, what, err, errlen)))
			return st;
	}
	perfdb_memo_put(db, "wideep_moe_compute", a, 8, q->quant, NULL, out);
	return 0;
}

/* ---- TRT-LLM all-to-all ---- */

static bool upper_is(const char *s, const char *upper)
{
	if (!s)
		return false;
	for (; *s && *upper; s++, upper++)
		if (toupper((unsigned char)*s) != *upper)
			return false;
	return *s == 0 && *upper == 0;
}

/* TRT-LLM's per-backend all-to-all method (select_alltoall_method_type). */
static const char *alltoall_kernel(const struct system_spec *sys, long long moe_ep, long long topk,
				   const char *moe_backend)
{
	if (upper_is(moe_backend, "DEEPGEMM") || upper_is(moe_backend, "CUTE_DSL"))
		return NULL;
	bool mnnvl = sys->sm_version >= 100;
	if (!upper_is(moe_backend, "WIDEEP"))
		return mnnvl ? "NVLinkOneSided" : NULL;
	if (mnnvl)
		return "NVLinkTwoSided";
	if (moe_ep > 1 && topk <= 8)
		return moe_ep > sys->num_gpus_per_node ? "DeepEP" : "DeepEPLowLatency";
	return NULL;
}

int perfdb_trtllm_alltoall(perfdb *db, const char *op_name, long long num_tokens, long long hidden_size,
			   long long topk, long long num_experts, long long moe_ep, const quant_mode *quant,
			   long long node_num, const char *moe_backend, perf_result *out, char *err, size_t errlen)
{
	char what[300];
	if (node_num <= 0)
		node_num = moe_ep < 4 ? 1 : moe_ep / 4;
	snprintf(what, sizeof what,
		 "TRT-LLM %s num_tokens=%lld hidden_size=%lld topk=%lld num_experts=%lld moe_ep=%lld node_num=%lld quant %s",
		 op_name, num_tokens, hidden_size, topk, num_experts, moe_ep, node_num, quant->name);
	static const char *const ops[] = { "alltoall_prepare", "alltoall_dispatch", "alltoall_combine",
					   "alltoall_combine_low_precision" };
	int op = -1;
	for (int i = 0; i < 4; i++)
		if (strcmp(op_name, ops[i]) == 0)
			op = i;
	if (op < 0)
		return refuse(what, "unknown all-to-all op (alltoall_prepare, alltoall_dispatch, alltoall_combine, "
				    "alltoall_combine_low_precision)", err, errlen);
	long long a[8] = { op, num_tokens, hidden_size, topk, num_experts, moe_ep, node_num, str_hash(moe_backend) };
	if (perfdb_memo_get(db, "trtllm_alltoall", a, 8, quant, NULL, out))
		return 0;
	const struct system_spec *sys = perfdb_system(db);
	/* speed of light: the bytes one rank sends over NVLink (or the network beyond one node) */
	double bw = node_num > 1 ? sys->inter_node_bw_bytes_per_s : sys->intra_node_bw_bytes_per_s;
	long long remote = topk < num_experts ? topk : num_experts;
	if (moe_ep - 1 < remote)
		remote = moe_ep - 1;
	double bytes;
	if (op == 0)
		bytes = (double)(num_tokens * topk * 4); /* routing indices */
	else if (op >= 2)
		bytes = (double)(num_tokens * remote * hidden_size) * (op == 3 ? 0.5 : 2);
	else
		bytes = (double)(num_tokens * remote * hidden_size) * quant->memory;
	double sol = bytes / bw * 1000;
	perf_mode mode = perfdb_mode(db);
	const char *kernel = alltoall_kernel(sys, moe_ep, topk, moe_backend);
	if (perf_mode_formula(mode, sol, 0.5, out)) {
		/* speed of light or empirical: no table read */
	} else if (!kernel) {
		*out = perf_formula(0.0, PERF_SRC_EMPIRICAL); /* no all-to-all on this system/backend */
	} else {
		int st = 0;
		const table_set *t = NULL;
		if (backend_is(db, "trtllm")) {
			t = table_of(db, "trtllm_alltoall_perf.txt", table_trtllm_alltoall_load, &st, err, errlen);
			if (st)
				return st;
		}
		if (!t || !t->loaded || t->nparts == 0) {
			snprintf(err, errlen, "no TRT-LLM all-to-all data for version '%s'", perfdb_paths(db)->version);
			st = PERFDB_REFUSED;
		} else {
			/* fp8_block traffic is fp8 traffic */
			const quant_mode *tq = strcmp(quant->name, "fp8_block") == 0 ? quant_find(QUANT_MOE, "fp8") : quant;
			char name[64];
			snprintf(name, sizeof name, "%s|%s", kernel, op_name);
			table_key key = { .k1 = tq, .name = name };
			const table_part *p = table_set_find(t, &key);
			double shape[5] = { (double)node_num, (double)hidden_size, (double)topk, (double)num_experts,
					    (double)moe_ep };
			const grid_node *node = p ? grid_find(p->g, shape, 5) : NULL;
			if (!node) {
				snprintf(err, errlen, "%s has no %s rows for kernel %s, %s and this shape", t->path, op_name,
					 kernel, tq->name);
				st = PERFDB_REFUSED;
			} else {
				st = interp_tokens(node, (double)num_tokens, 1.0, out, err, errlen);
			}
		}
		if ((st = perf_mode_settle(perfdb_mode(db), st, sol / 0.5, out, what, err, errlen)))
			return st;
	}
	perfdb_memo_put(db, "trtllm_alltoall", a, 8, quant, NULL, out);
	return 0;
}
