/* perfload: show a perf table (one *_perf.txt) as JSON Lines or CSV, or list the tables of a
 * system/backend/version with their row counts and axis ranges. */
#include <dirent.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvtab.h"
#include "datadir.h"
#include "cliopt.h"
#include "diag.h"
#include "streambuf.h"
#include "jsonl.h"
#include "perftree.h"
#include "systems.h"
#include "table_csv.h"

static const char usage_text[] =
	"usage: perfload --system S --backend B [--version V] [--data-dir DIR] [--format jsonl|csv] TABLE\n"
	"       perfload --system S --backend B [--version V] [--data-dir DIR] --list\n"
	"       perfload --system S --backend B [--version V] [--data-dir DIR] --check\n"
	"\n"
	"Shows one perf table of a system/backend/version: TABLE is its file name (gemm_perf.txt) or\n"
	"short name (gemm, context_attention, nccl ...). Each row is written with numbers as numbers\n"
	"and its source line (`line`; its row number in a Parquet table). --list writes one record per\n"
	"table: file, where it came from and why, rows, and for each column its numeric range\n"
	"[min, max] or its distinct values. --check finds the database and its tables as --list does\n"
	"(the same errors) but reads none of them and writes nothing: the check before a sweep.\n"
	"  --system S       system (h200_sxm ...)\n"
	"  --backend B      backend (trtllm, sglang, vllm)\n"
	"  --version V      perf-data version (default: the newest)\n"
	"  --data-dir DIR   perf data root (default: $INFERCAST_DATA, else the installed data)\n"
	"  --format F       jsonl (default) or csv\n"
	"  --list           list the tables instead of showing one\n"
	"  --check          only check that the database and its tables are there\n"
	"See perfload(1).\n";

typedef struct opts {
	cliopt_db db; /* --system, --backend, --version, --data-dir */
	const char *table;
	bool csv, list, check;
} opts;

static void parse_options(int argc, char **argv, opts *o)
{
	static const struct option longopts[] = {
		CLIOPT_DB_LONGOPTS,
		{ "format", required_argument, NULL, 'f' }, { "list", no_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (cliopt_db_take(&o->db, c, optarg))
			continue;
		switch (c) {
		case 'l': o->list = true; break;
		case 'c': o->check = true; break;
		case 'f':
			if (strcmp(optarg, "csv") && strcmp(optarg, "jsonl"))
				usage_error("--format must be jsonl or csv, not '%s'", optarg);
			o->csv = strcmp(optarg, "csv") == 0;
			break;
		case 'h': usage_print(usage_text); exit(finish_stdout());
		default: cliopt_unknown(argv);
		}
	}
	if (!o->db.system || !o->db.backend)
		usage_error("--system and --backend are required");
	if (o->list && o->check)
		usage_error("--list and --check exclude each other");
	if (o->check && optind != argc)
		usage_error("--check takes no table");
	if (o->list ? optind != argc : !o->check && optind != argc - 1)
		usage_error(o->list ? "--list takes no table" : "name one table");
	if (!o->list && !o->check)
		o->table = argv[optind];
}

/* A cell as a JSON value: a number when it reads as one, else a string. */
static cJSON *cell_value(const char *s)
{
	long long i;
	double d;
	if (table_csv_int(s, &i) && llabs(i) < (1LL << 53))
		return cJSON_CreateNumber((double)i);
	if (table_csv_float(s, &d) && isfinite(d))
		return cJSON_CreateNumber(d);
	return cJSON_CreateString(s);
}

static void show(const table_csv *t, bool csv)
{
	if (csv) {
		fputs("line", stdout);
		for (size_t c = 0; c < t->ncols; c++)
			putchar(','), csv_write_field(stdout, t->header[c]);
		putchar('\n');
	}
	for (size_t r = 0; r < t->nrows; r++) {
		if (csv) {
			printf("%ld", t->lines[r]);
			for (size_t c = 0; c < t->ncols; c++) {
				const char *s = table_csv_cell(t, r, (int)c);
				double d;
				char buf[64];
				putchar(',');
				/* numbers in one spelling: the shortest that reads back the same */
				if (table_csv_float(s, &d) && isfinite(d)) {
					json_format_double(buf, sizeof buf, d);
					fputs(buf, stdout);
				} else {
					csv_write_field(stdout, s);
				}
			}
			putchar('\n');
			check_stdout();
		} else {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddNumberToObject(o, "line", (double)t->lines[r]);
			for (size_t c = 0; c < t->ncols; c++)
				cJSON_AddItemToObject(o, t->header[c], cell_value(table_csv_cell(t, r, (int)c)));
			jsonl_write(o);
			cJSON_Delete(o);
		}
	}
}

/* One --list record: where the table came from (and why), rows and, per column, [min, max]
 * or the distinct values (up to 32). */
static void describe(const char *file, const table_csv *t, const perftree_file *where)
{
	static const char *const why[] = { [PERFTREE_LEGACY] = "csv", [PERFTREE_OWN] = "own",
					   [PERFTREE_REUSED] = "reuse.yaml" };
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "table", file);
	cJSON_AddStringToObject(o, "path", t->path);
	cJSON_AddStringToObject(o, "source", why[where->how]);
	if (where->how != PERFTREE_LEGACY) {
		cJSON_AddStringToObject(o, "source_version", where->version);
		if (where->status[0])
			cJSON_AddStringToObject(o, "status", where->status);
	}
	cJSON_AddNumberToObject(o, "rows", (double)t->nrows);
	cJSON *cols = cJSON_AddObjectToObject(o, "columns");
	for (size_t c = 0; c < t->ncols; c++) {
		bool numeric = t->nrows > 0;
		double lo = INFINITY, hi = -INFINITY;
		for (size_t r = 0; r < t->nrows && numeric; r++) {
			double d;
			numeric = table_csv_float(table_csv_cell(t, r, (int)c), &d) && isfinite(d);
			if (numeric) {
				lo = d < lo ? d : lo;
				hi = d > hi ? d : hi;
			}
		}
		if (numeric) {
			double v[2] = { lo, hi };
			cJSON_AddItemToObject(cols, t->header[c], cJSON_CreateDoubleArray(v, 2));
			continue;
		}
		cJSON *vals = cJSON_CreateArray();
		int n = 0;
		for (size_t r = 0; r < t->nrows && n <= 32; r++) {
			const char *s = table_csv_cell(t, r, (int)c);
			bool seen = false;
			const cJSON *e;
			cJSON_ArrayForEach(e, vals) seen |= strcmp(e->valuestring, s) == 0;
			if (!seen && n++ < 32)
				cJSON_AddItemToArray(vals, cJSON_CreateString(s));
		}
		if (n > 32)
			cJSON_AddItemToArray(vals, cJSON_CreateString("..."));
		cJSON_AddItemToObject(cols, t->header[c], vals);
	}
	jsonl_write(o);
	cJSON_Delete(o);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct names {
	char **v;
	size_t n;
} names;

static void add_name(names *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], name) == 0)
			return;
	l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
	if (!l->v || !(l->v[l->n++] = strdup(name)))
		die(EXIT_DATA, "out of memory");
}

static int add_tree_table(void *arg, const char *legacy_file, const perftree_file *where)
{
	(void)where;
	add_name(arg, legacy_file);
	return 0;
}

/* The tables of a database, sorted: the *_perf.txt files of its folder (the v0.9 layout) and
 * those of the family-first layout (lib/perf/perftree). */
static void list_tables(const struct perf_data_path *p, names *out)
{
	DIR *d = opendir(p->dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len > 9 && strcmp(e->d_name + len - 9, "_perf.txt") == 0)
			add_name(out, e->d_name);
	}
	if (d)
		closedir(d);
	char err[1024];
	if (perftree_tables(p->system_dir, p->backend, p->version, add_tree_table, out, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, by_name);
}

static void load_or_die(table_csv *t, const char *path, perftree_file *where)
{
	char err[1024];
	if (where && perftree_locate(path, where, err, sizeof err) < 0)
		die(EXIT_DATA, "%s", err);
	int st = table_csv_load(t, path, err, sizeof err);
	if (st == TABLE_CSV_MISSING)
		die(EXIT_DATA, "%s: no such table", path);
	if (st != TABLE_CSV_OK)
		die(EXIT_DATA, "%s", err);
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	opts o = { 0 };
	parse_options(argc, argv, &o);
	char err[2048];
	const struct system_spec *sys = system_load(o.db.system, err, sizeof err);
	if (!sys)
		die(EXIT_DATA, "%s", err);
	struct perf_data_path p;
	if (datadir_resolve(o.db.data_dir, sys, o.db.backend, o.db.version, &p, err, sizeof err) != 0)
		die(EXIT_DATA, "%s", err);
	char path[2 * DATADIR_PATH_MAX];
	table_csv t;
	perftree_file where;
	if (o.list || o.check) {
		/* --check: where each table is, as --list finds it, none read (a sweep's query reads
		 * those it needs, and says FILE:LINE of a bad one) */
		names l = { NULL, 0 };
		list_tables(&p, &l);
		for (size_t i = 0; i < l.n; i++) {
			snprintf(path, sizeof path, "%s/%s", p.dir, l.v[i]);
			if (o.check) {
				if (perftree_locate(path, &where, err, sizeof err) < 0)
					die(EXIT_DATA, "%s", err);
			} else {
				load_or_die(&t, path, &where);
				describe(l.v[i], &t, &where);
				table_csv_free(&t);
			}
			free(l.v[i]);
		}
		free(l.v);
		snprintf(path, sizeof path, "%s/nccl_perf.txt", p.nccl_dir);
		if (p.nccl_present && !o.check) {
			load_or_die(&t, path, &where);
			describe("nccl_perf.txt", &t, &where);
			table_csv_free(&t);
		} else if (p.nccl_present && perftree_locate(path, &where, err, sizeof err) < 0) {
			die(EXIT_DATA, "%s", err);
		}
		return finish_stdout();
	}
	if (strchr(o.table, '/'))
		usage_error("TABLE is a name, not a path: '%s'", o.table);
	const char *suffix = strstr(o.table, "_perf.txt") ? "" : "_perf.txt";
	bool nccl = strncmp(o.table, "nccl", 4) == 0;
	snprintf(path, sizeof path, "%s/%s%s", nccl ? p.nccl_dir : p.dir, o.table, suffix);
	load_or_die(&t, path, NULL);
	show(&t, o.csv);
	table_csv_free(&t);
	return finish_stdout();
}
