/* table_text: a perf table in memory as text, a header and rows of cells, whichever file it was
 * read from: lib/perf/table_csv reads the CSV tables (*_perf.txt) into it, lib/perf/table_parquet the
 * Parquet ones; the accessors are table_csv's. */
#ifndef INFERCAST_TABLE_TEXT_H
#define INFERCAST_TABLE_TEXT_H

#include <stddef.h>

typedef struct table_csv {
	char *path;          /* as given, for messages */
	char *buf;           /* the file, split in place */
	size_t ncols;
	char **header;       /* ncols names (point into buf) */
	size_t nrows;
	char **cells;        /* nrows * ncols fields, row-major (point into buf) */
	long *lines;         /* line number of each data row */
	/* HYBRID shared layer (lib/perf/table_sources): rows merged from further files; their buffers,
	 * and each row's file when it is not path (NULL: every row is path's) */
	char **more_bufs;
	size_t nmore;
	const char **row_files;
	char **more_paths;
} table_csv;

/* Outcome of table_csv_load. */
enum { TABLE_CSV_OK = 0, TABLE_CSV_MISSING = 1, TABLE_CSV_BAD = -1 };

#endif
