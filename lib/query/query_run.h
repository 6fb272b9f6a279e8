/* query_run: what the query filter does with each line of its stream. Op records are priced
 * (lib/query/opquery) with the database of their configuration and written as read with
 * latency_ms, energy_wms, source and detail spliced in before the closing brace; config records
 * get data_version and database_mode; other records pass through as read.
 *
 * The hot path parses a record into an arena (lib/util/jsonarena) and writes it spliced; a
 * record priced before under the same database is written from the memo (lib/query/optext)
 * without parsing; anything that needs more (a record to change, a refusal, --explain) goes
 * through cJSON's tree as the filter always did. */
#ifndef INFERCAST_QUERY_RUN_H
#define INFERCAST_QUERY_RUN_H

#include <stdbool.h>

#include "jsonarena.h"
#include "jsonl.h"
#include "optext.h"
#include "perfdb.h"
#include "query_configs.h"
#include "query_dbs.h"
#include "query_price.h"

typedef struct query_opts {
	const char *system, *backend, *version; /* NULL: each configuration's own */
	int mode;          /* a perf_mode, -1: each configuration's database_mode, else silicon */
	const char *no_system_words; /* the filter's words after "op record without a system/backend:"
				      * (lib/ names no option); NULL: a generic phrase */
} query_opts;

typedef struct query_run {
	query_opts o;
	query_dbs dbs;         /* its data_dir and shared_layer set by the caller */
	query_configs configs;
	/* ops come grouped by configuration: the last one's database saves a search per op */
	char *last_id;
	perfdb *last_db;
	query_pricer pricer;   /* its keep_going and fallbacks set by the caller */
	jsonarena arena;       /* the record being priced, when it is parsed there */
} query_run;

/* The line r read last: priced, annotated or passed through, and written to stdout. A record the
 * tables cannot price exits 1 naming its line (or, with keep_going, gets `error`). */
void query_run_line(query_run *st, jsonl_reader *r);

/* Frees what st holds (the filter itself leaves it to the exit). */
void query_run_free(query_run *st);

#endif
