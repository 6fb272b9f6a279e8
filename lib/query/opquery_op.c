#include "opquery_op.h"
#include "opattrs.h"
#include "opquery_dsa.h"
#include "opquery_dsv4.h"
#include "opquery_mamba.h"
#include "opquery_mla.h"
#include "opquery_moe.h"
#include "opquery_wideep.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const known_ops[] = {
	"GEMM", "ContextAttention", "GenerationAttention", "ElementWise", "Embedding", "CustomAllReduce", "NCCL", "P2P",
	"MoE", "MoEDispatch",
};

bool opquery_op_known(const char *op_type)
{
	for (size_t i = 0; i < sizeof known_ops / sizeof known_ops[0]; i++)
		if (strcmp(op_type, known_ops[i]) == 0)
			return true;
	return opquery_mla_known(op_type) || opquery_mamba_known(op_type) ||
	       opquery_dsv4_known(op_type) || opquery_dsa_known(op_type) || opquery_wideep_known(op_type);
}

/* The q_* below that read pt->x and nothing else of the point (tests/query.bats compares runs
 * with the same points listed for every op type). */
bool opquery_op_reads_x_only(const char *op_type)
{
	static const char *const x_only[] = { "GEMM", "ElementWise", "Embedding", "CustomAllReduce", "NCCL", "P2P" };
	for (size_t i = 0; i < sizeof x_only / sizeof x_only[0]; i++)
		if (strcmp(op_type, x_only[i]) == 0)
			return true;
	return false;
}

/* Python's // on integers (floor). */
static long long floordiv(long long a, long long b)
{
	long long q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static perf_result zero_empirical(void)
{
	return (perf_result){ 0.0, 0.0, PERF_SRC_EMPIRICAL, PERF_DET_EMPIRICAL };
}

static perf_result scaled(perf_result r, double f)
{
	r.latency *= f;
	r.energy *= f;
	return r;
}

/* An op's attrs as its query body reads them. A run of generation points prices one op a hundred
 * times over: the attrs are read (and their quant modes looked up) on the first point and kept
 * for the others, while opquery_record prices the record (lib/query/opattrs' epoch). */
typedef struct op_attrs {
	long long n, k, per, n_kv, window, head, din, dout, cols, h, tp, pp, gpus, per_token;
	bool low_in, qk_norm;
	const quant_mode *q, *kv, *fmha;
	const char *nccl_op;
} op_attrs;

typedef void (*attrs_reader)(opattrs *a, op_attrs *d);

/* d of a's attrs read by read (each reader reads its attrs in the order its complaints come),
 * the kept ones when the same attrs were read so in this record; NULL when they are bad. */
static const op_attrs *read_attrs(opattrs *a, attrs_reader read)
{
	static struct {
		unsigned long epoch;
		const cJSON *attrs;
		attrs_reader read;
		op_attrs d;
	} kept;
	static op_attrs fresh;
	unsigned long epoch = opattrs_epoch();
	if (epoch && kept.epoch == epoch && kept.attrs == a->attrs && kept.read == read)
		return &kept.d;
	fresh = (op_attrs){ 0 };
	read(a, &fresh);
	if (a->bad)
		return NULL;
	if (epoch) {
		kept.epoch = epoch;
		kept.attrs = a->attrs;
		kept.read = read;
		kept.d = fresh;
	}
	return &fresh;
}

static void read_gemm(opattrs *a, op_attrs *d)
{
	d->n = opattrs_int(a, "n", 0, true), d->k = opattrs_int(a, "k", 0, true);
	d->per = opattrs_int(a, "scale_num_tokens", 1, false);
	d->low_in = opattrs_bool(a, "low_precision_input", false, false);
	d->q = opattrs_quant(a, "quant_mode", QUANT_GEMM, true);
}

static void read_context_attention(opattrs *a, op_attrs *d)
{
	d->n = opattrs_int(a, "n", 0, true), d->n_kv = opattrs_int(a, "n_kv", 0, true);
	d->window = opattrs_int(a, "window_size", 0, false), d->head = opattrs_int(a, "head_size", 128, false);
	d->qk_norm = opattrs_bool(a, "use_qk_norm", false, false);
	d->kv = opattrs_quant(a, "kvcache_quant_mode", QUANT_KVCACHE, true);
	d->fmha = opattrs_quant(a, "fmha_quant_mode", QUANT_FMHA, true);
}

static void read_generation_attention(opattrs *a, op_attrs *d)
{
	d->n = opattrs_int(a, "n", 0, true), d->n_kv = opattrs_int(a, "n_kv", 0, true);
	d->window = opattrs_int(a, "window_size", 0, false), d->head = opattrs_int(a, "head_size", 128, false);
	d->kv = opattrs_quant(a, "kv_cache_dtype", QUANT_KVCACHE, true);
}

static void read_elementwise(opattrs *a, op_attrs *d)
{
	d->din = opattrs_int(a, "dim_in", 0, true), d->dout = opattrs_int(a, "dim_out", 0, true);
	d->per = opattrs_int(a, "scale_num_tokens", 1, false);
}

static void read_embedding(opattrs *a, op_attrs *d)
{
	d->cols = opattrs_int(a, "column_size", 0, true);
}

static void read_allreduce(opattrs *a, op_attrs *d)
{
	d->h = opattrs_int(a, "h", 0, true), d->tp = opattrs_int(a, "tp_size", 1, true);
}

static void read_nccl(opattrs *a, op_attrs *d)
{
	d->nccl_op = opattrs_str(a, "nccl_op", true);
	d->per_token = opattrs_int(a, "num_elements_per_token", 0, true);
	d->gpus = opattrs_int(a, "num_gpus", 1, true);
	d->q = opattrs_quant(a, "comm_quant_mode", QUANT_COMM, true);
}

static void read_p2p(opattrs *a, op_attrs *d)
{
	d->h = opattrs_int(a, "h", 0, true), d->pp = opattrs_int(a, "pp_size", 1, true);
}

/* The op classes' query bodies. Each fills *r before the scale factor. */

static int q_gemm(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	const op_attrs *d = read_attrs(a, read_gemm);
	if (!d)
		return OPQ_BAD_ATTRS;
	long long n = d->n, k = d->k, per = d->per;
	bool low_in = d->low_in;
	const quant_mode *q = d->q;
	if (per == 0) {
		snprintf(a->err, a->errlen, "GEMM op: scale_num_tokens must not be 0");
		return OPQ_BAD_ATTRS;
	}
	long long x = floordiv(pt->x, per);
	int st = perfdb_gemm(db, x, n, k, q, r, a->err, a->errlen);
	if (st)
		return st;
	if (strcmp(q->name, "fp8_static") == 0) {
		/* static quantization skips the dynamic scale computation the fp8 table includes */
		perf_result cs, sm;
		if ((st = perfdb_compute_scale(db, x, k, q, &cs, a->err, a->errlen)))
			return st;
		r->latency -= cs.latency;
		r->energy -= cs.energy;
		if (cs.source != r->source)
			r->source = PERF_SRC_MIXED, r->detail = PERF_DET_MIXED;
		if (low_in) {
			if ((st = perfdb_scale_matrix(db, x, k, q, &sm, a->err, a->errlen)))
				return st;
			r->latency -= sm.latency;
			r->energy -= sm.energy;
			if (sm.source != r->source)
				r->source = PERF_SRC_MIXED, r->detail = PERF_DET_MIXED;
		}
	}
	if (r->latency < 0)
		r->latency = 0.0;
	if (r->energy < 0)
		r->energy = 0.0;
	return 0;
}

static perf_result mem(perfdb *db, double bytes)
{
	perf_result r;
	perfdb_mem_op(db, bytes, &r);
	return r;
}

static int q_context_attention(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	const op_attrs *d = read_attrs(a, read_context_attention);
	if (!d)
		return OPQ_BAD_ATTRS;
	long long n = d->n, n_kv = d->n_kv, window = d->window, head = d->head;
	bool qk_norm = d->qk_norm;
	const quant_mode *kv = d->kv, *fmha = d->fmha;
	int st = perfdb_context_attention(db, pt->batch, pt->s, pt->prefix, n, n_kv, kv, fmha, window, head, r, a->err,
					  a->errlen);
	if (st)
		return st;
	/* memory-bound extras around the kernel: optional QK norm, RoPE, KV-cache write */
	double q_num = (double)(n * head), k_num = (double)(n_kv * head), v_num = k_num;
	perf_result rope = scaled(mem(db, q_num * 2 + k_num * 2), 2);
	perf_result kv_write = perf_add(mem(db, k_num * fmha->memory), mem(db, v_num * fmha->memory));
	perf_result extra = perf_add(rope, kv_write);
	if (qk_norm) {
		perf_result qk = perf_add(scaled(mem(db, q_num * 2), 2), scaled(mem(db, k_num * 2), 2));
		extra = perf_add(scaled(qk, 2), extra);
	}
	*r = perf_add(*r, scaled(extra, 1.1));
	if (pt->seq_scale != 1.0)
		*r = scaled(*r, pt->seq_scale);
	return 0;
}

static int q_generation_attention(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	const op_attrs *d = read_attrs(a, read_generation_attention);
	if (!d)
		return OPQ_BAD_ATTRS;
	long long n = d->n, n_kv = d->n_kv, window = d->window, head = d->head;
	const quant_mode *kv = d->kv;
	if (pt->beam != 1) {
		snprintf(a->err, a->errlen, "GenerationAttention supports beam width 1 only, got %lld", pt->beam);
		return PERFDB_REFUSED;
	}
	int st = perfdb_generation_attention(db, pt->batch, pt->s, n, n_kv, kv, window, head, r, a->err, a->errlen);
	if (st)
		return st;
	double scale = pt->has_gen_seq_scale ? pt->gen_seq_scale : pt->seq_scale;
	if (scale != 1.0)
		*r = scaled(*r, scale);
	return 0;
}

static int q_elementwise(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	const op_attrs *d = read_attrs(a, read_elementwise);
	if (!d)
		return OPQ_BAD_ATTRS;
	long long din = d->din, dout = d->dout, per = d->per;
	if (per <= 0) {
		snprintf(a->err, a->errlen, "ElementWise op: scale_num_tokens must be > 0, got %lld", per);
		return OPQ_BAD_ATTRS;
	}
	long long x = floordiv(pt->x, per);
	/* bfloat16 activations in and out */
	*r = mem(db, (double)(x * din * 2 + x * dout * 2));
	return 0;
}

static int q_embedding(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	const op_attrs *d = read_attrs(a, read_embedding);
	if (!d)
		return OPQ_BAD_ATTRS;
	long long cols = d->cols;
	*r = mem(db, (double)(pt->x * cols * 2));
	return 0;
}

static int q_allreduce(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	const op_attrs *d = read_attrs(a, read_allreduce);
	if (!d)
		return OPQ_BAD_ATTRS;
	long long h = d->h, tp = d->tp;
	if (tp == 1) {
		*r = zero_empirical();
		return 0;
	}
	return perfdb_custom_allreduce(db, quant_find(QUANT_COMM, "half"), tp, pt->x * h, r, a->err, a->errlen);
}

static int q_nccl(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	const op_attrs *d = read_attrs(a, read_nccl);
	if (!d)
		return OPQ_BAD_ATTRS;
	const char *op = d->nccl_op;
	long long per_token = d->per_token, gpus = d->gpus;
	const quant_mode *q = d->q;
	return perfdb_nccl(db, q, gpus, op, pt->x * per_token, r, a->err, a->errlen);
}

static int q_p2p(perfdb *db, opattrs *a, const opq_point *pt, perf_result *r)
{
	const op_attrs *d = read_attrs(a, read_p2p);
	if (!d)
		return OPQ_BAD_ATTRS;
	long long h = d->h, pp = d->pp;
	if (pp == 1) {
		*r = zero_empirical();
		return 0;
	}
	/* bfloat16 activations */
	return perfdb_p2p(db, (double)(pt->x * h * 2), r);
}

int opquery_point(perfdb *db, const char *op_type, const cJSON *attrs, double scale_factor, const opq_point *pt,
		  perf_result *out, char *err, size_t errlen)
{
	opattrs a = { attrs, op_type, err, errlen, false, .says_lack = true,
		       .unknown_quant = OPATTRS_QUANT_LIST_KNOWN };
	if (!cJSON_IsObject(attrs)) {
		snprintf(err, errlen, "%s op: attrs must be an object", op_type);
		return OPQ_BAD_ATTRS;
	}
	perf_result r;
	int st;
	if (!strcmp(op_type, "GEMM"))
		st = q_gemm(db, &a, pt, &r);
	else if (!strcmp(op_type, "ContextAttention"))
		st = q_context_attention(db, &a, pt, &r);
	else if (!strcmp(op_type, "GenerationAttention"))
		st = q_generation_attention(db, &a, pt, &r);
	else if (!strcmp(op_type, "ElementWise"))
		st = q_elementwise(db, &a, pt, &r);
	else if (!strcmp(op_type, "Embedding"))
		st = q_embedding(db, &a, pt, &r);
	else if (!strcmp(op_type, "CustomAllReduce"))
		st = q_allreduce(db, &a, pt, &r);
	else if (!strcmp(op_type, "NCCL"))
		st = q_nccl(db, &a, pt, &r);
	else if (!strcmp(op_type, "P2P"))
		st = q_p2p(db, &a, pt, &r);
	else if (opquery_mla_known(op_type))
		st = opquery_mla_point(db, op_type, attrs, pt, &r, err, errlen);
	else if (opquery_moe_handles(op_type))
		st = opquery_moe_point(db, op_type, attrs, pt, &r, err, errlen);
	else if (opquery_mamba_known(op_type))
		st = opquery_mamba_point(db, op_type, attrs, pt, &r, err, errlen);
	else if (opquery_dsv4_known(op_type))
		st = opquery_dsv4_point(db, op_type, attrs, pt, &r, err, errlen);
	else if (opquery_dsa_known(op_type))
		st = opquery_dsa_point(db, op_type, attrs, pt, &r, err, errlen);
	else if (opquery_wideep_known(op_type))
		st = opquery_wideep_point(db, op_type, attrs, pt, &r, err, errlen);
	else {
		snprintf(err, errlen, "op_type '%s' is not supported by query yet", op_type);
		return OPQ_BAD_ATTRS;
	}
	if (st)
		return st;
	*out = scaled(r, scale_factor);
	return 0;
}
