#include "opquery.h"
#include "opattrs.h"
#include "opquery_composite.h"
#include "opquery_vit.h"
#include "explain.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

bool opquery_known(const char *op_type)
{
	return opquery_op_known(op_type) || opquery_composite_known(op_type);
}

/* A point's fields, found in one pass over its members (the first of a name, as
 * cJSON_GetObjectItemCaseSensitive finds it): a point was searched eleven times, a run's
 * points are many, and the look-ups were a tenth of query's time. */
enum point_field { PF_X, PF_BATCH, PF_BEAM, PF_S, PF_PREFIX, PF_COUNT, PF_SEQ, PF_GEN_SEQ, PF_RUN, PF_S_STEP,
		   PF_LAST_COUNT, PF_N };
static const char *const point_keys[PF_N] = { "x", "batch", "beam", "s", "prefix", "count",
					      "seq_imbalance_correction_scale",
					      "gen_seq_imbalance_correction_scale", "run", "s_step", "last_count" };

static void point_fields(const cJSON *p, const cJSON *f[PF_N])
{
	for (int i = 0; i < PF_N; i++)
		f[i] = NULL;
	for (const cJSON *c = p->child; c && c->string; c = c->next)
		for (int i = 0; i < PF_N; i++)
			if (c->string[0] == point_keys[i][0] && strcmp(c->string, point_keys[i]) == 0) {
				if (!f[i])
					f[i] = c;
				break;
			}
}

/* The field (v, found by point_fields) as a number; def when absent or null, a complaint when
 * def is NaN (required). */
static bool point_num(const cJSON *v, const char *key, double def, double *out, char *err, size_t errlen)
{
	if (!v || cJSON_IsNull(v)) {
		if (isnan(def)) {
			snprintf(err, errlen, "a point lacks '%s'", key);
			return false;
		}
		*out = def;
		return true;
	}
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
		snprintf(err, errlen, "point field '%s' must be a number", key);
		return false;
	}
	*out = v->valuedouble;
	return true;
}

static bool point_int(const cJSON *f, const char *key, long long def, bool required, long long *out, char *err,
		      size_t errlen)
{
	double v;
	if (!point_num(f, key, required ? NAN : (double)def, &v, err, errlen))
		return false;
	if (v != floor(v) || v < 0 || v > 9e15) { /* token counts and sizes: never negative */
		snprintf(err, errlen, "point field '%s' must be a non-negative integer, got %.17g", key, v);
		return false;
	}
	*out = (long long)v;
	return true;
}

/* A point may stand for a run of generation points (docs/records.md): `run` points whose s grows
 * by `s_step`, the last one counted `last_count` times. Absent: a run of one. */
static bool point_run(const cJSON *const f[PF_N], const opq_point *pt, long long *run, long long *s_step,
		      double *last_count, char *err, size_t errlen)
{
	if (!point_int(f[PF_RUN], "run", 1, false, run, err, errlen) ||
	    !point_int(f[PF_S_STEP], "s_step", 0, false, s_step, err, errlen) ||
	    !point_num(f[PF_LAST_COUNT], "last_count", pt->count, last_count, err, errlen))
		return false;
	if (*run < 1 || *run > 100000000) {
		snprintf(err, errlen, "point field 'run' must be 1 to 100000000, got %lld", *run);
		return false;
	}
	if ((double)pt->s + (double)(*run - 1) * (double)*s_step > 9e15) {
		snprintf(err, errlen, "a run's last point has s beyond 9e15");
		return false;
	}
	return true;
}

static int record(perfdb *db, const cJSON *op, perf_result *out, char *err, size_t errlen)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(op, "op_type");
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(op, "attrs");
	const cJSON *sf = cJSON_GetObjectItemCaseSensitive(op, "scale_factor");
	const cJSON *pts = cJSON_GetObjectItemCaseSensitive(op, "points");
	if (!cJSON_IsString(type)) {
		snprintf(err, errlen, "op record lacks a string 'op_type'");
		return OPQ_BAD_ATTRS;
	}
	if (!opquery_known(type->valuestring)) {
		snprintf(err, errlen, "op_type '%s' is not supported by query yet", type->valuestring);
		return OPQ_BAD_ATTRS;
	}
	if (!cJSON_IsObject(attrs)) {
		snprintf(err, errlen, "%s op: missing object 'attrs'", type->valuestring);
		return OPQ_BAD_ATTRS;
	}
	if (!cJSON_IsNumber(sf) || !isfinite(sf->valuedouble)) {
		snprintf(err, errlen, "%s op: missing number 'scale_factor'", type->valuestring);
		return OPQ_BAD_ATTRS;
	}
	if (!cJSON_IsArray(pts)) {
		snprintf(err, errlen, "%s op: missing array 'points'", type->valuestring);
		return OPQ_BAD_ATTRS;
	}
	perf_result total = { 0.0, 0.0, PERF_SRC_SILICON, PERF_DET_MEASURED };
	bool first = true;
	/* composite ops (FallbackOp, OverlapOp) price their inner ops; a FallbackOp remembers a refused primary */
	bool composite = opquery_composite_known(type->valuestring);
	opq_composite_state state = { false };
	/* A run of an op that reads only x has one answer: priced at its first point, not once per
	 * point (a decode record's 32 steps were a third of query's look-ups in a sweep). Under
	 * --explain every point is priced, so that every read is shown. */
	bool x_only = !composite && !explain_on && opquery_op_reads_x_only(type->valuestring);
	const cJSON *p;
	cJSON_ArrayForEach(p, pts)
	{
		opq_point pt;
		long long run, s_step;
		double last_count;
		if (!cJSON_IsObject(p)) {
			snprintf(err, errlen, "%s op: points must be objects", type->valuestring);
			return OPQ_BAD_ATTRS;
		}
		const cJSON *f[PF_N];
		point_fields(p, f);
		const cJSON *gen = f[PF_GEN_SEQ];
		pt.has_gen_seq_scale = gen && !cJSON_IsNull(gen);
		if (!point_int(f[PF_X], "x", 0, true, &pt.x, err, errlen) ||
		    !point_int(f[PF_BATCH], "batch", 0, true, &pt.batch, err, errlen) ||
		    !point_int(f[PF_BEAM], "beam", 1, false, &pt.beam, err, errlen) ||
		    !point_int(f[PF_S], "s", 0, true, &pt.s, err, errlen) ||
		    !point_int(f[PF_PREFIX], "prefix", 0, false, &pt.prefix, err, errlen) ||
		    !point_num(f[PF_COUNT], "count", 1.0, &pt.count, err, errlen) ||
		    !point_num(f[PF_SEQ], "seq_imbalance_correction_scale", 1.0, &pt.seq_scale, err, errlen) ||
		    !point_num(f[PF_GEN_SEQ], "gen_seq_imbalance_correction_scale", 1.0, &pt.gen_seq_scale, err, errlen) ||
		    !point_run(f, &pt, &run, &s_step, &last_count, err, errlen)) {
			char why[400];
			snprintf(why, sizeof why, "%s", err);
			snprintf(err, errlen, "%s op: %s", type->valuestring, why);
			return OPQ_BAD_ATTRS;
		}
		/* a run stands for its points one by one, in order (the sums add up as for the list) */
		long long s0 = pt.s;
		double count = pt.count;
		perf_result r; /* of the run's first point, for the others when x_only */
		for (long long i = 0; i < run; i++) {
			pt.s = s0 + i * s_step;
			pt.count = i == run - 1 ? last_count : count;
			if (i == 0 || !x_only) {
				/* a vision encoder's zero-token points: lib/query/opquery_vit */
				int st = composite ? opquery_composite_point(db, op, &state, &pt, &r, err, errlen)
					 : opquery_vit_zero_image(op, &pt)
						 ? opquery_vit_point(db, type->valuestring, attrs, sf->valuedouble, &pt, &r, err,
								     errlen)
						 : opquery_point(db, type->valuestring, attrs, sf->valuedouble, &pt, &r, err, errlen);
				if (st)
					return st;
			}
			total.latency += r.latency * pt.count;
			total.energy += r.energy * pt.count;
			total.source = first ? r.source : perf_source_merge(total.source, r.source);
			total.detail = first ? r.detail : perf_detail_merge(total.detail, r.detail);
			first = false;
		}
	}
	*out = total;
	return 0;
}

int opquery_record(perfdb *db, const cJSON *op, perf_result *out, char *err, size_t errlen)
{
	opattrs_record_begin(); /* an op's attrs are read once per record, not once per point */
	int st = record(db, op, out, err, errlen);
	opattrs_record_end();
	return st;
}
