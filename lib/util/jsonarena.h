/* jsonarena: a record parsed into a cJSON tree that lives in an arena, for the hot loops of the
 * filters (query prices tens of thousands of op records a second).
 *
 * cJSON_Parse allocates every member, key and string apart and cJSON_Delete frees them one by
 * one; with strtod for every number that was two thirds of query's time. Here the nodes are
 * carved from blocks that are reused for the next record, and numbers are read by the exact
 * fast path (an integer mantissa of up to 15 digits times a power of ten of up to 22: one
 * correctly rounded operation, the double strtod gives), one of up to 19 digits over such a
 * power by a 128-bit integer division rounded as strtod rounds, strtod otherwise.
 *
 * The tree is cJSON's (same members in the same order, same values, child->prev the last
 * member as cJSON 1.7.15 sets it), so the cJSON getters read it; but it must never be given to
 * cJSON_Delete or to a cJSON call that adds, replaces or deletes a member. The parse is strict
 * JSON (no \u escapes, no raw control characters, at most 64 levels, finite numbers): text it
 * does not accept gives NULL, and the caller parses it with cJSON (jsonl_parse_text), which
 * accepts or reports it exactly as ever. */
#ifndef INFERCAST_JSONARENA_H
#define INFERCAST_JSONARENA_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "jsonl.h"

typedef struct jsonarena_block jsonarena_block;

typedef struct jsonarena {
	jsonarena_block *first, *cur;
} jsonarena;

/* The object text holds (len bytes, blanks around it allowed; the text need not end with NUL),
 * in a's blocks until the next jsonarena_parse or jsonarena_free on a; NULL when the text is
 * not one object the strict parse accepts (see above) or memory runs out. */
cJSON *jsonarena_parse(jsonarena *a, const char *text, size_t len);

/* The record of the line r read last (jsonl_next_text), in a's blocks (*in_arena true: never
 * freed by the caller, good until the next parse on a); what the strict parse refuses is parsed
 * by cJSON, which says what is wrong exactly as jsonl_parse_text does (*in_arena false: the
 * caller frees it). For filters that read each record once and keep nothing of its tree. */
cJSON *jsonarena_parse_line(jsonarena *a, jsonl_reader *r, bool *in_arena);

/* jsonarena_parse keeping only the top-level members named in keys (NULL-terminated, each
 * under 64 bytes), in order, repeats included; the other members are only checked (their
 * numbers for syntax alone, as lib/util/jsonpick checks them). A top-level key with an escape is
 * refused. Whatever it accepts, jsonpick's scan accepts too, with the same members: a caller
 * may fall back to jsonpick for what it refuses. */
cJSON *jsonarena_pick(jsonarena *a, const char *text, size_t len, const char *const *keys);

/* jsonarena_parse's tree with its nodes and strings malloc'd as cJSON's own (cJSON's default
 * hooks): a tree the caller keeps, changes and frees with cJSON_Delete. For records kept past
 * the next one (sweep's first point), parsed faster than by cJSON (no strtod for most
 * numbers). NULL as jsonarena_parse refuses, or when memory runs out. */
cJSON *jsonarena_parse_heap(const char *text, size_t len);

/* A top-level member of an object, as jsonarena_scan_next reads it: no tree, no copy; the key
 * and the value are spans of the text. */
typedef struct jsonarena_member {
	const char *key;   /* the key's bytes (between its quotes; never escaped: such text is refused) */
	size_t key_len;
	int type;          /* cJSON_String, cJSON_Number, cJSON_True, cJSON_False, cJSON_NULL, cJSON_Object or cJSON_Array */
	const char *val;   /* a string's bytes between its quotes (escapes as written), else the value's text */
	size_t val_len;
	bool escaped;      /* a string with a backslash escape: val is not its value */
	bool finite;       /* a number whose value is finite: then number is it (jsonarena_member_number) */
	double number;
} jsonarena_member;

typedef struct jsonarena_scan {
	const char *p, *end;
	bool started;
} jsonarena_scan;

/* A walk over the top-level members of the object text holds (len bytes, as jsonarena_pick
 * reads it), for a caller that wants a few scalar members of each of many records: each call
 * checks one member (a nested value for syntax alone, as jsonarena_pick checks a member it
 * drops) and gives it. Returns 1 with *m the next member; 0 when the object has ended and only
 * blanks follow; -1 where jsonarena_pick would refuse the text (then the caller parses it another
 * way). Having walked to 0, the text is one that jsonarena_pick accepts with these members, as
 * long as each member it keeps that is a number is finite (jsonarena_member_number) and none is
 * an object or an array (pick builds those whole and refuses a number in them that is not finite;
 * the walk only checks their syntax). The text need not end with NUL (but holds none:
 * jsonl_next_text refuses such lines). */
void jsonarena_scan_start(jsonarena_scan *s, const char *text, size_t len);
int jsonarena_scan_next(jsonarena_scan *s, jsonarena_member *m);

/* A number member's value as jsonarena_parse reads it (strtod's double); false when the value is
 * not finite (jsonarena_parse refuses a kept member of that kind). */
bool jsonarena_member_number(const jsonarena_member *m, double *v);

/* Gives a's blocks back. */
void jsonarena_free(jsonarena *a);

#endif
