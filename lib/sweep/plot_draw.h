/* plot_draw: a plot_picture as a 900 x 600 PNG, drawn with libgd and its built-in bitmap fonts
 * (no font files, no FreeType, no fontconfig: what made the gnuplot it replaces slow to start). */
#ifndef INFERCAST_PLOT_DRAW_H
#define INFERCAST_PLOT_DRAW_H

#include <stddef.h>

#include "plot_picture.h"

enum { PLOT_WIDTH = 900, PLOT_HEIGHT = 600 };

/* The PNG's bytes in *png (free with plot_draw_free), *n of them: 0, or -1 with err set. The
 * chosen point and its legend mark are the picture's only pure red (255, 0, 0) pixels. */
int plot_draw_png(const plot_picture *p, void **png, size_t *n, char *err, size_t errn);
void plot_draw_free(void *png);

#endif
