/* jsonpick: records read for a few of their top-level keys.
 *
 * aggregate needs five or six fields of each op record, whose attrs and points make up most
 * of the text. Building cJSON's tree of every member cost more than all the summing; here the
 * other members are only checked for syntax. The check is strict JSON (no \u escapes, no raw
 * control characters, short numbers): text it does not accept is parsed whole with cJSON, so
 * errors and edge cases stay exactly as jsonl_next reports them. */
#ifndef INFERCAST_JSONPICK_H
#define INFERCAST_JSONPICK_H

#include <stdbool.h>

#include "jsonl.h"

/* The record of the line jsonl_next_text last read: with only the members whose key is in
 * keys (NULL-terminated) when the fast scan accepts the line (*whole false), else parsed
 * whole exactly as jsonl_parse_text does (*whole true; bad records exit 1 as there). Members
 * keep their order, repeated keys included. Caller frees. */
cJSON *jsonpick_parse_text(jsonl_reader *r, const char *const *keys, bool *whole);

/* The scan alone, on a NUL-terminated text: the picked object, or NULL when the text is not
 * one object of strict JSON (with blanks around) that the scan accepts. */
cJSON *jsonpick_scan(const char *text, const char *const *keys);

#endif
