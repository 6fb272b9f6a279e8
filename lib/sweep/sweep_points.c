/* sweep_points: the reports of a sweep read into priced points, and one mode's search over them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datadir.h"
#include "diag.h"
#include "jsonl.h"
#include "sweep_points.h"
#include "jsonarena.h"
#include "sweep_report.h"
#include "systems.h"

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? 2 * *cap : 256;
	p = realloc(p, *cap * size);
	if (!p)
		die(EXIT_DATA, "out of memory");
	return p;
}

/* An unpriced point's reason points into its report, which is about to go: keep a copy. */
static void own_error(sweep_points *pt, sweep_report_kind k)
{
	const char **e = k == SWEEP_REPORT_AGG       ? &pt->agg[pt->nagg - 1].error
			 : k == SWEEP_REPORT_PREFILL ? &pt->prefill[pt->nprefill - 1].error
			 : k == SWEEP_REPORT_DECODE  ? &pt->decode[pt->ndecode - 1].error
						     : NULL;
	if (!e || !*e)
		return;
	char *copy = strdup(*e);
	if (!copy)
		die(EXIT_DATA, "out of memory");
	*e = copy;
}

void sweep_points_free(sweep_points *pt)
{
	for (size_t i = 0; i < pt->nagg; i++)
		free((char *)pt->agg[i].error);
	for (size_t i = 0; i < pt->nprefill; i++)
		free((char *)pt->prefill[i].error);
	for (size_t i = 0; i < pt->ndecode; i++)
		free((char *)pt->decode[i].error);
	free(pt->agg);
	free(pt->prefill);
	free(pt->decode);
	cJSON_Delete(pt->first);
}

void sweep_points_read(sweep_points *pt, double kv_fraction, const double corrections[2], long expect)
{
	jsonl_reader r;
	jsonl_open(&r, NULL);
	bool progress = expect > 0 && isatty(STDERR_FILENO);
	long seen = 0;
	char err[512];
	/* each report parsed in reused blocks (lib/util/jsonarena: no malloc per member, half of
	 * pareto's time went to cJSON's parse and delete); what the arena's strict parse leaves is
	 * parsed by cJSON, which says what is wrong as ever. The points copy what they keep. */
	static jsonarena arena;
	while (jsonl_next_text(&r)) {
		bool in_arena;
		cJSON *rec = jsonarena_parse_line(&arena, &r, &in_arena);
		sweep_report_kind k = sweep_report_kind_of(rec);
		int rc = 0;
		if (k == SWEEP_REPORT_AGG) {
			pt->agg = grow(pt->agg, &pt->cap_agg, pt->nagg, sizeof *pt->agg);
			rc = sweep_agg_point(rec, kv_fraction, &pt->agg[pt->nagg++], err, sizeof err);
		} else if (k == SWEEP_REPORT_PREFILL) {
			pt->prefill = grow(pt->prefill, &pt->cap_prefill, pt->nprefill, sizeof *pt->prefill);
			rc = sweep_side_point(rec, corrections[0], &pt->prefill[pt->nprefill++], err, sizeof err);
		} else if (k == SWEEP_REPORT_DECODE) {
			pt->decode = grow(pt->decode, &pt->cap_decode, pt->ndecode, sizeof *pt->decode);
			rc = sweep_side_point(rec, corrections[1], &pt->decode[pt->ndecode++], err, sizeof err);
		}
		if (rc)
			jsonl_fail(&r, "%s", err);
		own_error(pt, k);
		if (k != SWEEP_REPORT_OTHER && !pt->first) {
			/* kept: on the heap (the arena's tree goes with the next record) */
			pt->first = in_arena ? jsonarena_parse_heap(r.text, r.text_len) : rec;
			if (!pt->first)
				die(EXIT_DATA, "out of memory");
			pt->is_moe = sweep_report_is_moe(pt->first);
		} else if (!in_arena) {
			cJSON_Delete(rec);
		}
		if (progress && k != SWEEP_REPORT_OTHER && (++seen % 32 == 0 || seen == expect))
			fprintf(stderr, "\r%s: %ld/%ld configurations priced", diag_progname(), seen, expect);
	}
	if (progress && seen)
		fputc('\n', stderr);
	jsonl_close(&r);
	jsonarena_free(&arena);
	if (!pt->first)
		die(EXIT_DATA, "no report records on input (expected the reports of sweep | opgraph | query | aggregate, with their ops)");
}

/* The version column: the report's, else the newest data folder the tools used. */
const char *sweep_points_version(const cJSON *rep, const char *data_dir, char *buf, size_t n)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rep, "version"));
	if (v)
		return v;
	const char *sys_name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rep, "system"));
	const char *backend = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rep, "backend"));
	char err[512];
	const struct system_spec *sys = sys_name ? system_load(sys_name, err, sizeof err) : NULL;
	struct perf_data_path p;
	if (!sys || !backend || datadir_resolve(data_dir, sys, backend, NULL, &p, err, sizeof err))
		return "";
	snprintf(buf, n, "%s", p.version);
	return buf;
}

/* Why a side or mode has nothing to search, in the reference's order: layouts whose runs
 * raised (it shows the last exception), else memory. false when there is something. */
static bool nothing_usable(const pick_status *st, const char *what, char *why, size_t n)
{
	if (st->usable)
		return false;
	if (st->failed_layouts)
		snprintf(why, n, "%sno worker layout could be priced (%zu failed; the last: %s)", what,
			 st->failed_layouts, st->last_error);
	else
		snprintf(why, n, "the model does not fit in GPU memory with any worker layout: use more GPUs, a "
				 "quantized model or a system with more memory per GPU");
	return true;
}

/* The lowest TTFT of the mode's points that fit and were priced (agg points; prefill workers for
 * disagg), for saying what a target out of reach could be; 0 when none. */
static double lowest_ttft(const sweep_points *pt, bool disagg)
{
	double best = 0;
	size_t n = disagg ? pt->nprefill : pt->nagg;
	for (size_t i = 0; i < n; i++) {
		double ttft = disagg ? pt->prefill[i].ttft : pt->agg[i].ttft;
		bool usable = disagg ? !pt->prefill[i].error && !pt->prefill[i].oom : !pt->agg[i].error && !pt->agg[i].oom;
		if (usable && ttft > 0 && (best == 0 || ttft < best))
			best = ttft;
	}
	return best;
}

/* Runs one mode's search and pick; a mode without points did not run. */
void sweep_mode_run(sweep_mode_result *m, const sweep_points *pt, const pick_common *c, const pick_targets *t)
{
	bool disagg = strcmp(m->name, "disagg") == 0;
	size_t n = disagg ? pt->nprefill + pt->ndecode : pt->nagg;
	if (n == 0)
		return;
	pick_status ps, ds;
	pick_sla sla[PICK_MAX_SLA];
	size_t nsla = pick_sla_pairs(t, c->osl, sla, PICK_MAX_SLA);
	if (!disagg) {
		pick_agg_status(pt->agg, pt->nagg, c->isl, c->osl, &ps);
		if (nothing_usable(&ps, "", m->failure, sizeof m->failure))
			return;
		pick_agg_results_under(pt->agg, pt->nagg, c->isl, c->osl, sla, nsla, &m->results);
	} else {
		pick_side_status(pt->prefill, pt->nprefill, &ps);
		pick_side_status(pt->decode, pt->ndecode, &ds);
		if (nothing_usable(&ps, "prefill: ", m->failure, sizeof m->failure) ||
		    nothing_usable(&ds, "decode: ", m->failure, sizeof m->failure))
			return;
		pick_disagg_results_under(pt->prefill, pt->nprefill, pt->decode, pt->ndecode, c->osl, sla, nsla,
					  t->total_gpus, pt->require_same_tp, &m->results);
	}
	if (m->results.n == 0) {
		if (t->request_latency > 0)
			snprintf(m->failure, sizeof m->failure,
				 "no configuration meets any TTFT/TPOT split of request latency %g ms", t->request_latency);
		else if (lowest_ttft(pt, disagg) > 0)
			snprintf(m->failure, sizeof m->failure,
				 "no configuration meets TTFT <= %g ms (with TPOT up to 295 ms; the lowest TTFT reachable "
				 "is %.2f ms)", t->ttft, lowest_ttft(pt, disagg));
		else
			snprintf(m->failure, sizeof m->failure,
				 "no configuration meets TTFT <= %g ms (with TPOT up to 295 ms)", t->ttft);
		return;
	}
	pick_default(&m->results, t, &m->front, &m->best, &m->met);
	if (m->best.n == 0) {
		snprintf(m->failure, sizeof m->failure, "no configuration left under the strict SLA");
		return;
	}
	m->ran = true;
	m->best_throughput = m->best.rows[0].tokens_s_gpu_cluster;
}
