/* config_report: a configuration's report from its config record and the priced op records that
 * follow it (opgraph | query), written as it is finished (JSON Lines or CSV) or kept for a table.
 * The stream's state lives in one struct, so that the caller only reads records and hands them on. */
#ifndef INFERCAST_CONFIG_REPORT_H
#define INFERCAST_CONFIG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "fidelity.h"
#include "jsonl.h"
#include "op_fields.h"
#include "opgraph_summary.h"
#include "serving_report.h"

enum config_report_format { CONFIG_REPORT_JSONL, CONFIG_REPORT_CSV, CONFIG_REPORT_TABLE };

typedef struct config_report {
	cJSON *config;      /* the configuration being summed, or NULL */
	const char *config_id; /* its config_id (in config): each op record names it */
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

/* A config record read by r: finishes the configuration before it and takes rec over. */
void config_report_take_config(config_report *st, const jsonl_reader *r, cJSON *rec);

/* An op record read by r (lib/serve/op_fields: from its text or its tree), added to the current
 * configuration; exits 1 naming r's line when a field is missing, of the wrong type or out of
 * place. */
void config_report_take_op(config_report *st, const jsonl_reader *r, const op_fields *f);

/* Writes (or keeps) the current configuration's report; nothing when there is none. Dies when
 * its op records did not all arrive, or on an OOM under refuse_oom. */
void config_report_finish(config_report *st);

#endif
