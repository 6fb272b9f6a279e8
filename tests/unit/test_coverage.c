/* Unit tests of lib/support/coverage_issue: report errors grouped into support issues, and the level. */
#include "coverage_issue.h"
#include "unit.h"

#include <stdlib.h>

static void cov_free(cov *c)
{
	for (int i = 0; i < c->nissues; i++)
		free(c->issues[i].op), free(c->issues[i].missing), free(c->issues[i].path);
}

int main(void)
{
	cov c = { 0 };
	CHECK_STR(coverage_level(&c, NULL, "PASS"), "S1");

	/* query's refusal: the op, what is missing without the point's b= and s=, the table */
	coverage_add_error(&c, "op moe: m=4: no rows for moe_tp=8 b=16 s=512 in /d/moe_perf.txt (try --fidelity load)");
	CHECK(c.nissues == 1);
	CHECK_STR(c.issues[0].op, "moe");
	CHECK_STR(c.issues[0].missing, "no rows for moe_tp=8");
	CHECK_STR(c.issues[0].path, "/d/moe_perf.txt");
	CHECK_STR(c.issues[0].table, "moe_perf.txt");
	CHECK(c.issues[0].configs == 1 && !c.issues[0].unmodelled);
	/* another point of the same gap adds to the issue */
	coverage_add_error(&c, "op moe: m=8: no rows for moe_tp=8 b=32 s=1024 in /d/moe_perf.txt");
	CHECK(c.nissues == 1 && c.issues[0].configs == 2);
	/* a table named inside the message loses its folder */
	coverage_add_error(&c, "op dsa: x: /d/dsa_context_module_perf.txt has no rows for heads=8");
	CHECK(c.nissues == 2);
	CHECK_STR(c.issues[1].missing, "dsa_context_module_perf.txt has no rows for heads=8");
	CHECK_STR(c.issues[1].table, "dsa_context_module_perf.txt");
	/* a layout the reference refuses too is counted, not an issue */
	coverage_add_error(&c, "tp 3 does not divide 32 heads");
	CHECK(c.nissues == 2 && c.refused_layouts == 1);
	CHECK_STR(coverage_level(&c, NULL, "PASS"), "S2");
	CHECK(coverage_level(&c, NULL, "NO_DATA") == NULL);
	CHECK(coverage_level(&c, NULL, "HW_INCOMPATIBLE") == NULL);
	CHECK_STR(coverage_level(&c, "unsupported architecture 'X'", "FAIL"), "S3");
	/* something infercast does not model */
	coverage_add_error(&c, "attention sinks are not supported yet");
	CHECK(c.nissues == 3 && c.issues[2].unmodelled);
	CHECK_STR(c.issues[2].missing, "attention sinks are not supported yet");
	CHECK_STR(c.issues[2].op, "-");
	CHECK_STR(coverage_level(&c, NULL, "PASS"), "S3");
	cov_free(&c);
	UNIT_DONE();
}
