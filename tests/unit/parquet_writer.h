/* parquet_writer: builds small Parquet files byte by byte for the tests of lib/perf/parquet and
 * lib/perf/perftree (and the fuzz seeds): a Thrift compact writer, a PLAIN dictionary page and v1
 * data pages (RLE_DICTIONARY or PLAIN) per column, ZSTD/SNAPPY/no compression, and knobs that
 * break one thing at a time (pw_fault). Values are given as text, NULL for a null cell. */
#ifndef INFERCAST_PARQUET_WRITER_H
#define INFERCAST_PARQUET_WRITER_H

#include <snappy-c.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

enum { PW_BOOLEAN = 0, PW_INT64 = 2, PW_FLOAT = 4, PW_DOUBLE = 5, PW_BYTE_ARRAY = 6 };
enum { PW_NONE = 0, PW_SNAPPY = 1, PW_GZIP = 2, PW_ZSTD = 6 };

typedef struct pw_col {
	const char *name;
	int type;          /* PW_* physical type */
	int codec;         /* PW_NONE, PW_SNAPPY, PW_ZSTD (or any number, written as is) */
	int plain;         /* 1: one PLAIN data page, no dictionary */
	const char *const *values; /* nrows texts, NULL for null */
} pw_col;

/* One thing to break (0: nothing). */
enum pw_fault {
	PW_OK,
	PW_BAD_INDEX,       /* a dictionary index past the dictionary (first column) */
	PW_REQUIRED,        /* first column REQUIRED */
	PW_NESTED,          /* first column has children */
	PW_NO_UTF8,         /* byte-array columns without the UTF8 annotation */
	PW_TWO_ROW_GROUPS,  /* the row group listed twice */
	PW_PAGE_V2,         /* data pages typed DATA_PAGE_V2 */
	PW_DELTA,           /* data pages encoded DELTA_BINARY_PACKED */
	PW_OFFSET_PAST_END, /* the first column's data page offset past the file */
	PW_CHUNK_TOO_LONG,  /* the first column's compressed size past the file */
	PW_PAGE_TOO_LONG,   /* the first page claims more bytes than its chunk holds */
	PW_UNCOMPRESSED_LIE, /* the first page's uncompressed size 8 more than the truth */
	PW_FEWER_VALUES,    /* the row count says one row more than the pages hold */
	PW_ENCRYPTED,       /* a FileMetaData encryption field */
};

typedef struct pw_buf {
	unsigned char *p;
	size_t n, cap;
} pw_buf;

static void pw_put(pw_buf *b, const void *s, size_t n)
{
	if (b->cap - b->n < n) {
		b->cap = 2 * b->cap + n + 64;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}
static void pw_byte(pw_buf *b, unsigned c) { unsigned char x = (unsigned char)c; pw_put(b, &x, 1); }
static void pw_varint(pw_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		pw_byte(b, (unsigned)(v & 0x7f) | 0x80);
		v >>= 7;
	}
	pw_byte(b, (unsigned)v);
}
static void pw_le32(pw_buf *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		pw_byte(b, (v >> (8 * i)) & 0xff);
}

/* Thrift compact: field headers with deltas from the last id of the enclosing struct. */
typedef struct pw_thrift {
	pw_buf *b;
	int last[16];
	int depth;
} pw_thrift;
static void tf_field(pw_thrift *t, int id, int type)
{
	int d = id - t->last[t->depth];
	if (d > 0 && d <= 15) {
		pw_byte(t->b, (unsigned)(d << 4 | type));
	} else {
		pw_byte(t->b, (unsigned)type);
		pw_varint(t->b, (uint64_t)((id << 1) ^ (id >> 31)));
	}
	t->last[t->depth] = id;
}
static void tf_i64(pw_thrift *t, int id, int64_t v)
{
	tf_field(t, id, 6);
	pw_varint(t->b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}
static void tf_i32(pw_thrift *t, int id, int32_t v)
{
	tf_field(t, id, 5);
	pw_varint(t->b, ((uint64_t)(int64_t)v << 1) ^ (uint64_t)((int64_t)v >> 63));
}
static void tf_bin(pw_thrift *t, int id, const char *s)
{
	tf_field(t, id, 8);
	pw_varint(t->b, strlen(s));
	pw_put(t->b, s, strlen(s));
}
static void tf_begin(pw_thrift *t, int id) /* id 0: a list element */
{
	if (id)
		tf_field(t, id, 12);
	t->last[++t->depth] = 0;
}
static void tf_end(pw_thrift *t)
{
	pw_byte(t->b, 0);
	t->depth--;
}
static void tf_list(pw_thrift *t, int id, int elem, size_t n)
{
	tf_field(t, id, 9);
	if (n < 15) {
		pw_byte(t->b, (unsigned)(n << 4 | (size_t)elem));
	} else {
		pw_byte(t->b, (unsigned)(0xf0 | elem));
		pw_varint(t->b, n);
	}
}

/* PLAIN encoding of one value. */
static void pw_plain(pw_buf *b, int type, const char *v)
{
	if (type == PW_INT64) {
		long long x = strtoll(v, NULL, 10);
		for (int i = 0; i < 8; i++)
			pw_byte(b, (unsigned)(((unsigned long long)x >> (8 * i)) & 0xff));
	} else if (type == PW_DOUBLE) {
		double d = strtod(v, NULL);
		uint64_t u;
		memcpy(&u, &d, 8);
		for (int i = 0; i < 8; i++)
			pw_byte(b, (unsigned)((u >> (8 * i)) & 0xff));
	} else if (type == PW_FLOAT) {
		float f = strtof(v, NULL);
		pw_put(b, &f, 4);
	} else {
		pw_le32(b, (uint32_t)strlen(v));
		pw_put(b, v, strlen(v));
	}
}

/* values (n of them) bit-packed at width bw in one run. */
static void pw_bitpacked(pw_buf *b, const uint32_t *v, size_t n, int bw)
{
	size_t groups = (n + 7) / 8;
	pw_varint(b, groups << 1 | 1);
	size_t nbytes = groups * (size_t)bw;
	unsigned char *out = calloc(nbytes + 1, 1);
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < bw; k++)
			if (v[i] >> k & 1) {
				size_t bit = i * (size_t)bw + (size_t)k;
				out[bit / 8] |= (unsigned char)(1u << (bit % 8));
			}
	pw_put(b, out, nbytes);
	free(out);
}

static void pw_compress(int codec, const pw_buf *in, pw_buf *out)
{
	out->n = 0;
	if (codec == PW_ZSTD) {
		size_t cap = ZSTD_compressBound(in->n);
		unsigned char *tmp = malloc(cap);
		size_t n = ZSTD_compress(tmp, cap, in->p, in->n, 3);
		pw_put(out, tmp, n);
		free(tmp);
	} else if (codec == PW_SNAPPY) {
		size_t cap = snappy_max_compressed_length(in->n);
		char *tmp = malloc(cap);
		snappy_compress((const char *)in->p, in->n, tmp, &cap);
		pw_put(out, tmp, cap);
		free(tmp);
	} else {
		pw_put(out, in->p, in->n);
	}
}

static void pw_page_header(pw_buf *b, int type, size_t unc, size_t comp, int nvals, int enc)
{
	pw_thrift t = { .b = b };
	tf_i32(&t, 1, type);
	tf_i32(&t, 2, (int32_t)unc);
	tf_i32(&t, 3, (int32_t)comp);
	if (type == 2) {
		tf_begin(&t, 7);
		tf_i32(&t, 1, nvals);
		tf_i32(&t, 2, enc);
		tf_end(&t);
	} else {
		tf_begin(&t, type == 3 ? 8 : 5);
		tf_i32(&t, 1, nvals);
		tf_i32(&t, 2, enc);
		tf_i32(&t, 3, 3);
		tf_i32(&t, 4, 3);
		tf_end(&t);
	}
	pw_byte(b, 0);
}

typedef struct pw_chunk {
	size_t start, dict_off, data_off, len;
} pw_chunk;

/* The whole file into *out (malloc'ed). */
static size_t pw_build(const pw_col *cols, int ncols, int nrows, enum pw_fault fault, unsigned char **out)
{
	pw_buf f = { 0 }, page = { 0 }, comp = { 0 };
	pw_chunk ch[16];
	pw_put(&f, "PAR1", 4);
	for (int c = 0; c < ncols; c++) {
		const pw_col *col = &cols[c];
		ch[c].start = f.n;
		/* dictionary: distinct non-null values in order of appearance */
		const char *dict[256];
		int ndict = 0;
		uint32_t idx[256], lev[256];
		int nn = 0;
		for (int r = 0; r < nrows; r++) {
			const char *v = col->values[r];
			lev[r] = v != NULL;
			if (!v)
				continue;
			int k;
			for (k = 0; k < ndict && strcmp(dict[k], v) != 0; k++)
				;
			if (k == ndict)
				dict[ndict++] = v;
			idx[nn++] = (uint32_t)k;
		}
		ch[c].dict_off = 0;
		if (!col->plain) {
			page.n = 0;
			for (int k = 0; k < ndict; k++)
				pw_plain(&page, col->type, dict[k]);
			pw_compress(col->codec, &page, &comp);
			ch[c].dict_off = f.n;
			pw_page_header(&f, 2, page.n, comp.n, ndict, 0);
			pw_put(&f, comp.p, comp.n);
		}
		/* the data page: definition levels (an RLE run when there is no null), then values */
		page.n = 0;
		pw_buf lv = { 0 };
		if (nn == nrows) {
			pw_varint(&lv, (uint64_t)nrows << 1);
			pw_byte(&lv, 1);
		} else {
			pw_bitpacked(&lv, lev, (size_t)nrows, 1);
		}
		pw_le32(&page, (uint32_t)lv.n);
		pw_put(&page, lv.p, lv.n);
		free(lv.p);
		int enc = 8;
		if (col->plain) {
			enc = 0;
			if (col->type == PW_BOOLEAN) {
				unsigned char bits[64] = { 0 };
				int k = 0;
				for (int r = 0; r < nrows; r++)
					if (col->values[r]) {
						if (strcmp(col->values[r], "1") == 0)
							bits[k / 8] |= (unsigned char)(1u << (k % 8));
						k++;
					}
				pw_put(&page, bits, (size_t)(k + 7) / 8);
			} else {
				for (int r = 0; r < nrows; r++)
					if (col->values[r])
						pw_plain(&page, col->type, col->values[r]);
			}
		} else {
			int bw = 0;
			while ((1 << bw) < ndict)
				bw++;
			if (fault == PW_BAD_INDEX && c == 0) {
				idx[0] = (uint32_t)ndict; /* one past the end */
				while ((1u << bw) <= idx[0])
					bw++;
			}
			pw_byte(&page, (unsigned)bw);
			if (nn)
				pw_bitpacked(&page, idx, (size_t)nn, bw);
		}
		if (fault == PW_DELTA)
			enc = 5;
		pw_compress(col->codec, &page, &comp);
		ch[c].data_off = f.n;
		size_t unc = page.n + (fault == PW_UNCOMPRESSED_LIE && c == 0 ? 8 : 0);
		size_t cl = comp.n + (fault == PW_PAGE_TOO_LONG && c == 0 ? 1000 : 0);
		pw_page_header(&f, fault == PW_PAGE_V2 ? 3 : 0, unc, cl, nrows, enc);
		pw_put(&f, comp.p, comp.n);
		ch[c].len = f.n - ch[c].start;
	}
	/* the footer */
	size_t foot = f.n;
	pw_thrift t = { .b = &f };
	int rows = nrows + (fault == PW_FEWER_VALUES);
	tf_i32(&t, 1, 2);
	tf_list(&t, 2, 12, (size_t)ncols + 1);
	tf_begin(&t, 0);
	tf_bin(&t, 4, "schema");
	tf_i32(&t, 5, ncols);
	tf_end(&t);
	for (int c = 0; c < ncols; c++) {
		tf_begin(&t, 0);
		tf_i32(&t, 1, cols[c].type);
		tf_i32(&t, 3, fault == PW_REQUIRED && c == 0 ? 0 : 1);
		tf_bin(&t, 4, cols[c].name);
		if (fault == PW_NESTED && c == 0)
			tf_i32(&t, 5, 1);
		if (cols[c].type == PW_BYTE_ARRAY && fault != PW_NO_UTF8)
			tf_i32(&t, 6, 0);
		tf_end(&t);
	}
	tf_i64(&t, 3, rows);
	int groups = fault == PW_TWO_ROW_GROUPS ? 2 : 1;
	tf_list(&t, 4, 12, (size_t)groups);
	for (int g = 0; g < groups; g++) {
		tf_begin(&t, 0);
		tf_list(&t, 1, 12, (size_t)ncols);
		for (int c = 0; c < ncols; c++) {
			tf_begin(&t, 0);
			tf_i64(&t, 2, (int64_t)ch[c].start);
			tf_begin(&t, 3);
			tf_i32(&t, 1, cols[c].type);
			tf_list(&t, 2, 5, 2);
			pw_varint(&f, 0);
			pw_varint(&f, 16);
			tf_list(&t, 3, 8, 1);
			pw_varint(&f, strlen(cols[c].name));
			pw_put(&f, cols[c].name, strlen(cols[c].name));
			tf_i32(&t, 4, cols[c].codec);
			tf_i64(&t, 5, rows);
			tf_i64(&t, 6, (int64_t)ch[c].len);
			int64_t len = (int64_t)ch[c].len + (fault == PW_CHUNK_TOO_LONG && c == 0 ? 100000 : 0);
			tf_i64(&t, 7, len);
			int64_t data = (int64_t)ch[c].data_off + (fault == PW_OFFSET_PAST_END && c == 0 ? 100000 : 0);
			tf_i64(&t, 9, data);
			if (ch[c].dict_off && fault != PW_OFFSET_PAST_END)
				tf_i64(&t, 11, (int64_t)ch[c].dict_off);
			tf_end(&t);
			tf_end(&t);
		}
		tf_i64(&t, 2, 1000);
		tf_i64(&t, 3, rows);
		tf_end(&t);
	}
	if (fault == PW_ENCRYPTED) {
		tf_begin(&t, 8);
		tf_end(&t);
	}
	pw_byte(&f, 0);
	pw_le32(&f, (uint32_t)(f.n - foot));
	pw_put(&f, "PAR1", 4);
	free(page.p);
	free(comp.p);
	*out = f.p;
	return f.n;
}

static int pw_write(const char *path, const unsigned char *b, size_t n)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	size_t w = fwrite(b, 1, n, fp);
	return fclose(fp) != 0 || w != n ? -1 : 0;
}

#endif
