/* Unit tests of lib/sweep/merged_table: runs' tables merged, ranked, cut to their Pareto front and given
 * the inclusive TPOT, as pmerge does it. */
#include "merged_table.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A CSV file with text, loaded as a table. */
static void load(csvtab *t, const char *text)
{
	char path[] = "/tmp/test_merged_table_XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	char err[256];
	CHECK(csvtab_load(t, path, err, sizeof err) == 0);
	unlink(path);
}

static void push_all(merged *m, const csvtab *t, const char *backend)
{
	merged_begin(m, t, "t.csv", false);
	for (size_t i = 0; i < t->nrows; i++)
		merged_push_row(m, t->rows[i], backend);
}

int main(void)
{
	csvtab a, b;
	load(&a, "tokens/s/user,tokens/s/gpu_cluster,ttft,tpot,osl\n10,50,100,20,11\n30,20,80,10,11\n");
	load(&b, "tokens/s/user,tokens/s/gpu_cluster,ttft,tpot,osl\n20,60,90,15,11\n5,40,70,30,11\nnan,99,1,1,2\n");
	merged m = { 0 };
	push_all(&m, &a, "trtllm");
	push_all(&m, &b, "vllm");
	/* a table without `backend` gains it, filled with each run's */
	CHECK(m.n == 5 && m.ncols == 6 && m.add_backend);
	CHECK(merged_col(&m, "backend") == 5 && merged_col(&m, "nope") == -1);
	CHECK_STR(merged_cell(&m, m.rows[2], "backend"), "vllm");
	CHECK_STR(merged_cell(&m, m.rows[2], "nope"), "-");
	CHECK(isnan(merged_num("nan")) && isnan(merged_num("1x")) && merged_num("2.5") == 2.5);

	/* ranked by throughput, best first */
	merged_sort_by(&m, merged_col(&m, "tokens/s/gpu_cluster"), false);
	CHECK_STR(m.rows[0][1], "99");
	CHECK_STR(m.rows[1][1], "60");
	CHECK_STR(m.rows[4][1], "20");

	/* the front over tokens/s/user: the NaN row goes; (5, 40) and (10, 50) are beaten by (20, 60) */
	merged_pareto_front(&m, "tokens/s/user", true);
	CHECK(m.n == 2);
	CHECK_STR(m.rows[0][0], "20");
	CHECK_STR(m.rows[1][0], "30");

	/* tpot = (ttft + tpot x (osl - 1)) / osl, written as Python writes floats */
	merged_inclusive_tpot(&m);
	CHECK_STR(m.rows[0][3], "21.818181818181817");
	CHECK_STR(m.rows[1][3], "16.363636363636363");
	merged_free(&m);

	/* one run is copied as it is: no backend column */
	merged one = { 0 };
	merged_begin(&one, &a, "a.csv", true);
	CHECK(!one.add_backend && one.ncols == 5);
	merged_free(&one);
	csvtab_free(&a);
	csvtab_free(&b);
	UNIT_DONE();
}
