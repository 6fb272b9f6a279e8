/* pmerge: merge the saved results of several `default` runs of one model (one per backend) into
 * one agg and one disagg result, as the reference's `cli default --backend auto` merges its
 * per-backend experiments (cli/utils.py merge_experiment_results_by_mode): each mode's best
 * configurations concatenated in run order, ranked by tokens/s/gpu_cluster (pandas' unstable
 * sort, lib/pdsort) and cut to the top N; the fronts concatenated and their Pareto front taken
 * again. A disagg table gains the `backend` column the reference adds. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvtab.h"
#include "diag.h"
#include "jsonl.h"
#include "pdsort.h"
#include "pyfloat.h"

static const char usage_text[] =
	"usage: pmerge [--top-n 5] [--request-latency] [--inclusive-tpot] [--format jsonl|table]\n"
	"              [--save-dir DIR] RUN...\n"
	"\n"
	"Each RUN is the --save-dir of one `default` run (agg/ and disagg/ best_config_topn.csv and\n"
	"pareto.csv), one per backend, in the reference's backend order (trtllm, sglang, vllm). For\n"
	"each mode, the best configurations of all runs are ranked by tokens/s/gpu_cluster and the\n"
	"top N kept; the fronts are merged into one Pareto front of tokens/s/gpu_cluster against\n"
	"tokens/s/user (--request-latency: against request_latency, lower better). The chosen mode\n"
	"has the higher best tokens/s/gpu_cluster (agg on a tie). Writes JSON Lines (chosen, best and\n"
	"front records, as pareto's) or a table; --save-dir writes the merged CSV files. One RUN is\n"
	"copied as it is (nothing to merge). --inclusive-tpot writes TPOT as (ttft + tpot x\n"
	"(osl - 1)) / osl, as the reference's --inclusive-tpot shows it. Exit 1 when no run has a\n"
	"result. Agg rows of infercast's load model (default --fidelity load: balance_score empty)\n"
	"are said so (a latency model line; agg_latency_model and latency_model \"load\" in JSON).\n"
	"  --top-n N            configurations per mode (default 5)\n"
	"  --request-latency    the runs drew their fronts against request_latency\n"
	"  --inclusive-tpot     TPOT with the first token's time spread over the output tokens\n"
	"  --format F           jsonl (default) or table\n"
	"  --save-dir DIR       write DIR/agg and DIR/disagg best_config_topn.csv and pareto.csv\n"
	"See pmerge(1).\n";

enum { OPT_TOP_N = 1, OPT_LATENCY, OPT_FORMAT, OPT_SAVE_DIR, OPT_INCLUSIVE, OPT_HELP };

/* One mode's merged table: the header of the first run (plus `backend` when it lacks one) and
 * rows that point into the loaded tables. */
typedef struct merged {
	char **header;
	size_t ncols;
	char ***rows;      /* each row: ncols cells (the added backend cell last) */
	size_t n, cap;
	bool add_backend;
} merged;

typedef struct run_tables {
	csvtab best, front;
	bool has_best, has_front;
	char backend[32];
} run_tables;

static void push_row(merged *m, char **cells, const char *backend)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->rows = realloc(m->rows, m->cap * sizeof *m->rows);
		if (!m->rows)
			die(EXIT_DATA, "out of memory");
	}
	char **row = malloc(m->ncols * sizeof *row);
	if (!row)
		die(EXIT_DATA, "out of memory");
	size_t own = m->add_backend ? m->ncols - 1 : m->ncols;
	for (size_t i = 0; i < own; i++)
		row[i] = cells[i];
	if (m->add_backend)
		row[m->ncols - 1] = (char *)backend;
	m->rows[m->n++] = row;
}

static void merged_free(merged *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->rows[i]);
	free(m->rows);
	free(m->header);
	memset(m, 0, sizeof *m);
}

static int col_of(const merged *m, const char *name)
{
	for (size_t i = 0; i < m->ncols; i++)
		if (!strcmp(m->header[i], name))
			return (int)i;
	return -1;
}

static double num(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	return end != s && !*end ? v : NAN;
}

static bool single_run; /* one RUN: copied as it is, nothing merged */

/* Start a merged table with t's header; the reference adds `backend` to a table lacking it. */
static void begin(merged *m, const csvtab *t, const char *path)
{
	if (m->header) {
		size_t own = m->add_backend ? m->ncols - 1 : m->ncols;
		bool same = own == t->ncols;
		for (size_t i = 0; same && i < own; i++)
			same = !strcmp(m->header[i], t->header[i]);
		if (!same)
			die(EXIT_DATA, "%s: its columns differ from the first run's", path);
		return;
	}
	m->add_backend = !single_run && csvtab_col(t, "backend") < 0;
	m->ncols = t->ncols + (m->add_backend ? 1 : 0);
	m->header = malloc(m->ncols * sizeof *m->header);
	if (!m->header)
		die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < t->ncols; i++)
		m->header[i] = t->header[i];
	if (m->add_backend)
		m->header[m->ncols - 1] = "backend";
}

/* Rows reordered by a column as pandas' sort_values(kind quicksort) orders them. */
static void sort_by(merged *m, int col, bool ascending)
{
	double *keys = malloc((m->n + 1) * sizeof *keys);
	size_t *order = malloc((m->n + 1) * sizeof *order);
	char ***rows = malloc((m->n + 1) * sizeof *rows);
	if (!keys || !order || !rows)
		die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < m->n; i++)
		keys[i] = num(m->rows[i][col]);
	pd_sort_order(keys, m->n, ascending, order);
	for (size_t i = 0; i < m->n; i++)
		rows[i] = m->rows[order[i]];
	memcpy(m->rows, rows, m->n * sizeof *rows);
	free(keys), free(order), free(rows);
}

/* get_pareto_front(df, x, tokens/s/gpu_cluster): finite rows sorted by x, each kept point
 * removing the points that beat it on neither axis, sorted by x again. */
static void pareto_front(merged *m, const char *xname, bool maximize_x)
{
	int x = col_of(m, xname), y = col_of(m, "tokens/s/gpu_cluster");
	if (x < 0 || y < 0)
		die(EXIT_DATA, "the fronts have no '%s' or 'tokens/s/gpu_cluster' column", x < 0 ? xname : "");
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (isfinite(num(m->rows[i][x])) && isfinite(num(m->rows[i][y])))
			m->rows[k++] = m->rows[i];
		else
			free(m->rows[i]);
	}
	m->n = k;
	sort_by(m, x, true);
	double sign = maximize_x ? 1.0 : -1.0;
	bool *keep = malloc((m->n + 1) * sizeof *keep);
	if (!keep)
		die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < m->n; i++)
		keep[i] = true;
	for (size_t i = 0; i < m->n; i++) {
		if (!keep[i])
			continue;
		double cx = sign * num(m->rows[i][x]), cy = num(m->rows[i][y]);
		for (size_t j = 0; j < m->n; j++)
			if (keep[j])
				keep[j] = sign * num(m->rows[j][x]) > cx || num(m->rows[j][y]) > cy;
		keep[i] = true;
	}
	k = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (keep[i])
			m->rows[k++] = m->rows[i];
		else
			free(m->rows[i]);
	}
	m->n = k;
	free(keep);
	sort_by(m, x, true);
}

/* The reference's _apply_inclusive_tpot on a table's cells: tpot = (ttft + tpot x (osl - 1)) / osl,
 * in floats, written as pandas writes them. The new cells are owned by the table's arena. */
static char inclusive_cells[4096][32];
static size_t inclusive_used;

static void inclusive_tpot(merged *m)
{
	int ttft = col_of(m, "ttft"), tpot = col_of(m, "tpot"), osl = col_of(m, "osl");
	if (ttft < 0 || tpot < 0 || osl < 0)
		return;
	for (size_t r = 0; r < m->n; r++) {
		if (inclusive_used == sizeof inclusive_cells / sizeof *inclusive_cells)
			die(EXIT_DATA, "too many rows for --inclusive-tpot");
		double o = num(m->rows[r][osl]);
		double v = (num(m->rows[r][ttft]) + num(m->rows[r][tpot]) * (o - 1)) / o;
		char *cell = inclusive_cells[inclusive_used++];
		py_float_repr(v, cell, sizeof inclusive_cells[0]);
		m->rows[r][tpot] = cell;
	}
}

static void write_csv(const merged *m, const char *dir, const char *mode, const char *file)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, mode);
	if (mkdir(path, 0777) && errno != EEXIST)
		die(EXIT_DATA, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/%s/%s", dir, mode, file);
	FILE *f = fopen(path, "w");
	if (!f)
		die(EXIT_DATA, "%s: %s", path, strerror(errno));
	for (size_t i = 0; i < m->ncols; i++) {
		if (i)
			fputc(',', f);
		csv_write_field(f, m->header[i]);
	}
	fputc('\n', f);
	for (size_t r = 0; r < m->n; r++) {
		for (size_t i = 0; i < m->ncols; i++) {
			if (i)
				fputc(',', f);
			csv_write_field(f, m->rows[r][i]);
		}
		fputc('\n', f);
	}
	if (ferror(f) | fclose(f))
		die(EXIT_DATA, "%s: write error", path);
}

/* An agg row of infercast's load model (default --fidelity load): the reference's run_agg
 * always fills balance_score, the load model leaves it empty (docs/sweep.md). */
static bool load_row(const merged *m, char **row)
{
	int c = col_of(m, "balance_score");
	return c >= 0 && !*row[c];
}

static cJSON *row_json(const merged *m, char **row, bool load)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < m->ncols; i++) {
		double v = num(row[i]);
		if (*row[i] && isfinite(v))
			cJSON_AddNumberToObject(o, m->header[i], v);
		else if (load && !*row[i])
			cJSON_AddNullToObject(o, m->header[i]);
		else
			cJSON_AddStringToObject(o, m->header[i], row[i]);
	}
	return o;
}

static void emit_rows(const char *mode, const char *kind, const merged *m)
{
	for (size_t r = 0; r < m->n; r++) {
		bool load = load_row(m, m->rows[r]);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "record", kind);
		cJSON_AddStringToObject(o, "mode", mode);
		if (!strcmp(kind, "best"))
			cJSON_AddNumberToObject(o, "rank", (double)(r + 1));
		if (load) /* as pareto's records say it */
			cJSON_AddStringToObject(o, "latency_model", "load");
		cJSON_AddItemToObject(o, "row", row_json(m, m->rows[r], load));
		jsonl_write(o);
		cJSON_Delete(o);
	}
}

/* A cell by column name, "-" when the table has no such column. */
static const char *cell(const merged *m, char **row, const char *name)
{
	int c = col_of(m, name);
	return c < 0 ? "-" : row[c];
}

static void print_table(const char *mode, const merged *best)
{
	bool disagg = !strcmp(mode, "disagg");
	printf("%s: top %zu of all backends\n", mode, best->n);
	printf("  %-4s %-7s %-11s %-24s %-10s %-10s %-10s %-10s %s\n", "rank", "backend", "version",
	       disagg ? "(p)parallel x workers" : "parallel", disagg ? "(d)bs" : "bs", "ttft", "tpot", "tok/s/user",
	       "tok/s/gpu_cluster");
	for (size_t r = 0; r < best->n; r++) {
		char **row = best->rows[r];
		char layout[96];
		if (disagg)
			snprintf(layout, sizeof layout, "%sx%s+%sx%s", cell(best, row, "(p)parallel"),
				 cell(best, row, "(p)workers"), cell(best, row, "(d)parallel"), cell(best, row, "(d)workers"));
		else
			snprintf(layout, sizeof layout, "%s", cell(best, row, "parallel"));
		printf("  %-4zu %-7s %-11s %-24s %-10s %-10s %-10s %-10s %s\n", r + 1, cell(best, row, "backend"),
		       cell(best, row, disagg ? "(d)version" : "version"), layout, cell(best, row, disagg ? "(d)bs" : "bs"),
		       cell(best, row, "ttft"), cell(best, row, "tpot"), cell(best, row, "tokens/s/user"),
		       cell(best, row, "tokens/s/gpu_cluster"));
	}
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	static const struct option longopts[] = {
		{ "top-n", required_argument, NULL, OPT_TOP_N }, { "request-latency", no_argument, NULL, OPT_LATENCY },
		{ "format", required_argument, NULL, OPT_FORMAT }, { "save-dir", required_argument, NULL, OPT_SAVE_DIR },
		{ "inclusive-tpot", no_argument, NULL, OPT_INCLUSIVE },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	long top_n = 5;
	bool by_latency = false, table = false, inclusive = false;
	const char *save = NULL;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TOP_N: top_n = opt_long("--top-n", optarg, 1, 1 << 20); break;
		case OPT_LATENCY: by_latency = true; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "jsonl") && strcmp(optarg, "table"))
				usage_error("--format: '%s' is not one of jsonl, table", optarg);
			table = !strcmp(optarg, "table");
			break;
		case OPT_SAVE_DIR: save = optarg; break;
		case OPT_INCLUSIVE: inclusive = true; break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			if (optopt == OPT_TOP_N || optopt == OPT_FORMAT || optopt == OPT_SAVE_DIR)
				usage_error("option '--%s' needs a value", longopts[optopt - OPT_TOP_N].name);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	int nruns = argc - optind;
	if (nruns < 1)
		usage_error("name at least one RUN folder");
	single_run = nruns == 1;
	run_tables *runs = calloc((size_t)nruns, sizeof *runs);
	if (!runs)
		die(EXIT_DATA, "out of memory");
	static const char *const modes[] = { "agg", "disagg" };
	merged best[2] = { 0 }, front[2] = { 0 };
	double throughput[2] = { 0, 0 };
	run_tables *tabs[2];
	tabs[0] = runs;
	tabs[1] = calloc((size_t)nruns, sizeof *runs);
	if (!tabs[1])
		die(EXIT_DATA, "out of memory");
	for (int m = 0; m < 2; m++) {
		for (int r = 0; r < nruns; r++) {
			run_tables *rt = &tabs[m][r];
			char path[4096], err[1024];
			struct stat st;
			snprintf(path, sizeof path, "%s/%s/best_config_topn.csv", argv[optind + r], modes[m]);
			if (stat(path, &st) == 0) {
				if (csvtab_load(&rt->best, path, err, sizeof err))
					die(EXIT_DATA, "%s", err);
				rt->has_best = true;
			}
			snprintf(path, sizeof path, "%s/%s/pareto.csv", argv[optind + r], modes[m]);
			if (stat(path, &st) == 0) {
				if (csvtab_load(&rt->front, path, err, sizeof err))
					die(EXIT_DATA, "%s", err);
				rt->has_front = true;
			}
			/* the run's backend, from its rows (agg: backend, disagg: (p)backend) */
			const csvtab *t = rt->has_best ? &rt->best : rt->has_front ? &rt->front : NULL;
			int bc = t ? csvtab_col(t, m ? "(p)backend" : "backend") : -1;
			if (t && bc >= 0 && t->nrows)
				snprintf(rt->backend, sizeof rt->backend, "%s", t->rows[0][bc]);
			if (rt->has_best && rt->best.nrows) {
				snprintf(path, sizeof path, "%s/%s/best_config_topn.csv", argv[optind + r], modes[m]);
				begin(&best[m], &rt->best, path);
				for (size_t i = 0; i < rt->best.nrows; i++)
					push_row(&best[m], rt->best.rows[i], rt->backend);
			}
			if (rt->has_front && rt->front.nrows) {
				snprintf(path, sizeof path, "%s/%s/pareto.csv", argv[optind + r], modes[m]);
				begin(&front[m], &rt->front, path);
				for (size_t i = 0; i < rt->front.nrows; i++)
					push_row(&front[m], rt->front.rows[i], rt->backend);
			}
		}
		if (best[m].n) {
			int col = col_of(&best[m], "tokens/s/gpu_cluster");
			if (col < 0)
				die(EXIT_DATA, "%s: the best configurations have no 'tokens/s/gpu_cluster' column", modes[m]);
			if (!single_run)
				sort_by(&best[m], col, false);
			for (size_t i = (size_t)top_n; i < best[m].n; i++)
				free(best[m].rows[i]);
			if (best[m].n > (size_t)top_n)
				best[m].n = (size_t)top_n;
			throughput[m] = num(best[m].rows[0][col]);
		}
		if (front[m].n && !single_run)
			pareto_front(&front[m], by_latency ? "request_latency" : "tokens/s/user", !by_latency);
		if (inclusive) {
			inclusive_tpot(&best[m]);
			inclusive_tpot(&front[m]);
		}
	}
	if (!best[0].n && !best[1].n && !front[0].n && !front[1].n)
		die(EXIT_DATA, "no run has a result to merge");
	int chosen = throughput[1] > throughput[0] ? 1 : 0;
	/* the runs' agg priced by the load model (default --fidelity load) */
	bool agg_load = (best[0].n && load_row(&best[0], best[0].rows[0])) ||
			(front[0].n && load_row(&front[0], front[0].rows[0]));
	if (save) {
		if (mkdir(save, 0777) && errno != EEXIST)
			die(EXIT_DATA, "%s: %s", save, strerror(errno));
		for (int m = 0; m < 2; m++) {
			if (best[m].n)
				write_csv(&best[m], save, modes[m], "best_config_topn.csv");
			if (front[m].n)
				write_csv(&front[m], save, modes[m], "pareto.csv");
		}
	}
	if (table) {
		printf("chosen: %s, %s tokens/s/gpu_cluster (agg %s, disagg %s)\n", modes[chosen],
		       best[chosen].n ? cell(&best[chosen], best[chosen].rows[0], "tokens/s/gpu_cluster") : "0",
		       best[0].n ? cell(&best[0], best[0].rows[0], "tokens/s/gpu_cluster") : "-",
		       best[1].n ? cell(&best[1], best[1].rows[0], "tokens/s/gpu_cluster") : "-");
		if (agg_load)
			printf("latency model: agg by infercast's load model (--fidelity load, docs/accuracy.md)\n");
		for (int m = 0; m < 2; m++)
			if (best[m].n)
				print_table(modes[m], &best[m]);
	} else {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "record", "chosen");
		cJSON_AddStringToObject(o, "mode", modes[chosen]);
		cJSON_AddNumberToObject(o, "tokens_per_s_per_gpu", throughput[chosen]);
		cJSON_AddNumberToObject(o, "agg_tokens_per_s_per_gpu", throughput[0]);
		cJSON_AddNumberToObject(o, "disagg_tokens_per_s_per_gpu", throughput[1]);
		if (agg_load)
			cJSON_AddStringToObject(o, "agg_latency_model", "load");
		jsonl_write(o);
		cJSON_Delete(o);
		for (int m = 0; m < 2; m++) {
			emit_rows(modes[m], "best", &best[m]);
			emit_rows(modes[m], "front", &front[m]);
		}
	}
	for (int m = 0; m < 2; m++) {
		merged_free(&best[m]);
		merged_free(&front[m]);
		for (int r = 0; r < nruns; r++) {
			if (tabs[m][r].has_best)
				csvtab_free(&tabs[m][r].best);
			if (tabs[m][r].has_front)
				csvtab_free(&tabs[m][r].front);
		}
		free(tabs[m]);
	}
	return finish_stdout();
}
