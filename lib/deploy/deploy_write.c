/* deploy_write: the files of one pick. YAML goes through lib/deploy/deploy_yaml (libyaml's emitter);
 * shell scripts quote every value they did not build themselves. */
#include "deploy_write.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "outfile.h"
#include "pyfloat.h"

/* ---- lists ---- */

void strlist_add(strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n] = strdup(s);
	if (!l->v[l->n])
		die(EXIT_DATA, "out of memory");
	l->n++;
}

void strlist_addf(strlist *l, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	strlist_add(l, buf);
}

void strlist_free(strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

/* ---- small helpers ---- */

static char *num_text(double v, char *buf, size_t n)
{
	py_float_repr(v, buf, n);
	return buf;
}

/* One shell word: as is when it holds only safe characters, else in single quotes. Words that
 * start with '$' are left for the shell to expand (the scripts' own variables). */
static void sh_word(FILE *f, const char *s)
{
	if (*s && s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,+-@%")] == '\0') {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	}
	fputc('\'', f);
}

/* A memory stream, for text that goes inside a YAML block. */
typedef struct membuf {
	char *text;
	size_t len;
	FILE *f;
} membuf;

static FILE *mem_open(membuf *m)
{
	m->text = NULL;
	m->len = 0;
	m->f = open_memstream(&m->text, &m->len);
	if (!m->f)
		die(EXIT_DATA, "out of memory");
	return m->f;
}

static char *mem_close(membuf *m)
{
	if (fclose(m->f) != 0 || !m->text)
		die(EXIT_DATA, "out of memory");
	return m->text;
}

static const char *worker_module(const deploy_ctx *c)
{
	return c->backend == BACKEND_TRTLLM ? "dynamo.trtllm" : c->backend == BACKEND_VLLM ? "dynamo.vllm" : "dynamo.sglang";
}

/* The service names the reference's manifests use. */
static const char *service_name(const deploy_ctx *c, deploy_role r)
{
	static const char *const names[3][3] = {
		{"TRTLLMWorker", "TRTLLMPrefillWorker", "TRTLLMDecodeWorker"},
		{"VllmWorker", "VllmPrefillWorker", "VllmDecodeWorker"},
		{"SGLangWorker", "SGLangPrefillWorker", "SGLangDecodeWorker"},
	};
	return names[c->backend][r];
}

static const char *engine_file_name(deploy_role r)
{
	return r == ROLE_AGG ? "agg_config.yaml" : r == ROLE_PREFILL ? "prefill_config.yaml" : "decode_config.yaml";
}

static const char *args_file_name(deploy_role r)
{
	return r == ROLE_AGG ? "agg_args.txt" : r == ROLE_PREFILL ? "prefill_args.txt" : "decode_args.txt";
}

/* The comment every file starts with: what it deploys, for which release, and the prediction. */
static char *header(const deploy_ctx *c, const deploy_pick *p, const char *what)
{
	membuf m;
	FILE *f = mem_open(&m);
	char a[40], b[40], d[40], e[40];
	fprintf(f, "%s: %s top%d of %s on %s (%s), written by infercast deploy\n", what, c->disagg ? "disagg" : "agg",
		p->rank, c->model_id, c->system, c->backend_name);
	fprintf(f, "Targets NVIDIA Dynamo %s with %s %s (pinned; see docs/deploy.md).\n", DEPLOY_DYNAMO_VERSION,
		deploy_backend_title(c), deploy_backend_version(c));
	fputs("Workers:", f);
	for (int i = 0; i < p->nroles; i++) {
		const deploy_engine *r = &p->roles[i];
		fprintf(f, "%s %ld x %s %s (%ld GPU%s each, batch %ld)", i ? " +" : "", r->workers, deploy_role_name(r->role),
			r->parallel, r->gpus, r->gpus == 1 ? "" : "s", r->bs);
	}
	fprintf(f, "; %ld of %ld GPUs.\n", p->gpus_used, c->total_gpus);
	fprintf(f, "Predicted (infercast, perf data %s): TTFT %s ms, TPOT %s ms, %s tokens/s/gpu, %s tokens/s/user.",
		p->version, num_text(p->ttft, a, sizeof a), num_text(p->tpot, b, sizeof b),
		num_text(p->tokens_s_gpu, d, sizeof d), num_text(p->tokens_s_user, e, sizeof e));
	return mem_close(&m);
}

static int add_file(strlist *files, const char *name) { return strlist_add(files, name), 0; }

static int open_out(const char *dir, const char *name, FILE **f, char *path, size_t pathlen, char *err, size_t errlen)
{
	snprintf(path, pathlen, "%s/%s", dir, name);
	*f = outfile_open(path);
	if (!*f)
		return diag_errf(err, errlen, "%s: %s", path, strerror(errno));
	return 0;
}

static int close_out(FILE *f, const char *path, bool executable, char *err, size_t errlen)
{
	if (outfile_close(f) != 0)
		return diag_errf(err, errlen, "%s: %s", path, strerror(errno));
	if (executable && chmod(path, 0755) != 0)
		return diag_errf(err, errlen, "%s: %s", path, strerror(errno));
	return 0;
}

static int write_yaml(const char *dir, const char *name, const char *head, ynode *const *docs, size_t ndocs,
		      strlist *files, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (yn_write_file(path, head, docs, ndocs, err, errlen))
		return -1;
	return add_file(files, name);
}

/* ---- engine configuration ---- */

/* TRT-LLM's LLM API options (TorchLlmArgs) for a role: the file --extra-engine-args reads. */
static ynode *trtllm_engine(const deploy_ctx *c, const deploy_engine *e)
{
	ynode *m = yn_map();
	yn_set(m, "backend", yn_str("pytorch"));
	yn_set(m, "tensor_parallel_size", yn_int(e->engine_tp));
	yn_set(m, "pipeline_parallel_size", yn_int(e->pp));
	if (c->is_moe) {
		yn_set(m, "moe_expert_parallel_size", yn_int(e->moe_ep));
		yn_set(m, "moe_tensor_parallel_size", yn_int(e->moe_tp));
		yn_set(yn_set(m, "moe_config", yn_map()), "backend", yn_str("CUTLASS"));
	}
	yn_set(m, "enable_attention_dp", yn_bool(e->attention_dp));
	yn_set(m, "enable_chunked_prefill", yn_bool(false));
	yn_set(m, "max_batch_size", yn_int(e->max_batch_size));
	if (e->max_num_tokens)
		yn_set(m, "max_num_tokens", yn_int(e->max_num_tokens));
	if (e->max_seq_len)
		yn_set(m, "max_seq_len", yn_int(e->max_seq_len));
	ynode *kv = yn_set(m, "kv_cache_config", yn_map());
	yn_set(kv, "free_gpu_memory_fraction", yn_num(e->kv_fraction));
	yn_set(kv, "dtype", yn_str(e->kv_dtype));
	if (e->tokens_per_block)
		yn_set(kv, "tokens_per_block", yn_int(e->tokens_per_block));
	/* block reuse is the prefix cache: worth its bookkeeping only when prompts share a prefix */
	yn_set(kv, "enable_block_reuse", yn_bool(c->prefix > 0));
	if (e->cache_transceiver_tokens) {
		ynode *ct = yn_set(m, "cache_transceiver_config", yn_map());
		yn_set(ct, "backend", yn_str("DEFAULT"));
		yn_set(ct, "max_tokens_in_buffer", yn_int(e->cache_transceiver_tokens));
	}
	if (e->cuda_graph_sizes) {
		ynode *cg = yn_set(m, "cuda_graph_config", yn_map());
		yn_set(cg, "enable_padding", yn_bool(e->cuda_graph_padding));
		ynode *s = yn_set(cg, "batch_sizes", yn_flow_seq());
		for (size_t i = 0; i < e->n_cuda_graph_sizes; i++)
			yn_push(s, yn_int(e->cuda_graph_sizes[i]));
	}
	yn_set(m, "disable_overlap_scheduler", yn_bool(e->disable_overlap));
	yn_set(m, "print_iter_log", yn_bool(false));
	if (c->nextn > 0) {
		/* every role, prefill too: the prefill engine sizes its KV cache with the MTP layers,
		 * so both sides of a transfer must agree */
		ynode *sp = yn_set(m, "speculative_config", yn_map());
		yn_set(sp, "decoding_type", yn_str("MTP"));
		yn_set(sp, "num_nextn_predict_layers", yn_int(c->nextn));
	}
	return m;
}

static void add_long(strlist *out, const char *flag, long v)
{
	strlist_add(out, flag);
	strlist_addf(out, "%ld", v);
}

/* What vLLM and SGLang both set, each under its own flag names: the layout, the KV cache's
 * block and data type, the memory share, the context length and the running requests; then
 * the token budget (vLLM: batched tokens per step; SGLang: prefill tokens). */
typedef struct engine_flags {
	const char *block_size, *kv_fraction, *max_len, *max_requests, *max_tokens;
} engine_flags;
static const engine_flags vllm_flags = {"--block-size", "--gpu-memory-utilization", "--max-model-len",
					"--max-num-seqs", "--max-num-batched-tokens"};
static const engine_flags sglang_flags = {"--page-size", "--mem-fraction-static", "--context-length",
					  "--max-running-requests", "--max-prefill-tokens"};

static void engine_layout_args(const deploy_engine *e, strlist *out)
{
	add_long(out, "--tensor-parallel-size", e->engine_tp);
	add_long(out, "--pipeline-parallel-size", e->pp);
	add_long(out, "--data-parallel-size", e->dp);
}

/* max_tokens: the engine's token budget under f->max_tokens, 0 for none. */
static void engine_memory_args(const engine_flags *f, const deploy_engine *e, long max_tokens, strlist *out)
{
	if (e->tokens_per_block)
		add_long(out, f->block_size, e->tokens_per_block);
	strlist_add(out, "--kv-cache-dtype");
	strlist_add(out, e->kv_dtype);
	if (e->kv_fraction > 0) {
		char b[40];
		strlist_add(out, f->kv_fraction);
		strlist_add(out, num_text(e->kv_fraction, b, sizeof b));
	}
	if (e->max_seq_len)
		add_long(out, f->max_len, e->max_seq_len);
	add_long(out, f->max_requests, e->max_batch_size);
	if (max_tokens)
		add_long(out, f->max_tokens, max_tokens);
}

void deploy_engine_args(const deploy_ctx *c, const deploy_pick *p, const deploy_engine *e, strlist *out)
{
	(void)p;
	if (c->backend == BACKEND_VLLM) {
		engine_layout_args(e, out);
		if (e->moe_ep > 1)
			strlist_add(out, "--enable-expert-parallel");
		engine_memory_args(&vllm_flags, e, e->max_num_tokens, out);
		if (c->nextn > 0) {
			strlist_add(out, "--speculative-config");
			strlist_addf(out, "{\"method\":\"mtp\",\"num_speculative_tokens\":%ld}", c->nextn);
		}
	} else if (c->backend == BACKEND_SGLANG) {
		engine_layout_args(e, out);
		if (e->attention_dp)
			strlist_add(out, "--enable-dp-attention");
		if (c->is_moe)
			add_long(out, "--expert-parallel-size", e->moe_ep);
		engine_memory_args(&sglang_flags, e, e->max_prefill_tokens, out);
		if (e->mixed_chunk)
			strlist_add(out, "--enable-mixed-chunk");
		if (e->cuda_graph_sizes) {
			strlist_add(out, "--cuda-graph-bs");
			for (size_t i = 0; i < e->n_cuda_graph_sizes; i++)
				strlist_addf(out, "%ld", e->cuda_graph_sizes[i]);
			if (!e->cuda_graph_padding)
				strlist_add(out, "--disable-cuda-graph-padding");
		}
		if (c->nextn > 0) {
			/* SGLang wants the whole (steps, topk, draft tokens) triple or none of it */
			strlist_add(out, "--speculative-algorithm");
			strlist_add(out, "NEXTN");
			add_long(out, "--speculative-num-steps", c->nextn);
			strlist_add(out, "--speculative-eagle-topk");
			strlist_add(out, "1");
			add_long(out, "--speculative-num-draft-tokens", c->nextn + 1);
		}
		if (e->role != ROLE_AGG) {
			strlist_add(out, "--disaggregation-transfer-backend");
			strlist_add(out, "nixl");
		}
	}
}

/* vLLM's KV transfer through NIXL: the same connector on both sides of a disagg pair. */
#define VLLM_KV_TRANSFER "{\"kv_connector\":\"NixlConnector\",\"kv_role\":\"kv_both\"}"

void deploy_worker_argv(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, const deploy_engine *e,
			const char *engine_file, const char *model_path, long bootstrap_port, strlist *out)
{
	const char *served = cfg_str(cfg, "ServiceConfig.served_model_name", c->model_id);
	strlist_add(out, "python3");
	strlist_add(out, "-m");
	strlist_add(out, worker_module(c));
	strlist_add(out, c->backend == BACKEND_VLLM ? "--model" : "--model-path");
	strlist_add(out, model_path);
	strlist_add(out, "--served-model-name");
	strlist_add(out, served);
	if (c->backend == BACKEND_TRTLLM) {
		strlist_add(out, "--extra-engine-args");
		strlist_add(out, engine_file);
	} else {
		deploy_engine_args(c, p, e, out);
	}
	if (e->role != ROLE_AGG) {
		strlist_add(out, "--disaggregation-mode");
		strlist_add(out, deploy_role_name(e->role));
	}
	if (c->backend == BACKEND_VLLM && e->role != ROLE_AGG) {
		strlist_add(out, "--kv-transfer-config");
		strlist_add(out, VLLM_KV_TRANSFER);
	}
	if (c->backend == BACKEND_SGLANG) {
		if (e->role == ROLE_PREFILL) {
			strlist_add(out, "--disaggregation-bootstrap-port");
			strlist_addf(out, "%ld", bootstrap_port);
		}
		strlist_add(out, "--host");
		strlist_add(out, "0.0.0.0");
		strlist_add(out, "--enable-metrics");
	}
	/* KV-aware routing: the workers publish their cache events (not a TRT-LLM prefill worker,
	 * where Dynamo does not support it) */
	if (p->enable_router) {
		if (c->backend == BACKEND_TRTLLM && e->role != ROLE_PREFILL)
			strlist_add(out, "--publish-events-and-metrics");
		else if (c->backend == BACKEND_VLLM)
			strlist_add(out, "--kv-events-config"),
				strlist_add(out, "{\"publisher\":\"zmq\",\"topic\":\"kv-events\",\"endpoint\":\"tcp://*:20081\","
						 "\"enable_kv_cache_events\":true}");
		else if (c->backend == BACKEND_SGLANG)
			strlist_add(out, "--kv-events-config"),
				strlist_add(out, "{\"publisher\":\"zmq\",\"topic\":\"kv-events\",\"endpoint\":\"tcp://*:5557\"}");
	}
}

/* ---- Kubernetes ---- */

static void add_env(ynode *envs, const char *name, const char *value)
{
	ynode *e = yn_push(envs, yn_map());
	yn_set(e, "name", yn_str(name));
	yn_set(e, "value", yn_str(value));
}

static void annotations(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, ynode *meta)
{
	char b[40];
	ynode *a = yn_set(meta, "annotations", yn_map());
	yn_set(a, "infercast/model", yn_str(c->model_id));
	yn_set(a, "infercast/served-model-name", yn_str(cfg_str(cfg, "ServiceConfig.served_model_name", "")));
	yn_set(a, "infercast/mode", yn_str(c->disagg ? "disagg" : "agg"));
	yn_set(a, "infercast/rank", yn_strf("%d", p->rank));
	for (int i = 0; i < p->nroles; i++) {
		const deploy_engine *e = &p->roles[i];
		char k[80];
		snprintf(k, sizeof k, "infercast/%s-parallel", deploy_role_name(e->role));
		yn_set(a, k, yn_str(e->parallel));
		snprintf(k, sizeof k, "infercast/%s-workers", deploy_role_name(e->role));
		yn_set(a, k, yn_strf("%ld", e->workers));
		snprintf(k, sizeof k, "infercast/%s-gpus-per-worker", deploy_role_name(e->role));
		yn_set(a, k, yn_strf("%ld", e->gpus));
		snprintf(k, sizeof k, "infercast/%s-batch-size", deploy_role_name(e->role));
		yn_set(a, k, yn_strf("%ld", e->bs));
	}
	yn_set(a, "infercast/gpus", yn_strf("%ld", p->gpus_used));
	yn_set(a, "infercast/predicted-ttft-ms", yn_str(num_text(p->ttft, b, sizeof b)));
	yn_set(a, "infercast/predicted-tpot-ms", yn_str(num_text(p->tpot, b, sizeof b)));
	yn_set(a, "infercast/predicted-tokens-per-s-per-gpu", yn_str(num_text(p->tokens_s_gpu, b, sizeof b)));
	yn_set(a, "infercast/predicted-tokens-per-s-per-user", yn_str(num_text(p->tokens_s_user, b, sizeof b)));
	yn_set(a, "infercast/targets",
	       yn_strf("dynamo %s, %s %s", DEPLOY_DYNAMO_VERSION, c->backend_name, deploy_backend_version(c)));
}

/* The model cache claim, mounted in every pod when one is given. */
static void model_cache(const ynode *cfg, ynode *pod, ynode *container, ynode *envs)
{
	const char *pvc = cfg_str(cfg, "K8sConfig.k8s_pvc_name", "");
	const char *mount = cfg_str(cfg, "K8sConfig.k8s_pvc_mount_path", "/workspace/model_cache");
	if (*pvc) {
		ynode *v = yn_push(yn_get(pod, "volumes") ? yn_get(pod, "volumes") : yn_set(pod, "volumes", yn_seq()), yn_map());
		yn_set(v, "name", yn_str("model-cache"));
		yn_set(yn_set(v, "persistentVolumeClaim", yn_map()), "claimName", yn_str(pvc));
		ynode *mounts = yn_get(container, "volumeMounts") ? yn_get(container, "volumeMounts")
								   : yn_set(container, "volumeMounts", yn_seq());
		ynode *mnt = yn_push(mounts, yn_map());
		yn_set(mnt, "name", yn_str("model-cache"));
		yn_set(mnt, "mountPath", yn_str(mount));
	}
	const char *hf_home = cfg_str(cfg, "K8sConfig.k8s_hf_home", "");
	if (envs && (*hf_home || *pvc))
		add_env(envs, "HF_HOME", *hf_home ? hf_home : mount);
}

static ynode *k8s_service_common(const ynode *cfg, ynode *svc, const char *component)
{
	yn_set(svc, "componentType", yn_str(component));
	const char *secret = cfg_str(cfg, "K8sConfig.k8s_hf_token_secret", "");
	if (*secret)
		yn_set(svc, "envFromSecret", yn_str(secret));
	return svc;
}

static ynode *pod_spec(const ynode *cfg, ynode *svc, ynode **container)
{
	ynode *pod = yn_set(svc, "extraPodSpec", yn_map());
	const char *pull = cfg_str(cfg, "K8sConfig.k8s_image_pull_secret", "");
	if (*pull)
		yn_set(yn_push(yn_set(pod, "imagePullSecrets", yn_seq()), yn_map()), "name", yn_str(pull));
	*container = yn_set(pod, "mainContainer", yn_map());
	yn_set(*container, "image", yn_str(cfg_str(cfg, "K8sConfig.k8s_image", "")));
	yn_set(*container, "imagePullPolicy", yn_str("IfNotPresent"));
	return pod;
}

static void probes(ynode *container)
{
	static const struct { const char *name, *path; long delay, failures; } pr[] = {
		{"startupProbe", "/health", 120, 40}, {"livenessProbe", "/live", 300, 10}, {"readinessProbe", "/live", 300, 10},
	};
	for (size_t i = 0; i < 3; i++) {
		ynode *p = yn_set(container, pr[i].name, yn_map());
		ynode *h = yn_set(p, "httpGet", yn_map());
		yn_set(h, "path", yn_str(pr[i].path));
		yn_set(h, "port", yn_int(9090));
		yn_set(p, "initialDelaySeconds", yn_int(pr[i].delay));
		yn_set(p, "periodSeconds", yn_int(30));
		yn_set(p, "timeoutSeconds", yn_int(10));
		yn_set(p, "failureThreshold", yn_int(pr[i].failures));
	}
}

static char *yaml_text(ynode *doc)
{
	membuf m;
	FILE *f = mem_open(&m);
	char err[256];
	if (yn_write(f, "engine options", NULL, &doc, 1, err, sizeof err))
		die(EXIT_DATA, "%s", err);
	return mem_close(&m);
}

static int write_k8s(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, const char *dir, strlist *files,
		     char *err, size_t errlen)
{
	ynode *docs[2];
	size_t nd = 0;
	const char *name = cfg_str(cfg, "K8sConfig.name", "dynamo");
	const char *ns = cfg_str(cfg, "K8sConfig.k8s_namespace", "dynamo");
	const char *model_path = cfg_str(cfg, "ServiceConfig.model_path", c->model_id);
	long gpn = cfg_long(cfg, "NodeConfig.num_gpus_per_node", 8);
	bool trt = c->backend == BACKEND_TRTLLM;
	bool configmap = trt && strcmp(cfg_str(cfg, "K8sConfig.k8s_engine_mode", "inline"), "configmap") == 0;
	const char *engine_dir = "/workspace/engine_configs";
	char cm_name[300];
	snprintf(cm_name, sizeof cm_name, "%s-engine-configs", name);

	if (configmap) {
		ynode *cm = yn_map();
		yn_set(cm, "apiVersion", yn_str("v1"));
		yn_set(cm, "kind", yn_str("ConfigMap"));
		ynode *meta = yn_set(cm, "metadata", yn_map());
		yn_set(meta, "name", yn_str(cm_name));
		yn_set(meta, "namespace", yn_str(ns));
		ynode *data = yn_set(cm, "data", yn_map());
		for (int i = 0; i < p->nroles; i++) {
			ynode *eng = trtllm_engine(c, &p->roles[i]);
			char *text = yaml_text(eng);
			yn_set(data, engine_file_name(p->roles[i].role), yn_block(text));
			free(text);
			yn_free(eng);
		}
		docs[nd++] = cm;
	}

	ynode *dgd = yn_map();
	yn_set(dgd, "apiVersion", yn_str("nvidia.com/v1alpha1"));
	yn_set(dgd, "kind", yn_str("DynamoGraphDeployment"));
	ynode *meta = yn_set(dgd, "metadata", yn_map());
	yn_set(meta, "name", yn_str(name));
	yn_set(meta, "namespace", yn_str(ns));
	annotations(c, p, cfg, meta);
	ynode *services = yn_set(yn_set(dgd, "spec", yn_map()), "services", yn_map());

	ynode *fe = k8s_service_common(cfg, yn_set(services, "Frontend", yn_map()), "frontend");
	yn_set(fe, "replicas", yn_int(cfg_bool(cfg, "ServiceConfig.include_frontend", true) ? 1 : 0));
	ynode *fenv = yn_seq();
	const char *etcd = cfg_str(cfg, "K8sConfig.k8s_etcd_endpoints", "");
	if (*etcd)
		add_env(fenv, "ETCD_ENDPOINTS", etcd);
	if (p->enable_router)
		add_env(fenv, "DYN_ROUTER_MODE", "kv");
	ynode *fcont;
	ynode *fpod = pod_spec(cfg, fe, &fcont);
	model_cache(cfg, fpod, fcont, fenv);
	if (fenv->n)
		yn_set(fe, "envs", fenv);
	else
		yn_free(fenv);

	for (int i = 0; i < p->nroles; i++) {
		const deploy_engine *e = &p->roles[i];
		ynode *svc = k8s_service_common(cfg, yn_set(services, service_name(c, e->role), yn_map()), "worker");
		if (e->role != ROLE_AGG)
			yn_set(svc, "subComponentType", yn_str(deploy_role_name(e->role)));
		yn_set(svc, "replicas", yn_int(e->workers));
		long nodes = (e->gpus + gpn - 1) / gpn;
		if (nodes > 1)
			yn_set(yn_set(svc, "multinode", yn_map()), "nodeCount", yn_int(nodes));
		/* the GPU limit is per pod, so per node of a multinode worker */
		yn_set(yn_set(yn_set(svc, "resources", yn_map()), "limits", yn_map()), "gpu",
		       yn_strf("%ld", nodes > 1 ? e->gpus / nodes : e->gpus));
		ynode *envs = yn_seq();
		if (*etcd)
			add_env(envs, "ETCD_ENDPOINTS", etcd);
		ynode *cont;
		ynode *pod = pod_spec(cfg, svc, &cont);
		model_cache(cfg, pod, cont, envs);
		if (envs->n)
			yn_set(svc, "envs", envs);
		else
			yn_free(envs);
		char engine_path[512];
		snprintf(engine_path, sizeof engine_path, "%s/%s", engine_dir, engine_file_name(e->role));
		strlist argv = {0};
		deploy_worker_argv(c, p, cfg, e, engine_path, model_path, 12345, &argv);
		if (trt) {
			ynode *vols = yn_get(pod, "volumes") ? yn_get(pod, "volumes") : yn_set(pod, "volumes", yn_seq());
			ynode *v = yn_push(vols, yn_map());
			yn_set(v, "name", yn_str("engine-configs"));
			if (configmap)
				yn_set(yn_set(v, "configMap", yn_map()), "name", yn_str(cm_name));
			else
				yn_set(v, "emptyDir", yn_map());
			ynode *mounts = yn_get(cont, "volumeMounts") ? yn_get(cont, "volumeMounts") : yn_set(cont, "volumeMounts", yn_seq());
			ynode *mnt = yn_push(mounts, yn_map());
			yn_set(mnt, "name", yn_str("engine-configs"));
			yn_set(mnt, "mountPath", yn_str(engine_dir));
			if (configmap)
				yn_set(mnt, "readOnly", yn_bool(true));
			/* TRT-LLM's workers exchange through /tmp: a memory-backed one, as the reference's */
			v = yn_push(vols, yn_map());
			yn_set(v, "name", yn_str("tmp"));
			ynode *ed = yn_set(v, "emptyDir", yn_map());
			yn_set(ed, "medium", yn_str("Memory"));
			yn_set(ed, "sizeLimit", yn_str("10Gi"));
			mnt = yn_push(mounts, yn_map());
			yn_set(mnt, "name", yn_str("tmp"));
			yn_set(mnt, "mountPath", yn_str("/tmp"));
		}
		if (trt && !configmap) {
			/* the engine options are written by the pod itself before the worker starts */
			ynode *eng = trtllm_engine(c, e);
			char *text = yaml_text(eng);
			yn_free(eng);
			membuf m;
			FILE *f = mem_open(&m);
			fprintf(f, "set -euo pipefail\nmkdir -p %s\ncat > %s <<'ENGINE_YAML'\n%sENGINE_YAML\nexec", engine_dir,
				engine_path, text);
			free(text);
			for (size_t k = 0; k < argv.n; k++) {
				fputc(' ', f);
				sh_word(f, argv.v[k]);
			}
			fputc('\n', f);
			char *script = mem_close(&m);
			ynode *cmd = yn_set(cont, "command", yn_seq());
			yn_push(cmd, yn_str("/bin/bash"));
			yn_push(cmd, yn_str("-c"));
			yn_push(yn_set(cont, "args", yn_seq()), yn_block(script));
			free(script);
		} else {
			ynode *cmd = yn_set(cont, "command", yn_seq());
			for (size_t k = 0; k < 3; k++)
				yn_push(cmd, yn_str(argv.v[k]));
			ynode *args = yn_set(cont, "args", yn_seq());
			for (size_t k = 3; k < argv.n; k++)
				yn_push(args, yn_str(argv.v[k]));
		}
		strlist_free(&argv);
		if (trt)
			probes(cont);
	}
	docs[nd++] = dgd;
	char *head = header(c, p, "k8s_deploy.yaml (kubectl apply -f k8s_deploy.yaml)");
	int rc = write_yaml(dir, "k8s_deploy.yaml", head, docs, nd, files, err, errlen);
	free(head);
	for (size_t i = 0; i < nd; i++)
		yn_free(docs[i]);
	return rc;
}

/* ---- benchmark ---- */

/* The concurrencies the benchmark runs: a fixed ladder and the estimate with 5 % either side. */
static size_t bench_levels(const deploy_pick *p, long *out)
{
	static const long base[] = {1, 2, 8, 16, 32, 64, 128};
	size_t n = 0;
	for (size_t i = 0; i < sizeof base / sizeof *base; i++)
		out[n++] = base[i];
	long e = p->estimated_concurrency;
	if (e > 0) {
		out[n++] = (long)(e * 0.95);
		out[n++] = e;
		out[n++] = (long)(e * 1.05);
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
			long t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (out[i] >= 1 && (m == 0 || out[m - 1] != out[i]))
			out[m++] = out[i];
	return m;
}

/* The aiperf loop over the concurrency levels; env-overridable defaults, as the reference's. */
static void bench_script(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, FILE *f, const char *url,
			 bool install)
{
	long lv[16];
	size_t n = bench_levels(p, lv);
	if (install)
		fputs("pip install aiperf\n", f);
	fputs("concurrency_array=(", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%ld", i ? " " : "", lv[i]);
	fputs(")\nif [[ -n \"${AICONFIGURATOR_BENCH_CONCURRENCY:-}\" ]]; then\n"
	      "  read -r -a concurrency_array <<< \"${AICONFIGURATOR_BENCH_CONCURRENCY}\"\nfi\n",
	      f);
	fputs("ARTIFACT_DIR=\"${BENCH_ARTIFACT_DIR:-/tmp/bench_artifacts}\"\n", f);
#define VAR(name, value)                                                       \
	do {                                                                   \
		fputs(name "=${AICONFIGURATOR_" name ":-", f);                 \
		sh_word(f, value);                                             \
		fputs("}\n", f);                                               \
	} while (0)
	char b[64];
	VAR("BENCH_MODEL", cfg_str(cfg, "BenchConfig.model", c->model_id));
	VAR("BENCH_TOKENIZER", cfg_str(cfg, "BenchConfig.tokenizer", c->model_id));
	VAR("BENCH_ENDPOINT_URL", url);
	snprintf(b, sizeof b, "%ld", c->isl);
	VAR("BENCH_ISL", b);
	snprintf(b, sizeof b, "%ld", cfg_long(cfg, "BenchConfig.isl_stddev", 0));
	VAR("BENCH_ISL_STDDEV", b);
	snprintf(b, sizeof b, "%ld", c->osl);
	VAR("BENCH_OSL", b);
	snprintf(b, sizeof b, "%ld", cfg_long(cfg, "BenchConfig.osl_stddev", 0));
	VAR("BENCH_OSL_STDDEV", b);
	snprintf(b, sizeof b, "%ld", c->prefix);
	VAR("BENCH_PREFIX", b);
	snprintf(b, sizeof b, "%ld", cfg_long(cfg, "BenchConfig.multi_round", 20));
	VAR("BENCH_MULTI_ROUND", b);
#undef VAR
	fputs("prefix_args=()\n"
	      "if [[ \"${BENCH_PREFIX}\" -gt 0 ]]; then\n"
	      "  prefix_args=(--prefix-prompt-length \"${BENCH_PREFIX}\" --num-prefix-prompts 1)\n"
	      "fi\n"
	      "for concurrency in \"${concurrency_array[@]}\"; do\n"
	      "  echo \"Run concurrency: $concurrency\"\n"
	      "  aiperf profile \\\n"
	      "    --artifact-dir \"${ARTIFACT_DIR}/concurrency_${concurrency}\" \\\n"
	      "    -m \"${BENCH_MODEL}\" \\\n"
	      "    --endpoint-type chat \\\n"
	      "    -u \"${BENCH_ENDPOINT_URL}\" \\\n"
	      "    --tokenizer \"${BENCH_TOKENIZER}\" \\\n"
	      "    --isl \"${BENCH_ISL}\" --isl-stddev \"${BENCH_ISL_STDDEV}\" \\\n"
	      "    --osl \"${BENCH_OSL}\" --osl-stddev \"${BENCH_OSL_STDDEV}\" \\\n"
	      "    \"${prefix_args[@]}\" \\\n"
	      "    --extra-inputs ignore_eos:true \\\n"
	      "    --extra-inputs '{\"nvext\":{\"ignore_eos\":true}}' \\\n"
	      "    --concurrency \"${concurrency}\" \\\n"
	      "    --num-requests $((concurrency * BENCH_MULTI_ROUND)) \\\n"
	      "    --warmup-request-count $((concurrency * 2)) \\\n"
	      "    --random-seed 100 \\\n"
	      "    --ui simple \\\n"
	      "    --streaming\n"
	      "done\n",
	      f);
}

static char *bench_text(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, const char *url, bool install)
{
	membuf m;
	FILE *f = mem_open(&m);
	bench_script(c, p, cfg, f, url, install);
	return mem_close(&m);
}

static void comment_lines(FILE *f, const char *text)
{
	for (const char *s = text; *s;) {
		size_t len = strcspn(s, "\n");
		fprintf(f, "# %.*s\n", (int)len, s);
		s += len;
		if (*s)
			s++;
	}
}

static int write_bench_run(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, const char *dir,
			   strlist *files, char *err, size_t errlen)
{
	char path[4096], url[600];
	FILE *f;
	if (open_out(dir, "bench_run.sh", &f, path, sizeof path, err, errlen))
		return -1;
	snprintf(url, sizeof url, "http://%s:%ld", cfg_str(cfg, "ServiceConfig.head_node_ip", "0.0.0.0"),
		 cfg_long(cfg, "ServiceConfig.port", 8000));
	char *head = header(c, p, "bench_run.sh (aiperf against the running frontend)");
	fputs("#!/bin/bash\n", f);
	comment_lines(f, head);
	free(head);
	fputs("set -euo pipefail\n", f);
	bench_script(c, p, cfg, f, url, false);
	if (close_out(f, path, true, err, errlen))
		return -1;
	return add_file(files, "bench_run.sh");
}

static int write_k8s_bench(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, const char *dir,
			   strlist *files, char *err, size_t errlen)
{
	ynode *job = yn_map();
	yn_set(job, "apiVersion", yn_str("batch/v1"));
	yn_set(job, "kind", yn_str("Job"));
	ynode *meta = yn_set(job, "metadata", yn_map());
	yn_set(meta, "name", yn_str(cfg_str(cfg, "BenchConfig.name", "dynamo-benchmark")));
	yn_set(meta, "namespace", yn_str(cfg_str(cfg, "K8sConfig.k8s_namespace", "dynamo")));
	ynode *spec = yn_set(job, "spec", yn_map());
	yn_set(spec, "backoffLimit", yn_int(0));
	ynode *tmpl = yn_set(spec, "template", yn_map());
	yn_set(yn_set(tmpl, "metadata", yn_map()), "name", yn_str(cfg_str(cfg, "BenchConfig.name", "dynamo-benchmark")));
	ynode *pspec = yn_set(tmpl, "spec", yn_map());
	yn_set(pspec, "restartPolicy", yn_str("Never"));
	ynode *cont = yn_push(yn_set(pspec, "containers", yn_seq()), yn_map());
	yn_set(cont, "name", yn_str("aiperf"));
	yn_set(cont, "image", yn_str(cfg_str(cfg, "BenchConfig.image", "python:3.12-slim")));
	ynode *env = yn_set(cont, "env", yn_seq());
	add_env(env, "AIPERF_SERVICE_PROFILE_START_TIMEOUT",
		yn_get(yn_get(cfg, "BenchConfig"), "profile_start_timeout")->text);
	const char *pvc = cfg_str(cfg, "K8sConfig.k8s_pvc_name", "");
	if (*pvc) {
		const char *mount = cfg_str(cfg, "K8sConfig.k8s_pvc_mount_path", "/workspace/model_cache");
		char dirv[600];
		snprintf(dirv, sizeof dirv, "%s/bench_artifacts", mount);
		add_env(env, "BENCH_ARTIFACT_DIR", dirv);
		ynode *v = yn_push(yn_set(pspec, "volumes", yn_seq()), yn_map());
		yn_set(v, "name", yn_str("pvc"));
		yn_set(yn_set(v, "persistentVolumeClaim", yn_map()), "claimName", yn_str(pvc));
		ynode *mnt = yn_push(yn_set(cont, "volumeMounts", yn_seq()), yn_map());
		yn_set(mnt, "name", yn_str("pvc"));
		yn_set(mnt, "mountPath", yn_str(mount));
	}
	ynode *cmd = yn_set(cont, "command", yn_seq());
	yn_push(cmd, yn_str("/bin/bash"));
	yn_push(cmd, yn_str("-c"));
	char *script = bench_text(c, p, cfg, cfg_str(cfg, "BenchConfig.endpoint_url", ""), true);
	yn_push(yn_set(cont, "args", yn_seq()), yn_block(script));
	free(script);
	char *head = header(c, p, "k8s_bench.yaml (a Job running aiperf against the deployment's frontend)");
	int rc = write_yaml(dir, "k8s_bench.yaml", head, &job, 1, files, err, errlen);
	free(head);
	yn_free(job);
	return rc;
}

/* ---- local launch scripts ---- */

typedef struct node_plan {
	long workers[3];     /* by role */
	long used;
} node_plan;

/* Place workers on nodes greedily (first node with room), prefill and decode interleaved in
 * their ratio, as the reference's run-script generator does. Returns the node count. */
static size_t place(const deploy_pick *p, long gpn, node_plan *nodes, size_t cap)
{
	size_t n = 0;
	long left[2] = {p->roles[0].workers, p->nroles > 1 ? p->roles[1].workers : 0};
	long unit[2] = {1, 1};
	if (p->nroles > 1 && left[0] > 0 && left[1] > 0) {
		long a = left[0], b = left[1];
		while (b) {
			long t = a % b;
			a = b;
			b = t;
		}
		unit[0] = left[0] / a;
		unit[1] = left[1] / a;
	} else {
		unit[0] = left[0];
		unit[1] = left[1];
	}
	while (left[0] > 0 || left[1] > 0) {
		for (int r = 0; r < p->nroles; r++) {
			const deploy_engine *e = &p->roles[r];
			for (long k = 0; k < unit[r] && left[r] > 0; k++, left[r]--) {
				size_t i;
				for (i = 0; i < n; i++)
					if (nodes[i].used + e->gpus <= gpn)
						break;
				if (i == n) {
					if (n == cap)
						return n;
					memset(&nodes[n], 0, sizeof nodes[n]);
					n++;
				}
				nodes[i].workers[e->role]++;
				nodes[i].used += e->gpus;
			}
		}
	}
	return n;
}

static void sh_assign(FILE *f, const char *name, const char *value)
{
	fprintf(f, "export %s=\"${%s:-", name, name);
	/* inside double quotes a default may hold anything but ", \, $ and ` unescaped */
	for (const char *s = value; *s; s++) {
		if (strchr("\"\\$`", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
	fputs("}\"\n", f);
}

/* The KV-events endpoint of a worker on a shared node: its own port, base + offset + w. */
static void events_arg(FILE *f, const char *json, long offset)
{
	const char *colon = strstr(json, "tcp://*:");
	if (!colon) {
		sh_word(f, json);
		return;
	}
	colon += 8;
	long port = strtol(colon, NULL, 10);
	fputc('"', f);
	for (const char *s = json; s < colon; s++) {
		if (strchr("\"\\$`", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
	fprintf(f, "$((%ld + w))", port + offset);
	for (const char *s = colon + strspn(colon, "0123456789"); *s; s++) {
		if (strchr("\"\\$`", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_run_scripts(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, const char *dir,
			     strlist *files, char *err, size_t errlen)
{
	long gpn = cfg_long(cfg, "NodeConfig.num_gpus_per_node", 8);
	node_plan nodes[256];
	size_t nn = place(p, gpn, nodes, 256);
	for (size_t node = 0; node < nn; node++) {
		char name[64], path[4096];
		snprintf(name, sizeof name, "run_%zu.sh", node);
		FILE *f;
		if (open_out(dir, name, &f, path, sizeof path, err, errlen))
			return -1;
		char what[400];
		snprintf(what, sizeof what, "%s: node %zu of %zu (run each run_N.sh on its own node; run_0.sh is the head node)",
			 name, node, nn);
		char *head = header(c, p, what);
		fputs("#!/bin/bash\n", f);
		comment_lines(f, head);
		free(head);
		fputs("set -euo pipefail\n"
		      "HERE=$(cd \"$(dirname \"$0\")\" && pwd)\n"
		      "trap 'echo \"Cleaning up...\"; kill 0 2>/dev/null || true' EXIT INT TERM\n\n",
		      f);
		sh_assign(f, "MODEL_PATH", cfg_str(cfg, "ServiceConfig.model_path", c->model_id));
		sh_assign(f, "SERVED_MODEL_NAME", cfg_str(cfg, "ServiceConfig.served_model_name", c->model_id));
		sh_assign(f, "HF_TOKEN", cfg_str(cfg, "ServiceConfig.hf_token", ""));
		sh_assign(f, "HEAD_NODE_IP", cfg_str(cfg, "ServiceConfig.head_node_ip", "0.0.0.0"));
		fputs("export ETCD_ENDPOINTS=\"${ETCD_ENDPOINTS:-${HEAD_NODE_IP}:2379}\"\n"
		      "export NATS_SERVER=\"${NATS_SERVER:-nats://${HEAD_NODE_IP}:4222}\"\n",
		      f);
		if (p->enable_router && c->backend == BACKEND_VLLM)
			fputs("export PYTHONHASHSEED=0\n", f);
		fputc('\n', f);
		if (node == 0 && cfg_bool(cfg, "ServiceConfig.include_frontend", true)) {
			fprintf(f, "python3 -m dynamo.frontend --http-port %ld%s 2>&1 | sed 's/^/[frontend] /' &\n\n",
				cfg_long(cfg, "ServiceConfig.port", 8000), p->enable_router ? " --router-mode kv" : "");
		}
		long gpu_offset = 0;
		for (int r = 0; r < p->nroles; r++) {
			const deploy_engine *e = &p->roles[r];
			long count = nodes[node].workers[e->role];
			if (count == 0)
				continue;
			const char *rn = deploy_role_name(e->role);
			if (e->gpus > gpn)
				fprintf(f, "# a %s worker needs %ld GPUs, more than one node's %ld: start it with the\n"
					   "# backend's multi-node launcher (k8s_deploy.yaml's multinode, or sflow.yaml)\n",
					rn, e->gpus, gpn);
			char engine_path[300];
			snprintf(engine_path, sizeof engine_path, "$HERE/%s", engine_file_name(e->role));
			strlist argv = {0};
			deploy_worker_argv(c, p, cfg, e, engine_path, "$MODEL_PATH", 0, &argv);
			fprintf(f, "# %ld %s worker%s of %ld GPU%s\n", count, rn, count == 1 ? "" : "s", e->gpus,
				e->gpus == 1 ? "" : "s");
			fprintf(f, "for ((w = 0; w < %ld; w++)); do\n", count);
			fprintf(f, "  first=$((%ld + w * %ld))\n", gpu_offset, e->gpus);
			fprintf(f, "  gpus=$(seq -s, \"$first\" $((first + %ld)))\n", e->gpus - 1);
			/* each worker on a node needs its own ports */
			fprintf(f, "  CUDA_VISIBLE_DEVICES=$gpus DYN_SYSTEM_PORT=$((%ld + w))", 8081 + gpu_offset);
			if (c->backend == BACKEND_VLLM)
				fprintf(f, " VLLM_NIXL_SIDE_CHANNEL_PORT=$((%ld + w))", 20097 + gpu_offset);
			fputs(" \\\n    ", f);
			for (size_t k = 0; k < argv.n; k++) {
				const char *a = argv.v[k];
				if (k)
					fputc(' ', f);
				if (strcmp(a, "$MODEL_PATH") == 0)
					fputs("\"$MODEL_PATH\"", f);
				else if (k > 0 && strcmp(argv.v[k - 1], "--served-model-name") == 0)
					fputs("\"$SERVED_MODEL_NAME\"", f);
				else if (strncmp(a, "$HERE/", 6) == 0)
					fprintf(f, "\"%s\"", a);
				else if (k > 0 && strcmp(argv.v[k - 1], "--disaggregation-bootstrap-port") == 0)
					fprintf(f, "$((%ld + w))", 12345 + gpu_offset);
				else if (k > 0 && strcmp(argv.v[k - 1], "--kv-events-config") == 0)
					events_arg(f, a, gpu_offset);
				else
					sh_word(f, a);
			}
			fprintf(f, " \\\n    2>&1 | sed \"s/^/[%s $w] /\" &\ndone\n\n", rn);
			strlist_free(&argv);
			gpu_offset += count * e->gpus;
		}
		fputs("wait\n", f);
		if (close_out(f, path, true, err, errlen))
			return -1;
		add_file(files, name);
	}
	return 0;
}

/* vLLM and SGLang: the engine arguments of each role, one per line (mapfile -t ARGS < FILE). */
static int write_args_files(const deploy_ctx *c, const deploy_pick *p, const char *dir, strlist *files, char *err,
			    size_t errlen)
{
	for (int i = 0; i < p->nroles; i++) {
		char path[4096];
		FILE *f;
		const char *name = args_file_name(p->roles[i].role);
		if (open_out(dir, name, &f, path, sizeof path, err, errlen))
			return -1;
		strlist a = {0};
		deploy_engine_args(c, p, &p->roles[i], &a);
		for (size_t k = 0; k < a.n; k++)
			fprintf(f, "%s\n", a.v[k]);
		strlist_free(&a);
		if (close_out(f, path, false, err, errlen))
			return -1;
		add_file(files, name);
	}
	return 0;
}

/* ---- SLURM (nv-sflow workflow, as the reference's sflow.yaml) ---- */

static void sflow_var(ynode *vars, const char *name, const char *desc, ynode *value, bool integer)
{
	ynode *v = yn_set(vars, name, yn_map());
	yn_set(v, "description", yn_str(desc));
	if (integer)
		yn_set(v, "type", yn_str("integer"));
	yn_set(v, "value", value);
}

static ynode *sflow_task(ynode *tasks, const char *name, const char *op)
{
	ynode *t = yn_push(tasks, yn_map());
	yn_set(t, "name", yn_str(name));
	yn_set(t, "operator", yn_str(op));
	return t;
}

static void on_head_node(ynode *t)
{
	yn_push(yn_set(yn_set(yn_set(t, "resources", yn_map()), "nodes", yn_map()), "indices", yn_flow_seq()), yn_int(0));
}

static void tcp_probe(ynode *t, long port, long timeout)
{
	ynode *r = yn_set(yn_set(t, "probes", yn_map()), "readiness", yn_map());
	yn_set(yn_set(r, "tcp_port", yn_map()), "port", yn_int(port));
	yn_set(r, "timeout", yn_int(timeout));
	yn_set(r, "interval", yn_int(2));
}

static int write_sflow(const deploy_ctx *c, const deploy_pick *p, const ynode *cfg, const char *dir, strlist *files,
		       char *err, size_t errlen)
{
	static const char *const prefix[] = {"AGG", "CTX", "GEN"};
	long gpn = cfg_long(cfg, "NodeConfig.num_gpus_per_node", 8);
	long nodes = (p->gpus_used + gpn - 1) / gpn;
	if (nodes < 1)
		nodes = 1;
	bool trt = c->backend == BACKEND_TRTLLM;
	const char *op = trt ? "dynamo_trtllm" : c->backend == BACKEND_VLLM ? "dynamo_vllm" : "dynamo_sglang";
	ynode *doc = yn_map();
	yn_set(doc, "version", yn_str("0.1"));
	ynode *vars = yn_set(doc, "variables", yn_map());
	sflow_var(vars, "SLURM_ACCOUNT", "SLURM account", yn_str(cfg_str(cfg, "SlurmConfig.slurm_account", "")), false);
	sflow_var(vars, "SLURM_PARTITION", "SLURM partition", yn_str(cfg_str(cfg, "SlurmConfig.slurm_partition", "")), false);
	sflow_var(vars, "SLURM_TIMELIMIT", "SLURM time limit (minutes)", yn_int(cfg_long(cfg, "SlurmConfig.slurm_timelimit", 120)), true);
	sflow_var(vars, "GPUS_PER_NODE", "GPUs per node", yn_int(gpn), true);
	sflow_var(vars, "SLURM_NODES", "Number of nodes", yn_int(nodes), true);
	sflow_var(vars, "SERVED_MODEL_NAME", "Served model name", yn_str(cfg_str(cfg, "ServiceConfig.served_model_name", "")), false);
	const char *model_path = cfg_str(cfg, "ServiceConfig.model_path", c->model_id);
	sflow_var(vars, "MODEL_NAME", "Model path", yn_str(model_path), false);
	char uri[1100];
	if (model_path[0] == '/')
		snprintf(uri, sizeof uri, "fs://%s", model_path);
	else if (strstr(model_path, "://"))
		snprintf(uri, sizeof uri, "%s", model_path);
	else
		snprintf(uri, sizeof uri, "hf://%s", model_path);
	sflow_var(vars, "LOCAL_MODEL_PATH", "Model artifact URI", yn_str(uri), false);
	sflow_var(vars, "EXTRA_FRONTEND_ARGS", "Extra frontend arguments", yn_str(cfg_str(cfg, "SlurmConfig.extra_frontend_args", "")), false);
	sflow_var(vars, "ISL", "Input sequence length", yn_int(c->isl), true);
	sflow_var(vars, "OSL", "Output sequence length", yn_int(c->osl), true);
	sflow_var(vars, "MULTI_ROUND", "Number of benchmark rounds", yn_int(cfg_long(cfg, "BenchConfig.multi_round", 20)), true);
	long conc = p->estimated_concurrency > 0 ? p->estimated_concurrency : 64;
	sflow_var(vars, "CONCURRENCY", "Concurrency", yn_int(conc), true);
	yn_push(yn_set(yn_get(vars, "CONCURRENCY"), "domain", yn_seq()), yn_int(conc));
	sflow_var(vars, "AIPERF_IMAGE", "AIPerf container image", yn_str(cfg_str(cfg, "SlurmConfig.aiperf_image", "")), false);
	sflow_var(vars, "DYNAMO_IMAGE", "Dynamo container image", yn_str(cfg_str(cfg, "SlurmConfig.dynamo_image", "")), false);
	for (int i = 0; i < p->nroles; i++) {
		const deploy_engine *e = &p->roles[i];
		char k[64], d[128];
		const char *px = prefix[e->role];
		const char *rn = deploy_role_name(e->role);
#define V(suffix, desc, val, integer)                                              \
	(snprintf(k, sizeof k, "%s_%s", px, suffix), snprintf(d, sizeof d, "%s %s", rn, desc), \
	 sflow_var(vars, k, d, val, integer))
		snprintf(k, sizeof k, "NUM_%s_SERVERS", px);
		snprintf(d, sizeof d, "Number of %s servers", rn);
		sflow_var(vars, k, d, yn_int(e->workers), true);
		V("TP_SIZE", "tensor parallel size", yn_int(e->engine_tp), true);
		V("PP_SIZE", "pipeline parallel size", yn_int(e->pp), true);
		V("DP_SIZE", "data parallel size", yn_int(e->dp), true);
		V("EP_SIZE", "expert parallel size", yn_int(e->moe_ep), true);
		V("GPUS_PER_SERVER", "GPUs per server", yn_int(e->gpus), true);
		V("BATCH_SIZE", "max batch size", yn_int(e->max_batch_size), true);
		V("EXTRA_ARGS", "extra server arguments", yn_str(""), false);
#undef V
	}
	ynode *arts = yn_set(doc, "artifacts", yn_seq());
	ynode *a = yn_push(arts, yn_map());
	yn_set(a, "name", yn_str("LOCAL_MODEL_PATH"));
	yn_set(a, "uri", yn_str("${{ variables.LOCAL_MODEL_PATH }}"));
	char url[300];
	snprintf(url, sizeof url, "http://${HEAD_NODE_IP}:%ld", cfg_long(cfg, "ServiceConfig.port", 8000));
	char *bench = bench_text(c, p, cfg, url, false);
	a = yn_push(arts, yn_map());
	yn_set(a, "name", yn_str("BENCH_RUN"));
	yn_set(a, "uri", yn_str("file://bench_run.sh"));
	yn_set(a, "content", yn_block(bench));
	free(bench);
	static const char *const art_name[] = {"AGG_CONFIG", "PREFILL_CONFIG", "DECODE_CONFIG"};
	if (trt)
		for (int i = 0; i < p->nroles; i++) {
			ynode *eng = trtllm_engine(c, &p->roles[i]);
			char *text = yaml_text(eng);
			yn_free(eng);
			a = yn_push(arts, yn_map());
			yn_set(a, "name", yn_str(art_name[p->roles[i].role]));
			yn_set(a, "uri", yn_strf("file://%s", engine_file_name(p->roles[i].role)));
			yn_set(a, "content", yn_block(text));
			free(text);
		}
	ynode *be = yn_push(yn_set(doc, "backends", yn_seq()), yn_map());
	yn_set(be, "name", yn_str("slurm_cluster"));
	yn_set(be, "type", yn_str("slurm"));
	yn_set(be, "default", yn_bool(true));
	yn_set(be, "time", yn_str("${{ variables.SLURM_TIMELIMIT }}"));
	yn_set(be, "nodes", yn_str("${{ variables.SLURM_NODES }}"));
	yn_set(be, "partition", yn_str("${{ variables.SLURM_PARTITION }}"));
	yn_set(be, "account", yn_str("${{ variables.SLURM_ACCOUNT }}"));
	yn_set(be, "gpus_per_node", yn_str("${{ variables.GPUS_PER_NODE }}"));
	ynode *ops = yn_set(doc, "operators", yn_seq());
	static const char *const opnames[2] = {NULL, "aiperf"};
	for (int i = 0; i < 2; i++) {
		ynode *o = yn_push(ops, yn_map());
		yn_set(o, "name", yn_str(i ? opnames[1] : op));
		yn_set(o, "type", yn_str("srun"));
		yn_set(o, "container_image", yn_str(i ? "${{ variables.AIPERF_IMAGE }}" : "${{ variables.DYNAMO_IMAGE }}"));
		yn_set(o, "container_writable", yn_bool(true));
		yn_set(o, "mpi", yn_str("pmix"));
	}
	ynode *wf = yn_set(doc, "workflow", yn_map());
	yn_set(wf, "name", yn_strf("dynamo_%s_%s", c->backend_name, c->disagg ? "disagg" : "agg"));
	yn_set(wf, "timeout", yn_str("115m"));
	ynode *wv = yn_set(wf, "variables", yn_map());
	sflow_var(wv, "HEAD_NODE_IP", "Head node IP (resolved after allocation)",
		  yn_str("${{ backends.slurm_cluster.nodes[0].ip_address }}"), false);
	sflow_var(wv, "ETCD_ENDPOINTS", "ETCD endpoints", yn_str("${{ backends.slurm_cluster.nodes[0].ip_address }}:2379"), false);
	sflow_var(wv, "NATS_SERVER", "NATS server URL", yn_str("nats://${{ backends.slurm_cluster.nodes[0].ip_address }}:4222"), false);
	ynode *tasks = yn_set(wf, "tasks", yn_seq());
	ynode *t = sflow_task(tasks, "nats_server", op);
	yn_push(yn_set(t, "script", yn_seq()), yn_str("nats-server -js"));
	on_head_node(t);
	tcp_probe(t, 4222, 60);
	t = sflow_task(tasks, "etcd_server", op);
	yn_push(yn_set(t, "script", yn_seq()),
		yn_str("etcd --listen-client-urls http://0.0.0.0:2379 --advertise-client-urls http://0.0.0.0:2379 --data-dir /tmp/etcd"));
	on_head_node(t);
	tcp_probe(t, 2379, 60);
	t = sflow_task(tasks, "frontend_server", op);
	yn_push(yn_set(t, "script", yn_seq()),
		yn_strf("python3 -m dynamo.frontend --http-port %ld%s ${{ variables.EXTRA_FRONTEND_ARGS }}",
			cfg_long(cfg, "ServiceConfig.port", 8000), p->enable_router ? " --router-mode kv" : ""));
	on_head_node(t);
	tcp_probe(t, cfg_long(cfg, "ServiceConfig.port", 8000), 120);
	ynode *deps = yn_set(t, "depends_on", yn_seq());
	yn_push(deps, yn_str("nats_server"));
	yn_push(deps, yn_str("etcd_server"));
	for (int i = 0; i < p->nroles; i++) {
		const deploy_engine *e = &p->roles[i];
		char tname[64];
		snprintf(tname, sizeof tname, "%s_server", deploy_role_name(e->role));
		t = yn_push(tasks, yn_map());
		yn_set(t, "name", yn_str(tname));
		ynode *o = yn_set(t, "operator", yn_map());
		yn_set(o, "name", yn_str(op));
		if (trt) {
			/* TRT-LLM starts one MPI rank per GPU of the worker */
			yn_set(o, "ntasks", yn_int(e->gpus));
			yn_set(o, "ntasks_per_node", yn_int(e->gpus < gpn ? e->gpus : gpn));
		} else {
			yn_set(o, "ntasks_per_node", yn_int(1));
		}
		ynode *rep = yn_set(t, "replicas", yn_map());
		yn_set(rep, "count", yn_strf("${{ variables.NUM_%s_SERVERS }}", prefix[e->role]));
		yn_set(rep, "policy", yn_str("parallel"));
		char engine_path[80];
		snprintf(engine_path, sizeof engine_path, "${{ artifacts.%s.path }}", art_name[e->role]);
		strlist argv = {0};
		deploy_worker_argv(c, p, cfg, e, engine_path, "${{ artifacts.LOCAL_MODEL_PATH.path }}", 12345, &argv);
		membuf m;
		FILE *f = mem_open(&m);
		if (trt)
			fputs("trtllm-llmapi-launch ", f);
		for (size_t k = 0; k < argv.n; k++) {
			if (k)
				fputc(' ', f);
			const char *s = argv.v[k];
			if (strncmp(s, "${{", 3) == 0)
				fputs(s, f);
			else if (k > 0 && strcmp(argv.v[k - 1], "--disaggregation-bootstrap-port") == 0)
				fputs("$((12345 + SLURM_PROCID))", f);
			else
				sh_word(f, s);
		}
		fprintf(f, " ${{ variables.%s_EXTRA_ARGS }}", prefix[e->role]);
		char *cmd = mem_close(&m);
		strlist_free(&argv);
		ynode *script = yn_set(t, "script", yn_seq());
		yn_push(script, yn_str("set -x"));
		yn_push(script, yn_str("echo \"Worker starting on ${CUDA_VISIBLE_DEVICES}\""));
		yn_push(script, yn_str(cmd));
		free(cmd);
		yn_set(yn_set(yn_set(t, "resources", yn_map()), "gpus", yn_map()), "count",
		       yn_strf("${{ variables.%s_GPUS_PER_SERVER }}", prefix[e->role]));
		yn_push(yn_set(t, "depends_on", yn_seq()), yn_str("frontend_server"));
		ynode *pr = yn_set(t, "probes", yn_map());
		ynode *ready = yn_set(pr, "readiness", yn_map());
		yn_set(yn_set(ready, "log_watch", yn_map()), "regex_pattern",
		       yn_str(trt ? "Setting PyTorch memory fraction" : c->backend == BACKEND_SGLANG ? "orker handler initialized" : "Worker starting"));
		yn_set(ready, "timeout", yn_int(600));
		yn_set(ready, "interval", yn_int(10));
		ynode *fail = yn_set(pr, "failure", yn_map());
		yn_set(yn_set(fail, "log_watch", yn_map()), "regex_pattern", yn_str("Traceback (most recent call last)"));
		yn_set(fail, "interval", yn_int(10));
	}
	t = yn_push(tasks, yn_map());
	yn_set(t, "name", yn_str("benchmark"));
	ynode *o = yn_set(t, "operator", yn_map());
	yn_set(o, "name", yn_str("aiperf"));
	yn_set(o, "ntasks", yn_int(1));
	ynode *script = yn_set(t, "script", yn_seq());
	yn_push(script, yn_str("set -x"));
	yn_push(script, yn_str("pip install aiperf"));
	yn_push(script, yn_str("export BENCH_ARTIFACT_DIR=${SFLOW_WORKFLOW_OUTPUT_DIR}/aiperf_concurrency_${CONCURRENCY}"));
	yn_push(script, yn_str("export AICONFIGURATOR_BENCH_CONCURRENCY=${CONCURRENCY}"));
	yn_push(script, yn_str("bash ${{ artifacts.BENCH_RUN.path }}"));
	yn_push(script, yn_str("echo \"Benchmarking finished\""));
	on_head_node(t);
	ynode *rep = yn_set(t, "replicas", yn_map());
	yn_push(yn_set(rep, "variables", yn_seq()), yn_str("CONCURRENCY"));
	yn_set(rep, "policy", yn_str("sequential"));
	deps = yn_set(t, "depends_on", yn_seq());
	for (int i = 0; i < p->nroles; i++)
		yn_push(deps, yn_strf("%s_server", deploy_role_name(p->roles[i].role)));
	yn_push(deps, yn_str("frontend_server"));
	char *head = header(c, p, "sflow.yaml (an nv-sflow workflow: sflow run sflow.yaml on a SLURM login node)");
	int rc = write_yaml(dir, "sflow.yaml", head, &doc, 1, files, err, errlen);
	free(head);
	yn_free(doc);
	return rc;
}

/* ---- per-op data sources ---- */

/* The pick's ops by step and name, with where each latency came from (silicon table, empirical
 * formula, or mixed), as the reference's per_ops_source.json. */
int deploy_write_sources(const cJSON *report, const char *dir, strlist *files, char *err, size_t errlen)
{
	const cJSON *ops = cJSON_GetObjectItemCaseSensitive(report, "ops");
	if (!cJSON_IsArray(ops))
		return 0;
	cJSON *out = cJSON_CreateObject();
	const cJSON *op;
	cJSON_ArrayForEach(op, ops)
	{
		const cJSON *step = cJSON_GetObjectItemCaseSensitive(op, "step");
		const cJSON *phase = cJSON_GetObjectItemCaseSensitive(op, "phase");
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(op, "name");
		const cJSON *src = cJSON_GetObjectItemCaseSensitive(op, "source");
		if (!cJSON_IsString(name) || !cJSON_IsString(src))
			continue;
		/* the reference's groups: an agg pick's mixed steps (their attention parts included)
		 * and its decode-only steps; a disagg pick's prefill and decode sides */
		char key[96], opname[160];
		const char *st = cJSON_IsString(step) ? step->valuestring : NULL;
		snprintf(opname, sizeof opname, "%s", name->valuestring);
		if (st && strncmp(st, "mix", 3) == 0) {
			snprintf(key, sizeof key, "mix_step");
			if (strcmp(st, "mix_ctx_attention") == 0)
				snprintf(opname, sizeof opname, "%s (scaled)", name->valuestring);
		} else if (st) {
			snprintf(key, sizeof key, "%s_step", st);
		} else {
			snprintf(key, sizeof key, "%s", cJSON_IsString(phase) ? phase->valuestring : "ops");
		}
		cJSON *group = cJSON_GetObjectItemCaseSensitive(out, key);
		if (!group)
			group = cJSON_AddObjectToObject(out, key);
		cJSON *have = cJSON_GetObjectItemCaseSensitive(group, opname);
		if (!have)
			cJSON_AddStringToObject(group, opname, src->valuestring);
		else if (strcmp(have->valuestring, src->valuestring) != 0)
			cJSON_ReplaceItemInObjectCaseSensitive(group, opname, cJSON_CreateString("mixed"));
	}
	char *text = cJSON_Print(out);
	cJSON_Delete(out);
	if (!text)
		die(EXIT_DATA, "out of memory");
	char path[4096];
	FILE *f;
	int rc = open_out(dir, "per_ops_source.json", &f, path, sizeof path, err, errlen);
	if (rc == 0) {
		fprintf(f, "%s\n", text);
		rc = close_out(f, path, false, err, errlen);
	}
	free(text);
	if (rc == 0)
		add_file(files, "per_ops_source.json");
	return rc;
}

/* ---- one pick ---- */

int deploy_write_pick(const deploy_ctx *c, const deploy_pick *p, const char *dir, strlist *files, char *err,
		      size_t errlen)
{
	ynode *cfg = deploy_config(c, p);
	int rc = 0;
	char *head = header(c, p, "generator_config.yaml (the resolved settings every other file was written from)");
	rc = write_yaml(dir, "generator_config.yaml", head, &cfg, 1, files, err, errlen);
	free(head);
	if (rc == 0 && c->backend == BACKEND_TRTLLM) {
		for (int i = 0; i < p->nroles && rc == 0; i++) {
			ynode *eng = trtllm_engine(c, &p->roles[i]);
			char what[160];
			snprintf(what, sizeof what, "%s (TensorRT-LLM LLM API options: --extra-engine-args)",
				 engine_file_name(p->roles[i].role));
			head = header(c, p, what);
			rc = write_yaml(dir, engine_file_name(p->roles[i].role), head, &eng, 1, files, err, errlen);
			free(head);
			yn_free(eng);
		}
	} else if (rc == 0) {
		rc = write_args_files(c, p, dir, files, err, errlen);
	}
	if (rc == 0 && (c->targets & TARGET_K8S))
		rc = write_k8s(c, p, cfg, dir, files, err, errlen);
	if (rc == 0 && (c->targets & TARGET_K8S))
		rc = write_k8s_bench(c, p, cfg, dir, files, err, errlen);
	if (rc == 0 && (c->targets & TARGET_LOCAL))
		rc = write_run_scripts(c, p, cfg, dir, files, err, errlen);
	if (rc == 0 && (c->targets & (TARGET_LOCAL | TARGET_SLURM)))
		rc = write_bench_run(c, p, cfg, dir, files, err, errlen);
	if (rc == 0 && (c->targets & TARGET_SLURM))
		rc = write_sflow(c, p, cfg, dir, files, err, errlen);
	yn_free(cfg);
	return rc;
}

/* ---- exp_config.yaml ---- */

static ynode *flow_list(const long *v, size_t n)
{
	ynode *s = yn_flow_seq();
	for (size_t i = 0; i < n; i++)
		yn_push(s, yn_int(v[i]));
	return s;
}

int deploy_write_exp(const deploy_ctx *c, const char *version, const char *path, char *err, size_t errlen)
{
	const char *mode = c->disagg ? "disagg" : "agg";
	char ttft[40], tpot[40], name[1400];
	py_float_repr(c->ttft, ttft, sizeof ttft);
	py_float_repr(c->tpot, tpot, sizeof tpot);
	/* the reference names the experiment after its parameters */
	if (c->disagg)
		snprintf(name, sizeof name, "%s_%s_%s_%s_%s_%s_%ld_%ld_%ld_%s_%s", mode, c->model_dir, c->system, c->system,
			 c->backend_name, version, c->isl, c->osl, c->prefix, ttft, tpot);
	else
		snprintf(name, sizeof name, "%s_%s_%s_%s_%s_%ld_%ld_%ld_%s_%s", mode, c->model_dir, c->system,
			 c->backend_name, version, c->isl, c->osl, c->prefix, ttft, tpot);
	ynode *doc = yn_map();
	ynode *e = yn_set(doc, name, yn_map());
	yn_set(e, "mode", yn_str("patch"));
	yn_set(e, "serving_mode", yn_str(mode));
	yn_set(e, "model_path", yn_str(c->model_dir));
	yn_set(e, "total_gpus", yn_int(c->total_gpus));
	yn_set(e, "system_name", yn_str(c->system));
	if (c->disagg)
		yn_set(e, "decode_system_name", yn_str(c->system));
	yn_set(e, "backend_name", yn_str(c->backend_name));
	yn_set(e, "backend_version", yn_str(version));
	yn_set(e, "isl", yn_int(c->isl));
	yn_set(e, "osl", yn_int(c->osl));
	yn_set(e, "prefix", yn_int(c->prefix));
	yn_set(e, "ttft", yn_num(c->ttft));
	yn_set(e, "tpot", yn_num(c->tpot));
	if (c->request_latency > 0)
		yn_set(e, "request_latency", yn_num(c->request_latency));
	yn_set(e, "enable_wideep", yn_bool(c->enable_wideep));
	yn_set(e, "profiles", yn_flow_seq());
	ynode *cf = yn_set(e, "config", yn_map());
	yn_set(cf, "nextn", yn_int(c->nextn));
	if (c->disagg) {
		ynode *adv = yn_set(cf, "advanced_tuning_config", yn_map());
		yn_set(adv, "prefill_latency_correction_scale", yn_num(1.1));
		yn_set(adv, "decode_latency_correction_scale", yn_num(1.08));
		yn_set(adv, "prefill_max_batch_size", yn_int(1));
		yn_set(adv, "decode_max_batch_size", yn_int(512));
		ynode *rep = yn_set(cf, "replica_config", yn_map());
		/* the reference's wide-EP search takes any replica size up to 512 GPUs */
		long cap = c->enable_wideep ? 512 : 128;
		yn_set(rep, "max_gpu_per_replica", yn_int(c->total_gpus < cap ? c->total_gpus : cap));
		yn_set(rep, "max_prefill_worker", yn_int(32));
		yn_set(rep, "max_decode_worker", yn_int(32));
		static const long sizes[] = {1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120, 128};
		yn_set(rep, "num_gpu_per_replica",
		       c->enable_wideep ? yn_null() : flow_list(sizes, sizeof sizes / sizeof *sizes));
	}
	char head[512];
	snprintf(head, sizeof head,
		 "exp_config.yaml: the %s search of `default` as an experiment of the reference's `exp` format\n"
		 "(mode: patch over the default task; written by infercast deploy). Re-run with: exp %s",
		 mode, "exp_config.yaml");
	int rc = yn_write_file(path, head, &doc, 1, err, errlen);
	yn_free(doc);
	return rc;
}
