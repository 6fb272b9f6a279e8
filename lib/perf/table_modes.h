/* table_modes: which quant modes a database's table holds (the distinct values of one column,
 * such as mla_dtype or moe_dtype), as the reference's supported_quant_mode reads them off its
 * loaded tables. The default task checks a worker's modes against these before a sweep
 * (lib/sweep/sweep_quant), so the sweep asks the perf layer rather than reading files. */
#ifndef INFERCAST_TABLE_MODES_H
#define INFERCAST_TABLE_MODES_H

#include <stdbool.h>
#include <stddef.h>

#include "perfdb.h"

enum { TABLE_MODES_MAX = 16 };

typedef struct table_modes {
	bool present;                 /* the table was found and read */
	size_t n;
	char name[TABLE_MODES_MAX][32]; /* in first-seen order */
} table_modes;

/* The modes in column of db's table file (a "<name>_perf.txt" name; found in either data
 * layout, as the loaders find it). A missing or unreadable table, or one without the column,
 * holds nothing (present false for the first two), as the reference's loader returns no data. */
void table_modes_read(const perfdb *db, const char *file, const char *column, table_modes *out);
bool table_modes_has(const table_modes *m, const char *mode);
/* The names as "a, b" into buf (for messages). */
void table_modes_list(const table_modes *m, char *buf, size_t n);

#endif
