/* config_report: a configuration's report from its config record and the priced op records that
 * follow it (opgraph | query), written as it is finished (JSON Lines or CSV) or kept for a table.
 * The stream's state lives in one struct, so that the caller only reads records and hands them on. */
#ifndef INFERCAST_CONFIG_REPORT_H
#define INFERCAST_CONFIG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "fidelity.h"
#include "jsonarena.h"
#include "jsonl.h"
#include "op_fields.h"
#include "opgraph_summary.h"
#include "serving_report.h"

enum config_report_format { CONFIG_REPORT_JSONL, CONFIG_REPORT_CSV, CONFIG_REPORT_TABLE };

typedef struct config_report {
	cJSON *config;      /* the configuration being summed, or NULL */
	const char *config_id; /* its config_id (in config): each op record names it */
	bool config_in_arena;  /* config is in arenas[config_arena] (else cJSON's heap) */
	int config_arena, parsed_arena;
	jsonarena arenas[2];   /* config records, parsed into one while the other holds config */
	long config_line;
	summary ops;
	serving_ops steps;  /* ops tagged with a serving `step` */
	const char *name;   /* input name, for messages */
	enum config_report_format fmt;
	bool with_ops, header_done, refuse_oom, warn_oom;
	fidelity fid;       /* --fidelity: which kind of configuration it accepts */
	char *error;        /* the first unpriced op of the configuration, or NULL */
	cJSON *op_fallbacks; /* the distinct "fallback: ..." sources of its ops (query, load fidelity) */
	long ops_expected;  /* the config record's op_records, or -1 when it has none */
	long ops_seen;
	cJSON **kept;       /* table format: finished reports */
	size_t nkept, capkept;
	cJSON *scales;      /* table format with --ops: "phase/name" -> the op's scale_factor (layers) */
} config_report;

/* The config record of the line r read last, parsed whole into one of st's arenas (*in_arena
 * true; never to be changed or freed) or, what the arena's strict parse refuses, by cJSON, which
 * reports bad text as jsonl_parse_text does (*in_arena false). */
cJSON *config_report_parse_config(config_report *st, jsonl_reader *r, bool *in_arena);

/* A config record read by r: finishes the configuration before it and takes rec over (in_arena:
 * rec came from config_report_parse_config's arena; else it is cJSON's, freed here). */
void config_report_take_config(config_report *st, const jsonl_reader *r, cJSON *rec, bool in_arena);

/* An op record read by r (lib/serve/op_fields: from its text or its tree), added to the current
 * configuration; exits 1 naming r's line when a field is missing, of the wrong type or out of
 * place. */
void config_report_take_op(config_report *st, const jsonl_reader *r, const op_fields *f);

/* Writes (or keeps) the current configuration's report; nothing when there is none. Dies when
 * its op records did not all arrive, or on an OOM under refuse_oom. */
void config_report_finish(config_report *st);

/* Frees what st kept from one configuration to the next (after the last config_report_finish). */
void config_report_free(config_report *st);

#endif
