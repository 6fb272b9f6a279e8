/* Unit tests of lib/perf/interp_probe: queries kept in order past the first allocation, and
 * answers written as interp records, a query of the wrong dimension counted as failed. */
#include "interp_probe.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

int main(void)
{
	interp_probe st = {0};
	for (int i = 0; i < 40; i++) {
		char where[32];
		snprintf(where, sizeof where, "q%d", i);
		interp_probe_add_query(&st, (double[]){ i, 0, 0 }, 1, where);
	}
	CHECK(st.nq == 40 && st.capq >= 40);
	CHECK(st.q[39].c[0] == 39 && st.q[39].dims == 1);
	CHECK_STR(st.q[17].where, "q17");
	free(st.q);

	/* a 1-D table of two points, asked in between, on a point, and with two coordinates */
	st = (interp_probe){0};
	st.table = grid_new(1);
	st.dims = 1;
	st.lo[0] = 1;
	st.hi[0] = 3;
	grid_leaf a = grid_leaf_scalar(10), b = grid_leaf_scalar(30);
	grid_insert(st.table, (double[]){ 1 }, &a, GRID_KEEP_FIRST);
	grid_insert(st.table, (double[]){ 3 }, &b, GRID_KEEP_FIRST);
	interp_probe_add_query(&st, (double[]){ 2, 0, 0 }, 1, "mid");
	interp_probe_add_query(&st, (double[]){ 3, 0, 0 }, 1, "on");
	interp_probe_add_query(&st, (double[]){ 2, 2, 0 }, 2, "2d");
	char path[] = "/tmp/test_interp_probe.XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0 && freopen(path, "w", stdout) != NULL);
	CHECK(interp_probe_answer_all(&st) == 1);
	fflush(stdout);
	FILE *f = fopen(path, "r");
	char out[1024] = "";
	size_t n = f ? fread(out, 1, sizeof out - 1, f) : 0;
	out[n] = 0;
	CHECK_STR(out, "{\"record\":\"interp\",\"x\":2,\"latency\":20,\"power\":0,\"energy\":0,\"how\":\"interpolated\","
		       "\"method\":\"linear-1d\"}\n"
		       "{\"record\":\"interp\",\"x\":3,\"latency\":30,\"power\":0,\"energy\":0,\"how\":\"measured\","
		       "\"method\":\"linear-1d\"}\n");
	if (f)
		fclose(f);
	unlink(path);
	grid_free(st.table);
	free(st.q);
	UNIT_DONE();
}
