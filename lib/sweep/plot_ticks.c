/* plot_ticks: Heckbert's "nice numbers for graph labels" (Graphics Gems, 1990): the range
 * rounded to a nice number, divided into ticks-1 parts, each rounded to the nearest nice step. */
#include "plot_ticks.h"

#include <math.h>
#include <stdio.h>

/* A nice number near x > 0: 1, 2, 5 or 10 times a power of ten; round picks the nearest, else
 * the smallest one not below x. */
static double nice_number(double x, int round)
{
	double e = floor(log10(x)), f = x / pow(10, e), nf;
	if (round)
		nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
	else
		nf = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
	return nf * pow(10, e);
}

void plot_axis_fit(plot_axis *a, double lo, double hi, int ticks)
{
	if (ticks < 2)
		ticks = 2;
	if (!(hi - lo > 1e-12 * fmax(fabs(lo), fabs(hi)))) {
		/* one value: an axis a tenth of it (or 1) either side, so the point sits inside */
		double pad = lo != 0 ? fabs(lo) * 0.1 : 1;
		lo -= pad;
		hi += pad;
	}
	double range = nice_number(hi - lo, 0);
	double step = nice_number(range / (ticks - 1), 1);
	/* a value on a tick stays on it: floor(lo / step) of 1.0000000001 ticks is not 1 tick */
	double slack = 1e-9;
	a->lo = floor(lo / step + slack) * step;
	a->hi = ceil(hi / step - slack) * step;
	/* a point on an end would sit on the frame, half its mark cut off: one more step of room (an
	 * axis from 0 stays there, the natural base of a rate) */
	if (lo - a->lo < step * slack && lo != 0)
		a->lo -= step;
	if (a->hi - hi < step * slack)
		a->hi += step;
	a->step = step;
	int d = (int)-floor(log10(step) + slack);
	a->decimals = d > 0 ? d : 0;
}

int plot_axis_ticks(const plot_axis *a)
{
	return (int)lround((a->hi - a->lo) / a->step) + 1;
}

double plot_axis_tick(const plot_axis *a, int i)
{
	return a->lo + i * a->step;
}

void plot_axis_label(const plot_axis *a, double v, char *buf, size_t n)
{
	/* a tick computed as 0 may come out as -1e-17: its label is 0, never -0 */
	if (fabs(v) < a->step * 1e-6)
		v = 0;
	snprintf(buf, n, "%.*f", a->decimals, v);
}
