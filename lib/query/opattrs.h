/* opattrs: reading an op record's attrs object for the op queries (lib/query/opquery*.c) — typed getters
 * that keep the first complaint in the caller's err buffer and remember that the attrs were bad, so a
 * query can read every attr it needs and test `bad` once. The op-query files grew with slightly
 * different wordings and null handling; those stay exactly as they were, chosen per reader below. */
#ifndef INFERCAST_OPATTRS_H
#define INFERCAST_OPATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opgraph_quant.h"

/* How an unknown quant mode name is reported. */
typedef enum opattrs_unknown_quant {
	OPATTRS_QUANT_LIST_KNOWN, /* "OP op: unknown KEY 'NAME' (known: ...)" */
	OPATTRS_QUANT_NAME_KIND,  /* "OP op: attr 'KEY' 'NAME' is not a KIND quant mode" */
	OPATTRS_QUANT_PLAIN,      /* "OP op: attr 'KEY' names an unknown quant mode" */
} opattrs_unknown_quant;

typedef struct opattrs {
	const cJSON *attrs;
	const char *op_type;
	char *err;
	size_t errlen;
	bool bad;                /* err holds a complaint; later ones are dropped */
	bool null_is_wrong_type; /* a JSON null is a value of the wrong type, not an absent attr */
	bool says_lack;          /* a missing attr reads "attrs lack 'KEY'", not "attr 'KEY' is missing" */
	opattrs_unknown_quant unknown_quant;
} opattrs;

/* The record being priced: opquery_record calls begin and end around it (nested calls
 * included), and opattrs_epoch says which one it is (0 outside any), each begin and end giving
 * a new number. What a query body reads of an op's attrs may be kept while the epoch stays: the
 * record's tree lives, unchanged, until its end (the next record's may sit at the same
 * addresses, and a fallback's copy is freed at its own end). */
void opattrs_record_begin(void);
void opattrs_record_end(void);
unsigned long opattrs_epoch(void);

/* "OP op: attr 'KEY' WHAT", unless a complaint is already there. */
void opattrs_bad(opattrs *a, const char *key, const char *what);

/* An integer attr (|value| ≤ 9e15). Absent gives def, with a complaint when required. */
long long opattrs_int(opattrs *a, const char *key, long long def, bool required);

/* A boolean attr. Absent gives def, with a complaint when required. */
bool opattrs_bool(opattrs *a, const char *key, bool def, bool required);

/* A string attr; NULL when absent (a complaint when required) or of the wrong type. */
const char *opattrs_str(opattrs *a, const char *key, bool required);

/* A quant mode of this kind named by a string attr; NULL when absent, wrong or unknown. */
const quant_mode *opattrs_quant(opattrs *a, const char *key, quant_kind kind, bool required);

#endif
