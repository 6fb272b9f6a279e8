/* expyaml: read an experiments file in the reference's `cli exp` YAML format (libyaml) and write
 * one line per experiment it would run, in its order: the experiment's name and the options of
 * pipelines/default that run it. Experiments the reference skips are skipped with its warning;
 * what it refuses (a backend version without data) ends the run as it does; keys infercast does
 * not apply yet are named and refused rather than ignored. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "datadir.h"
#include "diag.h"
#include "jsonl.h"
#include "systems.h"

static const char usage_text[] =
	"usage: expyaml [--data-dir DIR] [--format args|jsonl] FILE\n"
	"\n"
	"Reads experiments in the reference's `cli exp` YAML format and writes, for each experiment\n"
	"it would run (the `exps` list's order, else the file's), one line: the name, a tab, and the\n"
	"options of pipelines/default that run it (--modes agg or disagg, --model, --system,\n"
	"--backend, --total-gpus, --isl, --osl, --prefix, --ttft (default 1000), --tpot (default\n"
	"50), --request-latency, --version, --database-mode, --decode-system, --nextn, ...);\n"
	"--format jsonl writes `experiment` records instead. An experiment without serving_mode,\n"
	"model_path, system_name or total_gpus is skipped with a warning, as the reference skips it;\n"
	"a backend_version without perf data ends the run (exit 1), as the reference's does. Keys\n"
	"infercast does not apply (config.enable_eplb, worker settings other than the lists and quant\n"
	"modes) are refused with their name (exit 1); a top-level enable_eplb, which the reference's\n"
	"runs never read, is ignored with a warning. See expyaml(1) and pipelines/exp.\n";

enum { OPT_DATA_DIR = 1, OPT_FORMAT, OPT_HELP };

static const char *file_name;

static yaml_node_t *node(yaml_document_t *d, int id)
{
	return yaml_document_get_node(d, id);
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool plain_scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* The value of key in a mapping node, or NULL. */
static yaml_node_t *get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(d, p->key));
		if (k && !strcmp(k, key))
			return node(d, p->value);
	}
	return NULL;
}

/* YAML 1.1 null: ~, null, Null, NULL or empty, unquoted. */
static bool is_null(yaml_node_t *n)
{
	if (!n)
		return true;
	const char *s = scalar(n);
	return plain_scalar(n) && s && (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"));
}

/* A plain YAML boolean (true/false, yes/no, on/off in any of YAML 1.1's spellings). */
static int as_bool(yaml_node_t *n)
{
	const char *s = scalar(n);
	if (!plain_scalar(n) || !s)
		return -1;
	static const char *const t[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON" };
	static const char *const f[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF" };
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		if (!strcmp(s, t[i]))
			return 1;
		if (!strcmp(s, f[i]))
			return 0;
	}
	return -1;
}

static bool as_number(yaml_node_t *n, double *v)
{
	const char *s = scalar(n);
	if (!plain_scalar(n) || !s || !*s)
		return false;
	char *end;
	errno = 0;
	*v = strtod(s, &end);
	return !*end && !errno && isfinite(*v);
}

/* Option values become words of a command line: plain tokens only. */
static bool plain_token(const char *s)
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

typedef struct args {
	char buf[4096];
	size_t len;
	cJSON *rec;
} args;

static void add(args *a, const char *name, const char *opt, const char *val)
{
	if (val && !plain_token(val))
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
	if (!as_number(n, &v) || (integer && v != floor(v)) || v < 0)
		die(EXIT_DATA, "%s: %s: %s: '%s' is not a %s", file_name, exp, key, scalar(n) ? scalar(n) : "(not a scalar)",
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
static void worker_config(yaml_document_t *d, yaml_node_t *w, const char *exp, const char *role, args *a)
{
	const char *section = !strcmp(role, "agg") ? "worker_config" : !strcmp(role, "prefill") ? "prefill_worker_config"
												   : "decode_worker_config";
	if (!w || is_null(w))
		return;
	if (w->type != YAML_MAPPING_NODE)
		die(EXIT_DATA, "%s: %s: config.%s is not a mapping", file_name, exp, section);
	char list_spec[512] = "";
	for (yaml_node_pair_t *p = w->data.mapping.pairs.start; p < w->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(d, p->key));
		yaml_node_t *v = node(d, p->value);
		static const char *const quants[] = { "gemm_quant_mode", "moe_quant_mode", "kvcache_quant_mode",
						      "fmha_quant_mode", "comm_quant_mode" };
		static const char *const lists[] = { "num_gpu_per_worker", "tp_list", "pp_list", "dp_list", "moe_tp_list",
						     "moe_ep_list" };
		static const char *const list_keys[] = { "num_gpu", "tp", "pp", "dp", "moe_tp", "moe_ep" };
		bool known = false;
		for (size_t i = 0; k && i < sizeof lists / sizeof *lists; i++) {
			if (strcmp(k, lists[i]))
				continue;
			known = true;
			if (is_null(v))
				break;
			if (v->type != YAML_SEQUENCE_NODE)
				die(EXIT_DATA, "%s: %s: config.%s.%s is not a list", file_name, exp, section, k);
			size_t len = strlen(list_spec);
			len += (size_t)snprintf(list_spec + len, sizeof list_spec - len, "%s%s=", len ? "/" : "", list_keys[i]);
			int n = 0;
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++, n++) {
				double x;
				if (!as_number(node(d, *it), &x) || x != floor(x) || x < 1)
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
			if (is_null(v))
				break;
			char opt[64];
			/* --{,prefill-,decode-}{gemm,moe,kvcache,fmha,comm}-quant */
			snprintf(opt, sizeof opt, "--%s%s%.*s-quant", strcmp(role, "agg") ? role : "", strcmp(role, "agg") ? "-" : "",
				 (int)(strchr(k, '_') - k), k);
			add(a, exp, opt, scalar(v));
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
	if (!c || is_null(c))
		return;
	yaml_node_t *pools[2] = { NULL, NULL }; /* max_prefill_gpus, max_decode_gpus */
	if (c->type != YAML_MAPPING_NODE)
		die(EXIT_DATA, "%s: %s: config.replica_config is not a mapping", file_name, exp);
	for (yaml_node_pair_t *p = c->data.mapping.pairs.start; p < c->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(d, p->key));
		yaml_node_t *v = node(d, p->value);
		if (k && !strcmp(k, "num_gpu_per_replica")) {
			if (is_null(v)) {
				add(a, exp, "--replica-gpus", "any");
				continue;
			}
			if (v->type != YAML_SEQUENCE_NODE)
				die(EXIT_DATA, "%s: %s: config.replica_config.num_gpu_per_replica is not a list", file_name, exp);
			char list[1024] = "";
			size_t len = 0;
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				double x;
				if (!as_number(node(d, *it), &x) || x != floor(x) || x < 1)
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
			pools[k[4] == 'd'] = is_null(v) ? NULL : v;
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
	if (!c || is_null(c))
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
		const char *k = scalar(node(d, p->key));
		yaml_node_t *v = node(d, p->value);
		bool done = false;
		for (size_t i = 0; k && i < sizeof keys / sizeof *keys && !done; i++)
			if (!strcmp(k, keys[i].key)) {
				/* null: the reference's default */
				if (!is_null(v))
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
	for (yaml_node_pair_t *p = c->data.mapping.pairs.start; p < c->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(d, p->key));
		yaml_node_t *v = node(d, p->value);
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
				if (!as_number(node(d, *i), &r))
					die(EXIT_DATA, "%s: %s: config.nextn_accept_rates: not a number", file_name, exp);
				char num[64];
				json_format_double(num, sizeof num, r);
				len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? "," : "", num);
			}
			add(a, exp, "--nextn-accept-rates", list);
		} else if (!strcmp(k, "worker_config") && !disagg) {
			worker_config(d, v, exp, "agg", a);
		} else if (!strcmp(k, "prefill_worker_config") && disagg) {
			worker_config(d, v, exp, "prefill", a);
		} else if (!strcmp(k, "decode_worker_config") && disagg) {
			worker_config(d, v, exp, "decode", a);
		} else if (!strcmp(k, "worker_config") || !strcmp(k, "prefill_worker_config") ||
			   !strcmp(k, "decode_worker_config")) {
			/* the other serving mode's worker: the reference's task ignores it too */
		} else if (!strcmp(k, "replica_config") && disagg) {
			replica_config(d, v, exp, a);
		} else if (!strcmp(k, "advanced_tuning_config")) {
			tuning_config(d, v, exp, a);
		} else if (!strcmp(k, "moe_backend") && (is_null(v) || !strcmp(scalar(v), "None"))) {
		} else if (!strcmp(k, "attention_backend") && scalar(v) && !strcmp(scalar(v), "flashinfer")) {
		} else {
			die(EXIT_DATA, "%s: %s: config.%s is not applied by infercast yet (remove it to run the experiment)",
			    file_name, exp, k);
		}
	}
}

/* One experiment: its options into a (and its record), or false when the reference skips it. */
static bool experiment(yaml_document_t *d, yaml_node_t *e, const char *name, const char *data_dir, args *a)
{
	if (!e || e->type != YAML_MAPPING_NODE) {
		warnx_("%s: skipping experiment '%s': configuration is not a mapping", file_name, name);
		return false;
	}
	const char *mode = scalar(get(d, e, "serving_mode")), *model = scalar(get(d, e, "model_path"));
	if (!mode || (strcmp(mode, "agg") && strcmp(mode, "disagg")) || !model || !*model) {
		warnx_("%s: skipping experiment '%s': missing serving_mode or model_path", file_name, name);
		return false;
	}
	bool disagg = !strcmp(mode, "disagg");
	const char *system = scalar(get(d, e, "system_name"));
	if (!system || !*system) {
		warnx_("%s: skipping experiment '%s': no system name provided", file_name, name);
		return false;
	}
	const char *decode = disagg ? scalar(get(d, e, "decode_system_name")) : NULL;
	if (decode && !*decode)
		decode = NULL;
	const char *backend = scalar(get(d, e, "backend_name"));
	if (!backend || !*backend)
		backend = "trtllm";
	yaml_node_t *gpus = get(d, e, "total_gpus");
	if (is_null(gpus)) {
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
	const char *version = scalar(get(d, e, "backend_version"));
	if (version && !is_null(get(d, e, "backend_version"))) {
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
		yaml_node_t *v = get(d, e, nums[i].key);
		if (!is_null(v))
			add_num(a, name, nums[i].key, nums[i].opt, v, nums[i].integer);
		else if (nums[i].def)
			add(a, name, nums[i].opt, nums[i].def);
	}
	const char *db = scalar(get(d, e, "database_mode"));
	if (db && !is_null(get(d, e, "database_mode"))) {
		add(a, name, "--database-mode", db);
		cJSON_AddStringToObject(a->rec, "database_mode", db);
	}
	static const struct { const char *key, *opt; } flags[] = {
		{ "enable_wideep", "--enable-wideep" }, { "enable_chunked_prefill", "--enable-chunked-prefill" },
	};
	for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
		yaml_node_t *v = get(d, e, flags[i].key);
		if (is_null(v))
			continue;
		int b = as_bool(v);
		if (b < 0)
			die(EXIT_DATA, "%s: %s: %s: '%s' is not true or false", file_name, name, flags[i].key, scalar(v) ? scalar(v) : "?");
		if (b)
			add(a, name, flags[i].opt, NULL);
	}
	/* The reference's task keeps an experiment's top-level enable_eplb on the task object, but its
	 * runs read enable_eplb from the config section (False unless config.enable_eplb sets it):
	 * the key changes none of its numbers. Ignored here too, and said. */
	if (as_bool(get(d, e, "enable_eplb")) == 1)
		warnx_("%s: %s: enable_eplb changes nothing: the reference's runs read it only from the config "
		       "section (config.enable_eplb), so they ignore this one; ignored as there", file_name, name);
	/* profiles: the reference's quant presets, on every worker, before the config section */
	yaml_node_t *profiles = get(d, e, "profiles");
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
			const char *pname = scalar(node(d, *it));
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
	} else if (profiles && !is_null(profiles)) {
		die(EXIT_DATA, "%s: %s: profiles is not a list", file_name, name);
	}
	const char *patch = scalar(get(d, e, "mode"));
	if (patch && strcmp(patch, "patch"))
		die(EXIT_DATA, "%s: %s: mode '%s': only \"patch\" is applied by infercast", file_name, name, patch);
	const char *esb = scalar(get(d, e, "engine_step_backend"));
	if (esb && !is_null(get(d, e, "engine_step_backend")) && strcmp(esb, "python"))
		die(EXIT_DATA, "%s: %s: engine_step_backend '%s': infercast has the python path only", file_name, name, esb);
	config_section(d, get(d, e, "config"), name, disagg, a);
	return true;
}

int main(int argc, char **argv)
{
	diag_set_progname(argv[0]);
	static const struct option longopts[] = {
		{ "data-dir", required_argument, NULL, OPT_DATA_DIR }, { "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, OPT_HELP }, { NULL, 0, NULL, 0 },
	};
	const char *data_dir = NULL;
	bool as_json = false;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DATA_DIR: data_dir = optarg; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "args") && strcmp(optarg, "jsonl"))
				usage_error("--format: '%s' is not one of args, jsonl", optarg);
			as_json = !strcmp(optarg, "jsonl");
			break;
		case OPT_HELP: usage_print(usage_text); return finish_stdout();
		default:
			if (optopt == OPT_DATA_DIR || optopt == OPT_FORMAT)
				usage_error("option '--%s' needs a value", longopts[optopt - OPT_DATA_DIR].name);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		usage_error(optind == argc ? "name one experiments FILE" : "unexpected argument '%s'", argv[optind + 1]);
	file_name = argv[optind];
	FILE *f = fopen(file_name, "rb");
	if (!f)
		die(EXIT_DATA, "%s: %s", file_name, strerror(errno));
	yaml_parser_t parser;
	yaml_document_t doc;
	if (!yaml_parser_initialize(&parser))
		die(EXIT_DATA, "out of memory");
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc))
		die(EXIT_DATA, "%s:%zu:%zu: %s%s%s", file_name, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "not valid YAML", parser.context ? " " : "",
		    parser.context ? parser.context : "");
	fclose(f);
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE)
		die(EXIT_DATA, "%s: the experiments must be a mapping of names to experiments", file_name);
	/* the order: the `exps` list (names the file has), else the file's order */
	const char *names[256];
	size_t n = 0;
	yaml_node_t *order = get(&doc, root, "exps");
	if (order && order->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = order->data.sequence.items.start; i < order->data.sequence.items.top && n < 256; i++) {
			const char *s = scalar(node(&doc, *i));
			if (s && get(&doc, root, s))
				names[n++] = s;
		}
	} else if (root) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top && n < 256; p++) {
			const char *s = scalar(node(&doc, p->key));
			if (s && strcmp(s, "exps"))
				names[n++] = s;
		}
	}
	/* every experiment is checked before any line is written: a refusal leaves nothing to run */
	args *all = calloc(n + 1, sizeof *all);
	bool *ok = calloc(n + 1, sizeof *ok);
	if (!all || !ok)
		die(EXIT_DATA, "out of memory");
	size_t good = 0;
	for (size_t i = 0; i < n; i++) {
		if (!plain_token(names[i]))
			die(EXIT_DATA, "%s: experiment name '%s' is not a plain name (letters, digits, ._-)", file_name, names[i]);
		ok[i] = experiment(&doc, get(&doc, root, names[i]), names[i], data_dir, &all[i]);
		good += ok[i];
	}
	if (!good)
		die(EXIT_DATA, "%s: no valid experiments", file_name);
	for (size_t i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		if (as_json) {
			cJSON_AddStringToObject(all[i].rec, "args", all[i].buf);
			jsonl_write(all[i].rec);
		} else {
			printf("%s\t%s\n", names[i], all[i].buf);
		}
		cJSON_Delete(all[i].rec);
	}
	free(all);
	free(ok);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return finish_stdout();
}
