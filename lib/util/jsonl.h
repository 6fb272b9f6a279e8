/* jsonl: read and write JSON Lines records (one compact object per line) with cJSON.
 * The reader names FILE:LINE in every error; the writer detects failed writes. */
#ifndef INFERCAST_JSONL_H
#define INFERCAST_JSONL_H

#include <stdbool.h>
#include <stdio.h>
#include <cjson/cJSON.h>

typedef struct jsonl_reader {
	FILE *fp;
	const char *name;   /* "<stdin>" or the path, for messages */
	long line;          /* 1-based number of the line last read */
	char *buf;
	size_t cap;
	const char *text;   /* the line last read (byte-order mark skipped), '\n' included if present */
	size_t text_len;
} jsonl_reader;

/* Open path ("-" or NULL is stdin). Exits 1 with a message if it cannot be opened. */
void jsonl_open(jsonl_reader *r, const char *path);
void jsonl_close(jsonl_reader *r);
/* Next record (a JSON object), or NULL at end of input. Blank lines are skipped.
 * A malformed line, trailing garbage, a non-object or a line without '\n' at the end
 * of input that does not parse exits 1 with "prog: FILE:LINE: what". Caller frees. */
cJSON *jsonl_next(jsonl_reader *r);
/* jsonl_next in two steps, for filters that can handle some lines as text: the next non-blank
 * line (also in r->text, r->text_len), NULL at end of input; then its record, checked and
 * parsed as jsonl_next does. The text lives until the next read. */
const char *jsonl_next_text(jsonl_reader *r);
cJSON *jsonl_parse_text(jsonl_reader *r);
/* Exit 1 with "prog: FILE:LINE: message" for the line last read. */
_Noreturn void jsonl_fail(const jsonl_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Exit 1 for a filter whose input held records but none it can use, instead of writing nothing:
 * "prog: FILE: none of its N records is WANTED (expected EXPECTED)". */
_Noreturn void jsonl_fail_unused(const jsonl_reader *r, long records, const char *wanted, const char *expected);

/* Typed field access on a record; each exits 1 naming the record's line and the key
 * when the field is missing (get_*) or of the wrong type. opt_* return def if absent or null. */
double jsonl_get_num(const jsonl_reader *r, const cJSON *obj, const char *key);
long jsonl_get_int(const jsonl_reader *r, const cJSON *obj, const char *key);
const char *jsonl_get_str(const jsonl_reader *r, const cJSON *obj, const char *key);
const cJSON *jsonl_get_obj(const jsonl_reader *r, const cJSON *obj, const char *key);
const cJSON *jsonl_get_arr(const jsonl_reader *r, const cJSON *obj, const char *key);
double jsonl_opt_num(const jsonl_reader *r, const cJSON *obj, const char *key, double def);
long jsonl_opt_int(const jsonl_reader *r, const cJSON *obj, const char *key, long def);
const char *jsonl_opt_str(const jsonl_reader *r, const cJSON *obj, const char *key, const char *def);
bool jsonl_opt_bool(const jsonl_reader *r, const cJSON *obj, const char *key, bool def);

/* Write obj compactly as one line to stdout; exits 1 on a write error, quietly on a closed pipe. */
void jsonl_write(const cJSON *obj);

/* The text cJSON_PrintUnformatted (cJSON 1.7.15) gives, streamed to out without building it in
 * memory (tests/unit/test_optext compares them): numbers by jsonl_cjson_number, strings with
 * cJSON's escapes. */
void jsonl_print(FILE *out, const cJSON *item);
void jsonl_print_string(FILE *out, const char *s);
/* v as cJSON prints a number: "%1.15g" when that reads back within one epsilon of v, else
 * "%1.17g" (integers of up to 15 digits plainly); "null" when not finite. Returns the length. */
int jsonl_cjson_number(char *buf, size_t n, double v);

/* Offset of the first byte of s that is not well-formed UTF-8 (overlong forms and surrogates
 * included), or -1 when s is all UTF-8. */
long utf8_invalid_at(const char *s);

/* Print a double the way JSON needs it: shortest text that reads back to the same value. */
void json_format_double(char *buf, size_t n, double v);

#endif
