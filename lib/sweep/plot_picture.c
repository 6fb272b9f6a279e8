/* plot_picture: the axes' ranges are the data's, widened to nice ticks (plot_ticks). */
#include "plot_picture.h"

#include <math.h>

/* About as many ticks as gnuplot's and matplotlib's defaults show on a 900 x 600 picture. */
enum { X_TICKS = 10, Y_TICKS = 8 };

static void widen(double *lo, double *hi, double v)
{
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

void plot_picture_fit(plot_picture *p)
{
	const plot_front *f = p->front;
	double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
	for (int m = 0; m < PLOT_MODES; m++)
		for (size_t i = 0; i < f->mode[m].n; i++) {
			widen(&xlo, &xhi, f->mode[m].x[i]);
			widen(&ylo, &yhi, f->mode[m].y[i]);
		}
	if (f->has_chosen) {
		widen(&xlo, &xhi, f->chosen_x);
		widen(&ylo, &yhi, f->chosen_y);
	}
	if (p->tpot_text)
		widen(&xlo, &xhi, 1000.0 / p->tpot_ms);
	plot_axis_fit(&p->x, xlo, xhi, X_TICKS);
	plot_axis_fit(&p->y, ylo, yhi, Y_TICKS);
}

static void describe_axis(FILE *out, const char *name, const char *label, const plot_axis *a)
{
	char lo[64], hi[64], step[64];
	plot_axis_label(a, a->lo, lo, sizeof lo);
	plot_axis_label(a, a->hi, hi, sizeof hi);
	plot_axis_label(a, a->step, step, sizeof step);
	fprintf(out, "%s axis: %s from %s to %s, a tick every %s\n", name, label, lo, hi, step);
}

void plot_picture_describe(FILE *out, const plot_picture *p)
{
	const plot_front *f = p->front;
	for (size_t i = 0; i < p->ntitle; i++)
		fprintf(out, "title: %s\n", p->title[i]);
	describe_axis(out, "x", "tokens/s/user", &p->x);
	describe_axis(out, "y", "tokens/s/gpu", &p->y);
	for (int m = 0; m < PLOT_MODES; m++)
		if (f->mode[m].n > 0)
			fprintf(out, "front: %s, %zu point%s\n", f->mode[m].name, f->mode[m].n, f->mode[m].n == 1 ? "" : "s");
	if (p->tpot_text)
		fprintf(out, "mark: TPOT %s ms at %.6g tokens/s/user\n", p->tpot_text, 1000.0 / p->tpot_ms);
	if (f->has_chosen)
		fprintf(out, "chosen: %s at %.15g tokens/s/user, %.15g tokens/s/gpu\n", f->chosen, f->chosen_x, f->chosen_y);
}
