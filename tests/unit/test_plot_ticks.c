/* Unit tests of lib/sweep/plot_ticks: nice steps, ends on ticks with room beyond a point on an
 * end, a single value, labels without "-0" and with the step's decimals. */
#include "plot_ticks.h"
#include "unit.h"

int main(void)
{
	plot_axis a;
	char s[64];
	/* a front's tokens/s/user: 0 to 200 by 20, eleven ticks */
	plot_axis_fit(&a, 15.494, 185.6, 10);
	CHECK(a.lo == 0 && a.hi == 200 && a.step == 20 && a.decimals == 0);
	CHECK(plot_axis_ticks(&a) == 11);
	CHECK(plot_axis_tick(&a, 10) == 200);
	/* tokens/s/gpu: 0 to 1400 by 200 */
	plot_axis_fit(&a, 74.1, 1228.1, 8);
	CHECK(a.lo == 0 && a.hi == 1400 && a.step == 200);
	/* data ending on a tick: one step of room, but an axis from 0 stays there */
	plot_axis_fit(&a, 10, 100, 10);
	CHECK(a.lo == 0 && a.hi == 110 && a.step == 10);
	plot_axis_fit(&a, 0, 1200, 8);
	CHECK(a.lo == 0 && a.hi == 1400 && a.step == 200);
	/* small numbers: decimals as the step has */
	plot_axis_fit(&a, 0.012, 0.087, 10);
	CHECK_NEAR(a.step, 0.01, 1e-12);
	CHECK(a.decimals == 2);
	CHECK(plot_axis_ticks(&a) == 9); /* 0.01 to 0.09 */
	plot_axis_label(&a, plot_axis_tick(&a, 3), s, sizeof s);
	CHECK_STR(s, "0.04");
	/* negative data and a tick at 0 computed as a tiny negative: "0", never "-0" */
	plot_axis_fit(&a, -0.3, 0.25, 10);
	CHECK_NEAR(a.step, 0.1, 1e-12);
	plot_axis_label(&a, -1e-17, s, sizeof s);
	CHECK_STR(s, "0.0");
	plot_axis_label(&a, a.lo, s, sizeof s);
	CHECK_STR(s, "-0.4");
	/* one value: an axis around it, the point inside */
	plot_axis_fit(&a, 500, 500, 8);
	CHECK(a.lo < 500 && a.hi > 500 && a.step > 0);
	plot_axis_fit(&a, 0, 0, 8);
	CHECK(a.lo < 0 && a.hi > 0);
	/* fewer than 2 ticks asked for: 2 */
	plot_axis_fit(&a, 1, 9, 0);
	CHECK(plot_axis_ticks(&a) >= 2);
	UNIT_DONE();
}
