#include "table_csv.h"
#include "diag.h"

#include "perftree.h"
#include "table_parquet.h"
#include "table_sources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static _Thread_local bool header_only;

void table_csv_set_header_only(bool on)
{
	header_only = on;
}

/* Read the whole file (header_only: up to the end of its first line, in 4 KiB steps: a cache
 * hit reads the header row of each table, not 64 KiB of its rows); NULL with errno set on
 * failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = header_only ? 1 << 12 : 1 << 16, n = 0;
	struct stat st;
	if (!header_only && fstat(fileno(fp), &st) == 0 && st.st_size > 0)
		cap = (size_t)st.st_size + 2;
	char *buf = xrealloc(NULL, cap);
	for (;;) {
		if (cap - n < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		size_t got = fread(buf + n, 1, cap - n - 1, fp);
		n += got;
		if (got == 0 || (header_only && memchr(buf, '\n', n)))
			break;
	}
	int bad = ferror(fp);
	int saved = errno;
	fclose(fp);
	if (bad) {
		free(buf);
		errno = saved ? saved : EIO;
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Split one record starting at *pos into fields (in place). Handles quoted fields, where a
 * doubled quote stands for one and newlines may appear. Returns the number of fields and
 * advances *pos past the record's line end; *line counts newlines consumed. */
typedef struct {
	char **f;
	size_t n, cap;
} fieldvec;

static void push(fieldvec *v, char *s)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 32;
		v->f = xrealloc(v->f, v->cap * sizeof *v->f);
	}
	v->f[v->n++] = s;
}

static int split_record(char **pos, long *line, fieldvec *v)
{
	char *p = *pos;
	v->n = 0;
	for (;;) {
		char *start = p, *out = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (*p == 0)
					return -1; /* unterminated quote */
				if (*p == '"') {
					if (p[1] == '"') {
						*out++ = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					(*line)++;
				*out++ = *p++;
			}
			/* text after the closing quote up to the separator is kept, as Python's csv does */
			while (*p && *p != ',' && *p != '\n' && *p != '\r')
				*out++ = *p++;
		} else {
			while (*p && *p != ',' && *p != '\n' && *p != '\r')
				p++;
			out = p;
		}
		char sep = *p;
		push(v, start);
		if (sep == ',') {
			*out = 0;
			p++;
			continue;
		}
		/* end of record */
		if (sep == '\r') {
			*out = 0;
			p++;
			if (*p == '\n')
				p++;
		} else if (sep == '\n') {
			*out = 0;
			p++;
		} else {
			*out = 0;
		}
		(*line)++;
		*pos = p;
		return 0;
	}
}

static int load_one(table_csv *t, const char *path, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	/* the family-first layout: the table is a .parquet file elsewhere (lib/perf/perftree) */
	perftree_file where;
	int at = perftree_locate(path, &where, err, errlen);
	if (at != 0)
		return at > 0 ? TABLE_CSV_MISSING : TABLE_CSV_BAD;
	size_t plen = strlen(where.path);
	if (where.how != PERFTREE_LEGACY || (plen > 8 && strcmp(where.path + plen - 8, ".parquet") == 0))
		return table_parquet_load(t, where.path, header_only, err, errlen);
	size_t len = 0;
	char *buf = slurp(path, &len);
	if (!buf) {
		if (errno == ENOENT)
			return TABLE_CSV_MISSING;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return TABLE_CSV_BAD;
	}
	t->path = strdup(path);
	t->buf = buf;
	if (len >= 23 && memcmp(buf, "version https://git-lfs", 23) == 0) {
		snprintf(err, errlen, "%s:1: a Git LFS pointer, not the table (run 'git lfs pull')", path);
		goto fail;
	}
	char *p = buf;
	long line = 1;
	fieldvec v = { 0 };
	size_t caprows = 0;
	/* skip leading blank lines before the header */
	while (*p == '\n' || *p == '\r') {
		if (*p == '\n')
			line++;
		p++;
	}
	if (*p == 0) {
		snprintf(err, errlen, "%s: empty file, no header", path);
		free(v.f);
		goto fail;
	}
	long rec_line = line;
	if (split_record(&p, &line, &v) != 0) {
		snprintf(err, errlen, "%s:%ld: unterminated quoted field", path, rec_line);
		free(v.f);
		goto fail;
	}
	t->ncols = v.n;
	t->header = xrealloc(NULL, v.n * sizeof *t->header);
	memcpy(t->header, v.f, v.n * sizeof *v.f);
	while (*p && !header_only) {
		if (*p == '\n' || *p == '\r') { /* blank line */
			if (*p == '\n')
				line++;
			p++;
			continue;
		}
		rec_line = line;
		if (split_record(&p, &line, &v) != 0) {
			snprintf(err, errlen, "%s:%ld: unterminated quoted field", path, rec_line);
			free(v.f);
			goto fail;
		}
		if (v.n != t->ncols) {
			snprintf(err, errlen, "%s:%ld: %zu fields where the header has %zu", path, rec_line, v.n, t->ncols);
			free(v.f);
			goto fail;
		}
		if (t->nrows == caprows) {
			caprows = caprows ? 2 * caprows : 4096;
			t->cells = xrealloc(t->cells, caprows * t->ncols * sizeof *t->cells);
			t->lines = xrealloc(t->lines, caprows * sizeof *t->lines);
		}
		memcpy(t->cells + t->nrows * t->ncols, v.f, t->ncols * sizeof *v.f);
		t->lines[t->nrows++] = rec_line;
	}
	free(v.f);
	return TABLE_CSV_OK;
fail:
	table_csv_free(t);
	return TABLE_CSV_BAD;
}

/* Where the shared layer merges: rows of src[0] whole, then of each further source the rows
 * whose kernel_source its filter admits. */
const char table_csv_absent[1] = "";
#define empty_cell table_csv_absent

static bool admitted(const table_source *s, const table_csv *c, int ks_col, size_t r)
{
	if (s->nfilter < 0)
		return true;
	if (ks_col < 0)
		return false; /* no kernel_source: nothing to match the filter */
	const char *ks = table_csv_cell(c, r, ks_col);
	for (int i = 0; i < s->nfilter; i++)
		if (strcmp(ks, s->filter[i]) == 0)
			return true;
	return false;
}

static int load_merged(table_csv *t, const char *path, const table_source *src, size_t n, char *err, size_t errlen)
{
	table_csv parts[TABLE_SOURCES_MAX];
	size_t nparts = 0;
	const table_source *psrc[TABLE_SOURCES_MAX];
	for (size_t i = 0; i < n; i++) {
		int st = load_one(&parts[nparts], src[i].path, err, errlen);
		if (st == TABLE_CSV_MISSING)
			continue;
		if (st != TABLE_CSV_OK) {
			for (size_t j = 0; j < nparts; j++)
				table_csv_free(&parts[j]);
			return st;
		}
		psrc[nparts++] = &src[i];
	}
	if (!nparts)
		return TABLE_CSV_MISSING;
	memset(t, 0, sizeof *t);
	t->path = strdup(path);
	/* the union of the headers, in order of appearance */
	size_t cap_cols = 0;
	for (size_t i = 0; i < nparts; i++)
		cap_cols += parts[i].ncols;
	t->header = xrealloc(NULL, cap_cols * sizeof *t->header);
	int *map[TABLE_SOURCES_MAX]; /* source column -> merged column */
	for (size_t i = 0; i < nparts; i++) {
		map[i] = xrealloc(NULL, (parts[i].ncols ? parts[i].ncols : 1) * sizeof **map);
		for (size_t c = 0; c < parts[i].ncols; c++) {
			size_t m;
			for (m = 0; m < t->ncols && strcmp(t->header[m], parts[i].header[c]) != 0; m++)
				;
			if (m == t->ncols)
				t->header[t->ncols++] = parts[i].header[c];
			map[i][c] = (int)m;
		}
	}
	size_t rows = 0;
	for (size_t i = 0; i < nparts; i++)
		rows += parts[i].nrows;
	t->cells = xrealloc(NULL, (rows ? rows : 1) * (t->ncols ? t->ncols : 1) * sizeof *t->cells);
	t->lines = xrealloc(NULL, (rows ? rows : 1) * sizeof *t->lines);
	t->row_files = xrealloc(NULL, (rows ? rows : 1) * sizeof *t->row_files);
	t->more_bufs = xrealloc(NULL, nparts * sizeof *t->more_bufs);
	t->more_paths = xrealloc(NULL, nparts * sizeof *t->more_paths);
	for (size_t i = 0; i < nparts; i++) {
		table_csv *c = &parts[i];
		int ks_col = table_csv_col(c, "kernel_source");
		for (size_t r = 0; r < c->nrows; r++) {
			if (!admitted(psrc[i], c, ks_col, r))
				continue;
			char **row = t->cells + t->nrows * t->ncols;
			for (size_t m = 0; m < t->ncols; m++)
				row[m] = (char *)empty_cell;
			for (size_t k = 0; k < c->ncols; k++)
				row[map[i][k]] = c->cells[r * c->ncols + k];
			t->lines[t->nrows] = c->lines[r];
			t->row_files[t->nrows++] = i == 0 && strcmp(c->path, path) == 0 ? NULL : c->path;
		}
		/* keep the buffers the cells point into; the rest of the part goes */
		t->more_bufs[t->nmore] = c->buf;
		t->more_paths[t->nmore++] = c->path;
		c->buf = NULL;
		c->path = NULL;
		free(map[i]);
	}
	/* the header arrays of the parts are no longer needed (their names live in more_bufs) */
	for (size_t i = 0; i < nparts; i++)
		table_csv_free(&parts[i]);
	return TABLE_CSV_OK;
}

int table_csv_load(table_csv *t, const char *path, char *err, size_t errlen)
{
	if (!table_sources_active())
		return load_one(t, path, err, errlen);
	/* on the heap, made on first use: a 270 KB array in thread-local storage was zeroed at every
	 * start of every program that links it (~0.3 ms of query's start), used or not */
	static _Thread_local table_source *src;
	if (!src)
		src = xcalloc(TABLE_SOURCES_MAX, sizeof *src);
	size_t n = table_sources_for(path, src, TABLE_SOURCES_MAX, err, errlen);
	if (n == 0) {
		memset(t, 0, sizeof *t);
		return TABLE_CSV_BAD;
	}
	if (n == 1 && strcmp(src[0].path, path) == 0)
		return load_one(t, path, err, errlen);
	return load_merged(t, path, src, n, err, errlen);
}

void table_csv_free(table_csv *t)
{
	for (size_t i = 0; i < t->nmore; i++) {
		free(t->more_bufs[i]);
		free(t->more_paths[i]);
	}
	free(t->more_bufs);
	free(t->more_paths);
	free(t->row_files);
	free(t->path);
	free(t->buf);
	free(t->header);
	free(t->cells);
	free(t->lines);
	memset(t, 0, sizeof *t);
}

int table_csv_col(const table_csv *t, const char *name)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->header[c], name) == 0)
			return (int)c;
	return -1;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static bool only_blanks(const char *s)
{
	return *skip_blanks(s) == 0;
}

bool table_csv_int(const char *s, long long *out)
{
	s = skip_blanks(s);
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (*s < '0' || *s > '9')
		return false;
	unsigned long long v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (9223372036854775807ull - (unsigned)(*s - '0')) / 10)
			return false; /* beyond 64 bits: no table holds such a key */
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (!only_blanks(s))
		return false;
	*out = neg ? -(long long)v : (long long)v;
	return true;
}

bool table_csv_float(const char *s, double *out)
{
	s = skip_blanks(s);
	if (!*s)
		return false;
	/* strtod also reads hex floats, which Python's float() does not */
	const char *q = s;
	if (*q == '+' || *q == '-')
		q++;
	if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
		return false;
	char *end;
	double v = strtod(s, &end);
	if (end == s || !only_blanks(end))
		return false;
	*out = v;
	return true;
}
