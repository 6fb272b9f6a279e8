/* Unit tests of lib/sweep/sweep_points: the version column's source, and a mode without points
 * that did not run and says nothing. */
#include "sweep_points.h"
#include "unit.h"

int main(void)
{
	char buf[128] = "untouched";
	cJSON *rep = cJSON_Parse("{\"record\":\"report\",\"version\":\"1.0.0rc3\",\"system\":\"h200_sxm\"}");
	CHECK_STR(sweep_points_version(rep, NULL, buf, sizeof buf), "1.0.0rc3");
	CHECK_STR(buf, "untouched"); /* the report's own, not a copy */
	cJSON_Delete(rep);
	/* neither a version nor a system to find the data by: an empty column, not a guess */
	rep = cJSON_Parse("{\"record\":\"report\",\"backend\":\"trtllm\"}");
	CHECK_STR(sweep_points_version(rep, NULL, buf, sizeof buf), "");
	cJSON_Delete(rep);

	sweep_points pt = {0};
	pick_common c = {.isl = 4000, .osl = 500};
	pick_targets t = {.ttft = 2000, .tpot = 30, .top_n = 5, .total_gpus = 8};
	sweep_mode_result m[2] = {{.name = "agg"}, {.name = "disagg"}};
	for (int i = 0; i < 2; i++) {
		sweep_mode_run(&m[i], &pt, &c, &t);
		CHECK(!m[i].ran && m[i].failure[0] == 0 && m[i].results.n == 0);
	}
	sweep_points_free(&pt);
	UNIT_DONE();
}
