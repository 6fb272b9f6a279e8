/* perf_mode: the reference's database modes, decided in one place for every look-up (lib/perf/perfdb's
 * GEMM, attention and communication, lib/perf/table_moe, lib/perf/table_wideep and the module ops of
 * lib/opquery_<family>):
 *   SOL        the speed of light;
 *   EMPIRICAL  the speed of light over the look-up's empirical factor;
 *   SILICON    the tables' answer, or a refusal naming the look-up and why;
 *   HYBRID     the tables' answer, else the empirical one.
 * A look-up runs as
 *     if (!perf_mode_formula(mode, sol, factor, out)) {
 *             st = <the tables' attempt>;
 *             if ((st = perf_mode_settle(mode, st, sol / factor, out, lookup, err, errlen)))
 *                     return st;
 *     }
 * and each caller keeps only what is its own: the speed of light, the factor, the tables. */
#ifndef INFERCAST_PERF_MODE_H
#define INFERCAST_PERF_MODE_H

#include <stdbool.h>
#include <stddef.h>

#include "perf_result.h"

/* An answer from a formula: source SOL (detail sol) or EMPIRICAL (detail empirical), no energy. */
perf_result perf_formula(double latency_ms, perf_source src);

/* SOL and EMPIRICAL: *out is the formula's answer (empirical: sol / empirical_factor), true.
 * SILICON and HYBRID: false, the tables decide. */
bool perf_mode_formula(perf_mode mode, double sol_ms, double empirical_factor, perf_result *out);

/* After the tables' attempt st: 0 keeps *out; PERFDB_FATAL (a bad table) passes; a refusal
 * (PERFDB_REFUSED, why in err) gives the empirical answer under HYBRID and under SILICON stays a
 * refusal reading "LOOKUP: WHY (try --database-mode hybrid)". lookup is read only for a refusal. */
int perf_mode_settle(perf_mode mode, int st, double empirical_ms, perf_result *out, const char *lookup, char *err,
		     size_t errlen);

#endif
