/* test_perfdb_memo: the perf database's memo of answers (lib/perf/perfdb_memo) over more
 * distinct questions than a generation holds: every answer it still has is the one put for
 * its question, the latest ones are all there, an answer asked again survives the turn of
 * generations, and the oldest are dropped (the memo is bounded). */
#include <stdio.h>
#include <stdlib.h>

#include "perfdb.h"
#include "unit.h"

static perf_result answer(long long i)
{
	return (perf_result){ .latency = (double)i * 0.5 + 1, .energy = (double)i, .source = PERF_SRC_SILICON };
}

static bool get(perfdb *db, long long i, perf_result *r)
{
	long long a[2] = { i, 7 };
	return perfdb_memo_get(db, "test", a, 2, NULL, NULL, r);
}

static void put(perfdb *db, long long i)
{
	long long a[2] = { i, 7 };
	perf_result r = answer(i);
	perfdb_memo_put(db, "test", a, 2, NULL, NULL, &r);
}

int main(void)
{
	setenv("INFERCAST_SYSTEMS", "systems", 0); /* run from the repository root, as make test does */
	char err[512];
	perfdb *db = perfdb_open_spec_only("h200_sxm", "trtllm", err, sizeof err);
	if (!db) {
		fprintf(stderr, "test_perfdb_memo: %s\n", err);
		return 1;
	}
	enum { N = 40000, KEEP = 100 };
	long long wrong = 0, missing_recent = 0, held = 0;
	perf_result r;
	for (long long i = 0; i < N; i++) {
		put(db, i);
		/* the first KEEP answers asked again now and then: still there after every turn */
		if (i % 1000 == 999)
			for (long long j = 0; j < KEEP; j++)
				if (!get(db, j, &r) || r.latency != answer(j).latency)
					wrong++;
	}
	for (long long i = 0; i < N; i++) {
		if (!get(db, i, &r))
			continue;
		held++;
		if (r.latency != answer(i).latency || r.energy != answer(i).energy || r.source != PERF_SRC_SILICON)
			wrong++;
	}
	for (long long i = N - 1000; i < N; i++)
		if (!get(db, i, &r))
			missing_recent++;
	CHECK(wrong == 0);
	CHECK(missing_recent == 0);
	/* bounded: at most two generations of 8,192, and more than one */
	CHECK(held > 8192 && held <= 2 * 8192);
	/* a question never put is not answered */
	CHECK(!get(db, N + 5, &r));
	perfdb_close(db);
	UNIT_DONE();
}
