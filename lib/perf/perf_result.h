/* perf_result: what a perf look-up answers (latency, energy, and where the number came from),
 * the statuses of a look-up and the reference's database modes. Below lib/perf/perfdb and the table
 * modules (lib/table_<kind>) alike, so that the tables need not know the database. */
#ifndef INFERCAST_PERF_RESULT_H
#define INFERCAST_PERF_RESULT_H

enum { PERFDB_REFUSED = 1, PERFDB_FATAL = -1 };

typedef enum perf_mode { PERF_SILICON, PERF_HYBRID, PERF_EMPIRICAL, PERF_SOL } perf_mode;

/* The reference's source tag. */
typedef enum perf_source { PERF_SRC_SILICON, PERF_SRC_EMPIRICAL, PERF_SRC_SOL, PERF_SRC_MIXED } perf_source;
/* Ours: how a silicon answer was obtained. */
typedef enum perf_detail {
	PERF_DET_MEASURED,
	PERF_DET_INTERPOLATED,
	PERF_DET_EXTRAPOLATED,
	PERF_DET_SOL,
	PERF_DET_EMPIRICAL,
	PERF_DET_MIXED
} perf_detail;

typedef struct perf_result {
	double latency;   /* ms */
	double energy;    /* W·ms */
	perf_source source;
	perf_detail detail;
} perf_result;

const char *perf_source_name(perf_source s);
const char *perf_detail_name(perf_detail d);
/* "silicon", "hybrid", "empirical", "sol" (any case) -> mode; -1 when unknown. */
int perf_mode_parse(const char *name);
const char *perf_mode_name(perf_mode m);

/* Sum of two answers with the reference's source merging (PerformanceResult.__add__: a zero
 * term takes the other's tag; different tags give "mixed"). */
perf_result perf_add(perf_result a, perf_result b);
/* Merge of tags over repeated evaluations of one op (same tag stays, else mixed). */
perf_source perf_source_merge(perf_source a, perf_source b);
perf_detail perf_detail_merge(perf_detail a, perf_detail b);

#endif
