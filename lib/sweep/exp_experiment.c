/* exp_experiment: one experiment of an experiments file in the reference's `cli exp` YAML format,
 * as the options of pipelines/default that run it (expyaml(1)). What the reference skips is
 * skipped with its warning; what it refuses, and keys infercast does not apply yet, end the run. */
#include "exp_experiment.h"
#include "datadir.h"
#include "diag.h"
#include "jsonl.h"
#include "systems.h"
#include "yamlnode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The experiments file, for messages. */
static const char *file_name;

/* Option values become words of a command line: plain tokens only. */
bool exp_plain_token(const char *s)
{
	if (!s || !*s)
		return false;
	for (const char *p = s; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._:@+=/,-", c)))
			return false;
	}
	return true;
}


static void add(args *a, const char *name, const char *opt, const char *val)
{
	if (val && !exp_plain_token(val))
		die(EXIT_DATA, "%s: %s: '%s' is not a plain value", file_name, name, val);
	int k = snprintf(a->buf + a->len, sizeof a->buf - a->len, "%s%s%s%s", a->len ? " " : "", opt, val ? " " : "",
			 val ? val : "");
	if (k < 0 || (size_t)k >= sizeof a->buf - a->len)
		die(EXIT_DATA, "%s: %s: too many options", file_name, name);
	a->len += (size_t)k;
}

/* A number option; integers are written without a fraction. */
static void add_num(args *a, const char *exp, const char *key, const char *opt, yaml_node_t *n, bool integer)
{
	double v;
	if (!yamlnode_as_number(n, &v) || (integer && v != floor(v)) || v < 0)
		die(EXIT_DATA, "%s: %s: %s: '%s' is not a %s", file_name, exp, key, yamlnode_scalar(n) ? yamlnode_scalar(n) : "(not a scalar)",
		    integer ? "whole number" : "number");
	char buf[64];
	if (integer)
		snprintf(buf, sizeof buf, "%.0f", v);
	else
		json_format_double(buf, sizeof buf, v);
	add(a, exp, opt, buf);
	cJSON_AddNumberToObject(a->rec, key, v);
}

/* The reference refuses a backend_version the data lacks before it runs anything. */
static void check_version(const char *exp, const char *system, const char *backend, const char *version,
			  const char *data_dir)
{
	char err[1024];
	const struct system_spec *spec = system_load(system, err, sizeof err);
	if (!spec)
		die(EXIT_DATA, "%s: %s: system_name: %s", file_name, exp, err);
	const char *root = datadir_root(data_dir, err, sizeof err);
	struct datadir_list v = { 0 };
	if (root && datadir_versions(root, spec, backend, &v, err, sizeof err) == 0) {
		for (size_t i = 0; i < v.n; i++)
			if (!strcmp(v.names[i], version)) {
				datadir_list_free(&v);
				return;
			}
	}
	char have[1024];
	datadir_list_join(&v, have, sizeof have);
	datadir_list_free(&v);
	die(EXIT_DATA, "%s: %s: no perf database for system=%s backend=%s version=%s (available: %s); "
		       "set backend_version to one of them, or remove it to use the newest",
	    file_name, exp, system, backend, version, have);
}

/* Keys of a worker config infercast applies: the quant modes. */
/* role: "agg" (worker_config: every worker), "prefill" or "decode" (that side's). */
/* A yes/no key: 1, 0, or -1 when null (not set). */
static int flag_value(yaml_node_t *v, const char *exp, const char *key)
{
	if (yamlnode_is_null(v))
		return -1;
	int b = yamlnode_as_bool(v);
	if (b < 0)
		die(EXIT_DATA, "%s: %s: %s: '%s' is not true or false", file_name, exp, key,
		    yamlnode_scalar(v) ? yamlnode_scalar(v) : "?");
	return b;
}

/* A worker's config: its quant modes and search lists into a; its enable_eplb into *eplb (-1:
 * not set). */
static void worker_config(yaml_document_t *d, yaml_node_t *w, const char *exp, const char *role, args *a, int *eplb)
{
	const char *section = !strcmp(role, "agg") ? "worker_config" : !strcmp(role, "prefill") ? "prefill_worker_config"
												   : "decode_worker_config";
	if (!w || yamlnode_is_null(w))
		return;
	if (w->type != YAML_MAPPING_NODE)
		die(EXIT_DATA, "%s: %s: config.%s is not a mapping", file_name, exp, section);
	char list_spec[512] = "";
	for (yaml_node_pair_t *p = w->data.mapping.pairs.start; p < w->data.mapping.pairs.top; p++) {
		const char *k = yamlnode_scalar(yamlnode_at(d, p->key));
		yaml_node_t *v = yamlnode_at(d, p->value);
		static const char *const quants[] = { "gemm_quant_mode", "moe_quant_mode", "kvcache_quant_mode",
						      "fmha_quant_mode", "comm_quant_mode" };
		static const char *const lists[] = { "num_gpu_per_worker", "tp_list", "pp_list", "dp_list", "moe_tp_list",
						     "moe_ep_list" };
		static const char *const list_keys[] = { "num_gpu", "tp", "pp", "dp", "moe_tp", "moe_ep" };
		bool known = false;
		if (k && !strcmp(k, "enable_eplb")) {
			char key[64];
			snprintf(key, sizeof key, "config.%s.enable_eplb", section);
			*eplb = flag_value(v, exp, key);
			continue;
		}
		for (size_t i = 0; k && i < sizeof lists / sizeof *lists; i++) {
			if (strcmp(k, lists[i]))
				continue;
			known = true;
			if (yamlnode_is_null(v))
				break;
			if (v->type != YAML_SEQUENCE_NODE)
				die(EXIT_DATA, "%s: %s: config.%s.%s is not a list", file_name, exp, section, k);
			size_t len = strlen(list_spec);
			len += (size_t)snprintf(list_spec + len, sizeof list_spec - len, "%s%s=", len ? "/" : "", list_keys[i]);
			int n = 0;
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++, n++) {
				double x;
				if (!yamlnode_as_number(yamlnode_at(d, *it), &x) || x != floor(x) || x < 1)
					die(EXIT_DATA, "%s: %s: config.%s.%s: not a list of whole numbers", file_name, exp, section, k);
				len += (size_t)snprintf(list_spec + len, sizeof list_spec - len, "%s%.0f", n ? "," : "", x);
			}
			if (!n)
				die(EXIT_DATA, "%s: %s: config.%s.%s is empty", file_name, exp, section, k);
		}
		for (size_t i = 0; i < sizeof quants / sizeof *quants; i++) {
			if (!k || strcmp(k, quants[i]))
				continue;
			known = true;
			if (yamlnode_is_null(v))
				break;
			char opt[64];
			/* --{,prefill-,decode-}{gemm,moe,kvcache,fmha,comm}-quant */
			snprintf(opt, sizeof opt, "--%s%s%.*s-quant", strcmp(role, "agg") ? role : "", strcmp(role, "agg") ? "-" : "",
				 (int)(strchr(k, '_') - k), k);
			add(a, exp, opt, yamlnode_scalar(v));
		}
		if (!known)
			die(EXIT_DATA, "%s: %s: config.%s.%s is not applied by infercast yet (remove it to run the experiment)",
			    file_name, exp, section, k ? k : "?");
	}
	if (*list_spec) {
		char opt[32];
		snprintf(opt, sizeof opt, "--%s-lists", role);
		add(a, exp, opt, list_spec);
	}
}

/* replica_config: the disagg replica sizes, cap, worker counts and pool budgets (pareto's options). */
static void replica_config(yaml_document_t *d, yaml_node_t *c, const char *exp, args *a)
{
	if (!c || yamlnode_is_null(c))
		return;
	yaml_node_t *pools[2] = { NULL, NULL }; /* max_prefill_gpus, max_decode_gpus */
	if (c->type != YAML_MAPPING_NODE)
		die(EXIT_DATA, "%s: %s: config.replica_config is not a mapping", file_name, exp);
	for (yaml_node_pair_t *p = c->data.mapping.pairs.start; p < c->data.mapping.pairs.top; p++) {
		const char *k = yamlnode_scalar(yamlnode_at(d, p->key));
		yaml_node_t *v = yamlnode_at(d, p->value);
		if (k && !strcmp(k, "num_gpu_per_replica")) {
			if (yamlnode_is_null(v)) {
				add(a, exp, "--replica-gpus", "any");
				continue;
			}
			if (v->type != YAML_SEQUENCE_NODE)
				die(EXIT_DATA, "%s: %s: config.replica_config.num_gpu_per_replica is not a list", file_name, exp);
			char list[1024] = "";
			size_t len = 0;
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				double x;
				if (!yamlnode_as_number(yamlnode_at(d, *it), &x) || x != floor(x) || x < 1)
					die(EXIT_DATA, "%s: %s: config.replica_config.num_gpu_per_replica: not whole numbers", file_name, exp);
				len += (size_t)snprintf(list + len, sizeof list - len, "%s%.0f", len ? "," : "", x);
			}
			if (!len)
				die(EXIT_DATA, "%s: %s: config.replica_config.num_gpu_per_replica is empty", file_name, exp);
			add(a, exp, "--replica-gpus", list);
		} else if (k && !strcmp(k, "max_gpu_per_replica")) {
			add_num(a, exp, "max_gpu_per_replica", "--max-gpus-per-replica", v, true);
		} else if (k && !strcmp(k, "max_prefill_worker")) {
			add_num(a, exp, "max_prefill_worker", "--max-prefill-workers", v, true);
		} else if (k && !strcmp(k, "max_decode_worker")) {
			add_num(a, exp, "max_decode_worker", "--max-decode-workers", v, true);
		} else if (k && (!strcmp(k, "max_prefill_gpus") || !strcmp(k, "max_decode_gpus"))) {
			pools[k[4] == 'd'] = yamlnode_is_null(v) ? NULL : v;
		} else {
			die(EXIT_DATA, "%s: %s: config.replica_config.%s is not applied by infercast yet (remove it to run the "
				       "experiment)",
			    file_name, exp, k ? k : "?");
		}
	}
	/* the reference bounds the pools only when both are given */
	if (pools[0] && pools[1]) {
		add_num(a, exp, "max_prefill_gpus", "--max-prefill-gpus", pools[0], true);
		add_num(a, exp, "max_decode_gpus", "--max-decode-gpus", pools[1], true);
	} else if (pools[0] || pools[1]) {
		warnx_("%s: %s: config.replica_config.%s alone bounds nothing (the reference needs both "
		       "max_prefill_gpus and max_decode_gpus): ignored",
		       file_name, exp, pools[0] ? "max_prefill_gpus" : "max_decode_gpus");
	}
}

/* advanced_tuning_config: latency corrections and batch limits. */
static void tuning_config(yaml_document_t *d, yaml_node_t *c, const char *exp, args *a)
{
	if (!c || yamlnode_is_null(c))
		return;
	if (c->type != YAML_MAPPING_NODE)
		die(EXIT_DATA, "%s: %s: config.advanced_tuning_config is not a mapping", file_name, exp);
	static const struct { const char *key, *opt; bool integer; } keys[] = {
		{ "prefill_latency_correction_scale", "--prefill-correction", false },
		{ "decode_latency_correction_scale", "--decode-correction", false },
		{ "prefill_max_batch_size", "--prefill-max-batch", true },
		{ "decode_max_batch_size", "--decode-max-batch", true },
		{ "rate_matching_prefill_degradation_factor", "--prefill-degradation", false },
		{ "rate_matching_decode_degradation_factor", "--decode-degradation", false },
	};
	for (yaml_node_pair_t *p = c->data.mapping.pairs.start; p < c->data.mapping.pairs.top; p++) {
		const char *k = yamlnode_scalar(yamlnode_at(d, p->key));
		yaml_node_t *v = yamlnode_at(d, p->value);
		bool done = false;
		for (size_t i = 0; k && i < sizeof keys / sizeof *keys && !done; i++)
			if (!strcmp(k, keys[i].key)) {
				/* null: the reference's default */
				if (!yamlnode_is_null(v))
					add_num(a, exp, keys[i].key, keys[i].opt, v, keys[i].integer);
				done = true;
			}
		if (!done)
			die(EXIT_DATA,
			    "%s: %s: config.advanced_tuning_config.%s is not applied by infercast yet (remove it to run the "
			    "experiment)",
			    file_name, exp, k ? k : "?");
	}
}

static void config_section(yaml_document_t *d, yaml_node_t *c, const char *exp, bool disagg, args *a)
{
	if (!c || c->type != YAML_MAPPING_NODE)
		return;
	/* enable_eplb: the section's, and each worker's own (-1: not set) */
	int eplb = -1, worker_eplb[3] = { -1, -1, -1 };
	for (yaml_node_pair_t *p = c->data.mapping.pairs.start; p < c->data.mapping.pairs.top; p++) {
		const char *k = yamlnode_scalar(yamlnode_at(d, p->key));
		yaml_node_t *v = yamlnode_at(d, p->value);
		if (!k)
			continue;
		if (!strcmp(k, "nextn")) {
			add_num(a, exp, "nextn", "--nextn", v, true);
		} else if (!strcmp(k, "nextn_accept_rates")) {
			if (v->type != YAML_SEQUENCE_NODE)
				die(EXIT_DATA, "%s: %s: config.nextn_accept_rates is not a list", file_name, exp);
			char list[256] = "";
			size_t len = 0;
			for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
				double r;
				if (!yamlnode_as_number(yamlnode_at(d, *i), &r))
					die(EXIT_DATA, "%s: %s: config.nextn_accept_rates: not a number", file_name, exp);
				char num[64];
				json_format_double(num, sizeof num, r);
				len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? "," : "", num);
			}
			add(a, exp, "--nextn-accept-rates", list);
		} else if (!strcmp(k, "worker_config") && !disagg) {
			worker_config(d, v, exp, "agg", a, &worker_eplb[0]);
		} else if (!strcmp(k, "prefill_worker_config") && disagg) {
			worker_config(d, v, exp, "prefill", a, &worker_eplb[1]);
		} else if (!strcmp(k, "decode_worker_config") && disagg) {
			worker_config(d, v, exp, "decode", a, &worker_eplb[2]);
		} else if (!strcmp(k, "worker_config") || !strcmp(k, "prefill_worker_config") ||
			   !strcmp(k, "decode_worker_config")) {
			/* the other serving mode's worker: the reference's task ignores it too */
		} else if (!strcmp(k, "replica_config") && disagg) {
			replica_config(d, v, exp, a);
		} else if (!strcmp(k, "advanced_tuning_config")) {
			tuning_config(d, v, exp, a);
		} else if (!strcmp(k, "enable_eplb")) {
			eplb = flag_value(v, exp, "config.enable_eplb");
		} else if (!strcmp(k, "moe_backend") && yamlnode_scalar(v) && !strcmp(yamlnode_scalar(v), "deepep_moe")) {
			/* the task's models read it; its search lists do not (they follow enable_wideep) */
			add(a, exp, "--deepep-model", NULL);
		} else if (!strcmp(k, "moe_backend") && (yamlnode_is_null(v) || !strcmp(yamlnode_scalar(v), "None"))) {
		} else if (!strcmp(k, "attention_backend") && yamlnode_scalar(v) && !strcmp(yamlnode_scalar(v), "flashinfer")) {
		} else {
			die(EXIT_DATA, "%s: %s: config.%s is not applied by infercast yet (remove it to run the experiment)",
			    file_name, exp, k);
		}
	}
	/* The reference's disagg workers read enable_eplb from their own config, else the section's;
	 * its run_agg reads neither. */
	if (!disagg && (eplb == 1 || worker_eplb[0] == 1))
		warnx_("%s: %s: enable_eplb changes nothing in an agg experiment: the reference's run_agg does not "
		       "read it; ignored as there", file_name, exp);
	if (disagg && (worker_eplb[1] >= 0 ? worker_eplb[1] : eplb) == 1)
		add(a, exp, "--prefill-enable-eplb", NULL);
	if (disagg && (worker_eplb[2] >= 0 ? worker_eplb[2] : eplb) == 1)
		add(a, exp, "--decode-enable-eplb", NULL);
}

/* One experiment: its options into a (and its record), or false when the reference skips it. */
bool exp_experiment(yaml_document_t *d, yaml_node_t *e, const char *name, const char *data_dir, const char *file,
		    args *a)
{
	file_name = file;
	if (!e || e->type != YAML_MAPPING_NODE) {
		warnx_("%s: skipping experiment '%s': configuration is not a mapping", file_name, name);
		return false;
	}
	const char *mode = yamlnode_scalar(yamlnode_get(d, e, "serving_mode")), *model = yamlnode_scalar(yamlnode_get(d, e, "model_path"));
	if (!mode || (strcmp(mode, "agg") && strcmp(mode, "disagg")) || !model || !*model) {
		warnx_("%s: skipping experiment '%s': missing serving_mode or model_path", file_name, name);
		return false;
	}
	bool disagg = !strcmp(mode, "disagg");
	const char *system = yamlnode_scalar(yamlnode_get(d, e, "system_name"));
	if (!system || !*system) {
		warnx_("%s: skipping experiment '%s': no system name provided", file_name, name);
		return false;
	}
	const char *decode = disagg ? yamlnode_scalar(yamlnode_get(d, e, "decode_system_name")) : NULL;
	if (decode && !*decode)
		decode = NULL;
	const char *backend = yamlnode_scalar(yamlnode_get(d, e, "backend_name"));
	if (!backend || !*backend)
		backend = "trtllm";
	yaml_node_t *gpus = yamlnode_get(d, e, "total_gpus");
	if (yamlnode_is_null(gpus)) {
		warnx_("%s: skipping experiment '%s': total_gpus not provided", file_name, name);
		return false;
	}
	a->rec = cJSON_CreateObject();
	cJSON_AddStringToObject(a->rec, "record", "experiment");
	cJSON_AddStringToObject(a->rec, "name", name);
	cJSON_AddStringToObject(a->rec, "serving_mode", mode);
	add(a, name, "--modes", mode);
	add(a, name, "--model", model);
	cJSON_AddStringToObject(a->rec, "model_path", model);
	add(a, name, "--system", system);
	cJSON_AddStringToObject(a->rec, "system_name", system);
	if (decode && strcmp(decode, system)) {
		add(a, name, "--decode-system", decode);
		cJSON_AddStringToObject(a->rec, "decode_system_name", decode);
	}
	add(a, name, "--backend", backend);
	cJSON_AddStringToObject(a->rec, "backend_name", backend);
	const char *version = yamlnode_scalar(yamlnode_get(d, e, "backend_version"));
	if (version && !yamlnode_is_null(yamlnode_get(d, e, "backend_version"))) {
		check_version(name, system, backend, version, data_dir);
		if (decode && strcmp(decode, system))
			check_version(name, decode, backend, version, data_dir);
		add(a, name, "--version", version);
		cJSON_AddStringToObject(a->rec, "backend_version", version);
	}
	add_num(a, name, "total_gpus", "--total-gpus", gpus, true);
	/* TaskConfig's defaults where the experiment says nothing: isl 4000, osl 1000, TTFT 1000 ms,
	 * TPOT 50 ms (the default pipeline's are TTFT 2000 and TPOT 30) */
	static const struct { const char *key, *opt, *def; bool integer; } nums[] = {
		{ "isl", "--isl", "4000", true }, { "osl", "--osl", "1000", true }, { "prefix", "--prefix", NULL, true },
		{ "ttft", "--ttft", "1000", false }, { "tpot", "--tpot", "50", false },
		{ "request_latency", "--request-latency", NULL, false },
	};
	for (size_t i = 0; i < sizeof nums / sizeof *nums; i++) {
		yaml_node_t *v = yamlnode_get(d, e, nums[i].key);
		if (!yamlnode_is_null(v))
			add_num(a, name, nums[i].key, nums[i].opt, v, nums[i].integer);
		else if (nums[i].def)
			add(a, name, nums[i].opt, nums[i].def);
	}
	const char *db = yamlnode_scalar(yamlnode_get(d, e, "database_mode"));
	if (db && !yamlnode_is_null(yamlnode_get(d, e, "database_mode"))) {
		add(a, name, "--database-mode", db);
		cJSON_AddStringToObject(a->rec, "database_mode", db);
	}
	static const struct { const char *key, *opt; } flags[] = {
		{ "enable_wideep", "--enable-wideep" }, { "enable_chunked_prefill", "--enable-chunked-prefill" },
	};
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
		yaml_node_t *v = yamlnode_get(d, e, flags[i].key);
		if (yamlnode_is_null(v))
			continue;
		int b = yamlnode_as_bool(v);
		if (b < 0)
			die(EXIT_DATA, "%s: %s: %s: '%s' is not true or false", file_name, name, flags[i].key, yamlnode_scalar(v) ? yamlnode_scalar(v) : "?");
		if (b)
			add(a, name, flags[i].opt, NULL);
	}
	/* The reference's task keeps an experiment's top-level enable_eplb on the task object, but its
	 * runs read enable_eplb from the config section (False unless config.enable_eplb sets it):
	 * the key changes none of its numbers. Ignored here too, and said. */
	if (yamlnode_as_bool(yamlnode_get(d, e, "enable_eplb")) == 1)
		warnx_("%s: %s: enable_eplb changes nothing: the reference's runs read it only from the config "
		       "section (config.enable_eplb), so they ignore this one; ignored as there", file_name, name);
	/* profiles: the reference's quant presets, on every worker, before the config section */
	yaml_node_t *profiles = yamlnode_get(d, e, "profiles");
	if (profiles && profiles->type == YAML_SEQUENCE_NODE) {
		static const struct { const char *name, *modes[5]; } presets[] = {
			/* gemm, moe, kvcache, fmha, comm */
			{ "fp8", { "fp8", "fp8", "fp8", "fp8", "half" } },
			{ "fp8_static", { "fp8_static", "fp8", "fp8", "fp8", "half" } },
			{ "bfloat16", { "bfloat16", "bfloat16", "bfloat16", "bfloat16", "half" } },
			{ "nvfp4", { "nvfp4", "nvfp4", "fp8", "fp8", "half" } },
			{ "mxfp4", { "bfloat16", "w4a16_mxfp4", "bfloat16", "bfloat16", "half" } },
		};
		static const char *const opts[5] = { "--gemm-quant", "--moe-quant", "--kvcache-quant", "--fmha-quant",
						     "--comm-quant" };
		for (yaml_node_item_t *it = profiles->data.sequence.items.start; it < profiles->data.sequence.items.top; it++) {
			const char *pname = yamlnode_scalar(yamlnode_at(d, *it));
			size_t k = 0;
			while (pname && k < sizeof presets / sizeof *presets && strcmp(presets[k].name, pname))
				k++;
			if (!pname || k == sizeof presets / sizeof *presets) {
				warnx_("%s: %s: profile '%s' not found, skipping", file_name, name, pname ? pname : "?");
				continue;
			}
			for (int q = 0; q < 5; q++)
				add(a, name, opts[q], presets[k].modes[q]);
		}
	} else if (profiles && !yamlnode_is_null(profiles)) {
		die(EXIT_DATA, "%s: %s: profiles is not a list", file_name, name);
	}
	const char *patch = yamlnode_scalar(yamlnode_get(d, e, "mode"));
	if (patch && strcmp(patch, "patch"))
		die(EXIT_DATA, "%s: %s: mode '%s': only \"patch\" is applied by infercast", file_name, name, patch);
	const char *esb = yamlnode_scalar(yamlnode_get(d, e, "engine_step_backend"));
	if (esb && !yamlnode_is_null(yamlnode_get(d, e, "engine_step_backend")) && strcmp(esb, "python"))
		die(EXIT_DATA, "%s: %s: engine_step_backend '%s': infercast has the python path only", file_name, name, esb);
	config_section(d, yamlnode_get(d, e, "config"), name, disagg, a);
	return true;
}
