/* deploy_plan: a pick of `default` turned into workers and engine settings. */
#include "deploy_plan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "diag.h"

const char *deploy_role_name(deploy_role r)
{
	return r == ROLE_AGG ? "agg" : r == ROLE_PREFILL ? "prefill" : "decode";
}

const char *deploy_backend_version(const deploy_ctx *c)
{
	return c->backend == BACKEND_TRTLLM ? DEPLOY_TRTLLM_VERSION
	       : c->backend == BACKEND_VLLM ? DEPLOY_VLLM_VERSION
					    : DEPLOY_SGLANG_VERSION;
}

const char *deploy_backend_title(const deploy_ctx *c)
{
	return c->backend == BACKEND_TRTLLM ? "TensorRT-LLM" : c->backend == BACKEND_VLLM ? "vLLM" : "SGLang";
}

/* ---- the settable keys ---- */

typedef struct key_spec {
	const char *key;
	deploy_key_type type;
	const char *def;     /* NULL: computed from the run (see deploy_config) */
	const char *help;
} key_spec;

static const key_spec keys[] = {
	{"ServiceConfig.model_path", KEY_STR, NULL, "the model the engines load (default: the model's id, e.g. Qwen/Qwen3-32B)"},
	{"ServiceConfig.served_model_name", KEY_STR, NULL, "the name clients ask for (default: the model's id)"},
	{"ServiceConfig.hf_token", KEY_STR, "", "HF_TOKEN for the local scripts"},
	{"ServiceConfig.head_node_ip", KEY_STR, "0.0.0.0", "the node running etcd, NATS and the frontend"},
	{"ServiceConfig.port", KEY_INT, "8000", "the frontend's HTTP port"},
	{"ServiceConfig.include_frontend", KEY_BOOL, "true", "start the frontend on the first node"},
	{"K8sConfig.name_prefix", KEY_STR, "dynamo", "the DynamoGraphDeployment is named PREFIX-agg or PREFIX-disagg"},
	{"K8sConfig.name", KEY_STR, NULL, "the DynamoGraphDeployment's name (default: PREFIX-MODE[-router])"},
	{"K8sConfig.k8s_namespace", KEY_STR, "dynamo", "the Kubernetes namespace"},
	{"K8sConfig.k8s_image", KEY_STR, NULL, "the runtime image (default: nvcr.io/nvidia/ai-dynamo/BACKEND-runtime:" DEPLOY_DYNAMO_VERSION ")"},
	{"K8sConfig.k8s_image_pull_secret", KEY_STR, "", "an imagePullSecrets name"},
	{"K8sConfig.k8s_engine_mode", KEY_STR, "inline", "TRT-LLM engine options: inline (written by the pod) or configmap"},
	{"K8sConfig.k8s_hf_token_secret", KEY_STR, "hf-token-secret", "the Secret holding HF_TOKEN (envFromSecret)"},
	{"K8sConfig.k8s_pvc_name", KEY_STR, "", "a PersistentVolumeClaim with the model cache, mounted in every pod"},
	{"K8sConfig.k8s_model_cache", KEY_STR, "", "the same as k8s_pvc_name (the reference's older name)"},
	{"K8sConfig.k8s_pvc_mount_path", KEY_STR, "/workspace/model_cache", "where the claim is mounted"},
	{"K8sConfig.k8s_model_path_in_pvc", KEY_STR, "", "the model's folder inside the claim"},
	{"K8sConfig.k8s_hf_home", KEY_STR, "", "HF_HOME in the pods (default: the mount path when a claim is given)"},
	{"K8sConfig.k8s_etcd_endpoints", KEY_STR, "", "ETCD_ENDPOINTS in the pods"},
	{"DynConfig.enable_router", KEY_BOOL, NULL, "KV-aware routing (default: on when --prefix > 0)"},
	{"WorkerConfig.agg_workers", KEY_INT, NULL, "agg workers (default: as many as fit --total-gpus)"},
	{"WorkerConfig.prefill_workers", KEY_INT, NULL, "prefill workers (default: the pick's, times its replicas)"},
	{"WorkerConfig.decode_workers", KEY_INT, NULL, "decode workers (default: the pick's, times its replicas)"},
	{"NodeConfig.num_gpus_per_node", KEY_INT, NULL, "GPUs per node (default: the system's)"},
	{"SlurmConfig.slurm_account", KEY_STR, "YOUR_ACCOUNT", "sbatch --account"},
	{"SlurmConfig.slurm_partition", KEY_STR, "YOUR_PARTITION", "sbatch --partition"},
	{"SlurmConfig.slurm_timelimit", KEY_INT, "120", "the job's time limit in minutes"},
	{"SlurmConfig.dynamo_image", KEY_STR, NULL, "the container of the servers (default: K8sConfig.k8s_image)"},
	{"SlurmConfig.aiperf_image", KEY_STR, "python:3.12-slim", "the container of the benchmark"},
	{"SlurmConfig.extra_frontend_args", KEY_STR, "", "more dynamo.frontend arguments"},
	{"BenchConfig.name", KEY_STR, NULL, "the benchmark Job's name (default: NAME-benchmark)"},
	{"BenchConfig.image", KEY_STR, "python:3.12-slim", "the benchmark Job's image"},
	{"BenchConfig.endpoint_url", KEY_STR, NULL, "the frontend's URL from inside the cluster"},
	{"BenchConfig.model", KEY_STR, NULL, "the model name aiperf asks for (default: the served model name)"},
	{"BenchConfig.tokenizer", KEY_STR, NULL, "aiperf's tokenizer (default: the model path)"},
	{"BenchConfig.estimated_concurrency", KEY_INT, NULL, "the centre of the concurrency sweep (default: workers x batch)"},
	{"BenchConfig.isl_stddev", KEY_INT, "0", "input length spread"},
	{"BenchConfig.osl_stddev", KEY_INT, "0", "output length spread"},
	{"BenchConfig.profile_start_timeout", KEY_INT, "400", "AIPERF_SERVICE_PROFILE_START_TIMEOUT"},
	{"BenchConfig.multi_round", KEY_INT, "20", "requests per concurrency level, in units of the concurrency"},
};

/* Workers.<role>.<setting>: engine settings of one role, applied after the rules. */
static const key_spec worker_keys[] = {
	{"max_batch_size", KEY_INT, NULL, "the engine's batch limit"},
	{"max_num_tokens", KEY_INT, NULL, "tokens per forward step"},
	{"max_seq_len", KEY_INT, NULL, "the longest sequence"},
	{"max_prefill_tokens", KEY_INT, NULL, "SGLang --max-prefill-tokens"},
	{"kv_cache_free_gpu_memory_fraction", KEY_NUM, NULL, "memory for the KV cache"},
	{"kv_cache_dtype", KEY_STR, NULL, "the KV cache's data type as the backend spells it"},
	{"tokens_per_block", KEY_INT, NULL, "KV-cache block (page) size"},
	{"disable_overlap_scheduler", KEY_BOOL, NULL, "TRT-LLM's overlap scheduler off"},
	{"cuda_graph_enable_padding", KEY_BOOL, NULL, "pad batches to the captured CUDA graph sizes"},
};

static const key_spec *worker_key(const char *key, deploy_role *role)
{
	static const char *const roles[] = {"agg", "prefill", "decode"};
	if (strncmp(key, "Workers.", 8) != 0)
		return NULL;
	const char *r = key + 8;
	for (int i = 0; i < 3; i++) {
		size_t n = strlen(roles[i]);
		if (strncmp(r, roles[i], n) == 0 && r[n] == '.') {
			for (size_t k = 0; k < sizeof worker_keys / sizeof *worker_keys; k++)
				if (strcmp(r + n + 1, worker_keys[k].key) == 0) {
					if (role)
						*role = (deploy_role)i;
					return &worker_keys[k];
				}
		}
	}
	return NULL;
}

static const key_spec *find_key(const char *key)
{
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	return worker_key(key, NULL);
}

int deploy_key_type_of(const char *key)
{
	const key_spec *k = find_key(key);
	return k ? (int)k->type : -1;
}

void deploy_keys_print(FILE *out)
{
	static const char *const tn[] = {"string", "integer", "number", "boolean"};
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		fprintf(out, "%-36s %-8s %s%s%s%s\n", keys[i].key, tn[keys[i].type], keys[i].help,
			keys[i].def ? " (default: " : "", keys[i].def ? (*keys[i].def ? keys[i].def : "none") : "",
			keys[i].def ? ")" : "");
	for (size_t i = 0; i < sizeof worker_keys / sizeof *worker_keys; i++) {
		char k[96];
		snprintf(k, sizeof k, "Workers.ROLE.%s", worker_keys[i].key);
		fprintf(out, "%-36s %-8s %s (ROLE: agg, prefill or decode)\n", k, tn[worker_keys[i].type], worker_keys[i].help);
	}
}

static ynode *typed_value(const key_spec *k, const char *val, const char *key, char *err, size_t errlen)
{
	char *end;
	switch (k->type) {
	case KEY_STR:
		return yn_str(val);
	case KEY_INT: {
		errno = 0;
		long long v = strtoll(val, &end, 10);
		if (errno || end == val || *end || v < 0) {
			diag_errf(err, errlen, "--generator-set: %s: '%s' is not a whole number", key, val);
			return NULL;
		}
		return yn_int(v);
	}
	case KEY_NUM: {
		errno = 0;
		double v = strtod(val, &end);
		if (errno || end == val || *end || !isfinite(v) || v < 0) {
			diag_errf(err, errlen, "--generator-set: %s: '%s' is not a number", key, val);
			return NULL;
		}
		return yn_num(v);
	}
	default:
		if (strcmp(val, "true") == 0 || strcmp(val, "1") == 0)
			return yn_bool(true);
		if (strcmp(val, "false") == 0 || strcmp(val, "0") == 0)
			return yn_bool(false);
		diag_errf(err, errlen, "--generator-set: %s: '%s' is not true or false", key, val);
		return NULL;
	}
}

int deploy_override(ynode *overrides, const char *assignment, char *err, size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment)
		return diag_errf(err, errlen, "--generator-set: '%s' is not KEY=VALUE", assignment);
	char key[256];
	size_t klen = (size_t)(eq - assignment);
	if (klen >= sizeof key)
		return diag_errf(err, errlen, "--generator-set: key too long");
	memcpy(key, assignment, klen);
	key[klen] = '\0';
	/* SflowConfig is the reference's name of the SLURM group (same length as ours) */
	if (strncmp(key, "SflowConfig.", 12) == 0)
		memcpy(key, "Slurm", 5);
	const key_spec *k = find_key(key);
	if (!k)
		return diag_errf(err, errlen, "--generator-set: unknown key '%s' (deploygen --help-keys lists them)", key);
	ynode *v = typed_value(k, eq + 1, key, err, errlen);
	if (!v)
		return -1;
	char *dot = strrchr(key, '.');
	*dot = '\0';
	ynode *m = yn_map_at(overrides, key);
	if (!m) {
		yn_free(v);
		return diag_errf(err, errlen, "--generator-set: '%s' is both a value and a group", key);
	}
	yn_set(m, dot + 1, v);
	return 0;
}

/* ---- reads of a dotted key ---- */

static const ynode *lookup(const ynode *root, const char *dotted)
{
	char part[128];
	const ynode *cur = root;
	const char *p = dotted;
	while (cur && *p) {
		size_t len = strcspn(p, ".");
		if (len >= sizeof part)
			return NULL;
		memcpy(part, p, len);
		part[len] = '\0';
		cur = yn_get(cur, part);
		p += len;
		if (*p == '.')
			p++;
	}
	return cur && cur->kind != YN_NULL ? cur : NULL;
}

const char *cfg_str(const ynode *cfg, const char *dotted, const char *def)
{
	const ynode *n = lookup(cfg, dotted);
	return n && n->text ? n->text : def;
}

long cfg_long(const ynode *cfg, const char *dotted, long def)
{
	const ynode *n = lookup(cfg, dotted);
	return n && (n->kind == YN_INT || n->kind == YN_NUM) ? (long)strtod(n->text, NULL) : def;
}

static double cfg_num(const ynode *cfg, const char *dotted, double def)
{
	const ynode *n = lookup(cfg, dotted);
	return n && (n->kind == YN_INT || n->kind == YN_NUM) ? strtod(n->text, NULL) : def;
}

bool cfg_bool(const ynode *cfg, const char *dotted, bool def)
{
	const ynode *n = lookup(cfg, dotted);
	return n && n->kind == YN_BOOL ? strcmp(n->text, "true") == 0 : def;
}

/* ---- reading a pick ---- */

int deploy_csv_is_disagg(const csvtab *t)
{
	if (csvtab_col(t, "(p)tp") >= 0 && csvtab_col(t, "(d)tp") >= 0)
		return 1;
	if (csvtab_col(t, "tp") >= 0 && csvtab_col(t, "bs") >= 0)
		return 0;
	return -1;
}

typedef struct row_reader {
	const csvtab *t;
	size_t row;
	char *err;
	size_t errlen;
	int failed;
} row_reader;

static const char *field(row_reader *r, const char *col)
{
	int i = csvtab_col(r->t, col);
	if (i < 0) {
		if (!r->failed)
			diag_errf(r->err, r->errlen, "%s: no column '%s'", r->t->path, col);
		r->failed = 1;
		return "";
	}
	return r->t->rows[r->row][i];
}

static double num(row_reader *r, const char *col)
{
	const char *s = field(r, col);
	if (r->failed)
		return 0;
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || !isfinite(v)) {
		diag_errf(r->err, r->errlen, "%s:%ld: column '%s': '%s' is not a number", r->t->path, r->t->lines[r->row],
			  col, s);
		r->failed = 1;
		return 0;
	}
	return v;
}

/* A count column (tp, bs, workers): a whole number of at least min, written by pandas as 4 or 4.0. */
static long count(row_reader *r, const char *col, long min)
{
	double v = num(r, col);
	if (r->failed)
		return min;
	if (v != floor(v) || v < (double)min || v > 1e9) {
		diag_errf(r->err, r->errlen, "%s:%ld: column '%s': '%s' is not a whole number >= %ld", r->t->path,
			  r->t->lines[r->row], col, field(r, col), min);
		r->failed = 1;
		return min;
	}
	return (long)v;
}

/* A column the files state as a whole number, the reference's fraction cut as it cuts it (the
 * concurrency): 0 to 1e12, beyond which the cut to a long is undefined. */
static long truncated(row_reader *r, const char *col)
{
	double v = num(r, col);
	if (r->failed)
		return 0;
	if (!(v >= 0 && v <= 1e12)) {
		diag_errf(r->err, r->errlen, "%s:%ld: column '%s': '%s' is out of range (0 to 1e12)", r->t->path,
			  r->t->lines[r->row], col, field(r, col));
		r->failed = 1;
		return 0;
	}
	return (long)v;
}

static void copy_field(row_reader *r, const char *col, char *dst, size_t n)
{
	snprintf(dst, n, "%s", field(r, col));
}

static long round_up(long v, long to) { return (v + to - 1) / to * to; }

/* The reference's CUDA-graph batch sizes (its trtllm and sglang rules): fixed steps up to 512 and
 * every size within 8 of the batch. Written sorted and without the repeats the rule's list has. */
static void cuda_graph_sizes(deploy_engine *e, long bs)
{
	static const struct { long from, to, step; } spans[] = {
		{1, 16, 1}, {16, 32, 4}, {32, 64, 8}, {64, 128, 16}, {128, 256, 32}, {256, 512, 64},
	};
	long lo = bs <= 8 ? 1 : bs - 8, hi = bs + 8;
	size_t cap = 64 + (size_t)(hi - lo + 1);
	long *v = xmalloc(cap * sizeof *v);
	size_t n = 0;
	for (size_t s = 0; s < sizeof spans / sizeof *spans; s++)
		for (long x = spans[s].from; x <= spans[s].to; x += spans[s].step)
			v[n++] = x;
	for (long x = lo; x <= hi; x++)
		v[n++] = x;
	/* sort and drop repeats (insertion sort: under 100 values) */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			long t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	free(e->cuda_graph_sizes);
	e->cuda_graph_sizes = v;
	e->n_cuda_graph_sizes = m;
}

static void set_sizes(deploy_engine *e, const long *sizes, size_t n)
{
	free(e->cuda_graph_sizes);
	e->cuda_graph_sizes = xmalloc(n * sizeof *sizes);
	memcpy(e->cuda_graph_sizes, sizes, n * sizeof *sizes);
	e->n_cuda_graph_sizes = n;
}

/* The KV-cache data type as each backend spells it: the tables' bfloat16/float16 is the model's
 * own (auto); fp8 is fp8 (SGLang: fp8_e4m3). */
static void kv_dtype(const deploy_ctx *c, deploy_engine *e)
{
	const char *q = e->kvcache;
	if (!*q || strcmp(q, "bfloat16") == 0 || strcmp(q, "float16") == 0 || strcmp(q, "half") == 0)
		snprintf(e->kv_dtype, sizeof e->kv_dtype, "auto");
	else if (strcmp(q, "fp8") == 0 && c->backend == BACKEND_SGLANG)
		snprintf(e->kv_dtype, sizeof e->kv_dtype, "fp8_e4m3");
	else
		snprintf(e->kv_dtype, sizeof e->kv_dtype, "%s", q);
}

/* The rules of the reference's generator (rule_plugin/<backend>.rule, default rule set) and the
 * defaults of its templates for the pinned versions. */
static void engine_rules(const deploy_ctx *c, deploy_engine *e)
{
	long isl = c->isl, osl = c->osl, bs = e->bs;
	e->gpus = e->tp * e->pp * e->dp;
	e->attention_dp = e->dp > 1 && c->is_moe;
	e->engine_tp = e->tp;
	if (c->is_moe && e->moe_tp > 0 && e->moe_ep > 0)
		e->engine_tp = c->backend == BACKEND_VLLM ? e->moe_tp * e->moe_ep / e->dp : e->moe_tp * e->moe_ep;
	kv_dtype(c, e);
	bool serving = e->role != ROLE_PREFILL; /* agg or decode: the roles that decode */
	switch (c->backend) {
	case BACKEND_TRTLLM: {
		static const long prefill_graphs[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};
		e->tokens_per_block = 32;
		e->kv_fraction = 0.8;
		e->max_batch_size = bs > 0 ? bs : (serving ? 128 : 1);
		if (e->role == ROLE_PREFILL)
			e->max_num_tokens = round_up(isl + 500, e->tokens_per_block);
		else if (e->role == ROLE_DECODE)
			e->max_num_tokens = round_up(e->max_batch_size, e->tokens_per_block);
		else
			e->max_num_tokens = round_up(e->max_batch_size + isl + 500, e->tokens_per_block);
		if (e->role != ROLE_AGG)
			e->cache_transceiver_tokens = round_up(isl + osl + 500, e->tokens_per_block);
		e->disable_overlap = e->role == ROLE_PREFILL;
		if (serving) {
			cuda_graph_sizes(e, bs);
			e->cuda_graph_padding = true;
		} else {
			set_sizes(e, prefill_graphs, sizeof prefill_graphs / sizeof *prefill_graphs);
		}
		break;
	}
	case BACKEND_VLLM:
		if (serving)
			e->max_batch_size = bs < 512 ? 512 : 2 * bs;
		else
			e->max_batch_size = bs > 0 ? bs : 1;
		if (e->role == ROLE_PREFILL)
			e->max_num_tokens = isl + 1500;
		else if (e->role == ROLE_DECODE)
			e->max_num_tokens = e->max_batch_size;
		else
			e->max_num_tokens = e->max_batch_size + isl + 1500;
		if (e->role == ROLE_AGG)
			e->max_seq_len = isl + osl + 1500;
		break;
	case BACKEND_SGLANG:
		if (serving) {
			cuda_graph_sizes(e, bs);
			e->cuda_graph_padding = true;
			e->max_batch_size = bs < 512 ? 512 : 2 * bs;
		} else {
			e->max_batch_size = bs > 0 ? bs : 1;
		}
		e->max_prefill_tokens = isl + 1500;
		e->mixed_chunk = e->role == ROLE_AGG;
		break;
	}
}

static void apply_worker_overrides(const deploy_ctx *c, deploy_engine *e)
{
	char key[96];
	const char *r = deploy_role_name(e->role);
#define KEY(name) (snprintf(key, sizeof key, "Workers.%s." name, r), key)
	const ynode *o = c->overrides;
	e->max_batch_size = cfg_long(o, KEY("max_batch_size"), e->max_batch_size);
	e->max_num_tokens = cfg_long(o, KEY("max_num_tokens"), e->max_num_tokens);
	e->max_seq_len = cfg_long(o, KEY("max_seq_len"), e->max_seq_len);
	e->max_prefill_tokens = cfg_long(o, KEY("max_prefill_tokens"), e->max_prefill_tokens);
	e->tokens_per_block = cfg_long(o, KEY("tokens_per_block"), e->tokens_per_block);
	e->kv_fraction = cfg_num(o, KEY("kv_cache_free_gpu_memory_fraction"), e->kv_fraction);
	e->disable_overlap = cfg_bool(o, KEY("disable_overlap_scheduler"), e->disable_overlap);
	e->cuda_graph_padding = cfg_bool(o, KEY("cuda_graph_enable_padding"), e->cuda_graph_padding);
	const char *dt = cfg_str(o, KEY("kv_cache_dtype"), NULL);
	if (dt)
		snprintf(e->kv_dtype, sizeof e->kv_dtype, "%s", dt);
#undef KEY
}

static void read_engine(const deploy_ctx *c, row_reader *r, deploy_role role, const char *pre, deploy_engine *e)
{
	char col[64];
#define COL(name) (snprintf(col, sizeof col, "%s" name, pre), col)
	memset(e, 0, sizeof *e);
	e->role = role;
	e->tp = count(r, COL("tp"), 1);
	e->pp = count(r, COL("pp"), 1);
	e->dp = count(r, COL("dp"), 1);
	e->moe_tp = count(r, COL("moe_tp"), 1);
	e->moe_ep = count(r, COL("moe_ep"), 1);
	e->bs = count(r, COL("bs"), 1);
	copy_field(r, COL("gemm"), e->gemm, sizeof e->gemm);
	copy_field(r, COL("kvcache"), e->kvcache, sizeof e->kvcache);
	copy_field(r, COL("fmha"), e->fmha, sizeof e->fmha);
	copy_field(r, COL("moe"), e->moe, sizeof e->moe);
	copy_field(r, COL("comm"), e->comm, sizeof e->comm);
	copy_field(r, COL("parallel"), e->parallel, sizeof e->parallel);
	e->memory_gib = num(r, COL("memory"));
#undef COL
	if (!r->failed)
		engine_rules(c, e);
}

int deploy_pick_read(const deploy_ctx *c, const csvtab *t, size_t row, deploy_pick *p, char *err, size_t errlen)
{
	row_reader r = {.t = t, .row = row, .err = err, .errlen = errlen};
	memset(p, 0, sizeof *p);
	p->rank = (int)row + 1;
	copy_field(&r, "model", p->model_column, sizeof p->model_column);
	p->ttft = num(&r, "ttft");
	p->tpot = num(&r, "tpot");
	p->request_latency = num(&r, "request_latency");
	p->tokens_s_gpu = num(&r, "tokens/s/gpu");
	p->tokens_s_user = num(&r, "tokens/s/user");
	p->tokens_s_gpu_cluster = num(&r, "tokens/s/gpu_cluster");
	p->seq_s = num(&r, "seq/s");
	p->concurrency = truncated(&r, "concurrency");
	p->gpus = count(&r, "num_total_gpus", 1);
	if (c->disagg) {
		copy_field(&r, "(d)version", p->version, sizeof p->version);
		long pw = count(&r, "(p)workers", 1), dw = count(&r, "(d)workers", 1);
		read_engine(c, &r, ROLE_PREFILL, "(p)", &p->roles[0]);
		read_engine(c, &r, ROLE_DECODE, "(d)", &p->roles[1]);
		p->nroles = 2;
		if (r.failed)
			return -1;
		/* the pick's own GPUs are its workers' (the reference scales both by the replicas) */
		long per = pw * p->roles[0].gpus + dw * p->roles[1].gpus;
		p->replicas = per > 0 ? c->total_gpus / per : 0;
		if (p->replicas < 1)
			p->replicas = 1;
		p->roles[0].workers = pw * p->replicas;
		p->roles[1].workers = dw * p->replicas;
	} else {
		copy_field(&r, "version", p->version, sizeof p->version);
		p->ctx_tokens = truncated(&r, "ctx_tokens");
		read_engine(c, &r, ROLE_AGG, "", &p->roles[0]);
		p->nroles = 1;
		if (r.failed)
			return -1;
		p->replicas = c->total_gpus / p->roles[0].gpus;
		if (p->replicas < 1)
			p->replicas = 1;
		p->roles[0].workers = p->replicas;
	}
	if (r.failed)
		return -1;
	static const char *const wkeys[] = {"WorkerConfig.agg_workers", "WorkerConfig.prefill_workers",
					    "WorkerConfig.decode_workers"};
	long used = 0;
	for (int i = 0; i < p->nroles; i++) {
		deploy_engine *e = &p->roles[i];
		e->workers = cfg_long(c->overrides, wkeys[e->role], e->workers);
		apply_worker_overrides(c, e);
		used += e->workers * e->gpus;
	}
	p->gpus_used = used;
	p->enable_router = cfg_bool(c->overrides, "DynConfig.enable_router", c->prefix > 0);
	/* the benchmark's centre: the concurrency the engines hold at their picked batch (the
	 * reference's rule reads the batch before its max_batch_size rules raise it) */
	const deploy_engine *serving = &p->roles[p->nroles - 1];
	p->estimated_concurrency =
		cfg_long(c->overrides, "BenchConfig.estimated_concurrency", serving->workers * serving->bs);
	return 0;
}

void deploy_pick_free(deploy_pick *p)
{
	for (int i = 0; i < p->nroles; i++)
		free(p->roles[i].cuda_graph_sizes);
	p->nroles = 0;
}

/* ---- the resolved configuration ---- */

static const char *image_default(const deploy_ctx *c, char *buf, size_t n)
{
	const char *name = c->backend == BACKEND_TRTLLM ? "tensorrtllm" : c->backend == BACKEND_VLLM ? "vllm" : "sglang";
	snprintf(buf, n, "nvcr.io/nvidia/ai-dynamo/%s-runtime:%s", name, DEPLOY_DYNAMO_VERSION);
	return buf;
}

/* Every settable key of a group, from the overrides or its default. */
static void put_group(const deploy_ctx *c, ynode *cfg, const char *group, const char *const *computed_keys,
		      ynode *const *computed_vals, size_t ncomputed)
{
	ynode *g = yn_map_at(cfg, group);
	size_t glen = strlen(group);
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
		const key_spec *k = &keys[i];
		if (strncmp(k->key, group, glen) != 0 || k->key[glen] != '.')
			continue;
		const char *leaf = k->key + glen + 1;
		const ynode *o = lookup(c->overrides, k->key);
		ynode *v = NULL;
		if (o) {
			v = o->kind == YN_STR ? yn_str(o->text) : NULL;
			if (!v) {
				v = yn_str(o->text);
				v->kind = o->kind;
			}
		} else {
			for (size_t j = 0; j < ncomputed; j++)
				if (strcmp(computed_keys[j], leaf) == 0)
					v = computed_vals[j];
			if (v) {
				/* copy: the computed value is freed by the caller */
				ynode *copy = yn_str(v->text);
				copy->kind = v->kind;
				v = copy;
			} else if (k->def) {
				v = k->type == KEY_STR ? yn_str(k->def)
				    : k->type == KEY_BOOL ? yn_bool(strcmp(k->def, "true") == 0)
							  : yn_int(strtoll(k->def, NULL, 10));
			} else {
				v = yn_null();
			}
		}
		yn_set(g, leaf, v);
	}
	for (size_t j = 0; j < ncomputed; j++)
		yn_free(computed_vals[j]);
}

static ynode *engine_node(const deploy_ctx *c, const deploy_engine *e)
{
	ynode *m = yn_map();
	yn_set(m, "workers", yn_int(e->workers));
	yn_set(m, "gpus_per_worker", yn_int(e->gpus));
	yn_set(m, "parallel", yn_str(e->parallel));
	yn_set(m, "tensor_parallel_size", yn_int(e->tp));
	yn_set(m, "pipeline_parallel_size", yn_int(e->pp));
	yn_set(m, "data_parallel_size", yn_int(e->dp));
	yn_set(m, "moe_tensor_parallel_size", yn_int(e->moe_tp));
	yn_set(m, "moe_expert_parallel_size", yn_int(e->moe_ep));
	yn_set(m, "engine_tensor_parallel_size", yn_int(e->engine_tp));
	yn_set(m, "enable_attention_dp", yn_bool(e->attention_dp));
	yn_set(m, "picked_batch_size", yn_int(e->bs));
	yn_set(m, "max_batch_size", yn_int(e->max_batch_size));
	yn_set(m, "max_num_tokens", e->max_num_tokens ? yn_int(e->max_num_tokens) : yn_null());
	yn_set(m, "max_seq_len", e->max_seq_len ? yn_int(e->max_seq_len) : yn_null());
	if (c->backend == BACKEND_SGLANG)
		yn_set(m, "max_prefill_tokens", e->max_prefill_tokens ? yn_int(e->max_prefill_tokens) : yn_null());
	yn_set(m, "tokens_per_block", e->tokens_per_block ? yn_int(e->tokens_per_block) : yn_null());
	yn_set(m, "kv_cache_free_gpu_memory_fraction", e->kv_fraction > 0 ? yn_num(e->kv_fraction) : yn_null());
	yn_set(m, "kv_cache_dtype", yn_str(e->kv_dtype));
	if (e->cuda_graph_sizes) {
		ynode *s = yn_set(m, "cuda_graph_batch_sizes", yn_flow_seq());
		for (size_t i = 0; i < e->n_cuda_graph_sizes; i++)
			yn_push(s, yn_int(e->cuda_graph_sizes[i]));
		yn_set(m, "cuda_graph_enable_padding", yn_bool(e->cuda_graph_padding));
	}
	if (c->backend == BACKEND_TRTLLM)
		yn_set(m, "disable_overlap_scheduler", yn_bool(e->disable_overlap));
	ynode *q = yn_set(m, "quant", yn_map());
	yn_set(q, "gemm", yn_str(e->gemm));
	yn_set(q, "kvcache", yn_str(e->kvcache));
	yn_set(q, "fmha", yn_str(e->fmha));
	yn_set(q, "moe", yn_str(e->moe));
	yn_set(q, "comm", yn_str(e->comm));
	yn_set(m, "predicted_memory_gib", yn_num(e->memory_gib));
	return m;
}

ynode *deploy_config(const deploy_ctx *c, const deploy_pick *p)
{
	ynode *cfg = yn_map();
	char buf[512];
	const char *mode = c->disagg ? "disagg" : "agg";

	{
		static const char *const k[] = {"model_path", "served_model_name"};
		ynode *v[] = {yn_str(c->model_id), yn_str(c->model_id)};
		put_group(c, cfg, "ServiceConfig", k, v, 2);
	}
	const char *model_path = cfg_str(cfg, "ServiceConfig.model_path", c->model_id);
	const char *served = cfg_str(cfg, "ServiceConfig.served_model_name", c->model_id);
	{
		const char *prefix = cfg_str(c->overrides, "K8sConfig.name_prefix", "dynamo");
		char name[256];
		snprintf(name, sizeof name, "%s-%s%s", prefix, mode, p->enable_router ? "-router" : "");
		static const char *const k[] = {"name", "k8s_image"};
		ynode *v[] = {yn_str(name), yn_str(image_default(c, buf, sizeof buf))};
		put_group(c, cfg, "K8sConfig", k, v, 2);
		/* the older name of the claim stands in for the newer when only it is given */
		const char *pvc = cfg_str(cfg, "K8sConfig.k8s_pvc_name", "");
		if (!*pvc && *cfg_str(cfg, "K8sConfig.k8s_model_cache", ""))
			yn_set(yn_map_at(cfg, "K8sConfig"), "k8s_pvc_name", yn_str(cfg_str(cfg, "K8sConfig.k8s_model_cache", "")));
	}
	{
		ynode *dyn = yn_map_at(cfg, "DynConfig");
		yn_set(dyn, "mode", yn_str(mode));
		yn_set(dyn, "enable_router", yn_bool(p->enable_router));
	}
	{
		ynode *w = yn_map_at(cfg, "WorkerConfig");
		static const char *const names[] = {"agg_workers", "prefill_workers", "decode_workers"};
		for (int i = 0; i < p->nroles; i++)
			yn_set(w, names[p->roles[i].role], yn_int(p->roles[i].workers));
		yn_set(w, "replicas", yn_int(p->replicas));
		yn_set(w, "total_gpus_used", yn_int(p->gpus_used));
	}
	yn_set(yn_map_at(cfg, "NodeConfig"), "num_gpus_per_node",
	       yn_int(cfg_long(c->overrides, "NodeConfig.num_gpus_per_node", c->gpus_per_node)));
	{
		ynode *sla = yn_map_at(cfg, "SlaConfig");
		yn_set(sla, "isl", yn_int(c->isl));
		yn_set(sla, "osl", yn_int(c->osl));
		yn_set(sla, "prefix", yn_int(c->prefix));
		yn_set(sla, "ttft_target_ms", yn_num(c->ttft));
		yn_set(sla, "tpot_target_ms", yn_num(c->tpot));
		if (c->request_latency > 0)
			yn_set(sla, "request_latency_target_ms", yn_num(c->request_latency));
	}
	{
		ynode *pr = yn_map_at(cfg, "Prediction");
		yn_set(pr, "ttft_ms", yn_num(p->ttft));
		yn_set(pr, "tpot_ms", yn_num(p->tpot));
		yn_set(pr, "request_latency_ms", yn_num(p->request_latency));
		yn_set(pr, "tokens_per_s_per_gpu", yn_num(p->tokens_s_gpu));
		yn_set(pr, "tokens_per_s_per_user", yn_num(p->tokens_s_user));
		yn_set(pr, "tokens_per_s_per_gpu_cluster", yn_num(p->tokens_s_gpu_cluster));
		yn_set(pr, "concurrency_per_replica", yn_int(p->concurrency));
		yn_set(pr, "gpus_per_replica", yn_int(p->gpus));
		yn_set(pr, "perf_data_version", yn_str(p->version));
	}
	{
		const char *name = cfg_str(cfg, "K8sConfig.name", "dynamo");
		const char *ns = cfg_str(cfg, "K8sConfig.k8s_namespace", "dynamo");
		char bname[300], url[600];
		snprintf(bname, sizeof bname, "%s-benchmark", name);
		/* the operator names the frontend's Service <graph name>-frontend */
		snprintf(url, sizeof url, "http://%s-frontend.%s.svc.cluster.local:%ld", name, ns,
			 cfg_long(cfg, "ServiceConfig.port", 8000));
		static const char *const k[] = {"name", "endpoint_url", "model", "tokenizer", "estimated_concurrency"};
		ynode *v[] = {yn_str(bname), yn_str(url), yn_str(served), yn_str(model_path), yn_int(p->estimated_concurrency)};
		put_group(c, cfg, "BenchConfig", k, v, 5);
		ynode *b = yn_map_at(cfg, "BenchConfig");
		yn_set(b, "isl", yn_int(c->isl));
		yn_set(b, "osl", yn_int(c->osl));
	}
	{
		static const char *const k[] = {"dynamo_image"};
		ynode *v[] = {yn_str(cfg_str(cfg, "K8sConfig.k8s_image", ""))};
		put_group(c, cfg, "SlurmConfig", k, v, 1);
	}
	{
		ynode *m = yn_map_at(cfg, "ModelConfig");
		yn_set(m, "model_dir", yn_str(c->model_dir ? c->model_dir : ""));
		yn_set(m, "model_id", yn_str(c->model_id));
		yn_set(m, "is_moe", yn_bool(c->is_moe));
		yn_set(m, "nextn", yn_int(c->nextn));
	}
	{
		ynode *v = yn_map_at(cfg, "Versions");
		yn_set(v, "dynamo", yn_str(DEPLOY_DYNAMO_VERSION));
		yn_set(v, "backend", yn_str(c->backend_name));
		yn_set(v, "backend_version", yn_str(deploy_backend_version(c)));
	}
	ynode *params = yn_map_at(cfg, "params");
	for (int i = 0; i < p->nroles; i++)
		yn_set(params, deploy_role_name(p->roles[i].role), engine_node(c, &p->roles[i]));
	return cfg;
}
