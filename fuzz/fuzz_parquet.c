/* Fuzz the Parquet reader (lib/perf/parquet) and the number text of lib/perf/table_parquet: any bytes as a
 * .parquet file. It must read them or return an error naming the file, never crash or leak; what
 * it reads must be consistent (every row's value slot inside its column, strings inside their
 * buffer) and every DOUBLE's text must read back to the same value. */
#include "fuzz_common.h"
#include "parquet.h"
#include "table_parquet.h"

#include <math.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parquet_table t;
	char err[1024];
	if (parquet_parse(&t, data, size, "fuzz.parquet", err, sizeof err) != 0) {
		if (strncmp(err, "fuzz.parquet: ", 14) != 0)
			abort(); /* every error names the file */
		return 0;
	}
	for (size_t c = 0; c < t.ncols; c++) {
		const parquet_column *col = &t.cols[c];
		if (parquet_col(&t, col->name) != (int)c)
			abort();
		for (size_t r = 0; r < t.nrows; r++)
			if (col->row[r] != PARQUET_NULL && col->row[r] >= col->nvalues)
				abort();
		for (size_t k = 0; k < col->nvalues; k++) {
			if (col->type == PARQUET_STRING && strlen(col->str_buf + col->str_off[k]) > size)
				abort();
			if (col->type == PARQUET_DOUBLE && !isnan(col->f64[k])) {
				char buf[40];
				table_parquet_double(col->f64[k], buf, sizeof buf);
				if (strtod(buf, NULL) != col->f64[k])
					abort(); /* the text the loaders read must be the value */
			}
		}
	}
	parquet_free(&t);
	return 0;
}
