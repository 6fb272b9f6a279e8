/* table_csv: a fast reader for the perf tables (*_perf.txt), which are plain CSV with a
 * header row. The whole file is read into one buffer and split in place, so a 100,000-row
 * table loads in a few milliseconds (lib/util/csvtab allocates every field and is far slower).
 * Quoted fields are understood; every row keeps its line number for "FILE:LINE: what". */
#ifndef INFERCAST_TABLE_CSV_H
#define INFERCAST_TABLE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "table_text.h"

/* Load path. TABLE_CSV_MISSING when the file does not exist (callers treat that as "no
 * data", as the reference does); TABLE_CSV_BAD with "FILE:LINE: what" in err for an
 * unreadable or empty file, a Git LFS pointer, or a row whose field count differs from
 * the header's. Blank lines are skipped.
 *
 * While lib/perf/table_sources' shared layer is on (HYBRID databases), a file of the active table
 * folder is read with its sibling sources: the rows of path, then the admitted rows (by their
 * kernel_source) of each sibling file in priority order, as one table. The header is the
 * union of the files' headers (path's columns first); a cell of a column its file lacks reads
 * "". MISSING only when no source exists. */
int table_csv_load(table_csv *t, const char *path, char *err, size_t errlen);
void table_csv_free(table_csv *t);

/* While on (this thread), table_csv_load reads the header row only and returns no data rows.
 * lib/perf/table_cache uses it to run a table's loader for its setup (columns, hooks) while the
 * rows' content comes from the cache. */
void table_csv_set_header_only(bool on);

/* The file row came from (path, or a sibling source's under the shared layer). */
static inline const char *table_csv_row_file(const table_csv *t, size_t row)
{
	return t->row_files && t->row_files[row] ? t->row_files[row] : t->path;
}

/* Index of a header column, or -1. */
int table_csv_col(const table_csv *t, const char *name);
static inline const char *table_csv_cell(const table_csv *t, size_t row, int col)
{
	return t->cells[row * t->ncols + (size_t)col];
}

/* The cell of a merged row whose file lacks the column (it reads ""): loaders give such a cell
 * the value they give a table without the column. */
extern const char table_csv_absent[1];
static inline bool table_csv_cell_absent(const table_csv *t, size_t row, int col)
{
	return t->cells[row * t->ncols + (size_t)col] == table_csv_absent;
}

/* Strict number parsing of one cell, the way Python's int() / float() read the tables
 * (surrounding blanks allowed). false when the text is not such a number. */
bool table_csv_int(const char *s, long long *out);
bool table_csv_float(const char *s, double *out);

#endif
