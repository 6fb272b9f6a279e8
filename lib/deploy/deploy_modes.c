/* deploy_modes: see deploy_modes.h. */
#include "deploy_modes.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "fspath.h"

void deploy_mode_load(deploy_mode *m, const deploy_ctx *c, const char *csv, const char *out, long top_n)
{
	char err[1024];
	*m = (deploy_mode){ .c = *c };
	csvtab t;
	const char *load_path = strcmp(csv, "-") == 0 ? "/dev/stdin" : csv;
	if (csvtab_load(&t, load_path, err, sizeof err)) {
		if (strncmp(err, "/dev/stdin", 10) == 0)
			die(EXIT_DATA, "<stdin>%s", err + 10);
		die(EXIT_DATA, "%s", err);
	}
	if (strcmp(csv, "-") == 0) {
		free(t.path);
		t.path = xstrdup("<stdin>");
	}
	int kind = deploy_csv_is_disagg(&t);
	if (kind < 0)
		die(EXIT_DATA, "%s: not a best_config_topn.csv of `default` (no tp/bs or (p)tp/(d)tp columns)", t.path);
	m->c.disagg = kind == 1;
	if (t.nrows == 0)
		die(EXIT_DATA, "%s: no picks (the file has a header only)", t.path);
	snprintf(m->out, sizeof m->out, "%s", out);
	size_t n = t.nrows < (size_t)top_n ? t.nrows : (size_t)top_n;
	m->w.v = xcalloc(n, sizeof *m->w.v);
	m->w.cap = n;
	for (size_t i = 0; i < n; i++) {
		written_pick *wp = &m->w.v[m->w.n];
		if (deploy_pick_read(&m->c, &t, i, &wp->p, err, sizeof err))
			die(EXIT_DATA, "%s", err);
		m->w.n++;
		if (i == 0)
			snprintf(m->version, sizeof m->version, "%s", wp->p.version);
		wp->disagg = m->c.disagg;
		wp->index = i;
		snprintf(wp->dir, sizeof wp->dir, "%s/top%d", out, wp->p.rank);
	}
	m->t = t;
}

void deploy_mode_free_table(deploy_mode *m)
{
	csvtab_free(&m->t);
}

/* One mode's folders, then its exp_config.yaml. Thread-safe: it writes only its own folder and
 * reads the run's context (its own copy) and picks. */
typedef struct mode_job {
	deploy_mode *m;
	int rc;
	char err[1024];
} mode_job;

static void *write_mode(void *arg)
{
	mode_job *j = arg;
	deploy_mode *m = j->m;
	j->rc = -1;
	if (fspath_mkdir_p(m->out, j->err, sizeof j->err))
		return NULL;
	for (size_t i = 0; i < m->w.n; i++) {
		written_pick *wp = &m->w.v[i];
		if (fspath_mkdir_p(wp->dir, j->err, sizeof j->err) ||
		    deploy_write_pick(&m->c, &wp->p, wp->dir, &wp->files, j->err, sizeof j->err))
			return NULL;
	}
	char exp_path[4200];
	snprintf(exp_path, sizeof exp_path, "%s/exp_config.yaml", m->out);
	if (deploy_write_exp(&m->c, m->version, exp_path, j->err, sizeof j->err))
		return NULL;
	j->rc = 0;
	return NULL;
}

int deploy_modes_write(deploy_mode *modes, size_t n, written_picks *w, char *err, size_t errlen)
{
	if (n > 2)
		die(EXIT_DATA, "deploy_modes_write: %zu modes (agg and disagg at most)", n);
	mode_job jobs[2] = { { .m = &modes[0] }, { .m = n > 1 ? &modes[1] : NULL } };
	/* the second mode on a thread of its own; none to be had: written here, after the first */
	pthread_t thread;
	bool started = n > 1 && pthread_create(&thread, NULL, write_mode, &jobs[1]) == 0;
	if (n > 0)
		write_mode(&jobs[0]);
	if (started)
		pthread_join(thread, NULL);
	else if (n > 1)
		write_mode(&jobs[1]);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (jobs[i].rc) {
			snprintf(err, errlen, "%s", jobs[i].err);
			rc = -1;
		}
	for (size_t i = 0; i < n; i++) {
		written_picks *mw = &modes[i].w;
		if (w->n + mw->n > w->cap) {
			w->cap = w->n + mw->n;
			w->v = xrealloc(w->v, w->cap * sizeof *w->v);
		}
		memcpy(w->v + w->n, mw->v, mw->n * sizeof *mw->v);
		w->n += mw->n;
		free(mw->v);
		*mw = (written_picks){ 0 };
	}
	return rc;
}
