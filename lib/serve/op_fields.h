/* op_fields: what aggregate reads of a priced op record (config_id, name, phase, error,
 * latency_ms, energy_wms, source, step, scale_factor), from its text in one pass (op_fields_scan)
 * or from its cJSON tree (op_fields_of_json), so that lib/serve/config_report sums the two alike
 * and says the same of a field of the wrong type.
 *
 * A sweep's stream is nearly all op records of a few short members; building a tree of each
 * and looking its members up by name cost more than all the summing. */
#ifndef INFERCAST_OP_FIELDS_H
#define INFERCAST_OP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* The string fields, in the order of op_field_keys. */
enum { OPF_CONFIG_ID, OPF_NAME, OPF_PHASE, OPF_ERROR, OPF_SOURCE, OPF_STEP, OPF_STRINGS };
extern const char *const op_field_keys[OPF_STRINGS];
enum { OPF_ENERGY = OPF_STRINGS }; /* energy_wms's bit in op_fields.wrong */

/* Each field is its record's first member of that key, as cJSON_GetObjectItemCaseSensitive finds it. */
typedef struct op_fields {
	const char *str[OPF_STRINGS]; /* NULL when absent, null or not a string */
	unsigned wrong;               /* 1u << OPF_*: present, not null, and not a string (energy: a number) */
	bool has_latency;             /* latency_ms is a number */
	bool has_scale;               /* scale_factor is a number */
	double latency_ms;
	double energy_wms;            /* 0 when absent or null */
	double scale_factor;
} op_fields;

void op_fields_of_json(const cJSON *rec, op_fields *f);

/* What op_fields_scan found the record to be. */
enum op_scan_result {
	OP_SCAN_REFUSED = -1, /* text the scan leaves to the tree parse (jsonarena_pick, then cJSON) */
	OP_SCAN_OTHER,        /* a record of another kind, or none: nothing for aggregate */
	OP_SCAN_OP,           /* an op record: *f filled */
	OP_SCAN_CONFIG,       /* a config record (its first "record" member says so): the rest unread */
};

/* Where op_fields_scan copies the strings it gives (each ends with NUL): kept from one record to the next. */
typedef struct op_scan_buf {
	char *data;
	size_t cap;
} op_scan_buf;

/* The record in text (len bytes) read in one pass: *f's strings live in buf until the next
 * scan. It accepts only what lib/util/jsonarena's pick accepts, and then gives the fields that
 * pick's tree gives; what it refuses (escaped strings among the fields read, for one) the caller
 * parses as ever. */
enum op_scan_result op_fields_scan(op_scan_buf *buf, const char *text, size_t len, op_fields *f);

void op_scan_buf_free(op_scan_buf *buf);

#endif
