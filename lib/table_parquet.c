#include "table_parquet.h"

#include "parquet.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("out of memory\n", stderr);
		exit(1);
	}
	return q;
}

void table_parquet_double(double v, char *buf, size_t n)
{
	if (isnan(v)) {
		snprintf(buf, n, "nan");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, n, "%sinf", v < 0 ? "-" : "");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e16) {
		snprintf(buf, n, "%.0f", v);
		return;
	}
	for (int p = 15; p < 17; p++) {
		snprintf(buf, n, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			return;
	}
	snprintf(buf, n, "%.17g", v);
}

/* The texts of the table: one arena, offsets first (it grows), pointers at the end. */
typedef struct arena {
	char *buf;
	size_t len, cap;
} arena;

static size_t put(arena *a, const char *s, size_t n)
{
	if (a->cap - a->len < n + 1) {
		a->cap = 2 * a->cap + n + 1;
		a->buf = xrealloc(a->buf, a->cap);
	}
	size_t at = a->len;
	memcpy(a->buf + at, s, n);
	a->buf[at + n] = 0;
	a->len += n + 1;
	return at;
}

int table_parquet_load(table_csv *t, const char *path, bool header_only, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	parquet_table pq;
	int rc = header_only ? parquet_read_schema(&pq, path, err, errlen) : parquet_read(&pq, path, err, errlen);
	if (rc != 0)
		return errno == ENOENT ? TABLE_CSV_MISSING : TABLE_CSV_BAD;
	arena a = { 0 };
	size_t empty = put(&a, "", 0);
	size_t *head = xrealloc(NULL, pq.ncols * sizeof *head);
	size_t **text = xrealloc(NULL, pq.ncols * sizeof *text);
	size_t nrows = header_only ? 0 : pq.nrows;
	for (size_t c = 0; c < pq.ncols; c++) {
		const parquet_column *col = &pq.cols[c];
		head[c] = put(&a, col->name, strlen(col->name));
		text[c] = NULL;
		if (!nrows)
			continue;
		text[c] = xrealloc(NULL, (col->nvalues ? col->nvalues : 1) * sizeof **text);
		char num[40];
		for (size_t k = 0; k < col->nvalues; k++) {
			const char *s = num;
			switch (col->type) {
			case PARQUET_BOOLEAN:
				s = col->i64[k] ? "True" : "False";
				break;
			case PARQUET_INT64:
				snprintf(num, sizeof num, "%" PRId64, col->i64[k]);
				break;
			case PARQUET_DOUBLE:
				table_parquet_double(col->f64[k], num, sizeof num);
				break;
			case PARQUET_STRING:
				s = col->str_buf + col->str_off[k];
				break;
			}
			text[c][k] = put(&a, s, strlen(s));
		}
	}
	t->path = strdup(path);
	t->buf = a.buf;
	t->ncols = pq.ncols;
	t->header = xrealloc(NULL, pq.ncols * sizeof *t->header);
	for (size_t c = 0; c < pq.ncols; c++)
		t->header[c] = a.buf + head[c];
	t->nrows = nrows;
	t->cells = xrealloc(NULL, (nrows ? nrows : 1) * (pq.ncols ? pq.ncols : 1) * sizeof *t->cells);
	t->lines = xrealloc(NULL, (nrows ? nrows : 1) * sizeof *t->lines);
	for (size_t r = 0; r < nrows; r++) {
		char **row = t->cells + r * pq.ncols;
		for (size_t c = 0; c < pq.ncols; c++) {
			uint32_t k = pq.cols[c].row[r];
			row[c] = a.buf + (k == PARQUET_NULL ? empty : text[c][k]);
		}
		t->lines[r] = (long)r + 1;
	}
	for (size_t c = 0; c < pq.ncols; c++)
		free(text[c]);
	free(text);
	free(head);
	parquet_free(&pq);
	return TABLE_CSV_OK;
}
