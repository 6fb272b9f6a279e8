/* coverage: how well infercast covers a model on one system/backend/version, from the reports of
 * its sweep (sweep | opgraph --keep-going | query --keep-going | aggregate): the support
 * assessment of pipelines/support. S1: every op of every configuration priced from the tables;
 * S2: some op parameter combinations are not in the tables (each named with the nearest rows the
 * table has); S3: an architecture or op infercast does not model. --render prints such records
 * as a table or CSV. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coverage_issue.h"
#include "coverage_nearest.h"
#include "coverage_render.h"
#include "csvtab.h"
#include "datadir.h"
#include "diag.h"
#include "streambuf.h"
#include "jsonl.h"

static const char usage_text[] =
	"usage: coverage --system S --backend B [--version V] [--model ID] [--architecture A]\n"
	"                [--agg STATUS] [--agg-reason TEXT] [--disagg STATUS] [--disagg-reason TEXT]\n"
	"                [--refused TEXT] < reports.jsonl\n"
	"       coverage --render table|csv < support.jsonl\n"
	"       coverage --list-data [--system S] [--data-dir DIR]\n"
	"\n"
	"Reads the reports of one system/backend/version's sweep and writes one `support` record:\n"
	"the agg and disagg status the caller found (PASS, HYBRID_PASS, FAIL, HW_INCOMPATIBLE,\n"
	"NO_DATA) with their reasons, how many configurations were priced, and the level:\n"
	"  S1  every op of every configuration was priced from the perf tables\n"
	"  S2  some op parameter combinations are not in the tables: each is an issue naming the\n"
	"      op, what is missing, the table and the nearest parameters the table has\n"
	"  S3  infercast does not model the architecture (--refused: hfparse's message) or an op\n"
	"--render reads support records and prints them as an aligned table, or as CSV with the\n"
	"reference's support-matrix columns (one row per mode) plus Level and Reason.\n"
	"--list-data prints, for the system (default: every system spec), one line per backend\n"
	"(trtllm, sglang, vllm) and usable perf-data version: SYSTEM BACKEND VERSION newest|older;\n"
	"a system without data gets SYSTEM - - none.\n"
	"See coverage(1) and pipelines/support.\n";

enum {
	OPT_SYSTEM = 1, OPT_BACKEND, OPT_VERSION, OPT_MODEL, OPT_ARCH, OPT_AGG, OPT_AGG_REASON, OPT_DISAGG,
	OPT_DISAGG_REASON, OPT_REFUSED, OPT_RENDER, OPT_LIST_DATA, OPT_DATA_DIR, OPT_HELP
};

static void add_str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static int assess(const char *system, const char *backend, const char *version, const char *model, const char *arch,
		  const char *agg, const char *agg_reason, const char *disagg, const char *disagg_reason,
		  const char *refused)
{
	cov c = { 0 };
	if (!refused) {
		jsonl_reader r;
		jsonl_open(&r, NULL);
		cJSON *rec;
		while ((rec = jsonl_next(&r))) {
			const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "record"));
			if (kind && !strcmp(kind, "report")) {
				c.configs++;
				const char *err = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "error"));
				if (err) {
					c.unpriced++;
					coverage_add_error(&c, err);
				} else {
					c.priced++;
				}
				if (!c.model)
					c.model = strdup(jsonl_opt_str(&r, rec, "model", ""));
			} else if (kind && !strcmp(kind, "model") && !c.arch) {
				c.arch = strdup(jsonl_opt_str(&r, rec, "architecture", ""));
			}
			cJSON_Delete(rec);
		}
		jsonl_close(&r);
	}
	const char *lvl = coverage_level(&c, refused, agg);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "record", "support");
	add_str_or_null(o, "model", model ? model : c.model);
	add_str_or_null(o, "architecture", arch ? arch : c.arch);
	cJSON_AddStringToObject(o, "system", system);
	cJSON_AddStringToObject(o, "backend", backend);
	add_str_or_null(o, "version", version);
	cJSON_AddStringToObject(o, "agg", agg);
	add_str_or_null(o, "agg_reason", agg_reason);
	cJSON_AddStringToObject(o, "disagg", disagg);
	add_str_or_null(o, "disagg_reason", disagg_reason);
	add_str_or_null(o, "level", lvl);
	if (refused)
		cJSON_AddStringToObject(o, "reason", refused);
	cJSON_AddNumberToObject(o, "configurations", (double)c.configs);
	cJSON_AddNumberToObject(o, "priced", (double)c.priced);
	cJSON_AddNumberToObject(o, "unpriced", (double)c.unpriced);
	cJSON_AddNumberToObject(o, "refused_layouts", (double)c.refused_layouts);
	cJSON *arr = cJSON_AddArrayToObject(o, "issues");
	for (int i = 0; i < c.nissues; i++) {
		issue *is = &c.issues[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "op", is->op);
		cJSON_AddStringToObject(j, "missing", is->missing);
		add_str_or_null(j, "table", is->table);
		char *near = coverage_nearest(is);
		add_str_or_null(j, "nearest", near);
		free(near);
		cJSON_AddNumberToObject(j, "configurations", (double)is->configs);
		cJSON_AddItemToArray(arr, j);
		free(is->op), free(is->missing), free(is->path);
	}
	free(c.model);
	free(c.arch);
	jsonl_write(o);
	cJSON_Delete(o);
	return finish_stdout();
}

static int render(const char *how)
{
	jsonl_reader r;
	jsonl_open(&r, NULL);
	cJSON *rec;
	bool csv = !strcmp(how, "csv"), header = false;
	while ((rec = jsonl_next(&r))) {
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "record"));
		if (!kind || strcmp(kind, "support")) {
			cJSON_Delete(rec);
			continue;
		}
		coverage_print_support(rec, csv, &header);
		check_stdout();
		cJSON_Delete(rec);
	}
	jsonl_close(&r);
	return finish_stdout();
}

/* The systems, backends and versions a support run walks. */
static int list_data(const char *system, const char *data_dir)
{
	char err[1024], names[8192];
	if (system) {
		snprintf(names, sizeof names, "%s", system);
	} else if (systems_known(names, sizeof names, err, sizeof err)) {
		die(EXIT_DATA, "%s", err);
	}
	const char *root = datadir_root(data_dir, err, sizeof err);
	if (!root)
		die(EXIT_DATA, "%s", err);
	for (char *save = NULL, *name = strtok_r(names, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
		const struct system_spec *spec = system_load(name, err, sizeof err);
		if (!spec)
			die(system ? EXIT_USAGE : EXIT_DATA, "--system: %s", err);
		int lines = 0;
		for (size_t b = 0; b < datadir_backend_count; b++) {
			struct datadir_list v;
			if (datadir_versions(root, spec, datadir_backend_names[b], &v, err, sizeof err))
				continue;
			const char *newest = datadir_newest(&v);
			for (size_t i = 0; i < v.n; i++, lines++)
				printf("%s %s %s %s\n", name, datadir_backend_names[b], v.names[i],
				       v.names[i] == newest ? "newest" : "older");
			datadir_list_free(&v);
		}
		if (!lines)
			printf("%s - - none\n", name);
		check_stdout();
	}
	return finish_stdout();
}

static const char *status_arg(const char *opt, const char *v)
{
	static const char *const ok[] = { "PASS", "HYBRID_PASS", "FAIL", "HW_INCOMPATIBLE", "NO_DATA" };
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (!strcmp(v, ok[i]))
			return v;
	usage_error("%s: '%s' is not one of PASS, HYBRID_PASS, FAIL, HW_INCOMPATIBLE, NO_DATA", opt, v);
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{ "system", required_argument, NULL, OPT_SYSTEM }, { "backend", required_argument, NULL, OPT_BACKEND },
		{ "version", required_argument, NULL, OPT_VERSION }, { "model", required_argument, NULL, OPT_MODEL },
		{ "architecture", required_argument, NULL, OPT_ARCH }, { "agg", required_argument, NULL, OPT_AGG },
		{ "agg-reason", required_argument, NULL, OPT_AGG_REASON },
		{ "disagg", required_argument, NULL, OPT_DISAGG },
		{ "disagg-reason", required_argument, NULL, OPT_DISAGG_REASON },
		{ "refused", required_argument, NULL, OPT_REFUSED }, { "render", required_argument, NULL, OPT_RENDER },
		{ "list-data", no_argument, NULL, OPT_LIST_DATA }, { "data-dir", required_argument, NULL, OPT_DATA_DIR },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *system = NULL, *backend = NULL, *version = NULL, *model = NULL, *arch = NULL;
	const char *agg = "PASS", *disagg = "PASS", *agg_reason = NULL, *disagg_reason = NULL, *refused = NULL;
	const char *how = NULL, *data_dir = NULL;
	bool listing = false;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SYSTEM: system = optarg; break;
		case OPT_BACKEND: backend = optarg; break;
		case OPT_VERSION: version = optarg; break;
		case OPT_MODEL: model = optarg; break;
		case OPT_ARCH: arch = optarg; break;
		case OPT_AGG: agg = status_arg("--agg", optarg); break;
		case OPT_AGG_REASON: agg_reason = optarg; break;
		case OPT_DISAGG: disagg = status_arg("--disagg", optarg); break;
		case OPT_DISAGG_REASON: disagg_reason = optarg; break;
		case OPT_REFUSED: refused = optarg; break;
		case OPT_RENDER:
			if (strcmp(optarg, "table") && strcmp(optarg, "csv"))
				usage_error("--render: '%s' is not one of table, csv", optarg);
			how = optarg;
			break;
		case OPT_LIST_DATA: listing = true; break;
		case OPT_DATA_DIR: data_dir = optarg; break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			usage_bad_option(longopts, optopt, argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (listing)
		return list_data(system, data_dir);
	if (how)
		return render(how);
	if (!system || !backend)
		usage_error("--system and --backend are required");
	if (refused)
		agg = disagg = "FAIL";
	return assess(system, backend, version, model, arch, agg, agg_reason, disagg, disagg_reason, refused);
}
