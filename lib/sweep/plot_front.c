/* plot_front: the saved CSV files through csvtab; numbers checked as they are read, so that a
 * garbled file is refused rather than drawn as zeros. */
#include "plot_front.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvtab.h"
#include "diag.h"

/* Whether path is there with something in it: a missing or 0-byte file means "nothing of this
 * mode", as pareto leaves a mode it did not search; anything else (a folder, no permission) is
 * left to csvtab_load to name. */
static bool has_content(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno != ENOENT;
	return !S_ISREG(st.st_mode) || st.st_size > 0;
}

/* dir/mode/file, allocated: no length limit on the folder the user names */
static char *mode_file(const char *dir, const char *mode, const char *file)
{
	size_t len = strlen(dir) + strlen(mode) + strlen(file) + 3;
	char *path = xmalloc(len);
	snprintf(path, len, "%s/%s/%s", dir, mode, file);
	return path;
}

static int column(const csvtab *t, const char *name, char *err, size_t errn)
{
	int c = csvtab_col(t, name);
	if (c < 0)
		diag_errf(err, errn, "%s: no '%s' column in the header", t->path, name);
	return c;
}

/* The number in row r, column c: finite, the whole field. */
static int cell_number(const csvtab *t, size_t r, int c, double *v, char *err, size_t errn)
{
	const char *s = t->rows[r][c];
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	if (end == s || *end || errno == ERANGE || !isfinite(*v))
		return diag_errf(err, errn, "%s:%ld: %s '%s' is not a number", t->path, t->lines[r], t->header[c], s);
	return 0;
}

static int load_series(plot_front *f, int m, const char *dir, char *err, size_t errn)
{
	plot_series *s = &f->mode[m];
	char *path = mode_file(dir, s->name, "pareto.csv");
	csvtab t;
	int loaded = has_content(path) ? csvtab_load(&t, path, err, errn) : 1;
	free(path);
	if (loaded != 0)
		return loaded < 0 ? -1 : 0;
	int cx = column(&t, "tokens/s/user", err, errn), cy = cx < 0 ? -1 : column(&t, "tokens/s/gpu", err, errn);
	int rc = cy < 0 ? -1 : 0;
	if (rc == 0 && t.nrows > 0) {
		s->x = xmalloc(t.nrows * sizeof *s->x);
		s->y = xmalloc(t.nrows * sizeof *s->y);
		for (size_t r = 0; r < t.nrows && rc == 0; r++)
			rc = cell_number(&t, r, cx, &s->x[r], err, errn) || cell_number(&t, r, cy, &s->y[r], err, errn) ? -1 : 0;
		s->n = rc == 0 ? t.nrows : 0;
		int cm = csvtab_col(&t, "model");
		if (rc == 0 && cm >= 0 && !f->model)
			f->model = xstrdup(t.rows[0][cm]);
	}
	csvtab_free(&t);
	return rc;
}

/* The description of a best row, from the named columns (agg: its layout and batch; disagg:
 * each side's workers, layout and batch), or NULL with err set. */
static char *describe_pick(const csvtab *t, int m, char *err, size_t errn)
{
	static const char *const agg[] = { "parallel", "bs" };
	static const char *const disagg[] = { "(p)workers", "(p)parallel", "(p)bs", "(d)workers", "(d)parallel", "(d)bs" };
	const char *const *names = m == PLOT_AGG ? agg : disagg;
	size_t n = m == PLOT_AGG ? 2 : 6;
	const char *v[6];
	for (size_t i = 0; i < n; i++) {
		int c = column(t, names[i], err, errn);
		if (c < 0)
			return NULL;
		v[i] = t->rows[0][c];
	}
	size_t len = 64;
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]);
	char *s = xmalloc(len);
	if (m == PLOT_AGG)
		snprintf(s, len, "agg %s bs %s", v[0], v[1]);
	else
		snprintf(s, len, "disagg %sx (p)%s bs %s + %sx (d)%s bs %s", v[0], v[1], v[2], v[3], v[4], v[5]);
	return s;
}

/* The best first row of the two best_config_topn.csv files: the higher tokens/s/gpu_cluster; a
 * tie to the greater "cluster x y description" text (what the pipeline's sort gave before). */
static int load_pick(plot_front *f, int m, const char *dir, char **best_key, double *best_k, char *err, size_t errn)
{
	char *path = mode_file(dir, f->mode[m].name, "best_config_topn.csv");
	csvtab t;
	int loaded = has_content(path) ? csvtab_load(&t, path, err, errn) : 1;
	free(path);
	if (loaded != 0)
		return loaded < 0 ? -1 : 0;
	int rc = 0;
	if (t.nrows > 0) {
		int ck = column(&t, "tokens/s/gpu_cluster", err, errn);
		int cx = ck < 0 ? -1 : column(&t, "tokens/s/user", err, errn);
		int cy = cx < 0 ? -1 : column(&t, "tokens/s/gpu", err, errn);
		double k, x, y;
		char *desc = NULL;
		if (cy < 0 || cell_number(&t, 0, ck, &k, err, errn) || cell_number(&t, 0, cx, &x, err, errn) ||
		    cell_number(&t, 0, cy, &y, err, errn) || !(desc = describe_pick(&t, m, err, errn))) {
			rc = -1;
		} else {
			size_t len = strlen(t.rows[0][ck]) + strlen(t.rows[0][cx]) + strlen(t.rows[0][cy]) + strlen(desc) + 4;
			char *key = xmalloc(len);
			snprintf(key, len, "%s %s %s %s", t.rows[0][ck], t.rows[0][cx], t.rows[0][cy], desc);
			if (!f->chosen || k > *best_k || (k == *best_k && strcmp(key, *best_key) > 0)) {
				free(f->chosen);
				free(*best_key);
				f->chosen = desc, *best_key = key, *best_k = k;
				f->chosen_x = x, f->chosen_y = y;
				desc = key = NULL;
			}
			free(desc);
			free(key);
		}
	}
	csvtab_free(&t);
	return rc;
}

int plot_front_load(plot_front *f, const char *dir, char *err, size_t errn)
{
	memset(f, 0, sizeof *f);
	f->mode[PLOT_AGG].name = "agg";
	f->mode[PLOT_DISAGG].name = "disagg";
	struct stat st;
	if (stat(dir, &st) != 0)
		return diag_errf(err, errn, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return diag_errf(err, errn, "%s: not a folder (the saved run's, holding agg/ and disagg/)", dir);
	char *best_key = NULL;
	double best_k = 0;
	int rc = 0;
	for (int m = 0; m < PLOT_MODES && rc == 0; m++)
		rc = load_series(f, m, dir, err, errn);
	for (int m = 0; m < PLOT_MODES && rc == 0; m++)
		rc = load_pick(f, m, dir, &best_key, &best_k, err, errn);
	free(best_key);
	if (rc == 0 && f->mode[PLOT_AGG].n == 0 && f->mode[PLOT_DISAGG].n == 0)
		rc = diag_errf(err, errn, "%s: no point to draw (neither agg/pareto.csv nor disagg/pareto.csv has a row)", dir);
	if (rc != 0) {
		plot_front_free(f);
		return -1;
	}
	f->has_chosen = f->chosen != NULL;
	return 0;
}

void plot_front_free(plot_front *f)
{
	for (int m = 0; m < PLOT_MODES; m++) {
		free(f->mode[m].x);
		free(f->mode[m].y);
	}
	free(f->model);
	free(f->chosen);
	memset(f, 0, sizeof *f);
}

char *plot_front_title(const plot_front *f, const char *text, char *err, size_t errn)
{
	static const char mark[] = "{model}";
	const char *at = strstr(text, mark);
	if (!at)
		return xstrdup(text);
	if (!f->model) {
		diag_errf(err, errn, "the title names {model} and no pareto.csv has a model column");
		return NULL;
	}
	/* every {model} of the line, not just the first */
	size_t count = 0;
	for (const char *p = at; p; p = strstr(p + sizeof mark - 1, mark))
		count++;
	size_t len = strlen(text) + count * strlen(f->model) + 1;
	char *s = xmalloc(len), *o = s;
	const char *p = text;
	while ((at = strstr(p, mark))) {
		memcpy(o, p, (size_t)(at - p));
		o += at - p;
		o += sprintf(o, "%s", f->model);
		p = at + sizeof mark - 1;
	}
	strcpy(o, p);
	return s;
}
