/* naive: the reference's naive deployment of a model on a system (its `cli generate`): the
 * model's weight estimate, the smallest power-of-two TP with TP x GPU memory > 1.5 x weights,
 * the replicas that fill the GPUs, and the datatypes (FP8, FP4) the checkpoint needs that the
 * GPU lacks (the hardware check of the reference's support matrix). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "streambuf.h"
#include "jsonl.h"
#include "systems.h"

static const char usage_text[] =
	"usage: naive --system S --total-gpus N [--backend B] < models.jsonl\n"
	"\n"
	"For each model record (hfparse), writes the deployment the reference's `cli generate`\n"
	"makes without a sweep, as one `naive` record: the weight estimate (embedding, 4 h^2\n"
	"attention, 3 h x inter FFN per expert, router and norms, 2 bytes a parameter), the\n"
	"smallest power-of-two GPU count with GPUs x memory > 1.5 x weights (at most the GPUs of a\n"
	"node and --total-gpus), the layout (dense: TP; MoE: MoE-TP, the reference's TEP), the\n"
	"replicas that fill --total-gpus, batch 128; and the datatypes the checkpoint needs (FP8,\n"
	"FP4) with the ones the system's GPU lacks, as the reference's support matrix checks them.\n"
	"  --system S        system (h200_sxm ...)\n"
	"  --total-gpus N    GPUs to fill with replicas\n"
	"  --backend B       backend the record names (default trtllm)\n"
	"See naive(1).\n";

enum { OPT_SYSTEM = 1, OPT_TOTAL_GPUS, OPT_BACKEND, OPT_HELP };

/* The reference's weight estimate (generator/naive.py), in parameters: 2 bytes each. */
static long long param_count(const cJSON *m, jsonl_reader *r)
{
	long long layers = jsonl_get_int(r, m, "layers");
	long long h = jsonl_get_int(r, m, "hidden_size");
	long long inter = jsonl_get_int(r, m, "inter_size");
	long long vocab = jsonl_get_int(r, m, "vocab");
	long long experts = jsonl_opt_int(r, m, "num_experts", 0);
	long long moe_inter = jsonl_opt_int(r, m, "moe_inter_size", 0);
	long long ffn;
	if (experts > 1)
		ffn = 3 * h * (moe_inter ? moe_inter : inter) * experts + h * experts;
	else
		ffn = 3 * h * inter;
	return vocab * h + layers * (4 * h * h + ffn + 4 * h);
}

static bool gpu_has_fp8(const struct system_spec *s)
{
	/* the Arc Pro B60 runs FP8 checkpoints by converting them to bf16 */
	return strcmp(s->name, "b60") == 0 || s->has_fp8_tc_flops || s->sm_version >= 89;
}

static bool gpu_has_fp4(const struct system_spec *s)
{
	return s->has_fp4_tc_flops || s->sm_version >= 100;
}

static bool is_fp8_mode(const char *q)
{
	return q && (!strcmp(q, "fp8") || !strcmp(q, "fp8_static") || !strcmp(q, "fp8_block") || !strcmp(q, "w4afp8"));
}

static cJSON *naive_record(jsonl_reader *r, const cJSON *m, const struct system_spec *s, const char *backend,
			   long total_gpus)
{
	long long params = param_count(m, r);
	if (params <= 0)
		jsonl_fail(r, "the model's sizes give no parameters");
	double weight_bytes = (double)params * 2;
	double vram = s->mem_capacity_bytes;
	int gpus_per_node = s->num_gpus_per_node > 0 ? s->num_gpus_per_node : 8;
	double min_float = weight_bytes * 1.5 / vram;
	long min_tp = (long)min_float + (fmod(min_float, 1.0) > 0 ? 1 : 0);
	if (min_tp < 1)
		min_tp = 1;
	long required = 1;
	while (required < min_tp)
		required *= 2;
	long max_tp = gpus_per_node < total_gpus ? gpus_per_node : total_gpus;
	bool fits = required <= max_tp;
	long gpus = fits ? required : max_tp;
	long experts = jsonl_opt_int(r, m, "num_experts", 0);
	bool moe = experts > 1;

	/* datatypes: the quant modes the checkpoint implies, its quant algorithms, fp4 experts */
	const cJSON *q = cJSON_GetObjectItemCaseSensitive(m, "quant");
	const char *names[] = { "gemm", "moe", "kvcache", "fmha" };
	bool need_fp8 = false, need_fp4 = false;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, names[i]));
		need_fp4 |= v && !strcmp(v, "nvfp4");
		need_fp8 |= is_fp8_mode(v);
		/* hfparse's mode for DeepSeek-V4's expert_dtype fp4 */
		need_fp4 |= v && !strcmp(v, "w4a8_mxfp4_mxfp8");
	}
	const char *algo = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "quant_algo"));
	const char *kv_algo = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(q, "kv_cache_quant_algo"));
	need_fp4 |= algo && !strcmp(algo, "nvfp4");
	need_fp8 |= algo && (!strcmp(algo, "fp8") || !strcmp(algo, "fp8_block"));
	need_fp8 |= kv_algo && !strcmp(kv_algo, "fp8");
	bool miss_fp4 = need_fp4 && !gpu_has_fp4(s), miss_fp8 = need_fp8 && !gpu_has_fp8(s);

	const char *model = jsonl_opt_str(r, m, "model_path", "");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "record", "naive");
	cJSON_AddStringToObject(o, "model", model);
	cJSON_AddStringToObject(o, "architecture", jsonl_opt_str(r, m, "architecture", ""));
	cJSON_AddBoolToObject(o, "is_moe", moe);
	cJSON_AddStringToObject(o, "system", s->name);
	cJSON_AddStringToObject(o, "backend", backend);
	cJSON_AddNumberToObject(o, "total_gpus", (double)total_gpus);
	cJSON_AddNumberToObject(o, "param_count", (double)params);
	cJSON_AddNumberToObject(o, "weight_bytes", weight_bytes);
	cJSON_AddNumberToObject(o, "vram_per_gpu_bytes", vram);
	cJSON_AddNumberToObject(o, "gpus_per_node", gpus_per_node);
	cJSON_AddNumberToObject(o, "required_tp", (double)required);
	cJSON_AddBoolToObject(o, "fits", fits);
	cJSON_AddStringToObject(o, "strategy", moe ? "TEP" : "TP");
	cJSON_AddNumberToObject(o, "tp", moe ? 1 : (double)gpus);
	cJSON_AddNumberToObject(o, "pp", 1);
	cJSON_AddNumberToObject(o, "dp", 1);
	cJSON_AddNumberToObject(o, "moe_tp", moe ? (double)gpus : 1);
	cJSON_AddNumberToObject(o, "moe_ep", 1);
	cJSON_AddNumberToObject(o, "gpus_per_worker", (double)gpus);
	cJSON_AddNumberToObject(o, "replicas", (double)(total_gpus / gpus));
	cJSON_AddNumberToObject(o, "gpus_used", (double)(total_gpus / gpus * gpus));
	cJSON_AddNumberToObject(o, "max_batch_size", 128);
	cJSON *req = cJSON_AddArrayToObject(o, "requires");
	if (need_fp4)
		cJSON_AddItemToArray(req, cJSON_CreateString("FP4"));
	if (need_fp8)
		cJSON_AddItemToArray(req, cJSON_CreateString("FP8"));
	if (miss_fp4 || miss_fp8) {
		char label[96], msg[512];
		if (s->sm_version >= 0)
			snprintf(label, sizeof label, "%s (SM%d)", s->name, s->sm_version);
		else
			snprintf(label, sizeof label, "%s", s->name);
		snprintf(msg, sizeof msg, "%s does not support %s required by %s", label,
			 miss_fp4 && miss_fp8 ? "FP4 or FP8" : miss_fp4 ? "FP4" : "FP8", model);
		cJSON_AddStringToObject(o, "hw_incompatible", msg);
	} else {
		cJSON_AddNullToObject(o, "hw_incompatible");
	}
	if (!fits) {
		char msg[256];
		snprintf(msg, sizeof msg, "the model needs %ld GPUs per replica (1.5 x %.1f GiB of weights), more than %ld",
			 required, weight_bytes / (1024.0 * 1024 * 1024), max_tp);
		cJSON_AddStringToObject(o, "warning", msg);
	}
	return o;
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	streambuf_init();
	static const struct option longopts[] = {
		{ "system", required_argument, NULL, OPT_SYSTEM },
		{ "total-gpus", required_argument, NULL, OPT_TOTAL_GPUS },
		{ "backend", required_argument, NULL, OPT_BACKEND },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *system = NULL, *backend = "trtllm";
	long total_gpus = 0;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SYSTEM: system = optarg; break;
		case OPT_TOTAL_GPUS: total_gpus = opt_long("--total-gpus", optarg, 1, 1 << 20); break;
		case OPT_BACKEND:
			if (strcmp(optarg, "trtllm") && strcmp(optarg, "vllm") && strcmp(optarg, "sglang"))
				usage_error("--backend: '%s' is not one of trtllm, vllm, sglang", optarg);
			backend = optarg;
			break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			usage_bad_option(longopts, optopt, argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!system || !total_gpus)
		usage_error("--system and --total-gpus are required");
	char err[1024];
	const struct system_spec *spec = system_load(system, err, sizeof err);
	if (!spec)
		die(EXIT_USAGE, "--system: %s", err);

	jsonl_reader r;
	jsonl_open(&r, NULL);
	cJSON *rec;
	while ((rec = jsonl_next(&r))) {
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "record"));
		if (kind && strcmp(kind, "model")) {
			jsonl_write(rec); /* not ours: pass it on */
		} else {
			cJSON *o = naive_record(&r, rec, spec, backend, total_gpus);
			jsonl_write(o);
			cJSON_Delete(o);
		}
		cJSON_Delete(rec);
	}
	jsonl_close(&r);
	return finish_stdout();
}
