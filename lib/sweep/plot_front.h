/* plot_front: what the Pareto picture of a saved run shows, read from its folder (pareto's
 * --save-dir): each mode's front (agg/pareto.csv, disagg/pareto.csv: tokens/s/gpu against
 * tokens/s/user), the model they are of, and the chosen configuration (the best first row of
 * agg/ and disagg/best_config_topn.csv). Columns are found by their header names. */
#ifndef INFERCAST_PLOT_FRONT_H
#define INFERCAST_PLOT_FRONT_H

#include <stdbool.h>
#include <stddef.h>

enum { PLOT_AGG, PLOT_DISAGG, PLOT_MODES };

typedef struct plot_series {
	const char *name;   /* "agg", "disagg" */
	size_t n;           /* points; 0: the mode is not drawn (no file, an empty one, a header alone) */
	double *x, *y;      /* tokens/s/user, tokens/s/gpu, in the file's order */
} plot_series;

typedef struct plot_front {
	plot_series mode[PLOT_MODES];
	char *model;        /* the first row's model column, NULL when no front has one */
	bool has_chosen;
	double chosen_x, chosen_y;
	char *chosen;       /* "disagg 4x (p)tp1pp1dp1etp1ep1 bs 1 + 1x (d)tp4pp1dp1etp1ep1 bs 280" */
} plot_front;

/* Read dir/{agg,disagg}/{pareto,best_config_topn}.csv. A missing or empty (0-byte) file is a
 * mode without points or without a pick; a garbled one (bad CSV, a needed column missing, a
 * number that is not one) is an error: -1 with "FILE:LINE: what" in err. So is a folder with no
 * point to draw at all. The chosen configuration is set only when a front is drawn. */
int plot_front_load(plot_front *f, const char *dir, char *err, size_t errn);
void plot_front_free(plot_front *f);

/* A title line with "{model}" replaced by f->model: a new string, or NULL with a message in err
 * when the line asks for the model and no front names one. */
char *plot_front_title(const plot_front *f, const char *text, char *err, size_t errn);

#endif
