/* merged_table: the best-configuration and Pareto-front tables of several `default` runs as one
 * table, ranked and cut the way the reference's merge_experiment_results_by_mode does it (see
 * pmerge(1)). */
#include "merged_table.h"
#include "diag.h"
#include "jsonl.h"
#include "outfile.h"
#include "pdsort.h"
#include "pyfloat.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void merged_push_row(merged *m, char **cells, const char *backend)
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

void merged_free(merged *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->rows[i]);
	free(m->rows);
	free(m->header);
	memset(m, 0, sizeof *m);
}

int merged_col(const merged *m, const char *name)
{
	for (size_t i = 0; i < m->ncols; i++)
		if (!strcmp(m->header[i], name))
			return (int)i;
	return -1;
}

double merged_num(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	return end != s && !*end ? v : NAN;
}


/* Start a merged table with t's header; the reference adds `backend` to a table lacking it. */
void merged_begin(merged *m, const csvtab *t, const char *path, bool single_run)
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
void merged_sort_by(merged *m, int col, bool ascending)
{
	double *keys = malloc((m->n + 1) * sizeof *keys);
	size_t *order = malloc((m->n + 1) * sizeof *order);
	char ***rows = malloc((m->n + 1) * sizeof *rows);
	if (!keys || !order || !rows)
		die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < m->n; i++)
		keys[i] = merged_num(m->rows[i][col]);
	pd_sort_order(keys, m->n, ascending, order);
	for (size_t i = 0; i < m->n; i++)
		rows[i] = m->rows[order[i]];
	memcpy(m->rows, rows, m->n * sizeof *rows);
	free(keys), free(order), free(rows);
}

/* get_pareto_front(df, x, tokens/s/gpu_cluster): finite rows sorted by x, each kept point
 * removing the points that beat it on neither axis, sorted by x again. */
void merged_pareto_front(merged *m, const char *xname, bool maximize_x)
{
	int x = merged_col(m, xname), y = merged_col(m, "tokens/s/gpu_cluster");
	if (x < 0 || y < 0)
		die(EXIT_DATA, "the fronts have no '%s' or 'tokens/s/gpu_cluster' column", x < 0 ? xname : "");
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++) {
		if (isfinite(merged_num(m->rows[i][x])) && isfinite(merged_num(m->rows[i][y])))
			m->rows[k++] = m->rows[i];
		else
			free(m->rows[i]);
	}
	m->n = k;
	merged_sort_by(m, x, true);
	double sign = maximize_x ? 1.0 : -1.0;
	bool *keep = malloc((m->n + 1) * sizeof *keep);
	if (!keep)
		die(EXIT_DATA, "out of memory");
	for (size_t i = 0; i < m->n; i++)
		keep[i] = true;
	for (size_t i = 0; i < m->n; i++) {
		if (!keep[i])
			continue;
		double cx = sign * merged_num(m->rows[i][x]), cy = merged_num(m->rows[i][y]);
		for (size_t j = 0; j < m->n; j++)
			if (keep[j])
				keep[j] = sign * merged_num(m->rows[j][x]) > cx || merged_num(m->rows[j][y]) > cy;
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
	merged_sort_by(m, x, true);
}

/* The reference's _apply_inclusive_tpot on a table's cells: tpot = (ttft + tpot x (osl - 1)) / osl,
 * in floats, written as pandas writes them. The new cells are owned by the table's arena. */
static char inclusive_cells[4096][32];
static size_t inclusive_used;

void merged_inclusive_tpot(merged *m)
{
	int ttft = merged_col(m, "ttft"), tpot = merged_col(m, "tpot"), osl = merged_col(m, "osl");
	if (ttft < 0 || tpot < 0 || osl < 0)
		return;
	for (size_t r = 0; r < m->n; r++) {
		if (inclusive_used == sizeof inclusive_cells / sizeof *inclusive_cells)
			die(EXIT_DATA, "too many rows for the inclusive TPOT");
		double o = merged_num(m->rows[r][osl]);
		double v = (merged_num(m->rows[r][ttft]) + merged_num(m->rows[r][tpot]) * (o - 1)) / o;
		char *cell = inclusive_cells[inclusive_used++];
		py_float_repr(v, cell, sizeof inclusive_cells[0]);
		m->rows[r][tpot] = cell;
	}
}

void merged_write_csv(const merged *m, const char *dir, const char *mode, const char *file)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, mode);
	if (mkdir(path, 0777) && errno != EEXIST)
		die(EXIT_DATA, "%s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/%s/%s", dir, mode, file);
	FILE *f = outfile_open(path);
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
	if (outfile_close(f))
		die(EXIT_DATA, "%s: write error", path);
}

/* An agg row of infercast's load model (default --fidelity load): the reference's run_agg
 * always fills balance_score, the load model leaves it empty (docs/sweep.md). */
bool merged_load_row(const merged *m, char **row)
{
	int c = merged_col(m, "balance_score");
	return c >= 0 && !*row[c];
}

static cJSON *row_json(const merged *m, char **row, bool load)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < m->ncols; i++) {
		double v = merged_num(row[i]);
		if (*row[i] && isfinite(v))
			cJSON_AddNumberToObject(o, m->header[i], v);
		else if (load && !*row[i])
			cJSON_AddNullToObject(o, m->header[i]);
		else
			cJSON_AddStringToObject(o, m->header[i], row[i]);
	}
	return o;
}

void merged_emit_rows(const char *mode, const char *kind, const merged *m)
{
	for (size_t r = 0; r < m->n; r++) {
		bool load = merged_load_row(m, m->rows[r]);
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
const char *merged_cell(const merged *m, char **row, const char *name)
{
	int c = merged_col(m, name);
	return c < 0 ? "-" : row[c];
}

void merged_print_table(const char *mode, const merged *best)
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
			snprintf(layout, sizeof layout, "%sx%s+%sx%s", merged_cell(best, row, "(p)parallel"),
				 merged_cell(best, row, "(p)workers"), merged_cell(best, row, "(d)parallel"), merged_cell(best, row, "(d)workers"));
		else
			snprintf(layout, sizeof layout, "%s", merged_cell(best, row, "parallel"));
		printf("  %-4zu %-7s %-11s %-24s %-10s %-10s %-10s %-10s %s\n", r + 1, merged_cell(best, row, "backend"),
		       merged_cell(best, row, disagg ? "(d)version" : "version"), layout, merged_cell(best, row, disagg ? "(d)bs" : "bs"),
		       merged_cell(best, row, "ttft"), merged_cell(best, row, "tpot"), merged_cell(best, row, "tokens/s/user"),
		       merged_cell(best, row, "tokens/s/gpu_cluster"));
	}
}
