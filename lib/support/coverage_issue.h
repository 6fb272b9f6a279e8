/* coverage_issue: the errors of one system/backend/version's sweep reports, grouped into the
 * issues and the level (S1, S2, S3) of a support record (coverage(1)). */
#ifndef INFERCAST_COVERAGE_ISSUE_H
#define INFERCAST_COVERAGE_ISSUE_H

#include <stdbool.h>

#define MAX_ISSUES 64

typedef struct issue {
	char *op, *missing, *table, *path;
	long configs;
	bool unmodelled; /* S3: an op or layout infercast does not model */
} issue;

typedef struct cov {
	issue issues[MAX_ISSUES];
	int nissues;
	long configs, priced, unpriced, refused_layouts;
	char *model, *arch;
} cov;

/* Count one report's error in c: query's "op NAME: SHAPE: WHAT in PATH (try ...)" becomes (or adds
 * to) an issue naming the op, what is missing (without the point's batch and sequence length) and
 * the table; opgraph's "not supported" an S3 issue; any other refusal a refused layout. Issues
 * beyond MAX_ISSUES are dropped. */
void coverage_add_error(cov *c, const char *err);

/* "S1", "S2" or "S3"; NULL when the status says the system could not be assessed (no data, the
 * hardware cannot run it). refused is hfparse's message for an architecture not modelled. */
const char *coverage_level(const cov *c, const char *refused, const char *agg);

#endif
