/* sweep: model records in; for each, the reference's `default` search space out as model records
 * that each carry a config_id and a `runtime` object, for opgraph | query | aggregate | pareto. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "streambuf.h"
#include "fidelity.h"
#include "systems.h"
#include "jsonl.h"
#include "opgraph_quant.h"
#include "sweep_emit.h"
#include "sweep_deepep.h"
#include "sweep_space.h"

static const char usage_text[] =
	"usage: sweep --system S --backend B --total-gpus N --isl N --osl N [--prefix N]\n"
	"             [--modes agg,disagg] [--nextn N] [--enable-chunked-prefill]\n"
	"             [--max-batch 512] [--prefill-max-batch 1] [--decode-max-batch 512]\n"
	"             [--enable-wideep] [--moe-backend deepep_moe] [--data-dir DIR] [--version V]\n"
	"             [--decode-system S [--decode-version V]] [--nextn-accept-rates R,R,...]\n"
	"             [--{,prefill-,decode-}{gemm,moe,fmha,kvcache,comm}-quant Q]\n"
	"             [--agg-lists L] [--prefill-lists L] [--decode-lists L]\n"
	"             [--prefill-enable-eplb] [--decode-enable-eplb]\n"
	"             [--fidelity load|reference] [--count] < models.jsonl\n"
	"       sweep ... --deepep-check < models.jsonl\n"
	"\n"
	"Enumerates, for each model record (hfparse), the configurations the reference's\n"
	"`aiconfigurator cli default` evaluates on --total-gpus GPUs, and writes each as the model\n"
	"record with a `config_id` and a `runtime` object for opgraph:\n"
	"  agg      every worker layout that fits, batch sizes 1..512, context-token budgets\n"
	"           (mode agg, ctx_tokens); id agg/LAYOUT/bB/ctxC. --fidelity load (default:\n"
	"           $INFERCAST_FIDELITY, else load): one per layout and batch (id agg/LAYOUT/bB, no\n"
	"           ctx_tokens), for opgraph's load model, whose engine chunks prompts itself\n"
	"  disagg   prefill workers (mode static_ctx; id prefill/LAYOUT/bB) and decode workers\n"
	"           (mode static_gen; id decode/LAYOUT/bB), matched later by pareto\n"
	"Points the reference cuts off by their results (out of memory, repeated balance) are all\n"
	"written: pareto replays the cut-offs in this order. --count writes only how many records\n"
	"there would be. nextn defaults to the reference's (1 for DeepSeek-like families and\n"
	"Qwen3.5). As the reference's task does, DeepSeek-V3 and Kimi-K2.5 agg and prefill workers\n"
	"price context attention in bfloat16 when the context MLA tables of the data (--data-dir,\n"
	"--version: as query's) have no fp8 rows. --decode-system puts the decode workers on another\n"
	"system (its layouts; runtime system and --decode-version). The quant options set every\n"
	"worker's mode (--gemm-quant ...) or one side's (--prefill-gemm-quant ...; a named FMHA mode\n"
	"replaces the bfloat16 fallback); --nextn-accept-rates the MTP acceptance rates. --agg-lists\n"
	"(--prefill-lists, --decode-lists) replaces a role's search lists, as an experiment's\n"
	"worker config: num_gpu=4,8/tp=1,2,4,8/pp=1/dp=1,2,4,8/moe_tp=1/moe_ep=1,2,4,8, any subset.\n"
	"--prefill-enable-eplb (--decode-enable-eplb) marks the disagg prefill (decode) workers'\n"
	"runtime with enable_eplb, as an experiment's enable_eplb (agg workers ignore it, as the\n"
	"reference's run_agg does).\n"
	"--deepep-check writes the modes (agg,disagg) for which the reference's default adds its SGLang\n"
	"DeepEP search (--moe-backend deepep_moe) for the first model record: an SGLang MoE model whose\n"
	"data has the DeepEP tables and DeepEP expert rows of its quant mode; exit 1 saying why not.\n"
	"See sweep(1) and docs/sweep.md.\n";

enum {
	OPT_SYSTEM = 256, OPT_BACKEND, OPT_TOTAL_GPUS, OPT_ISL, OPT_OSL, OPT_PREFIX, OPT_MODES, OPT_NEXTN,
	OPT_CHUNKED, OPT_MAX_BATCH, OPT_PREFILL_MAX_BATCH, OPT_DECODE_MAX_BATCH, OPT_WIDEEP, OPT_MOE_BACKEND,
	OPT_DATA_DIR, OPT_VERSION, OPT_COUNT, OPT_DECODE_SYSTEM, OPT_DECODE_VERSION, OPT_ACCEPT_RATES,
	OPT_AGG_LISTS, OPT_PREFILL_LISTS, OPT_DECODE_LISTS, OPT_FIDELITY, OPT_DEEPEP_CHECK, OPT_PREFILL_EPLB, OPT_DECODE_EPLB,
	/* --{,prefill-,decode-}{gemm,moe,fmha,kvcache,comm}-quant, in quant_kind order */
	OPT_QUANT0, OPT_HELP = OPT_QUANT0 + 3 * QUANT_KIND_COUNT
};

static bool parse_modes(const char *v, sweep_emit_options *o)
{
	o->agg = o->disagg = false;
	char buf[64];
	snprintf(buf, sizeof buf, "%s", v);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "agg") == 0)
			o->agg = true;
		else if (strcmp(t, "disagg") == 0)
			o->disagg = true;
		else
			return false;
	}
	return o->agg || o->disagg;
}

/* --deepep-check: the modes of the reference's extra SGLang DeepEP search for the first model
 * record ("agg,disagg", "agg" or "disagg"), or exit 1 saying why there is none. */
static int deepep_modes(jsonl_reader *r, const sweep_emit_options *o)
{
	cJSON *rec = jsonl_next(r);
	if (!rec)
		die(EXIT_DATA, "--deepep-check: no model record on stdin");
	bool agg, disagg;
	char why[2048];
	if (!sweep_deepep_modes(rec, o, &agg, &disagg, why, sizeof why))
		die(EXIT_DATA, "no SGLang DeepEP search: %s", why);
	printf("%s%s%s\n", agg ? "agg" : "", agg && disagg ? "," : "", disagg ? "disagg" : "");
	cJSON_Delete(rec);
	jsonl_close(r);
	return finish_stdout();
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{"system", required_argument, 0, OPT_SYSTEM}, {"backend", required_argument, 0, OPT_BACKEND},
		{"total-gpus", required_argument, 0, OPT_TOTAL_GPUS}, {"isl", required_argument, 0, OPT_ISL},
		{"osl", required_argument, 0, OPT_OSL}, {"prefix", required_argument, 0, OPT_PREFIX},
		{"modes", required_argument, 0, OPT_MODES}, {"nextn", required_argument, 0, OPT_NEXTN},
		{"enable-chunked-prefill", no_argument, 0, OPT_CHUNKED},
		{"max-batch", required_argument, 0, OPT_MAX_BATCH},
		{"prefill-max-batch", required_argument, 0, OPT_PREFILL_MAX_BATCH},
		{"decode-max-batch", required_argument, 0, OPT_DECODE_MAX_BATCH},
		{"enable-wideep", no_argument, 0, OPT_WIDEEP}, {"moe-backend", required_argument, 0, OPT_MOE_BACKEND},
		{"data-dir", required_argument, 0, OPT_DATA_DIR}, {"version", required_argument, 0, OPT_VERSION},
		{"count", no_argument, 0, OPT_COUNT},
		{"decode-system", required_argument, 0, OPT_DECODE_SYSTEM},
		{"decode-version", required_argument, 0, OPT_DECODE_VERSION},
		{"nextn-accept-rates", required_argument, 0, OPT_ACCEPT_RATES},
		{"agg-lists", required_argument, 0, OPT_AGG_LISTS},
		{"prefill-lists", required_argument, 0, OPT_PREFILL_LISTS},
		{"decode-lists", required_argument, 0, OPT_DECODE_LISTS},
		{"fidelity", required_argument, 0, OPT_FIDELITY},
		{"deepep-check", no_argument, 0, OPT_DEEPEP_CHECK},
		{"prefill-enable-eplb", no_argument, 0, OPT_PREFILL_EPLB},
		{"decode-enable-eplb", no_argument, 0, OPT_DECODE_EPLB},
		{"gemm-quant", required_argument, 0, OPT_QUANT0 + 0}, {"moe-quant", required_argument, 0, OPT_QUANT0 + 1},
		{"fmha-quant", required_argument, 0, OPT_QUANT0 + 2},
		{"kvcache-quant", required_argument, 0, OPT_QUANT0 + 3},
		{"comm-quant", required_argument, 0, OPT_QUANT0 + 4},
		{"prefill-gemm-quant", required_argument, 0, OPT_QUANT0 + 5},
		{"prefill-moe-quant", required_argument, 0, OPT_QUANT0 + 6},
		{"prefill-fmha-quant", required_argument, 0, OPT_QUANT0 + 7},
		{"prefill-kvcache-quant", required_argument, 0, OPT_QUANT0 + 8},
		{"prefill-comm-quant", required_argument, 0, OPT_QUANT0 + 9},
		{"decode-gemm-quant", required_argument, 0, OPT_QUANT0 + 10},
		{"decode-moe-quant", required_argument, 0, OPT_QUANT0 + 11},
		{"decode-fmha-quant", required_argument, 0, OPT_QUANT0 + 12},
		{"decode-kvcache-quant", required_argument, 0, OPT_QUANT0 + 13},
		{"decode-comm-quant", required_argument, 0, OPT_QUANT0 + 14},
		{"help", no_argument, 0, OPT_HELP}, {0, 0, 0, 0},
	};
	sweep_emit_options o = {.isl = 0, .osl = 0, .nextn = -1, .agg = true, .disagg = true,
		     .max_batch = 512, .prefill_max_batch = 1, .decode_max_batch = 512};
	const long big = 1L << 40;
	const char *fidelity_opt = NULL;
	bool deepep_check = false;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SYSTEM: o.spec.system = optarg; break;
		case OPT_BACKEND: o.spec.backend = optarg; break;
		case OPT_TOTAL_GPUS: o.spec.total_gpus = opt_long("--total-gpus", optarg, 1, 1 << 20); break;
		case OPT_ISL: o.isl = opt_long("--isl", optarg, 1, big); break;
		case OPT_OSL: o.osl = opt_long("--osl", optarg, 1, big); break;
		case OPT_PREFIX: o.prefix = opt_long("--prefix", optarg, 0, big); break;
		case OPT_MODES:
			if (!parse_modes(optarg, &o))
				usage_error("--modes: '%s' is not a list of agg, disagg", optarg);
			break;
		case OPT_NEXTN: o.nextn = opt_long("--nextn", optarg, 0, 5); break;
		case OPT_CHUNKED: o.chunked = true; break;
		case OPT_MAX_BATCH: o.max_batch = opt_long("--max-batch", optarg, 1, 1 << 20); break;
		case OPT_PREFILL_MAX_BATCH:
			o.prefill_max_batch = opt_long("--prefill-max-batch", optarg, 1, 1 << 20);
			break;
		case OPT_DECODE_MAX_BATCH:
			o.decode_max_batch = opt_long("--decode-max-batch", optarg, 1, 1 << 20);
			break;
		case OPT_WIDEEP: o.spec.enable_wideep = true; break;
		case OPT_MOE_BACKEND:
			if (strcmp(optarg, "deepep_moe"))
				usage_error("--moe-backend: '%s' is not deepep_moe", optarg);
			o.spec.moe_backend = optarg;
			break;
		case OPT_DATA_DIR: o.data_dir = optarg; break;
		case OPT_VERSION: o.version = optarg; break;
		case OPT_COUNT: o.count_only = true; break;
		case OPT_DEEPEP_CHECK: deepep_check = true; break;
		case OPT_PREFILL_EPLB: o.eplb_prefill = true; break;
		case OPT_DECODE_EPLB: o.eplb_decode = true; break;
		case OPT_DECODE_SYSTEM:
			if (!system_name_ok(optarg))
				usage_error("--decode-system: bad system name '%s': use a name such as h200_sxm", optarg);
			o.decode_system = optarg;
			break;
		case OPT_DECODE_VERSION: o.decode_version = optarg; break;
		case OPT_FIDELITY: fidelity_opt = optarg; break;
		case OPT_AGG_LISTS:
		case OPT_PREFILL_LISTS:
		case OPT_DECODE_LISTS: {
			sweep_role role = c == OPT_AGG_LISTS ? SWEEP_AGG : c == OPT_PREFILL_LISTS ? SWEEP_PREFILL : SWEEP_DECODE;
			char lerr[512];
			if (sweep_lists_parse(optarg, &o.lists[role], lerr, sizeof lerr))
				usage_error("--%s: %s", longopts[c - OPT_SYSTEM].name, lerr);
			o.spec.lists[role] = &o.lists[role];
			break;
		}
		case OPT_ACCEPT_RATES: {
			/* at most 5 rates in [0, 1], comma-separated */
			int n = 0;
			const char *p = optarg;
			bool ok = *p != 0;
			while (ok && *p) {
				char *end;
				double x = strtod(p, &end);
				ok = end != p && x >= 0 && x <= 1 && ++n <= 5 && (!*end || *end == ',');
				p = *end ? end + 1 : end;
			}
			if (!ok)
				usage_error("--nextn-accept-rates: '%s' is not a list of at most 5 rates in [0, 1]", optarg);
			o.accept_rates = optarg;
			break;
		}
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			if (c >= OPT_QUANT0 && c < OPT_HELP) {
				int kind = (c - OPT_QUANT0) % QUANT_KIND_COUNT, role = (c - OPT_QUANT0) / QUANT_KIND_COUNT;
				if (!quant_find((quant_kind)kind, optarg)) {
					char names[256];
					quant_list_names((quant_kind)kind, names, sizeof names);
					usage_error("--%s: unknown mode '%s' (one of: %s)", longopts[c - OPT_SYSTEM].name, optarg,
						    names);
				}
				o.quant[role][kind] = optarg;
				break;
			}
			usage_bad_option(longopts, optopt, argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	static const char *const required[] = {"--system", "--backend", "--total-gpus", "--isl", "--osl"};
	require_options(5, required, (bool[]){o.spec.system, o.spec.backend, o.spec.total_gpus, o.isl, o.osl});
	if (!system_name_ok(o.spec.system))
		usage_error("--system: bad system name '%s': use a name such as h200_sxm", o.spec.system);
	if (strcmp(o.spec.backend, "trtllm") && strcmp(o.spec.backend, "vllm") && strcmp(o.spec.backend, "sglang"))
		usage_error("--backend: '%s' is not one of trtllm, vllm, sglang", o.spec.backend);
	char ferr[256];
	fidelity fid;
	if (fidelity_resolve(fidelity_opt, &fid, ferr, sizeof ferr))
		usage_error("%s", ferr);
	o.load_agg = fid == FIDELITY_LOAD;
	if (o.prefix >= o.isl)
		usage_error("--prefix (%ld) must be less than --isl (%ld)", o.prefix, o.isl);
	/* an unknown system is the user's to fix now, not after the sweep's stages ran on it */
	char err[1024];
	if (!system_load(o.spec.system, err, sizeof err))
		usage_error("--system: %s", err);

	jsonl_reader r;
	jsonl_open(&r, NULL);
	cJSON *rec;
	long total = 0;
	if (deepep_check)
		return deepep_modes(&r, &o);
	while ((rec = jsonl_next(&r))) {
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "record"));
		long n = 0;
		if (kind && strcmp(kind, "model"))
			jsonl_write(rec); /* not ours: pass it on */
		else if ((n = sweep_emit_model(&r, rec, &o)) == 0)
			jsonl_fail(&r, "no worker layout fits %ld GPUs", o.spec.total_gpus);
		total += n;
		cJSON_Delete(rec);
	}
	jsonl_close(&r);
	if (o.count_only)
		printf("%ld\n", total);
	return finish_stdout();
}
