#include "opquery_composite.h"

#include <math.h>
#include <stdio.h>
#include <string.h>


bool opquery_composite_known(const char *op_type)
{
	return strcmp(op_type, "FallbackOp") == 0 || strcmp(op_type, "OverlapOp") == 0;
}

/* One inner op {name, op_type, scale_factor, attrs} at the point, its scale factor applied. */
static int inner_point(perfdb *db, const cJSON *inner, const opq_point *pt, perf_result *out, char *err,
		       size_t errlen)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(inner, "op_type");
	const cJSON *sf = cJSON_GetObjectItemCaseSensitive(inner, "scale_factor");
	const cJSON *attrs = cJSON_GetObjectItemCaseSensitive(inner, "attrs");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(inner, "name");
	if (!cJSON_IsString(type) || !cJSON_IsNumber(sf) || !isfinite(sf->valuedouble) || !cJSON_IsObject(attrs)) {
		snprintf(err, errlen, "an inner op lacks a string op_type, a number scale_factor or object attrs");
		return OPQ_BAD_ATTRS;
	}
	if (opquery_composite_known(type->valuestring)) {
		snprintf(err, errlen, "inner op %s: composite ops do not nest", type->valuestring);
		return OPQ_BAD_ATTRS;
	}
	int st = opquery_point(db, type->valuestring, attrs, sf->valuedouble, pt, out, err, errlen);
	if (st && cJSON_IsString(name)) {
		char why[1500];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errlen, "%s: %s", name->valuestring, why);
	}
	return st;
}

/* Σ of an array of inner ops, from an empty empirical total as the reference starts. */
static int sum_group(perfdb *db, const cJSON *group, const char *key, const opq_point *pt, perf_result *out,
		     char *err, size_t errlen)
{
	if (!cJSON_IsArray(group)) {
		snprintf(err, errlen, "composite op lacks the array '%s'", key);
		return OPQ_BAD_ATTRS;
	}
	perf_result total = { 0.0, 0.0, PERF_SRC_EMPIRICAL, PERF_DET_EMPIRICAL };
	const cJSON *inner;
	cJSON_ArrayForEach(inner, group)
	{
		perf_result r;
		int st = inner_point(db, inner, pt, &r, err, errlen);
		if (st)
			return st;
		total = perf_add(total, r);
	}
	*out = total;
	return 0;
}

static int fallback_point(perfdb *db, const cJSON *op, opq_composite_state *state, const opq_point *pt,
			  perf_result *out, char *err, size_t errlen)
{
	if (!state->primary_unavailable) {
		const cJSON *primary = cJSON_GetObjectItemCaseSensitive(op, "primary");
		if (!cJSON_IsObject(primary)) {
			snprintf(err, errlen, "FallbackOp lacks the object 'primary'");
			return OPQ_BAD_ATTRS;
		}
		perf_mode mode = perfdb_mode(db);
		if (mode == PERF_HYBRID)
			perfdb_set_mode(db, PERF_SILICON);
		int st = inner_point(db, primary, pt, out, err, errlen);
		perfdb_set_mode(db, mode);
		if (st != PERFDB_REFUSED)
			return st;
		/* no module data: the finer ops from now on, as the reference's op instance does */
		state->primary_unavailable = true;
	}
	return sum_group(db, cJSON_GetObjectItemCaseSensitive(op, "fallback"), "fallback", pt, out, err, errlen);
}

static int overlap_point(perfdb *db, const cJSON *op, const opq_point *pt, perf_result *out, char *err,
			 size_t errlen)
{
	perf_result a, b;
	int st = sum_group(db, cJSON_GetObjectItemCaseSensitive(op, "group_a"), "group_a", pt, &a, err, errlen);
	if (!st)
		st = sum_group(db, cJSON_GetObjectItemCaseSensitive(op, "group_b"), "group_b", pt, &b, err, errlen);
	if (st)
		return st;
	perf_result merged = perf_add(a, b);
	merged.latency = a.latency > b.latency ? a.latency : b.latency;
	merged.energy = a.energy + b.energy;
	*out = merged;
	return 0;
}

int opquery_composite_point(perfdb *db, const cJSON *op, opq_composite_state *state, const opq_point *pt,
			    perf_result *out, char *err, size_t errlen)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(op, "op_type");
	if (cJSON_IsString(type) && strcmp(type->valuestring, "FallbackOp") == 0)
		return fallback_point(db, op, state, pt, out, err, errlen);
	if (cJSON_IsString(type) && strcmp(type->valuestring, "OverlapOp") == 0)
		return overlap_point(db, op, pt, out, err, errlen);
	snprintf(err, errlen, "not a composite op record");
	return OPQ_BAD_ATTRS;
}
