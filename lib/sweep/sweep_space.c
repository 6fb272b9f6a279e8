#include "sweep_space.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "numfmt.h"

/* A list of small positive integers, as the reference writes its search lists. */
typedef struct ilist {
	int n;
	int v[SWEEP_LIST_MAX];
} ilist;

static const ilist L1248 = {4, {1, 2, 4, 8}};
static const ilist L1 = {1, {1}};

/* The five lists and the worker sizes they may add up to. */
typedef struct lists {
	ilist num_gpu, tp, pp, dp, moe_tp, moe_ep;
} lists;

static bool blackwell_rack(const char *system)
{
	return strcmp(system, "gb200") == 0 || strcmp(system, "gb300") == 0;
}

static void dense_lists(const char *system, lists *l)
{
	l->num_gpu = L1248;
	l->tp = L1248;
	l->pp = L1; /* the reference keeps pipeline parallelism off in its default sweep */
	l->dp = L1;
	l->moe_tp = L1;
	l->moe_ep = L1;
	if (blackwell_rack(system)) {
		l->num_gpu = (ilist){5, {1, 2, 4, 8, 16}};
		l->tp = l->num_gpu;
	}
}

static void uniform(lists *l)
{
	l->num_gpu = l->tp = l->dp = l->moe_tp = l->moe_ep = L1248;
	l->pp = L1;
}

/* MoE lists of an aggregated worker (TaskConfigFactory's agg layer). */
static void moe_agg_lists(const sweep_spec *s, lists *l)
{
	uniform(l);
	bool deepep = s->moe_backend && strcmp(s->moe_backend, "deepep_moe") == 0;
	if (strcmp(s->backend, "trtllm") == 0 && s->enable_wideep) {
		l->num_gpu = (ilist){6, {2, 4, 8, 16, 32, 64}};
		l->dp = l->moe_ep = l->num_gpu;
		l->moe_tp = L1;
	} else if (strcmp(s->backend, "sglang") == 0 && s->enable_wideep) {
		l->num_gpu = (ilist){4, {8, 16, 32, 64}};
		l->dp = (ilist){7, {1, 2, 4, 8, 16, 32, 64}};
		l->moe_tp = L1;
		l->moe_ep = l->num_gpu;
	} else if (strcmp(s->backend, "sglang") == 0 && deepep) {
		l->moe_tp = L1;
	}
}

/* MoE lists of a prefill or decode worker (build_disagg_parallel_lists). */
static void moe_disagg_lists(const sweep_spec *s, bool decode, lists *l)
{
	uniform(l);
	bool deepep = s->moe_backend && strcmp(s->moe_backend, "deepep_moe") == 0;
	if (strcmp(s->backend, "trtllm") == 0 && s->enable_wideep) {
		l->num_gpu = decode ? (ilist){5, {4, 8, 16, 32, 64}} : (ilist){4, {4, 8, 16, 32}};
		l->dp = l->moe_ep = l->num_gpu;
		l->moe_tp = L1;
	} else if (strcmp(s->backend, "sglang") == 0 && s->enable_wideep) {
		l->num_gpu = decode ? (ilist){4, {8, 16, 32, 64}} : (ilist){3, {8, 16, 32}};
		l->dp = decode ? (ilist){7, {1, 2, 4, 8, 16, 32, 64}} : (ilist){6, {1, 2, 4, 8, 16, 32}};
		l->moe_tp = L1;
		l->moe_ep = l->num_gpu;
	} else if (strcmp(s->backend, "sglang") == 0 && deepep) {
		l->moe_tp = L1;
	}
}

static bool in_list(const ilist *l, int v)
{
	for (int i = 0; i < l->n; i++)
		if (l->v[i] == v)
			return true;
	return false;
}

/* Backend rules on MoE layouts (enumerate_parallel_config). */
static bool moe_layout_allowed(const sweep_spec *s, int tp, int dp, int moe_tp, int moe_ep)
{
	(void)moe_ep;
	if (strcmp(s->backend, "trtllm") == 0)
		return !(dp > 1 && tp > 1); /* no attention TP with attention DP */
	if (strcmp(s->backend, "sglang") == 0) {
		bool deepep = s->moe_backend && strcmp(s->moe_backend, "deepep_moe") == 0;
		return !((s->enable_wideep || deepep) && moe_tp > 1);
	}
	if (strcmp(s->backend, "vllm") == 0)
		return !(moe_tp > 1 && moe_ep > 1);
	return true;
}

static const char *const list_names[SWEEP_LIST_KINDS] = { "num_gpu", "tp", "pp", "dp", "moe_tp", "moe_ep" };

int sweep_lists_parse(const char *text, sweep_lists *l, char *err, size_t errlen)
{
	memset(l, 0, sizeof *l);
	char buf[512];
	if (snprintf(buf, sizeof buf, "%s", text) >= (int)sizeof buf)
		goto bad;
	for (char *save = NULL, *item = strtok_r(buf, "/", &save); item; item = strtok_r(NULL, "/", &save)) {
		char *eq = strchr(item, '=');
		if (!eq)
			goto bad;
		*eq = 0;
		int k = -1;
		for (int i = 0; i < SWEEP_LIST_KINDS; i++)
			if (!strcmp(item, list_names[i]))
				k = i;
		if (k < 0 || l->given[k])
			goto bad;
		l->given[k] = true;
		for (char *s2 = NULL, *num = strtok_r(eq + 1, ",", &s2); num; num = strtok_r(NULL, ",", &s2)) {
			char *end;
			long v = strtol(num, &end, 10);
			if (*end || v < 1 || v > 4096 || l->n[k] == SWEEP_LIST_MAX)
				goto bad;
			l->v[k][l->n[k]++] = (int)v;
		}
		if (!l->n[k])
			goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not a list such as num_gpu=4,8/tp=1,2,4,8/pp=1/dp=1/moe_tp=1/moe_ep=1,2,4,8 "
			      "(at most %d whole numbers each)", text, SWEEP_LIST_MAX);
	return -1;
}

size_t sweep_layouts(const sweep_spec *s, sweep_role role, sweep_layout *out, size_t cap)
{
	lists l;
	if (!s->is_moe)
		dense_lists(s->system, &l);
	else if (role == SWEEP_AGG)
		moe_agg_lists(s, &l);
	else
		moe_disagg_lists(s, role == SWEEP_DECODE, &l);
	/* the user's lists (an experiment's worker config) replace the reference's defaults */
	const sweep_lists *u = s->lists[role];
	ilist *dst[SWEEP_LIST_KINDS] = { &l.num_gpu, &l.tp, &l.pp, &l.dp, &l.moe_tp, &l.moe_ep };
	for (int k = 0; u && k < SWEEP_LIST_KINDS; k++) {
		if (!u->given[k])
			continue;
		dst[k]->n = u->n[k];
		memcpy(dst[k]->v, u->v[k], sizeof u->v[k]);
	}
	/* Worker sizes beyond the GPUs on hand are dropped (TaskConfigFactory._finalize_*). */
	ilist fit = {0, {0}};
	for (int i = 0; i < l.num_gpu.n; i++)
		if (l.num_gpu.v[i] <= s->total_gpus)
			fit.v[fit.n++] = l.num_gpu.v[i];

	size_t n = 0;
	for (int a = 0; a < l.tp.n; a++)
		for (int b = 0; b < l.pp.n; b++) {
			int tp = l.tp.v[a], pp = l.pp.v[b];
			if (!s->is_moe) {
				if (in_list(&fit, tp * pp) && n < cap)
					out[n++] = (sweep_layout){tp, pp, 1, 1, 1};
				continue;
			}
			for (int c = 0; c < l.dp.n; c++)
				for (int d = 0; d < l.moe_tp.n; d++)
					for (int e = 0; e < l.moe_ep.n; e++) {
						int dp = l.dp.v[c], mtp = l.moe_tp.v[d], mep = l.moe_ep.v[e];
						if (!in_list(&fit, dp * tp * pp) || dp * tp != mtp * mep)
							continue;
						if (moe_layout_allowed(s, tp, dp, mtp, mep) && n < cap)
							out[n++] = (sweep_layout){tp, pp, dp, mtp, mep};
					}
		}
	return n;
}

/* s at p, cut at end (a NUL's room left to the caller). */
static char *put_lit(char *p, const char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

/* "tp%dpp%ddp%detp%dep%d", cut to n - 1 bytes as snprintf would, without it: pareto names every
 * agg point's layout (snprintf's format parsing was a thirteenth of pareto's picks). */
void sweep_layout_name(const sweep_layout *l, char *buf, size_t n)
{
	if (n == 0)
		return;
	char *p = buf;
	const char *end = buf + n - 1;
	const char *const tags[] = { "tp", "pp", "dp", "etp", "ep" };
	const int vals[] = { l->tp, l->pp, l->dp, l->moe_tp, l->moe_ep };
	for (int i = 0; i < 5; i++) {
		char digits[21];
		numfmt_ld(digits, vals[i]);
		p = put_lit(put_lit(p, end, tags[i]), end, digits);
	}
	*p = '\0';
}

/* A batch list as runs of one step each (lo, lo + step, ... below hi), then its last size. */
typedef struct batch_run {
	long lo, hi, step;
} batch_run;

/* The sizes of runs[] and then last, those up to max_batch, into out (cap at most). */
static size_t stepped_batches(const batch_run *runs, size_t nruns, long last, long max_batch, long *out, size_t cap)
{
	size_t n = 0;
	for (size_t r = 0; r < nruns; r++)
		for (long v = runs[r].lo; v < runs[r].hi && n < cap; v += runs[r].step)
			if (v <= max_batch)
				out[n++] = v;
	if (last <= max_batch && n < cap)
		out[n++] = last;
	return n;
}

size_t sweep_agg_batches(long max_batch, long *out, size_t cap)
{
	static const batch_run runs[] = { { 1, 16, 1 },	   { 16, 32, 4 },   { 32, 64, 8 },
					  { 64, 256, 16 }, { 256, 512, 32 }, { 512, 1024, 256 } };
	return stepped_batches(runs, sizeof runs / sizeof *runs, 1024, max_batch, out, cap);
}

size_t sweep_decode_batches(long max_batch, long *out, size_t cap)
{
	static const batch_run runs[] = { { 1, 16, 1 }, { 16, 32, 2 }, { 32, 128, 4 }, { 128, 512, 8 } };
	if (max_batch < 1)
		max_batch = 1;
	/* A larger budget than the list's end is tried as one more size. */
	size_t n = stepped_batches(runs, sizeof runs / sizeof *runs, 512, max_batch, out, cap);
	if (max_batch > 512 && n < cap)
		out[n++] = max_batch;
	return n;
}

size_t sweep_prefill_batches(long prefill_max_batch, long *out, size_t cap)
{
	/* prefill_max_num_tokens = prefill_max_batch × isl, never below isl; batches 1 .. that / isl. */
	if (prefill_max_batch < 1)
		prefill_max_batch = 1;
	size_t n = 0;
	for (long b = 1; b <= prefill_max_batch && n < cap; b++)
		out[n++] = b;
	return n;
}

size_t sweep_ctx_tokens(long isl, bool chunked_prefill, long *out, size_t cap)
{
	const long max_normal = 8192, multiple_of_isl = 2, small_steps = 16, large_steps = 8;
	long max_ctx = max_normal > isl * multiple_of_isl ? max_normal : isl * multiple_of_isl;
	long stride = 512;
	if (max_normal / small_steps > stride)
		stride = max_normal / small_steps;
	long stride_large = 1024;
	if (stride > stride_large)
		stride_large = stride;
	if (max_ctx / large_steps > stride_large)
		stride_large = max_ctx / large_steps;
	if (!chunked_prefill) {
		/* Whole prompts only: strides become multiples of isl. */
		stride = isl > stride ? isl : stride;
		stride_large = (long)ceil((double)stride_large / (double)isl) * isl;
	}
	size_t n = 0;
	for (long t = 0;;) {
		t += t < max_normal ? stride : stride_large;
		if (t > max_ctx || n >= cap)
			break;
		out[n++] = t;
	}
	for (long i = 1; i <= multiple_of_isl; i++) {
		long t = isl * i;
		bool seen = false;
		for (size_t j = 0; j < n; j++)
			seen |= out[j] == t;
		if (!seen && n < cap)
			out[n++] = t;
	}
	/* ascending (insertion sort: a handful of values) */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			long t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

bool sweep_agg_point_reached(long batch, long ctx_tokens, long isl)
{
	double prompts = ceil((double)ctx_tokens / (double)isl);
	if ((double)batch - prompts < 0)
		return false;
	if (batch > 1 && (double)batch - prompts < 1)
		return false;
	return true;
}

size_t sweep_tpot_targets(double *out, size_t cap)
{
	size_t n = 0;
	for (int t = 1; t < 20 && n < cap; t++)
		out[n++] = t;
	for (int t = 20; t < 300 && n < cap; t += 5)
		out[n++] = t;
	return n;
}

long sweep_default_nextn(const char *family)
{
	const family_desc *f = family_find(family);
	return f && f->mtp ? 1 : 0;
}
