/* interp: debug one table lookup. Table points and query points in (JSON Lines), for each
 * query the interpolated value and how it was obtained out, by the reference's methods. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "grid.h"
#include "interp.h"
#include "jsonl.h"

static const char usage_text[] =
	"usage: interp [--method M] [--query X[,Y[,Z]]]... [--inner-only]\n"
	"              [--extrapolate-x LIST] [--extrapolate-y LIST] [--extrapolate-z LIST] [--sqrt-y] [FILE]\n"
	"\n"
	"Reads table points {\"x\":..,\"y\":..,\"z\":..,\"value\":..} (or \"latency\" with optional \"power\",\n"
	"\"energy\") and queries {\"query\":true,\"x\":..,...} from FILE or stdin, and writes one record per\n"
	"query: latency, power, energy, how (measured, interpolated, extrapolated) and method.\n"
	"  --method M           linear-1d (1-D tables), linear-2d (2-D), cubic-2d-1d (or cubic),\n"
	"                       bilinear-2d-1d (or bilinear), linear-3d (3-D); default by the table's\n"
	"                       dimension: linear-1d, linear-2d, cubic-2d-1d\n"
	"  --query X[,Y[,Z]]    a query point (repeatable), answered after those in the input\n"
	"  --inner-only         linear-1d: refuse queries outside the keys instead of extrapolating\n"
	"  --extrapolate-x LIST, --extrapolate-y LIST, --extrapolate-z LIST\n"
	"                       comma-separated target keys: fill a 3-D table first, as the reference's\n"
	"                       loaders do (extrapolate_data_grid)\n"
	"  --sqrt-y             the fill interpolates square roots along y\n"
	"See interp(1) and docs/records.md.\n";

enum method { M_DEFAULT, M_LINEAR_1D, M_LINEAR_2D, M_CUBIC, M_BILINEAR, M_LINEAR_3D };
static const char *const method_names[] = { "", "linear-1d", "linear-2d", "cubic-2d-1d", "bilinear-2d-1d", "linear-3d" };
static const int method_dims[] = { 0, 1, 2, 3, 3, 3 };

typedef struct query {
	double c[3];
	int dims;
	char where[80]; /* FILE:LINE or --query TEXT, for messages */
} query;

typedef struct targets {
	double *v;
	size_t n;
	bool given;
} targets;

typedef struct state {
	enum method method;
	bool inner_only, sqrt_y;
	targets tx, ty, tz;
	grid *table;
	int dims;
	double lo[3], hi[3]; /* key range of the measured table per level */
	query *q;
	size_t nq, capq;
} state;

static const char *const coord_keys[3] = { "x", "y", "z" };

static void add_query(state *st, const double *c, int dims, const char *where)
{
	if (st->nq == st->capq) {
		st->capq = st->capq ? 2 * st->capq : 16;
		st->q = realloc(st->q, st->capq * sizeof *st->q);
		if (!st->q)
			die(EXIT_DATA, "out of memory");
	}
	query *q = &st->q[st->nq++];
	memcpy(q->c, c, sizeof q->c);
	q->dims = dims;
	snprintf(q->where, sizeof q->where, "%s", where);
}

/* Comma-separated numbers of an option; exits 2 on a bad one. */
static int parse_numbers(const char *opt, const char *text, double *out, int max)
{
	int n = 0;
	char *copy = strdup(text), *save = NULL;
	if (!copy)
		die(EXIT_DATA, "out of memory");
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max) {
			free(copy);
			usage_error("%s: more than %d numbers in '%s'", opt, max, text);
		}
		out[n++] = opt_double(opt, tok);
	}
	free(copy);
	if (n == 0)
		usage_error("%s: no numbers in '%s'", opt, text);
	return n;
}

static void parse_targets(targets *t, const char *opt, const char *text)
{
	size_t cap = 1;
	for (const char *s = text; *s; s++)
		cap += *s == ',';
	t->v = realloc(t->v, cap * sizeof *t->v);
	if (!t->v)
		die(EXIT_DATA, "out of memory");
	t->n = (size_t)parse_numbers(opt, text, t->v, (int)cap);
	t->given = true;
}

/* A table point or a query from one record. */
static void take_record(state *st, const jsonl_reader *r, const cJSON *rec)
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
		add_query(st, c, dims, where);
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
static const char *how_obtained(const state *st, const grid *measured, const query *q)
{
	if (grid_get(measured, q->c))
		return "measured";
	for (int k = 0; k < st->dims; k++)
		if (q->c[k] < st->lo[k] || q->c[k] > st->hi[k])
			return "extrapolated";
	return "interpolated";
}

/* Answer one query: 0 and *out, or an interp code with err filled. */
static int answer(const state *st, enum method m, const query *q, interp_result *out, interp_err *err)
{
	const grid_node *root = grid_root(st->table);
	bool dict = interp_dict_leaves(st->table);
	*out = (interp_result){ 0, 0, 0 };
	switch (m) {
	case M_LINEAR_1D: {
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
	case M_LINEAR_2D: return interp_2d_linear(q->c[0], q->c[1], root, dict, out, err);
	case M_CUBIC: return interp_3d(q->c[0], q->c[1], q->c[2], root, dict, INTERP_CUBIC, out, err);
	case M_BILINEAR: return interp_3d(q->c[0], q->c[1], q->c[2], root, dict, INTERP_BILINEAR, out, err);
	case M_LINEAR_3D: return interp_3d(q->c[0], q->c[1], q->c[2], root, dict, INTERP_LINEAR, out, err);
	default: return INTERP_EARG;
	}
}

static void put_num(cJSON *o, const char *key, double v)
{
	if (!cJSON_AddNumberToObject(o, key, v))
		die(EXIT_DATA, "out of memory");
}

/* Answer every query in order; returns how many failed. */
static int answer_all(state *st)
{
	if (st->nq && !st->table)
		die(EXIT_DATA, "queries but no table points");
	if (!st->table)
		return 0;
	enum method m = st->method;
	if (m == M_DEFAULT)
		m = st->dims == 1 ? M_LINEAR_1D : st->dims == 2 ? M_LINEAR_2D : M_CUBIC;
	if (method_dims[m] != st->dims)
		die(EXIT_DATA, "--method %s needs a %d-D table, the input has %d-D points", method_names[m],
		    method_dims[m], st->dims);
	/* Keep the measured table apart to tell measured points from filled ones. */
	grid *measured = st->table;
	bool fill = st->tx.given || st->ty.given || st->tz.given;
	if (fill) {
		if (st->dims != 3)
			die(EXIT_DATA, "--extrapolate-* needs a 3-D table, the input has %d-D points", st->dims);
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
		const query *q = &st->q[i];
		if (q->dims != st->dims) {
			warnx_("%s: query has %d coordinate(s), the table %d", q->where, q->dims, st->dims);
			failed++;
			continue;
		}
		interp_result res;
		interp_err err = { 0 };
		if (answer(st, m, q, &res, &err)) {
			warnx_("%s: query (%s): %s", q->where, method_names[m], err.msg);
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
		    || !cJSON_AddStringToObject(o, "method", method_names[m]))
			die(EXIT_DATA, "out of memory");
		jsonl_write(o);
		cJSON_Delete(o);
	}
	if (st->table != measured)
		grid_free(measured);
	return failed;
}

static enum method parse_method(const char *s)
{
	for (int m = M_LINEAR_1D; m <= M_LINEAR_3D; m++)
		if (strcmp(s, method_names[m]) == 0)
			return (enum method)m;
	if (strcmp(s, "cubic") == 0)
		return M_CUBIC;
	if (strcmp(s, "bilinear") == 0)
		return M_BILINEAR;
	usage_error("--method: '%s' is not one of linear-1d, linear-2d, cubic-2d-1d, bilinear-2d-1d, linear-3d", s);
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	static const struct option longopts[] = {
		{ "method", required_argument, 0, 'm' },        { "query", required_argument, 0, 'q' },
		{ "inner-only", no_argument, 0, 'i' },          { "extrapolate-x", required_argument, 0, 'X' },
		{ "extrapolate-y", required_argument, 0, 'Y' }, { "extrapolate-z", required_argument, 0, 'Z' },
		{ "sqrt-y", no_argument, 0, 's' },              { "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	state st = { 0 };
	query *cli = NULL;
	size_t ncli = 0;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': st.method = parse_method(optarg); break;
		case 'q': {
			cli = realloc(cli, (ncli + 1) * sizeof *cli);
			if (!cli)
				die(EXIT_DATA, "out of memory");
			memset(&cli[ncli], 0, sizeof cli[ncli]);
			cli[ncli].dims = parse_numbers("--query", optarg, cli[ncli].c, 3);
			snprintf(cli[ncli].where, sizeof cli[ncli].where, "--query %.60s", optarg);
			ncli++;
			break;
		}
		case 'i': st.inner_only = true; break;
		case 'X': parse_targets(&st.tx, "--extrapolate-x", optarg); break;
		case 'Y': parse_targets(&st.ty, "--extrapolate-y", optarg); break;
		case 'Z': parse_targets(&st.tz, "--extrapolate-z", optarg); break;
		case 's': st.sqrt_y = true; break;
		case 'h': usage_print(usage_text); return finish_stdout();
		default:
			if (optopt)
				usage_error("option '%s' needs a value", argv[optind - 1]);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		usage_error("unexpected argument '%s'", argv[optind + 1]);

	jsonl_reader r;
	jsonl_open(&r, optind < argc ? argv[optind] : NULL);
	cJSON *rec;
	while ((rec = jsonl_next(&r))) {
		take_record(&st, &r, rec);
		cJSON_Delete(rec);
	}
	/* a table and nothing asked of it: say so rather than write nothing (empty input is no error) */
	if (st.table && !st.nq && !ncli)
		die(EXIT_DATA, "%s: no query to answer (give --query X[,Y[,Z]] or records with \"query\":true)", r.name);
	jsonl_close(&r);
	for (size_t i = 0; i < ncli; i++)
		add_query(&st, cli[i].c, cli[i].dims, cli[i].where);
	free(cli);
	int failed = answer_all(&st);
	grid_free(st.table);
	free(st.q);
	free(st.tx.v);
	free(st.ty.v);
	free(st.tz.v);
	int rc = finish_stdout();
	return failed ? EXIT_DATA : rc;
}
