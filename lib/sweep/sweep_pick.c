#include "sweep_pick.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "pdsort.h"
#include "pyfloat.h"
#include "serving_agg.h"
#include "serving_disagg.h"

/* The reference's constants of the search (pareto_analysis.py, inference_session.py, task.py). */
enum {
	AGG_TOP_PER_TPOT = 10,           /* find_best_agg_result_under_constraints(top_k=10) */
	DISAGG_TOP_PER_TPOT = 5,         /* _find_best_result_under_constraints(return_top_k=5) */
	MAX_PREFILL_CANDIDATES = 32,     /* MAX_PREFILL_WORKERS */
	MAX_DECODE_PER_LAYOUT = 16,      /* MAX_DECODE_WORKERS_PER_CATEGORY */
	MAX_WORKERS = 32,                /* replica_config max_prefill_worker / max_decode_worker */
};
/* Replica sizes a disagg deployment may have (replica_config.num_gpu_per_replica). */
static const long default_replica_sizes[] = {1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128};

void pick_replica_defaults(pick_replica *r)
{
	memset(r, 0, sizeof *r);
	r->nsizes = sizeof default_replica_sizes / sizeof default_replica_sizes[0];
	memcpy(r->sizes, default_replica_sizes, sizeof default_replica_sizes);
	r->max_gpus_per_replica = 128;
	r->max_prefill_workers = r->max_decode_workers = MAX_WORKERS;
	r->prefill_degradation = DISAGG_PREFILL_DEGRADATION;
	r->decode_degradation = DISAGG_DECODE_DEGRADATION;
}

static pick_replica replica_cfg;
static bool replica_set;

void pick_set_replica(const pick_replica *r)
{
	replica_cfg = *r;
	replica_set = true;
}

static const pick_replica *replica(void)
{
	if (!replica_set) {
		pick_replica_defaults(&replica_cfg);
		replica_set = true;
	}
	return &replica_cfg;
}

/* The replica sizes of this search: the configured ones up to max_gpus (every count up to it
 * when any size goes); none (no constraint at all, the reference's empty set) when none is left. */
enum { SIZE_TABLE_MAX = 4096 }; /* replica sizes up to this looked up in a table */

typedef struct replica_sizes_t {
	const pick_replica *cfg;
	long max_gpus;
	bool constrained;
	/* constrained, max_gpus <= SIZE_TABLE_MAX: whether each GPU count up to max_gpus is an
	 * allowed size (the worker matching asks this for every count of every pair) */
	bool tabled;
	bool size_ok[SIZE_TABLE_MAX + 1];
} replica_sizes_t;

/* Room for n more rows (a table of known size is allocated once: each doubling copied the rows
 * into pages touched for the first time, a fault each). */
static void reserve(pick_table *t, size_t n)
{
	if (t->n + n <= t->cap)
		return;
	t->cap = t->n + n;
	t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
}

static void push(pick_table *t, const pick_row *r)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
	}
	t->rows[t->n++] = *r;
}

void pick_table_free(pick_table *t)
{
	free(t->rows);
	memset(t, 0, sizeof *t);
}

static bool same_layout(const sweep_layout *a, const sweep_layout *b)
{
	return a->tp == b->tp && a->pp == b->pp && a->dp == b->dp && a->moe_tp == b->moe_tp && a->moe_ep == b->moe_ep;
}

/* Stable merge sort of rows (by pointer) by a comparison on rows (pandas' order on ties: input
 * order; see docs/sweep.md on the reference's unstable sorts). */
typedef int (*row_cmp)(const pick_row *a, const pick_row *b);

static void sort_rows(const pick_row **rows, size_t n, row_cmp cmp)
{
	if (n < 2)
		return;
	const pick_row **tmp = xrealloc(NULL, n * sizeof *tmp);
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = cmp(rows[j], rows[i]) < 0 ? rows[j++] : rows[i++];
			while (i < mid)
				tmp[k++] = rows[i++];
			while (j < hi)
				tmp[k++] = rows[j++];
		}
		memcpy(rows, tmp, n * sizeof *rows);
	}
	free(tmp);
}

/* pandas' sort_values on one column (lib/util/pdsort): the reference ranks with it, and its order
 * among equal keys (not the input order) decides which rows a top-k cut keeps. The order comes
 * from the keys alone, so rows are sorted by pointer (a row is a kilobyte) with keys that read
 * through one (key_ptr_*), and a table's rows are copied once, into their places. */
typedef double (*row_key)(const void *row);

static void pd_sort_ptrs(const pick_row **rows, size_t n, row_key key, bool ascending)
{
	pd_sort_items(rows, n, sizeof *rows, key, ascending);
}

/* The same on a whole table, in place: each cycle of the permutation moved round through one
 * spare row (no second table). */
static void pd_sort_table(pick_table *t, row_key key, bool ascending)
{
	size_t n = t->n;
	if (n < 2)
		return;
	double *keys = xrealloc(NULL, n * sizeof *keys);
	size_t *order = xrealloc(NULL, n * sizeof *order);
	bool *placed = xcalloc(n, sizeof *placed);
	for (size_t i = 0; i < n; i++)
		keys[i] = key(&t->rows[i]);
	pd_sort_order(keys, n, ascending, order);
	/* place j takes the row at order[j] */
	pick_row spare;
	for (size_t i = 0; i < n; i++) {
		if (placed[i])
			continue;
		spare = t->rows[i];
		for (size_t j = i;;) {
			size_t k = order[j];
			placed[j] = true;
			if (k == i) {
				t->rows[j] = spare;
				break;
			}
			t->rows[j] = t->rows[k];
			j = k;
		}
	}
	free(keys);
	free(order);
	free(placed);
}

static double key_tokens_gpu(const void *r)
{
	return ((const pick_row *)r)->tokens_s_gpu;
}

static double key_ptr_user(const void *r)
{
	return (*(const pick_row *const *)r)->tokens_s_user;
}

static double key_ptr_latency(const void *r)
{
	return (*(const pick_row *const *)r)->request_latency;
}

static double key_ptr_tpot(const void *r)
{
	return (*(const pick_row *const *)r)->tpot;
}

static int desc(double a, double b)
{
	return a > b ? -1 : a < b ? 1 : 0;
}

/* ---------------------------------------------------------------- aggregated */

static pick_row agg_row(const agg_point *p)
{
	pick_row r;
	memset(&r, 0, sizeof r);
	r.a = *p;
	agg_point *a = &r.a;
	/* DataFrame.round(3) on the float columns. */
	a->ttft = round3(a->ttft);
	a->tpot = round3(a->tpot);
	a->request_latency = round3(a->request_latency);
	a->request_rate = round3(a->request_rate);
	a->seq_s = round3(a->seq_s);
	a->seq_s_gpu = round3(a->seq_s_gpu);
	a->tokens_s = round3(a->tokens_s);
	a->tokens_s_gpu = round3(a->tokens_s_gpu);
	a->tokens_s_user = round3(a->tokens_s_user);
	a->memory = round3(a->memory);
	a->balance_score = round3(a->balance_score);
	a->num_ctx_reqs = round3(a->num_ctx_reqs);
	a->num_gen_reqs = round3(a->num_gen_reqs);
	a->num_tokens = round3(a->num_tokens);
	a->gen_tokens = round3(a->gen_tokens);
	a->power_w = round3(a->power_w);
	r.ttft = a->ttft;
	r.tpot = a->tpot;
	r.request_latency = a->request_latency;
	r.request_rate = a->request_rate;
	r.seq_s = a->seq_s;
	r.seq_s_gpu = a->seq_s_gpu;
	r.tokens_s = a->tokens_s;
	r.tokens_s_gpu = a->tokens_s_gpu;
	r.tokens_s_user = a->tokens_s_user;
	r.concurrency = (double)a->concurrency;
	r.power_w = a->power_w;
	r.num_total_gpus = a->num_total_gpus;
	sweep_layout_name(&a->layout, r.group, sizeof r.group);
	return r;
}

/* The points of one layout the reference's loop evaluates, in order: it skips a point whose
 * decode share repeats an earlier one (balance score above 1) and leaves a batch size at its
 * first out-of-memory point. A point that could not be priced ends the layout (the reference's
 * run raises before its memory check): the count is 0 and *error says why. */
static size_t agg_evaluated(const agg_point *pts, size_t n, long isl, long osl, const agg_point **out,
			    const char **error)
{
	double *capped = xrealloc(NULL, (n + 1) * sizeof *capped);
	size_t ncapped = 0, k = 0;
	long broken_batch = -1;
	*error = NULL;
	for (size_t i = 0; i < n; i++) {
		const agg_point *p = &pts[i];
		if (p->batch == broken_batch)
			continue;
		double balance = p->load ? 0 : (double)isl * (double)p->batch / (double)p->ctx_tokens / (double)osl;
		if (balance > 1) {
			double gen = py_floordiv((double)p->batch, balance);
			bool seen = false;
			for (size_t j = 0; j < ncapped && !seen; j++)
				seen = capped[j] == gen;
			if (gen > 1 && seen)
				continue;
			capped[ncapped++] = gen;
		}
		if (p->error) {
			*error = p->error;
			k = 0;
			break;
		}
		if (p->oom || p->kv_cache_oom) {
			broken_batch = p->batch;
			continue;
		}
		out[k++] = p;
	}
	free(capped);
	return k;
}

static size_t layout_end(const agg_point *pts, size_t lo, size_t n)
{
	size_t hi = lo;
	while (hi < n && same_layout(&pts[hi].layout, &pts[lo].layout))
		hi++;
	return hi;
}

void pick_agg_status(const agg_point *pts, size_t n, long isl, long osl, pick_status *st)
{
	memset(st, 0, sizeof *st);
	const agg_point **eval = xrealloc(NULL, (n + 1) * sizeof *eval);
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		hi = layout_end(pts, lo, n);
		const char *error;
		st->usable += agg_evaluated(pts + lo, hi - lo, isl, osl, eval, &error);
		if (error) {
			st->failed_layouts++;
			st->last_error = error;
		}
	}
	free(eval);
}

/* ---------------------------------------------------------------- target pairs */

/* TTFTs (ms) people commonly ask for: the candidates of a request latency split. */
static const double typical_ttfts[] = {300, 400, 500, 600, 800, 1000, 1200, 1400, 1600, 2000, 3000, 5000, 8000};
/* Shares of the request latency tried as TTFT when they fall outside the typical range. */
static const double latency_shares[] = {0.1, 0.2, 0.3, 0.5, 0.7};

size_t pick_sla_pairs(const pick_targets *t, long osl, pick_sla *out, size_t cap)
{
	size_t k = 0;
	if (t->request_latency <= 0) {
		double tpots[SWEEP_MAX_LIST];
		size_t nt = sweep_tpot_targets(tpots, SWEEP_MAX_LIST);
		for (size_t i = 0; i < nt && k < cap; i++)
			out[k++] = (pick_sla){.ttft = t->ttft, .tpot = tpots[i]};
		return k;
	}
	enum { NTYPICAL = sizeof typical_ttfts / sizeof *typical_ttfts, NSHARES = sizeof latency_shares / sizeof *latency_shares };
	double rl = t->request_latency, cand[NTYPICAL + NSHARES + 1];
	size_t nc = 0;
	for (size_t i = 0; i < NTYPICAL; i++)
		cand[nc++] = typical_ttfts[i];
	for (size_t i = 0; i < NSHARES; i++) {
		double v = rl * latency_shares[i];
		if (v < typical_ttfts[0] || v > typical_ttfts[NTYPICAL - 1])
			cand[nc++] = v;
	}
	cand[nc++] = t->ttft;
	/* a set of TTFTs below the target, ascending */
	for (size_t i = 1; i < nc; i++)
		for (size_t j = i; j > 0 && cand[j - 1] > cand[j]; j--) {
			double x = cand[j];
			cand[j] = cand[j - 1];
			cand[j - 1] = x;
		}
	for (size_t i = 0; i < nc && k < cap; i++) {
		if (!(cand[i] < rl) || (i > 0 && cand[i] == cand[i - 1]))
			continue;
		out[k++] = (pick_sla){.ttft = cand[i], .tpot = (rl - cand[i]) / (double)(osl - 1)};
	}
	return k;
}

void pick_agg_results(const agg_point *pts, size_t n, long isl, long osl, double ttft_target, pick_table *out)
{
	pick_targets t = {.ttft = ttft_target};
	pick_sla sla[PICK_MAX_SLA];
	size_t nsla = pick_sla_pairs(&t, osl, sla, PICK_MAX_SLA);
	pick_agg_results_under(pts, n, isl, osl, sla, nsla, out);
}

/* A point the agg search weighs for a target, with its rounded seq/s (its rank's key). */
typedef struct agg_cand {
	double seq_s;
	const agg_point *p;
} agg_cand;

static double key_cand_seq_s(const void *c)
{
	return ((const agg_cand *)c)->seq_s;
}

void pick_agg_results_under(const agg_point *pts, size_t n, long isl, long osl, const pick_sla *sla, size_t nt,
			    pick_table *out)
{
	const agg_point **eval = xrealloc(NULL, (n + 1) * sizeof *eval);
	/* the points kept, made into rows once all are known (the table allocated once) */
	const agg_point **kept = xrealloc(NULL, (n + 1) * sizeof *kept);
	size_t nkept = 0;
	agg_cand *cand = xrealloc(NULL, (n + 1) * sizeof *cand);
	size_t *picked = xrealloc(NULL, (n + 1) * sizeof *picked), *last = xrealloc(NULL, (n + 1) * sizeof *last);
	for (size_t lo = 0; lo < n;) {
		size_t hi = layout_end(pts, lo, n);
		size_t first = nkept; /* this layout's points start here */
		const char *error;
		size_t ne = agg_evaluated(pts + lo, hi - lo, isl, osl, eval, &error);
		size_t nlast = SIZE_MAX;
		for (size_t t = 0; t < nt; t++) {
			size_t nc = 0;
			for (size_t i = 0; i < ne; i++)
				if (eval[i]->tpot <= sla[t].tpot && eval[i]->ttft <= sla[t].ttft)
					picked[nc++] = i;
			/* the points of the previous target again: the same ranking, whose points are all
			 * kept already */
			if (nc == nlast && memcmp(picked, last, nc * sizeof *picked) == 0)
				continue;
			memcpy(last, picked, nc * sizeof *picked);
			nlast = nc;
			/* ranked by the row's seq/s (rounded as DataFrame.round(3) rounds it) */
			for (size_t i = 0; i < nc; i++)
				cand[i] = (agg_cand){round3(eval[picked[i]]->seq_s), eval[picked[i]]};
			pd_sort_items(cand, nc, sizeof *cand, key_cand_seq_s, false);
			for (size_t i = 0; i < nc && i < AGG_TOP_PER_TPOT; i++) {
				/* drop_duplicates: a point met again under a looser target is the same row */
				bool dup = false;
				for (size_t j = first; j < nkept && !dup; j++)
					dup = kept[j]->batch == cand[i].p->batch && kept[j]->ctx_tokens == cand[i].p->ctx_tokens;
				if (!dup)
					kept[nkept++] = cand[i].p;
			}
		}
		lo = hi;
	}
	reserve(out, nkept);
	for (size_t i = 0; i < nkept; i++)
		out->rows[out->n++] = agg_row(kept[i]);
	free(eval);
	free(kept);
	free(cand);
	free(picked);
	free(last);
	pd_sort_table(out, key_tokens_gpu, false);
}

/* ---------------------------------------------------------------- disaggregated */

/* A layout's workers up to its first batch that does not fit (larger batches would not fit
 * either) or could not be priced (the reference's batch loop raises there). */
static size_t fitting_workers(const side_point *w, size_t n, const side_point **out, pick_status *st)
{
	size_t k = 0;
	for (size_t lo = 0; lo < n;) {
		size_t hi = lo;
		while (hi < n && same_layout(&w[hi].layout, &w[lo].layout))
			hi++;
		for (size_t i = lo; i < hi && !w[i].oom; i++) {
			if (w[i].error) {
				if (st) {
					st->failed_layouts++;
					st->last_error = w[i].error;
				}
				break;
			}
			out[k++] = &w[i];
		}
		lo = hi;
	}
	if (st)
		st->usable = k;
	return k;
}

void pick_side_status(const side_point *workers, size_t n, pick_status *st)
{
	memset(st, 0, sizeof *st);
	const side_point **tmp = xrealloc(NULL, (n + 1) * sizeof *tmp);
	fitting_workers(workers, n, tmp, st);
	free(tmp);
}

/* Worker counts for one prefill/decode pair: the replica of an allowed size with the most
 * matched throughput per GPU (decode count outer, prefill inner, first best kept). */
static bool replica_size_ok(long gpus, const replica_sizes_t *rs)
{
	if (!rs->constrained)
		return true;
	if (gpus > rs->max_gpus)
		return false;
	if (rs->tabled)
		return gpus >= 0 && rs->size_ok[gpus];
	if (rs->cfg->any_size)
		return gpus >= 1;
	for (size_t i = 0; i < rs->cfg->nsizes; i++)
		if (rs->cfg->sizes[i] == gpus)
			return true;
	return false;
}

static bool match_workers(double p_seq, long p_gpus, double d_seq, long d_gpus, const replica_sizes_t *rs, long *pw,
			  long *dw)
{
	double best = 0;
	*pw = *dw = -1;
	for (long d = 1; d <= rs->cfg->max_decode_workers; d++) {
		/* one prefill worker beside d decode workers is over the cap already: so is every
		 * larger d */
		if (rs->constrained && p_gpus > 0 && d_gpus > 0 && p_gpus + d_gpus * d > rs->max_gpus)
			break;
		for (long p = 1; p <= rs->cfg->max_prefill_workers; p++) {
			long gpus = p_gpus * p + d_gpus * d;
			if (rs->constrained && gpus > rs->max_gpus)
				break; /* more prefill workers only add GPUs */
			if (!replica_size_ok(gpus, rs))
				continue;
			/* per-pool budgets (hetero disagg), only when both are set */
			if (rs->cfg->max_prefill_gpus > 0 && rs->cfg->max_decode_gpus > 0 &&
			    (p_gpus * p > rs->cfg->max_prefill_gpus || d_gpus * d > rs->cfg->max_decode_gpus))
				continue;
			double pr = p_seq * (double)p * rs->cfg->prefill_degradation;
			double dr = d_seq * (double)d * rs->cfg->decode_degradation;
			double per_gpu = (pr < dr ? pr : dr) / (double)gpus;
			if (per_gpu > best) {
				best = per_gpu;
				*pw = p;
				*dw = d;
			}
		}
	}
	return *pw > 0;
}

static disagg_side side_of(const side_point *s, long workers)
{
	disagg_side d = {.tp = s->layout.tp, .pp = s->layout.pp, .dp = s->layout.dp, .batch = s->batch,
			 .workers = workers, .ttft_ms = s->ttft, .tpot_ms = s->tpot, .seq_per_s = s->seq_s,
			 .tokens_per_s_per_user = s->tokens_s_user, .memory_gib = s->memory, .power_w = s->power_w};
	return d;
}

static pick_row disagg_row(const side_point *p, long pw, const side_point *d, long dw, long osl,
			   const pick_replica *cfg)
{
	disagg_side ps = side_of(p, pw), ds = side_of(d, dw);
	disagg_result res;
	disagg_finish(&ps, &ds, osl, cfg->prefill_degradation, cfg->decode_degradation, &res);
	pick_row r;
	memset(&r, 0, sizeof r);
	r.disagg = true;
	r.p = *p;
	r.d = *d;
	r.p_workers = pw;
	r.d_workers = dw;
	r.ttft = res.ttft_ms;
	r.tpot = res.tpot_ms;
	r.request_latency = res.request_latency_ms;
	r.request_rate = res.seq_per_s;
	r.seq_s = res.seq_per_s;
	r.seq_s_gpu = res.seq_per_s_per_gpu;
	r.tokens_s = res.tokens_per_s;
	r.tokens_s_gpu = res.tokens_per_s_per_gpu;
	r.tokens_s_user = res.tokens_per_s_per_user;
	r.concurrency = res.concurrency;
	r.power_w = res.power_w;
	r.p_memory = res.prefill_memory_gib;
	r.d_memory = res.decode_memory_gib;
	r.p_seq_s_worker = res.prefill_seq_per_s_per_worker;
	r.d_seq_s_worker = res.decode_seq_per_s_per_worker;
	r.num_total_gpus = res.num_total_gpus;
	/* the decode worker's layout name, made once when its report was read (this runs for
	 * every pair of workers the search weighs: snprintf here was a sixteenth of pareto) */
	_Static_assert(sizeof r.group >= sizeof d->parallel, "a side's name fits a row's group");
	memcpy(r.group, d->parallel, sizeof d->parallel);
	return r;
}

static int prefill_order(const void *a, const void *b)
{
	const side_point *x = *(const side_point *const *)a, *y = *(const side_point *const *)b;
	if (x->seq_s_gpu != y->seq_s_gpu)
		return x->seq_s_gpu > y->seq_s_gpu ? -1 : 1;
	if (x->global_batch != y->global_batch)
		return x->global_batch < y->global_batch ? -1 : 1;
	return x < y ? -1 : x > y; /* input order on ties */
}

/* groupby("parallel") visits layouts in key order, each group's rows in input order */
static int decode_group_order(const void *a, const void *b)
{
	const side_point *x = *(const side_point *const *)a, *y = *(const side_point *const *)b;
	int c = strcmp(x->parallel, y->parallel);
	return c ? c : x < y ? -1 : x > y;
}

/* A decode candidate of one target: the worker and its layout group's rank in key order. */
typedef struct decode_cand {
	const side_point *w;
	size_t group;
	size_t at; /* its place among the fitting decode workers (the pair memo's column) */
} decode_cand;

static double key_cand_seq_s_gpu(const void *p)
{
	return ((const decode_cand *)p)->w->seq_s_gpu;
}

static double key_row_ptr_tokens_gpu(const void *r)
{
	return (*(const pick_row *const *)r)->tokens_s_gpu;
}

void pick_disagg_results(const side_point *prefill, size_t np, const side_point *decode, size_t nd, long osl,
			 double ttft_target, long max_gpus, bool require_same_tp, pick_table *out)
{
	pick_targets t = {.ttft = ttft_target};
	pick_sla sla[PICK_MAX_SLA];
	size_t nsla = pick_sla_pairs(&t, osl, sla, PICK_MAX_SLA);
	pick_disagg_results_under(prefill, np, decode, nd, osl, sla, nsla, max_gpus, require_same_tp, out);
}

/* The worker counts match_workers gives a prefill/decode pair, which no target changes: 0 not
 * asked yet, -1 no match. */
typedef struct pair_memo {
	int pw, dw;
} pair_memo;

enum { PAIR_MEMO_MAX = 1 << 20 }; /* pairs remembered at most (8 MiB); past it, asked again */

void pick_disagg_results_under(const side_point *prefill, size_t np, const side_point *decode, size_t nd, long osl,
			       const pick_sla *sla, size_t nt, long max_gpus, bool require_same_tp, pick_table *out)
{
	const side_point **pf = xrealloc(NULL, (np + 1) * sizeof *pf), **df = xrealloc(NULL, (nd + 1) * sizeof *df);
	size_t npf = fitting_workers(prefill, np, pf, NULL), ndf = fitting_workers(decode, nd, df, NULL);
	/* replica_config: the cap is the smaller of the search's GPUs and max_gpu_per_replica; the
	 * sizes are those up to it, and with none left nothing constrains a replica */
	replica_sizes_t rs = {.cfg = replica(), .max_gpus = max_gpus};
	if (rs.cfg->max_gpus_per_replica < rs.max_gpus)
		rs.max_gpus = rs.cfg->max_gpus_per_replica;
	rs.constrained = rs.cfg->any_size && rs.max_gpus >= 1;
	for (size_t i = 0; !rs.constrained && i < rs.cfg->nsizes; i++)
		rs.constrained = rs.cfg->sizes[i] <= rs.max_gpus;
	if (rs.constrained && rs.max_gpus <= SIZE_TABLE_MAX) {
		for (long g = 0; g <= rs.max_gpus; g++) {
			rs.tabled = false;
			rs.size_ok[g] = replica_size_ok(g, &rs);
		}
		rs.tabled = true;
	}

	/* Both orders are total (input order on ties), so the workers are sorted once for the scan
	 * and each target keeps those it admits, in that order: what sorting its own would give.
	 * The decode layouts' names are compared here once; groups are then told by their rank. */
	qsort(pf, npf, sizeof *pf, prefill_order);
	qsort(df, ndf, sizeof *df, decode_group_order);
	decode_cand *dall = xrealloc(NULL, (ndf + 1) * sizeof *dall);
	for (size_t i = 0, g = 0; i < ndf; i++) {
		if (i > 0 && strcmp(df[i]->parallel, df[i - 1]->parallel) != 0)
			g++;
		dall[i] = (decode_cand){.w = df[i], .group = g, .at = i};
	}
	size_t *pc = xrealloc(NULL, (npf + 1) * sizeof *pc), *dc_at = xrealloc(NULL, (ndf + 1) * sizeof *dc_at);
	size_t *pc_last = xrealloc(NULL, (npf + 1) * sizeof *pc_last);
	size_t *dc_last = xrealloc(NULL, (ndf + 1) * sizeof *dc_last);
	size_t npc_last = SIZE_MAX, ndc_last = SIZE_MAX;
	decode_cand *dc = xrealloc(NULL, (ndf + 1) * sizeof *dc);
	pair_memo *memo = npf && ndf <= PAIR_MEMO_MAX / npf ? xcalloc(npf * ndf + 1, sizeof *memo) : NULL;
	size_t first = out->n; /* this search's rows start here */
	pick_row best_of[SWEEP_MAX_LAYOUTS];
	const pick_row *ranked[SWEEP_MAX_LAYOUTS];

	for (size_t t = 0; t < nt; t++) {
		/* Prefill workers under the TTFT target once queueing is counted, best per GPU first. */
		size_t npc = 0;
		for (size_t i = 0; i < npf; i++)
			if (pf[i]->ttft * DISAGG_TTFT_CORRECTION < sla[t].ttft)
				pc[npc++] = i;
		if (npc > MAX_PREFILL_CANDIDATES)
			npc = MAX_PREFILL_CANDIDATES;
		size_t ndc = 0;
		for (size_t i = 0; i < ndf; i++)
			if (df[i]->tpot < sla[t].tpot && df[i]->tpot > 0)
				dc_at[ndc++] = i;
		if (!npc || !ndc)
			continue;
		/* the workers of the previous target again: the same pairs, whose rows are all in the
		 * table already */
		if (npc == npc_last && ndc == ndc_last && memcmp(pc, pc_last, npc * sizeof *pc) == 0 &&
		    memcmp(dc_at, dc_last, ndc * sizeof *dc_at) == 0)
			continue;
		memcpy(pc_last, pc, npc * sizeof *pc);
		memcpy(dc_last, dc_at, ndc * sizeof *dc_at);
		npc_last = npc;
		ndc_last = ndc;
		for (size_t i = 0; i < ndc; i++)
			dc[i] = dall[dc_at[i]];
		/* each layout group ranked by seq/s/gpu as pandas ranks it */
		for (size_t lo = 0, hi; lo < ndc; lo = hi) {
			for (hi = lo; hi < ndc && dc[hi].group == dc[lo].group;)
				hi++;
			pd_sort_items(dc + lo, hi - lo, sizeof *dc, key_cand_seq_s_gpu, false);
		}

		size_t ncat = 0;
		for (size_t lo = 0, hi; lo < ndc; lo = hi) {
			for (hi = lo; hi < ndc && dc[hi].group == dc[lo].group;)
				hi++;
			size_t top = hi - lo < MAX_DECODE_PER_LAYOUT ? hi : lo + MAX_DECODE_PER_LAYOUT;
			const side_point *best_p = NULL, *best_d = NULL;
			long best_pw = 0, best_dw = 0;
			double best_tpg = 0;
			long best_gpus = 0;
			for (size_t i = lo; i < top; i++)
				for (size_t j = 0; j < npc; j++) {
					const side_point *d = dc[i].w, *p = pf[pc[j]];
					if (require_same_tp && p->layout.tp != d->layout.tp)
						continue;
					long pw, dw;
					pair_memo *m = memo ? &memo[pc[j] * ndf + dc[i].at] : NULL;
					if (m && m->pw) {
						pw = m->pw;
						dw = m->dw;
					} else {
						if (!match_workers(p->seq_s, p->num_total_gpus, d->seq_s, d->num_total_gpus, &rs,
								   &pw, &dw))
							pw = dw = -1;
						if (m)
							*m = (pair_memo){(int)pw, (int)dw};
					}
					if (pw < 0)
						continue;
					/* max(..., key=(tokens/s/gpu, -gpus)) on the unrounded row: first best wins */
					double pr = p->seq_s * (double)pw * rs.cfg->prefill_degradation;
					double dr = d->seq_s * (double)dw * rs.cfg->decode_degradation;
					long gpus = p->num_total_gpus * pw + d->num_total_gpus * dw;
					double tpg = (pr < dr ? pr : dr) * (double)osl / (double)gpus;
					if (!best_p || tpg > best_tpg || (tpg == best_tpg && gpus < best_gpus)) {
						best_p = p;
						best_d = d;
						best_pw = pw;
						best_dw = dw;
						best_tpg = tpg;
						best_gpus = gpus;
					}
				}
			/* the row of the winner only (its serving numbers are the dearest part) */
			if (best_p && ncat + 1 < SWEEP_MAX_LAYOUTS) {
				best_of[ncat] = disagg_row(best_p, best_pw, best_d, best_dw, osl, rs.cfg);
				ranked[ncat] = &best_of[ncat];
				ncat++;
			}
		}
		pd_sort_items(ranked, ncat, sizeof *ranked, key_row_ptr_tokens_gpu, false);
		for (size_t i = 0; i < ncat && i < DISAGG_TOP_PER_TPOT; i++) {
			const pick_row *r = ranked[i];
			bool dup = false;
			for (size_t j = first; j < out->n && !dup; j++) {
				const pick_row *s = &out->rows[j];
				dup = s->p_workers == r->p_workers && s->d_workers == r->d_workers &&
				      same_layout(&s->p.layout, &r->p.layout) && s->p.batch == r->p.batch &&
				      same_layout(&s->d.layout, &r->d.layout) && s->d.batch == r->d.batch;
			}
			if (!dup)
				push(out, r);
		}
	}
	free(memo);
	free(pf);
	free(df);
	free(dall);
	free(pc);
	free(dc_at);
	free(pc_last);
	free(dc_last);
	free(dc);
}

/* ---------------------------------------------------------------- picking */

static int by_latency_asc(const pick_row *a, const pick_row *b)
{
	return a->request_latency < b->request_latency ? -1 : a->request_latency > b->request_latency;
}

static int by_cluster_then_user(const pick_row *a, const pick_row *b)
{
	int c = desc(a->tokens_s_gpu_cluster, b->tokens_s_gpu_cluster);
	return c ? c : desc(a->tokens_s_user, b->tokens_s_user);
}

static int by_cluster_then_latency(const pick_row *a, const pick_row *b)
{
	int c = desc(a->tokens_s_gpu_cluster, b->tokens_s_gpu_cluster);
	return c ? c : by_latency_asc(a, b);
}

/* The front's x axis: tokens/s/user (higher better), or request_latency (lower better) under a
 * request latency target. The y axis is tokens/s/gpu_cluster, higher better. */
static double front_x(const pick_row *r, bool by_latency)
{
	return by_latency ? r->request_latency : r->tokens_s_user;
}

/* get_pareto_front(df, x, tokens/s/gpu_cluster): rows in ascending x, each kept point removing
 * the points that beat it on neither axis. */
static void pareto_front(const pick_table *in, bool by_latency, pick_table *front)
{
	const pick_row **s = xrealloc(NULL, (in->n + 1) * sizeof *s);
	size_t n = 0;
	for (size_t i = 0; i < in->n; i++)
		if (isfinite(front_x(&in->rows[i], by_latency)) && isfinite(in->rows[i].tokens_s_gpu_cluster))
			s[n++] = &in->rows[i];
	row_key x = by_latency ? key_ptr_latency : key_ptr_user;
	pd_sort_ptrs(s, n, x, true);
	double sign = by_latency ? -1.0 : 1.0; /* larger is better after the sign */
	bool *keep = xrealloc(NULL, (n + 1) * sizeof *keep);
	for (size_t i = 0; i < n; i++)
		keep[i] = true;
	/* A point survives a kept point c when it beats c on at least one axis. */
	for (size_t i = 0; i < n; i++) {
		if (!keep[i])
			continue;
		double cx = sign * front_x(s[i], by_latency), cy = s[i]->tokens_s_gpu_cluster;
		for (size_t j = 0; j < n; j++)
			if (keep[j])
				keep[j] = sign * front_x(s[j], by_latency) > cx || s[j]->tokens_s_gpu_cluster > cy;
		keep[i] = true;
	}
	size_t nk = 0;
	for (size_t i = 0; i < n; i++)
		if (keep[i])
			s[nk++] = s[i];
	pd_sort_ptrs(s, nk, x, true);
	for (size_t i = 0; i < nk; i++)
		push(front, s[i]);
	free(keep);
	free(s);
}

/* The column the pick constrains: tpot, or request_latency under a request latency target. */
static double constrained(const pick_row *r, const pick_targets *t)
{
	return t->request_latency > 0 ? r->request_latency : r->tpot;
}

static double constraint_target(const pick_targets *t)
{
	return t->request_latency > 0 ? t->request_latency : t->tpot;
}

void pick_default(pick_table *results, const pick_targets *t, pick_table *front, pick_table *best, bool *met)
{
	bool by_latency = t->request_latency > 0;
	double target = constraint_target(t);
	if (t->strict_sla) {
		size_t k = 0;
		for (size_t i = 0; i < results->n; i++)
			if (constrained(&results->rows[i], t) <= target)
				results->rows[k++] = results->rows[i];
		results->n = k;
	}
	for (size_t i = 0; i < results->n; i++) {
		pick_row *r = &results->rows[i];
		double gpus = (double)r->num_total_gpus;
		r->tokens_s_gpu_cluster = t->total_gpus > 0 ? r->tokens_s_gpu * (double)(t->total_gpus / r->num_total_gpus) *
								      gpus / (double)t->total_gpus
							    : r->tokens_s_gpu;
	}
	pareto_front(results, by_latency, front);

	/* Best per layout group under the target; all of them when nobody meets it. */
	const pick_row **cand = xrealloc(NULL, (results->n + 1) * sizeof *cand);
	size_t nc = 0;
	for (size_t i = 0; i < results->n; i++)
		if (constrained(&results->rows[i], t) <= target)
			cand[nc++] = &results->rows[i];
	*met = nc > 0;
	if (!*met)
		for (size_t i = 0; i < results->n; i++)
			cand[nc++] = &results->rows[i];
	const pick_row **groups = xrealloc(NULL, (nc + 1) * sizeof *groups);
	size_t ng = 0;
	for (size_t i = 0; i < nc; i++) {
		const pick_row *r = cand[i];
		if (!isfinite(constrained(r, t)) || !isfinite(r->tokens_s_gpu_cluster))
			continue;
		size_t g = 0;
		while (g < ng && strcmp(groups[g]->group, r->group))
			g++;
		if (g == ng)
			groups[ng++] = r;
		else if (r->tokens_s_gpu_cluster > groups[g]->tokens_s_gpu_cluster)
			groups[g] = r; /* idxmax: the first maximum */
	}
	/* groupby hands the groups back in key order before the final sort */
	for (size_t i = 1; i < ng; i++)
		for (size_t j = i; j > 0 && strcmp(groups[j - 1]->group, groups[j]->group) > 0; j--) {
			const pick_row *tmp = groups[j];
			groups[j] = groups[j - 1];
			groups[j - 1] = tmp;
		}
	/* met: two columns, a stable sort in pandas; not met: the constrained column alone */
	if (*met)
		sort_rows(groups, ng, by_latency ? by_cluster_then_latency : by_cluster_then_user);
	else
		pd_sort_ptrs(groups, ng, by_latency ? key_ptr_latency : key_ptr_tpot, true);
	for (size_t i = 0; i < ng && (long)i < t->top_n; i++)
		push(best, groups[i]);
	free(groups);
	free(cand);
}
