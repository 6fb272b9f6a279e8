/* coverage_nearest: the rows of a perf table nearest to a combination it lacks, so that a support
 * issue says what the table has instead (see coverage(1)). */
#include "coverage_nearest.h"
#include "csvtab.h"
#include "diag.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NEAREST 4

typedef struct want {
	const char *col;
	char val[64];
} want;

static int add_want(want *w, int n, const char *col, const char *val, size_t len)
{
	if (n >= 16 || len == 0 || len >= sizeof w[n].val)
		return n;
	w[n].col = col;
	memcpy(w[n].val, val, len);
	w[n].val[len] = 0;
	return n + 1;
}

static size_t word_len(const char *s)
{
	size_t n = 0;
	while (s[n] && !isspace((unsigned char)s[n]) && s[n] != ',')
		n++;
	return n;
}

/* The wanted column values a refusal names: key=value pairs (moe_tp=8), the MoE quant mode and
 * distribution, the attention phrases (kv heads A of B, head size H, window W, fmha Q, kv cache Q). */
static int parse_wants(const char *missing, want *w)
{
	static const struct { const char *key, *col; } keys[] = {
		{ "moe_tp", "moe_tp_size" }, { "moe_ep", "moe_ep_size" }, { "topk", "topk" },
		{ "num_experts", "num_experts" }, { "hidden_size", "hidden_size" }, { "inter_size", "inter_size" },
	};
	int n = 0;
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
		char pat[32];
		snprintf(pat, sizeof pat, " %s=", keys[k].key);
		const char *p = strstr(missing, pat);
		if (p)
			n = add_want(w, n, keys[k].col, p + strlen(pat), word_len(p + strlen(pat)));
	}
	const char *p;
	if ((p = strstr(missing, "has no rows for ")) && strstr(missing, "moe_perf"))
		n = add_want(w, n, "moe_dtype", p + 16, word_len(p + 16));
	if ((p = strstr(missing, " distribution ")))
		n = add_want(w, n, "distribution", p + 14, word_len(p + 14));
	if ((p = strstr(missing, "fmha "))) {
		n = add_want(w, n, "attn_dtype", p + 5, word_len(p + 5));
		n = add_want(w, n, "mla_dtype", p + 5, word_len(p + 5));
	}
	if ((p = strstr(missing, "gemm ")))
		n = add_want(w, n, "gemm_type", p + 5, word_len(p + 5));
	if ((p = strstr(missing, " heads=")))
		n = add_want(w, n, "num_heads", p + 7, word_len(p + 7));
	if ((p = strstr(missing, "kv cache ")))
		n = add_want(w, n, "kv_cache_dtype", p + 9, word_len(p + 9));
	if ((p = strstr(missing, "kv heads "))) {
		n = add_want(w, n, "num_key_value_heads", p + 9, word_len(p + 9));
		const char *of = strstr(p, " of ");
		if (of)
			n = add_want(w, n, "num_heads", of + 4, word_len(of + 4));
	}
	if ((p = strstr(missing, "head size ")))
		n = add_want(w, n, "head_dim", p + 10, word_len(p + 10));
	if ((p = strstr(missing, "window ")))
		n = add_want(w, n, "window_size", p + 7, word_len(p + 7));
	return n;
}

static bool cell_equal(const char *cell, const char *val)
{
	if (!strcmp(cell, val))
		return true;
	char *e1, *e2;
	double a = strtod(cell, &e1), b = strtod(val, &e2);
	return e1 != cell && !*e1 && e2 != val && !*e2 && a == b;
}

/* "col=v col=v; ..." for up to MAX_NEAREST distinct combinations of the wanted columns among the
 * rows that match the most of them, naming only the columns that differ; NULL when the table
 * cannot be read or names none of the columns. */
char *coverage_nearest(const issue *is)
{
	want w[16];
	int nw = parse_wants(is->missing, w);
	if (!nw || !is->path)
		return NULL;
	csvtab t;
	char err[512];
	if (csvtab_load(&t, is->path, err, sizeof err))
		return NULL;
	int cols[16], used = 0;
	want ww[16];
	for (int i = 0; i < nw; i++) {
		int c = csvtab_col(&t, w[i].col);
		if (c >= 0) {
			cols[used] = c;
			ww[used++] = w[i];
		}
	}
	char *out = NULL;
	if (used) {
		int best = -1;
		bool exact = false;
		int *score = malloc((t.nrows + 1) * sizeof *score);
		if (!score)
			die(EXIT_DATA, "out of memory");
		for (size_t r = 0; r < t.nrows; r++) {
			int s = 0;
			for (int i = 0; i < used; i++)
				s += cell_equal(t.rows[r][cols[i]], ww[i].val);
			score[r] = s;
			exact |= s == used;
			if (s > best && s < used)
				best = s;
		}
		if (exact) {
			/* rows with every named parameter exist: the point lies outside their grid */
			free(score);
			csvtab_free(&t);
			char *msg = malloc(128);
			if (!msg)
				die(EXIT_DATA, "out of memory");
			snprintf(msg, 128, "rows with these parameters exist; the point is outside their grid "
					   "(sequence length, prefix or batch)");
			return msg;
		}
		char found[MAX_NEAREST][256];
		int nfound = 0;
		for (size_t r = 0; r < t.nrows && nfound < MAX_NEAREST && best > 0; r++) {
			if (score[r] != best)
				continue;
			char tuple[256] = "";
			size_t len = 0;
			for (int i = 0; i < used; i++) {
				if (cell_equal(t.rows[r][cols[i]], ww[i].val))
					continue;
				int k = snprintf(tuple + len, sizeof tuple - len, "%s%s=%s", len ? " " : "",
						 ww[i].col, t.rows[r][cols[i]]);
				if (k < 0 || (size_t)k >= sizeof tuple - len)
					break;
				len += (size_t)k;
			}
			bool seen = false;
			for (int f = 0; f < nfound; f++)
				seen |= !strcmp(found[f], tuple);
			if (!seen)
				snprintf(found[nfound++], sizeof found[0], "%s", tuple);
		}
		free(score);
		if (nfound) {
			size_t cap = (size_t)nfound * 260, len = 0;
			out = malloc(cap);
			if (!out)
				die(EXIT_DATA, "out of memory");
			out[0] = 0;
			for (int f = 0; f < nfound; f++)
				len += (size_t)snprintf(out + len, cap - len, "%s%s", f ? "; " : "", found[f]);
		}
	}
	csvtab_free(&t);
	return out;
}
