#include "opquery_dsa.h"
#include "perf_mode.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "opattrs.h"
#include "table_dsa.h"
#include "table_set.h"


/* The empirical formula: speed of light over this factor. */
static const double empirical_factor = 0.5;

bool opquery_dsa_known(const char *op_type)
{
	return strcmp(op_type, "ContextDSAModule") == 0 || strcmp(op_type, "GenerationDSAModule") == 0;
}

/* ---- attrs ---- */

/* The architecture attr; absent or null reads as DeepSeek-V3.2, the reference's default. */
static const char *get_arch(opattrs *a)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a->attrs, "architecture");
	if (!v || cJSON_IsNull(v))
		return "DeepseekV32ForCausalLM";
	if (!cJSON_IsString(v)) {
		opattrs_bad(a, "architecture", "must be a string");
		return NULL;
	}
	return v->valuestring;
}

/* A memo key for the architecture string (FNV-1a). */
static long long arch_hash(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (long long)(h >> 1);
}

/* ---- one look-up in the reference's database modes ---- */

typedef struct dsa_query {
	bool context;
	long long b, s, prefix, heads;
	const quant_mode *kv, *fmha, *gemm;
	const char *arch;
} dsa_query;

static int lookup(perfdb *db, const dsa_query *q, perf_result *out, char *err, size_t errlen)
{
	const quant_mode *bf16 = quant_find(QUANT_FMHA, "bfloat16");
	long long a[7] = { q->b, q->s, q->prefix, q->heads, q->context ? (long long)(q->fmha - bf16) : -1,
			   arch_hash(q->arch), q->context };
	const char *fn = q->context ? "dsa_ctx_module" : "dsa_gen_module";
	if (perfdb_memo_get(db, fn, a, 7, q->kv, q->gemm, out))
		return 0;
	const struct system_spec *sys = perfdb_system(db);
	const dsa_dims *d = dsa_dims_of(q->arch);
	double sol = q->context ? dsa_context_sol_ms(sys, d, (double)q->b, (double)q->s, (double)q->prefix,
						     (double)q->heads, q->kv, q->fmha, q->gemm)
				: dsa_generation_sol_ms(sys, d, (double)q->b, (double)q->s, (double)q->heads, q->kv, q->gemm);
	perf_mode mode = perfdb_mode(db);
	if (!perf_mode_formula(mode, sol, empirical_factor, out)) {
		const char *file = q->context ? "dsa_context_module_perf.txt" : "dsa_generation_module_perf.txt";
		table_set *t = perfdb_table(db, file, q->context ? table_dsa_context_load : table_dsa_generation_load, err,
					    errlen);
		if (!t)
			return PERFDB_FATAL;
		int st = q->context ? table_dsa_context_query(t, q->b, q->s, q->prefix, q->heads, q->kv, q->fmha, q->gemm,
							      q->arch, out, err, errlen)
				    : table_dsa_generation_query(t, q->b, q->s, q->heads, q->kv, q->gemm, q->arch, out, err,
								 errlen);
		const char *what = q->context ? "failed to query context DSA module data"
					      : "failed to query generation DSA module data";
		if ((st = perf_mode_settle(mode, st, sol / empirical_factor, out, what, err, errlen)))
			return st;
	}
	perfdb_memo_put(db, fn, a, 7, q->kv, q->gemm, out);
	return 0;
}

int opquery_dsa_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
		      char *err, size_t errlen)
{
	opattrs a = { attrs, op_type, err, errlen, false, .null_is_wrong_type = true,
		       .unknown_quant = OPATTRS_QUANT_PLAIN };
	if (!cJSON_IsObject(attrs)) {
		snprintf(err, errlen, "%s op: attrs must be an object", op_type);
		return OPQ_BAD_ATTRS;
	}
	dsa_query q = { 0 };
	q.heads = opattrs_int(&a, "num_heads", 0, true);
	q.gemm = opattrs_quant(&a, "gemm_quant_mode", QUANT_GEMM, true);
	q.arch = get_arch(&a);
	if (strcmp(op_type, "ContextDSAModule") == 0) {
		q.context = true;
		q.kv = opattrs_quant(&a, "kvcache_quant_mode", QUANT_KVCACHE, true);
		q.fmha = opattrs_quant(&a, "fmha_quant_mode", QUANT_FMHA, true);
		if (a.bad)
			return OPQ_BAD_ATTRS;
		q.b = pt->batch, q.s = pt->s, q.prefix = pt->prefix;
		return lookup(db, &q, out, err, errlen);
	}
	if (strcmp(op_type, "GenerationDSAModule") == 0) {
		q.kv = opattrs_quant(&a, "kv_cache_dtype", QUANT_KVCACHE, true);
		if (a.bad)
			return OPQ_BAD_ATTRS;
		if (pt->beam != 1) {
			snprintf(err, errlen, "%s supports beam width 1 only, got %lld", op_type, pt->beam);
			return PERFDB_REFUSED;
		}
		q.b = pt->batch, q.s = pt->s;
		return lookup(db, &q, out, err, errlen);
	}
	snprintf(err, errlen, "op_type '%s' is not a DSA op", op_type);
	return OPQ_BAD_ATTRS;
}
