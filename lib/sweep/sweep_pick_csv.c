/* sweep_pick_csv: a table of picks as the reference's pareto.csv / best_config_topn.csv rows
 * (see pick_write_csv in sweep_pick.h), apart from the search that makes the table. */
#include "sweep_pick.h"

#include <stdio.h>
#include <string.h>

#include "numfmt.h"
#include "pyfloat.h"
#include "sweep_space.h"

/* A table's text gathered in a buffer and written a few KB at a time: stdio calls per field
 * (a printf for every number) were most of what writing the CSV files cost. */
typedef struct csv_out {
	FILE *f;
	size_t len;
	char buf[8192];
} csv_out;

static void csv_flush(csv_out *o)
{
	if (o->len)
		fwrite(o->buf, 1, o->len, o->f);
	o->len = 0;
}

static void put_bytes(csv_out *o, const char *s, size_t n)
{
	if (o->len + n > sizeof o->buf) {
		csv_flush(o);
		if (n > sizeof o->buf) {
			fwrite(s, 1, n, o->f);
			return;
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_char(csv_out *o, char c)
{
	put_bytes(o, &c, 1);
}

/* a field as csv_write_field writes it: quoted (quotes doubled) when it holds a comma, a quote
 * or a line break */
static void put_str(csv_out *o, const char *s, bool last)
{
	if (!strpbrk(s, ",\"\n\r")) {
		put_bytes(o, s, strlen(s));
	} else {
		put_char(o, '"');
		for (; *s; s++) {
			if (*s == '"')
				put_char(o, '"');
			put_char(o, *s);
		}
		put_char(o, '"');
	}
	put_char(o, last ? '\n' : ',');
}

static void put_long(csv_out *o, long v)
{
	char b[21];
	size_t n = numfmt_ld(b, v);
	b[n] = ',';
	put_bytes(o, b, n + 1);
}

static void put_float(csv_out *o, double v)
{
	char b[40];
	py_float_repr(v, b, sizeof b);
	put_bytes(o, b, strlen(b));
	put_char(o, ',');
}

static void put_float_or_empty(csv_out *o, double v, bool empty)
{
	if (empty)
		put_char(o, ',');
	else
		put_float(o, v);
}

static void put_layout(csv_out *o, const sweep_layout *l)
{
	char name[PICK_NAME];
	sweep_layout_name(l, name, sizeof name);
	put_long(o, l->tp);
	put_long(o, l->pp);
	put_long(o, l->dp);
	put_long(o, l->moe_tp);
	put_long(o, l->moe_ep);
	put_str(o, name, false);
}

/* fmha: the row's own FMHA mode, or NULL / "" for the deployment's */
static void put_quant(csv_out *o, const pick_common *c, const char *fmha)
{
	put_str(o, c->gemm, false);
	put_str(o, c->kvcache, false);
	put_str(o, fmha && *fmha ? fmha : c->fmha, false);
	put_str(o, c->moe, false);
	put_str(o, c->comm, false);
}

static const char agg_header[] =
	"model,isl,osl,prefix,concurrency,request_rate,bs,global_bs,ttft,tpot,request_latency,seq/s,seq/s/gpu,"
	"tokens/s,tokens/s/gpu,tokens/s/user,num_total_gpus,tp,pp,dp,moe_tp,moe_ep,parallel,gemm,kvcache,fmha,moe,"
	"comm,memory,balance_score,num_ctx_reqs,num_gen_reqs,num_tokens,ctx_tokens,gen_tokens,backend,version,"
	"system,power_w,tokens/s/gpu_cluster\n";

static const char disagg_header[] =
	"model,isl,osl,prefix,concurrency,request_rate,(p)bs,(p)global_bs,(p)workers,(d)bs,(d)global_bs,"
	"(d)workers,ttft,tpot,request_latency,seq/s,seq/s/gpu,tokens/s,tokens/s/gpu,tokens/s/user,"
	"(p)seq/s/worker,(d)seq/s/worker,num_total_gpus,(p)tp,(p)pp,(p)dp,(p)moe_tp,(p)moe_ep,(p)parallel,"
	"(p)gemm,(p)kvcache,(p)fmha,(p)moe,(p)comm,(p)memory,(p)backend,(p)version,(p)system,(d)tp,(d)pp,(d)dp,"
	"(d)moe_tp,(d)moe_ep,(d)parallel,(d)gemm,(d)kvcache,(d)fmha,(d)moe,(d)comm,(d)memory,(d)backend,"
	"(d)version,(d)system,(e)workers,(e)tp,(e)pp,(e)parallel,(e)memory,power_w,tokens/s/gpu_cluster\n";

static void agg_csv_row(csv_out *o, const pick_row *r, const pick_common *c)
{
	const agg_point *a = &r->a;
	put_str(o, c->model, false);
	put_long(o, c->isl);
	put_long(o, c->osl);
	put_long(o, c->prefix);
	put_long(o, a->concurrency);
	put_float(o, a->request_rate);
	put_long(o, a->batch);
	put_long(o, a->global_batch);
	put_float(o, a->ttft);
	put_float(o, a->tpot);
	put_float(o, a->request_latency);
	put_float(o, a->seq_s);
	put_float(o, a->seq_s_gpu);
	put_float(o, a->tokens_s);
	put_float(o, a->tokens_s_gpu);
	put_float(o, a->tokens_s_user);
	put_long(o, a->num_total_gpus);
	put_layout(o, &a->layout);
	put_quant(o, c, NULL);
	put_float(o, a->memory);
	/* the load model computes no balance, step tokens or power: empty cells, as pandas writes
	 * a missing number, never a made-up one */
	put_float_or_empty(o, a->balance_score, a->load);
	put_float(o, a->num_ctx_reqs);
	put_float(o, a->num_gen_reqs);
	put_float_or_empty(o, a->num_tokens, a->load);
	put_long(o, a->ctx_tokens);
	put_float_or_empty(o, a->gen_tokens, a->load);
	put_str(o, c->backend, false);
	put_str(o, c->version, false);
	put_str(o, c->system, false);
	put_float_or_empty(o, a->power_w, a->load);
	char b[40];
	py_float_repr(r->tokens_s_gpu_cluster, b, sizeof b);
	put_str(o, b, true);
}

/* A side's own value where it has one, else the shared column's. */
static const char *own(const char *side, const char *shared)
{
	return side && *side ? side : shared;
}

static void side_csv(csv_out *o, const side_point *s, double memory, const pick_common *c)
{
	put_layout(o, &s->layout);
	put_str(o, own(s->gemm, c->gemm), false);
	put_str(o, own(s->kvcache, c->kvcache), false);
	put_str(o, own(s->fmha, c->fmha), false);
	put_str(o, own(s->moe, c->moe), false);
	put_str(o, own(s->comm, c->comm), false);
	put_float(o, memory);
	put_str(o, c->backend, false);
	put_str(o, own(s->version, c->version), false);
	put_str(o, own(s->system, c->system), false);
}

static void disagg_csv_row(csv_out *o, const pick_row *r, const pick_common *c)
{
	put_str(o, c->model, false);
	put_long(o, c->isl);
	put_long(o, c->osl);
	put_long(o, c->prefix);
	put_long(o, (long)r->concurrency);
	put_float(o, r->request_rate);
	put_long(o, r->p.batch);
	put_long(o, r->p.global_batch);
	put_long(o, r->p_workers);
	put_long(o, r->d.batch);
	put_long(o, r->d.global_batch);
	put_long(o, r->d_workers);
	put_float(o, r->ttft);
	put_float(o, r->tpot);
	put_float(o, r->request_latency);
	put_float(o, r->seq_s);
	put_float(o, r->seq_s_gpu);
	put_float(o, r->tokens_s);
	put_float(o, r->tokens_s_gpu);
	put_float(o, r->tokens_s_user);
	put_float(o, r->p_seq_s_worker);
	put_float(o, r->d_seq_s_worker);
	put_long(o, r->num_total_gpus);
	side_csv(o, &r->p, r->p_memory, c);
	side_csv(o, &r->d, r->d_memory, c);
	put_bytes(o, "0,0,0,,0.0,", 11); /* no encoder workers */
	put_float(o, r->power_w);
	char b[40];
	py_float_repr(r->tokens_s_gpu_cluster, b, sizeof b);
	put_str(o, b, true);
}

void pick_write_csv(FILE *out, const pick_table *t, bool disagg, const pick_common *c)
{
	csv_out o;
	o.f = out;
	o.len = 0;
	fputs(disagg ? disagg_header : agg_header, out);
	for (size_t i = 0; i < t->n; i++)
		(disagg ? disagg_csv_row : agg_csv_row)(&o, &t->rows[i], c);
	csv_flush(&o);
}
