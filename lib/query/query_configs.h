/* query_configs: the configurations query has read, by config_id: the system, backend, version,
 * database_mode and checkpoint quant modes their op records are priced with.
 *
 * A sweep streams thousands of configurations, so this is a hash table (a cJSON object is
 * searched linearly), the {system, backend, ...} objects are shared (a sweep's thousands have a
 * few), and a configuration is forgotten after its last op record (its op_records): memory stays
 * bounded on any stream of configurations that say how many records follow. */
#ifndef INFERCAST_QUERY_CONFIGS_H
#define INFERCAST_QUERY_CONFIGS_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "jsonl.h"

typedef struct query_config_slot {
	char *id;
	const cJSON *c; /* one of shapes */
	long left;      /* op records still to come (its op_records), -1 when not said */
} query_config_slot;

typedef struct query_configs {
	query_config_slot *slots; /* open addressing, linear probing */
	size_t cap, n;
	cJSON **shapes; /* the distinct objects the slots point to */
	size_t nshapes;
} query_configs;

/* Remembers the config record rec (line r) under its config_id: its system, backend, version,
 * database_mode, model.quant.gemm and .moe (as checkpoint_gemm, checkpoint_moe), and its
 * op_records count. A configuration given again: the later record counts. */
void query_configs_put(query_configs *q, const jsonl_reader *r, const cJSON *rec);

/* The object remembered for id (NULL: none, or id NULL). */
const cJSON *query_configs_find(const query_configs *q, const char *id);

/* A string member of a remembered object (NULL if absent). */
const char *query_config_str(const cJSON *cfg, const char *key);

/* One op record of configuration id (id_len bytes) is done: after its last one the
 * configuration is forgotten. */
void query_configs_op_done(query_configs *q, const char *id, size_t id_len);

void query_configs_free(query_configs *q);

#endif
