/* opgraph_write: op records written straight as text. Building a cJSON tree per op and printing
 * it cost more than building the op graph; these writers give the same bytes directly. */
#ifndef INFERCAST_OPGRAPH_WRITE_H
#define INFERCAST_OPGRAPH_WRITE_H

#include <stdbool.h>
#include <stdio.h>

#include "opgraph.h"

typedef struct og_write_opts {
	/* numbers as cJSON prints them (serving records used to go through cJSON's printer; their
	 * digits are kept); else the shortest text that reads back exactly */
	bool cjson_numbers;
	/* a generation op's points as one run object (docs/records.md, "Runs of points") */
	bool point_runs;
	const char *step;  /* serving step tag appended as `step`, or NULL */
	/* the op's attrs and inner members as already printed (og_graph_memo_attrs_text), or
	 * NULL to print them */
	const char *attrs_text;
	/* the op's own system and data version (NULL: the configuration's), appended as `system`
	 * and `version`: a disagg decode side on another system */
	const char *system, *version;
} og_write_opts;

/* One op record (record "op") and its query points, as one line. */
void og_op_write_with(FILE *out, const og_config *cfg, const og_op *op, const char *config_id,
		      const og_write_opts *o);

#endif
