#include "table_mla.h"

#include <stdio.h>
#include <string.h>

#include "interp.h"
#include "table_gemm.h"
#include "table_targets.h"

/* ---- speed of light ---- */

/* MLA's per-head widths in DeepSeek-V3: q/k 192 (128 nope + 64 rope), v 128; the decode kernel
 * works on the 512 + 64 latent (576) and 1088 = 2 × 512 + 64 per head. */
double context_mla_sol_ms(const struct system_spec *sys, double b, double s, double prefix, double heads,
			  const quant_mode *kv, const quant_mode *fmha)
{
	double full_s = s + prefix;
	/* multiply-add counts twice, causality halves */
	double ops = b * heads * 2 / 2 * (192 + 128) * (full_s * full_s - prefix * prefix);
	double mem = b * heads * (kv->memory * full_s * (192 + 128) + 2 * s * (192 + 128));
	double math = ops / sys->bfloat16_tc_flops * 1000 / fmha->compute;
	double memt = mem / sys->mem_bw_bytes_per_s * 1000;
	return math > memt ? math : memt;
}

/* Compute factor of the decode kernel: fp8 with an fp8 cache, else bfloat16. */
static double gen_compute(const quant_mode *kv)
{
	return strcmp(kv->name, "fp8") == 0 ? quant_find(QUANT_FMHA, "fp8")->compute
					    : quant_find(QUANT_FMHA, "bfloat16")->compute;
}

static void gen_attention_parts(const struct system_spec *sys, double b, double s, double heads,
				const quant_mode *kv, double *math, double *memt)
{
	double ops = 2 * b * heads * 1088 * s;
	double mem = b * (heads * 1088 * 2 + (s - 1) * 576 * kv->memory);
	*math = ops / sys->bfloat16_tc_flops * 1000 / gen_compute(kv);
	*memt = mem / sys->mem_bw_bytes_per_s * 1000;
}

double generation_mla_sol_ms(const struct system_spec *sys, double b, double s, double heads, const quant_mode *kv)
{
	double math, memt;
	gen_attention_parts(sys, b, s, heads, kv, &math, &memt);
	return math > memt ? math : memt;
}

double mla_bmm_sol_ms(const struct system_spec *sys, double tokens, double heads, const quant_mode *q)
{
	double ops = 2 * tokens * heads * 128 * 512;
	double mem = heads * (tokens * 640 + 128 * 512) * q->memory;
	double math = ops / (sys->bfloat16_tc_flops * q->compute) * 1000;
	double memt = mem / sys->mem_bw_bytes_per_s * 1000;
	return math > memt ? math : memt;
}

double generation_mla_module_sol_ms(const struct system_spec *sys, double b, double s, double heads,
				    const quant_mode *kv, const quant_mode *gemm)
{
	double math, memt;
	gen_attention_parts(sys, b, s, heads, kv, &math, &memt);
	/* plus the BMMs before and after the attention kernel */
	double bmm_ops = 2 * 2 * b * heads * 128 * 512;
	double bmm_mem = 2 * heads * (b * 640 + 128 * 512) * gemm->memory;
	math += bmm_ops / (sys->bfloat16_tc_flops * gemm->compute) * 1000;
	memt += bmm_mem / sys->mem_bw_bytes_per_s * 1000;
	return math > memt ? math : memt;
}

/* ---- loading ---- */

static const quant_mode *row_quant(const table_csv *c, size_t r, int col, quant_kind kind, char *err, size_t errlen)
{
	const char *name = table_csv_cell(c, r, col);
	const quant_mode *q = quant_find(kind, name);
	if (!q)
		snprintf(err, errlen, "%s:%ld: unknown %s '%s'", c->path, c->lines[r], c->header[col], name);
	return q;
}

typedef enum mla_kind { K_CTX, K_GEN, K_BMM, K_CTX_MODULE, K_GEN_MODULE } mla_kind;

/* Heads of a row: the num_heads column, else DeepSeek-V3's 128 heads over tp_size. */
static bool row_heads(const table_csv *c, size_t r, int heads_col, int tp_col, long long *heads, char *err,
		      size_t errlen)
{
	if (heads_col >= 0)
		return table_row_int(c, r, heads_col, heads, err, errlen);
	long long tp;
	if (!table_row_int(c, r, tp_col, &tp, err, errlen))
		return false;
	if (tp <= 0) {
		snprintf(err, errlen, "%s:%ld: tp_size must be positive", c->path, c->lines[r]);
		return false;
	}
	*heads = 128 / tp;
	return true;
}

static int load(table_set *t, const char *dir, const char *file, mla_kind kind, char *err, size_t errlen)
{
	char path[DATADIR_PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	table_csv c;
	int st = table_set_open(t, &c, path, kind == K_BMM ? 2 : 3, err, errlen);
	if (st != TABLE_CSV_OK)
		return st == TABLE_CSV_MISSING ? 0 : -1;
	bool module = kind == K_CTX_MODULE || kind == K_GEN_MODULE;
	bool gen = kind == K_GEN || kind == K_GEN_MODULE;
	int fmha = -1, kv = -1, gemm = -1, b = -1, s = -1, step = -1, lat = -1, tp = -1, op = -1;
	int heads = table_csv_col(&c, "num_heads"), power = table_csv_col(&c, "power");
	bool ok = true;
	if (c.nrows) {
		if (kind == K_BMM)
			ok = table_require_col(&c, "bmm_dtype", &gemm, err, errlen) &&
			     table_require_col(&c, "op_name", &op, err, errlen) &&
			     table_require_col(&c, "num_tokens", &b, err, errlen) &&
			     table_require_col(&c, "num_heads", &heads, err, errlen);
		else
			ok = (kind == K_GEN || table_require_col(&c, "mla_dtype", &fmha, err, errlen)) &&
			     table_require_col(&c, "kv_cache_dtype", &kv, err, errlen) &&
			     (!module || table_require_col(&c, "gemm_type", &gemm, err, errlen)) &&
			     (heads >= 0 || table_require_col(&c, "tp_size", &tp, err, errlen)) &&
			     table_require_col(&c, "batch_size", &b, err, errlen) &&
			     table_require_col(&c, "isl", &s, err, errlen) &&
			     (!gen || table_require_col(&c, "step", &step, err, errlen));
		ok = ok && table_require_col(&c, "latency", &lat, err, errlen);
	}
	t->has_power = ok && c.nrows && power >= 0;
	for (size_t r = 0; ok && r < c.nrows; r++) {
		long long nb = 0, ns = 0, nstep = 0, nh = 0;
		double latency, pw;
		ok = row_heads(&c, r, heads, tp, &nh, err, errlen) && table_row_int(&c, r, b, &nb, err, errlen) &&
		     (s < 0 || table_row_int(&c, r, s, &ns, err, errlen)) &&
		     (step < 0 || table_row_int(&c, r, step, &nstep, err, errlen)) &&
		     table_row_latency(&c, r, lat, &latency, err, errlen) &&
		     table_row_float(&c, r, power, &pw, err, errlen);
		if (!ok)
			break;
		const quant_mode *qf = fmha >= 0 ? row_quant(&c, r, fmha, QUANT_FMHA, err, errlen) : NULL;
		const quant_mode *qk = kv >= 0 ? row_quant(&c, r, kv, QUANT_KVCACHE, err, errlen) : NULL;
		const quant_mode *qg = gemm >= 0 ? row_quant(&c, r, gemm, QUANT_GEMM, err, errlen) : NULL;
		if ((fmha >= 0 && !qf) || (kv >= 0 && !qk) || (gemm >= 0 && !qg)) {
			ok = false;
			break;
		}
		table_key key = { 0 };
		double keys[3];
		switch (kind) {
		case K_CTX:
			key.k1 = qf, key.k2 = qk;
			keys[0] = (double)nh, keys[1] = (double)ns, keys[2] = (double)nb;
			break;
		case K_GEN:
			key.k1 = qk;
			keys[0] = (double)nh, keys[1] = (double)nb, keys[2] = (double)(ns + nstep);
			break;
		case K_BMM:
			key.k1 = qg, key.name = table_csv_cell(&c, r, op);
			keys[0] = (double)nh, keys[1] = (double)nb;
			break;
		case K_CTX_MODULE:
			key.k1 = qf, key.k2 = qk, key.name = qg->name;
			keys[0] = (double)nh, keys[1] = (double)ns, keys[2] = (double)nb;
			break;
		case K_GEN_MODULE:
			key.k1 = qf, key.k2 = qk, key.name = qg->name;
			keys[0] = (double)nh, keys[1] = (double)nb, keys[2] = (double)(ns + nstep);
			break;
		}
		if (key.name && strlen(key.name) >= sizeof t->parts[0].name) {
			snprintf(err, errlen, "%s:%ld: op_name '%s' is too long", c.path, c.lines[r], key.name);
			ok = false;
			break;
		}
		table_part *p = table_set_part(t, &key);
		grid_leaf leaf = grid_leaf_dict(latency, pw, pw * latency);
		/* The module tables keep the last row of a shape, the others the first (as the reference). */
		grid_insert(p->g, keys, &leaf, module ? GRID_OVERWRITE : GRID_KEEP_FIRST);
	}
	table_csv_free(&c);
	return ok ? 0 : -1;
}

int table_context_mla_load(table_set *t, const char *dir, const struct system_spec *sys, char *err, size_t errlen)
{
	(void)sys;
	if (load(t, dir, "context_mla_perf.txt", K_CTX, err, errlen) != 0)
		return -1;
	/* attention time grows with the square of the sequence: extend its square root */
	return table_targets_extend_parts(t, table_ctx_seq_targets(), TABLE_CTX_SEQ_TARGETS, table_ctx_batch_targets,
					  TABLE_CTX_BATCH_TARGETS, true, err, errlen);
}

int table_generation_mla_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
			      size_t errlen)
{
	(void)sys;
	if (load(t, dir, "generation_mla_perf.txt", K_GEN, err, errlen) != 0)
		return -1;
	return table_targets_extend_parts(t, table_gen_batch_targets, TABLE_GEN_BATCH_TARGETS, table_gen_len_targets,
					  TABLE_GEN_LEN_TARGETS, false, err, errlen);
}

int table_mla_bmm_load(table_set *t, const char *dir, const struct system_spec *sys, char *err, size_t errlen)
{
	(void)sys;
	return load(t, dir, "mla_bmm_perf.txt", K_BMM, err, errlen);
}

int table_mla_context_module_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				  size_t errlen)
{
	(void)sys;
	if (load(t, dir, "mla_context_module_perf.txt", K_CTX_MODULE, err, errlen) != 0)
		return -1;
	return table_targets_extend_parts(t, table_ctx_seq_targets(), TABLE_CTX_SEQ_TARGETS, table_ctx_batch_targets,
					  TABLE_CTX_BATCH_TARGETS, false, err, errlen);
}

int table_mla_generation_module_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
				     size_t errlen)
{
	(void)sys;
	if (load(t, dir, "mla_generation_module_perf.txt", K_GEN_MODULE, err, errlen) != 0)
		return -1;
	return table_targets_extend_parts(t, table_gen_batch_targets, TABLE_GEN_BATCH_TARGETS, table_gen_len_targets,
					  TABLE_GEN_LEN_TARGETS, false, err, errlen);
}

/* ---- look-ups ---- */

static const table_part *find_part(const table_set *t, const void *k1, const void *k2, const char *name)
{
	if (!t->loaded)
		return NULL;
	table_key key = { .k1 = k1, .k2 = k2, .name = name };
	return table_set_find(t, &key);
}

static int missing(const table_set *t, const char *what, const char *shape, char *err, size_t errlen)
{
	if (!t->loaded)
		return table_not_loaded(t, what, err, errlen);
	snprintf(err, errlen, "%s: %s has no rows for these quant modes/heads", shape, t->path);
	return PERFDB_REFUSED;
}

/* interp_3d over a part; detail from whether the point was measured or inside the measured box. */
static int interp_part(const table_part *p, double x, double y, double z, interp_method method, double correction,
		       const char *what, perf_result *out, char *err, size_t errlen)
{
	interp_result r;
	interp_err ie = { 0 };
	if (interp_3d(x, y, z, grid_root(p->g), interp_dict_leaves(p->g), method, &r, &ie) != 0) {
		snprintf(err, errlen, "%s: no table answer (%s)", what, ie.msg);
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

static double prefix_correction(long long s, long long prefix)
{
	double full_s = (double)(s + prefix), pf = (double)prefix;
	return (full_s * full_s - pf * pf) / (full_s * full_s);
}

int table_context_mla_query(const table_set *t, long long b, long long s, long long prefix, long long heads,
			    const quant_mode *kv, const quant_mode *fmha, perf_result *out, char *err, size_t errlen)
{
	char shape[200];
	snprintf(shape, sizeof shape, "context MLA b=%lld s=%lld prefix=%lld heads=%lld kv cache %s fmha %s", b, s,
		 prefix, heads, kv->name, fmha->name);
	const table_part *p = find_part(t, fmha, kv, NULL);
	if (!p)
		return missing(t, "context MLA", shape, err, errlen);
	return interp_part(p, (double)heads, (double)(s + prefix), (double)b, INTERP_CUBIC, prefix_correction(s, prefix),
			   shape, out, err, errlen);
}

int table_generation_mla_query(const table_set *t, long long b, long long s, long long heads, const quant_mode *kv,
			       perf_result *out, char *err, size_t errlen)
{
	char shape[200];
	snprintf(shape, sizeof shape, "generation MLA b=%lld s=%lld heads=%lld kv cache %s", b, s, heads, kv->name);
	const table_part *p = find_part(t, kv, NULL, NULL);
	if (!p)
		return missing(t, "generation MLA", shape, err, errlen);
	return interp_part(p, (double)heads, (double)b, (double)s, INTERP_BILINEAR, 1.0, shape, out, err, errlen);
}

int table_mla_bmm_query(const table_set *t, long long tokens, long long heads, const quant_mode *q, bool pre,
			perf_result *out, char *err, size_t errlen)
{
	const char *op = pre ? "mla_gen_pre" : "mla_gen_post";
	char shape[200];
	snprintf(shape, sizeof shape, "MLA BMM %s tokens=%lld heads=%lld quant %s", op, tokens, heads, q->name);
	if (!t->loaded)
		return table_not_loaded(t, "MLA BMM", err, errlen);
	/* a quant mode the table lacks reads the bfloat16 rows */
	bool has_quant = false;
	for (size_t i = 0; i < t->nparts && !has_quant; i++)
		has_quant = t->parts[i].k1 == q;
	if (!has_quant)
		q = quant_find(QUANT_GEMM, "bfloat16");
	const table_part *p = find_part(t, q, NULL, op);
	const grid_node *row = p ? grid_node_child(grid_root(p->g), (double)heads) : NULL;
	if (!row)
		return missing(t, "MLA BMM", shape, err, errlen);
	const double *keys;
	size_t n = grid_node_keys(row, &keys);
	double lo, hi;
	interp_err ie = { 0 };
	grid_leaf leaf;
	if (interp_nearest_1d((double)tokens, keys, n, false, &lo, &hi, &ie) != 0 ||
	    interp_1d_leaf(lo, hi, grid_node_leaf(row, lo), grid_node_leaf(row, hi), (double)tokens, &leaf, &ie) != 0) {
		snprintf(err, errlen, "%s: no table answer (%s)", shape, ie.msg);
		return PERFDB_REFUSED;
	}
	perf_detail d = (double)tokens == lo || (double)tokens == hi ? PERF_DET_MEASURED
			: (double)tokens > keys[0] && (double)tokens < keys[n - 1] ? PERF_DET_INTERPOLATED
										  : PERF_DET_EXTRAPOLATED;
	*out = (perf_result){ grid_leaf_get(&leaf, GRID_LATENCY), grid_leaf_get(&leaf, GRID_ENERGY), PERF_SRC_SILICON, d };
	return 0;
}

int table_mla_context_module_query(const table_set *t, long long b, long long s, long long prefix, long long heads,
				   const quant_mode *kv, const quant_mode *fmha, const quant_mode *gemm,
				   perf_result *out, char *err, size_t errlen)
{
	char shape[240];
	snprintf(shape, sizeof shape,
		 "context MLA module b=%lld s=%lld prefix=%lld heads=%lld kv cache %s fmha %s gemm %s", b, s, prefix,
		 heads, kv->name, fmha->name, gemm->name);
	const table_part *p = find_part(t, fmha, kv, gemm->name);
	if (!p)
		return missing(t, "context MLA module", shape, err, errlen);
	return interp_part(p, (double)heads, (double)(s + prefix), (double)b, INTERP_CUBIC, prefix_correction(s, prefix),
			   shape, out, err, errlen);
}

int table_mla_generation_module_query(const table_set *t, long long b, long long s, long long heads,
				      const quant_mode *kv, const quant_mode *fmha, const quant_mode *gemm,
				      perf_result *out, char *err, size_t errlen)
{
	char shape[240];
	snprintf(shape, sizeof shape, "generation MLA module b=%lld s=%lld heads=%lld kv cache %s fmha %s gemm %s", b,
		 s, heads, kv->name, fmha->name, gemm->name);
	const table_part *p = find_part(t, fmha, kv, gemm->name);
	if (!p)
		return missing(t, "generation MLA module", shape, err, errlen);
	return interp_part(p, (double)heads, (double)b, (double)s, INTERP_CUBIC, 1.0, shape, out, err, errlen);
}
