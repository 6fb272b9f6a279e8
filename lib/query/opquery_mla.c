#include "opquery_mla.h"
#include "perf_mode.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "opattrs.h"
#include "table_mla.h"
#include "table_set.h"


bool opquery_mla_known(const char *op_type)
{
	static const char *const types[] = { "ContextMLA", "GenerationMLA", "MLABmm", "MLAModule" };
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (strcmp(op_type, types[i]) == 0)
			return true;
	return false;
}

/* ---- one look-up in the reference's database modes ---- */

typedef struct lookup {
	const char *fn;          /* memo name */
	long long a[6];
	int na;
	const void *p0, *p1;
	double sol;              /* speed of light, ms */
	double empirical_factor; /* empirical = sol / factor */
	const char *file;        /* the table, for silicon */
	perfdb_table_loader load;
	const char *what;        /* the reference's words for the failed look-up */
} lookup;

typedef int (*silicon_fn)(const table_set *t, const lookup *l, const void *ctx, perf_result *out, char *err,
			  size_t errlen);

static int run(perfdb *db, const lookup *l, silicon_fn silicon, const void *ctx, perf_result *out, char *err,
	       size_t errlen)
{
	if (perfdb_memo_get(db, l->fn, l->a, l->na, l->p0, l->p1, out))
		return 0;
	perf_mode mode = perfdb_mode(db);
	if (!perf_mode_formula(mode, l->sol, l->empirical_factor, out)) {
		const table_set *t = perfdb_table(db, l->file, l->load, err, errlen);
		if (!t)
			return PERFDB_FATAL;
		int st = silicon(t, l, ctx, out, err, errlen);
		char what[600] = "";
		if (st) /* named only for a refusal */
			snprintf(what, sizeof what, "failed to query %s", l->what);
		if ((st = perf_mode_settle(mode, st, l->sol / l->empirical_factor, out, what, err, errlen)))
			return st;
	}
	perfdb_memo_put(db, l->fn, l->a, l->na, l->p0, l->p1, out);
	return 0;
}

/* The quant modes of a look-up, for the silicon callbacks. */
typedef struct quants {
	const quant_mode *kv, *fmha, *gemm;
	bool pre;
} quants;

static int ctx_mla(const table_set *t, const lookup *l, const void *ctx, perf_result *out, char *err, size_t errlen)
{
	const quants *q = ctx;
	return table_context_mla_query(t, l->a[0], l->a[1], l->a[2], l->a[3], q->kv, q->fmha, out, err, errlen);
}

static int gen_mla(const table_set *t, const lookup *l, const void *ctx, perf_result *out, char *err, size_t errlen)
{
	const quants *q = ctx;
	return table_generation_mla_query(t, l->a[0], l->a[1], l->a[2], q->kv, out, err, errlen);
}

static int bmm(const table_set *t, const lookup *l, const void *ctx, perf_result *out, char *err, size_t errlen)
{
	const quants *q = ctx;
	return table_mla_bmm_query(t, l->a[0], l->a[1], q->gemm, q->pre, out, err, errlen);
}

static int ctx_module(const table_set *t, const lookup *l, const void *ctx, perf_result *out, char *err,
		      size_t errlen)
{
	const quants *q = ctx;
	return table_mla_context_module_query(t, l->a[0], l->a[1], l->a[2], l->a[3], q->kv, q->fmha, q->gemm, out, err,
					      errlen);
}

static int gen_module(const table_set *t, const lookup *l, const void *ctx, perf_result *out, char *err,
		      size_t errlen)
{
	const quants *q = ctx;
	return table_mla_generation_module_query(t, l->a[0], l->a[1], l->a[2], q->kv, q->fmha, q->gemm, out, err,
						 errlen);
}

static int context_lookup(perfdb *db, bool module, long long b, long long s, long long prefix, long long heads,
			  const quants *q, perf_result *out, char *err, size_t errlen)
{
	const struct system_spec *sys = perfdb_system(db);
	char what[300];
	snprintf(what, sizeof what, "context %s data for b=%lld, s=%lld, prefix=%lld, num_heads=%lld, kv cache %s, fmha %s%s%s",
		 module ? "MLA module" : "MLA", b, s, prefix, heads, q->kv->name, q->fmha->name, module ? ", gemm " : "",
		 module ? q->gemm->name : "");
	lookup l = { .fn = module ? "mla_ctx_module" : "mla_ctx", .a = { b, s, prefix, heads }, .na = 4,
		     .p0 = q->kv, .p1 = module ? (const void *)q->gemm : NULL,
		     .sol = context_mla_sol_ms(sys, (double)b, (double)s, (double)prefix, (double)heads, q->kv, q->fmha),
		     .empirical_factor = 0.6,
		     .file = module ? "mla_context_module_perf.txt" : "context_mla_perf.txt",
		     .load = module ? table_mla_context_module_load : table_context_mla_load, .what = what };
	/* the fmha mode is part of the key too: fold it into the argument list */
	l.a[4] = (long long)(q->fmha - quant_find(QUANT_FMHA, "bfloat16"));
	l.na = 5;
	return run(db, &l, module ? ctx_module : ctx_mla, q, out, err, errlen);
}

static int generation_lookup(perfdb *db, bool module, long long b, long long s, long long heads, const quants *q,
			     perf_result *out, char *err, size_t errlen)
{
	const struct system_spec *sys = perfdb_system(db);
	char what[300];
	snprintf(what, sizeof what, "generation %s data for b=%lld, s=%lld, num_heads=%lld, kv cache %s%s%s%s%s",
		 module ? "MLA module" : "MLA", b, s, heads, q->kv->name, module ? ", fmha " : "",
		 module ? q->fmha->name : "", module ? ", gemm " : "", module ? q->gemm->name : "");
	double sol = module ? generation_mla_module_sol_ms(sys, (double)b, (double)s, (double)heads, q->kv, q->gemm)
			    : generation_mla_sol_ms(sys, (double)b, (double)s, (double)heads, q->kv);
	lookup l = { .fn = module ? "mla_gen_module" : "mla_gen", .a = { b, s, heads }, .na = 3, .p0 = q->kv,
		     .p1 = module ? (const void *)q->gemm : NULL, .sol = sol, .empirical_factor = module ? 0.5 : 0.8,
		     .file = module ? "mla_generation_module_perf.txt" : "generation_mla_perf.txt",
		     .load = module ? table_mla_generation_module_load : table_generation_mla_load, .what = what };
	if (module) {
		l.a[3] = (long long)(q->fmha - quant_find(QUANT_FMHA, "bfloat16"));
		l.na = 4;
	}
	return run(db, &l, module ? gen_module : gen_mla, q, out, err, errlen);
}

static int bmm_lookup(perfdb *db, long long tokens, long long heads, const quants *q, perf_result *out, char *err,
		      size_t errlen)
{
	char what[200];
	snprintf(what, sizeof what, "mla bmm data for num_tokens=%lld, num_heads=%lld, quant %s, %s", tokens, heads,
		 q->gemm->name, q->pre ? "pre" : "post");
	lookup l = { .fn = "mla_bmm", .a = { tokens, heads, q->pre }, .na = 3, .p0 = q->gemm,
		     .sol = mla_bmm_sol_ms(perfdb_system(db), (double)tokens, (double)heads, q->gemm),
		     .empirical_factor = 0.8, .file = "mla_bmm_perf.txt", .load = table_mla_bmm_load, .what = what };
	return run(db, &l, bmm, q, out, err, errlen);
}

/* ---- the op classes ---- */

static int beam_one(const char *op_type, const opq_point *pt, char *err, size_t errlen)
{
	if (pt->beam == 1)
		return 0;
	snprintf(err, errlen, "%s supports beam width 1 only, got %lld", op_type, pt->beam);
	return PERFDB_REFUSED;
}

int opquery_mla_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
		      char *err, size_t errlen)
{
	opattrs a = { attrs, op_type, err, errlen, false, .null_is_wrong_type = true,
		       .unknown_quant = OPATTRS_QUANT_PLAIN };
	if (!cJSON_IsObject(attrs)) {
		snprintf(err, errlen, "%s op: attrs must be an object", op_type);
		return OPQ_BAD_ATTRS;
	}
	quants q = { 0 };
	long long heads = opattrs_int(&a, "num_heads", 0, true);
	if (strcmp(op_type, "ContextMLA") == 0) {
		q.kv = opattrs_quant(&a, "kvcache_quant_mode", QUANT_KVCACHE, true);
		q.fmha = opattrs_quant(&a, "fmha_quant_mode", QUANT_FMHA, true);
		if (a.bad)
			return OPQ_BAD_ATTRS;
		return context_lookup(db, false, pt->batch, pt->s, pt->prefix, heads, &q, out, err, errlen);
	}
	if (strcmp(op_type, "GenerationMLA") == 0) {
		q.kv = opattrs_quant(&a, "kv_cache_dtype", QUANT_KVCACHE, true);
		if (a.bad)
			return OPQ_BAD_ATTRS;
		int st = beam_one(op_type, pt, err, errlen);
		return st ? st : generation_lookup(db, false, pt->batch, pt->s, heads, &q, out, err, errlen);
	}
	if (strcmp(op_type, "MLABmm") == 0) {
		q.gemm = opattrs_quant(&a, "quant_mode", QUANT_GEMM, true);
		q.pre = opattrs_bool(&a, "if_pre", false, true);
		if (a.bad)
			return OPQ_BAD_ATTRS;
		int st = beam_one(op_type, pt, err, errlen);
		return st ? st : bmm_lookup(db, pt->batch, heads, &q, out, err, errlen);
	}
	if (strcmp(op_type, "MLAModule") == 0) {
		bool context = opattrs_bool(&a, "is_context", false, true);
		q.kv = opattrs_quant(&a, "kvcache_quant_mode", QUANT_KVCACHE, true);
		q.fmha = opattrs_quant(&a, "fmha_quant_mode", QUANT_FMHA, true);
		q.gemm = opattrs_quant(&a, "gemm_quant_mode", QUANT_GEMM, true);
		if (a.bad)
			return OPQ_BAD_ATTRS;
		if (context)
			return context_lookup(db, true, pt->batch, pt->s, pt->prefix, heads, &q, out, err, errlen);
		int st = beam_one(op_type, pt, err, errlen);
		return st ? st : generation_lookup(db, true, pt->batch, pt->s, heads, &q, out, err, errlen);
	}
	snprintf(err, errlen, "op_type '%s' is not an MLA op", op_type);
	return OPQ_BAD_ATTRS;
}
