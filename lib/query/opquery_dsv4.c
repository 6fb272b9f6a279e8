#include "opquery_dsv4.h"
#include "perf_mode.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "datadir.h"
#include "opattrs.h"
#include "systems.h"


bool opquery_dsv4_known(const char *op_type)
{
	return strcmp(op_type, "DeepSeekV4MHCModule") == 0 || strcmp(op_type, "ContextDeepSeekV4AttentionModule") == 0 ||
	       strcmp(op_type, "GenerationDeepSeekV4AttentionModule") == 0;
}

/* ---- pair counts ---- */

long long dsv4_causal_limited_pairs(long long batch, long long query_len, long long prefix, long long limit)
{
	if (limit <= 0 || query_len <= 0)
		return 0;
	long long full = prefix + query_len;
	if (prefix >= limit)
		return batch * query_len * limit;
	if (full <= limit)
		return batch * (full * (full + 1) - prefix * (prefix + 1)) / 2;
	/* a growing ramp up to the limit, then every later token sees exactly limit */
	long long ramp = batch * (limit * (limit + 1) - prefix * (prefix + 1)) / 2;
	return ramp + batch * (full - limit) * limit;
}

long long dsv4_sum_floor_upto(long long n, long long divisor)
{
	if (n < 0)
		return 0;
	long long q = n / divisor, r = n % divisor;
	/* q - 1 complete runs of divisor equal values, then r + 1 values equal to q */
	return divisor * q * (q - 1) / 2 + q * (r + 1);
}

long long dsv4_compressed_context_pairs(long long batch, long long query_len, long long prefix, long long ratio,
					long long limit)
{
	if (ratio <= 0 || query_len <= 0 || limit <= 0)
		return 0;
	long long first = prefix + 1, last = prefix + query_len, saturated_from = limit * ratio;
	long long total;
	if (last < saturated_from)
		total = dsv4_sum_floor_upto(last, ratio) - dsv4_sum_floor_upto(first - 1, ratio);
	else if (first >= saturated_from)
		total = query_len * limit;
	else
		total = dsv4_sum_floor_upto(saturated_from - 1, ratio) - dsv4_sum_floor_upto(first - 1, ratio) +
			(last - saturated_from + 1) * limit;
	return batch * total;
}

/* ---- attrs ---- */

static long long get_int(opattrs *a, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a->attrs, key);
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) || v->valuedouble < 0 ||
	    v->valuedouble > 2147483647.0) {
		opattrs_bad(a, key, v ? "must be a non-negative integer below 2^31" : "is missing");
		return 0;
	}
	return (long long)v->valuedouble;
}

/* ---- database modes ---- */

/* The modes around one speed-of-light estimate. `tables` names the files the reference would
 * read; `what` describes the look-up for the refusal. */
static int answer(perfdb *db, double sol, double empirical_factor, const char *tables, const char *what,
		  perf_result *out, char *err, size_t errlen)
{
	perf_mode mode = perfdb_mode(db);
	if (perf_mode_formula(mode, sol, empirical_factor, out))
		return 0;
	/* no silicon to try (see the header): the tables refuse, which HYBRID answers empirically */
	const struct perf_data_path *p = perfdb_paths(db);
	const char *dir = p && p->dir[0] ? p->dir : NULL;
	snprintf(err, errlen, "no silicon data (the reference reads %s%s%s; infercast has no reader for them)", tables,
		 dir ? " in " : "", dir ? dir : "");
	char lookup[400];
	snprintf(lookup, sizeof lookup, "failed to query %s", what);
	return perf_mode_settle(mode, PERFDB_REFUSED, sol / empirical_factor, out, lookup, err, errlen);
}

static double tc(const perfdb *db, const quant_mode *q)
{
	return system_tc_flops(perfdb_system(db), q->compute);
}

/* ---- mHC ---- */

static int q_mhc(perfdb *db, opattrs *a, const opq_point *pt, perf_result *out)
{
	const cJSON *opv = cJSON_GetObjectItemCaseSensitive(a->attrs, "op");
	long long h = get_int(a, "hidden_size"), hc = get_int(a, "hc_mult"), iters = get_int(a, "sinkhorn_iters");
	const quant_mode *q = opattrs_quant(a, "quant_mode", QUANT_GEMM, true);
	if (!cJSON_IsString(opv))
		opattrs_bad(a, "op", opv ? "must be a string" : "is missing");
	if (a->bad)
		return OPQ_BAD_ATTRS;
	const char *which = opv->valuestring;
	bool pre = strcmp(which, "pre") == 0, post = strcmp(which, "post") == 0, both = strcmp(which, "both") == 0;
	if (!pre && !post && !both) {
		snprintf(a->err, a->errlen, "DeepSeekV4MHCModule op: unsupported op '%s' (pre, post or both)", which);
		return OPQ_BAD_ATTRS;
	}
	long long t = pt->x, sites = 2; /* attention and FFN sites of one layer */
	long long hc_dim = hc * h, mix = (2 + hc) * hc;
	/* pre: the mixing projection, its normalisation, Sinkhorn iterations, the weighted sum;
	 * post: writing the output back into the hc streams */
	long long pre_ops = sites * (2 * t * hc_dim * mix + t * hc_dim * 3 + t * (hc * hc + 2 * hc) * iters +
				     2 * t * hc * h);
	long long post_ops = sites * (2 * t * hc * hc * h + 2 * t * hc * h);
	long long ops = pre ? pre_ops : post ? post_ops : pre_ops + post_ops;
	double params = (double)(sites * (mix * hc_dim + mix + 3)) * q->memory;
	double acts = (double)(sites * t * hc_dim) * q->memory * (both ? 3 : 2);
	if (!post)
		acts += (double)(sites * t * (2 * hc + hc * hc) * 4); /* fp32 mixing coefficients */
	const struct system_spec *sys = perfdb_system(db);
	double math = (double)ops / tc(db, q) * 1000;
	double mem = (params + acts) / sys->mem_bw_bytes_per_s * 1000;
	char what[200];
	snprintf(what, sizeof what,
		 "DeepSeek-V4 mHC module for num_tokens=%lld, hidden_size=%lld, hc_mult=%lld, sinkhorn_iters=%lld, op=%s",
		 t, h, hc, iters, which);
	return answer(db, math > mem ? math : mem, 0.55, "mhc_module_perf.txt", what, out, a->err, a->errlen);
}

/* ---- attention module ---- */

typedef struct dsv4_attn {
	long long heads, native_heads, tp, hidden, q_rank, o_rank, head_dim, rope_dim;
	long long index_heads, index_dim, index_topk, window, ratio, groups;
	const quant_mode *kv, *fmha, *gemm;
} dsv4_attn;

static double attention_sol(const perfdb *db, const dsv4_attn *m, bool context, long long b, long long s,
			    long long prefix)
{
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16"), *fp8 = quant_find(QUANT_GEMM, "fp8");
	long long tokens = context ? b * s : b;
	long long kv_len = context ? prefix + s : (s - 1 > 0 ? s - 1 : 0);
	long long groups = m->groups > 1 ? m->groups : 1, r = m->ratio, hd = m->head_dim, h = m->hidden;

	long long projection = 2 * tokens * h * m->q_rank + 2 * tokens * m->q_rank * m->heads * hd +
			       2 * tokens * h * hd + 2 * tokens * groups * m->o_rank * h;
	long long absorption = 2 * tokens * m->heads * hd * m->o_rank;
	long long cmult = r == 4 ? 2 : 1, compressor = 0;
	if (r) {
		compressor = 4 * tokens * h * cmult * hd + 2 * tokens * cmult * hd;
		if (r == 4) /* the indexer has its own (doubled) compressor */
			compressor += 4 * tokens * h * 2 * m->index_dim + 2 * tokens * 2 * m->index_dim;
	}

	/* query/key pairs: the sliding window plus the compressed entries each query reads (top-k
	 * for 4:1, every entry so far for 128:1) */
	long long window_pairs, compressed_pairs = 0;
	long long limit = r == 4 ? m->index_topk : (r ? kv_len / r : 0);
	if (context) {
		window_pairs = dsv4_causal_limited_pairs(b, s, prefix, m->window);
		if (r)
			compressed_pairs = dsv4_compressed_context_pairs(b, s, prefix, r, limit);
	} else {
		window_pairs = b * (kv_len < m->window ? kv_len : m->window);
		if (r)
			compressed_pairs = b * (kv_len / r < limit ? kv_len / r : limit);
	}
	long long pairs = window_pairs + compressed_pairs;
	long long attention = 4 * m->heads * hd * pairs;

	long long indexer = 0, indexer_bf16 = 0;
	double indexer_cache = 0.0;
	if (r == 4) {
		long long compressed = kv_len / r, queries = context ? b * s : b;
		indexer = 2 * queries * m->q_rank * m->index_heads * m->index_dim +
			  2 * queries * compressed * m->index_heads * m->index_dim;
		indexer_bf16 = 2 * queries * h * m->index_heads;
		indexer_cache = (double)(b * compressed) * ((double)m->index_dim * 0.5); /* fp4 keys */
	}

	double gemm_weights = (double)(h * m->q_rank + m->q_rank * m->heads * hd + h * hd + groups * m->o_rank * h) *
			      m->gemm->memory;
	double bf16_weights = (double)(m->heads * hd * m->o_rank) * bf16->memory;
	if (r)
		gemm_weights += (double)(2 * h * cmult * hd) * m->gemm->memory;
	if (r == 4) {
		gemm_weights += (double)(m->q_rank * m->index_heads * m->index_dim) * m->gemm->memory;
		bf16_weights += (double)(h * m->index_heads) * bf16->memory;
	}
	double activations = (double)(tokens * (h + m->q_rank + m->heads * hd + hd + groups * m->o_rank)) *
			     m->gemm->memory;
	double kv_bytes = (double)(pairs * m->heads * hd) * m->kv->memory;
	double rope = (double)(tokens * m->heads * m->rope_dim) * m->fmha->memory;

	double math = ((double)(projection + compressor) / tc(db, m->gemm) +
		       (double)(absorption + indexer_bf16) / tc(db, bf16) + (double)indexer / tc(db, fp8) +
		       (double)attention / tc(db, m->fmha)) *
		      1000;
	double mem = (gemm_weights + bf16_weights + activations + kv_bytes + indexer_cache + rope) /
		     perfdb_system(db)->mem_bw_bytes_per_s * 1000;
	return math > mem ? math : mem;
}

static int q_attention(perfdb *db, opattrs *a, bool context, const opq_point *pt, perf_result *out)
{
	dsv4_attn m = {
		.heads = get_int(a, "num_heads"),
		.native_heads = get_int(a, "native_heads"),
		.tp = get_int(a, "tp_size"),
		.hidden = get_int(a, "hidden_size"),
		.q_rank = get_int(a, "q_lora_rank"),
		.o_rank = get_int(a, "o_lora_rank"),
		.head_dim = get_int(a, "head_dim"),
		.rope_dim = get_int(a, "rope_head_dim"),
		.index_heads = get_int(a, "index_n_heads"),
		.index_dim = get_int(a, "index_head_dim"),
		.index_topk = get_int(a, "index_topk"),
		.window = get_int(a, "window_size"),
		.ratio = get_int(a, "compress_ratio"),
		.groups = get_int(a, "o_groups"),
		.kv = opattrs_quant(a, "kvcache_quant_mode", QUANT_KVCACHE, true),
		.fmha = opattrs_quant(a, "fmha_quant_mode", QUANT_FMHA, true),
		.gemm = opattrs_quant(a, "gemm_quant_mode", QUANT_GEMM, true),
	};
	if (a->bad)
		return OPQ_BAD_ATTRS;
	if (!context && pt->beam != 1) {
		snprintf(a->err, a->errlen, "%s supports beam width 1 only, got %lld", a->op_type, pt->beam);
		return PERFDB_REFUSED;
	}
	long long b = pt->batch, s = pt->s, prefix = context ? pt->prefix : 0;
	char what[300];
	snprintf(what, sizeof what,
		 "DeepSeek-V4 %s attention module for b=%lld, s=%lld, prefix=%lld, num_heads=%lld, native_heads=%lld, "
		 "tp_size=%lld, compress_ratio=%lld",
		 context ? "context" : "generation", b, s, prefix, m.heads, m.native_heads, m.tp, m.ratio);
	const char *tables = context ? "dsv4_csa_context_module_perf.txt and dsv4_hca_context_module_perf.txt"
				     : "dsv4_csa_generation_module_perf.txt and dsv4_hca_generation_module_perf.txt";
	return answer(db, attention_sol(db, &m, context, b, s, prefix), context ? 0.55 : 0.6, tables, what, out,
		      a->err, a->errlen);
}

int opquery_dsv4_point(perfdb *db, const char *op_type, const cJSON *attrs, const opq_point *pt, perf_result *out,
		       char *err, size_t errlen)
{
	opattrs a = { attrs, op_type, err, errlen, false, .null_is_wrong_type = true,
		       .unknown_quant = OPATTRS_QUANT_PLAIN };
	if (strcmp(op_type, "DeepSeekV4MHCModule") == 0)
		return q_mhc(db, &a, pt, out);
	if (strcmp(op_type, "ContextDeepSeekV4AttentionModule") == 0)
		return q_attention(db, &a, true, pt, out);
	if (strcmp(op_type, "GenerationDeepSeekV4AttentionModule") == 0)
		return q_attention(db, &a, false, pt, out);
	snprintf(err, errlen, "op_type '%s' is not a DeepSeek-V4 op", op_type);
	return OPQ_BAD_ATTRS;
}
