#include "perf_mode.h"

#include <stdio.h>

#include "hint.h"

perf_result perf_formula(double latency_ms, perf_source src)
{
	return (perf_result){ latency_ms, 0.0, src, src == PERF_SRC_SOL ? PERF_DET_SOL : PERF_DET_EMPIRICAL };
}

bool perf_mode_formula(perf_mode mode, double sol_ms, double empirical_factor, perf_result *out)
{
	if (mode == PERF_SOL)
		*out = perf_formula(sol_ms, PERF_SRC_SOL);
	else if (mode == PERF_EMPIRICAL)
		*out = perf_formula(sol_ms / empirical_factor, PERF_SRC_EMPIRICAL);
	else
		return false;
	return true;
}

int perf_mode_settle(perf_mode mode, int st, double empirical_ms, perf_result *out, const char *lookup, char *err,
		     size_t errlen)
{
	if (st == 0 || st == PERFDB_FATAL)
		return st;
	if (mode == PERF_HYBRID) {
		*out = perf_formula(empirical_ms, PERF_SRC_EMPIRICAL);
		return 0;
	}
	/* the look-up first, then the tables' reason; the reference's hint to try HYBRID mode is the
	 * filter's words for HINT_HYBRID_MODE, after it */
	char why[1024];
	snprintf(why, sizeof why, "%s", err);
	hint_errf(HINT_HYBRID_MODE, 0, err, errlen, "%s: %s", lookup, why);
	return PERFDB_REFUSED;
}
