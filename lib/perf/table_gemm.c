#include "explain.h"
#include "table_gemm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datadir_list.h"
#include "diag.h"
#include "interp.h"

/* The reference extends every GEMM table to these token counts (m) and to these n and k, so
 * that later look-ups only interpolate. */
static const double target_m[] = {
	1, 2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768,
	896, 1024, 2048, 4096, 8192, 16384, 32768, 131072, 524288, 1048576, 2097152.0 * 8,
};
static const double target_nk[] = {
	32, 64, 128, 256, 512, 768, 1024, 1536, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168,
	8192, 10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768, 40960, 49152, 57344, 65536,
	131072, 262144,
};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const quant_mode *gemm_table_quant(const quant_mode *q)
{
	if (q && strcmp(q->name, "fp8_static") == 0)
		return quant_find(QUANT_GEMM, "fp8");
	return q;
}

double gemm_sol_ms(const struct system_spec *sys, double m, double n, double k, const quant_mode *q)
{
	double flops = system_tc_flops(sys, q->compute);
	double math = 2.0 * m * n * k / flops * 1000.0;
	double mem = q->memory * (m * n + m * k + n * k) / sys->mem_bw_bytes_per_s * 1000.0;
	return math > mem ? math : mem;
}

double compute_scale_sol_ms(const struct system_spec *sys, double m, double k)
{
	return 2.0 * m * k / sys->mem_bw_bytes_per_s * 1000.0;
}

double scale_matrix_sol_ms(const struct system_spec *sys, double m, double k)
{
	return 3.0 * m * k / sys->mem_bw_bytes_per_s * 1000.0;
}

/* Read one of the three files: columns dtype_col + key columns + latency (+ power). */
static int load_file(table_set *t, const char *dir, const char *file, const char *dtype_col,
		     const char *const *key_cols, int nkeys, char *err, size_t errlen)
{
	char path[DATADIR_PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	table_csv c;
	int st = table_set_open(t, &c, path, nkeys, err, errlen);
	if (st != TABLE_CSV_OK)
		return st == TABLE_CSV_MISSING ? 0 : -1;
	int dcol, lcol, kcol[3];
	int pcol = table_csv_col(&c, "power");
	t->has_power = pcol >= 0;
	bool ok = c.nrows == 0 || (table_require_col(&c, dtype_col, &dcol, err, errlen) &&
				   table_require_col(&c, "latency", &lcol, err, errlen));
	for (int i = 0; ok && c.nrows && i < nkeys; i++)
		ok = table_require_col(&c, key_cols[i], &kcol[i], err, errlen);
	const char *last_name = NULL;
	table_part *part = NULL;
	for (size_t r = 0; ok && r < c.nrows; r++) {
		const char *qname = table_csv_cell(&c, r, dcol);
		if (!last_name || strcmp(qname, last_name) != 0) {
			const quant_mode *q = quant_find(QUANT_GEMM, qname);
			if (!q) {
				snprintf(err, errlen, "%s:%ld: unknown %s '%s'", path, c.lines[r], dtype_col, qname);
				ok = false;
				break;
			}
			table_key key = { .k1 = q };
			part = table_set_part(t, &key);
			last_name = qname;
		}
		double keys[3];
		for (int i = 0; i < nkeys; i++) {
			long long v;
			if (!(ok = table_row_int(&c, r, kcol[i], &v, err, errlen)))
				break;
			keys[i] = (double)v;
		}
		double lat, power;
		if (!ok || !(ok = table_row_latency(&c, r, lcol, &lat, err, errlen)) ||
		    !(ok = table_row_float(&c, r, pcol, &power, err, errlen)))
			break;
		grid_leaf leaf = grid_leaf_dict(lat, power, power * lat);
		grid_insert(part->g, keys, &leaf, GRID_KEEP_FIRST);
	}
	table_csv_free(&c);
	return ok ? 0 : -1;
}

typedef struct {
	const struct system_spec *sys;
	const quant_mode *q;
} sol_ctx;

/* The reference raises every measured GEMM latency below the speed of light to it. */
static void clamp_to_sol(const double *keys, grid_leaf *leaf, void *vctx)
{
	const sol_ctx *ctx = vctx;
	double sol = gemm_sol_ms(ctx->sys, keys[0], keys[1], keys[2], ctx->q);
	double cur = grid_leaf_get(leaf, GRID_LATENCY);
	if (sol > cur)
		leaf->latency = sol;
}

/* Clamp to the speed of light, then extend the grid (the reference's order). */
static int finalize_gemm(table_set *t, table_part *p, char *err, size_t errlen)
{
	sol_ctx ctx = { t->ctx, p->k1 };
	table_walk(p->g, clamp_to_sol, &ctx);
	table_part_record_box(p);
	interp_err ie;
	if (interp_extrapolate_grid(p->g, target_m, COUNT(target_m), target_nk, COUNT(target_nk), target_nk,
				    COUNT(target_nk), false, &ie) != 0) {
		snprintf(err, errlen, "%s: extrapolating the %s table failed: %s", t->path,
			 ((const quant_mode *)p->k1)->name, ie.msg);
		return -1;
	}
	return 0;
}

int table_gemm_load(table_set *gemm, table_set *compute_scale, table_set *scale_matrix, const char *dir,
		    const struct system_spec *sys, char *err, size_t errlen)
{
	static const char *const mnk[] = { "m", "n", "k" };
	static const char *const mk[] = { "m", "k" };
	if (load_file(gemm, dir, "gemm_perf.txt", "gemm_dtype", mnk, 3, err, errlen) != 0 ||
	    load_file(compute_scale, dir, "computescale_perf.txt", "quant_dtype", mk, 2, err, errlen) != 0 ||
	    load_file(scale_matrix, dir, "scale_matrix_perf.txt", "quant_dtype", mk, 2, err, errlen) != 0)
		return -1;
	gemm->finalize = finalize_gemm;
	gemm->ctx = sys;
	return 0;
}

/* "quant modes present: a, b" for refusals. */
static void list_modes(const table_set *t, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < t->nparts && used < n; i++) {
		const quant_mode *q = t->parts[i].k1;
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= t->parts[j].k1 == q;
		if (!dup)
			used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? ", " : "", q->name);
	}
	if (!buf[0])
		snprintf(buf, n, "none");
}

int table_not_loaded(const table_set *t, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "no %s data: %s does not exist", what, t->path);
	return PERFDB_REFUSED;
}

/* The part of table t for quant mode q, or a refusal. */
static int part_for(table_set *t, const char *what, const quant_mode *q, const table_part **out,
		    char *err, size_t errlen)
{
	if (!t->loaded)
		return table_not_loaded(t, what, err, errlen);
	table_key key = { .k1 = gemm_table_quant(q) };
	bool failed;
	*out = table_set_ready(t, &key, &failed, err, errlen);
	if (failed)
		return PERFDB_FATAL;
	if (!*out) {
		char modes[256];
		list_modes(t, modes, sizeof modes);
		snprintf(err, errlen, "no %s data for quant mode %s in %s (it has: %s)", what, q->name, t->path, modes);
		return PERFDB_REFUSED;
	}
	return 0;
}

static perf_result silicon(double latency, double energy, perf_detail detail)
{
	return (perf_result){ latency, energy, PERF_SRC_SILICON, detail };
}

/* The m keys of the table (ascending, as the root holds them) whose rows hold (n, k): in *mvals,
 * a caller's 64-value buffer or, for more, malloc'd (the caller frees what is not its buffer).
 * Kept for the last few (table, n, k): a sweep asks a few GEMM shapes at many token counts, and
 * each scan searched every m's node (a twentieth of a sweep's query). */
enum { M_LINES = 8, M_LINE_MAX = 64 };
static struct m_line_memo {
	const table_part *p;
	unsigned long changes; /* grid_changes() then */
	double n, k;
	size_t cnt;
	double m[M_LINE_MAX];
} m_lines[M_LINES];
static unsigned m_lines_next;

static size_t m_line(const table_part *p, const grid_node *root, double n, double k, double **mvals)
{
	unsigned long changes = grid_changes();
	for (unsigned i = 0; i < M_LINES; i++) {
		const struct m_line_memo *e = &m_lines[i];
		if (e->p == p && e->changes == changes && e->n == n && e->k == k) {
			memcpy(*mvals, e->m, e->cnt * sizeof *e->m);
			return e->cnt;
		}
	}
	const double *mkeys;
	size_t nm = grid_node_keys(root, &mkeys), cnt = 0, cap = M_LINE_MAX;
	for (size_t i = 0; i < nm; i++) {
		const grid_node *byn = grid_node_child_at(root, i); /* the node of mkeys[i] */
		const grid_node *byk = byn ? grid_node_child(byn, n) : NULL;
		if (byk && grid_node_has(byk, k)) {
			if (cnt == cap) {
				cap *= 2;
				double *nv = xmalloc(cap * sizeof *nv);
				memcpy(nv, *mvals, cnt * sizeof *nv);
				if (cnt > M_LINE_MAX)
					free(*mvals);
				*mvals = nv;
			}
			(*mvals)[cnt++] = mkeys[i];
		}
	}
	if (cnt <= M_LINE_MAX) {
		struct m_line_memo *e = &m_lines[m_lines_next++ % M_LINES];
		*e = (struct m_line_memo){ p, changes, n, k, cnt, { 0 } };
		memcpy(e->m, *mvals, cnt * sizeof *e->m);
	}
	return cnt;
}

int table_gemm_query(table_set *gemm, long long m, long long n, long long k, const quant_mode *q,
		     perf_result *out, char *err, size_t errlen)
{
	const table_part *p;
	int st = part_for(gemm, "GEMM", q, &p, err, errlen);
	if (st)
		return st;
	double keys[3] = { (double)m, (double)n, (double)k };
	bool inside = table_part_inside(p, keys, 3);
	perf_detail near = inside ? PERF_DET_INTERPOLATED : PERF_DET_EXTRAPOLATED;
	const grid_leaf *hit = grid_get(p->g, keys);
	if (hit) {
		bool measured = (hit->flags & GRID_LEAF_HAS_ENERGY) != 0;
		*out = silicon(grid_leaf_get(hit, GRID_LATENCY), grid_leaf_get(hit, GRID_ENERGY),
			       measured ? PERF_DET_MEASURED : near);
		if (explain_on) /* a row of the table, or a point its load-time extrapolation made */
			explain_step(measured ? "row" : "extrapolated_row", 3, keys, 1, keys, &out->latency, out->latency);
		return 0;
	}
	/* the m values holding this exact (n, k): a 1-D line along m when there are two */
	const grid_node *root = grid_root(p->g);
	double mv[M_LINE_MAX], *mvals = mv; /* m_line fills it, or gives a larger array of its own */
	size_t cnt = m_line(p, root, keys[1], keys[2], &mvals);
	interp_err ie = { 0 };
	if (cnt >= 2) {
		double lo, hi;
		grid_leaf r;
		st = interp_nearest_1d(keys[0], mvals, cnt, false, &lo, &hi, &ie);
		if (mvals != mv)
			free(mvals);
		if (st == 0) {
			double kl[3] = { lo, keys[1], keys[2] }, kh[3] = { hi, keys[1], keys[2] };
			explain_suspend(); /* said below with all three coordinates */
			st = interp_1d_leaf(lo, hi, grid_get(p->g, kl), grid_get(p->g, kh), keys[0], &r, &ie);
			explain_resume();
			if (st == 0 && explain_on) {
				const double pts[6] = { lo, keys[1], keys[2], hi, keys[1], keys[2] };
				const double vals[2] = { grid_leaf_get(grid_get(p->g, kl), GRID_LATENCY),
							 grid_leaf_get(grid_get(p->g, kh), GRID_LATENCY) };
				explain_step("linear_1d", 3, keys, 2, pts, vals, grid_leaf_get(&r, GRID_LATENCY));
			}
		}
		if (st == 0) {
			*out = silicon(grid_leaf_get(&r, GRID_LATENCY), grid_leaf_get(&r, GRID_ENERGY), near);
			return 0;
		}
	} else {
		if (mvals != mv)
			free(mvals);
		interp_result r;
		st = interp_3d(keys[0], keys[1], keys[2], root, interp_dict_leaves(p->g), INTERP_CUBIC, &r, &ie);
		if (st == 0) {
			*out = silicon(r.latency, r.energy, near);
			return 0;
		}
	}
	snprintf(err, errlen, "GEMM m=%lld n=%lld k=%lld %s: no table answer (%s)", m, n, k, q->name, ie.msg);
	return PERFDB_REFUSED;
}

int table_scale_query(table_set *t, const char *what, long long m, long long k, const quant_mode *q,
		      perf_result *out, char *err, size_t errlen)
{
	const table_part *p;
	int st = part_for(t, what, q, &p, err, errlen);
	if (st)
		return st;
	const grid_node *root = grid_root(p->g);
	const double *mkeys;
	size_t nm = grid_node_keys(root, &mkeys);
	double mi = (double)m, ki = (double)k;
	/* both axes are clamped to the measured range: no extrapolation here */
	if (nm) {
		if (mi < mkeys[0])
			mi = mkeys[0];
		if (mi > mkeys[nm - 1])
			mi = mkeys[nm - 1];
	}
	bool have_k = false;
	double kmin = 0, kmax = 0;
	for (size_t i = 0; i < nm; i++) {
		const double *kk;
		size_t nk = grid_node_keys(grid_node_child(root, mkeys[i]), &kk);
		if (!nk)
			continue;
		if (!have_k || kk[0] < kmin)
			kmin = kk[0];
		if (!have_k || kk[nk - 1] > kmax)
			kmax = kk[nk - 1];
		have_k = true;
	}
	if (have_k) {
		if (ki < kmin)
			ki = kmin;
		if (ki > kmax)
			ki = kmax;
	}
	interp_result r;
	interp_err ie = { 0 };
	st = interp_2d_linear(mi, ki, root, interp_dict_leaves(p->g), &r, &ie);
	if (st == 0) {
		perf_detail d = (mi != (double)m || ki != (double)k) ? PERF_DET_EXTRAPOLATED : PERF_DET_INTERPOLATED;
		if (grid_node_has(root, mi) && grid_node_has(grid_node_child(root, mi), ki))
			d = mi == (double)m && ki == (double)k ? PERF_DET_MEASURED : d;
		*out = silicon(r.latency, r.energy, d);
		return 0;
	}
	snprintf(err, errlen, "%s m=%lld k=%lld %s: no table answer (%s)", what, m, k, q->name, ie.msg);
	return PERFDB_REFUSED;
}
