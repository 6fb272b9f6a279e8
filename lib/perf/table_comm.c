#include "table_comm.h"

#include <stdio.h>
#include <string.h>

#include "interp.h"
#include "table_gemm.h"

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);
	return n >= m && strcmp(s + n - m, tail) == 0;
}

int table_custom_allreduce_load(table_set *t, const char *path, char *err, size_t errlen)
{
	table_csv c;
	int st = table_set_open(t, &c, path, 1, err, errlen);
	if (st != TABLE_CSV_OK)
		return st == TABLE_CSV_MISSING ? 0 : -1;
	int ks = table_csv_col(&c, "kernel_source"), be = table_csv_col(&c, "backend");
	int pcol = table_csv_col(&c, "power"), dcol, gcol, scol, lcol;
	t->has_power = pcol >= 0;
	/* B60 tables keep their eager rows (the reference tests the path for "b60") */
	bool b60 = strstr(path, "b60") != NULL;
	bool ok = c.nrows == 0 || (table_require_col(&c, "allreduce_dtype", &dcol, err, errlen) &&
				   table_require_col(&c, "num_gpus", &gcol, err, errlen) &&
				   table_require_col(&c, "message_size", &scol, err, errlen) &&
				   table_require_col(&c, "latency", &lcol, err, errlen));
	/* every row is filed as "half" whatever its dtype column says, as in the reference */
	const quant_mode *half = quant_find(QUANT_COMM, "half");
	for (size_t r = 0; ok && r < c.nrows; r++) {
		if (!b60 && ((ks >= 0 && ends_with(table_csv_cell(&c, r, ks), "_eager")) ||
			     (be >= 0 && ends_with(table_csv_cell(&c, r, be), "_eager"))))
			continue;
		long long tp, size;
		double lat, power;
		ok = table_row_int(&c, r, scol, &size, err, errlen) && table_row_int(&c, r, gcol, &tp, err, errlen) &&
		     table_row_latency(&c, r, lcol, &lat, err, errlen) &&
		     table_row_float(&c, r, pcol, &power, err, errlen);
		if (!ok)
			break;
		table_key key = { .k1 = half, .pre = { (double)tp }, .npre = 1 };
		table_part *p = table_set_part(t, &key);
		double k = (double)size;
		grid_leaf leaf = grid_leaf_dict(lat, power, power * lat);
		grid_insert(p->g, &k, &leaf, GRID_KEEP_FIRST);
	}
	table_csv_free(&c);
	return ok ? 0 : -1;
}

int table_nccl_load(table_set *t, const char *path, char *err, size_t errlen)
{
	table_csv c;
	int st = table_set_open(t, &c, path, 1, err, errlen);
	if (st != TABLE_CSV_OK)
		return st == TABLE_CSV_MISSING ? 0 : -1;
	int pcol = table_csv_col(&c, "power"), dcol, gcol, scol, ocol, lcol;
	t->has_power = pcol >= 0;
	bool ok = c.nrows == 0 || (table_require_col(&c, "nccl_dtype", &dcol, err, errlen) &&
				   table_require_col(&c, "num_gpus", &gcol, err, errlen) &&
				   table_require_col(&c, "message_size", &scol, err, errlen) &&
				   table_require_col(&c, "op_name", &ocol, err, errlen) &&
				   table_require_col(&c, "latency", &lcol, err, errlen));
	for (size_t r = 0; ok && r < c.nrows; r++) {
		long long gpus, size;
		double lat, power;
		ok = table_row_int(&c, r, scol, &size, err, errlen) && table_row_latency(&c, r, lcol, &lat, err, errlen) &&
		     table_row_int(&c, r, gcol, &gpus, err, errlen) && table_row_float(&c, r, pcol, &power, err, errlen);
		if (!ok)
			break;
		const char *dname = table_csv_cell(&c, r, dcol);
		const quant_mode *dtype = quant_find(QUANT_COMM, dname);
		if (!dtype) {
			snprintf(err, errlen, "%s:%ld: unknown nccl_dtype '%s'", path, c.lines[r], dname);
			ok = false;
			break;
		}
		const char *op = table_csv_cell(&c, r, ocol);
		if (strlen(op) >= sizeof t->parts[0].name) {
			snprintf(err, errlen, "%s:%ld: op_name '%s' is too long", path, c.lines[r], op);
			ok = false;
			break;
		}
		table_key key = { .k1 = dtype, .name = op, .pre = { (double)gpus }, .npre = 1 };
		table_part *p = table_set_part(t, &key);
		double k = (double)size;
		grid_leaf leaf = grid_leaf_dict(lat, power, power * lat);
		grid_insert(p->g, &k, &leaf, GRID_KEEP_FIRST);
	}
	table_csv_free(&c);
	return ok ? 0 : -1;
}

double custom_allreduce_sol_ms(const struct system_spec *sys, double tp_size, double size)
{
	if (tp_size == 1)
		return 0;
	double bw = system_p2p_bw_bytes_per_s(sys, (int)tp_size);
	/* ring all-reduce of bfloat16 values, no fixed latency */
	return 2 * size * 2 / tp_size * (tp_size - 1) / bw * 1000;
}

double nccl_sol_ms(const struct system_spec *sys, const quant_mode *dtype, double num_gpus, const char *operation,
		   double message_size)
{
	double bw = system_p2p_bw_bytes_per_s(sys, (int)num_gpus);
	if (!strcmp(operation, "all_gather") || !strcmp(operation, "alltoall") || !strcmp(operation, "reduce_scatter"))
		return dtype->memory * message_size * (num_gpus - 1) / num_gpus / bw * 1000;
	if (!strcmp(operation, "all_reduce"))
		return 2 * dtype->memory * message_size * (num_gpus - 1) / num_gpus / bw * 1000;
	return 0.0;
}

/* Linear along the message size (beyond the ends: the two outermost sizes). */
static int along_size(const table_part *p, long long size, double *lat, double *energy, perf_detail *d,
		      interp_err *ie)
{
	const grid_node *root = grid_root(p->g);
	const double *keys;
	size_t n = grid_node_keys(root, &keys);
	double lo, hi, x = (double)size;
	int st = interp_nearest_1d(x, keys, n, false, &lo, &hi, ie);
	grid_leaf r;
	if (st == 0)
		st = interp_1d_leaf(lo, hi, grid_node_leaf(root, lo), grid_node_leaf(root, hi), x, &r, ie);
	if (st != 0)
		return st;
	*lat = grid_leaf_get(&r, GRID_LATENCY);
	*energy = grid_leaf_get(&r, GRID_ENERGY);
	*d = grid_node_has(root, x) ? PERF_DET_MEASURED
	     : (n && x >= keys[0] && x <= keys[n - 1]) ? PERF_DET_INTERPOLATED : PERF_DET_EXTRAPOLATED;
	return 0;
}

int table_custom_allreduce_query(const table_set *t, const struct system_spec *sys, const quant_mode *q,
				 long long tp_size, long long size, perf_result *out, char *err, size_t errlen)
{
	if (!t->loaded)
		return table_not_loaded(t, "custom all-reduce", err, errlen);
	int per_node = sys->num_gpus_per_node;
	long long eff = tp_size < per_node ? tp_size : per_node;
	table_key key = { .k1 = q, .pre = { (double)eff }, .npre = 1 };
	const table_part *p = table_set_find(t, &key);
	if (!p || grid_size(p->g) == 0) {
		char have[256] = "";
		size_t used = 0;
		for (size_t i = 0; i < t->nparts && used < sizeof have; i++)
			if (t->parts[i].k1 == q)
				used += (size_t)snprintf(have + used, sizeof have - used, "%s%g", used ? ", " : "",
							 t->parts[i].pre[0]);
		snprintf(err, errlen, "no custom all-reduce data for %s at %lld GPUs (asked %lld) in %s (it has: %s)",
			 q->name, eff, tp_size, t->path, used ? have : "none");
		return PERFDB_REFUSED;
	}
	double lat, energy;
	perf_detail d;
	interp_err ie = { 0 };
	if (along_size(p, size, &lat, &energy, &d, &ie) != 0) {
		snprintf(err, errlen, "custom all-reduce tp=%lld size=%lld: %s", tp_size, size, ie.msg);
		return PERFDB_REFUSED;
	}
	if (tp_size > per_node) {
		/* beyond one node: the ring's share of traffic and the slower links */
		double base_bw = system_p2p_bw_bytes_per_s(sys, per_node);
		double bw = system_p2p_bw_bytes_per_s(sys, (int)tp_size);
		double f = (double)(tp_size - 1) / (double)tp_size * per_node / (per_node - 1) * base_bw / bw;
		lat *= f;
		energy *= f;
		d = PERF_DET_EXTRAPOLATED;
	}
	*out = (perf_result){ lat, energy, PERF_SRC_SILICON, d };
	return 0;
}

int table_nccl_query(const table_set *t, const struct system_spec *sys, const quant_mode *dtype,
		     long long num_gpus, const char *operation, long long message_size, perf_result *out, char *err,
		     size_t errlen)
{
	if (!t->loaded)
		return table_not_loaded(t, "NCCL", err, errlen);
	double max_gpus = 0;
	bool any = false;
	for (size_t i = 0; i < t->nparts; i++)
		if (t->parts[i].k1 == dtype && strcmp(t->parts[i].name, operation) == 0) {
			if (!any || t->parts[i].pre[0] > max_gpus)
				max_gpus = t->parts[i].pre[0];
			any = true;
		}
	double use = (double)num_gpus < max_gpus ? (double)num_gpus : max_gpus;
	table_key key = { .k1 = dtype, .name = operation, .pre = { use }, .npre = 1 };
	const table_part *p = any ? table_set_find(t, &key) : NULL;
	if (!p) {
		if (!any)
			snprintf(err, errlen, "no NCCL %s data for %s in %s", operation, dtype->name, t->path);
		else
			snprintf(err, errlen, "no NCCL %s data for %s at %g GPUs in %s", operation, dtype->name, use, t->path);
		return PERFDB_REFUSED;
	}
	double lat, energy;
	perf_detail d;
	interp_err ie = { 0 };
	if (along_size(p, message_size, &lat, &energy, &d, &ie) != 0) {
		snprintf(err, errlen, "NCCL %s num_gpus=%lld size=%lld: %s", operation, num_gpus, message_size, ie.msg);
		return PERFDB_REFUSED;
	}
	if ((double)num_gpus > max_gpus) {
		double f = system_p2p_bw_bytes_per_s(sys, (int)max_gpus) / system_p2p_bw_bytes_per_s(sys, (int)num_gpus);
		double scaling = (double)(num_gpus - 1) / (double)num_gpus * max_gpus / (max_gpus - 1) * f;
		lat *= scaling;
		energy *= scaling;
		d = PERF_DET_EXTRAPOLATED;
	}
	*out = (perf_result){ lat, energy, PERF_SRC_SILICON, d };
	return 0;
}
