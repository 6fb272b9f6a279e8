/* parquet: the perf tables' Parquet profile, read strictly (see parquet.h, docs/parquet.md). */
#include "parquet.h"
#include "diag.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>

/* ---- errors ---- */

typedef struct pq {
	const char *name;
	char *err;
	size_t errlen;
	bool failed;
	const unsigned char *file; /* the whole file */
	size_t file_len;
	unsigned char *scratch;    /* decompressed page */
	size_t scratch_cap;
} pq;

static int fail(pq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(pq *q, const char *fmt, ...)
{
	if (q->failed)
		return -1;
	q->failed = true;
	if (q->err && q->errlen) {
		int n = snprintf(q->err, q->errlen, "%s: ", q->name);
		if (n >= 0 && (size_t)n < q->errlen) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(q->err + n, q->errlen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return -1;
}

/* ---- the format's enumerations, named for messages ---- */

enum { T_BOOLEAN = 0, T_INT32 = 1, T_INT64 = 2, T_INT96 = 3, T_FLOAT = 4, T_DOUBLE = 5, T_BYTE_ARRAY = 6, T_FLBA = 7 };
static const char *const type_names[] = { "BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY",
					  "FIXED_LEN_BYTE_ARRAY" };
enum { C_UNCOMPRESSED = 0, C_SNAPPY = 1, C_ZSTD = 6 };
static const char *const codec_names[] = { "UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW" };
enum { E_PLAIN = 0, E_PLAIN_DICTIONARY = 2, E_RLE = 3, E_RLE_DICTIONARY = 8 };
static const char *const encoding_names[] = { "PLAIN",		     "GROUP_VAR_INT",	 "PLAIN_DICTIONARY",
					      "RLE",		     "BIT_PACKED",	 "DELTA_BINARY_PACKED",
					      "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY",
					      "BYTE_STREAM_SPLIT" };
enum { P_DATA_PAGE = 0, P_INDEX_PAGE = 1, P_DICTIONARY_PAGE = 2, P_DATA_PAGE_V2 = 3 };
static const char *const page_names[] = { "DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE", "DATA_PAGE_V2" };
enum { REP_REQUIRED = 0, REP_OPTIONAL = 1, REP_REPEATED = 2 };

static const char *enum_name(const char *const *names, size_t n, long long v, char *buf, size_t len)
{
	if (v >= 0 && (unsigned long long)v < n)
		return names[v];
	snprintf(buf, len, "%lld", v);
	return buf;
}
#define ENUM_NAME(arr, v, buf) enum_name(arr, sizeof arr / sizeof arr[0], v, buf, sizeof buf)

/* ---- Thrift compact protocol ---- */

enum { TC_STOP = 0, TC_TRUE = 1, TC_FALSE = 2, TC_I8 = 3, TC_I16 = 4, TC_I32 = 5, TC_I64 = 6, TC_DOUBLE = 7,
       TC_BINARY = 8, TC_LIST = 9, TC_SET = 10, TC_MAP = 11, TC_STRUCT = 12 };

typedef struct tc {
	const unsigned char *p, *end;
	pq *q;
	const char *what; /* "footer" or "page header" */
} tc;

static int tc_bad(tc *r, const char *why)
{
	return fail(r->q, "%s: %s", r->what, why);
}

static int tc_varint(tc *r, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (r->p >= r->end)
			return tc_bad(r, "truncated Thrift data");
		unsigned char b = *r->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return tc_bad(r, "Thrift varint longer than 64 bits");
}

static int tc_zigzag(tc *r, int64_t *out)
{
	uint64_t u;
	if (tc_varint(r, &u))
		return -1;
	*out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return 0;
}

static int tc_i32(tc *r, int type, int32_t *out)
{
	int64_t v;
	if (type != TC_I32 && type != TC_I16 && type != TC_I8)
		return tc_bad(r, "a field has the wrong Thrift type");
	if (type == TC_I8) {
		if (r->p >= r->end)
			return tc_bad(r, "truncated Thrift data");
		*out = (int8_t)*r->p++;
		return 0;
	}
	if (tc_zigzag(r, &v))
		return -1;
	if (v < INT32_MIN || v > INT32_MAX)
		return tc_bad(r, "a 32-bit field out of range");
	*out = (int32_t)v;
	return 0;
}

static int tc_i64(tc *r, int type, int64_t *out)
{
	if (type == TC_I64)
		return tc_zigzag(r, out);
	int32_t v;
	if (tc_i32(r, type, &v))
		return -1;
	*out = v;
	return 0;
}

static int tc_binary(tc *r, int type, const unsigned char **s, size_t *len)
{
	uint64_t n;
	if (type != TC_BINARY)
		return tc_bad(r, "a field has the wrong Thrift type");
	if (tc_varint(r, &n))
		return -1;
	if (n > (uint64_t)(r->end - r->p))
		return tc_bad(r, "a Thrift string runs past the end");
	*s = r->p;
	*len = (size_t)n;
	r->p += n;
	return 0;
}

/* A field header: 0 at the end of a struct (*type TC_STOP). last is the previous field id. */
static int tc_field(tc *r, int16_t *last, int *id, int *type)
{
	if (r->p >= r->end)
		return tc_bad(r, "truncated Thrift data");
	unsigned char b = *r->p++;
	*type = b & 0x0f;
	if (*type == TC_STOP) {
		*id = 0;
		return 0;
	}
	int delta = b >> 4;
	if (delta) {
		*id = *last + delta;
	} else {
		int64_t v;
		if (tc_zigzag(r, &v))
			return -1;
		if (v < INT16_MIN || v > INT16_MAX)
			return tc_bad(r, "a Thrift field id out of range");
		*id = (int)v;
	}
	if (*id < INT16_MIN || *id > INT16_MAX)
		return tc_bad(r, "a Thrift field id out of range");
	*last = (int16_t)*id;
	if (*type > TC_STRUCT)
		return tc_bad(r, "an unknown Thrift type");
	return 0;
}

/* A list header: its size and element type. */
static int tc_list(tc *r, int type, uint64_t *n, int *elem)
{
	if (type != TC_LIST && type != TC_SET)
		return tc_bad(r, "a field has the wrong Thrift type");
	if (r->p >= r->end)
		return tc_bad(r, "truncated Thrift data");
	unsigned char b = *r->p++;
	*elem = b & 0x0f;
	*n = b >> 4;
	if (*n == 15 && tc_varint(r, n))
		return -1;
	/* every element takes at least one byte, except booleans in a list (also one byte) */
	if (*n > (uint64_t)(r->end - r->p))
		return tc_bad(r, "a Thrift list longer than the data");
	if (*elem == TC_STOP || *elem > TC_STRUCT)
		return tc_bad(r, "an unknown Thrift type");
	return 0;
}

/* The next field of a struct: 1 with its id and type, 0 at the struct's end, -1 on bad data.
 * The readers of the footer's structs loop on it. */
static int tc_next(tc *r, int16_t *last, int *id, int *type)
{
	if (tc_field(r, last, id, type))
		return -1;
	return *type != TC_STOP;
}

static int tc_skip(tc *r, int type, int depth);

static int tc_skip_struct(tc *r, int depth)
{
	int16_t last = 0;
	int id, type, more;
	while ((more = tc_next(r, &last, &id, &type)) > 0) {
		if (tc_skip(r, type, depth + 1))
			return -1;
	}
	return more; /* 0 at the end, -1 on bad data */
}

static int tc_skip(tc *r, int type, int depth)
{
	uint64_t u;
	if (depth > 32)
		return tc_bad(r, "Thrift data nested too deep");
	switch (type) {
	case TC_TRUE:
	case TC_FALSE:
		return 0;
	case TC_I8:
		if (r->p >= r->end)
			return tc_bad(r, "truncated Thrift data");
		r->p++;
		return 0;
	case TC_I16:
	case TC_I32:
	case TC_I64:
		return tc_varint(r, &u);
	case TC_DOUBLE:
		if (r->end - r->p < 8)
			return tc_bad(r, "truncated Thrift data");
		r->p += 8;
		return 0;
	case TC_BINARY: {
		const unsigned char *s;
		size_t n;
		return tc_binary(r, type, &s, &n);
	}
	case TC_LIST:
	case TC_SET: {
		uint64_t n;
		int elem;
		if (tc_list(r, type, &n, &elem))
			return -1;
		for (uint64_t i = 0; i < n; i++) {
			if (elem == TC_TRUE || elem == TC_FALSE) { /* one byte each inside a list */
				if (r->p >= r->end)
					return tc_bad(r, "truncated Thrift data");
				r->p++;
			} else if (tc_skip(r, elem, depth + 1)) {
				return -1;
			}
		}
		return 0;
	}
	case TC_MAP: {
		uint64_t n;
		if (tc_varint(r, &n))
			return -1;
		if (n == 0)
			return 0;
		if (n > (uint64_t)(r->end - r->p))
			return tc_bad(r, "a Thrift map longer than the data");
		if (r->p >= r->end)
			return tc_bad(r, "truncated Thrift data");
		unsigned char kv = *r->p++;
		int kt = kv >> 4, vt = kv & 0x0f;
		if (kt == TC_STOP || kt > TC_STRUCT || vt == TC_STOP || vt > TC_STRUCT)
			return tc_bad(r, "an unknown Thrift type");
		for (uint64_t i = 0; i < n; i++)
			if (tc_skip(r, kt, depth + 1) || tc_skip(r, vt, depth + 1))
				return -1;
		return 0;
	}
	case TC_STRUCT:
		return tc_skip_struct(r, depth);
	default:
		return tc_bad(r, "an unknown Thrift type");
	}
}

/* ---- the footer (FileMetaData) ---- */

typedef struct schema_col {
	char name[256];
	int32_t type, repetition, converted;
	bool has_type, has_repetition, has_converted, has_children;
	int32_t num_children;
	bool has_num_children;
	int logical;          /* LogicalType union member set, 0 when none */
	int32_t int_bits;     /* LogicalType INTEGER: bitWidth, isSigned */
	bool int_signed;
} schema_col;

typedef struct chunk_meta {
	int32_t type, codec;
	int64_t num_values, total_compressed, data_page_offset, dict_page_offset;
	bool has_type, has_codec, has_num_values, has_compressed, has_data_off, has_dict_off, has_meta;
	char path[256];
	int npath;
} chunk_meta;

typedef struct footer {
	schema_col *schema; /* leaves only */
	size_t ncols;
	int64_t num_rows;
	int row_groups;
	int64_t rg_rows;
	chunk_meta *chunks;
	size_t nchunks;
} footer;

/* An integer field of a Thrift struct: its id, its width, where its value goes and the flag
 * that says it was read (offsets into the struct). One table per struct reads them all. */
typedef struct tc_int_field {
	int id;
	bool wide; /* i64, else i32 */
	size_t at, flag;
} tc_int_field;

#define TC_I32_FIELD(id, st, value, seen) { id, false, offsetof(st, value), offsetof(st, seen) }
#define TC_I64_FIELD(id, st, value, seen) { id, true, offsetof(st, value), offsetof(st, seen) }

/* Field id (of Thrift type) into the struct at base when fields[] names it: 1 read, 0 not one of
 * them, -1 on bad data. */
static int tc_int_into(tc *r, int id, int type, const tc_int_field *fields, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		if (fields[i].id != id)
			continue;
		unsigned char *b = base;
		if (fields[i].wide ? tc_i64(r, type, (int64_t *)(void *)(b + fields[i].at))
				   : tc_i32(r, type, (int32_t *)(void *)(b + fields[i].at)))
			return -1;
		*(bool *)(b + fields[i].flag) = true;
		return 1;
	}
	return 0;
}

/* A field no table names and no case takes: skipped; -1 on bad data. */
static int tc_int_or_skip(tc *r, int id, int type, const tc_int_field *fields, size_t n, void *base, int depth)
{
	int got = tc_int_into(r, id, type, fields, n, base);
	return got < 0 ? -1 : got ? 0 : tc_skip(r, type, depth);
}

static int read_logical(tc *r, schema_col *c)
{
	int16_t last = 0;
	int id, type, more;
	while ((more = tc_next(r, &last, &id, &type)) > 0) {
		c->logical = id;
		if (id == 10 && type == TC_STRUCT) { /* IntType { 1: i8 bitWidth, 2: bool isSigned } */
			int16_t l2 = 0;
			int id2, t2, more2;
			while ((more2 = tc_next(r, &l2, &id2, &t2)) > 0) {
				if (id2 == 1) {
					if (tc_i32(r, t2, &c->int_bits))
						return -1;
				} else if (id2 == 2 && (t2 == TC_TRUE || t2 == TC_FALSE)) {
					c->int_signed = t2 == TC_TRUE;
				} else if (tc_skip(r, t2, 2)) {
					return -1;
				}
			}
			if (more2 < 0)
				return -1;
		} else if (tc_skip(r, type, 1)) {
			return -1;
		}
	}
	return more; /* 0 at the end, -1 on bad data */
}

/* SchemaElement's integers: type, repetition_type, num_children, converted_type */
static const tc_int_field schema_ints[] = {
	TC_I32_FIELD(1, schema_col, type, has_type),
	TC_I32_FIELD(3, schema_col, repetition, has_repetition),
	TC_I32_FIELD(5, schema_col, num_children, has_num_children),
	TC_I32_FIELD(6, schema_col, converted, has_converted),
};

static int read_schema_element(tc *r, schema_col *c)
{
	int16_t last = 0;
	bool has_name = false;
	memset(c, 0, sizeof *c);
	int id, type, more;
	while ((more = tc_next(r, &last, &id, &type)) > 0) {
		switch (id) {
		case 4: {
			const unsigned char *s;
			size_t n;
			if (tc_binary(r, type, &s, &n))
				return -1;
			if (n >= sizeof c->name || memchr(s, 0, n))
				return tc_bad(r, "a column name longer than 255 bytes or holding a NUL byte");
			memcpy(c->name, s, n);
			c->name[n] = 0;
			has_name = true;
			break;
		}
		case 10:
			if (type != TC_STRUCT)
				return tc_bad(r, "a field has the wrong Thrift type");
			if (read_logical(r, c))
				return -1;
			break;
		default:
			if (tc_int_or_skip(r, id, type, schema_ints, sizeof schema_ints / sizeof *schema_ints, c, 1))
				return -1;
		}
	}
	if (more < 0)
		return -1;
	c->has_children = c->has_num_children && c->num_children > 0;
	if (!has_name)
		return tc_bad(r, "a schema element without a name");
	return 0;
}

/* ColumnMetaData's integers: type, codec, num_values, total_compressed_size, data_page_offset,
 * dictionary_page_offset */
static const tc_int_field chunk_ints[] = {
	TC_I32_FIELD(1, chunk_meta, type, has_type),
	TC_I32_FIELD(4, chunk_meta, codec, has_codec),
	TC_I64_FIELD(5, chunk_meta, num_values, has_num_values),
	TC_I64_FIELD(7, chunk_meta, total_compressed, has_compressed),
	TC_I64_FIELD(9, chunk_meta, data_page_offset, has_data_off),
	TC_I64_FIELD(11, chunk_meta, dict_page_offset, has_dict_off),
};

static int read_column_meta(tc *r, chunk_meta *m)
{
	int16_t last = 0;
	int id, type, more;
	while ((more = tc_next(r, &last, &id, &type)) > 0) {
		switch (id) {
		case 3: {
			uint64_t n;
			int elem;
			if (tc_list(r, type, &n, &elem))
				return -1;
			if (elem != TC_BINARY)
				return tc_bad(r, "a field has the wrong Thrift type");
			for (uint64_t i = 0; i < n; i++) {
				const unsigned char *s;
				size_t len;
				if (tc_binary(r, elem, &s, &len))
					return -1;
				if (i == 0) {
					if (len >= sizeof m->path || memchr(s, 0, len))
						return tc_bad(r, "a column path longer than 255 bytes or holding a NUL byte");
					memcpy(m->path, s, len);
					m->path[len] = 0;
				}
			}
			m->npath = n > 1000 ? 1000 : (int)n;
			break;
		}
		default:
			if (tc_int_or_skip(r, id, type, chunk_ints, sizeof chunk_ints / sizeof *chunk_ints, m, 1))
				return -1;
		}
	}
	return more; /* 0 at the end, -1 on bad data */
}

static int read_column_chunk(tc *r, chunk_meta *m)
{
	int16_t last = 0;
	memset(m, 0, sizeof *m);
	int id, type, more;
	while ((more = tc_next(r, &last, &id, &type)) > 0) {
		if (id == 1)
			return fail(r->q, "unsupported: column data in another file (ColumnChunk.file_path)");
		if (id == 8 || id == 9)
			return fail(r->q, "unsupported: encrypted columns");
		if (id == 3) {
			if (type != TC_STRUCT)
				return tc_bad(r, "a field has the wrong Thrift type");
			if (read_column_meta(r, m))
				return -1;
			m->has_meta = true;
		} else if (tc_skip(r, type, 1)) {
			return -1;
		}
	}
	return more; /* 0 at the end, -1 on bad data */
}

static int read_row_group(tc *r, footer *f)
{
	int16_t last = 0;
	bool has_rows = false, has_cols = false;
	int id, type, more;
	while ((more = tc_next(r, &last, &id, &type)) > 0) {
		if (id == 1) {
			uint64_t n;
			int elem;
			if (tc_list(r, type, &n, &elem))
				return -1;
			if (elem != TC_STRUCT)
				return tc_bad(r, "a field has the wrong Thrift type");
			if (f->chunks)
				return tc_bad(r, "a second list of column chunks");
			if (n > 4096)
				return fail(r->q, "unsupported: %llu column chunks (at most 4096)", (unsigned long long)n);
			f->chunks = xrealloc(NULL, (n ? n : 1) * sizeof *f->chunks);
			for (uint64_t i = 0; i < n; i++) {
				if (read_column_chunk(r, &f->chunks[i]))
					return -1;
				f->nchunks++;
			}
			has_cols = true;
		} else if (id == 3) {
			if (tc_i64(r, type, &f->rg_rows))
				return -1;
			has_rows = true;
		} else if (tc_skip(r, type, 1)) {
			return -1;
		}
	}
	if (more < 0)
		return -1;
	if (!has_rows || !has_cols)
		return tc_bad(r, "a row group without its columns or row count");
	return 0;
}

static int read_footer(tc *r, footer *f)
{
	int16_t last = 0;
	bool has_schema = false, has_rows = false, has_groups = false;
	int id, type, more;
	while ((more = tc_next(r, &last, &id, &type)) > 0) {
		switch (id) {
		case 2: {
			uint64_t n;
			int elem;
			if (tc_list(r, type, &n, &elem))
				return -1;
			if (elem != TC_STRUCT)
				return tc_bad(r, "a field has the wrong Thrift type");
			if (n == 0)
				return tc_bad(r, "an empty schema");
			if (f->schema)
				return tc_bad(r, "a second schema");
			if (n > 4097)
				return fail(r->q, "unsupported: %llu columns (at most 4096)", (unsigned long long)n - 1);
			schema_col root;
			if (read_schema_element(r, &root))
				return -1;
			f->schema = xrealloc(NULL, n * sizeof *f->schema);
			for (uint64_t i = 1; i < n; i++) {
				schema_col *c = &f->schema[f->ncols];
				if (read_schema_element(r, c))
					return -1;
				f->ncols++;
				if (c->has_children)
					return fail(r->q, "unsupported: nested column '%s' (only flat schemas)", c->name);
			}
			has_schema = true;
			break;
		}
		case 3:
			if (tc_i64(r, type, &f->num_rows))
				return -1;
			has_rows = true;
			break;
		case 4: {
			uint64_t n;
			int elem;
			if (tc_list(r, type, &n, &elem))
				return -1;
			if (elem != TC_STRUCT)
				return tc_bad(r, "a field has the wrong Thrift type");
			if (n > 1)
				return fail(r->q, "unsupported: %llu row groups (this reader takes one)", (unsigned long long)n);
			if (has_groups)
				return tc_bad(r, "a second list of row groups");
			f->row_groups = (int)n;
			if (n == 1 && read_row_group(r, f))
				return -1;
			has_groups = true;
			break;
		}
		case 8:
		case 9:
			return fail(r->q, "unsupported: an encrypted file");
		default:
			if (tc_skip(r, type, 1))
				return -1;
		}
	}
	if (more < 0)
		return -1;
	if (!has_schema || !has_rows || !has_groups)
		return tc_bad(r, "the file metadata lacks its schema, row count or row groups");
	return 0;
}

static void footer_free(footer *f)
{
	free(f->schema);
	free(f->chunks);
}

/* ---- pages ---- */

typedef struct page_header {
	int32_t type, uncompressed, compressed;
	int32_t num_values, encoding, def_encoding;
	bool has_type, has_sizes, has_data, has_dict;
	bool has_unc, has_comp, has_n, has_enc, has_def; /* read so far */
} page_header;

/* PageHeader's integers: type, uncompressed_page_size, compressed_page_size */
static const tc_int_field page_ints[] = {
	TC_I32_FIELD(1, page_header, type, has_type),
	TC_I32_FIELD(2, page_header, uncompressed, has_unc),
	TC_I32_FIELD(3, page_header, compressed, has_comp),
};

/* DataPageHeader's: num_values, encoding, definition_level_encoding; DictionaryPageHeader has
 * the first two */
static const tc_int_field data_page_ints[] = {
	TC_I32_FIELD(1, page_header, num_values, has_n),
	TC_I32_FIELD(2, page_header, encoding, has_enc),
	TC_I32_FIELD(3, page_header, def_encoding, has_def),
};

static int read_page_sub(tc *r, page_header *h, bool dict)
{
	int16_t last = 0;
	h->has_n = h->has_enc = false;
	h->has_def = dict;
	int id, type, more;
	while ((more = tc_next(r, &last, &id, &type)) > 0) {
		if (tc_int_or_skip(r, id, type, data_page_ints, dict ? 2 : 3, h, 2))
			return -1;
	}
	if (more < 0)
		return -1;
	if (!h->has_n || !h->has_enc || !h->has_def)
		return tc_bad(r, "a page header lacks its value count or encodings");
	return 0;
}

static int read_page_header(tc *r, page_header *h)
{
	int16_t last = 0;
	memset(h, 0, sizeof *h);
	int id, type, more;
	while ((more = tc_next(r, &last, &id, &type)) > 0) {
		switch (id) {
		case 5:
		case 7:
			if (type != TC_STRUCT)
				return tc_bad(r, "a field has the wrong Thrift type");
			if (read_page_sub(r, h, id == 7))
				return -1;
			if (id == 5)
				h->has_data = true;
			else
				h->has_dict = true;
			break;
		default:
			if (tc_int_or_skip(r, id, type, page_ints, sizeof page_ints / sizeof *page_ints, h, 1))
				return -1;
		}
	}
	if (more < 0)
		return -1;
	h->has_sizes = h->has_unc && h->has_comp;
	if (!h->has_type || !h->has_sizes)
		return tc_bad(r, "a page header lacks its type or sizes");
	if (h->uncompressed < 0 || h->compressed < 0)
		return tc_bad(r, "a negative page size");
	return 0;
}

/* ---- value storage ---- */

static void grow_values(parquet_column *c, size_t add)
{
	size_t n = c->nvalues + add;
	if (c->type == PARQUET_DOUBLE)
		c->f64 = xrealloc(c->f64, n * sizeof *c->f64);
	else if (c->type == PARQUET_STRING)
		c->str_off = xrealloc(c->str_off, n * sizeof *c->str_off);
	else
		c->i64 = xrealloc(c->i64, n * sizeof *c->i64);
}

static uint64_t le64(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;
	memcpy(&v, p, sizeof v); /* one load */
	return v;
#else
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
#endif
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The bytes of a string column's values: used and allocated. */
typedef struct strbuf {
	size_t len, cap;
} strbuf;

/* Append n PLAIN-encoded values from data[0..len) to c's value slots; *used is what they took. */
static int decode_plain(pq *q, parquet_column *c, strbuf *str, const unsigned char *data, size_t len,
			size_t n, size_t *used)
{
	if (n > PARQUET_MAX_CELLS || c->nvalues + n > PARQUET_MAX_CELLS)
		return fail(q, "column '%s': %zu values exceed the reader's limit of %u", c->name, n, PARQUET_MAX_CELLS);
	size_t pos = 0;
	switch (c->type) {
	case PARQUET_BOOLEAN:
		if ((n + 7) / 8 > len)
			return fail(q, "column '%s': PLAIN booleans run past the page", c->name);
		grow_values(c, n);
		for (size_t i = 0; i < n; i++)
			c->i64[c->nvalues++] = (data[i / 8] >> (i % 8)) & 1;
		pos = (n + 7) / 8;
		break;
	case PARQUET_INT64:
	case PARQUET_DOUBLE:
		if (n > len / 8)
			return fail(q, "column '%s': PLAIN values run past the page", c->name);
		grow_values(c, n);
		for (size_t i = 0; i < n; i++) {
			uint64_t v = le64(data + 8 * i);
			if (c->type == PARQUET_INT64) {
				c->i64[c->nvalues++] = (int64_t)v;
			} else {
				double d;
				memcpy(&d, &v, sizeof d);
				c->f64[c->nvalues++] = d;
			}
		}
		pos = 8 * n;
		break;
	case PARQUET_STRING:
		if (n > len / 4)
			return fail(q, "column '%s': PLAIN strings run past the page", c->name);
		grow_values(c, n);
		for (size_t i = 0; i < n; i++) {
			if (len - pos < 4)
				return fail(q, "column '%s': PLAIN strings run past the page", c->name);
			uint32_t sl = le32(data + pos);
			pos += 4;
			if (sl > len - pos)
				return fail(q, "column '%s': a string of %u bytes runs past the page", c->name, sl);
			if (memchr(data + pos, 0, sl))
				return fail(q, "column '%s': a string holds a NUL byte", c->name);
			if (str->cap - str->len < (size_t)sl + 1) {
				str->cap = 2 * str->cap + sl + 1;
				c->str_buf = xrealloc(c->str_buf, str->cap);
			}
			memcpy(c->str_buf + str->len, data + pos, sl);
			c->str_buf[str->len + sl] = 0;
			c->str_off[c->nvalues++] = str->len;
			str->len += sl + 1;
			pos += sl;
		}
		break;
	}
	*used = pos;
	return 0;
}

/* The RLE/bit-packed hybrid: n values of bit width bw from data[0..len) into out; *used is
 * what they took. */
static int decode_hybrid(pq *q, const char *col, const char *what, const unsigned char *data, size_t len, int bw,
			 uint32_t *out, size_t n, size_t *used)
{
	size_t pos = 0, got = 0;
	while (got < n) {
		uint64_t header = 0;
		int shift = 0;
		for (;;) {
			if (pos >= len)
				return fail(q, "column '%s': %s end after %zu of %zu values", col, what, got, n);
			unsigned char b = data[pos++];
			if (shift >= 64)
				return fail(q, "column '%s': %s: a run header longer than 64 bits", col, what);
			header |= (uint64_t)(b & 0x7f) << shift;
			shift += 7;
			if (!(b & 0x80))
				break;
		}
		uint64_t left = n - got;
		if (header & 1) { /* bit-packed: (header >> 1) groups of 8 */
			uint64_t groups = header >> 1;
			uint64_t count = groups > left / 8 + 1 ? left + 8 : groups * 8;
			if (count > left)
				count = left;
			uint64_t bytes = (count * (uint64_t)bw + 7) / 8;
			if (bytes > len - pos)
				return fail(q, "column '%s': %s: a bit-packed run runs past the page", col, what);
			uint64_t vmask = bw == 32 ? 0xffffffffu : ((1ull << bw) - 1);
			for (uint64_t i = 0; i < count; i++) {
				/* the value's bits lie in the 5 bytes from its first one (bw <= 32) */
				uint64_t bit = i * (uint64_t)bw, at = pos + bit / 8, window = 0;
				if (at + 8 <= len) {
					window = le64(data + at);
				} else {
					for (uint64_t k = 0; k < 5 && at + k < pos + bytes; k++)
						window |= (uint64_t)data[at + k] << (8 * k);
				}
				out[got++] = (uint32_t)((window >> (bit % 8)) & vmask);
			}
			/* a full run occupies groups * bw bytes; the last one may stop at the page's end */
			uint64_t full = groups <= (len - pos) / (bw ? (uint64_t)bw : 1) ? groups * (uint64_t)bw : len - pos;
			pos += (size_t)(full > bytes ? full : bytes);
		} else { /* repeated: (header >> 1) copies of one value in ceil(bw / 8) bytes */
			uint64_t count = header >> 1;
			size_t vb = ((size_t)bw + 7) / 8;
			if (vb > len - pos)
				return fail(q, "column '%s': %s: an RLE run runs past the page", col, what);
			uint32_t v = 0;
			for (size_t k = 0; k < vb; k++)
				v |= (uint32_t)data[pos + k] << (8 * k);
			pos += vb;
			if (bw < 32 && (v >> bw) != 0)
				return fail(q, "column '%s': %s: an RLE value wider than %d bits", col, what, bw);
			if (count > left)
				count = left;
			for (uint64_t i = 0; i < count; i++)
				out[got++] = v;
		}
	}
	*used = pos;
	return 0;
}

/* libsnappy is opened on the first SNAPPY page, not linked: it is a C++ library, and loading
 * libstdc++ at every start of every tool costs more than all the rest of a cached query's set-up. */
typedef snappy_status (*snappy_len_fn)(const char *, size_t, size_t *);
typedef snappy_status (*snappy_unc_fn)(const char *, size_t, char *, size_t *);
static struct {
	int state; /* 0 not tried, 1 ready, -1 unavailable */
	snappy_len_fn length;
	snappy_unc_fn uncompress;
	char why[200];
} snappy;

static bool snappy_ready(void)
{
	if (snappy.state == 0) {
		void *h = dlopen("libsnappy.so.1", RTLD_NOW | RTLD_LOCAL);
		if (h) {
			*(void **)&snappy.length = dlsym(h, "snappy_uncompressed_length");
			*(void **)&snappy.uncompress = dlsym(h, "snappy_uncompress");
		}
		snappy.state = h && snappy.length && snappy.uncompress ? 1 : -1;
		if (snappy.state < 0) {
			const char *e = dlerror();
			snprintf(snappy.why, sizeof snappy.why, "%s", e ? e : "libsnappy.so.1 lacks its C functions");
		}
	}
	return snappy.state > 0;
}

/* The page's bytes, decompressed as the chunk's codec says, into q->scratch when needed. */
static int page_bytes(pq *q, const parquet_column *c, int codec, const unsigned char *in, size_t n, size_t unc,
		      const unsigned char **out)
{
	if (unc > PARQUET_MAX_PAGE)
		return fail(q, "column '%s': a page of %zu bytes exceeds the reader's limit", c->name, unc);
	if (codec == C_UNCOMPRESSED) {
		if (n != unc)
			return fail(q, "column '%s': an uncompressed page whose sizes differ (%zu and %zu)", c->name, n,
				    unc);
		*out = in;
		return 0;
	}
	if (q->scratch_cap < unc + 1) {
		free(q->scratch);
		q->scratch_cap = unc + 1;
		q->scratch = xrealloc(NULL, q->scratch_cap);
	}
	if (codec == C_SNAPPY) {
		size_t len;
		if (!snappy_ready())
			return fail(q, "column '%s': SNAPPY pages need libsnappy (Debian: libsnappy1v5): %s", c->name,
				    snappy.why);
		if (snappy.length((const char *)in, n, &len) != SNAPPY_OK)
			return fail(q, "column '%s': a SNAPPY page does not decompress", c->name);
		if (len != unc)
			return fail(q, "column '%s': a SNAPPY page decompresses to %zu bytes, its header says %zu", c->name,
				    len, unc);
		if (snappy.uncompress((const char *)in, n, (char *)q->scratch, &len) != SNAPPY_OK || len != unc)
			return fail(q, "column '%s': a SNAPPY page does not decompress", c->name);
	} else {
		size_t got = ZSTD_decompress(q->scratch, unc, in, n);
		if (ZSTD_isError(got))
			return fail(q, "column '%s': a ZSTD page does not decompress (%s)", c->name,
				    ZSTD_getErrorName(got));
		if (got != unc)
			return fail(q, "column '%s': a ZSTD page decompresses to %zu bytes, its header says %zu", c->name, got,
				    unc);
	}
	*out = q->scratch;
	return 0;
}

static int read_column(pq *q, parquet_column *c, const chunk_meta *m, size_t nrows, size_t data_end)
{
	char buf[32];
	strbuf str = { 0, 0 };
	if (m->codec != C_UNCOMPRESSED && m->codec != C_SNAPPY && m->codec != C_ZSTD)
		return fail(q, "column '%s': unsupported codec %s (ZSTD, SNAPPY or none)", c->name,
			    ENUM_NAME(codec_names, m->codec, buf));
	int64_t start = m->data_page_offset;
	if (m->has_dict_off && m->dict_page_offset > 0 && m->dict_page_offset < start)
		start = m->dict_page_offset;
	if (start < 4 || (uint64_t)start > data_end || m->total_compressed < 0 ||
	    (uint64_t)m->total_compressed > data_end - (uint64_t)start)
		return fail(q, "column '%s': its pages lie outside the file (offset %lld, %lld bytes)", c->name,
			    (long long)start, (long long)m->total_compressed);
	size_t pos = (size_t)start, end = (size_t)(start + m->total_compressed);
	size_t done = 0, dict_n = 0;
	bool have_dict = false;
	c->row = xrealloc(NULL, (nrows ? nrows : 1) * sizeof *c->row);
	uint32_t *levels = xrealloc(NULL, (nrows ? nrows : 1) * sizeof *levels);
	uint32_t *idx = xrealloc(NULL, (nrows ? nrows : 1) * sizeof *idx);
	int rc = -1;
	while (done < nrows) {
		if (pos >= end) {
			fail(q, "column '%s': its pages end after %zu of %zu rows", c->name, done, nrows);
			goto out;
		}
		tc r = { q->file + pos, q->file + end, q, "page header" };
		page_header h;
		if (read_page_header(&r, &h))
			goto out;
		pos = (size_t)(r.p - q->file);
		if ((size_t)h.compressed > end - pos) {
			fail(q, "column '%s': a page of %d bytes runs past its column chunk", c->name, h.compressed);
			goto out;
		}
		const unsigned char *in = q->file + pos;
		pos += (size_t)h.compressed;
		if (h.type != P_DATA_PAGE && h.type != P_DICTIONARY_PAGE) {
			fail(q, "column '%s': unsupported page type %s (PLAIN dictionary and v1 data pages only)", c->name,
			     ENUM_NAME(page_names, h.type, buf));
			goto out;
		}
		const unsigned char *data = NULL;
		if (page_bytes(q, c, m->codec, in, (size_t)h.compressed, (size_t)h.uncompressed, &data))
			goto out;
		size_t len = (size_t)h.uncompressed, used;
		if (h.type == P_DICTIONARY_PAGE) {
			if (!h.has_dict || h.num_values < 0) {
				fail(q, "column '%s': a dictionary page without its header", c->name);
				goto out;
			}
			if (have_dict || done) {
				fail(q, "column '%s': a second or late dictionary page", c->name);
				goto out;
			}
			if (h.encoding != E_PLAIN && h.encoding != E_PLAIN_DICTIONARY) {
				fail(q, "column '%s': unsupported dictionary encoding %s (PLAIN only)", c->name,
				     ENUM_NAME(encoding_names, h.encoding, buf));
				goto out;
			}
			if (decode_plain(q, c, &str, data, len, (size_t)h.num_values, &used))
				goto out;
			have_dict = true;
			dict_n = c->nvalues;
			continue;
		}
		if (!h.has_data || h.num_values < 0) {
			fail(q, "column '%s': a data page without its header", c->name);
			goto out;
		}
		size_t nv = (size_t)h.num_values;
		if (nv > nrows - done) {
			fail(q, "column '%s': its pages hold more than the file's %zu rows", c->name, nrows);
			goto out;
		}
		if (h.def_encoding != E_RLE) {
			fail(q, "column '%s': unsupported definition-level encoding %s (RLE only)", c->name,
			     ENUM_NAME(encoding_names, h.def_encoding, buf));
			goto out;
		}
		if (h.encoding != E_PLAIN && h.encoding != E_RLE_DICTIONARY && h.encoding != E_PLAIN_DICTIONARY) {
			fail(q, "column '%s': unsupported data encoding %s (PLAIN or RLE_DICTIONARY)", c->name,
			     ENUM_NAME(encoding_names, h.encoding, buf));
			goto out;
		}
		/* definition levels: a 4-byte length, then the hybrid at bit width 1 (max level 1) */
		if (len < 4 || le32(data) > len - 4) {
			fail(q, "column '%s': definition levels run past the page", c->name);
			goto out;
		}
		size_t dlen = le32(data);
		if (decode_hybrid(q, c->name, "definition levels", data + 4, dlen, 1, levels, nv, &used))
			goto out;
		size_t nonnull = 0;
		for (size_t i = 0; i < nv; i++)
			nonnull += levels[i];
		const unsigned char *vals = data + 4 + dlen;
		size_t vlen = len - 4 - dlen;
		if (h.encoding == E_PLAIN) {
			size_t first = c->nvalues;
			if (decode_plain(q, c, &str, vals, vlen, nonnull, &used))
				goto out;
			for (size_t i = 0; i < nonnull; i++)
				idx[i] = (uint32_t)(first + i);
		} else if (nonnull) {
			if (!have_dict) {
				fail(q, "column '%s': dictionary-encoded data without a dictionary page", c->name);
				goto out;
			}
			if (vlen < 1 || vals[0] > 32) {
				fail(q, "column '%s': dictionary indices without a valid bit width", c->name);
				goto out;
			}
			if (decode_hybrid(q, c->name, "dictionary indices", vals + 1, vlen - 1, vals[0], idx, nonnull,
					  &used))
				goto out;
			for (size_t i = 0; i < nonnull; i++)
				if (idx[i] >= dict_n) {
					fail(q, "column '%s': dictionary index %u out of range (dictionary of %zu values)",
					     c->name, idx[i], dict_n);
					goto out;
				}
		}
		for (size_t i = 0, k = 0; i < nv; i++)
			c->row[done + i] = levels[i] ? idx[k++] : PARQUET_NULL;
		done += nv;
	}
	rc = 0;
out:
	free(levels);
	free(idx);
	return rc;
}

/* ---- the file ---- */

static int check_column(pq *q, const schema_col *s, const chunk_meta *m, parquet_column *c)
{
	char buf[32];
	if (!s->has_type)
		return fail(q, "column '%s': no physical type", s->name);
	if (!s->has_repetition || s->repetition != REP_OPTIONAL)
		return fail(q, "column '%s': unsupported repetition %s (OPTIONAL only)", s->name,
			    !s->has_repetition                ? "(none)"
			    : s->repetition == REP_REQUIRED ? "REQUIRED"
			    : s->repetition == REP_REPEATED ? "REPEATED"
							      : "(unknown)");
	switch (s->type) {
	case T_BOOLEAN:
		c->type = PARQUET_BOOLEAN;
		break;
	case T_INT64:
		c->type = PARQUET_INT64;
		break;
	case T_DOUBLE:
		c->type = PARQUET_DOUBLE;
		break;
	case T_BYTE_ARRAY:
		c->type = PARQUET_STRING;
		break;
	default:
		return fail(q, "column '%s': unsupported physical type %s (BYTE_ARRAY, INT64, DOUBLE, BOOLEAN)", s->name,
			    ENUM_NAME(type_names, s->type, buf));
	}
	/* annotations: UTF8/STRING on byte arrays (required there), a signed 64-bit INTEGER on INT64 */
	bool string_ann = (s->has_converted && s->converted == 0) || s->logical == 1;
	if (s->type == T_BYTE_ARRAY && !string_ann)
		return fail(q, "column '%s': unsupported BYTE_ARRAY without a UTF8 annotation", s->name);
	if (s->has_converted && !(s->type == T_BYTE_ARRAY && s->converted == 0) &&
	    !(s->type == T_INT64 && s->converted == 18))
		return fail(q, "column '%s': unsupported converted type %d on %s", s->name, s->converted,
			    type_names[s->type]);
	if (s->logical && !(s->type == T_BYTE_ARRAY && s->logical == 1) &&
	    !(s->type == T_INT64 && s->logical == 10 && s->int_bits == 64 && s->int_signed))
		return fail(q, "column '%s': unsupported logical type %d on %s", s->name, s->logical,
			    type_names[s->type]);
	if (!m->has_meta || !m->has_type || !m->has_codec || !m->has_num_values || !m->has_compressed ||
	    !m->has_data_off)
		return fail(q, "column '%s': its column chunk lacks metadata", s->name);
	if (m->type != s->type)
		return fail(q, "column '%s': the column chunk's type %s differs from the schema's %s", s->name,
			    ENUM_NAME(type_names, m->type, buf), type_names[s->type]);
	if (m->npath != 1 || strcmp(m->path, s->name) != 0)
		return fail(q, "column '%s': its column chunk is for '%s'", s->name, m->path);
	c->name = xstrdup(s->name);
	return 0;
}

static int parse(parquet_table *t, const unsigned char *buf, size_t len, const char *name, bool schema_only,
		 char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	pq q = { .name = name, .err = err, .errlen = errlen, .file = buf, .file_len = len };
	footer f = { 0 };
	if (len < 12 || memcmp(buf, "PAR1", 4) != 0)
		return fail(&q, "not a Parquet file (no PAR1 magic at the start)");
	if (memcmp(buf + len - 4, "PAR1", 4) != 0) {
		if (memcmp(buf + len - 4, "PARE", 4) == 0)
			return fail(&q, "unsupported: an encrypted file (PARE footer)");
		return fail(&q, "truncated or not a Parquet file (no PAR1 magic at the end)");
	}
	uint32_t flen = le32(buf + len - 8);
	if (flen > len - 12)
		return fail(&q, "truncated: the footer claims %u bytes, the file holds %zu", flen, len - 12);
	size_t data_end = len - 8 - flen;
	tc r = { buf + data_end, buf + len - 8, &q, "footer" };
	if (read_footer(&r, &f))
		goto bad;
	if (f.num_rows < 0 || (f.row_groups == 1 && f.rg_rows != f.num_rows) || (f.row_groups == 0 && f.num_rows)) {
		fail(&q, "footer: row counts disagree (file %lld, row group %lld)", (long long)f.num_rows,
		     (long long)f.rg_rows);
		goto bad;
	}
	if (f.ncols == 0) {
		fail(&q, "footer: no columns");
		goto bad;
	}
	if ((uint64_t)f.num_rows > PARQUET_MAX_CELLS / f.ncols) {
		fail(&q, "%lld rows of %zu columns exceed the reader's limit of %u cells", (long long)f.num_rows, f.ncols,
		     PARQUET_MAX_CELLS);
		goto bad;
	}
	if (f.row_groups == 1 && f.nchunks != f.ncols) {
		fail(&q, "footer: %zu column chunks for %zu columns", f.nchunks, f.ncols);
		goto bad;
	}
	t->name = strdup(name);
	t->nrows = (size_t)f.num_rows;
	t->cols = xrealloc(NULL, f.ncols * sizeof *t->cols);
	memset(t->cols, 0, f.ncols * sizeof *t->cols);
	t->ncols = f.ncols;
	for (size_t i = 0; i < f.ncols; i++) {
		for (size_t j = 0; j < i; j++)
			if (strcmp(f.schema[i].name, f.schema[j].name) == 0) {
				fail(&q, "column '%s' appears twice", f.schema[i].name);
				goto bad;
			}
		chunk_meta none = { 0 };
		const chunk_meta *m = f.row_groups ? &f.chunks[i] : &none;
		if (!f.row_groups) { /* no rows: only the schema matters */
			none.has_meta = none.has_type = none.has_codec = none.has_num_values = none.has_compressed =
				none.has_data_off = true;
			none.type = f.schema[i].type;
			none.npath = 1;
			snprintf(none.path, sizeof none.path, "%s", f.schema[i].name);
		}
		if (check_column(&q, &f.schema[i], m, &t->cols[i]))
			goto bad;
		if (f.row_groups && m->num_values != f.num_rows) {
			fail(&q, "column '%s': %lld values for %lld rows", t->cols[i].name, (long long)m->num_values,
			     (long long)f.num_rows);
			goto bad;
		}
		if (f.row_groups && !schema_only && read_column(&q, &t->cols[i], m, t->nrows, data_end))
			goto bad;
		if (!f.row_groups || schema_only)
			t->cols[i].row = xrealloc(NULL, 1);
	}
	footer_free(&f);
	free(q.scratch);
	if (schema_only)
		t->nrows = 0;
	return 0;
bad:
	footer_free(&f);
	free(q.scratch);
	parquet_free(t);
	return -1;
}

int parquet_parse(parquet_table *t, const unsigned char *buf, size_t len, const char *name, char *err,
		  size_t errlen)
{
	return parse(t, buf, len, name, false, err, errlen);
}

static int read_file(parquet_table *t, const char *path, bool schema_only, char *err, size_t errlen)
{
	memset(t, 0, sizeof *t);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		errno = e;
		return -1;
	}
	struct stat st;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		fclose(fp);
		errno = EINVAL;
		return -1;
	}
	size_t len = (size_t)st.st_size;
	unsigned char *buf;
	int bad;
	unsigned char tail[8];
	if (schema_only && len > 12 && fseek(fp, -8L, SEEK_END) == 0 && fread(tail, 1, 8, fp) == 8 &&
	    memcmp(tail + 4, "PAR1", 4) == 0 && le32(tail) <= len - 12) {
		/* the footer alone, framed as a file of no column data ("PAR1" footer length "PAR1") */
		size_t flen = le32(tail);
		buf = xrealloc(NULL, flen + 12);
		memcpy(buf, "PAR1", 4);
		bad = fseek(fp, -(long)(flen + 8), SEEK_END) != 0 || fread(buf + 4, 1, flen + 8, fp) != flen + 8;
		len = flen + 12;
	} else {
		rewind(fp);
		buf = xrealloc(NULL, len);
		bad = fread(buf, 1, len, fp) != len;
	}
	bad = bad || ferror(fp);
	fclose(fp);
	if (bad) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		errno = EIO;
		return -1;
	}
	int rc = parse(t, buf, len, path, schema_only, err, errlen);
	free(buf);
	if (rc)
		errno = EINVAL;
	return rc;
}

int parquet_read(parquet_table *t, const char *path, char *err, size_t errlen)
{
	return read_file(t, path, false, err, errlen);
}

int parquet_read_schema(parquet_table *t, const char *path, char *err, size_t errlen)
{
	return read_file(t, path, true, err, errlen);
}

void parquet_free(parquet_table *t)
{
	for (size_t i = 0; i < t->ncols; i++) {
		parquet_column *c = &t->cols[i];
		free(c->name);
		free(c->i64);
		free(c->f64);
		free(c->str_buf);
		free(c->str_off);
		free(c->row);
	}
	free(t->cols);
	free(t->name);
	memset(t, 0, sizeof *t);
}

int parquet_col(const parquet_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}
