/* plot_picture: the Pareto picture as data, before any pixel: the fronts, title lines, the TPOT
 * target's mark and the two axes fitted around them; and its description in words (what
 * paretoplot --describe prints, the same facts the picture shows, for tests and for readers who
 * cannot see it). lib/sweep/plot_draw turns it into a PNG. */
#ifndef INFERCAST_PLOT_PICTURE_H
#define INFERCAST_PLOT_PICTURE_H

#include <stdio.h>

#include "plot_front.h"
#include "plot_ticks.h"

enum { PLOT_MAX_TITLE = 4 };

typedef struct plot_picture {
	const plot_front *front;
	const char *title[PLOT_MAX_TITLE]; /* lines, top to bottom */
	size_t ntitle;
	const char *tpot_text;   /* the TPOT target as the user wrote it ("30"); NULL: no mark */
	double tpot_ms;          /* its value: the mark stands at 1000 / tpot_ms tokens/s/user */
	plot_axis x, y;          /* set by plot_picture_fit */
} plot_picture;

/* Fit both axes around every point, the chosen one and the TPOT mark (a target off the axis
 * would be a mark nobody sees). */
void plot_picture_fit(plot_picture *p);
/* One line per element: title lines, the axes, each drawn front, the mark, the chosen point. */
void plot_picture_describe(FILE *out, const plot_picture *p);

#endif
