/* merged_table: one mode's result tables of several `default` runs merged into one, as the
 * reference's `cli default --backend auto` merges its per-backend experiments (pmerge(1)). Failures
 * (out of memory, a run whose columns differ, a write error) end the run through die(). */
#ifndef INFERCAST_MERGED_TABLE_H
#define INFERCAST_MERGED_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "csvtab.h"

/* One mode's merged table: the header of the first run (plus `backend` when it lacks one) and
 * rows that point into the loaded tables. */
typedef struct merged {
	char **header;
	size_t ncols;
	char ***rows;      /* each row: ncols cells (the added backend cell last) */
	size_t n, cap;
	bool add_backend;
} merged;

/* Start m with t's header, or check that t's header is the one m started with (path names t in
 * the message). Unless single_run, a table lacking `backend` gains it, as the reference adds it. */
void merged_begin(merged *m, const csvtab *t, const char *path, bool single_run);
/* Append a row of the table begun with; backend fills the added column. */
void merged_push_row(merged *m, char **cells, const char *backend);
void merged_free(merged *m);

/* The column named name, or -1. */
int merged_col(const merged *m, const char *name);
/* A cell as a number; NaN when it is not one. */
double merged_num(const char *s);
/* An agg row priced by infercast's load model (its balance_score is empty). */
bool merged_load_row(const merged *m, char **row);
/* A cell by column name, "-" when the table has no such column. */
const char *merged_cell(const merged *m, char **row, const char *name);

/* Rows reordered by a column as pandas' sort_values(kind quicksort) orders them. */
void merged_sort_by(merged *m, int col, bool ascending);
/* The reference's get_pareto_front over xname and tokens/s/gpu_cluster. */
void merged_pareto_front(merged *m, const char *xname, bool maximize_x);
/* The reference's _apply_inclusive_tpot on the tpot cells (when ttft, tpot and osl are there). */
void merged_inclusive_tpot(merged *m);

/* dir/mode/file as the reference's CSV. */
void merged_write_csv(const merged *m, const char *dir, const char *mode, const char *file);
/* One record per row ("best" rows carry their rank), on stdout. */
void merged_emit_rows(const char *mode, const char *kind, const merged *m);
/* The text table of a mode's best rows, on stdout. */
void merged_print_table(const char *mode, const merged *best);

#endif
