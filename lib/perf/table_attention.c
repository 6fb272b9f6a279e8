#include "table_attention.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "datadir_list.h"
#include "interp.h"
#include "table_gemm.h"
#include "table_targets.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The reference's target lists this table does not share with the others (lib/perf/table_targets):
 * heads, and the context batch sizes. Order matters: values filled earlier serve as neighbours later. */
static const double heads_targets[] = {
	1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 14, 16, 18, 20, 24, 28, 32, 36, 40, 48, 56, 72, 96, 128,
};
/* 512 before 384 here, unlike the other attention-like tables */
static const double ctx_batch_targets[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 384, 1024, 2048 };

double context_attention_sol_ms(const struct system_spec *sys, double b, double s, double prefix, double n,
				double n_kv, double h, double w, const quant_mode *kv, const quant_mode *fmha)
{
	double full_s = s + prefix, ops;
	if (w > 0 && full_s > w)
		ops = 2 * b * (full_s - prefix) * w * n * h * 2;
	else
		ops = 2 * b * (full_s * full_s - prefix * prefix) * n * h * 2 / 2;
	double mem = 2 * b * (n * (full_s - prefix) * h + n * (full_s - prefix) * h) + kv->memory * b * (2 * n_kv * full_s * h);
	double math = ops / sys->bfloat16_tc_flops * 1000 / fmha->compute;
	double memt = mem / sys->mem_bw_bytes_per_s * 1000;
	return math > memt ? math : memt;
}

double generation_attention_sol_ms(const struct system_spec *sys, double b, double s, double n, double n_kv,
				   double h, double w, const quant_mode *kv)
{
	/* an fp8 cache runs the fp8 kernel (compute factor 2), anything else bfloat16 */
	int compute = strcmp(kv->name, "fp8") == 0 ? 2 : 1;
	double kv_len = w > 0 ? (s - 1 < w ? s - 1 : w) : s - 1;
	double ops = 2 * b * n * h * 2 * kv_len;
	double mem = b * (n * h * 2 + 2 * n_kv * kv_len * h * kv->memory + n * h * 2);
	double math = ops / sys->bfloat16_tc_flops * 1000 / compute;
	double memt = mem / sys->mem_bw_bytes_per_s * 1000;
	return math > memt ? math : memt;
}

/* Columns shared by both tables. */
typedef struct {
	int attn, kv, b, s, n, n_kv, head, window, step, lat, power;
} attn_cols;

static bool find_cols(const table_csv *c, attn_cols *k, bool generation, char *err, size_t errlen)
{
	k->window = table_csv_col(c, "window_size"); /* optional: 0 when absent */
	k->power = table_csv_col(c, "power");
	k->step = -1;
	return table_require_col(c, "attn_dtype", &k->attn, err, errlen) &&
	       table_require_col(c, "kv_cache_dtype", &k->kv, err, errlen) &&
	       table_require_col(c, "batch_size", &k->b, err, errlen) &&
	       table_require_col(c, "isl", &k->s, err, errlen) &&
	       table_require_col(c, "num_heads", &k->n, err, errlen) &&
	       table_require_col(c, "num_key_value_heads", &k->n_kv, err, errlen) &&
	       table_require_col(c, "head_dim", &k->head, err, errlen) &&
	       (!generation || table_require_col(c, "step", &k->step, err, errlen)) &&
	       table_require_col(c, "latency", &k->lat, err, errlen);
}

static const quant_mode *row_quant(const table_csv *c, size_t r, int col, quant_kind kind, char *err,
				   size_t errlen)
{
	const char *name = table_csv_cell(c, r, col);
	const quant_mode *q = quant_find(kind, name);
	if (!q)
		snprintf(err, errlen, "%s:%ld: unknown %s '%s'", c->path, c->lines[r], c->header[col], name);
	return q;
}

static int load(table_set *t, const char *dir, const char *file, bool generation, char *err, size_t errlen)
{
	char path[DATADIR_PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	table_csv c;
	int st = table_set_open(t, &c, path, 3, err, errlen);
	if (st != TABLE_CSV_OK)
		return st == TABLE_CSV_MISSING ? 0 : -1;
	attn_cols k;
	bool ok = c.nrows == 0 || find_cols(&c, &k, generation, err, errlen);
	t->has_power = ok && c.nrows && k.power >= 0;
	for (size_t r = 0; ok && r < c.nrows; r++) {
		long long b, s, n, n_kv, head, window = 0, step = 0;
		double lat, power;
		ok = table_row_int(&c, r, k.b, &b, err, errlen) && table_row_int(&c, r, k.s, &s, err, errlen) &&
		     table_row_int(&c, r, k.n, &n, err, errlen) && table_row_int(&c, r, k.n_kv, &n_kv, err, errlen) &&
		     table_row_int(&c, r, k.head, &head, err, errlen) &&
		     (k.window < 0 || table_csv_cell_absent(&c, r, k.window) ||
		      table_row_int(&c, r, k.window, &window, err, errlen)) &&
		     (!generation || table_row_int(&c, r, k.step, &step, err, errlen)) &&
		     table_row_latency(&c, r, k.lat, &lat, err, errlen) &&
		     table_row_float(&c, r, k.power, &power, err, errlen);
		if (!ok)
			break;
		const quant_mode *fmha = generation ? NULL : row_quant(&c, r, k.attn, QUANT_FMHA, err, errlen);
		const quant_mode *kv = row_quant(&c, r, k.kv, QUANT_KVCACHE, err, errlen);
		if ((!generation && !fmha) || !kv) {
			ok = false;
			break;
		}
		/* MHA rows (kv heads == heads) live under kv heads 0 */
		if (n_kv == n)
			n_kv = 0;
		table_key key = { .k1 = generation ? (const void *)kv : (const void *)fmha,
				  .k2 = generation ? NULL : kv,
				  .pre = { (double)n_kv, (double)head, (double)window },
				  .npre = 3 };
		table_part *p = table_set_part(t, &key);
		double keys[3];
		if (generation) {
			keys[0] = (double)n;
			keys[1] = (double)b;
			keys[2] = (double)(s + step);
		} else {
			keys[0] = (double)n;
			keys[1] = (double)s;
			keys[2] = (double)b;
		}
		grid_leaf leaf = grid_leaf_dict(lat, power, power * lat);
		grid_insert(p->g, keys, &leaf, GRID_KEEP_FIRST);
	}
	table_csv_free(&c);
	return ok ? 0 : -1;
}

/* The reference extends each sub-table from its smallest head count upwards only. */
static int extrapolate(table_set *t, table_part *p, const double *y, size_t ny, const double *z, size_t nz,
		       bool sqrt_y, char *err, size_t errlen)
{
	table_part_record_box(p);
	const double *nkeys;
	size_t nn = grid_node_keys(grid_root(p->g), &nkeys);
	if (!nn)
		return 0;
	double x[COUNT(heads_targets)];
	size_t nx = 0;
	for (size_t j = 0; j < COUNT(heads_targets); j++)
		if (heads_targets[j] >= nkeys[0])
			x[nx++] = heads_targets[j];
	interp_err ie;
	if (interp_extrapolate_grid(p->g, x, nx, y, ny, z, nz, sqrt_y, &ie) != 0) {
		snprintf(err, errlen, "%s: extrapolating kv heads %g, head size %g, window %g failed: %s", t->path,
			 p->pre[0], p->pre[1], p->pre[2], ie.msg);
		return -1;
	}
	return 0;
}

static int finalize_context(table_set *t, table_part *p, char *err, size_t errlen)
{
	return extrapolate(t, p, table_ctx_seq_targets(), TABLE_CTX_SEQ_TARGETS, ctx_batch_targets,
			   COUNT(ctx_batch_targets), true, err, errlen);
}

int table_context_attention_load(table_set *t, const char *dir, char *err, size_t errlen)
{
	if (load(t, dir, "context_attention_perf.txt", false, err, errlen) != 0)
		return -1;
	t->finalize = finalize_context;
	return 0;
}

typedef struct {
	const struct system_spec *sys;
	const table_part *p;
} gen_sol_ctx;

static void clamp_gen(const double *keys, grid_leaf *leaf, void *vctx)
{
	const gen_sol_ctx *ctx = vctx;
	const table_part *p = ctx->p;
	double n = keys[0], b = keys[1], s = keys[2];
	double n_kv = p->pre[0] == 0 ? n : p->pre[0];
	double sol = generation_attention_sol_ms(ctx->sys, b, s, n, n_kv, p->pre[1], p->pre[2], p->k1);
	if (sol > grid_leaf_get(leaf, GRID_LATENCY))
		leaf->latency = sol;
}

/* Clamp to the speed of light, then extend (the reference's order). */
static int finalize_generation(table_set *t, table_part *p, char *err, size_t errlen)
{
	gen_sol_ctx ctx = { t->ctx, p };
	table_walk(p->g, clamp_gen, &ctx);
	return extrapolate(t, p, table_gen_batch_targets, TABLE_GEN_BATCH_TARGETS, table_gen_len_targets,
			   TABLE_GEN_LEN_TARGETS, false, err, errlen);
}

int table_generation_attention_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				    size_t errlen)
{
	if (load(t, dir, "generation_attention_perf.txt", true, err, errlen) != 0)
		return -1;
	t->finalize = finalize_generation;
	t->ctx = sys;
	return 0;
}

static int missing_part(const table_set *t, const char *what, char *err, size_t errlen, const char *shape)
{
	if (!t->loaded)
		return table_not_loaded(t, what, err, errlen);
	snprintf(err, errlen, "no %s data for %s in %s", what, shape, t->path);
	return PERFDB_REFUSED;
}

int table_context_attention_query(table_set *t, long long b, long long s, long long prefix, long long n,
				  long long n_kv, const quant_mode *kv, const quant_mode *fmha,
				  long long window_size, long long head_size, perf_result *out, char *err,
				  size_t errlen)
{
	table_key key = { .k1 = fmha, .k2 = kv,
			  .pre = { (double)(n == n_kv ? 0 : n_kv), (double)head_size, (double)window_size }, .npre = 3 };
	bool failed = false;
	const table_part *p = t->loaded ? table_set_ready(t, &key, &failed, err, errlen) : NULL;
	if (failed)
		return PERFDB_FATAL;
	if (!p) {
		char shape[200];
		snprintf(shape, sizeof shape, "fmha %s, kv cache %s, kv heads %lld of %lld, head size %lld, window %lld",
			 fmha->name, kv->name, n_kv, n, head_size, window_size);
		return missing_part(t, "context attention", err, errlen, shape);
	}
	double full_s = (double)(s + prefix), pf = (double)prefix;
	double correction = (full_s * full_s - pf * pf) / (full_s * full_s);
	interp_result r;
	interp_err ie = { 0 };
	int st = interp_3d((double)n, full_s, (double)b, grid_root(p->g), interp_dict_leaves(p->g), INTERP_CUBIC, &r, &ie);
	if (st != 0) {
		snprintf(err, errlen,
			 "context attention b=%lld s=%lld prefix=%lld n=%lld n_kv=%lld head size %lld window %lld: no table answer (%s)",
			 b, s, prefix, n, n_kv, head_size, window_size, ie.msg);
		return PERFDB_REFUSED;
	}
	double coords[3] = { (double)n, full_s, (double)b };
	perf_detail d = table_part_inside(p, coords, 3) ? PERF_DET_INTERPOLATED : PERF_DET_EXTRAPOLATED;
	const grid_leaf *hit = grid_get(p->g, coords);
	if (hit && (hit->flags & GRID_LEAF_HAS_ENERGY) && prefix == 0)
		d = PERF_DET_MEASURED;
	*out = (perf_result){ r.latency * correction, r.energy * correction, PERF_SRC_SILICON, d };
	return 0;
}

int table_generation_attention_query(table_set *t, long long b, long long s, long long n, long long n_kv,
				     const quant_mode *kv, long long window_size, long long head_size,
				     perf_result *out, char *err, size_t errlen)
{
	table_key key = { .k1 = kv, .pre = { (double)(n_kv != n ? n_kv : 0), (double)head_size, (double)window_size },
			  .npre = 3 };
	bool failed = false;
	const table_part *p = t->loaded ? table_set_ready(t, &key, &failed, err, errlen) : NULL;
	if (failed)
		return PERFDB_FATAL;
	if (!p) {
		char shape[200];
		snprintf(shape, sizeof shape, "kv cache %s, kv heads %lld of %lld, head size %lld, window %lld", kv->name,
			 n_kv, n, head_size, window_size);
		return missing_part(t, "generation attention", err, errlen, shape);
	}
	/* the reference averages five kv lengths from 0.9 s to 1.1 s */
	long long s_min = (long long)((double)s * 0.9);
	if (s_min < 1)
		s_min = 1;
	long long s_max = (long long)((double)s * 1.1);
	if (s_max < s_min)
		s_max = s_min;
	double lat = 0, energy = 0;
	bool inside = true, measured = true;
	/* (its message is written only on a failure, which ends the loop: not cleared per sample) */
	interp_err ie;
	ie.code = 0;
	ie.msg[0] = '\0';
	for (int i = 0; i < 5; i++) {
		long long si = s_min + (s_max - s_min) * i / 4;
		interp_result r;
		int st = interp_3d((double)n, (double)b, (double)si, grid_root(p->g), interp_dict_leaves(p->g),
				   INTERP_BILINEAR, &r, &ie);
		if (st != 0) {
			snprintf(err, errlen,
				 "generation attention b=%lld s=%lld n=%lld n_kv=%lld head size %lld window %lld: no table answer at kv length %lld (%s)",
				 b, s, n, n_kv, head_size, window_size, si, ie.msg);
			return PERFDB_REFUSED;
		}
		lat += r.latency;
		energy += r.energy;
		double coords[3] = { (double)n, (double)b, (double)si };
		/* once false, false: no need to look further */
		inside = inside && table_part_inside(p, coords, 3);
		if (measured) {
			const grid_leaf *hit = grid_get(p->g, coords);
			measured = hit && (hit->flags & GRID_LEAF_HAS_ENERGY);
		}
	}
	perf_detail d = measured ? PERF_DET_MEASURED : inside ? PERF_DET_INTERPOLATED : PERF_DET_EXTRAPOLATED;
	*out = (perf_result){ lat / 5, energy / 5, PERF_SRC_SILICON, d };
	return 0;
}
