/* coverage_nearest: what a perf table has near a combination a support issue says it lacks. */
#ifndef INFERCAST_COVERAGE_NEAREST_H
#define INFERCAST_COVERAGE_NEAREST_H

#include "coverage_issue.h"

/* "col=v col=v; ..." for up to MAX_NEAREST distinct combinations of the wanted columns among the
 * rows that match the most of them, naming only the columns that differ; a sentence when rows
 * with every named parameter exist; NULL when the table cannot be read or names none of the
 * columns. Caller frees. */
char *coverage_nearest(const issue *is);

#endif
