/* table_parquet: a Parquet perf table (lib/perf/parquet) presented as a table_csv, so that every
 * table loader reads the reference's current tree (docs/data.md) unchanged: the header is the
 * schema's column names, each cell the text the loaders parse. Numbers are written once per
 * distinct value, in digits that read back to the stored value exactly: INT64 in decimal,
 * DOUBLE as the shortest of %.15g/%.16g/%.17g that strtod returns unchanged (whole numbers
 * below 1e16 without an exponent or a decimal point, so an integer column stored as DOUBLE
 * still reads as integers), BOOLEAN as True/False; a null cell reads "" as an empty CSV field
 * does. A row's "line" is its 1-based row number. */
#ifndef INFERCAST_TABLE_PARQUET_H
#define INFERCAST_TABLE_PARQUET_H

#include <stdbool.h>
#include <stddef.h>

#include "table_text.h"

/* Load the .parquet file at path into t: TABLE_CSV_OK, TABLE_CSV_MISSING when it does not
 * exist, TABLE_CSV_BAD with "PATH: what" in err. header_only: the header and no rows. */
int table_parquet_load(table_csv *t, const char *path, bool header_only, char *err, size_t errlen);

/* The text of one DOUBLE as table_parquet_load writes it (buf of 32 bytes; 48 or more lets it
 * write in place); returns its length. */
size_t table_parquet_double(double v, char *buf, size_t n);

#endif
