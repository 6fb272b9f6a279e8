/* deploy_modes: the picks files of a `default` run (best_config_topn.csv) read and checked one
 * after the other, then each mode's folders written side by side: the disagg picks on a thread
 * of their own beside the agg ones. Writing a run's ~60 files (libyaml, and a file system's
 * cost per new file) was the longest part of `default`'s tail (issue 15); the two modes share
 * nothing they write. Errors keep the order they had one mode after the other: a bad picks file
 * or pick ends the run as it is read; a write error is said for the first mode that met one. */
#ifndef INFERCAST_DEPLOY_MODES_H
#define INFERCAST_DEPLOY_MODES_H

#include <stdbool.h>
#include <stddef.h>

#include "csvtab.h"
#include "deploy_plan.h"
#include "deploy_write.h"

/* A pick whose folder is written but for its per-op data sources, kept for them and its record. */
typedef struct written_pick {
	deploy_pick p;
	bool disagg;
	size_t index; /* its row in its picks file */
	char dir[4096];
	strlist files;
} written_pick;

typedef struct written_picks {
	written_pick *v;
	size_t n, cap;
} written_picks;

/* One picks file, read: the run's context with disagg as the file's columns say, and its first
 * top_n picks, each to be written into out/topN. */
typedef struct deploy_mode {
	deploy_ctx c;
	csvtab t;         /* the file's rows (deploy_price_record reads them) */
	char out[4096];
	char version[64]; /* the first pick's: exp_config.yaml's */
	written_picks w;
} deploy_mode;

/* Reads csv ("-": standard input) into m: a file that is not a picks file, has no picks, or a
 * pick that cannot be read ends the run with its message (exit 1). */
void deploy_mode_load(deploy_mode *m, const deploy_ctx *c, const char *csv, const char *out, long top_n);

/* The file's rows, given back. */
void deploy_mode_free_table(deploy_mode *m);

/* Writes the folders and exp_config.yaml files of n modes (at most 2: agg, disagg), the second
 * on a thread beside the first, and moves their picks into w in mode order (each mode's w is
 * left empty). 0, or -1 with err the message of the first mode, in order, that failed. */
int deploy_modes_write(deploy_mode *modes, size_t n, written_picks *w, char *err, size_t errlen);

#endif
