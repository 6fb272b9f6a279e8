/* deploy_yaml: an in-memory YAML document (maps keep their insertion order) written through
 * libyaml's emitter, so that every value comes out typed or quoted as meant: a string that a
 * YAML 1.1 or 1.2 reader would take for a boolean, a number, a null or a date ("on", "no",
 * "1.10", "0x1f", "~", "2026-05-01") is always quoted; numbers and booleans are plain. */
#ifndef INFERCAST_DEPLOY_YAML_H
#define INFERCAST_DEPLOY_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum { YN_MAP, YN_SEQ, YN_STR, YN_INT, YN_NUM, YN_BOOL, YN_NULL } ynode_kind;

typedef struct ynode {
	ynode_kind kind;
	char *text;            /* scalars: the text written (a string, or the formatted number) */
	bool block;            /* YN_STR: written as a literal block (|), for scripts */
	bool flow;             /* YN_SEQ: written on one line, [a, b] */
	size_t n, cap;         /* YN_MAP, YN_SEQ: entries */
	char **keys;           /* YN_MAP: one key per entry */
	struct ynode **items;
} ynode;

/* Constructors; each exits 1 (out of memory) rather than return NULL. */
ynode *yn_map(void);
ynode *yn_seq(void);
ynode *yn_flow_seq(void);
ynode *yn_str(const char *s);
ynode *yn_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
ynode *yn_block(const char *s);
ynode *yn_int(long long v);
ynode *yn_num(double v);        /* Python's repr of the float: 0.9, 2.0, 1e-05 */
ynode *yn_bool(bool v);
ynode *yn_null(void);

/* Set key in a map: replaces (and frees) an existing value, else appends. Returns val. */
ynode *yn_set(ynode *map, const char *key, ynode *val);
/* Append to a sequence. Returns val. */
ynode *yn_push(ynode *seq, ynode *val);
/* The value of key in a map, or NULL. */
ynode *yn_get(const ynode *map, const char *key);
/* The map at a dotted path under root ("K8sConfig" or "Workers.agg"), created as needed. NULL
 * when a step on the path holds something other than a map. */
ynode *yn_map_at(ynode *root, const char *dotted);
void yn_free(ynode *n);

/* True when s, written plain, reads back as the same string under YAML 1.1 (PyYAML, Go's
 * yaml.v2 behind kubectl) and YAML 1.2 core: not a boolean, null, number, date or merge key. */
bool yaml_plain_is_string(const char *s);

/* Write docs (a stream of ndocs documents, "---" between them) to path, after the comment lines
 * of header (each line gets "# "; NULL for none). 0, or -1 with "PATH: what" in err. */
int yn_write_file(const char *path, const char *header, ynode *const *docs, size_t ndocs, char *err, size_t errlen);
/* The same on an open stream; name is used in messages. */
int yn_write(FILE *out, const char *name, const char *header, ynode *const *docs, size_t ndocs, char *err,
	     size_t errlen);

#endif
