/* optext: op records handled as text on query's hot path.
 *
 * A sweep streams tens of thousands of op records, and most of them repeat: the same op at the
 * same points under another configuration. Parsing each one into cJSON and printing it back
 * cost more than pricing it. So query splices its four fields into the line as read (the
 * record's other keys pass through byte for byte), and remembers the spliced text of each
 * record by its content after the config id: a repeated record is written without being
 * parsed or priced again. */
#ifndef INFERCAST_OPTEXT_H
#define INFERCAST_OPTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "perfdb.h"

/* v as cJSON_PrintUnformatted (cJSON 1.7.15) prints a number: "%1.15g" when that reads back
 * within one epsilon of v, else "%1.17g"; "null" when not finite. Spliced lines thus carry the very digits the
 * cJSON writer gave (tests/unit/test_optext checks it against the library). Returns the length. */
int optext_number(char *buf, size_t n, double v);

/* What query appends to a priced record before its closing brace:
 * ,"latency_ms":L,"energy_wms":E,"source":"S","detail":"D"}
 * (source null and detail "none" for a record without points). Returns the length, or 0 if
 * it does not fit in n bytes. */
size_t optext_priced_tail(char *buf, size_t n, const perf_result *res, bool no_points);

/* The text of a record opgraph wrote starts {"record":"op","config_id":"ID", with ID free of
 * escapes and control characters. If text does, *id and *id_len give ID and *rest the text
 * after its closing quote (to the end of the line). Other texts: false. */
bool optext_split(const char *text, size_t len, const char **id, size_t *id_len, const char **rest);

/* Priced tails by (database, rest of the line), within a memory budget whatever the stream's
 * length: two generations of at most budget/2 bytes of text each. New tails go to the young
 * one; when it is full the old one is dropped and the young one becomes old; a tail found in
 * the old one is copied to the young one. What a sweep repeats soon (the ops of neighbouring
 * configurations) stays; what it stopped asking for goes, about least recently used first. */
typedef struct optext_memo_entry {
	unsigned long long hash;
	const void *db;
	char *rest;        /* the key, then the tail, one after the other in the generation's blocks */
	size_t rest_len;
	const char *tail;
} optext_memo_entry;

/* A generation's texts lie in blocks of its own, mapped apart from the heap: dropping the
 * generation gives them back to the system at once (texts malloc'd one by one left the heap
 * full of holes: 16 MB of them after 40,000 configurations). */
typedef struct optext_block optext_block;

typedef struct optext_memo_gen {
	optext_memo_entry *slots;
	size_t cap, used, bytes;
	optext_block *blocks;
} optext_memo_gen;

typedef struct optext_memo {
	optext_memo_gen young, old;
	optext_block *spare; /* the blocks of the generation dropped last, for the young one */
	size_t used;   /* entries in both generations (0: nothing to find) */
	size_t budget; /* bytes of remembered text in all; 0: OPTEXT_MEMO_BUDGET */
} optext_memo;

enum { OPTEXT_MEMO_BUDGET = 16 << 20 };

/* The tail remembered for (db, rest), valid until the next call on m; NULL if none. */
const char *optext_memo_find(optext_memo *m, const void *db, const char *rest, size_t rest_len);
void optext_memo_put(optext_memo *m, const void *db, const char *rest, size_t rest_len, const char *tail);
void optext_memo_free(optext_memo *m);

/* Writes the line's text up to body_len (its closing brace cut, see below), then tail and a
 * newline, to stdout; exits 1 on a write error. */
void optext_write_spliced(const char *text, size_t body_len, const char *tail);

/* The line's text up to (not including) its closing brace, trailing blanks and newline cut;
 * 0 if the text does not end with '}' after blanks. */
size_t optext_body_len(const char *text, size_t len);

#endif
