#include "table_dsa.h"
#include "diag.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "table_gemm.h"
#include "table_targets.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* rows without an architecture column are DeepSeek-V3.2's */
static const char *const default_architecture = "DeepseekV32ForCausalLM";

/* ---- speed of light ---- */

/* Multiply-adds of the projections (kv_a with the indexer key, q_b, indexer q and weights, o_proj)
 * and of the two absorbed BMMs, for `tokens` tokens. */
static double gemm_group_ops(const dsa_dims *d, double tokens, double heads)
{
	double proj_out = d->q_lora_rank + d->kv_lora_rank + d->qk_rope_head_dim + d->index_head_dim;
	double qk_head = d->qk_nope_head_dim + d->qk_rope_head_dim;
	return 2 * tokens * d->hidden_size * proj_out + 2 * tokens * d->q_lora_rank * (heads * qk_head) +
	       2 * tokens * d->q_lora_rank * (d->index_n_heads * d->index_head_dim) +
	       2 * tokens * d->hidden_size * d->index_n_heads + 2 * tokens * (heads * d->v_head_dim) * d->hidden_size +
	       2 * heads * tokens * d->qk_nope_head_dim * d->kv_lora_rank +
	       2 * heads * tokens * d->kv_lora_rank * d->v_head_dim;
}

/* Bytes of those projection weights. */
static double gemm_weight_bytes(const dsa_dims *d, double heads, const quant_mode *gemm)
{
	double proj_out = d->q_lora_rank + d->kv_lora_rank + d->qk_rope_head_dim + d->index_head_dim;
	double qk_head = d->qk_nope_head_dim + d->qk_rope_head_dim;
	return (d->hidden_size * proj_out + d->q_lora_rank * heads * qk_head +
		d->q_lora_rank * d->index_n_heads * d->index_head_dim + d->hidden_size * d->index_n_heads +
		heads * d->v_head_dim * d->hidden_size) *
	       gemm->memory;
}

static double sol_of(const struct system_spec *sys, double gemm_ops, double indexer_ops, double attn_ops,
		     double mem_bytes, const quant_mode *gemm, const quant_mode *fmha)
{
	const quant_mode *fp8 = quant_find(QUANT_FMHA, "fp8");
	double math = (gemm_ops / system_tc_flops(sys, gemm->compute) + indexer_ops / system_tc_flops(sys, fp8->compute) +
		       attn_ops / system_tc_flops(sys, fmha->compute)) *
		      1000;
	double memt = mem_bytes / sys->mem_bw_bytes_per_s * 1000;
	return math > memt ? math : memt;
}

double dsa_context_sol_ms(const struct system_spec *sys, const dsa_dims *d, double b, double s, double prefix,
			  double heads, const quant_mode *kv, const quant_mode *fmha, const quant_mode *gemm)
{
	double full_s = s + prefix, tokens = b * s, topk = d->index_topk;
	double attn_head = d->kv_lora_rank + d->qk_rope_head_dim;
	/* the indexer scores every cached key only once there are more than top-k of them */
	double indexer_ops = full_s <= topk ? 0 : 2 * tokens * d->index_n_heads * d->index_head_dim * full_s;
	/* query i (of s) attends min(prefix + i + 1, top-k) keys */
	double pairs;
	if (full_s <= topk)
		pairs = b * ((full_s * (full_s + 1) - prefix * (prefix + 1)) / 2);
	else if (prefix >= topk)
		pairs = tokens * topk;
	else
		pairs = b * ((topk * (topk + 1) - prefix * (prefix + 1)) / 2) + b * (full_s - topk) * topk;
	double attn_ops = 2 * heads * (attn_head + d->kv_lora_rank) * pairs;
	double effective_kv = full_s < topk ? full_s : topk;
	double kv_bytes = b * heads * effective_kv * attn_head * kv->memory;
	double indexer_bytes = full_s <= topk ? 0 : b * full_s * dsa_indexer_entry_bytes((long)d->index_head_dim);
	double q_bytes = tokens * heads * (d->qk_nope_head_dim + d->qk_rope_head_dim) * fmha->memory * 2;
	double mem = gemm_weight_bytes(d, heads, gemm) + kv_bytes + indexer_bytes + q_bytes;
	return sol_of(sys, gemm_group_ops(d, tokens, heads), indexer_ops, attn_ops, mem, gemm, fmha);
}

double dsa_generation_sol_ms(const struct system_spec *sys, const dsa_dims *d, double b, double s, double heads,
			     const quant_mode *kv, const quant_mode *gemm)
{
	double tokens = b, topk = d->index_topk;
	double attn_head = d->kv_lora_rank + d->qk_rope_head_dim;
	double effective_kv = s < topk ? s : topk;
	double indexer_ops = 2 * tokens * d->index_n_heads * d->index_head_dim * s;
	double attn_ops = 2 * tokens * heads * (attn_head + d->kv_lora_rank) * effective_kv;
	double mem = gemm_weight_bytes(d, heads, gemm) + b * s * dsa_indexer_entry_bytes((long)d->index_head_dim) +
		     b * effective_kv * attn_head * kv->memory;
	/* decode's sparse attention is rated at bfloat16 whatever the cache holds */
	return sol_of(sys, gemm_group_ops(d, tokens, heads), indexer_ops, attn_ops, mem, gemm,
		      quant_find(QUANT_FMHA, "bfloat16"));
}

/* ---- loading ---- */

/* The part name: GEMM mode and architecture. */
static bool part_name(char *buf, size_t n, const char *gemm, const char *arch)
{
	int w = snprintf(buf, n, "%s|%s", gemm, arch);
	return w >= 0 && (size_t)w < n;
}

static const quant_mode *row_quant(const table_csv *c, size_t r, int col, quant_kind kind, char *err, size_t errlen)
{
	const char *name = table_csv_cell(c, r, col);
	const quant_mode *q = quant_find(kind, name);
	if (!q)
		snprintf(err, errlen, "%s:%ld: unknown %s '%s'", c->path, c->lines[r], c->header[col], name);
	return q;
}

/* Context parts: pre = {prefix, 1 for the rows as read / 0 for the extended copy}. */
enum { EXTENDED = 0, AS_READ = 1 };

static int extend_part(table_set *t, table_part *p, const double *y, size_t ny, const double *z, size_t nz,
		       char *err, size_t errlen)
{
	table_part_record_box(p);
	const double *heads;
	size_t nh = grid_node_keys(grid_root(p->g), &heads);
	if (!nh)
		return 0;
	double *x = xmalloc(nh * sizeof *x);
	memcpy(x, heads, nh * sizeof *x);
	interp_err ie;
	int st = interp_extrapolate_grid(p->g, x, nh, y, ny, z, nz, false, &ie);
	free(x);
	if (st != 0) {
		snprintf(err, errlen, "%s: extending the grid failed: %s", t->path, ie.msg);
		return -1;
	}
	return 0;
}

static int finalize_context(table_set *t, table_part *p, char *err, size_t errlen)
{
	if (p->npre == 2 && p->pre[1] == AS_READ) {
		table_part_record_box(p);
		return 0;
	}
	return extend_part(t, p, table_ctx_seq_targets(), TABLE_CTX_SEQ_TARGETS, table_ctx_batch_targets,
			   TABLE_CTX_BATCH_TARGETS, err, errlen);
}

static int finalize_generation(table_set *t, table_part *p, char *err, size_t errlen)
{
	return extend_part(t, p, table_gen_batch_targets, TABLE_GEN_BATCH_TARGETS, table_gen_len_targets,
			   TABLE_GEN_LEN_TARGETS, err, errlen);
}

static int load(table_set *t, const char *dir, const char *file, bool context, char *err, size_t errlen)
{
	char path[DATADIR_PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	table_csv c;
	int st = table_set_open(t, &c, path, 3, err, errlen);
	t->finalize = context ? finalize_context : finalize_generation;
	if (st != TABLE_CSV_OK)
		return st == TABLE_CSV_MISSING ? 0 : -1;
	int fmha = -1, kv = -1, gemm = -1, heads = -1, b = -1, s = -1, lat = -1;
	int step = table_csv_col(&c, "step"), arch = table_csv_col(&c, "architecture");
	int power = table_csv_col(&c, "power");
	bool ok = true;
	if (c.nrows)
		ok = (!context || table_require_col(&c, "mla_dtype", &fmha, err, errlen)) &&
		     table_require_col(&c, "kv_cache_dtype", &kv, err, errlen) &&
		     table_require_col(&c, "gemm_type", &gemm, err, errlen) &&
		     table_require_col(&c, "num_heads", &heads, err, errlen) &&
		     table_require_col(&c, "batch_size", &b, err, errlen) &&
		     table_require_col(&c, "isl", &s, err, errlen) &&
		     (context || table_require_col(&c, "step", &step, err, errlen)) &&
		     table_require_col(&c, "latency", &lat, err, errlen);
	t->has_power = ok && c.nrows && power >= 0;
	for (size_t r = 0; ok && r < c.nrows; r++) {
		long long nh, nb, ns, nstep = 0;
		double latency, pw;
		ok = table_row_int(&c, r, heads, &nh, err, errlen) && table_row_int(&c, r, b, &nb, err, errlen) &&
		     table_row_int(&c, r, s, &ns, err, errlen) && table_row_latency(&c, r, lat, &latency, err, errlen) &&
		     table_row_float(&c, r, power, &pw, err, errlen);
		if (!ok)
			break;
		const char *a = arch >= 0 ? table_csv_cell(&c, r, arch) : default_architecture;
		const char *step_text = step >= 0 ? table_csv_cell(&c, r, step) : "";
		if (context && strcmp(a, "GlmMoeDsaForCausalLM") == 0 && step_text[0] == '\0') {
			/* GLM-5's context rows must say how many tokens were cached before them */
			snprintf(err, errlen, "%s:%ld: GLM-5 context DSA rows need a step (cached prefix length)", c.path,
				 c.lines[r]);
			ok = false;
			break;
		}
		if (step_text[0] && !(ok = table_row_int(&c, r, step, &nstep, err, errlen)))
			break;
		const quant_mode *qf = context ? row_quant(&c, r, fmha, QUANT_FMHA, err, errlen) : NULL;
		const quant_mode *qk = row_quant(&c, r, kv, QUANT_KVCACHE, err, errlen);
		const quant_mode *qg = row_quant(&c, r, gemm, QUANT_GEMM, err, errlen);
		if ((context && !qf) || !qk || !qg) {
			ok = false;
			break;
		}
		char name[sizeof t->parts[0].name];
		if (!part_name(name, sizeof name, qg->name, a)) {
			snprintf(err, errlen, "%s:%ld: architecture '%s' is too long", c.path, c.lines[r], a);
			ok = false;
			break;
		}
		grid_leaf leaf = grid_leaf_dict(latency, pw, pw * latency);
		if (context) {
			double keys[3] = { (double)nh, (double)ns, (double)nb };
			for (int copy = EXTENDED; copy <= AS_READ; copy++) {
				table_key key = { .k1 = qf, .k2 = qk, .name = name, .pre = { (double)nstep, copy }, .npre = 2 };
				grid_insert(table_set_part(t, &key)->g, keys, &leaf, GRID_OVERWRITE);
			}
		} else {
			double keys[3] = { (double)nh, (double)nb, (double)(ns + nstep) };
			table_key key = { .k1 = qk, .name = name };
			grid_insert(table_set_part(t, &key)->g, keys, &leaf, GRID_OVERWRITE);
		}
	}
	table_csv_free(&c);
	return ok ? 0 : -1;
}

int table_dsa_context_load(table_set *t, const char *dir, const struct system_spec *sys, char *err, size_t errlen)
{
	(void)sys;
	return load(t, dir, "dsa_context_module_perf.txt", true, err, errlen);
}

int table_dsa_generation_load(table_set *t, const char *dir, const struct system_spec *sys, char *err,
			      size_t errlen)
{
	(void)sys;
	return load(t, dir, "dsa_generation_module_perf.txt", false, err, errlen);
}

/* ---- look-ups ---- */

typedef struct answer {
	double latency, power, energy;
	perf_detail detail;
} answer;

static bool finite_answer(const answer *a) { return isfinite(a->latency); }

static answer leaf_answer(const grid_leaf *l, perf_detail d)
{
	return (answer){ grid_leaf_get(l, GRID_LATENCY), grid_leaf_get(l, GRID_POWER), grid_leaf_get(l, GRID_ENERGY), d };
}

/* Sorted distinct batches <= qb over every sequence row of one head count, largest first. */
static size_t batches_at_most(const grid_node *sub, double qb, double **out)
{
	const double *seqs;
	size_t ns = grid_node_keys(sub, &seqs), n = 0, cap = 0;
	double *v = NULL;
	for (size_t i = 0; i < ns; i++) {
		const double *bs;
		size_t nb = grid_node_keys(grid_node_child(sub, seqs[i]), &bs);
		for (size_t j = 0; j < nb; j++) {
			if (bs[j] > qb)
				continue;
			bool seen = false;
			for (size_t k = 0; k < n && !seen; k++)
				seen = v[k] == bs[j];
			if (seen)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				double *g = realloc(v, cap * sizeof *g);
				if (!g) {
					free(v);
					*out = NULL;
					return 0;
				}
				v = g;
			}
			v[n++] = bs[j];
		}
	}
	/* descending */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] < v[j]; j--) {
			double x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	*out = v;
	return n;
}

/* One batch column of the fallback: the leaf at (qs, bp), else a line along the sequence
 * through the two nearest measured lengths (inside their range only, unless extend). */
static bool at_batch(const grid_node *sub, double qs, double bp, bool extend, answer *out)
{
	const grid_node *row = grid_node_child(sub, qs);
	const grid_leaf *hit = row ? grid_node_leaf(row, bp) : NULL;
	if (hit) {
		*out = leaf_answer(hit, PERF_DET_EXTRAPOLATED);
		return true;
	}
	const double *seqs;
	size_t ns = grid_node_keys(sub, &seqs), n = 0;
	double *ss = malloc((ns ? ns : 1) * sizeof *ss);
	if (!ss)
		return false;
	for (size_t i = 0; i < ns; i++)
		if (grid_node_leaf(grid_node_child(sub, seqs[i]), bp))
			ss[n++] = seqs[i];
	bool ok = false;
	double lo, hi;
	interp_err ie;
	if (n >= 2 && (extend || (ss[0] <= qs && qs <= ss[n - 1])) &&
	    interp_nearest_1d(qs, ss, n, !extend, &lo, &hi, &ie) == 0) {
		const grid_leaf *l = grid_node_leaf(grid_node_child(sub, lo), bp);
		const grid_leaf *r = grid_node_leaf(grid_node_child(sub, hi), bp);
		if (l && r && (l->flags & GRID_LEAF_DICT) && (r->flags & GRID_LEAF_DICT)) {
			out->latency = interp_1d(lo, hi, grid_leaf_get(l, GRID_LATENCY), grid_leaf_get(r, GRID_LATENCY), qs);
			out->power = interp_1d(lo, hi, grid_leaf_get(l, GRID_POWER), grid_leaf_get(r, GRID_POWER), qs);
			out->energy = interp_1d(lo, hi, grid_leaf_get(l, GRID_ENERGY), grid_leaf_get(r, GRID_ENERGY), qs);
			out->detail = PERF_DET_EXTRAPOLATED;
			ok = true;
		}
	}
	free(ss);
	return ok;
}

/* The reference's robust 3-D look-up of DeepSeek-V4 (reused by DSA) over [heads][seq][batch]:
 * the measured point, else the cubic interpolation, else the largest batch column not above
 * the query's, read along the sequence and scaled by batch. */
static bool robust_lookup(const table_part *p, double heads, double s, double b, answer *out)
{
	const grid_node *root = grid_root(p->g);
	double coords[3] = { heads, s, b };
	const grid_leaf *hit = grid_get(p->g, coords);
	if (hit && (hit->flags & GRID_LEAF_DICT) && (hit->flags & GRID_LEAF_HAS_LATENCY)) {
		*out = leaf_answer(hit, (hit->flags & GRID_LEAF_HAS_ENERGY) ? PERF_DET_MEASURED : PERF_DET_EXTRAPOLATED);
		return true;
	}
	interp_result r;
	interp_err ie = { 0 };
	if (interp_3d(heads, s, b, root, interp_dict_leaves(p->g), INTERP_CUBIC, &r, &ie) == 0) {
		*out = (answer){ r.latency, r.power, r.energy,
				 table_part_inside(p, coords, 3) ? PERF_DET_INTERPOLATED : PERF_DET_EXTRAPOLATED };
		if (finite_answer(out))
			return true;
	}
	const grid_node *sub = grid_node_child(root, heads);
	if (!sub)
		return false;
	double *bps;
	size_t nb = batches_at_most(sub, b, &bps);
	bool found = false;
	for (int extend = 0; extend <= 1 && !found; extend++)
		for (size_t i = 0; i < nb && !found; i++) {
			answer a;
			if (!at_batch(sub, s, bps[i], extend, &a))
				continue;
			a = (answer){ a.latency * b / bps[i], a.power * b / bps[i], a.energy * b / bps[i],
				      PERF_DET_EXTRAPOLATED };
			if (finite_answer(&a)) {
				*out = a;
				found = true;
			}
		}
	free(bps);
	return found;
}

/* The answer at one measured prefix: 1 found, 0 none, -1 fatal (err). */
static int at_prefix(table_set *t, const quant_mode *fmha, const quant_mode *kv, const char *name, double prefix,
		     double heads, double s, double b, double topk, answer *out, char *err, size_t errlen)
{
	table_key ext_key = { .k1 = fmha, .k2 = kv, .name = name, .pre = { prefix, EXTENDED }, .npre = 2 };
	table_key raw_key = { .k1 = fmha, .k2 = kv, .name = name, .pre = { prefix, AS_READ }, .npre = 2 };
	bool failed;
	table_part *ext = table_set_ready(t, &ext_key, &failed, err, errlen);
	if (failed)
		return -1;
	if (!ext)
		return 0;
	const table_part *raw = table_set_find(t, &raw_key);
	/* within one regime of the top-k boundary (which the prefix moves), along the exact curve */
	interp_result r;
	interp_err ie = { 0 };
	if (raw && interp_context_topk_piecewise(heads, s, b, grid_root(raw->g), topk - prefix, &r, &ie) == 1 &&
	    isfinite(r.latency)) {
		double coords[3] = { heads, s, b };
		const grid_leaf *hit = grid_get(raw->g, coords);
		*out = (answer){ r.latency, r.power, r.energy, hit ? PERF_DET_MEASURED : PERF_DET_INTERPOLATED };
		return 1;
	}
	return robust_lookup(ext, heads, s, b, out) ? 1 : 0;
}

static int refuse_context(const table_set *t, long long b, long long s, long long prefix, long long heads,
			  const quant_mode *kv, const quant_mode *fmha, const quant_mode *gemm, const char *arch,
			  char *err, size_t errlen)
{
	if (!t->loaded)
		return table_not_loaded(t, "context DSA module", err, errlen);
	snprintf(err, errlen,
		 "context DSA module b=%lld s=%lld prefix=%lld heads=%lld kv cache %s fmha %s gemm %s architecture %s: "
		 "%s has no rows that answer it",
		 b, s, prefix, heads, kv->name, fmha->name, gemm->name, arch, t->path);
	return PERFDB_REFUSED;
}

int table_dsa_context_query(table_set *t, long long b, long long s, long long prefix, long long heads,
			    const quant_mode *kv, const quant_mode *fmha, const quant_mode *gemm,
			    const char *architecture, perf_result *out, char *err, size_t errlen)
{
	const char *arch = architecture ? architecture : default_architecture;
	char name[sizeof((table_part *)0)->name];
	if (!t->loaded || !part_name(name, sizeof name, gemm->name, arch))
		return refuse_context(t, b, s, prefix, heads, kv, fmha, gemm, arch, err, errlen);
	double topk = dsa_dims_of(arch)->index_topk;
	answer a;
	int st = at_prefix(t, fmha, kv, name, (double)prefix, (double)heads, (double)s, (double)b, topk, &a, err, errlen);
	if (st < 0)
		return PERFDB_FATAL;
	if (st == 0) {
		/* no answer at this prefix: a line through the answers at the two nearest measured prefixes */
		double *pv = xmalloc(t->nparts * sizeof *pv);
		answer *av = xmalloc(t->nparts * sizeof *av);
		size_t n = 0;
		for (size_t i = 0; i < t->nparts; i++) {
			const table_part *p = &t->parts[i];
			if (p->k1 != fmha || p->k2 != kv || strcmp(p->name, name) || p->npre != 2 || p->pre[1] != EXTENDED)
				continue;
			size_t at = n;
			while (at > 0 && pv[at - 1] > p->pre[0])
				at--;
			memmove(pv + at + 1, pv + at, (n - at) * sizeof *pv);
			pv[at] = p->pre[0];
			n++;
		}
		size_t m = 0;
		for (size_t i = 0; i < n; i++) {
			answer ai;
			int sti = at_prefix(t, fmha, kv, name, pv[i], (double)heads, (double)s, (double)b, topk, &ai, err,
					    errlen);
			if (sti < 0) {
				free(pv);
				free(av);
				return PERFDB_FATAL;
			}
			if (sti == 1) {
				pv[m] = pv[i];
				av[m++] = ai;
			}
		}
		double lo = 0, hi = 0;
		interp_err ie;
		bool ok = m >= 2 && interp_nearest_1d((double)prefix, pv, m, false, &lo, &hi, &ie) == 0;
		if (ok) {
			size_t il = 0, ih = 0;
			while (pv[il] != lo)
				il++;
			while (pv[ih] != hi)
				ih++;
			double x = (double)prefix;
			a = (answer){ interp_1d(lo, hi, av[il].latency, av[ih].latency, x),
				      interp_1d(lo, hi, av[il].power, av[ih].power, x),
				      interp_1d(lo, hi, av[il].energy, av[ih].energy, x),
				      x > pv[0] && x < pv[m - 1] ? PERF_DET_INTERPOLATED : PERF_DET_EXTRAPOLATED };
		}
		free(pv);
		free(av);
		if (!ok)
			return refuse_context(t, b, s, prefix, heads, kv, fmha, gemm, arch, err, errlen);
	}
	*out = (perf_result){ a.latency, a.energy, PERF_SRC_SILICON, a.detail };
	return 0;
}

int table_dsa_generation_query(table_set *t, long long b, long long s, long long heads, const quant_mode *kv,
			       const quant_mode *gemm, const char *architecture, perf_result *out, char *err,
			       size_t errlen)
{
	const char *arch = architecture ? architecture : default_architecture;
	char shape[240];
	snprintf(shape, sizeof shape, "generation DSA module b=%lld s=%lld heads=%lld kv cache %s gemm %s architecture %s",
		 b, s, heads, kv->name, gemm->name, arch);
	if (!t->loaded)
		return table_not_loaded(t, "generation DSA module", err, errlen);
	char name[sizeof((table_part *)0)->name];
	table_key key = { .k1 = kv, .name = name };
	bool failed = false;
	table_part *p = part_name(name, sizeof name, gemm->name, arch) ? table_set_ready(t, &key, &failed, err, errlen)
								       : NULL;
	if (failed)
		return PERFDB_FATAL;
	if (!p) {
		snprintf(err, errlen, "%s: %s has no rows for these quant modes/architecture", shape, t->path);
		return PERFDB_REFUSED;
	}
	double coords[3] = { (double)heads, (double)b, (double)s };
	interp_result r;
	interp_err ie = { 0 };
	if (interp_3d(coords[0], coords[1], coords[2], grid_root(p->g), interp_dict_leaves(p->g), INTERP_CUBIC, &r,
		      &ie) != 0) {
		snprintf(err, errlen, "%s: no table answer (%s)", shape, ie.msg);
		return PERFDB_REFUSED;
	}
	perf_detail d = table_part_inside(p, coords, 3) ? PERF_DET_INTERPOLATED : PERF_DET_EXTRAPOLATED;
	const grid_leaf *hit = grid_get(p->g, coords);
	if (hit && (hit->flags & GRID_LEAF_HAS_ENERGY))
		d = PERF_DET_MEASURED;
	*out = (perf_result){ r.latency, r.energy, PERF_SRC_SILICON, d };
	return 0;
}
