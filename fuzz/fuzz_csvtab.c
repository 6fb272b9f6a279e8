/* Fuzz the CSV perf-table loader (lib/util/csvtab): any bytes as a table file. It must load or
 * return an error naming the file (and line), never crash or leak. */
#include "fuzz_common.h"
#include "csvtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_init();
	const char *path = fuzz_file(data, size, "_perf.txt");
	csvtab t;
	char err[1024];
	if (csvtab_load(&t, path, err, sizeof err) == 0) {
		for (size_t c = 0; c < t.ncols; c++)
			if (csvtab_col(&t, t.header[c]) < 0)
				abort(); /* every header name must be found */
		for (size_t i = 0; i < t.nrows; i++)
			if (t.lines[i] < 1 || (i && t.lines[i] < t.lines[i - 1]))
				abort(); /* line numbers never fall (a bare CR ends a record within a line) */
		csvtab_free(&t);
	} else if (strncmp(err, path, strlen(path)) != 0) {
		abort(); /* every error names the file */
	}
	return 0;
}
