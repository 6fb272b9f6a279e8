/* pareto: the report records of a `default` sweep in; the reference's result tables, Pareto
 * fronts and picks for agg and disagg out (JSON Lines, a summary table, and CSV files). */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "outfile.h"
#include "streambuf.h"
#include "sweep_pick.h"
#include "sweep_points.h"
#include "sweep_print.h"
#include "sweep_report.h"

static const char usage_text[] =
	"usage: pareto --total-gpus N [--ttft 2000] [--tpot 30] [--request-latency MS] [--top-n 5]\n"
	"              [--strict-sla] [--free-gpu-memory-fraction F] [--format jsonl|table|csv] [--save-dir DIR]\n"
	"              [--data-dir DIR] [--expect N] < reports.jsonl\n"
	"\n"
	"Reads the reports of a sweep (sweep | opgraph | query | aggregate --ops) and does what the\n"
	"reference's `cli default` does with them: the agg result table (per layout and TPOT target\n"
	"of its scan, the best points under the TTFT target), the disagg one (prefill and decode\n"
	"workers rate-matched into replicas of 1..min(N,128) GPUs), tokens/s/gpu over N GPUs, the\n"
	"Pareto front against tokens/s/user, and the best configuration of each layout under the TPOT\n"
	"target. Writes JSON Lines (chosen, best, front records) or, with --format table, the summary\n"
	"and tables, or with --format csv the chosen mode's best configurations (best_config_topn.csv's\n"
	"columns); --save-dir writes agg/ and disagg/ pareto.csv and best_config_topn.csv with the\n"
	"reference's columns. --free-gpu-memory-fraction re-checks TRT-LLM's KV-cache budget with F\n"
	"(default: the reports' check, at TRT-LLM's 0.9). --request-latency MS sets an end-to-end\n"
	"target instead of the TPOT one: both searches scan TTFT/TPOT splits of it, the front is against\n"
	"request_latency and the picks are under it. --expect N shows progress on a terminal.\n"
	"An experiment's replica_config and latency corrections: --replica-gpus LIST|any (default\n"
	"1,2,4,8,16,24,...,128), --max-gpus-per-replica N (128), --max-prefill-workers N and\n"
	"--max-decode-workers N (32), --prefill-correction F (1.1), --decode-correction F (1.08),\n"
	"--max-prefill-gpus N and --max-decode-gpus N (each pool's GPUs; both or neither, as the\n"
	"reference), --prefill-degradation F (0.9) and --decode-degradation F (0.92): the rate\n"
	"matching's throughput factors.\n"
	"Exit 1 when no configuration\n"
	"fits or none meets the targets. See pareto(1) and docs/sweep.md.\n";

enum {
	OPT_TOTAL_GPUS = 256, OPT_TTFT, OPT_TPOT, OPT_TOP_N, OPT_STRICT, OPT_KV_FRACTION, OPT_FORMAT, OPT_SAVE_DIR,
	OPT_DATA_DIR, OPT_EXPECT, OPT_REQUEST_LATENCY, OPT_REPLICA_GPUS, OPT_MAX_REPLICA, OPT_MAX_PREFILL_WORKERS,
	OPT_MAX_DECODE_WORKERS, OPT_PREFILL_CORRECTION, OPT_DECODE_CORRECTION, OPT_MAX_PREFILL_GPUS,
	OPT_MAX_DECODE_GPUS, OPT_PREFILL_DEGRADATION, OPT_DECODE_DEGRADATION, OPT_HELP
};

/* The disagg latency corrections: prefill, decode (the reference's advanced_tuning_config). */
static double corrections[2] = { SWEEP_PREFILL_CORRECTION, SWEEP_DECODE_CORRECTION };

static void save_csv(const char *dir, const char *mode, const char *file, const pick_table *t, bool disagg,
		     const pick_common *c)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, mode);
	if (mkdir(path, 0777) && errno != EEXIST)
		die(EXIT_DATA, "%s: cannot create: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/%s/%s", dir, mode, file);
	FILE *f = outfile_open(path);
	if (!f)
		die(EXIT_DATA, "%s: cannot write: %s", path, strerror(errno));
	pick_write_csv(f, t, disagg, c);
	if (outfile_close(f))
		die(EXIT_DATA, "%s: write failed: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
#ifdef M_MMAP_THRESHOLD
	/* The result tables (rows of a kilobyte, a few hundred KB a table) and the searches' scratch
	 * arrays are made and freed by the dozen after the input ends: in the heap, kept when freed
	 * (no mmap, page faults and munmap for each), they are reused. Past 4 MB (the points of a
	 * sweep of ten thousand configurations) a block is mapped apart as ever, where realloc
	 * grows it without copying. */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
#endif
	static const struct option longopts[] = {
		{"total-gpus", required_argument, 0, OPT_TOTAL_GPUS}, {"ttft", required_argument, 0, OPT_TTFT},
		{"tpot", required_argument, 0, OPT_TPOT}, {"top-n", required_argument, 0, OPT_TOP_N},
		{"strict-sla", no_argument, 0, OPT_STRICT},
		{"free-gpu-memory-fraction", required_argument, 0, OPT_KV_FRACTION},
		{"format", required_argument, 0, OPT_FORMAT}, {"save-dir", required_argument, 0, OPT_SAVE_DIR},
		{"data-dir", required_argument, 0, OPT_DATA_DIR}, {"expect", required_argument, 0, OPT_EXPECT},
		{"request-latency", required_argument, 0, OPT_REQUEST_LATENCY},
		{"replica-gpus", required_argument, 0, OPT_REPLICA_GPUS},
		{"max-gpus-per-replica", required_argument, 0, OPT_MAX_REPLICA},
		{"max-prefill-workers", required_argument, 0, OPT_MAX_PREFILL_WORKERS},
		{"max-decode-workers", required_argument, 0, OPT_MAX_DECODE_WORKERS},
		{"prefill-correction", required_argument, 0, OPT_PREFILL_CORRECTION},
		{"decode-correction", required_argument, 0, OPT_DECODE_CORRECTION},
		{"max-prefill-gpus", required_argument, 0, OPT_MAX_PREFILL_GPUS},
		{"max-decode-gpus", required_argument, 0, OPT_MAX_DECODE_GPUS},
		{"prefill-degradation", required_argument, 0, OPT_PREFILL_DEGRADATION},
		{"decode-degradation", required_argument, 0, OPT_DECODE_DEGRADATION},
		{"help", no_argument, 0, OPT_HELP}, {0, 0, 0, 0},
	};
	pick_targets t = {.ttft = 2000.0, .tpot = 30.0, .top_n = 5};
	double kv_fraction = 0; /* 0: the reports' own KV-cache check (TRT-LLM's default 0.9) */
	pick_replica replica;
	pick_replica_defaults(&replica);
	bool replica_cap_given = false;
	const char *format = "jsonl", *save_dir = NULL, *data_dir = NULL;
	long expect = 0;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_TOTAL_GPUS: t.total_gpus = opt_long("--total-gpus", optarg, 1, 1 << 20); break;
		case OPT_TTFT: t.ttft = opt_double("--ttft", optarg); break;
		case OPT_TPOT: t.tpot = opt_double("--tpot", optarg); break;
		case OPT_TOP_N: t.top_n = opt_long("--top-n", optarg, 1, 1000); break;
		case OPT_STRICT: t.strict_sla = true; break;
		case OPT_KV_FRACTION: kv_fraction = opt_double("--free-gpu-memory-fraction", optarg); break;
		case OPT_FORMAT:
			if (strcmp(optarg, "jsonl") && strcmp(optarg, "table") && strcmp(optarg, "csv"))
				usage_error("--format: '%s' is not one of jsonl, table, csv", optarg);
			format = optarg;
			break;
		case OPT_SAVE_DIR: save_dir = optarg; break;
		case OPT_DATA_DIR: data_dir = optarg; break;
		case OPT_EXPECT: expect = opt_long("--expect", optarg, 0, 1L << 40); break;
		case OPT_REQUEST_LATENCY:
			t.request_latency = opt_double("--request-latency", optarg);
			if (!(t.request_latency > 0))
				usage_error("--request-latency must be positive");
			break;
		case OPT_REPLICA_GPUS:
			if (!strcmp(optarg, "any")) {
				replica.any_size = true;
				replica.nsizes = 0;
				break;
			}
			replica.any_size = false;
			replica.nsizes = 0;
			for (const char *p = optarg; *p;) {
				char *end;
				long v = strtol(p, &end, 10);
				if (end == p || v < 1 || v > 1L << 20 || (*end && *end != ',') || replica.nsizes == PICK_MAX_REPLICA_SIZES)
					usage_error("--replica-gpus: '%s' is not 'any' or a list of GPU counts", optarg);
				replica.sizes[replica.nsizes++] = v;
				p = *end ? end + 1 : end;
			}
			if (!replica.nsizes)
				usage_error("--replica-gpus: '%s' is not 'any' or a list of GPU counts", optarg);
			break;
		case OPT_MAX_REPLICA:
			replica.max_gpus_per_replica = opt_long("--max-gpus-per-replica", optarg, 0, 1L << 20);
			replica_cap_given = true;
			break;
		case OPT_MAX_PREFILL_WORKERS: replica.max_prefill_workers = opt_long("--max-prefill-workers", optarg, 1, 4096); break;
		case OPT_MAX_DECODE_WORKERS: replica.max_decode_workers = opt_long("--max-decode-workers", optarg, 1, 4096); break;
		case OPT_PREFILL_CORRECTION: corrections[0] = opt_double("--prefill-correction", optarg); break;
		case OPT_DECODE_CORRECTION: corrections[1] = opt_double("--decode-correction", optarg); break;
		case OPT_MAX_PREFILL_GPUS: replica.max_prefill_gpus = opt_long("--max-prefill-gpus", optarg, 1, 1L << 20); break;
		case OPT_MAX_DECODE_GPUS: replica.max_decode_gpus = opt_long("--max-decode-gpus", optarg, 1, 1L << 20); break;
		case OPT_PREFILL_DEGRADATION:
			replica.prefill_degradation = opt_double("--prefill-degradation", optarg);
			break;
		case OPT_DECODE_DEGRADATION: replica.decode_degradation = opt_double("--decode-degradation", optarg); break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			usage_bad_option(longopts, optopt, argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!t.total_gpus)
		usage_error("--total-gpus is required");
	if (t.ttft <= 0 || t.tpot <= 0)
		usage_error("--ttft and --tpot must be positive");
	if (kv_fraction < 0 || kv_fraction > 1)
		usage_error("--free-gpu-memory-fraction must be in (0, 1]");
	if (!(corrections[0] > 0) || !(corrections[1] > 0))
		usage_error("--prefill-correction and --decode-correction must be positive");
	if (!(replica.prefill_degradation > 0) || !(replica.decode_degradation > 0))
		usage_error("--prefill-degradation and --decode-degradation must be positive");
	/* the reference bounds the pools only when both are given: one alone would be ignored */
	if ((replica.max_prefill_gpus > 0) != (replica.max_decode_gpus > 0))
		usage_error("--max-prefill-gpus and --max-decode-gpus go together");
	/* a cap above the largest replica size extends the sizes by 8 at a time (the reference's task) */
	while (replica_cap_given && replica.max_gpus_per_replica > 0 && !replica.any_size && replica.nsizes &&
	       replica.nsizes < PICK_MAX_REPLICA_SIZES) {
		long top = replica.sizes[0];
		for (size_t i = 1; i < replica.nsizes; i++)
			if (replica.sizes[i] > top)
				top = replica.sizes[i];
		if (replica.max_gpus_per_replica <= top)
			break;
		replica.sizes[replica.nsizes++] = top + 8;
	}
	pick_set_replica(&replica);

	sweep_points pt = {0};
	sweep_points_read(&pt, kv_fraction, corrections, expect);
	/* SGLang's disagg without wide EP pairs only workers of equal TP (dynamo issue 5870); the
	 * reports of a wide-EP sweep (opgraph --wideep) say "wideep": true. */
	const char *backend = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pt.first, "backend"));
	pt.require_same_tp = backend && strcmp(backend, "sglang") == 0 &&
			     !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pt.first, "wideep"));
	char vbuf[128], err[512];
	pick_common common;
	if (sweep_common(pt.first, sweep_points_version(pt.first, data_dir, vbuf, sizeof vbuf), &common, err, sizeof err))
		die(EXIT_DATA, "%s", err);
	if (t.request_latency > 0 && common.osl < 2)
		die(EXIT_DATA, "--request-latency needs osl above 1 (the reports have osl %ld)", common.osl);

	sweep_mode_result modes[2] = {{.name = "agg"}, {.name = "disagg"}};
	for (int i = 0; i < 2; i++)
		sweep_mode_run(&modes[i], &pt, &common, &t);

	int ran = 0, met = 0;
	char why[2600] = "";
	for (int i = 0; i < 2; i++) {
		ran += modes[i].ran;
		met += modes[i].ran && modes[i].met;
		if (!modes[i].ran && modes[i].failure[0])
			snprintf(why + strlen(why), sizeof why - strlen(why), "; %s: %s", modes[i].name,
				 modes[i].failure);
	}
	if (!ran)
		die(EXIT_DATA, "no configuration of %s on %ld GPUs%s", common.model, t.total_gpus, why);
	for (int i = 0; i < 2; i++)
		if (!modes[i].ran && modes[i].failure[0])
			warnx_("%s: %s", modes[i].name, modes[i].failure);
	if (!met && t.request_latency > 0)
		die(EXIT_DATA, "no configuration meets request latency <= %g ms; relax --request-latency",
		    t.request_latency);
	if (!met) {
		/* the best reachable: the lowest TPOT of the configurations under the TTFT target */
		double tpot = 0;
		const char *where = "";
		for (int i = 0; i < 2; i++)
			for (size_t k = 0; modes[i].ran && k < modes[i].results.n; k++)
				if (tpot == 0 || modes[i].results.rows[k].tpot < tpot)
					tpot = modes[i].results.rows[k].tpot, where = modes[i].name;
		if (tpot > 0)
			die(EXIT_DATA, "no configuration meets TTFT <= %g ms and TPOT <= %g ms; the lowest TPOT with "
				       "TTFT <= %g ms is %.2f ms (%s): relax --ttft or --tpot",
			    t.ttft, t.tpot, t.ttft, tpot, where);
		die(EXIT_DATA, "no configuration meets TTFT <= %g ms and TPOT <= %g ms; relax --ttft or --tpot",
		    t.ttft, t.tpot);
	}

	if (save_dir) {
		if (mkdir(save_dir, 0777) && errno != EEXIST)
			die(EXIT_DATA, "%s: cannot create: %s", save_dir, strerror(errno));
		for (int i = 0; i < 2; i++) {
			if (!modes[i].ran)
				continue;
			bool dis = i == 1;
			save_csv(save_dir, modes[i].name, "pareto.csv", &modes[i].front, dis, &common);
			save_csv(save_dir, modes[i].name, "best_config_topn.csv", &modes[i].best, dis, &common);
		}
	}
	/* the summary's words for pareto's options */
	static const sweep_print_words words = { "--fidelity load", "--save-dir DIR saves them as pareto.csv" };
	if (strcmp(format, "table") == 0)
		sweep_print_summary(stdout, modes, 2, &common, pt.is_moe, &t, save_dir, &words);
	else if (strcmp(format, "csv") == 0 && sweep_chosen(modes, 2) >= 0)
		pick_write_csv(stdout, &modes[sweep_chosen(modes, 2)].best, sweep_chosen(modes, 2) == 1, &common);
	else
		sweep_print_jsonl(modes, 2, &common);

	for (int i = 0; i < 2; i++) {
		pick_table_free(&modes[i].results);
		pick_table_free(&modes[i].front);
		pick_table_free(&modes[i].best);
	}
	sweep_points_free(&pt);
	return finish_stdout();
}
