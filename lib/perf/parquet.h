/* parquet: a reader for exactly the Parquet files of the reference's current perf-data tree
 * (docs/parquet.md): one row group, a flat schema of OPTIONAL columns whose physical types are
 * BYTE_ARRAY (UTF8), INT64, DOUBLE or BOOLEAN; ZSTD, SNAPPY or uncompressed column chunks;
 * a PLAIN dictionary page, then v1 data pages encoded RLE_DICTIONARY or PLAIN, with
 * RLE/bit-packed definition levels; the Thrift compact footer and page headers.
 *
 * Anything outside that profile (nested or repeated columns, other physical or logical types,
 * other codecs, v2 data pages, other encodings, encryption, several row groups) is refused with
 * the file and the feature named; a damaged file (bad magic, truncated footer, lengths pointing
 * outside the file, a dictionary index out of range, a page that decompresses to another size)
 * is refused with what is wrong. Nothing is ever guessed.
 *
 * A column keeps its distinct values once (the dictionary, followed by any PLAIN-encoded
 * values) and one value slot per row, so a caller that turns values into text does so once per
 * dictionary entry rather than once per row. */
#ifndef INFERCAST_PARQUET_H
#define INFERCAST_PARQUET_H

#include <stddef.h>
#include <stdint.h>

enum parquet_type { PARQUET_BOOLEAN, PARQUET_INT64, PARQUET_DOUBLE, PARQUET_STRING };

/* The value slot of a null cell. */
#define PARQUET_NULL UINT32_MAX

/* Limits that keep a lying file from asking for unbounded memory: rows x columns, one
 * page's uncompressed size. The perf tables are far below both (docs/parquet.md). */
#define PARQUET_MAX_CELLS (1u << 26)
#define PARQUET_MAX_PAGE (256u << 20)

typedef struct parquet_column {
	char *name;
	enum parquet_type type;
	size_t nvalues;    /* value slots: the dictionary's entries, then PLAIN-encoded values */
	int64_t *i64;      /* PARQUET_INT64, and PARQUET_BOOLEAN as 0 or 1 */
	double *f64;       /* PARQUET_DOUBLE */
	char *str_buf;     /* PARQUET_STRING: value k is str_buf + str_off[k], NUL-terminated */
	size_t *str_off;
	uint32_t *row;     /* nrows value slots, PARQUET_NULL for a null cell */
} parquet_column;

typedef struct parquet_table {
	char *name;        /* the file, for messages */
	size_t nrows, ncols;
	parquet_column *cols;
} parquet_table;

/* Read the file at path: 0, or -1 with "PATH: what" in err (a file that does not exist gives
 * errno ENOENT and the message). */
int parquet_read(parquet_table *t, const char *path, char *err, size_t errlen);
/* The footer only: the columns' names and types, no rows (nrows 0). */
int parquet_read_schema(parquet_table *t, const char *path, char *err, size_t errlen);
/* parquet_read from bytes in memory; name is used in messages. */
int parquet_parse(parquet_table *t, const unsigned char *buf, size_t len, const char *name, char *err,
		  size_t errlen);
void parquet_free(parquet_table *t);

/* Index of a column by name, or -1. */
int parquet_col(const parquet_table *t, const char *name);

#endif
