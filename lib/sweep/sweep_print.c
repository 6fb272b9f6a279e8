#include "sweep_print.h"

#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "diag.h"
#include "jsonl.h"

/* Whether a mode's rows were priced by the load model (agg under --fidelity load). */
static bool load_priced(const sweep_mode_result *m)
{
	return m->ran && m->results.n && !m->results.rows[0].disagg && m->results.rows[0].a.load;
}

int sweep_chosen(const sweep_mode_result *m, int n)
{
	int best = -1;
	for (int i = 0; i < n; i++)
		if (m[i].ran && (best < 0 || m[i].best_throughput > m[best].best_throughput))
			best = i;
	return best;
}

/* ------------------------------------------------------------ aligned tables */

enum { MAX_COLS = 24, CELL = 64, TABLE_WIDTH = 120 };

typedef struct table {
	int ncols, nrows;
	char head[MAX_COLS][CELL];
	char (*cells)[MAX_COLS][CELL];
} table;

/* The columns one box shows: cols[0..n). */
static void rule(FILE *o, const size_t *w, const int *cols, int n)
{
	for (int i = 0; i < n; i++) {
		fputc('+', o);
		for (size_t k = 0; k < w[cols[i]] + 2; k++)
			fputc('-', o);
	}
	fputs("+\n", o);
}

/* A line of centred cells, as PrettyTable draws them. */
static void line(FILE *o, const size_t *w, const int *cols, int n, const char (*cells)[CELL])
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(cells[cols[i]]), pad = w[cols[i]] - len, left = pad / 2;
		fprintf(o, "| %*s%s%*s ", (int)left, "", cells[cols[i]], (int)(pad - left), "");
	}
	fputs("|\n", o);
}

/* PrettyTable's box, wrapped into boxes of at most TABLE_WIDTH columns of text, each after the
 * first repeating the first column (the rank) so that its rows can be told apart. */
static void table_print(FILE *o, const table *t)
{
	size_t w[MAX_COLS];
	for (int c = 0; c < t->ncols; c++) {
		w[c] = strlen(t->head[c]);
		for (int r = 0; r < t->nrows; r++)
			if (strlen(t->cells[r][c]) > w[c])
				w[c] = strlen(t->cells[r][c]);
	}
	for (int next = 0; next < t->ncols;) {
		int cols[MAX_COLS], n = 0;
		size_t width = 1;
		if (next > 0) {
			cols[n++] = 0;
			width += w[0] + 3;
		}
		/* at least one column per box, however wide */
		while (next < t->ncols && (n == 0 || (next > 0 && n == 1) || width + w[next] + 3 <= TABLE_WIDTH)) {
			width += w[next] + 3;
			cols[n++] = next++;
		}
		rule(o, w, cols, n);
		line(o, w, cols, n, t->head);
		rule(o, w, cols, n);
		for (int r = 0; r < t->nrows; r++)
			line(o, w, cols, n, t->cells[r]);
		rule(o, w, cols, n);
	}
}

static void set_head(table *t, const char *const *names, int n)
{
	t->ncols = n;
	for (int i = 0; i < n; i++)
		snprintf(t->head[i], CELL, "%s", names[i]);
}

static void layout_text(const sweep_layout *l, bool is_moe, char *parallel, char *per_worker)
{
	if (is_moe) {
		snprintf(parallel, CELL, "tp%dpp%ddp%detp%dep%d", l->tp, l->pp, l->dp, l->moe_tp, l->moe_ep);
		snprintf(per_worker, CELL, "%d (=%dx%dx%d)", l->pp * l->tp * l->dp, l->tp, l->pp, l->dp);
	} else {
		snprintf(parallel, CELL, "tp%dpp%d", l->tp, l->pp);
		snprintf(per_worker, CELL, "%d (=%dx%d)", l->pp * l->tp, l->tp, l->pp);
	}
}

/* The top configurations of one mode under the TPOT (or request latency) target, scaled to the
 * cluster. */
static void mode_table(FILE *o, const sweep_mode_result *m, const pick_common *c, bool is_moe,
		       const pick_targets *t)
{
	pick_table top = {0};
	bool by_latency = t->request_latency > 0;
	for (size_t i = 0; i < m->best.n; i++)
		if ((by_latency ? m->best.rows[i].request_latency <= t->request_latency : m->best.rows[i].tpot <= t->tpot) &&
		    (long)top.n < t->top_n) {
			if (top.n == top.cap) {
				top.cap = top.cap ? 2 * top.cap : 8;
				top.rows = xrealloc(top.rows, top.cap * sizeof *top.rows);
			}
			top.rows[top.n++] = m->best.rows[i];
		}
	if (top.n == 0) {
		fprintf(o, "\nNo configurations for %s met the %s constraint.\n", m->name,
			by_latency ? "request latency" : "TPOT");
		return;
	}
	fprintf(o, "\n%s Top Configurations: (Sorted by tokens/s/gpu)\n", m->name);
	/* the reference's columns, each quantity with its unit, and which tables priced the row */
	static const char *const agg_cols[] = {"Rank", "backend", "version", "database", "tokens/s/gpu", "tokens/s/user",
					       "req/s", "TTFT ms", "request_latency ms", "concurrency req",
					       "total_gpus (used)", "replicas", "gpus/replica", "gpus/worker", "parallel",
					       "bs req"};
	static const char *const dis_cols[] = {"Rank", "backend", "version", "database", "tokens/s/gpu", "tokens/s/user",
					       "req/s", "TTFT ms", "request_latency ms", "concurrency req",
					       "total_gpus (used)", "replicas", "gpus/replica", "(p)workers",
					       "(p)gpus/worker", "(p)parallel", "(p)bs req", "(d)workers",
					       "(d)gpus/worker", "(d)parallel", "(d)bs req"};
	table tb = {0};
	bool dis = m->best.n && m->best.rows[0].disagg;
	if (dis)
		set_head(&tb, dis_cols, (int)(sizeof dis_cols / sizeof *dis_cols));
	else
		set_head(&tb, agg_cols, (int)(sizeof agg_cols / sizeof *agg_cols));
	tb.nrows = (int)top.n;
	tb.cells = xcalloc(top.n, sizeof *tb.cells);
	for (size_t i = 0; i < top.n; i++) {
		const pick_row *r = &top.rows[i];
		char(*cell)[CELL] = tb.cells[i];
		long replicas = t->total_gpus / r->num_total_gpus;
		int k = 0;
		snprintf(cell[k++], CELL, "%zu", i + 1);
		snprintf(cell[k++], CELL, "%s", c->backend);
		snprintf(cell[k++], CELL, "%s", c->version[0] ? c->version : "-");
		snprintf(cell[k++], CELL, "%s", c->database_mode[0] ? c->database_mode : "-");
		snprintf(cell[k++], CELL, "%.2f", r->tokens_s_gpu_cluster);
		snprintf(cell[k++], CELL, "%.2f", r->tokens_s_user);
		snprintf(cell[k++], CELL, "%.2f", r->request_rate * (double)replicas);
		snprintf(cell[k++], CELL, "%.2f", r->ttft);
		snprintf(cell[k++], CELL, "%.2f", r->request_latency);
		long conc = (long)r->concurrency;
		snprintf(cell[k++], CELL, "%ld (=%ldx%ld)", conc * replicas, conc, replicas);
		snprintf(cell[k++], CELL, "%ld (%ld=%ldx%ld)", t->total_gpus, r->num_total_gpus * replicas, replicas,
			 r->num_total_gpus);
		snprintf(cell[k++], CELL, "%ld", replicas);
		char par[CELL], per[CELL];
		if (!dis) {
			layout_text(&r->a.layout, is_moe, par, per);
			snprintf(cell[k++], CELL, "%ld", r->num_total_gpus);
			snprintf(cell[k++], CELL, "%s", per);
			snprintf(cell[k++], CELL, "%s", par);
			snprintf(cell[k++], CELL, "%ld", r->a.batch);
			continue;
		}
		snprintf(cell[k++], CELL, "%ld (=%ldx%ld+%ldx%ld)", r->num_total_gpus, r->p_workers,
			 r->p.num_total_gpus, r->d_workers, r->d.num_total_gpus);
		const side_point *side[2] = {&r->p, &r->d};
		long workers[2] = {r->p_workers, r->d_workers};
		for (int s = 0; s < 2; s++) {
			layout_text(&side[s]->layout, is_moe, par, per);
			snprintf(cell[k++], CELL, "%ld", workers[s]);
			snprintf(cell[k++], CELL, "%s", per);
			snprintf(cell[k++], CELL, "%s", par);
			snprintf(cell[k++], CELL, "%ld", side[s]->batch);
		}
	}
	table_print(o, &tb);
	free(tb.cells);
	free(top.rows);
}

/* 1234567.891 -> "1,234,567.89" */
static void grouped(double v, char *buf, size_t n)
{
	char raw[64];
	snprintf(raw, sizeof raw, "%.2f", v);
	const char *dot = strchr(raw, '.');
	size_t intlen = (size_t)(dot - raw), k = 0;
	size_t start = raw[0] == '-' ? 1 : 0;
	if (start)
		buf[k++] = '-';
	for (size_t i = start; i < intlen && k + 2 < n; i++) {
		buf[k++] = raw[i];
		size_t left = intlen - i - 1;
		if (left && left % 3 == 0)
			buf[k++] = ',';
	}
	snprintf(buf + k, n - k, "%s", dot);
}

void sweep_print_summary(FILE *o, const sweep_mode_result *m, int n, const pick_common *c, bool is_moe,
			 const pick_targets *t, const char *save_dir, const sweep_print_words *words)
{
	int ch = sweep_chosen(m, n);
	const char *dash = "  ----------------------------------------------------------------------------";
	fputs("********************************************************************************\n", o);
	fprintf(o, "*%-78s*\n", "                         infercast default: final results");
	fputs("********************************************************************************\n", o);
	fprintf(o, "%s\n  Input Configuration & SLA Target:\n", dash);
	fprintf(o, "    Model: %s (is_moe: %s)\n", c->model, is_moe ? "True" : "False");
	fprintf(o, "    Total GPUs: %ld\n", t->total_gpus);
	/* which tables priced it: a speed-of-light or hybrid search must not pass for a measured one */
	fprintf(o, "    System: %s, backend %s %s, database mode %s\n", c->system, c->backend, c->version,
		c->database_mode[0] ? c->database_mode : "-");
	if (t->request_latency > 0)
		fprintf(o, "    Workload: isl %ld, osl %ld, prefix %ld tokens; request latency <= %g ms\n", c->isl, c->osl,
			c->prefix, t->request_latency);
	else
		fprintf(o, "    Workload: isl %ld, osl %ld, prefix %ld tokens; TTFT <= %g ms, TPOT <= %g ms\n", c->isl,
			c->osl, c->prefix, t->ttft, t->tpot);
	/* two kinds of number side by side must say so: agg's are the load model's */
	bool disagg_ran = false;
	for (int i = 0; i < n; i++)
		disagg_ran |= m[i].ran && strcmp(m[i].name, "disagg") == 0;
	for (int i = 0; i < n; i++)
		if (load_priced(&m[i]))
			fprintf(o, "    Latency model: %s by infercast's load model (%s, docs/accuracy.md)%s\n", m[i].name,
				words->load_fidelity, disagg_ran ? "; disagg by the reference's static workers" : "");
	double agg = 0, dis = 0;
	for (int i = 0; i < n; i++) {
		if (!m[i].ran)
			continue;
		if (strcmp(m[i].name, "agg") == 0)
			agg = m[i].best_throughput;
		else
			dis = m[i].best_throughput;
	}
	double ratio = agg > 0 && dis > 0 ? dis / agg : 0.0;
	/* the better mode's factor over the other: never "disagg 0.63x better" */
	if (ch >= 0 && ratio >= 1)
		fprintf(o, "    Best Experiment Chosen: %s at %.2f tokens/s/gpu (disagg %.2fx better)\n", m[ch].name,
			m[ch].best_throughput, ratio);
	else if (ch >= 0 && ratio > 0)
		fprintf(o, "    Best Experiment Chosen: %s at %.2f tokens/s/gpu (agg %.2fx better)\n", m[ch].name,
			m[ch].best_throughput, 1 / ratio);
	else if (ch >= 0)
		fprintf(o, "    Best Experiment Chosen: %s at %.2f tokens/s/gpu (the only mode searched)\n", m[ch].name,
			m[ch].best_throughput);
	fprintf(o, "%s\n  Overall Best Configuration:\n", dash);
	if (ch >= 0 && m[ch].best.n) {
		const pick_row *b = &m[ch].best.rows[0];
		char tot[64];
		grouped(m[ch].best_throughput * (double)t->total_gpus, tot, sizeof tot);
		long replicas = t->total_gpus / b->num_total_gpus;
		fprintf(o, "    - Best Throughput: %s tokens/s\n", tot);
		fprintf(o, "    - Per-GPU Throughput: %.2f tokens/s/gpu\n", m[ch].best_throughput);
		fprintf(o, "    - Per-User Throughput: %.2f tokens/s/user\n", b->tokens_s_user);
		fprintf(o, "    - Request Rate: %.2f req/s\n", b->request_rate * (double)replicas);
		fprintf(o, "    - TTFT: %.2fms\n", b->ttft);
		fprintf(o, "    - TPOT: %.2fms\n", b->tpot);
		fprintf(o, "    - Request Latency: %.2fms\n", b->request_latency);
	}
	fprintf(o, "%s\n  Pareto Frontier (tokens/s/gpu_cluster against %s):", dash,
		t->request_latency > 0 ? "request_latency" : "tokens/s/user");
	for (int i = 0; i < n; i++)
		if (m[i].ran)
			fprintf(o, "%s %s %zu points", i ? ";" : "", m[i].name, m[i].front.n);
	fputs("\n   ", o);
	if (save_dir) {
		fputs(" saved as", o);
		for (int i = 0, k = 0; i < n; i++)
			if (m[i].ran)
				fprintf(o, "%s %s/%s/pareto.csv", k++ ? "," : "", save_dir, m[i].name);
		fputc('\n', o);
	} else {
		fprintf(o, " %s\n", words->unsaved);
	}
	fprintf(o, "%s\n  Deployment Details:\n", dash);
	fputs("    (p) stands for prefill, (d) stands for decode, bs stands for batch size,\n"
	      "    a replica stands for the smallest scalable unit xPyD of the disagg system\n",
	      o);
	fputs("    Some math: total gpus used = replicas * gpus/replica\n", o);
	fputs("               gpus/replica = (p)gpus/worker * (p)workers + (d)gpus/worker * (d)workers;\n"
	      "               for Agg, gpus/replica = gpus/worker\n",
	      o);
	fputs("               gpus/worker = tp * pp * dp = etp * ep * pp for MoE models; tp * pp for dense models\n",
	      o);
	for (int i = 0; i < n; i++) {
		if (m[i].ran)
			mode_table(o, &m[i], c, is_moe, t);
		else if (m[i].failure[0])
			fprintf(o, "\n%s: %s\n", m[i].name, m[i].failure);
	}
	fputs("********************************************************************************\n", o);
}

/* ------------------------------------------------------------ JSON Lines */

/* strtod's reading of a plain decimal ([-]digits[.digits], at most 15 significant digits and 22
 * after the point, as the CSV text's numbers are): the digits as an integer over a power of ten,
 * one correctly rounded division of two exact doubles, which is what strtod gives. False for
 * any other text, which strtod reads (strtod was most of writing the JSON Lines). */
static bool plain_decimal(const char *p, double *out)
{
	static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
					1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	bool neg = *p == '-', dot = false, any = false;
	if (neg)
		p++;
	unsigned long long n = 0;
	int digits = 0, frac = 0;
	for (;; p++) {
		if (*p >= '0' && *p <= '9') {
			any = true;
			if (n || *p != '0')
				digits++;
			if (digits > 15)
				return false;
			n = n * 10 + (unsigned long long)(*p - '0');
			frac += dot;
		} else if (*p == '.' && !dot) {
			dot = true;
		} else {
			break;
		}
	}
	if (*p || !any || frac > 22)
		return false;
	double d = (double)n / pow10[frac];
	*out = neg ? -d : d;
	return true;
}

/* The CSV text of a table, read back as objects keyed by its header. */
static void rows_as_json(const char *mode, const char *kind, const pick_table *t, const pick_common *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	if (!mem)
		die(EXIT_DATA, "out of memory");
	pick_write_csv(mem, t, t->n && t->rows[0].disagg, c);
	fclose(mem);
	char *save = NULL;
	char *header = strtok_r(text, "\n", &save);
	char *names[96];
	int nn = 0;
	char *hs = NULL;
	for (char *h = strtok_r(header, ",", &hs); h && nn < 96; h = strtok_r(NULL, ",", &hs))
		names[nn++] = h;
	long rank = 0;
	size_t k = 0;
	for (char *line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save), k++) {
		/* a load-model row: its columns without a number are null, and it says which model */
		bool load = k < t->n && !t->rows[k].disagg && t->rows[k].a.load;
		cJSON *rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "record", kind);
		cJSON_AddStringToObject(rec, "mode", mode);
		if (strcmp(kind, "best") == 0)
			cJSON_AddNumberToObject(rec, "rank", (double)++rank);
		if (load)
			cJSON_AddStringToObject(rec, "latency_model", "load");
		cJSON *row = cJSON_AddObjectToObject(rec, "row");
		/* fields are plain (no quoted commas: model names and numbers); the keys are the
		 * header's text, which outlives the record (not copied) */
		char *p = line;
		for (int i = 0; i < nn; i++) {
			char *end = strchr(p, ',');
			if (end)
				*end = 0;
			char *num_end;
			double v;
			if (plain_decimal(p, &v))
				num_end = p + strlen(p);
			else
				v = strtod(p, &num_end);
			if (*p && *num_end == 0 && strcmp(p, "nan") && strcmp(p, "inf"))
				cJSON_AddItemToObjectCS(row, names[i], cJSON_CreateNumber(v));
			else if (load && !*p)
				cJSON_AddItemToObjectCS(row, names[i], cJSON_CreateNull());
			else
				cJSON_AddItemToObjectCS(row, names[i], cJSON_CreateString(p));
			if (!end)
				break;
			p = end + 1;
		}
		jsonl_write(rec);
		cJSON_Delete(rec);
	}
	free(text);
}

void sweep_print_jsonl(const sweep_mode_result *m, int n, const pick_common *c)
{
	int ch = sweep_chosen(m, n);
	cJSON *rec = cJSON_CreateObject();
	cJSON_AddStringToObject(rec, "record", "chosen");
	cJSON_AddStringToObject(rec, "mode", ch >= 0 ? m[ch].name : "");
	cJSON_AddNumberToObject(rec, "tokens_per_s_per_gpu", ch >= 0 ? m[ch].best_throughput : 0.0);
	for (int i = 0; i < n; i++) {
		char key[64];
		snprintf(key, sizeof key, "%s_tokens_per_s_per_gpu", m[i].name);
		cJSON_AddNumberToObject(rec, key, m[i].ran ? m[i].best_throughput : 0.0);
	}
	/* which model priced agg, where it is not the reference's run_agg */
	for (int i = 0; i < n; i++)
		if (load_priced(&m[i])) {
			char key[64];
			snprintf(key, sizeof key, "%s_latency_model", m[i].name);
			cJSON_AddStringToObject(rec, key, "load");
		}
	/* which tables priced it (a speed-of-light search must not pass for a measured one) */
	cJSON_AddStringToObject(rec, "version", c->version);
	if (c->database_mode[0])
		cJSON_AddStringToObject(rec, "database_mode", c->database_mode);
	else
		cJSON_AddNullToObject(rec, "database_mode");
	jsonl_write(rec);
	cJSON_Delete(rec);
	for (int i = 0; i < n; i++) {
		if (!m[i].ran)
			continue;
		rows_as_json(m[i].name, "best", &m[i].best, c);
		rows_as_json(m[i].name, "front", &m[i].front, c);
	}
}
