#include "opgraph_write.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "families.h"

/* A JSON string literal of s: with cjson, as cJSON's printer escapes it, else as opgraph always
 * wrote its static records (\u escapes for every control character). */
static void put_string(FILE *out, const char *s, bool cjson)
{
	if (cjson) {
		jsonl_print_string(out, s);
		return;
	}
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(out, "\\u%04x", *p);
		else
			putc(*p, out);
	}
	putc('"', out);
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

static void put_number(FILE *out, double v, bool cjson)
{
	char buf[64];
	if (cjson && v == (double)(long long)v && v > -1e15 && v < 1e15 && !(v == 0 && signbit(v)))
		snprintf(buf, sizeof buf, "%lld", (long long)v);
	else if (cjson)
		snprintf(buf, sizeof buf, "%s", cjson_number(v));
	else if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		snprintf(buf, sizeof buf, "%lld", (long long)v);
	else
		json_format_double(buf, sizeof buf, v);
	fputs(buf, out);
}

/* v as printf's %ld writes it. */
static void put_long(FILE *out, long v)
{
	char buf[24];
	size_t i = sizeof buf;
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
	do
		buf[--i] = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		buf[--i] = '-';
	fwrite(buf + i, 1, sizeof buf - i, out);
}

/* One point object; run > 1 makes it a run of points (s_step apart, the last counted last_count). */
static void put_point(FILE *out, const og_write_opts *o, bool first, long x, long batch, long beam, long s,
		      long prefix, long count, const char *scale_key, double scale, long run, long s_step,
		      long last_count)
{
	/* token counts stay far below 1e15: both number styles print them as plain integers */
	fputs(first ? "{\"x\":" : ",{\"x\":", out);
	put_long(out, x);
	fputs(",\"batch\":", out);
	put_long(out, batch);
	fputs(",\"beam\":", out);
	put_long(out, beam);
	fputs(",\"s\":", out);
	put_long(out, s);
	fputs(",\"prefix\":", out);
	put_long(out, prefix);
	fputs(",\"count\":", out);
	put_long(out, count);
	/* the reference passes its imbalance scale to every op; only attention applies it; absent means 1 */
	if (scale != 1.0) {
		fprintf(out, ",\"%s\":", scale_key);
		put_number(out, scale, o->cjson_numbers);
	}
	if (run > 1) {
		fputs(",\"run\":", out);
		put_long(out, run);
		fputs(",\"s_step\":", out);
		put_long(out, s_step);
		if (last_count != count) {
			fputs(",\"last_count\":", out);
			put_long(out, last_count);
		}
	}
	putc('}', out);
}

/* Integers beyond ±1e15 would print differently in the two number styles (and as exponents
 * in cJSON's); no op point comes near, but stay exact if one does. */
static bool plain(long v)
{
	return v > -1000000000000000L && v < 1000000000000000L;
}

static void put_points(FILE *out, const og_config *cfg, const og_op *op, const og_write_opts *o)
{
	const og_runtime *rt = &cfg->rt;
	long isl = rt->isl + cfg->img_ctx_tokens; /* image tokens join the prompt */
	long ex, eb, es;
	const family_desc *fam = family_find(cfg->model.family);
	if (!og_mode_runs(rt->mode, op->phase)) {
		/* a phase the mode does not run: listed with no points, so it reports 0 as the reference does */
	} else if (op->phase == OG_ENCODER) {
		if (fam && fam->encoder_point && fam->encoder_point(cfg, op, &ex, &eb, &es))
			put_point(out, o, true, ex, eb, 1, es, 0, 1, "seq_imbalance_correction_scale", 1.0, 1, 0, 1);
	} else if (op->phase == OG_CONTEXT) {
		long s = isl - rt->prefix;
		/* logits are computed for the last token of each sequence only */
		long x = strstr(op->name, "logits_gemm") ? rt->batch : rt->batch * s;
		put_point(out, o, true, x, rt->batch, 1, s, rt->prefix, 1, "seq_imbalance_correction_scale",
			  rt->seq_imbalance_correction_scale, 1, 0, 1);
	} else {
		/* each MTP draft token is one more sequence in the decode batch */
		long batch = rt->batch * (rt->nextn + 1);
		long steps = rt->osl - 1;
		long n = steps > 0 ? (steps + rt->stride - 1) / rt->stride : 0;
		if (o->point_runs && n > 1 && plain(isl + steps)) {
			long last = steps - (n - 1) * rt->stride;
			put_point(out, o, true, batch * rt->beam, batch, rt->beam, isl + 1, 0, rt->stride,
				  "gen_seq_imbalance_correction_scale", rt->gen_seq_imbalance_correction_scale, n,
				  rt->stride, last);
			return;
		}
		for (long i = 0; i < steps; i += rt->stride) {
			long count = rt->stride < steps - i ? rt->stride : steps - i;
			put_point(out, o, i == 0, batch * rt->beam, batch, rt->beam, isl + i + 1, 0, count,
				  "gen_seq_imbalance_correction_scale", rt->gen_seq_imbalance_correction_scale, 1, 0, count);
		}
	}
}

void og_op_write_with(FILE *out, const og_config *cfg, const og_op *op, const char *config_id,
		      const og_write_opts *o)
{
	bool cj = o->cjson_numbers;
	fputs("{\"record\":\"op\",\"config_id\":", out);
	put_string(out, config_id, cj);
	fputs(",\"phase\":\"", out);
	fputs(og_phase_name(op->phase), out);
	fputs("\",\"name\":", out);
	put_string(out, op->name, cj);
	fputs(",\"op_type\":\"", out);
	fputs(op->op_type, out);
	fputs("\",\"scale_factor\":", out);
	put_number(out, op->scale_factor, cj);
	fputs(",\"attrs\":", out);
	/* the remembered text spells inner keys cJSON's way: the same bytes unless !cj and inner */
	bool text = o->attrs_text && (cj || !op->inner);
	if (text)
		fputs(o->attrs_text, out);
	else if (op->attrs)
		jsonl_print(out, op->attrs);
	else
		fputs("{}", out);
	const cJSON *in, *inner = text ? NULL : op->inner;
	cJSON_ArrayForEach(in, inner)
	{
		fputc(',', out);
		put_string(out, in->string, cj);
		fputc(':', out);
		jsonl_print(out, in);
	}
	fputs(",\"points\":[", out);
	put_points(out, cfg, op, o);
	fputc(']', out);
	if (o->step) {
		fputs(",\"step\":", out);
		put_string(out, o->step, cj);
	}
	if (o->system) {
		fputs(",\"system\":", out);
		put_string(out, o->system, cj);
		if (o->version) {
			fputs(",\"version\":", out);
			put_string(out, o->version, cj);
		}
	}
	fputs("}\n", out);
}
