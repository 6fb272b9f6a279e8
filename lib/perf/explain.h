/* explain: what a look-up read from the perf tables, for `query --explain`: per interpolation
 * (or exact row) the table file, the method, the query point and the grid points it used with
 * their latencies (ms per call), in the order the look-ups ran.
 *
 * Off unless explain_set(true): every hook in lib/perf/interp and lib/perf/perfdb is then one test of
 * explain_on and nothing else, so pricing costs the same as without this module. On, perfdb's
 * answer memo is bypassed (a remembered answer reads no table) and the steps accumulate until
 * explain_take() hands them over. Load-time work (the reference's grid extrapolation) is not
 * recorded: explain_suspend()/explain_resume() bracket it. */
#ifndef INFERCAST_EXPLAIN_H
#define INFERCAST_EXPLAIN_H

#include <stdbool.h>

#include <cjson/cJSON.h>

extern bool explain_on;

void explain_set(bool on);
void explain_suspend(void);
void explain_resume(void);

/* The table file the following steps read (not copied: it must outlive them). */
void explain_table(const char *path);
/* One interpolation: method, the query point (dims coordinates), npts grid points of dims
 * coordinates each (pts[i * dims + d]) with their latencies, and the value it gave. */
void explain_step(const char *method, int dims, const double *at, int npts, const double *pts, const double *vals,
		  double value);

/* The steps recorded since the last call, as a JSON array (NULL when none), and a fresh start. */
cJSON *explain_take(void);

#endif
