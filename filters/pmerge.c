/* pmerge: merge the saved results of several `default` runs of one model (one per backend) into
 * one agg and one disagg result, as the reference's `cli default --backend auto` merges its
 * per-backend experiments (cli/utils.py merge_experiment_results_by_mode): each mode's best
 * configurations concatenated in run order, ranked by tokens/s/gpu_cluster (pandas' unstable
 * sort, lib/util/pdsort) and cut to the top N; the fronts concatenated and their Pareto front taken
 * again. A disagg table gains the `backend` column the reference adds. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvtab.h"
#include "diag.h"
#include "streambuf.h"
#include "jsonl.h"
#include "merged_table.h"

static const char usage_text[] =
	"usage: pmerge [--top-n 5] [--request-latency] [--inclusive-tpot] [--format jsonl|table]\n"
	"              [--save-dir DIR] RUN...\n"
	"\n"
	"Each RUN is the --save-dir of one `default` run (agg/ and disagg/ best_config_topn.csv and\n"
	"pareto.csv), one per backend, in the reference's backend order (trtllm, sglang, vllm). For\n"
	"each mode, the best configurations of all runs are ranked by tokens/s/gpu_cluster and the\n"
	"top N kept; the fronts are merged into one Pareto front of tokens/s/gpu_cluster against\n"
	"tokens/s/user (--request-latency: against request_latency, lower better). The chosen mode\n"
	"has the higher best tokens/s/gpu_cluster (agg on a tie). Writes JSON Lines (chosen, best and\n"
	"front records, as pareto's) or a table; --save-dir writes the merged CSV files. One RUN is\n"
	"copied as it is (nothing to merge). --inclusive-tpot writes TPOT as (ttft + tpot x\n"
	"(osl - 1)) / osl, as the reference's --inclusive-tpot shows it. Exit 1 when no run has a\n"
	"result. Agg rows of infercast's load model (default --fidelity load: balance_score empty)\n"
	"are said so (a latency model line; agg_latency_model and latency_model \"load\" in JSON).\n"
	"  --top-n N            configurations per mode (default 5)\n"
	"  --request-latency    the runs drew their fronts against request_latency\n"
	"  --inclusive-tpot     TPOT with the first token's time spread over the output tokens\n"
	"  --format F           jsonl (default) or table\n"
	"  --save-dir DIR       write DIR/agg and DIR/disagg best_config_topn.csv and pareto.csv\n"
	"See pmerge(1).\n";

enum { OPT_TOP_N = 1, OPT_LATENCY, OPT_FORMAT, OPT_SAVE_DIR, OPT_INCLUSIVE, OPT_HELP };

typedef struct run_tables {
	csvtab best, front;
	bool has_best, has_front;
	char backend[32];
} run_tables;

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{ "top-n", required_argument, NULL, OPT_TOP_N }, { "request-latency", no_argument, NULL, OPT_LATENCY },
		{ "format", required_argument, NULL, OPT_FORMAT }, { "save-dir", required_argument, NULL, OPT_SAVE_DIR },
		{ "inclusive-tpot", no_argument, NULL, OPT_INCLUSIVE },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	long top_n = 5;
	bool by_latency = false, table = false, inclusive = false;
	const char *save = NULL;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TOP_N: top_n = opt_long("--top-n", optarg, 1, 1 << 20); break;
		case OPT_LATENCY: by_latency = true; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "jsonl") && strcmp(optarg, "table"))
				usage_error("--format: '%s' is not one of jsonl, table", optarg);
			table = !strcmp(optarg, "table");
			break;
		case OPT_SAVE_DIR: save = optarg; break;
		case OPT_INCLUSIVE: inclusive = true; break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			usage_bad_option(longopts, optopt, argv[optind - 1]);
		}
	}
	int nruns = argc - optind;
	if (nruns < 1)
		usage_error("name at least one RUN folder");
	bool single_run = nruns == 1; /* one RUN: copied as it is, nothing merged */
	run_tables *runs = calloc((size_t)nruns, sizeof *runs);
	if (!runs)
		die(EXIT_DATA, "out of memory");
	static const char *const modes[] = { "agg", "disagg" };
	merged best[2] = { 0 }, front[2] = { 0 };
	double throughput[2] = { 0, 0 };
	run_tables *tabs[2];
	tabs[0] = runs;
	tabs[1] = calloc((size_t)nruns, sizeof *runs);
	if (!tabs[1])
		die(EXIT_DATA, "out of memory");
	for (int m = 0; m < 2; m++) {
		for (int r = 0; r < nruns; r++) {
			run_tables *rt = &tabs[m][r];
			char path[4096], err[1024];
			struct stat st;
			snprintf(path, sizeof path, "%s/%s/best_config_topn.csv", argv[optind + r], modes[m]);
			if (stat(path, &st) == 0) {
				if (csvtab_load(&rt->best, path, err, sizeof err))
					die(EXIT_DATA, "%s", err);
				rt->has_best = true;
			}
			snprintf(path, sizeof path, "%s/%s/pareto.csv", argv[optind + r], modes[m]);
			if (stat(path, &st) == 0) {
				if (csvtab_load(&rt->front, path, err, sizeof err))
					die(EXIT_DATA, "%s", err);
				rt->has_front = true;
			}
			/* the run's backend, from its rows (agg: backend, disagg: (p)backend) */
			const csvtab *t = rt->has_best ? &rt->best : rt->has_front ? &rt->front : NULL;
			int bc = t ? csvtab_col(t, m ? "(p)backend" : "backend") : -1;
			if (t && bc >= 0 && t->nrows)
				snprintf(rt->backend, sizeof rt->backend, "%s", t->rows[0][bc]);
			if (rt->has_best && rt->best.nrows) {
				snprintf(path, sizeof path, "%s/%s/best_config_topn.csv", argv[optind + r], modes[m]);
				merged_begin(&best[m], &rt->best, path, single_run);
				for (size_t i = 0; i < rt->best.nrows; i++)
					merged_push_row(&best[m], rt->best.rows[i], rt->backend);
			}
			if (rt->has_front && rt->front.nrows) {
				snprintf(path, sizeof path, "%s/%s/pareto.csv", argv[optind + r], modes[m]);
				merged_begin(&front[m], &rt->front, path, single_run);
				for (size_t i = 0; i < rt->front.nrows; i++)
					merged_push_row(&front[m], rt->front.rows[i], rt->backend);
			}
		}
		if (best[m].n) {
			int col = merged_col(&best[m], "tokens/s/gpu_cluster");
			if (col < 0)
				die(EXIT_DATA, "%s: the best configurations have no 'tokens/s/gpu_cluster' column", modes[m]);
			if (!single_run)
				merged_sort_by(&best[m], col, false);
			for (size_t i = (size_t)top_n; i < best[m].n; i++)
				free(best[m].rows[i]);
			if (best[m].n > (size_t)top_n)
				best[m].n = (size_t)top_n;
			throughput[m] = merged_num(best[m].rows[0][col]);
		}
		if (front[m].n && !single_run)
			merged_pareto_front(&front[m], by_latency ? "request_latency" : "tokens/s/user", !by_latency);
		if (inclusive) {
			merged_inclusive_tpot(&best[m]);
			merged_inclusive_tpot(&front[m]);
		}
	}
	if (!best[0].n && !best[1].n && !front[0].n && !front[1].n)
		die(EXIT_DATA, "no run has a result to merge");
	int chosen = throughput[1] > throughput[0] ? 1 : 0;
	/* the runs' agg priced by the load model (default --fidelity load) */
	bool agg_load = (best[0].n && merged_load_row(&best[0], best[0].rows[0])) ||
			(front[0].n && merged_load_row(&front[0], front[0].rows[0]));
	if (save) {
		if (mkdir(save, 0777) && errno != EEXIST)
			die(EXIT_DATA, "%s: %s", save, strerror(errno));
		for (int m = 0; m < 2; m++) {
			if (best[m].n)
				merged_write_csv(&best[m], save, modes[m], "best_config_topn.csv");
			if (front[m].n)
				merged_write_csv(&front[m], save, modes[m], "pareto.csv");
		}
	}
	if (table) {
		printf("chosen: %s, %s tokens/s/gpu_cluster (agg %s, disagg %s)\n", modes[chosen],
		       best[chosen].n ? merged_cell(&best[chosen], best[chosen].rows[0], "tokens/s/gpu_cluster") : "0",
		       best[0].n ? merged_cell(&best[0], best[0].rows[0], "tokens/s/gpu_cluster") : "-",
		       best[1].n ? merged_cell(&best[1], best[1].rows[0], "tokens/s/gpu_cluster") : "-");
		if (agg_load)
			printf("latency model: agg by infercast's load model (--fidelity load, docs/accuracy.md)\n");
		for (int m = 0; m < 2; m++)
			if (best[m].n)
				merged_print_table(modes[m], &best[m]);
	} else {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "record", "chosen");
		cJSON_AddStringToObject(o, "mode", modes[chosen]);
		cJSON_AddNumberToObject(o, "tokens_per_s_per_gpu", throughput[chosen]);
		cJSON_AddNumberToObject(o, "agg_tokens_per_s_per_gpu", throughput[0]);
		cJSON_AddNumberToObject(o, "disagg_tokens_per_s_per_gpu", throughput[1]);
		if (agg_load)
			cJSON_AddStringToObject(o, "agg_latency_model", "load");
		jsonl_write(o);
		cJSON_Delete(o);
		for (int m = 0; m < 2; m++) {
			merged_emit_rows(modes[m], "best", &best[m]);
			merged_emit_rows(modes[m], "front", &front[m]);
		}
	}
	for (int m = 0; m < 2; m++) {
		merged_free(&best[m]);
		merged_free(&front[m]);
		for (int r = 0; r < nruns; r++) {
			if (tabs[m][r].has_best)
				csvtab_free(&tabs[m][r].best);
			if (tabs[m][r].has_front)
				csvtab_free(&tabs[m][r].front);
		}
		free(tabs[m]);
	}
	return finish_stdout();
}
