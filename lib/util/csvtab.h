/* csvtab: read a CSV file with a header row (libcsv), keeping each record's line number
 * so that every later error can name FILE:LINE. */
#ifndef INFERCAST_CSVTAB_H
#define INFERCAST_CSVTAB_H

#include <stddef.h>
#include <stdio.h>

typedef struct csvtab {
	char *path;          /* as given, for messages */
	size_t ncols;        /* header columns */
	char **header;       /* ncols names */
	size_t nrows;        /* data records */
	char ***rows;        /* nrows arrays of ncols strings (a short row is an error) */
	long *lines;         /* line number where each data record starts */
} csvtab;

/* Load path. On failure writes "FILE:LINE: what" (or "FILE: what") into err and returns -1:
 * missing file, empty file, a Git LFS pointer in place of the table, a row whose field count
 * differs from the header's, malformed quoting. Returns 0 on success. */
int csvtab_load(csvtab *t, const char *path, char *err, size_t errlen);
void csvtab_free(csvtab *t);
/* Index of a header column, or -1. */
int csvtab_col(const csvtab *t, const char *name);

/* Writes one CSV field as Python's csv module (QUOTE_MINIMAL) does: quoted, with quotes
 * doubled, when it holds a comma, a quote or a line break; as is otherwise. */
void csv_write_field(FILE *out, const char *s);

#endif
