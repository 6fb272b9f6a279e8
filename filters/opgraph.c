/* opgraph: model records in, for each a config record and the op records of its phases out. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "streambuf.h"
#include "fidelity.h"
#include "hint.h"
#include "jsonl.h"
#include "opgraph.h"
#include "opgraph_emit.h"
#include "opgraph_memo.h"
#include "opgraph_runtime.h"
#include "opgraph_serving.h"
#include "systems.h"

static const char usage_text[] =
	"usage: opgraph --system S --backend B [--tp N] [--pp N] [--dp N] [--moe-tp N] [--moe-ep N]\n"
	"               --batch N --isl N --osl N [--prefix N] [--nextn N] [--stride 32]\n"
	"               [--gemm-quant Q] [--kvcache-quant Q] [--fmha-quant Q] [--moe-quant Q]\n"
	"               [--comm-quant Q] [--nextn-accept-rates 0.85,0.3,0,0,0]\n"
	"               [--mode static|static_ctx|static_gen] [--config-id ID]\n"
	"               [--image-height PX --image-width PX] [--num-images N]\n"
	"               [--wideep [--enable-eplb] [--wideep-num-slots N]] [--keep-going]\n"
	"               [--moe-backend deepep_moe [--enable-eplb]]\n"
	"               [--fidelity load|reference] [--strict] < models.jsonl\n"
	"       opgraph ... --mode agg --batch N [--max-num-tokens N] [--engine-version V]\n"
	"               [--kv-admission] ...\n"
	"       opgraph ... --mode agg --batch N --fidelity reference [--ctx-tokens N] ...\n"
	"       opgraph ... --mode agg ... [--max-seq-len N] [--free-gpu-memory-fraction F] ...\n"
	"       opgraph ... --mode disagg --prefill-batch N --decode-batch N\n"
	"               [--{prefill,decode}-{tp,pp,dp,moe-tp,moe-ep,workers} N]\n"
	"               [--decode-system S [--decode-version V]] ...\n"
	"       opgraph ... --mode disagg --concurrency N [--prefill-batch N] ...\n"
	"\n"
	"Reads model records (hfparse) and writes, for each, one config record and the op records\n"
	"of the phases the mode runs (context, generation), with the points query evaluates.\n"
	"Quant modes default to what the checkpoint declares, else bfloat16. A model record may carry\n"
	"'config_id' and a 'runtime' object (tp, batch, isl, ..., gemm_quant, mode, system, version,\n"
	"nextn_accept_rates) overriding the options for that record. The serving modes agg and\n"
	"disagg write one config record and the ops of every static run their steps need, each\n"
	"tagged with its `step` (docs/serving.md). --decode-system puts disagg's decode workers on\n"
	"another system: its spec sizes their memory and its tables (at --decode-version, else its\n"
	"newest) price their ops, which name that `system` and `version`.\n"
	"Vision models (Qwen3-VL) also get their encoder's ops (phase encoder), for --num-images\n"
	"images (default 1) of --image-height x --image-width pixels (default 0 x 0: no image tokens,\n"
	"as the reference's default). disagg prices them in each side's static run; agg leaves them\n"
	"out as the reference's run_agg does (said on stderr); --fidelity load refuses them.\n"
	"--wideep selects the wide expert-parallel variants (TRT-LLM wide-EP of DeepSeek-V3; SGLang\n"
	"DeepEP of DeepSeek-V3 and the MOE family): --enable-eplb balances experts,\n"
	"--wideep-num-slots N (TRT-LLM) adds slots. --moe-backend deepep_moe selects SGLang's DeepEP\n"
	"variants without the wide-EP search (the config record says moe_backend, not wideep).\n"
	"--point-runs writes each generation op's points as one run object (smaller records; query\n"
	"expands it; docs/records.md).\n"
	"--fidelity (default $INFERCAST_FIDELITY, else load): under load, --mode agg writes the static\n"
	"runs of infercast's load model (steps load_prefill, load_chunk, load_decode; --max-num-tokens\n"
	"sets the engine's prompt tokens per iteration, default per backend; --engine-version picks\n"
	"the fitted parameters aggregate uses; the config's serving.kv_slots says how many requests'\n"
	"KV caches fit at once, and --kv-admission makes the others wait for a slot: the engine runs\n"
	"that many, out of memory only when not one fits); under reference, run_agg's steps\n"
	"(--ctx-tokens). --concurrency N (load, disagg): N clients in all, as a benchmark runs them;\n"
	"the decode batch is ceil(N / (decode workers x decode dp)) and the prefill batch 1 unless\n"
	"given (serving.concurrency in the config record).\n"
	"TRT-LLM agg sizes the KV cache by --max-seq-len per slot (default isl + osl) and checks it\n"
	"against --free-gpu-memory-fraction of the free memory (default 0.9).\n"
	"--keep-going: a configuration that cannot be built gets a config record with `error` and no\n"
	"ops instead of ending the stream (sweeps drop it, as the reference skips such layouts).\n"
	"--fidelity load (default; else $INFERCAST_FIDELITY) takes layout fallbacks where the reference\n"
	"refuses: a MoE model without --dp whose moe_tp x moe_ep is a multiple of tp gets\n"
	"dp = moe_tp x moe_ep / tp; one without --moe-tp and --moe-ep (or a disagg side without them)\n"
	"gets moe_tp = tp x dp, moe_ep 1; each said in the config record's `fallbacks` and on stderr.\n"
	"--fidelity reference or --strict refuses as the reference does.\n"
	"See opgraph(1) and docs/records.md.\n";

enum {
	OPT_SYSTEM = 256, OPT_BACKEND, OPT_TP, OPT_PP, OPT_DP, OPT_MOE_TP, OPT_MOE_EP, OPT_BATCH, OPT_ISL, OPT_OSL,
	OPT_PREFIX, OPT_NEXTN, OPT_STRIDE, OPT_GEMM_Q, OPT_KV_Q, OPT_FMHA_Q, OPT_MOE_Q, OPT_MODE, OPT_CONFIG_ID,
	OPT_VERSION, OPT_CTX_TOKENS, OPT_PREFILL_TP, OPT_PREFILL_PP, OPT_PREFILL_DP, OPT_PREFILL_MOE_TP,
	OPT_PREFILL_MOE_EP, OPT_PREFILL_BATCH, OPT_PREFILL_WORKERS, OPT_DECODE_TP, OPT_DECODE_PP, OPT_DECODE_DP,
	OPT_DECODE_MOE_TP, OPT_DECODE_MOE_EP, OPT_DECODE_BATCH, OPT_DECODE_WORKERS, OPT_IMAGE_HEIGHT, OPT_IMAGE_WIDTH,
	OPT_NUM_IMAGES, OPT_POINT_RUNS, OPT_WIDEEP, OPT_EPLB, OPT_NUM_SLOTS, OPT_KEEP_GOING, OPT_FIDELITY, OPT_STRICT,
	OPT_MAX_NUM_TOKENS, OPT_ENGINE_VERSION, OPT_KV_ADMISSION, OPT_COMM_Q, OPT_ACCEPT_RATES, OPT_MAX_SEQ_LEN,
	OPT_FREE_FRACTION, OPT_DECODE_SYSTEM, OPT_DECODE_VERSION, OPT_MOE_BACKEND, OPT_CONCURRENCY, OPT_HELP
};
/* A disagg side's options (--prefill-tp ... --decode-workers), in the order of the enum. */
#define SIDE_OPTIONS(side, SIDE)                                                   \
	{ side "-tp", required_argument, 0, OPT_##SIDE##_TP },                     \
	{ side "-pp", required_argument, 0, OPT_##SIDE##_PP },                     \
	{ side "-dp", required_argument, 0, OPT_##SIDE##_DP },                     \
	{ side "-moe-tp", required_argument, 0, OPT_##SIDE##_MOE_TP },             \
	{ side "-moe-ep", required_argument, 0, OPT_##SIDE##_MOE_EP },             \
	{ side "-batch", required_argument, 0, OPT_##SIDE##_BATCH },               \
	{ side "-workers", required_argument, 0, OPT_##SIDE##_WORKERS }

/* A serving option (--ctx-tokens, --prefill-tp, ...): its runtime key is its name with '_'. */
/* lib/'s hints (lib/util/hint) in opgraph's options, after the message. */
static void opgraph_hint(char *msg, size_t n)
{
	long arg = 0;
	switch (hint_of(msg, &arg)) {
	case HINT_MOE_LAYOUT: hint_cat(msg, n, "; give --moe-tp or --moe-ep (or both)"); break;
	case HINT_MOE_LAYOUT_BOTH: hint_cat(msg, n, "; give --moe-tp and --moe-ep"); break;
	case HINT_MAX_NUM_TOKENS: hint_cat(msg, n, " (raise --max-num-tokens to at least %ld)", arg); break;
	case HINT_FIDELITY_REFERENCE: hint_cat(msg, n, "; use --fidelity reference"); break;
	case HINT_STRICT: hint_cat(msg, n, " (--strict or --fidelity reference refuses the layout)"); break;
	case HINT_ENABLE_EPLB: hint_cat(msg, n, " (--enable-eplb)"); break;
	case HINT_WIDEEP_SLOTS: hint_cat(msg, n, " (--wideep-num-slots)"); break;
	default: break;
	}
}

static void serving_option(og_serving_request *srv, const char *name, const char *val)
{
	char key[64], opt[70];
	snprintf(key, sizeof key, "%s", name);
	for (char *p = key; *p; p++)
		if (*p == '-')
			*p = '_';
	snprintf(opt, sizeof opt, "--%s", name);
	*og_serving_key(srv, key) = opt_long(opt, val, 1, 1L << 40);
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{"system", required_argument, 0, OPT_SYSTEM}, {"backend", required_argument, 0, OPT_BACKEND},
		{"tp", required_argument, 0, OPT_TP}, {"pp", required_argument, 0, OPT_PP},
		{"dp", required_argument, 0, OPT_DP}, {"moe-tp", required_argument, 0, OPT_MOE_TP},
		{"moe-ep", required_argument, 0, OPT_MOE_EP}, {"batch", required_argument, 0, OPT_BATCH},
		{"isl", required_argument, 0, OPT_ISL}, {"osl", required_argument, 0, OPT_OSL},
		{"prefix", required_argument, 0, OPT_PREFIX}, {"nextn", required_argument, 0, OPT_NEXTN},
		{"stride", required_argument, 0, OPT_STRIDE}, {"gemm-quant", required_argument, 0, OPT_GEMM_Q},
		{"kvcache-quant", required_argument, 0, OPT_KV_Q}, {"fmha-quant", required_argument, 0, OPT_FMHA_Q},
		{"moe-quant", required_argument, 0, OPT_MOE_Q}, {"mode", required_argument, 0, OPT_MODE},
		{"config-id", required_argument, 0, OPT_CONFIG_ID}, {"version", required_argument, 0, OPT_VERSION},
		{"ctx-tokens", required_argument, 0, OPT_CTX_TOKENS},
		SIDE_OPTIONS("prefill", PREFILL), SIDE_OPTIONS("decode", DECODE),
		{"image-height", required_argument, 0, OPT_IMAGE_HEIGHT},
		{"image-width", required_argument, 0, OPT_IMAGE_WIDTH},
		{"num-images", required_argument, 0, OPT_NUM_IMAGES},
		{"point-runs", no_argument, 0, OPT_POINT_RUNS},
		{"wideep", no_argument, 0, OPT_WIDEEP}, {"enable-eplb", no_argument, 0, OPT_EPLB},
		{"wideep-num-slots", required_argument, 0, OPT_NUM_SLOTS},
		{"keep-going", no_argument, 0, OPT_KEEP_GOING},
		{"fidelity", required_argument, 0, OPT_FIDELITY}, {"strict", no_argument, 0, OPT_STRICT},
		{"max-num-tokens", required_argument, 0, OPT_MAX_NUM_TOKENS},
		{"engine-version", required_argument, 0, OPT_ENGINE_VERSION},
		{"kv-admission", no_argument, 0, OPT_KV_ADMISSION},
		{"comm-quant", required_argument, 0, OPT_COMM_Q},
		{"nextn-accept-rates", required_argument, 0, OPT_ACCEPT_RATES},
		{"max-seq-len", required_argument, 0, OPT_MAX_SEQ_LEN},
		{"free-gpu-memory-fraction", required_argument, 0, OPT_FREE_FRACTION},
		{"decode-system", required_argument, 0, OPT_DECODE_SYSTEM},
		{"decode-version", required_argument, 0, OPT_DECODE_VERSION},
		{"moe-backend", required_argument, 0, OPT_MOE_BACKEND},
		{"concurrency", required_argument, 0, OPT_CONCURRENCY},
		{"help", no_argument, 0, OPT_HELP}, {0, 0, 0, 0},
	};
	og_runtime rt;
	og_runtime_defaults(&rt);
	og_serving_request srv = {0};
	const char *id_opt = NULL, *fidelity_opt = NULL;
	bool have_batch = false, have_isl = false, have_osl = false, strict = false;
	og_emit_opts opts = { .hint = opgraph_hint };
	const long big = 1L << 40;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c >= OPT_CTX_TOKENS && c <= OPT_DECODE_WORKERS) {
			serving_option(&srv, longopts[c - OPT_SYSTEM].name, optarg);
			continue;
		}
		switch (c) {
		case OPT_SYSTEM: rt.system = optarg; break;
		case OPT_BACKEND: rt.backend = optarg; break;
		case OPT_TP: rt.tp = opt_long("--tp", optarg, 1, 1 << 20); break;
		case OPT_PP: rt.pp = opt_long("--pp", optarg, 1, 1 << 20); break;
		case OPT_DP: rt.dp = opt_long("--dp", optarg, 1, 1 << 20); opts.dp_option = true; break;
		case OPT_MOE_TP: rt.moe_tp = opt_long("--moe-tp", optarg, 1, 1 << 20); break;
		case OPT_MOE_EP: rt.moe_ep = opt_long("--moe-ep", optarg, 1, 1 << 20); break;
		case OPT_BATCH: rt.batch = opt_long("--batch", optarg, 1, big); have_batch = true; break;
		case OPT_ISL: rt.isl = opt_long("--isl", optarg, 1, big); have_isl = true; break;
		case OPT_OSL: rt.osl = opt_long("--osl", optarg, 1, big); have_osl = true; break;
		case OPT_PREFIX: rt.prefix = opt_long("--prefix", optarg, 0, big); break;
		case OPT_NEXTN: rt.nextn = opt_long("--nextn", optarg, 0, OG_MAX_NEXTN); break;
		case OPT_STRIDE: rt.stride = opt_long("--stride", optarg, 1, big); break;
		case OPT_GEMM_Q: rt.quant[QUANT_GEMM] = optarg; break;
		case OPT_KV_Q: rt.quant[QUANT_KVCACHE] = optarg; break;
		case OPT_FMHA_Q: rt.quant[QUANT_FMHA] = optarg; break;
		case OPT_MOE_Q: rt.quant[QUANT_MOE] = optarg; break;
		case OPT_COMM_Q: rt.quant[QUANT_COMM] = optarg; break;
		case OPT_MAX_SEQ_LEN: srv.max_seq_len = opt_long("--max-seq-len", optarg, 1, big); break;
		case OPT_FREE_FRACTION:
			srv.free_gpu_memory_fraction = opt_double("--free-gpu-memory-fraction", optarg);
			if (!(srv.free_gpu_memory_fraction > 0 && srv.free_gpu_memory_fraction <= 1))
				usage_error("--free-gpu-memory-fraction: '%s' is not in (0, 1]", optarg);
			break;
		case OPT_ACCEPT_RATES:
			if (og_parse_accept_rates(optarg, rt.nextn_accept_rates))
				usage_error("--nextn-accept-rates: '%s' is not a list of at most %d rates in [0, 1]", optarg,
					    OG_MAX_NEXTN);
			break;
		case OPT_MODE: rt.mode = optarg; break;
		case OPT_CONFIG_ID: id_opt = optarg; break;
		case OPT_VERSION: rt.version = optarg; break;
		case OPT_IMAGE_HEIGHT: rt.image_height = opt_long("--image-height", optarg, 0, 1L << 20); break;
		case OPT_IMAGE_WIDTH: rt.image_width = opt_long("--image-width", optarg, 0, 1L << 20); break;
		case OPT_NUM_IMAGES: rt.num_images = opt_long("--num-images", optarg, 0, 1024); break;
		case OPT_POINT_RUNS: rt.point_runs = true; break;
		case OPT_WIDEEP: rt.wideep = true; break;
		case OPT_EPLB: rt.enable_eplb = true; break;
		case OPT_NUM_SLOTS: rt.wideep_num_slots = opt_long("--wideep-num-slots", optarg, 1, 1 << 20); break;
		case OPT_KEEP_GOING: opts.keep_going = true; break;
		case OPT_FIDELITY: fidelity_opt = optarg; break;
		case OPT_STRICT: strict = true; break;
		case OPT_MAX_NUM_TOKENS: srv.max_num_tokens = opt_long("--max-num-tokens", optarg, 1, big); break;
		case OPT_KV_ADMISSION: srv.kv_admission = true; break;
		case OPT_ENGINE_VERSION: srv.engine_version = optarg; break;
		case OPT_DECODE_SYSTEM: srv.decode_system = optarg; break;
		case OPT_DECODE_VERSION: srv.decode_version = optarg; break;
		case OPT_CONCURRENCY: srv.concurrency = opt_long("--concurrency", optarg, 1, 1L << 24); break;
		case OPT_MOE_BACKEND:
			if (strcmp(optarg, "deepep_moe"))
				usage_error("--moe-backend: '%s' is not deepep_moe", optarg);
			rt.deepep = true;
			break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			usage_bad_option(longopts, optopt, argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	bool disagg = strcmp(rt.mode, "disagg") == 0;
	static const char *const required[] = {"--system", "--backend", "--batch", "--isl", "--osl"};
	require_options(5, required, (bool[]){rt.system, rt.backend, have_batch || disagg, have_isl, have_osl});
	if (srv.concurrency && !disagg)
		usage_error("--concurrency applies to --mode disagg (agg's clients are --batch)");
	if (srv.concurrency && srv.decode.batch)
		usage_error("--concurrency sets the decode batch: drop --decode-batch");
	if (disagg && !srv.concurrency && (!srv.prefill.batch || !srv.decode.batch))
		usage_error("--mode disagg: --prefill-batch and --decode-batch (or --concurrency) are required");
	if (strcmp(rt.mode, "static") && strcmp(rt.mode, "static_ctx") && strcmp(rt.mode, "static_gen") &&
	    !og_serving_mode(rt.mode))
		usage_error("--mode: '%s' is not one of static, static_ctx, static_gen, agg, disagg", rt.mode);
	if (strcmp(rt.backend, "trtllm") && strcmp(rt.backend, "vllm") && strcmp(rt.backend, "sglang"))
		usage_error("--backend: '%s' is not one of trtllm, vllm, sglang", rt.backend);
	if ((srv.decode_system || srv.decode_version) && !disagg)
		usage_error("--decode-system and --decode-version apply to --mode disagg");
	if (srv.decode_version && !srv.decode_system)
		usage_error("--decode-version needs --decode-system");
	if (!rt.wideep && rt.wideep_num_slots)
		usage_error("--wideep-num-slots needs --wideep");
	if (!rt.wideep && !rt.deepep && rt.enable_eplb)
		usage_error("--enable-eplb needs --wideep or --moe-backend deepep_moe");
	if (rt.prefix >= rt.isl)
		usage_error("--prefix (%ld) must be less than --isl (%ld)", rt.prefix, rt.isl);
	for (int k = 0; k < QUANT_KIND_COUNT; k++) {
		if (rt.quant[k] && !quant_find((quant_kind)k, rt.quant[k])) {
			char names[256];
			quant_list_names((quant_kind)k, names, sizeof names);
			usage_error("--%s-quant: unknown mode '%s' (one of: %s)", quant_kind_name((quant_kind)k),
				    rt.quant[k], names);
		}
	}
	char err[1024];
	if (fidelity_resolve(fidelity_opt, &srv.fid, err, sizeof err))
		usage_error("%s", err);
	if (og_serving_mode(rt.mode) && og_has_images(&rt) && og_check_serving_images(&rt, srv.fid, err, sizeof err)) {
		opgraph_hint(err, sizeof err);
		usage_error("%s", err);
	}
	if (srv.fid == FIDELITY_REFERENCE && (srv.max_num_tokens || srv.engine_version || srv.kv_admission))
		usage_error("--max-num-tokens, --engine-version and --kv-admission belong to the load model, not "
			    "--fidelity reference");
	if (srv.fid == FIDELITY_REFERENCE && srv.concurrency)
		usage_error("--concurrency belongs to the load model, not --fidelity reference (give --prefill-batch "
			    "and --decode-batch)");
	opts.fallbacks = srv.fid == FIDELITY_LOAD && !strict;
	const struct system_spec *sys = system_load(rt.system, err, sizeof err);
	if (!sys)
		usage_error("--system: %s", err);

	jsonl_reader r;
	jsonl_open(&r, NULL);
	og_emit_stream(&r, &rt, &srv, sys, id_opt, &opts);
	jsonl_close(&r);
	og_graph_memo_clear();
	return finish_stdout();
}
