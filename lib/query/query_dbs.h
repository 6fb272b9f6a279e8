/* query_dbs: the perf databases query prices with, one per system/backend/version/database
 * mode, opened on first use and kept (a sweep asks for a few, thousands of times). */
#ifndef INFERCAST_QUERY_DBS_H
#define INFERCAST_QUERY_DBS_H

#include <stdbool.h>
#include <stddef.h>

#include "perfdb.h"

typedef struct query_db_entry {
	char key[512];
	perfdb *db;
} query_db_entry;

typedef struct query_dbs {
	const char *data_dir; /* perf data root (NULL: $INFERCAST_DATA, else the installed data) */
	bool shared_layer;    /* hybrid databases read the rows their siblings share (lib/perf/table_sources) */
	query_db_entry *entries;
	size_t n;
} query_dbs;

/* The database of system/backend/version (NULL: the newest) in mode (a perf_mode), opened once;
 * NULL with err when it cannot be. The sol and empirical modes need the system spec only. */
perfdb *query_dbs_open(query_dbs *d, const char *system, const char *backend, const char *version, int mode,
		       char *err, size_t errlen);

void query_dbs_free(query_dbs *d);

#endif
