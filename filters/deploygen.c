/* deploygen: the picks of a `default` run (best_config_topn.csv) in; for each pick a topN/ folder
 * with the files that run it under NVIDIA Dynamo (engine configuration, launch scripts,
 * Kubernetes manifests, benchmark, SLURM flow) out, and the mode's exp_config.yaml. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvtab.h"
#include "deploy_copy.h"
#include "deploy_modes.h"
#include "deploy_plan.h"
#include "deploy_price.h"
#include "deploy_record.h"
#include "deploy_write.h"
#include "diag.h"
#include "streambuf.h"
#include "fspath.h"
#include "hfmodel.h"
#include "jsonl.h"
#include "sweep_space.h"
#include "systems.h"

static const char usage_text[] =
	"usage: deploygen --out DIR --model DIR --system S --backend B --total-gpus N --isl N --osl N\n"
	"                 --ttft MS --tpot MS [--request-latency MS] [--prefix N] [--nextn N] [--top-n N]\n"
	"                 [--deployment-target k8s,slurm,local] [--generator-set KEY=VALUE]...\n"
	"                 [--enable-wideep] [--sources FILE] [--price-records] [--help-keys]\n"
	"                 [--picks-dir DIR]\n"
	"                 [best_config_topn.csv]\n"
	"       deploygen --save-dir DIR --model DIR ... (the same options)\n"
	"\n"
	"Reads the picks of a `default` run (agg/ or disagg/ best_config_topn.csv, or stdin) and\n"
	"writes, for each of the first --top-n rows (all by default), DIR/topN/ with the files that\n"
	"deploy it under NVIDIA Dynamo " DEPLOY_DYNAMO_VERSION " (TensorRT-LLM " DEPLOY_TRTLLM_VERSION ", vLLM " DEPLOY_VLLM_VERSION
	", SGLang " DEPLOY_SGLANG_VERSION "):\n"
	"generator_config.yaml, the engine configuration (TRT-LLM: agg/prefill/decode_config.yaml;\n"
	"vLLM, SGLang: agg/prefill/decode_args.txt), and per --deployment-target (default: all three)\n"
	"k8s: k8s_deploy.yaml (a DynamoGraphDeployment) and k8s_bench.yaml (an aiperf Job); local:\n"
	"run_0.sh... (one per node) and bench_run.sh; slurm: sflow.yaml and bench_run.sh. It also writes\n"
	"DIR/exp_config.yaml, the search as an experiment of the reference's `exp` format.\n"
	"--save-dir DIR does both modes of a `default --save-dir` folder: DIR/agg/best_config_topn.csv\n"
	"into DIR/agg and DIR/disagg/best_config_topn.csv into DIR/disagg (each when it is there),\n"
	"side by side. --picks-dir P reads the picks from P/agg and P/disagg instead and copies\n"
	"the files there (the CSV files) into DIR/agg and DIR/disagg (`default` gives its scratch\n"
	"folder: one program writes the whole save folder).\n"
	"The other options are the `default` run's; --model is the folder it read.\n"
	"--generator-set KEY=VALUE (repeatable) changes a setting (--help-keys lists them: image,\n"
	"namespace, model path, ...).\n"
	"--price-records writes no file: it prints, for each pick, the model record (hfparse's) with\n"
	"config_id MODE/topN (agg/top1, disagg/top2, ...) and the pick's layout as its runtime, for\n"
	"opgraph | query | aggregate --ops to price every pick in one stream.\n"
	"--sources FILE (- for stdin): the picks' `aggregate --ops` reports, for per_ops_source.json:\n"
	"each pick's is the report whose config_id is its MODE/topN, or, when no report has such an\n"
	"id, the reports are the picks' in rank order; a pick without one (or with `error`) gets none.\n"
	"--enable-wideep: the run searched wide expert parallelism; exp_config.yaml says so (and keeps\n"
	"its disagg replica sizes open up to 512 GPUs, as the reference's wide-EP search).\n"
	"Prints one `deployment` record per pick (JSON Lines). See deploygen(1) and docs/deploy.md.\n";

enum {
	OPT_OUT = 256, OPT_MODEL, OPT_SYSTEM, OPT_BACKEND, OPT_TOTAL_GPUS, OPT_ISL, OPT_OSL, OPT_TTFT, OPT_TPOT,
	OPT_REQUEST_LATENCY, OPT_PREFIX, OPT_NEXTN, OPT_TOP_N, OPT_TARGET, OPT_SET, OPT_SOURCES, OPT_HELP_KEYS, OPT_WIDEEP,
	OPT_SAVE_DIR, OPT_PRICE_RECORDS, OPT_PICKS_DIR, OPT_HELP
};

/* One picks file (csv, "-" for stdin), read as lib/deploy/deploy_modes reads it: the records
 * that price its picks. */
static void price_picks(const deploy_ctx *c, const char *csv, long top_n, const cJSON *model)
{
	deploy_mode m;
	deploy_mode_load(&m, c, csv, "", top_n);
	for (size_t i = 0; i < m.w.n; i++) {
		cJSON *rec = deploy_price_record(&m.c, model, &m.t, i, m.w.v[i].p.rank);
		if (rec)
			jsonl_write(rec);
		cJSON_Delete(rec);
		deploy_pick_free(&m.w.v[i].p);
	}
	free(m.w.v);
	deploy_mode_free_table(&m);
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{"out", required_argument, 0, OPT_OUT}, {"model", required_argument, 0, OPT_MODEL},
		{"system", required_argument, 0, OPT_SYSTEM}, {"backend", required_argument, 0, OPT_BACKEND},
		{"total-gpus", required_argument, 0, OPT_TOTAL_GPUS}, {"isl", required_argument, 0, OPT_ISL},
		{"osl", required_argument, 0, OPT_OSL}, {"ttft", required_argument, 0, OPT_TTFT},
		{"tpot", required_argument, 0, OPT_TPOT}, {"request-latency", required_argument, 0, OPT_REQUEST_LATENCY},
		{"prefix", required_argument, 0, OPT_PREFIX}, {"nextn", required_argument, 0, OPT_NEXTN},
		{"top-n", required_argument, 0, OPT_TOP_N}, {"deployment-target", required_argument, 0, OPT_TARGET},
		{"generator-set", required_argument, 0, OPT_SET}, {"sources", required_argument, 0, OPT_SOURCES},
		{"help-keys", no_argument, 0, OPT_HELP_KEYS}, {"enable-wideep", no_argument, 0, OPT_WIDEEP},
		{"save-dir", required_argument, 0, OPT_SAVE_DIR}, {"price-records", no_argument, 0, OPT_PRICE_RECORDS},
		{"picks-dir", required_argument, 0, OPT_PICKS_DIR},
		{"help", no_argument, 0, OPT_HELP}, {0, 0, 0, 0},
	};
	deploy_ctx c = {.targets = TARGET_K8S | TARGET_SLURM | TARGET_LOCAL, .nextn = -1, .overrides = yn_map()};
	const char *out = NULL, *save_dir = NULL, *picks_dir = NULL, *backend = NULL, *sources_path = NULL;
	bool price = false;
	long top_n = 1L << 30;
	const long big = 1L << 40;
	bool have_ttft = false, have_tpot = false;
	char err[1024];
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_OUT: out = optarg; break;
		case OPT_SAVE_DIR: save_dir = optarg; break;
		case OPT_PICKS_DIR: picks_dir = optarg; break;
		case OPT_MODEL: c.model_dir = optarg; break;
		case OPT_SYSTEM: c.system = optarg; break;
		case OPT_BACKEND: backend = optarg; break;
		case OPT_TOTAL_GPUS: c.total_gpus = opt_long("--total-gpus", optarg, 1, 1 << 20); break;
		case OPT_ISL: c.isl = opt_long("--isl", optarg, 1, big); break;
		case OPT_OSL: c.osl = opt_long("--osl", optarg, 1, big); break;
		case OPT_TTFT: c.ttft = opt_double("--ttft", optarg), have_ttft = true; break;
		case OPT_TPOT: c.tpot = opt_double("--tpot", optarg), have_tpot = true; break;
		case OPT_REQUEST_LATENCY: c.request_latency = opt_double("--request-latency", optarg); break;
		case OPT_PREFIX: c.prefix = opt_long("--prefix", optarg, 0, big); break;
		case OPT_NEXTN: c.nextn = opt_long("--nextn", optarg, 0, 5); break;
		case OPT_TOP_N: top_n = opt_long("--top-n", optarg, 1, 1 << 20); break;
		case OPT_TARGET:
			if (!(c.targets = deploy_parse_targets(optarg)))
				usage_error("--deployment-target: '%s' is not a list of k8s, slurm, local", optarg);
			break;
		case OPT_SET:
			if (deploy_override(c.overrides, optarg, err, sizeof err))
				usage_error("%s", err);
			break;
		case OPT_SOURCES: sources_path = optarg; break;
		case OPT_PRICE_RECORDS: price = true; break;
		case OPT_WIDEEP: c.enable_wideep = true; break;
		case OPT_HELP_KEYS: deploy_keys_print(stdout); yn_free(c.overrides); return finish_stdout();
		case OPT_HELP: usage_print(usage_text); yn_free(c.overrides); return finish_stdout();
		default:
			usage_bad_option(longopts, optopt, argv[optind - 1]);
		}
	}
	if (argc - optind > 1)
		usage_error("unexpected argument '%s'", argv[optind + 1]);
	const char *csv = optind < argc ? argv[optind] : "-";
	if (!(out || save_dir) || !c.model_dir || !c.system || !backend || !c.total_gpus || !c.isl || !c.osl ||
	    !have_ttft || !have_tpot)
		usage_error("--out, --model, --system, --backend, --total-gpus, --isl, --osl, --ttft and --tpot are required");
	if (save_dir && (out || optind < argc))
		usage_error("--save-dir reads DIR/agg and DIR/disagg: give no --out and no picks file with it");
	if (picks_dir && !save_dir)
		usage_error("--picks-dir goes with --save-dir (the folder the files are written into)");
	if (price && sources_path)
		usage_error("--price-records writes what --sources reads: use one");
	if (sources_path && strcmp(sources_path, "-") == 0 && !save_dir && strcmp(csv, "-") == 0)
		usage_error("--sources - and the picks cannot both be stdin: name the picks file");
	if (!system_name_ok(c.system))
		usage_error("--system: bad system name '%s': use a name such as h200_sxm", c.system);
	if (strcmp(backend, "trtllm") == 0)
		c.backend = BACKEND_TRTLLM;
	else if (strcmp(backend, "vllm") == 0)
		c.backend = BACKEND_VLLM;
	else if (strcmp(backend, "sglang") == 0)
		c.backend = BACKEND_SGLANG;
	else
		usage_error("--backend: '%s' is not one of trtllm, vllm, sglang", backend);
	c.backend_name = backend;
	if (c.prefix >= c.isl)
		usage_error("--prefix (%ld) must be less than --isl (%ld)", c.prefix, c.isl);

	cJSON *model = hfmodel_load(c.model_dir, err, sizeof err);
	if (!model)
		die(EXIT_DATA, "--model: %s", err);
	/* exp_config.yaml must find the model from wherever it is run */
	char *model_abs = realpath(c.model_dir, NULL);
	if (model_abs)
		c.model_dir = model_abs;
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(model, "model_path"));
	snprintf(c.model_id, sizeof c.model_id, "%s", id ? id : c.model_dir);
	c.is_moe = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(model, "is_moe"));
	if (c.nextn < 0) {
		const char *family = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(model, "family"));
		c.nextn = sweep_default_nextn(family ? family : "");
	}
	const struct system_spec *sys = system_load(c.system, err, sizeof err);
	if (!sys)
		die(EXIT_DATA, "--system: %s", err);
	c.gpus_per_node = sys->num_gpus_per_node > 0 ? sys->num_gpus_per_node : 8;

	/* Reports from stdin come from the chain that prices the picks: they are read after every
	 * file that does not need them is written, so that the writing and the pricing overlap. */
	deploy_sources sources = {0};
	bool sources_later = sources_path && strcmp(sources_path, "-") == 0;
	if (sources_path && !sources_later)
		deploy_sources_read(&sources, sources_path);
	written_picks w = {0};
	/* each picks file read in turn (a bad one ends the run before anything is written), then
	 * written: both modes side by side (lib/deploy/deploy_modes) */
	deploy_mode modes[2];
	size_t nmodes = 0;
	if (save_dir) {
		static const char *const names[] = {"agg", "disagg"};
		for (size_t m = 0; m < 2; m++) {
			char mode_dir[4096], mode_csv[4200];
			struct stat st;
			snprintf(mode_dir, sizeof mode_dir, "%s/%s", save_dir, names[m]);
			snprintf(mode_csv, sizeof mode_csv, "%s/%s/best_config_topn.csv", picks_dir ? picks_dir : save_dir,
				 names[m]);
			if (stat(mode_csv, &st) != 0 || !S_ISREG(st.st_mode))
				continue;
			if (price)
				price_picks(&c, mode_csv, top_n, model), nmodes++;
			else
				deploy_mode_load(&modes[nmodes++], &c, mode_csv, mode_dir, top_n);
		}
		if (!nmodes)
			die(EXIT_DATA, "%s: no agg/ or disagg/ best_config_topn.csv", picks_dir ? picks_dir : save_dir);
	} else if (price) {
		price_picks(&c, csv, top_n, model);
	} else {
		deploy_mode_load(&modes[nmodes++], &c, csv, out, top_n);
	}
	if (!price) {
		for (size_t m = 0; m < nmodes; m++)
			deploy_mode_free_table(&modes[m]);
		if (picks_dir && deploy_copy_picks(picks_dir, save_dir, err, sizeof err))
			die(EXIT_DATA, "%s", err);
		if (deploy_modes_write(modes, nmodes, &w, err, sizeof err))
			die(EXIT_DATA, "%s", err);
	}
	if (sources_later)
		deploy_sources_read(&sources, sources_path);
	for (size_t i = 0; i < w.n; i++) {
		written_pick *wp = &w.v[i];
		c.disagg = wp->disagg;
		const cJSON *report = deploy_sources_find(&sources, &c, wp->p.rank, wp->index);
		if (report && deploy_write_sources(report, wp->dir, &wp->files, err, sizeof err))
			die(EXIT_DATA, "%s", err);
		cJSON *rec = deploy_pick_record(&c, &wp->p, wp->dir, &wp->files);
		jsonl_write(rec);
		cJSON_Delete(rec);
		strlist_free(&wp->files);
		deploy_pick_free(&wp->p);
	}
	free(w.v);
	deploy_sources_free(&sources);
	cJSON_Delete(model);
	yn_free(c.overrides);
	free(model_abs);
	return finish_stdout();
}
