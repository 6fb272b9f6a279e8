/* plot_ticks: an axis of a chart with ticks at "nice" numbers (1, 2 or 5 times a power of ten),
 * its ends on ticks, so that a reader can read values off it; and the ticks' labels. */
#ifndef INFERCAST_PLOT_TICKS_H
#define INFERCAST_PLOT_TICKS_H

#include <stddef.h>

typedef struct plot_axis {
	double lo, hi;   /* the axis' ends: multiples of step around the data, none on an end but 0 */
	double step;     /* between two ticks */
	int decimals;    /* the labels' decimals: the step's own, 0 for steps of 1 and over */
} plot_axis;

/* The axis over the data's [lo, hi] (finite, lo <= hi) with about ticks ticks (at least 2). A
 * single value (lo == hi) gets an axis around it. */
void plot_axis_fit(plot_axis *a, double lo, double hi, int ticks);
/* The number of ticks from a->lo to a->hi, both ends included. */
int plot_axis_ticks(const plot_axis *a);
/* The value of tick i (0 at a->lo): computed from lo and the step, not summed, so that no
 * rounding error builds up along the axis. */
double plot_axis_tick(const plot_axis *a, int i);
/* The label of value v with the axis' decimals ("-0" is written "0"). */
void plot_axis_label(const plot_axis *a, double v, char *buf, size_t n);

#endif
