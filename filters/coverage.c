/* coverage: how well infercast covers a model on one system/backend/version, from the reports of
 * its sweep (sweep | opgraph --keep-going | query --keep-going | aggregate): the support
 * assessment of pipelines/support. S1: every op of every configuration priced from the tables;
 * S2: some op parameter combinations are not in the tables (each named with the nearest rows the
 * table has); S3: an architecture or op infercast does not model. --render prints such records
 * as a table or CSV. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvtab.h"
#include "datadir.h"
#include "diag.h"
#include "jsonl.h"

static const char usage_text[] =
	"usage: coverage --system S --backend B [--version V] [--model ID] [--architecture A]\n"
	"                [--agg STATUS] [--agg-reason TEXT] [--disagg STATUS] [--disagg-reason TEXT]\n"
	"                [--refused TEXT] < reports.jsonl\n"
	"       coverage --render table|csv < support.jsonl\n"
	"       coverage --list-data [--system S] [--data-dir DIR]\n"
	"\n"
	"Reads the reports of one system/backend/version's sweep and writes one `support` record:\n"
	"the agg and disagg status the caller found (PASS, HYBRID_PASS, FAIL, HW_INCOMPATIBLE,\n"
	"NO_DATA) with their reasons, how many configurations were priced, and the level:\n"
	"  S1  every op of every configuration was priced from the perf tables\n"
	"  S2  some op parameter combinations are not in the tables: each is an issue naming the\n"
	"      op, what is missing, the table and the nearest parameters the table has\n"
	"  S3  infercast does not model the architecture (--refused: hfparse's message) or an op\n"
	"--render reads support records and prints them as an aligned table, or as CSV with the\n"
	"reference's support-matrix columns (one row per mode) plus Level and Reason.\n"
	"--list-data prints, for the system (default: every system spec), one line per backend\n"
	"(trtllm, sglang, vllm) and usable perf-data version: SYSTEM BACKEND VERSION newest|older;\n"
	"a system without data gets SYSTEM - - none.\n"
	"See coverage(1) and pipelines/support.\n";

enum {
	OPT_SYSTEM = 1, OPT_BACKEND, OPT_VERSION, OPT_MODEL, OPT_ARCH, OPT_AGG, OPT_AGG_REASON, OPT_DISAGG,
	OPT_DISAGG_REASON, OPT_REFUSED, OPT_RENDER, OPT_LIST_DATA, OPT_DATA_DIR, OPT_HELP
};

#define MAX_ISSUES 64
#define MAX_NEAREST 4

typedef struct issue {
	char *op, *missing, *table, *path;
	long configs;
	bool unmodelled; /* S3: an op or layout infercast does not model */
} issue;

typedef struct cov {
	issue issues[MAX_ISSUES];
	int nissues;
	long configs, priced, unpriced, refused_layouts;
	char *model, *arch;
} cov;

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		die(EXIT_DATA, "out of memory");
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

/* Removes every "<key><digits>" (key such as " b=") from s. */
static void strip_number(char *s, const char *key)
{
	size_t k = strlen(key);
	char *t = s;
	while ((t = strstr(t, key))) {
		char *v = t + k;
		if (*v < '0' || *v > '9') {
			t += k;
			continue;
		}
		while (*v >= '0' && *v <= '9')
			v++;
		memmove(t, v, strlen(v) + 1);
	}
}

/* One report's error: "op NAME: SHAPE: WHAT in PATH (try ...)" from query, anything else from
 * opgraph (a layout the reference refuses as well, or something not modelled). */
static void add_error(cov *c, const char *err)
{
	char *op = NULL, *missing = NULL, *path = NULL;
	bool unmodelled = false;
	if (strncmp(err, "op ", 3) == 0 && strchr(err + 3, ':')) {
		const char *colon = strchr(err + 3, ':');
		op = dupn(err + 3, (size_t)(colon - err - 3));
		const char *what = strstr(colon + 1, ": ");
		what = what ? what + 2 : colon + 2;
		const char *end = what + strlen(what);
		const char *tried = strstr(what, " (try ");
		if (tried)
			end = tried;
		/* the table: the last " in /path" of the message */
		const char *in = NULL;
		for (const char *p = what; (p = strstr(p, " in ")) && p < end; p++)
			in = p;
		if (in && in[4] == '/') {
			path = dupn(in + 4, (size_t)(end - in - 4));
			end = in;
		}
		missing = dupn(what, (size_t)(end - what));
		/* a table named inside the message ("...: PATH_perf.txt has no rows ...") */
		char *perf = strstr(missing, "_perf.txt ");
		if (!path && perf) {
			char *start = perf;
			while (start > missing && start[-1] != ' ')
				start--;
			path = dupn(start, (size_t)(perf + 9 - start));
			/* the message without the path: "...: dsa_context_module_perf.txt has no rows ..." */
			const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
			memmove(start, base, strlen(base));
			memmove(start + strlen(base), perf + 9, strlen(perf + 9) + 1);
		}
		/* the batch and sequence length of one point say nothing about the table's gap */
		strip_number(missing, " b=");
		strip_number(missing, " s=");
	} else {
		if (!strstr(err, "not supported") && !strstr(err, "unsupported")) {
			c->refused_layouts++;
			return;
		}
		unmodelled = true;
		op = dupn("-", 1);
		missing = dupn(err, strlen(err));
	}
	for (int i = 0; i < c->nissues; i++) {
		if (!strcmp(c->issues[i].op, op) && !strcmp(c->issues[i].missing, missing)) {
			c->issues[i].configs++;
			free(op), free(missing), free(path);
			return;
		}
	}
	if (c->nissues == MAX_ISSUES) {
		free(op), free(missing), free(path);
		return;
	}
	issue *is = &c->issues[c->nissues++];
	is->op = op;
	is->missing = missing;
	is->path = path;
	is->table = path ? (strrchr(path, '/') ? strrchr(path, '/') + 1 : path) : NULL;
	is->configs = 1;
	is->unmodelled = unmodelled;
}

/* ---- nearest rows of a table ---- */

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
static char *nearest(const issue *is)
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

/* ---- the support record ---- */

static const char *level_of(const cov *c, const char *refused, const char *agg)
{
	if (refused)
		return "S3";
	if (!strcmp(agg, "HW_INCOMPATIBLE") || !strcmp(agg, "NO_DATA"))
		return NULL;
	for (int i = 0; i < c->nissues; i++)
		if (c->issues[i].unmodelled)
			return "S3";
	return c->nissues ? "S2" : "S1";
}

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static int assess(const char *system, const char *backend, const char *version, const char *model, const char *arch,
		  const char *agg, const char *agg_reason, const char *disagg, const char *disagg_reason,
		  const char *refused)
{
	cov c = { 0 };
	if (!refused) {
		jsonl_reader r;
		jsonl_open(&r, NULL);
		cJSON *rec;
		while ((rec = jsonl_next(&r))) {
			const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "record"));
			if (kind && !strcmp(kind, "report")) {
				c.configs++;
				const char *err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "error"));
				if (err) {
					c.unpriced++;
					add_error(&c, err);
				} else {
					c.priced++;
				}
				if (!c.model)
					c.model = strdup(jsonl_opt_str(&r, rec, "model", ""));
			} else if (kind && !strcmp(kind, "model") && !c.arch) {
				c.arch = strdup(jsonl_opt_str(&r, rec, "architecture", ""));
			}
			cJSON_Delete(rec);
		}
		jsonl_close(&r);
	}
	const char *lvl = level_of(&c, refused, agg);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "record", "support");
	add_str_or_null(o, "model", model ? model : c.model);
	add_str_or_null(o, "architecture", arch ? arch : c.arch);
	cJSON_AddStringToObject(o, "system", system);
	cJSON_AddStringToObject(o, "backend", backend);
	add_str_or_null(o, "version", version);
	cJSON_AddStringToObject(o, "agg", agg);
	add_str_or_null(o, "agg_reason", agg_reason);
	cJSON_AddStringToObject(o, "disagg", disagg);
	add_str_or_null(o, "disagg_reason", disagg_reason);
	add_str_or_null(o, "level", lvl);
	if (refused)
		cJSON_AddStringToObject(o, "reason", refused);
	cJSON_AddNumberToObject(o, "configurations", (double)c.configs);
	cJSON_AddNumberToObject(o, "priced", (double)c.priced);
	cJSON_AddNumberToObject(o, "unpriced", (double)c.unpriced);
	cJSON_AddNumberToObject(o, "refused_layouts", (double)c.refused_layouts);
	cJSON *arr = cJSON_AddArrayToObject(o, "issues");
	for (int i = 0; i < c.nissues; i++) {
		issue *is = &c.issues[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "op", is->op);
		cJSON_AddStringToObject(j, "missing", is->missing);
		add_str_or_null(j, "table", is->table);
		char *near = nearest(is);
		add_str_or_null(j, "nearest", near);
		free(near);
		cJSON_AddNumberToObject(j, "configurations", (double)is->configs);
		cJSON_AddItemToArray(arr, j);
		free(is->op), free(is->missing), free(is->path);
	}
	free(c.model);
	free(c.arch);
	jsonl_write(o);
	cJSON_Delete(o);
	return finish_stdout();
}

/* ---- rendering ---- */

static const char *str_of(const cJSON *o, const char *key, const char *def)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return s ? s : def;
}

/* What a row says in one line: the reason of a mode that did not pass, else the first issue. */
static void row_reason(const cJSON *o, const char *mode, char *out, size_t n)
{
	char key[32];
	snprintf(key, sizeof key, "%s_reason", mode);
	const char *r = str_of(o, "reason", NULL), *status = str_of(o, mode, "");
	/* a mode that passed (with the hybrid retry or not) is explained by its issues */
	if (!r && strcmp(status, "PASS") && strcmp(status, "HYBRID_PASS"))
		r = str_of(o, key, NULL);
	const cJSON *issues = cJSON_GetObjectItemCaseSensitive(o, "issues");
	const cJSON *first = cJSON_GetArrayItem(issues, 0);
	if (!r && first) {
		const char *near = str_of(first, "nearest", NULL);
		int k = snprintf(out, n, "op %s: %s", str_of(first, "op", "-"), str_of(first, "missing", ""));
		if (near && k > 0 && (size_t)k < n)
			k += snprintf(out + k, n - (size_t)k, " (nearest in %s: %s)", str_of(first, "table", "the table"), near);
		int more = cJSON_GetArraySize(issues) - 1;
		if (more > 0 && k > 0 && (size_t)k < n)
			snprintf(out + k, n - (size_t)k, "; %d more issue%s", more, more > 1 ? "s" : "");
		return;
	}
	snprintf(out, n, "%s", r ? r : "");
}

static int render(const char *how)
{
	jsonl_reader r;
	jsonl_open(&r, NULL);
	cJSON *rec;
	bool csv = !strcmp(how, "csv"), header = false;
	while ((rec = jsonl_next(&r))) {
		if (strcmp(str_of(rec, "record", ""), "support")) {
			cJSON_Delete(rec);
			continue;
		}
		char reason[2048];
		if (csv) {
			if (!header)
				fputs("HuggingFaceID,Architecture,System,Backend,Version,Mode,Status,Level,Reason\n", stdout);
			header = true;
			const char *modes[] = { "agg", "disagg" };
			for (int m = 0; m < 2; m++) {
				const char *cells[] = { str_of(rec, "model", ""), str_of(rec, "architecture", ""),
							str_of(rec, "system", ""), str_of(rec, "backend", ""),
							str_of(rec, "version", ""), modes[m], str_of(rec, modes[m], ""),
							str_of(rec, "level", "") };
				for (size_t i = 0; i < sizeof cells / sizeof *cells; i++) {
					csv_write_field(stdout, cells[i]);
					putchar(',');
				}
				row_reason(rec, modes[m], reason, sizeof reason);
				csv_write_field(stdout, reason);
				putchar('\n');
			}
		} else {
			if (!header)
				printf("%-20s %-7s %-11s %-15s %-15s %-5s %s\n", "system", "backend", "version", "agg", "disagg",
				       "level", "reason");
			header = true;
			row_reason(rec, "agg", reason, sizeof reason);
			if (!*reason)
				row_reason(rec, "disagg", reason, sizeof reason);
			printf("%-20s %-7s %-11s %-15s %-15s %-5s %s\n", str_of(rec, "system", ""), str_of(rec, "backend", ""),
			       str_of(rec, "version", "-"), str_of(rec, "agg", ""), str_of(rec, "disagg", ""),
			       str_of(rec, "level", "-"), reason);
		}
		check_stdout();
		cJSON_Delete(rec);
	}
	jsonl_close(&r);
	return finish_stdout();
}

/* The systems, backends and versions a support run walks. */
static int list_data(const char *system, const char *data_dir)
{
	char err[1024], names[8192];
	if (system) {
		snprintf(names, sizeof names, "%s", system);
	} else if (systems_known(names, sizeof names, err, sizeof err)) {
		die(EXIT_DATA, "%s", err);
	}
	const char *root = datadir_root(data_dir, err, sizeof err);
	if (!root)
		die(EXIT_DATA, "%s", err);
	for (char *save = NULL, *name = strtok_r(names, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
		const struct system_spec *spec = system_load(name, err, sizeof err);
		if (!spec)
			die(system ? EXIT_USAGE : EXIT_DATA, "--system: %s", err);
		int lines = 0;
		for (size_t b = 0; b < datadir_backend_count; b++) {
			struct datadir_list v;
			if (datadir_versions(root, spec, datadir_backend_names[b], &v, err, sizeof err))
				continue;
			const char *newest = datadir_newest(&v);
			for (size_t i = 0; i < v.n; i++, lines++)
				printf("%s %s %s %s\n", name, datadir_backend_names[b], v.names[i],
				       v.names[i] == newest ? "newest" : "older");
			datadir_list_free(&v);
		}
		if (!lines)
			printf("%s - - none\n", name);
		check_stdout();
	}
	return finish_stdout();
}

static const char *status_arg(const char *opt, const char *v)
{
	static const char *const ok[] = { "PASS", "HYBRID_PASS", "FAIL", "HW_INCOMPATIBLE", "NO_DATA" };
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (!strcmp(v, ok[i]))
			return v;
	usage_error("%s: '%s' is not one of PASS, HYBRID_PASS, FAIL, HW_INCOMPATIBLE, NO_DATA", opt, v);
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	static const struct option longopts[] = {
		{ "system", required_argument, NULL, OPT_SYSTEM }, { "backend", required_argument, NULL, OPT_BACKEND },
		{ "version", required_argument, NULL, OPT_VERSION }, { "model", required_argument, NULL, OPT_MODEL },
		{ "architecture", required_argument, NULL, OPT_ARCH }, { "agg", required_argument, NULL, OPT_AGG },
		{ "agg-reason", required_argument, NULL, OPT_AGG_REASON },
		{ "disagg", required_argument, NULL, OPT_DISAGG },
		{ "disagg-reason", required_argument, NULL, OPT_DISAGG_REASON },
		{ "refused", required_argument, NULL, OPT_REFUSED }, { "render", required_argument, NULL, OPT_RENDER },
		{ "list-data", no_argument, NULL, OPT_LIST_DATA }, { "data-dir", required_argument, NULL, OPT_DATA_DIR },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *system = NULL, *backend = NULL, *version = NULL, *model = NULL, *arch = NULL;
	const char *agg = "PASS", *disagg = "PASS", *agg_reason = NULL, *disagg_reason = NULL, *refused = NULL;
	const char *how = NULL, *data_dir = NULL;
	bool listing = false;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SYSTEM: system = optarg; break;
		case OPT_BACKEND: backend = optarg; break;
		case OPT_VERSION: version = optarg; break;
		case OPT_MODEL: model = optarg; break;
		case OPT_ARCH: arch = optarg; break;
		case OPT_AGG: agg = status_arg("--agg", optarg); break;
		case OPT_AGG_REASON: agg_reason = optarg; break;
		case OPT_DISAGG: disagg = status_arg("--disagg", optarg); break;
		case OPT_DISAGG_REASON: disagg_reason = optarg; break;
		case OPT_REFUSED: refused = optarg; break;
		case OPT_RENDER:
			if (strcmp(optarg, "table") && strcmp(optarg, "csv"))
				usage_error("--render: '%s' is not one of table, csv", optarg);
			how = optarg;
			break;
		case OPT_LIST_DATA: listing = true; break;
		case OPT_DATA_DIR: data_dir = optarg; break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			if (optopt >= OPT_SYSTEM && optopt < OPT_HELP)
				usage_error("option '--%s' needs a value", longopts[optopt - OPT_SYSTEM].name);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (listing)
		return list_data(system, data_dir);
	if (how)
		return render(how);
	if (!system || !backend)
		usage_error("--system and --backend are required");
	if (refused)
		agg = disagg = "FAIL";
	return assess(system, backend, version, model, arch, agg, agg_reason, disagg, disagg_reason, refused);
}
