/* interp_probe: table points and queries in, each query's answer and how it was obtained out. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "interp.h"
#include "interp_probe.h"

const char *const interp_probe_method_names[] = { "", "linear-1d", "linear-2d", "cubic-2d-1d", "bilinear-2d-1d",
						  "linear-3d" };
static const int method_dims[] = { 0, 1, 2, 3, 3, 3 };

static const char *const coord_keys[3] = { "x", "y", "z" };

void interp_probe_add_query(interp_probe *st, const double *c, int dims, const char *where)
{
	if (st->nq == st->capq) {
		st->capq = st->capq ? 2 * st->capq : 16;
		st->q = realloc(st->q, st->capq * sizeof *st->q);
		if (!st->q)
			die(EXIT_DATA, "out of memory");
	}
	interp_probe_query *q = &st->q[st->nq++];
	memcpy(q->c, c, sizeof q->c);
	q->dims = dims;
	snprintf(q->where, sizeof q->where, "%s", where);
}

/* A table point or a query from one record. */
void interp_probe_take_record(interp_probe *st, const jsonl_reader *r, const cJSON *rec)
{
	double c[3] = { 0, 0, 0 };
	int dims = 0;
	for (int k = 0; k < 3; k++) {
		if (!cJSON_GetObjectItemCaseSensitive(rec, coord_keys[k]))
			break;
		c[k] = jsonl_get_num(r, rec, coord_keys[k]);
		dims++;
	}
	if (dims == 0)
		jsonl_fail(r, "missing 'x'");
	for (int k = dims; k < 3; k++)
		if (cJSON_GetObjectItemCaseSensitive(rec, coord_keys[k]))
			jsonl_fail(r, "'%s' given without '%s'", coord_keys[k], coord_keys[dims]);
	if (jsonl_opt_bool(r, rec, "query", false)) {
		char where[80];
		snprintf(where, sizeof where, "%s:%ld", r->name, r->line);
		interp_probe_add_query(st, c, dims, where);
		return;
	}
	grid_leaf leaf;
	if (cJSON_GetObjectItemCaseSensitive(rec, "value")) {
		leaf = grid_leaf_scalar(jsonl_get_num(r, rec, "value"));
	} else if (cJSON_GetObjectItemCaseSensitive(rec, "latency")) {
		leaf = grid_leaf_dict(jsonl_get_num(r, rec, "latency"), jsonl_opt_num(r, rec, "power", 0.0),
				      jsonl_opt_num(r, rec, "energy", 0.0));
		if (!cJSON_GetObjectItemCaseSensitive(rec, "power"))
			leaf.flags &= ~(unsigned)GRID_LEAF_HAS_POWER;
		if (!cJSON_GetObjectItemCaseSensitive(rec, "energy"))
			leaf.flags &= ~(unsigned)GRID_LEAF_HAS_ENERGY;
	} else {
		jsonl_fail(r, "neither a table point ('value' or 'latency') nor a query ('query': true)");
	}
	if (!st->table) {
		st->dims = dims;
		st->table = grid_new(dims);
		for (int k = 0; k < dims; k++)
			st->lo[k] = st->hi[k] = c[k];
	} else if (dims != st->dims) {
		jsonl_fail(r, "table point has %d coordinate(s), earlier ones had %d", dims, st->dims);
	}
	for (int k = 0; k < dims; k++) {
		st->lo[k] = fmin(st->lo[k], c[k]);
		st->hi[k] = fmax(st->hi[k], c[k]);
	}
	/* First row wins, as in the reference's loaders. */
	if (grid_insert(st->table, c, &leaf, GRID_KEEP_FIRST) < 0)
		die(EXIT_DATA, "out of memory");
}

/* How the answer relates to the measured table. */
static const char *how_obtained(const interp_probe *st, const grid *measured, const interp_probe_query *q)
{
	if (grid_get(measured, q->c))
		return "measured";
	for (int k = 0; k < st->dims; k++)
		if (q->c[k] < st->lo[k] || q->c[k] > st->hi[k])
			return "extrapolated";
	return "interpolated";
}

/* Answer one query: 0 and *out, or an interp code with err filled. */
static int answer(const interp_probe *st, enum interp_probe_method m, const interp_probe_query *q,
		  interp_result *out, interp_err *err)
{
	const grid_node *root = grid_root(st->table);
	bool dict = interp_dict_leaves(st->table);
	*out = (interp_result){ 0, 0, 0 };
	switch (m) {
	case INTERP_PROBE_LINEAR_1D: {
		const double *keys;
		size_t n = grid_node_keys(root, &keys);
		double lo, hi;
		int rc = interp_nearest_1d(q->c[0], keys, n, st->inner_only, &lo, &hi, err);
		if (rc)
			return rc;
		grid_leaf v;
		if ((rc = interp_1d_leaf(lo, hi, grid_node_leaf(root, lo), grid_node_leaf(root, hi), q->c[0], &v, err)))
			return rc;
		*out = (interp_result){ grid_leaf_get(&v, GRID_LATENCY), grid_leaf_get(&v, GRID_POWER),
					grid_leaf_get(&v, GRID_ENERGY) };
		return INTERP_OK;
	}
	case INTERP_PROBE_LINEAR_2D: return interp_2d_linear(q->c[0], q->c[1], root, dict, out, err);
	case INTERP_PROBE_CUBIC: return interp_3d(q->c[0], q->c[1], q->c[2], root, dict, INTERP_CUBIC, out, err);
	case INTERP_PROBE_BILINEAR: return interp_3d(q->c[0], q->c[1], q->c[2], root, dict, INTERP_BILINEAR, out, err);
	case INTERP_PROBE_LINEAR_3D: return interp_3d(q->c[0], q->c[1], q->c[2], root, dict, INTERP_LINEAR, out, err);
	default: return INTERP_EARG;
	}
}

static void put_num(cJSON *o, const char *key, double v)
{
	if (!cJSON_AddNumberToObject(o, key, v))
		die(EXIT_DATA, "out of memory");
}

/* Answer every query in order; returns how many failed. */
int interp_probe_answer_all(interp_probe *st)
{
	if (st->nq && !st->table)
		die(EXIT_DATA, "queries but no table points");
	if (!st->table)
		return 0;
	enum interp_probe_method m = st->method;
	if (m == INTERP_PROBE_DEFAULT)
		m = st->dims == 1 ? INTERP_PROBE_LINEAR_1D : st->dims == 2 ? INTERP_PROBE_LINEAR_2D : INTERP_PROBE_CUBIC;
	if (method_dims[m] != st->dims)
		die(EXIT_DATA, "method %s needs a %d-D table, the input has %d-D points", interp_probe_method_names[m],
		    method_dims[m], st->dims);
	/* Keep the measured table apart to tell measured points from filled ones. */
	grid *measured = st->table;
	bool fill = st->tx.given || st->ty.given || st->tz.given;
	if (fill) {
		if (st->dims != 3)
			die(EXIT_DATA, "extrapolation needs a 3-D table, the input has %d-D points", st->dims);
		grid *copy = grid_new(3);
		const double *xs, *ys, *zs;
		size_t nx = grid_node_keys(grid_root(measured), &xs);
		for (size_t i = 0; i < nx; i++) {
			const grid_node *plane = grid_node_child(grid_root(measured), xs[i]);
			size_t ny = grid_node_keys(plane, &ys);
			for (size_t j = 0; j < ny; j++) {
				const grid_node *row = grid_node_child(plane, ys[j]);
				size_t nz = grid_node_keys(row, &zs);
				for (size_t k = 0; k < nz; k++)
					grid_insert(copy, (double[]){ xs[i], ys[j], zs[k] }, grid_node_leaf(row, zs[k]),
						    GRID_KEEP_FIRST);
			}
		}
		interp_err err = { 0 };
		if (interp_extrapolate_grid(copy, st->tx.v, st->tx.n, st->ty.v, st->ty.n, st->tz.v, st->tz.n,
					    st->sqrt_y, &err))
			die(EXIT_DATA, "extrapolating the table: %s", err.msg);
		st->table = copy;
	}
	int failed = 0;
	for (size_t i = 0; i < st->nq; i++) {
		const interp_probe_query *q = &st->q[i];
		if (q->dims != st->dims) {
			warnx_("%s: query has %d coordinate(s), the table %d", q->where, q->dims, st->dims);
			failed++;
			continue;
		}
		interp_result res;
		interp_err err = { 0 };
		if (answer(st, m, q, &res, &err)) {
			warnx_("%s: query (%s): %s", q->where, interp_probe_method_names[m], err.msg);
			failed++;
			continue;
		}
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddStringToObject(o, "record", "interp"))
			die(EXIT_DATA, "out of memory");
		for (int k = 0; k < st->dims; k++)
			put_num(o, coord_keys[k], q->c[k]);
		put_num(o, "latency", res.latency);
		put_num(o, "power", res.power);
		put_num(o, "energy", res.energy);
		if (!cJSON_AddStringToObject(o, "how", how_obtained(st, measured, q))
		    || !cJSON_AddStringToObject(o, "method", interp_probe_method_names[m]))
			die(EXIT_DATA, "out of memory");
		jsonl_write(o);
		cJSON_Delete(o);
	}
	if (st->table != measured)
		grid_free(measured);
	return failed;
}
