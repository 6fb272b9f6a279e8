/* optext_slim: an op record's text without what it was priced from (`query --slim`).
 *
 * aggregate reads an op record's names, step, scale factor and price; its attrs and points
 * (two thirds of a priced record's bytes in a sweep) it only scans past. query --slim writes
 * each op record without those two members, so the stream to aggregate is a third the size and
 * aggregate's parse of it half the work (issue 15). */
#ifndef INFERCAST_OPTEXT_SLIM_H
#define INFERCAST_OPTEXT_SLIM_H

#include <stddef.h>

/* The top-level members --slim leaves out of op records. */
extern const char *const optext_slim_dropped[];

/* body: the text of one JSON object without its closing brace (optext_body_len), as a record
 * query accepted has it. Copies it into *buf (grown with realloc, *cap its size) without its
 * top-level members named in optext_slim_dropped, every other byte as it was, then tail (what
 * query splices in, the closing brace included) and a NUL. Returns the length of the copy
 * before tail, or 0 when body is not an object this scan follows (then write it as it is). */
size_t optext_slim(const char *body, size_t len, const char *tail, char **buf, size_t *cap);

#endif
