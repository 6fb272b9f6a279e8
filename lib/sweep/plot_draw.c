/* plot_draw: a palette image (a few colours, no anti-aliasing: every pixel of a colour is that
 * colour exactly, and the PNG is small and quick to compress). Layout from the top: title lines,
 * the plot box with its ticks, the x label, the legend below (as the gnuplot picture had it). */
#include "plot_draw.h"

#include <gd.h>
#include <gdfontl.h>
#include <gdfontmb.h>
#include <gdfonts.h>
#include <gdfontt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

enum {
	MARGIN = 8,
	LINE_GAP = 2,      /* between two lines of text */
	TICK_LEN = 5,
	RIGHT_PAD = 28,    /* room for half of the last x tick label */
	DOT = 12,          /* the chosen point's diameter */
	SAMPLE = 36,       /* a legend entry's line sample */
};

typedef struct canvas {
	gdImagePtr im;
	gdFontPtr text, ticks;
	int white, black, grid, mark, red, front[PLOT_MODES];
	int left, right, top, bottom; /* the plot box */
	const plot_picture *p;
} canvas;

static int text_width(gdFontPtr f, const char *s)
{
	return (int)strlen(s) * f->w;
}

/* The text font, or a narrower one where a line (a long model name, a wide-EP pick) would not
 * fit in width pixels: cut off, it would say something else. */
static gdFontPtr font_for(const canvas *c, int chars, int width)
{
	gdFontPtr narrower[] = { c->text, gdFontGetMediumBold(), gdFontGetSmall(), gdFontGetTiny() };
	size_t i = 0;
	while (i + 1 < sizeof narrower / sizeof *narrower && chars * narrower[i]->w > width)
		i++;
	return narrower[i];
}

static void text_at(canvas *c, gdFontPtr f, int x, int y, const char *s, int color)
{
	gdImageString(c->im, f, x, y, (unsigned char *)(uintptr_t)s, color);
}

static int px(const canvas *c, double x)
{
	const plot_axis *a = &c->p->x;
	return c->left + (int)lround((x - a->lo) / (a->hi - a->lo) * (c->right - c->left));
}

static int py(const canvas *c, double y)
{
	const plot_axis *a = &c->p->y;
	return c->bottom - (int)lround((y - a->lo) / (a->hi - a->lo) * (c->bottom - c->top));
}

/* agg's points are pluses, disagg's crosses: the fronts stay apart without colour */
static void marker(canvas *c, int m, int x, int y)
{
	int r = 4, col = c->front[m];
	if (m == PLOT_AGG) {
		gdImageLine(c->im, x - r, y, x + r, y, col);
		gdImageLine(c->im, x, y - r, x, y + r, col);
	} else {
		gdImageLine(c->im, x - r + 1, y - r + 1, x + r - 1, y + r - 1, col);
		gdImageLine(c->im, x - r + 1, y + r - 1, x + r - 1, y - r + 1, col);
	}
}

static int legend_rows(const plot_picture *p)
{
	int n = p->front->has_chosen;
	for (int m = 0; m < PLOT_MODES; m++)
		n += p->front->mode[m].n > 0;
	return n;
}

/* The box: below the titles, above the x labels and the legend, right of the y labels (as wide
 * as the widest tick label). */
static void place_box(canvas *c)
{
	const plot_picture *p = c->p;
	int row = c->text->h + LINE_GAP;
	c->top = MARGIN + (int)p->ntitle * row + 2 * MARGIN;
	int legend_top = PLOT_HEIGHT - MARGIN - legend_rows(p) * row;
	c->bottom = legend_top - MARGIN - row - LINE_GAP - c->ticks->h - TICK_LEN;
	int widest = 0;
	char label[64];
	for (int i = 0; i < plot_axis_ticks(&p->y); i++) {
		plot_axis_label(&p->y, plot_axis_tick(&p->y, i), label, sizeof label);
		int w = text_width(c->ticks, label);
		widest = w > widest ? w : widest;
	}
	c->left = MARGIN + c->text->h + 2 * MARGIN + widest + TICK_LEN;
	c->right = PLOT_WIDTH - RIGHT_PAD;
}

static void draw_titles(canvas *c)
{
	int row = c->text->h + LINE_GAP;
	for (size_t i = 0; i < c->p->ntitle; i++) {
		const char *s = c->p->title[i];
		gdFontPtr f = font_for(c, (int)strlen(s), PLOT_WIDTH - 2 * MARGIN);
		text_at(c, f, (PLOT_WIDTH - text_width(f, s)) / 2, MARGIN + (int)i * row, s, c->black);
	}
}

static void draw_axes(canvas *c)
{
	const plot_picture *p = c->p;
	char label[64];
	for (int i = 0; i < plot_axis_ticks(&p->x); i++) {
		double v = plot_axis_tick(&p->x, i);
		int x = px(c, v);
		gdImageLine(c->im, x, c->top + 1, x, c->bottom - 1, c->grid);
		gdImageLine(c->im, x, c->bottom, x, c->bottom - TICK_LEN, c->black);
		plot_axis_label(&p->x, v, label, sizeof label);
		text_at(c, c->ticks, x - text_width(c->ticks, label) / 2, c->bottom + TICK_LEN, label, c->black);
	}
	for (int i = 0; i < plot_axis_ticks(&p->y); i++) {
		double v = plot_axis_tick(&p->y, i);
		int y = py(c, v);
		gdImageLine(c->im, c->left + 1, y, c->right - 1, y, c->grid);
		gdImageLine(c->im, c->left, y, c->left + TICK_LEN, y, c->black);
		plot_axis_label(&p->y, v, label, sizeof label);
		text_at(c, c->ticks, c->left - TICK_LEN - text_width(c->ticks, label), y - c->ticks->h / 2, label, c->black);
	}
	gdImageRectangle(c->im, c->left, c->top, c->right, c->bottom, c->black);
	static const char xlabel[] = "tokens/s/user", ylabel[] = "tokens/s/gpu";
	int xl = c->bottom + TICK_LEN + c->ticks->h + LINE_GAP + MARGIN / 2;
	text_at(c, c->text, (c->left + c->right - text_width(c->text, xlabel)) / 2, xl, xlabel, c->black);
	/* gdImageStringUp writes upwards from (x, y): y is where the label ends at the bottom */
	gdImageStringUp(c->im, c->text, MARGIN, (c->top + c->bottom + text_width(c->text, ylabel)) / 2,
			(unsigned char *)(uintptr_t)ylabel, c->black);
}

static void draw_data(canvas *c)
{
	const plot_picture *p = c->p;
	const plot_front *f = p->front;
	gdImageSetClip(c->im, c->left + 1, c->top + 1, c->right - 1, c->bottom - 1);
	if (p->tpot_text) {
		int x = px(c, 1000.0 / p->tpot_ms);
		int dash[8] = { c->mark, c->mark, c->mark, c->mark, gdTransparent, gdTransparent, gdTransparent, gdTransparent };
		gdImageSetStyle(c->im, dash, 8);
		gdImageLine(c->im, x, c->top + 1, x, c->bottom - 1, gdStyled);
		char label[96];
		snprintf(label, sizeof label, "TPOT %s ms", p->tpot_text);
		/* right of the line, or left of it when it stands at the box's right edge */
		int lx = x + 4 + text_width(c->ticks, label) < c->right ? x + 4 : x - 4 - text_width(c->ticks, label);
		text_at(c, c->ticks, lx, c->top + 4, label, c->black);
	}
	for (int m = 0; m < PLOT_MODES; m++) {
		const plot_series *s = &f->mode[m];
		gdImageSetThickness(c->im, 2);
		for (size_t i = 1; i < s->n; i++)
			gdImageLine(c->im, px(c, s->x[i - 1]), py(c, s->y[i - 1]), px(c, s->x[i]), py(c, s->y[i]), c->front[m]);
		gdImageSetThickness(c->im, 1);
		for (size_t i = 0; i < s->n; i++)
			marker(c, m, px(c, s->x[i]), py(c, s->y[i]));
	}
	if (f->has_chosen)
		gdImageFilledEllipse(c->im, px(c, f->chosen_x), py(c, f->chosen_y), DOT, DOT, c->red);
	gdImageSetClip(c->im, 0, 0, PLOT_WIDTH - 1, PLOT_HEIGHT - 1);
}

/* Below the x label, one entry a row: a sample of the line (or the dot), then its name. */
static void draw_legend(canvas *c)
{
	const plot_front *f = c->p->front;
	const char *names[PLOT_MODES + 1];
	int kinds[PLOT_MODES + 1], n = 0;
	char chosen[1024];
	for (int m = 0; m < PLOT_MODES; m++)
		if (f->mode[m].n > 0)
			names[n] = f->mode[m].name, kinds[n++] = m;
	if (f->has_chosen) {
		snprintf(chosen, sizeof chosen, "chosen: %s", f->chosen);
		names[n] = chosen, kinds[n++] = PLOT_MODES;
	}
	int longest = 0;
	for (int i = 0; i < n; i++) {
		int len = (int)strlen(names[i]);
		longest = len > longest ? len : longest;
	}
	gdFontPtr font = font_for(c, longest, PLOT_WIDTH - 3 * MARGIN - SAMPLE);
	int row = c->text->h + LINE_GAP;
	int x0 = (PLOT_WIDTH - SAMPLE - MARGIN - longest * font->w) / 2, y0 = PLOT_HEIGHT - MARGIN - n * row;
	if (x0 < MARGIN)
		x0 = MARGIN;
	for (int i = 0; i < n; i++) {
		int y = y0 + i * row, mid = y + c->text->h / 2;
		if (kinds[i] == PLOT_MODES) {
			gdImageFilledEllipse(c->im, x0 + SAMPLE / 2, mid, DOT, DOT, c->red);
		} else {
			gdImageSetThickness(c->im, 2);
			gdImageLine(c->im, x0, mid, x0 + SAMPLE, mid, c->front[kinds[i]]);
			gdImageSetThickness(c->im, 1);
			marker(c, kinds[i], x0 + SAMPLE / 2, mid);
		}
		text_at(c, font, x0 + SAMPLE + MARGIN, y + (c->text->h - font->h) / 2, names[i], c->black);
	}
}

int plot_draw_png(const plot_picture *p, void **png, size_t *n, char *err, size_t errn)
{
	canvas c = { .p = p, .text = gdFontGetLarge(), .ticks = gdFontGetMediumBold() };
	c.im = gdImageCreate(PLOT_WIDTH, PLOT_HEIGHT);
	if (!c.im)
		return diag_errf(err, errn, "cannot make a %d x %d image", PLOT_WIDTH, PLOT_HEIGHT);
	/* the first colour of a palette image is its background */
	c.white = gdImageColorAllocate(c.im, 255, 255, 255);
	c.black = gdImageColorAllocate(c.im, 0, 0, 0);
	c.grid = gdImageColorAllocate(c.im, 225, 225, 225);
	c.mark = gdImageColorAllocate(c.im, 102, 102, 102);
	c.red = gdImageColorAllocate(c.im, 255, 0, 0);
	/* gnuplot's first two line colours, which the earlier pictures had */
	c.front[PLOT_AGG] = gdImageColorAllocate(c.im, 148, 0, 211);
	c.front[PLOT_DISAGG] = gdImageColorAllocate(c.im, 0, 158, 115);
	place_box(&c);
	draw_titles(&c);
	draw_axes(&c);
	draw_data(&c);
	draw_legend(&c);
	/* zlib's fastest level: a third of the default's time for a file of 11 KB instead of 7 */
	int size = 0;
	*png = gdImagePngPtrEx(c.im, &size, 1);
	gdImageDestroy(c.im);
	if (!*png || size <= 0)
		return diag_errf(err, errn, "the PNG encoder failed");
	*n = (size_t)size;
	return 0;
}

void plot_draw_free(void *png)
{
	gdFree(png);
}
