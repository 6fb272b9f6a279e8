#include "opgraph_write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jsonl.h"
#include "numfmt.h"
#include "families.h"

/* The record being written: built here and written with one fwrite (a record was some forty
 * stdio calls, each taking the stream's lock: a third of opgraph's time on a sweep). What
 * jsonl_print writes itself goes after a flush of what is built, so the bytes keep their order. */
typedef struct line {
	FILE *out;
	char *buf;
	size_t len, cap;
} line;

__attribute__((noinline)) static void grow(line *l, size_t n)
{
	size_t cap = l->cap ? l->cap : 4096;
	while (cap < l->len + n)
		cap *= 2;
	l->buf = xrealloc(l->buf, cap);
	l->cap = cap;
}

/* Inlined at every call: most copy a literal of known length, which the compiler then copies in
 * a move or two (called, each was a call of memcpy for a few bytes: a fifth of opgraph's time). */
__attribute__((always_inline)) static inline void put(line *l, const char *s, size_t n)
{
	if (l->len + n > l->cap)
		grow(l, n);
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void puts_(line *l, const char *s)
{
	put(l, s, strlen(s));
}

#define PUT_LIT(l, lit) put(l, lit, sizeof lit - 1)

static void flush(line *l)
{
	fwrite(l->buf, 1, l->len, l->out);
	l->len = 0;
}

/* A JSON string literal of s: with cjson, as cJSON's printer escapes it, else as opgraph always
 * wrote its static records (\u escapes for every control character). Both leave a string of
 * printable characters without quotes or backslashes as it is. */
static void put_string(line *l, const char *s, bool cjson)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p >= 0x20 && *p != '"' && *p != '\\')
		p++;
	if (!*p) {
		PUT_LIT(l, "\"");
		put(l, s, (size_t)(p - (const unsigned char *)s));
		PUT_LIT(l, "\"");
		return;
	}
	if (cjson) {
		flush(l);
		jsonl_print_string(l->out, s);
		return;
	}
	PUT_LIT(l, "\"");
	for (p = (const unsigned char *)s; *p; p++) {
		char esc[8];
		if (*p == '"' || *p == '\\')
			put(l, esc, (size_t)snprintf(esc, sizeof esc, "\\%c", *p));
		else if (*p < 0x20)
			put(l, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", *p));
		else
			put(l, (const char *)p, 1);
	}
	PUT_LIT(l, "\"");
}

/* cJSON's text of v, remembered: attrs repeat a few constants (0.3, 5e-06, ...) in every op, and
 * printing a fraction costs a printf and a strtod. Direct-mapped by the value's bits. */
static const char *cjson_number(double v)
{
	static struct {
		unsigned long long bits;
		char text[32];
	} seen[64];
	unsigned long long bits;
	memcpy(&bits, &v, sizeof bits);
	unsigned slot = (unsigned)((bits * 0x9E3779B97F4A7C15ULL) >> 58);
	if (seen[slot].text[0] && seen[slot].bits == bits)
		return seen[slot].text;
	seen[slot].bits = bits;
	jsonl_cjson_number(seen[slot].text, sizeof seen[slot].text, v);
	return seen[slot].text;
}

/* v as printf's %ld writes it. */
static void put_long(line *l, long v)
{
	char buf[21];
	put(l, buf, numfmt_ld(buf, v));
}

static void put_number(line *l, double v, bool cjson)
{
	char buf[64];
	if (v == (double)(long long)v && v > -1e15 && v < 1e15 && !(cjson && v == 0 && signbit(v)))
		put_long(l, (long)v); /* "%lld" */
	else if (cjson)
		puts_(l, cjson_number(v));
	else {
		json_format_double(buf, sizeof buf, v);
		puts_(l, buf);
	}
}

/* One point object; run > 1 makes it a run of points (s_step apart, the last counted last_count). */
static void put_point(line *l, const og_write_opts *o, bool first, long x, long batch, long beam, long s,
		      long prefix, long count, const char *scale_key, double scale, long run, long s_step,
		      long last_count)
{
	/* token counts stay far below 1e15: both number styles print them as plain integers */
	if (first)
		PUT_LIT(l, "{\"x\":");
	else
		PUT_LIT(l, ",{\"x\":");
	put_long(l, x);
	PUT_LIT(l, ",\"batch\":");
	put_long(l, batch);
	PUT_LIT(l, ",\"beam\":");
	put_long(l, beam);
	PUT_LIT(l, ",\"s\":");
	put_long(l, s);
	PUT_LIT(l, ",\"prefix\":");
	put_long(l, prefix);
	PUT_LIT(l, ",\"count\":");
	put_long(l, count);
	/* the reference passes its imbalance scale to every op; only attention applies it; absent means 1 */
	if (scale != 1.0) {
		PUT_LIT(l, ",\"");
		puts_(l, scale_key);
		PUT_LIT(l, "\":");
		put_number(l, scale, o->cjson_numbers);
	}
	if (run > 1) {
		PUT_LIT(l, ",\"run\":");
		put_long(l, run);
		PUT_LIT(l, ",\"s_step\":");
		put_long(l, s_step);
		if (last_count != count) {
			PUT_LIT(l, ",\"last_count\":");
			put_long(l, last_count);
		}
	}
	PUT_LIT(l, "}");
}

/* Integers beyond ±1e15 would print differently in the two number styles (and as exponents
 * in cJSON's); no op point comes near, but stay exact if one does. */
static bool plain(long v)
{
	return v > -1000000000000000L && v < 1000000000000000L;
}

static void put_points(line *l, const og_config *cfg, const og_op *op, const og_write_opts *o)
{
	const og_runtime *rt = &cfg->rt;
	long isl = rt->isl + cfg->img_ctx_tokens; /* image tokens join the prompt */
	long ex, eb, es;
	const family_desc *fam = family_find(cfg->model.family);
	if (!og_mode_runs(rt->mode, op->phase)) {
		/* a phase the mode does not run: listed with no points, so it reports 0 as the reference does */
	} else if (op->phase == OG_ENCODER) {
		if (fam && fam->encoder_point && fam->encoder_point(cfg, op, &ex, &eb, &es))
			put_point(l, o, true, ex, eb, 1, es, 0, 1, "seq_imbalance_correction_scale", 1.0, 1, 0, 1);
	} else if (op->phase == OG_CONTEXT) {
		long s = isl - rt->prefix;
		/* logits are computed for the last token of each sequence only */
		long x = strstr(op->name, "logits_gemm") ? rt->batch : rt->batch * s;
		put_point(l, o, true, x, rt->batch, 1, s, rt->prefix, 1, "seq_imbalance_correction_scale",
			  rt->seq_imbalance_correction_scale, 1, 0, 1);
	} else {
		/* each MTP draft token is one more sequence in the decode batch */
		long batch = rt->batch * (rt->nextn + 1);
		long steps = rt->osl - 1;
		long n = steps > 0 ? (steps + rt->stride - 1) / rt->stride : 0;
		if (o->point_runs && n > 1 && plain(isl + steps)) {
			long last = steps - (n - 1) * rt->stride;
			put_point(l, o, true, batch * rt->beam, batch, rt->beam, isl + 1, 0, rt->stride,
				  "gen_seq_imbalance_correction_scale", rt->gen_seq_imbalance_correction_scale, n,
				  rt->stride, last);
			return;
		}
		for (long i = 0; i < steps; i += rt->stride) {
			long count = rt->stride < steps - i ? rt->stride : steps - i;
			put_point(l, o, i == 0, batch * rt->beam, batch, rt->beam, isl + i + 1, 0, count,
				  "gen_seq_imbalance_correction_scale", rt->gen_seq_imbalance_correction_scale, 1, 0, count);
		}
	}
}

void og_op_write_with(FILE *out, const og_config *cfg, const og_op *op, const char *config_id,
		      const og_write_opts *o)
{
	static line l; /* its buffer stays for the next record */
	l.out = out;
	l.len = 0;
	bool cj = o->cjson_numbers;
	PUT_LIT(&l, "{\"record\":\"op\",\"config_id\":");
	put_string(&l, config_id, cj);
	PUT_LIT(&l, ",\"phase\":\"");
	puts_(&l, og_phase_name(op->phase));
	PUT_LIT(&l, "\",\"name\":");
	put_string(&l, op->name, cj);
	PUT_LIT(&l, ",\"op_type\":\"");
	puts_(&l, op->op_type);
	PUT_LIT(&l, "\",\"scale_factor\":");
	put_number(&l, op->scale_factor, cj);
	PUT_LIT(&l, ",\"attrs\":");
	/* the remembered text spells inner keys cJSON's way: the same bytes unless !cj and inner */
	bool text = o->attrs_text && (cj || !op->inner);
	if (text) {
		puts_(&l, o->attrs_text);
	} else if (op->attrs) {
		flush(&l);
		jsonl_print(out, op->attrs);
	} else {
		PUT_LIT(&l, "{}");
	}
	const cJSON *in, *inner = text ? NULL : op->inner;
	cJSON_ArrayForEach(in, inner)
	{
		PUT_LIT(&l, ",");
		put_string(&l, in->string, cj);
		PUT_LIT(&l, ":");
		flush(&l);
		jsonl_print(out, in);
	}
	PUT_LIT(&l, ",\"points\":[");
	put_points(&l, cfg, op, o);
	PUT_LIT(&l, "]");
	if (o->step) {
		PUT_LIT(&l, ",\"step\":");
		put_string(&l, o->step, cj);
	}
	if (o->system) {
		PUT_LIT(&l, ",\"system\":");
		put_string(&l, o->system, cj);
		if (o->version) {
			PUT_LIT(&l, ",\"version\":");
			put_string(&l, o->version, cj);
		}
	}
	PUT_LIT(&l, "}\n");
	flush(&l);
}
