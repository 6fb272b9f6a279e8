#include "csvtab.h"
#include "diag.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parser state shared with libcsv's callbacks. */
typedef struct {
	csvtab *t;
	char **cur;          /* fields of the record being built */
	size_t ncur, capcur;
	size_t caprows;
	long line;           /* current line while scanning */
	long rec_line;       /* line where the current record started */
	int bad;             /* set when a row has the wrong width */
	long bad_line;
	size_t bad_n;
} parse_state;

static void on_field(void *s, size_t len, void *data)
{
	parse_state *p = data;
	if (p->ncur == p->capcur) {
		p->capcur = p->capcur ? 2 * p->capcur : 16;
		p->cur = xrealloc(p->cur, p->capcur * sizeof *p->cur);
	}
	if (p->ncur == 0)
		p->rec_line = p->line;
	p->cur[p->ncur++] = xstrndup(s, len);
}

static void drop_fields(parse_state *p)
{
	for (size_t i = 0; i < p->ncur; i++)
		free(p->cur[i]);
	p->ncur = 0;
}

static void on_record(int c, void *data)
{
	(void)c;
	parse_state *p = data;
	csvtab *t = p->t;
	if (p->bad) {
		drop_fields(p);
		return;
	}
	if (!t->header) {
		t->ncols = p->ncur;
		t->header = xrealloc(NULL, p->ncur * sizeof *t->header);
		memcpy(t->header, p->cur, p->ncur * sizeof *p->cur);
		p->ncur = 0;
		return;
	}
	/* A lone empty field is a blank line: skip it. */
	if (p->ncur == 1 && p->cur[0][0] == 0) {
		drop_fields(p);
		return;
	}
	if (p->ncur != t->ncols) {
		p->bad = 1;
		p->bad_line = p->rec_line;
		p->bad_n = p->ncur;
		drop_fields(p);
		return;
	}
	if (t->nrows == p->caprows) {
		p->caprows = p->caprows ? 2 * p->caprows : 1024;
		t->rows = xrealloc(t->rows, p->caprows * sizeof *t->rows);
		t->lines = xrealloc(t->lines, p->caprows * sizeof *t->lines);
	}
	t->rows[t->nrows] = xrealloc(NULL, p->ncur * sizeof(char *));
	memcpy(t->rows[t->nrows], p->cur, p->ncur * sizeof(char *));
	t->lines[t->nrows] = p->rec_line;
	t->nrows++;
	p->ncur = 0;
}

int csvtab_load(csvtab *t, const char *path, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	t->path = xstrndup(path, strlen(path));
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		csvtab_free(t);
		return -1;
	}
	struct csv_parser cp;
	if (csv_init(&cp, CSV_APPEND_NULL) != 0) {
		fclose(fp);
		snprintf(err, errlen, "%s: cannot initialise the CSV parser", path);
		csvtab_free(t);
		return -1;
	}
	parse_state p = { .t = t, .line = 1 };
	char buf[1 << 16];
	size_t n, total = 0;
	int first = 1;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0) {
		if (first) {
			first = 0;
			if (n >= 8 && memcmp(buf, "version https://git-lfs", 23 < n ? 23 : n) == 0) {
				snprintf(err, errlen, "%s:1: a Git LFS pointer, not the table (run 'git lfs pull')", path);
				goto fail;
			}
		}
		/* Feed line by line so that callbacks know the line they are on. */
		size_t start = 0;
		for (size_t i = 0; i < n; i++) {
			if (buf[i] == '\n') {
				if (csv_parse(&cp, buf + start, i + 1 - start, on_field, on_record, &p) != i + 1 - start)
					goto parse_error;
				p.line++;
				start = i + 1;
			}
		}
		if (start < n && csv_parse(&cp, buf + start, n - start, on_field, on_record, &p) != n - start)
			goto parse_error;
		total += n;
		if (p.bad)
			break;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	if (!p.bad && csv_fini(&cp, on_field, on_record, &p) != 0)
		goto parse_error;
	if (p.bad) {
		snprintf(err, errlen, "%s:%ld: %zu fields where the header has %zu", path, p.bad_line, p.bad_n, t->ncols);
		goto fail;
	}
	if (total == 0 || !t->header) {
		snprintf(err, errlen, "%s: empty file, no header", path);
		goto fail;
	}
	csv_free(&cp);
	free(p.cur);
	fclose(fp);
	return 0;
parse_error:
	snprintf(err, errlen, "%s:%ld: malformed CSV: %s", path, p.line, csv_strerror(csv_error(&cp)));
fail:
	drop_fields(&p);
	free(p.cur);
	csv_free(&cp);
	fclose(fp);
	csvtab_free(t);
	return -1;
}

void csvtab_free(csvtab *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++)
			free(t->rows[r][c]);
		free(t->rows[r]);
	}
	if (t->header)
		for (size_t c = 0; c < t->ncols; c++)
			free(t->header[c]);
	free(t->header);
	free(t->rows);
	free(t->lines);
	free(t->path);
	memset(t, 0, sizeof *t);
}

int csvtab_col(const csvtab *t, const char *name)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->header[c], name) == 0)
			return (int)c;
	return -1;
}

void csv_write_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}
