#include "table_csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fputs("out of memory\n", stderr);
		exit(1);
	}
	return q;
}

static _Thread_local bool header_only;

void table_csv_set_header_only(bool on)
{
	header_only = on;
}

/* Read the whole file (header_only: the first 64 KiB, enough for any header row); NULL with
 * errno set on failure. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	size_t cap = 1 << 16, n = 0;
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

int table_csv_load(table_csv *t, const char *path, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
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

void table_csv_free(table_csv *t)
{
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
