#include "perf_result.h"

#include <strings.h>

const char *perf_source_name(perf_source s)
{
	static const char *const names[] = { "silicon", "empirical", "sol", "mixed" };
	return names[s];
}

const char *perf_detail_name(perf_detail d)
{
	static const char *const names[] = { "measured", "interpolated", "extrapolated", "sol", "empirical", "mixed" };
	return names[d];
}

int perf_mode_parse(const char *name)
{
	static const char *const names[] = { "silicon", "hybrid", "empirical", "sol" };
	for (int i = 0; i < 4; i++)
		if (strcasecmp(name, names[i]) == 0)
			return i;
	return -1;
}

const char *perf_mode_name(perf_mode m)
{
	static const char *const names[] = { "SILICON", "HYBRID", "EMPIRICAL", "SOL" };
	return names[m];
}

perf_source perf_source_merge(perf_source a, perf_source b) { return a == b ? a : PERF_SRC_MIXED; }
perf_detail perf_detail_merge(perf_detail a, perf_detail b) { return a == b ? a : PERF_DET_MIXED; }

perf_result perf_add(perf_result a, perf_result b)
{
	perf_result r = { a.latency + b.latency, a.energy + b.energy, a.source, a.detail };
	if (a.latency == 0.0 && a.energy == 0.0) {
		r.source = b.source;
		r.detail = b.detail;
	} else if (!(b.latency == 0.0 && b.energy == 0.0)) {
		r.source = perf_source_merge(a.source, b.source);
		r.detail = perf_detail_merge(a.detail, b.detail);
	}
	return r;
}
