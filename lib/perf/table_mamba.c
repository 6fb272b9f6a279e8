#include "table_mamba.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "datadir.h"
#include "interp.h"
#include "table_set.h"

/* A row's phase: pointers to these (rows of any other phase are kept under PHASE_OTHER,
 * which no look-up asks for). */
static const char PHASE_CONTEXT[] = "context", PHASE_GENERATION[] = "generation", PHASE_OTHER[] = "other";

/* In a part's key the phase is a number after the shape (numeric keys are what lib/perf/table_cache
 * can store, so the tables are cached like the others). */
static double phase_code(const char *phase)
{
	return phase == PHASE_CONTEXT ? 0.0 : phase == PHASE_GENERATION ? 1.0 : 2.0;
}

static const char *phase_key(const char *phase)
{
	if (strcmp(phase, PHASE_CONTEXT) == 0)
		return PHASE_CONTEXT;
	if (strcmp(phase, PHASE_GENERATION) == 0)
		return PHASE_GENERATION;
	return PHASE_OTHER;
}

/* What differs between the two files. */
typedef struct ssm_format {
	const char *file;
	const char *const *shape_cols; /* the model key, in the reference's tuple order */
	int nshape;                    /* < TABLE_MAX_PREFIX: the phase code follows the shape */
	bool keep_generation;          /* false: the mamba2 loader's quirk (see the header) */
} ssm_format;

static const char *const mamba2_cols[] = { "d_model", "d_state", "d_conv", "nheads", "head_dim", "n_groups",
					   "chunk_size" };
static const char *const gdn_cols[] = { "d_model", "num_k_heads", "head_k_dim", "num_v_heads", "head_v_dim",
					"d_conv" };
static const ssm_format MAMBA2 = { "mamba2_perf.txt", mamba2_cols, 7, false };
static const ssm_format GDN = { "gdn_perf.txt", gdn_cols, 6, true };
_Static_assert(7 < TABLE_MAX_PREFIX, "the phase code fits after the longest shape");

/* Every part is a 2-level grid: [batch][seq_len] in context; generation rows sit at
 * [batch][0], the reference keying them by batch alone. Parts are created in the order their
 * first row is read, which the width fallback relies on. */
static int load_ssm(table_set *t, const char *dir, const ssm_format *f, char *err, size_t errlen)
{
	char path[DATADIR_PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/%s", dir, f->file);
	table_csv c;
	int st = table_set_open(t, &c, path, 2, err, errlen);
	if (st != TABLE_CSV_OK)
		return st == TABLE_CSV_MISSING ? 0 : -1;
	int pcol = table_csv_col(&c, "power");
	t->has_power = pcol >= 0;
	int kscol, phcol, bcol, scol, lcol, shape[8];
	bool ok = c.nrows == 0 ||
		  (table_require_col(&c, "kernel_source", &kscol, err, errlen) &&
		   table_require_col(&c, "phase", &phcol, err, errlen) &&
		   table_require_col(&c, "batch_size", &bcol, err, errlen) &&
		   table_require_col(&c, "seq_len", &scol, err, errlen) && table_require_col(&c, "latency", &lcol, err, errlen));
	for (int i = 0; ok && c.nrows && i < f->nshape; i++)
		ok = table_require_col(&c, f->shape_cols[i], &shape[i], err, errlen);
	for (size_t r = 0; ok && r < c.nrows; r++) {
		const char *ks = table_csv_cell(&c, r, kscol);
		const char *phase = phase_key(table_csv_cell(&c, r, phcol));
		if (strlen(ks) >= sizeof t->parts[0].name) {
			snprintf(err, errlen, "%s:%ld: kernel_source '%s' is too long", path, c.lines[r], ks);
			ok = false;
			break;
		}
		long long b, s, v;
		table_key key = { .name = ks, .npre = f->nshape + 1 };
		key.pre[f->nshape] = phase_code(phase);
		if (!(ok = table_row_int(&c, r, bcol, &b, err, errlen)) || !(ok = table_row_int(&c, r, scol, &s, err, errlen)))
			break;
		for (int i = 0; ok && i < f->nshape; i++)
			if ((ok = table_row_int(&c, r, shape[i], &v, err, errlen)))
				key.pre[i] = (double)v;
		double lat, power;
		if (!ok || !(ok = table_row_latency(&c, r, lcol, &lat, err, errlen)) ||
		    !(ok = table_row_float(&c, r, pcol, &power, err, errlen)))
			break;
		if (phase != PHASE_CONTEXT && !f->keep_generation)
			continue;
		table_part *part = table_set_part(t, &key);
		double keys[2] = { (double)b, phase == PHASE_CONTEXT ? (double)s : 0.0 };
		grid_leaf leaf = grid_leaf_dict(lat, power, power * lat);
		grid_insert(part->g, keys, &leaf, GRID_KEEP_FIRST);
	}
	table_csv_free(&c);
	return ok ? 0 : -1;
}

static int load_mamba2(table_set *t, const char *dir, const struct system_spec *sys, char *err, size_t errlen)
{
	(void)sys;
	return load_ssm(t, dir, &MAMBA2, err, errlen);
}

static int load_gdn(table_set *t, const char *dir, const struct system_spec *sys, char *err, size_t errlen)
{
	(void)sys;
	return load_ssm(t, dir, &GDN, err, errlen);
}

static perf_result sol_result(const perfdb *db, double bytes)
{
	double ms = bytes / perfdb_system(db)->mem_bw_bytes_per_s * 1000;
	return (perf_result){ ms, 0.0, PERF_SRC_SOL, PERF_DET_SOL };
}

/* The part measured for this shape, else the width fallback (mamba2: first part of that width;
 * gdn: closest number of value heads, first on ties); NULL when the width was not measured. */
static const table_part *find_shape(const table_set *t, const char *ks, const char *phase, const double *shape,
				    int nshape, bool closest_heads)
{
	table_key key = { .name = ks, .npre = nshape + 1 };
	memcpy(key.pre, shape, (size_t)nshape * sizeof *shape);
	key.pre[nshape] = phase_code(phase);
	const table_part *exact = table_set_find(t, &key);
	if (exact)
		return exact;
	const table_part *best = NULL;
	double best_gap = 0;
	for (size_t i = 0; i < t->nparts; i++) {
		const table_part *p = &t->parts[i];
		if (p->pre[nshape] != key.pre[nshape] || strcmp(p->name, ks) != 0 || p->pre[0] != shape[0])
			continue;
		if (!closest_heads)
			return table_set_use(t, p);
		double gap = p->pre[3] > shape[3] ? p->pre[3] - shape[3] : shape[3] - p->pre[3];
		if (!best || gap < best_gap)
			best = p, best_gap = gap;
	}
	return table_set_use(t, best);
}

/* The table part's answer, or 1 when the reference falls back to the speed of light. */
static int lookup_part(const table_part *p, const char *phase, long long batch, long long seq_len, perf_result *out,
		       char *err, size_t errlen)
{
	interp_err ie;
	const grid_node *root = grid_root(p->g);
	if (phase == PHASE_CONTEXT) {
		if (seq_len <= 0)
			return 1;
		interp_result r;
		int rc = interp_2d_linear((double)batch, (double)seq_len, root, interp_dict_leaves(p->g), &r, &ie);
		if (rc == INTERP_ERANGE || rc == INTERP_EMISSING || rc == INTERP_ENONFINITE)
			return 1; /* the reference's ValueError / KeyError */
		if (rc) {
			snprintf(err, errlen, "interpolating %s at batch %lld, seq_len %lld: %s", p->name, batch, seq_len,
				 ie.msg);
			return PERFDB_REFUSED;
		}
		bool measured = grid_node_child(root, (double)batch) &&
				grid_node_leaf(grid_node_child(root, (double)batch), (double)seq_len);
		*out = (perf_result){ r.latency, r.energy, PERF_SRC_SILICON,
				      measured ? PERF_DET_MEASURED : PERF_DET_INTERPOLATED };
		return 0;
	}
	const double *keys;
	size_t n = grid_node_keys(root, &keys);
	if (n == 0)
		return 1;
	double lo, hi;
	if (interp_nearest_1d((double)batch, keys, n, false, &lo, &hi, &ie))
		return 1;
	const grid_node *l = grid_node_child(root, lo), *h = grid_node_child(root, hi);
	const grid_leaf *yl = l ? grid_node_leaf(l, 0.0) : NULL, *yh = h ? grid_node_leaf(h, 0.0) : NULL;
	if (!yl || !yh)
		return 1;
	grid_leaf v;
	if (interp_1d_leaf(lo, hi, yl, yh, (double)batch, &v, &ie))
		return 1;
	/* the 1-D interpolation keeps latency and power; energy is their product */
	double lat = grid_leaf_get(&v, GRID_LATENCY);
	perf_detail det = (double)batch == lo || (double)batch == hi ? PERF_DET_MEASURED
		: ((double)batch > lo && (double)batch < hi) ? PERF_DET_INTERPOLATED
							       : PERF_DET_EXTRAPOLATED;
	*out = (perf_result){ lat, grid_leaf_get(&v, GRID_POWER) * lat, PERF_SRC_SILICON, det };
	return 0;
}

static int lookup(perfdb *db, const ssm_format *f, perfdb_table_loader load, const char *phase_in, const char *ks,
		  long long batch, long long seq_len, const double *shape, double sol_bytes, perf_result *out, char *err,
		  size_t errlen)
{
	const table_set *t = perfdb_table(db, f->file, load, err, errlen);
	if (!t)
		return PERFDB_FATAL;
	const char *phase = phase_key(phase_in);
	const table_part *p = t->loaded ? find_shape(t, ks, phase, shape, f->nshape, f == &GDN) : NULL;
	int rc = p ? lookup_part(p, phase, batch, seq_len, out, err, errlen) : 1;
	if (rc == 1) {
		*out = sol_result(db, sol_bytes);
		rc = 0;
	}
	return rc;
}

static bool is_conv(const char *ks)
{
	return strcmp(ks, "causal_conv1d_fn") == 0 || strcmp(ks, "causal_conv1d_update") == 0;
}

/* Tokens the kernel reads: the whole prompt in context, one per sequence in generation. */
static double tokens(const char *phase, long long batch, long long seq_len)
{
	return strcmp(phase, "context") == 0 && seq_len ? (double)batch * (double)seq_len : (double)batch;
}

int table_mamba2_lookup(perfdb *db, const char *phase, const char *kernel_source, long long batch,
			long long seq_len, const mamba2_shape *s, perf_result *out, char *err, size_t errlen)
{
	double x = tokens(phase, batch, seq_len);
	double d_inner = (double)(s->nheads * s->head_dim);
	double bytes;
	if (is_conv(kernel_source)) {
		/* the convolution reads d_conv taps plus the input of every channel and writes one */
		double conv_dim = d_inner + (double)(2 * s->n_groups * s->d_state);
		bytes = x * conv_dim * (double)(s->d_conv + 1) * 2 + x * conv_dim * 2;
	} else {
		/* the scan reads x, B, C and dt and writes y */
		bytes = x * (d_inner + (double)(s->n_groups * s->d_state * 2) + (double)s->nheads) * 2 + x * d_inner * 2;
	}
	double shape[7] = { (double)s->d_model, (double)s->d_state,  (double)s->d_conv,    (double)s->nheads,
			    (double)s->head_dim, (double)s->n_groups, (double)s->chunk_size };
	return lookup(db, &MAMBA2, load_mamba2, phase, kernel_source, batch, seq_len, shape, bytes, out, err, errlen);
}

int table_gdn_lookup(perfdb *db, const char *phase, const char *kernel_source, long long batch, long long seq_len,
		     const gdn_shape *s, perf_result *out, char *err, size_t errlen)
{
	double x = tokens(phase, batch, seq_len);
	double qk = (double)(s->num_k_heads * s->head_k_dim), v = (double)(s->num_v_heads * s->head_v_dim);
	double state = (double)(s->num_v_heads * s->head_k_dim * s->head_v_dim);
	double b = (double)batch, bytes;
	if (is_conv(kernel_source)) {
		bytes = x * (qk + v) * (double)(s->d_conv + 1) * 2 + x * (qk + v) * 2;
	} else if (strcmp(kernel_source, "chunk_gated_delta_rule") == 0) {
		/* the chunked scan (64-token chunks) also writes and reads back one state per chunk */
		double chunks = seq_len ? (double)(seq_len / 64) : 0.0;
		double h_chunks = chunks * state * 2 * b;
		bytes = (x * (qk + v) * 2 + state * 2 * b + h_chunks) + (x * v * 2 + state * 2 * b + h_chunks);
	} else if (strcmp(kernel_source, "fused_sigmoid_gating_delta_rule_update") == 0) {
		/* one decode step reads and writes every sequence's state */
		bytes = (x * (qk + v) * 2 + state * 2 * b) + (x * v * 2 + state * 2 * b);
	} else {
		bytes = x * (double)s->d_model * 2 + x * (double)s->d_model * 2;
	}
	double shape[6] = { (double)s->d_model,	   (double)s->num_k_heads, (double)s->head_k_dim,
			    (double)s->num_v_heads, (double)s->head_v_dim,  (double)s->d_conv };
	return lookup(db, &GDN, load_gdn, phase, kernel_source, batch, seq_len, shape, bytes, out, err, errlen);
}
