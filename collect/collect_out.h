/* collect_out: collect's output folder, ROOT/<system>/<backend>/<version>/, laid out as the tools
 * read a data folder (docs/data.md): one *_perf.txt table per op, rows written as measured. */
#ifndef INFERCAST_COLLECT_OUT_H
#define INFERCAST_COLLECT_OUT_H

#include <stdbool.h>
#include <stdio.h>

/* mkdir -p. Returns 0, or -1 with errno set. */
int out_mkdirs(const char *path);

/* A table being written: the header once, then one row per call, flushed, so that a run cut
 * short keeps every row it measured. */
typedef struct out_table {
	FILE *f;
	char path[4096];
	bool power;
} out_table;

/* Create DIR/FILE (refusing to overwrite one that exists) and write its header: the common
 * columns, then `keys` (comma-separated), latency, and power when `power`. */
int out_table_open(out_table *t, const char *dir, const char *file, const char *keys, bool power, char *err,
		   size_t errlen);
/* One row: framework,version,device,op_name,kernel_source, the key cells (already joined by
 * commas), the latency in ms and, when the table has it, the mean power in W. */
int out_table_row(out_table *t, const char *framework, const char *version, const char *device, const char *op,
		  const char *kernel_source, const char *keys, double latency_ms, double power_w, char *err,
		  size_t errlen);
int out_table_close(out_table *t, char *err, size_t errlen);

/* A CSV cell: the text with commas, quotes and line breaks replaced by spaces (device names). */
void out_csv_safe(char *dst, size_t n, const char *src);

/* Write s as a JSON string (quotes and escapes). */
void out_json_string(FILE *f, const char *s);

/* Link every *_perf.txt of version folder `from` that `to` lacks into `to` (absolute symbolic
 * links), and the system's nccl/ and oneccl/ folders (from/../../nccl) into the system folder
 * above `to` when it has none. Returns the number of links made, or -1 with a message. */
int out_link_missing(const char *from, const char *to, char *err, size_t errlen);

#endif
