#include "table_modes.h"

#include <stdio.h>
#include <string.h>

#include "table_csv.h"

void table_modes_read(const perfdb *db, const char *file, const char *column, table_modes *out)
{
	memset(out, 0, sizeof *out);
	char path[DATADIR_PATH_MAX + 64], err[512];
	snprintf(path, sizeof path, "%s/%s", perfdb_paths(db)->dir, file);
	table_csv t; /* (table_csv finds the table in the Parquet layout too) */
	if (table_csv_load(&t, path, err, sizeof err) != TABLE_CSV_OK)
		return;
	out->present = true;
	int c = table_csv_col(&t, column);
	for (size_t r = 0; c >= 0 && r < t.nrows; r++) {
		const char *v = table_csv_cell(&t, r, c);
		if (!table_modes_has(out, v) && out->n < TABLE_MODES_MAX)
			snprintf(out->name[out->n++], sizeof out->name[0], "%s", v);
	}
	table_csv_free(&t);
}

bool table_modes_has(const table_modes *m, const char *mode)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->name[i], mode) == 0)
			return true;
	return false;
}

void table_modes_list(const table_modes *m, char *buf, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < m->n && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", i ? ", " : "", m->name[i]);
}
