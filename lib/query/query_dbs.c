#include "query_dbs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

perfdb *query_dbs_open(query_dbs *d, const char *system, const char *backend, const char *version, int mode,
		       char *err, size_t errlen)
{
	char key[512];
	snprintf(key, sizeof key, "%s\n%s\n%s\n%d", system, backend, version ? version : "", mode);
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->entries[i].key, key) == 0)
			return d->entries[i].db;
	perfdb *db = perfdb_open(d->data_dir, system, backend, version, err, errlen);
	if (!db && (mode == PERF_SOL || mode == PERF_EMPIRICAL)) {
		/* estimates need the system spec only */
		char err2[1024];
		db = perfdb_open_spec_only(system, backend, err2, sizeof err2);
	}
	if (!db)
		return NULL;
	perfdb_set_mode(db, (perf_mode)mode);
	perfdb_set_shared_layer(db, d->shared_layer && mode == PERF_HYBRID);
	d->entries = realloc(d->entries, (d->n + 1) * sizeof *d->entries);
	if (!d->entries)
		die(EXIT_DATA, "out of memory");
	snprintf(d->entries[d->n].key, sizeof d->entries[d->n].key, "%s", key);
	d->entries[d->n++].db = db;
	return db;
}

void query_dbs_free(query_dbs *d)
{
	for (size_t i = 0; i < d->n; i++)
		perfdb_close(d->entries[i].db);
	free(d->entries);
	d->entries = NULL;
	d->n = 0;
}
