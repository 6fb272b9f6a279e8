#include "opgraph_memo.h"
#include "opgraph_build.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"

/* The key below names every field of og_runtime and og_model a builder may read: a new field
 * changes these sizes and stops the build until the key says whether it belongs. */
_Static_assert(sizeof(og_runtime) == 264, "og_runtime changed: update config_key in opgraph_memo.c");
_Static_assert(sizeof(og_model) == 176, "og_model changed: update config_key in opgraph_memo.c");

enum { MEMO_SLOTS = 16 };

typedef struct memo_entry {
	char *key;
	size_t key_len;
	og_graph g;
	char **attrs_text; /* per op, printed on first use */
} memo_entry;

static memo_entry memo[MEMO_SLOTS];
static size_t memo_next; /* the slot the next new graph takes (round robin) */

/* A key under construction: bytes appended; ok false once out of memory. */
typedef struct key_buf {
	char *p;
	size_t n, cap;
	bool ok;
} key_buf;

static void put_bytes(key_buf *k, const void *v, size_t n)
{
	if (!k->ok)
		return;
	if (k->n + n > k->cap) {
		size_t cap = 2 * (k->n + n) + 256;
		char *p = realloc(k->p, cap);
		if (!p) {
			k->ok = false;
			return;
		}
		k->p = p;
		k->cap = cap;
	}
	memcpy(k->p + k->n, v, n);
	k->n += n;
}

static void put_long(key_buf *k, long v)
{
	put_bytes(k, &v, sizeof v);
}

static void put_double(key_buf *k, double v)
{
	put_bytes(k, &v, sizeof v);
}

/* A string with its length (NULL apart from every string). */
static void put_str(key_buf *k, const char *s)
{
	long len = s ? (long)strlen(s) : -1;
	put_long(k, len);
	if (s)
		put_bytes(k, s, (size_t)len);
}

/* Everything of cfg a family builder may read, as bytes; NULL when out of memory. Left out: the
 * mode, batch, isl, osl and prefix (the query points' business). */
static char *config_key(const og_config *cfg, size_t *len)
{
	key_buf k = { NULL, 0, 0, true };
	const og_runtime *rt = &cfg->rt;
	const og_model *m = &cfg->model;
	put_str(&k, rt->system);
	put_str(&k, rt->backend);
	put_str(&k, rt->version);
	const long rl[] = { rt->tp, rt->pp, rt->dp, rt->moe_tp, rt->moe_ep, rt->nextn, rt->stride, rt->beam,
			    rt->image_height, rt->image_width, rt->num_images, rt->point_runs, rt->wideep,
			    rt->enable_eplb, rt->wideep_num_slots, rt->deepep };
	put_bytes(&k, rl, sizeof rl);
	for (int q = 0; q < QUANT_KIND_COUNT; q++)
		put_str(&k, rt->quant[q]);
	put_bytes(&k, rt->nextn_accept_rates, sizeof rt->nextn_accept_rates);
	put_double(&k, rt->seq_imbalance_correction_scale);
	put_double(&k, rt->gen_seq_imbalance_correction_scale);
	put_str(&k, m->architecture);
	put_str(&k, m->family);
	put_str(&k, m->path);
	const long ml[] = { m->layers, m->n, m->n_kv, m->d, m->hidden_size, m->inter_size, m->vocab, m->context,
			    m->topk, m->num_experts, m->moe_inter_size, m->use_qk_norm, m->weight_block_size };
	put_bytes(&k, ml, sizeof ml);
	for (int q = 0; q < QUANT_KIND_COUNT; q++)
		put_str(&k, m->quant[q]);
	char *extra = m->extra_params ? cJSON_PrintUnformatted(m->extra_params) : NULL;
	if (m->extra_params && !extra)
		k.ok = false;
	put_str(&k, extra);
	free(extra);
	for (int q = 0; q < QUANT_KIND_COUNT; q++)
		put_str(&k, cfg->quant[q] ? cfg->quant[q]->name : NULL);
	put_double(&k, cfg->mtp_scale_factor);
	put_long(&k, cfg->img_ctx_tokens);
	if (!k.ok) {
		free(k.p);
		return NULL;
	}
	*len = k.n;
	return k.p;
}

static void entry_free(memo_entry *e)
{
	if (e->attrs_text)
		for (size_t i = 0; i < e->g.n; i++)
			free(e->attrs_text[i]);
	free(e->attrs_text);
	free(e->key);
	og_graph_free(&e->g);
	memset(e, 0, sizeof *e);
}

const og_graph *og_graph_memo_build(const og_config *cfg, char *err, size_t errn)
{
	size_t len = 0;
	char *key = config_key(cfg, &len);
	if (key) {
		for (size_t i = 0; i < MEMO_SLOTS; i++)
			if (memo[i].key && memo[i].key_len == len && memcmp(memo[i].key, key, len) == 0) {
				free(key);
				return &memo[i].g;
			}
	}
	og_graph g;
	if (og_build(cfg, &g, err, errn)) {
		free(key);
		return NULL;
	}
	memo_entry *e = &memo[memo_next];
	memo_next = (memo_next + 1) % MEMO_SLOTS;
	entry_free(e);
	e->key = key; /* NULL (out of memory): never found again, still owned here */
	e->key_len = len;
	e->g = g;
	return &e->g;
}

const char *og_graph_memo_attrs_text(const og_graph *g, size_t i)
{
	if (!g->ops)
		return NULL;
	for (size_t s = 0; s < MEMO_SLOTS; s++) {
		memo_entry *e = &memo[s];
		if (e->g.ops != g->ops || i >= e->g.n)
			continue;
		if (!e->attrs_text && !(e->attrs_text = calloc(e->g.n, sizeof *e->attrs_text)))
			return NULL;
		if (!e->attrs_text[i]) {
			const og_op *op = &e->g.ops[i];
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			if (!f)
				return NULL;
			if (op->attrs)
				jsonl_print(f, op->attrs);
			else
				fputs("{}", f);
			const cJSON *in;
			cJSON_ArrayForEach(in, op->inner)
			{
				fputc(',', f);
				jsonl_print_string(f, in->string);
				fputc(':', f);
				jsonl_print(f, in);
			}
			if (fclose(f)) {
				free(buf);
				return NULL;
			}
			e->attrs_text[i] = buf;
		}
		return e->attrs_text[i];
	}
	return NULL;
}

void og_graph_memo_clear(void)
{
	for (size_t i = 0; i < MEMO_SLOTS; i++)
		entry_free(&memo[i]);
	memo_next = 0;
}
