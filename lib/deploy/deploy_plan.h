/* deploy_plan: from one row of best_config_topn.csv (a pick of `default`) to the deployment that
 * runs it: how many workers of which layout, and the engine settings of each role (agg, prefill,
 * decode) for the backend, as the reference's generator derives them (module_bridge, its rule
 * plugins and backend templates), with the fixes docs/deploy.md lists. The pinned versions the
 * files target are here too. */
#ifndef INFERCAST_DEPLOY_PLAN_H
#define INFERCAST_DEPLOY_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "csvtab.h"
#include "deploy_yaml.h"

/* The releases the generated files target (the reference's default: the first entry of its
 * backend_version_matrix.yaml). */
#define DEPLOY_DYNAMO_VERSION "1.2.0"
#define DEPLOY_TRTLLM_VERSION "1.3.0rc14"
#define DEPLOY_VLLM_VERSION "0.20.1"
#define DEPLOY_SGLANG_VERSION "0.5.11"

typedef enum { BACKEND_TRTLLM, BACKEND_VLLM, BACKEND_SGLANG } deploy_backend;
typedef enum { ROLE_AGG, ROLE_PREFILL, ROLE_DECODE } deploy_role;

/* Where the files go: a list given with --deployment-target. */
enum { TARGET_K8S = 1, TARGET_SLURM = 2, TARGET_LOCAL = 4 };

/* What the whole run shares: the `default` command's parameters and the overrides. */
typedef struct deploy_ctx {
	deploy_backend backend;
	const char *backend_name;   /* "trtllm", "vllm", "sglang" */
	bool disagg;                /* the CSV's columns say which */
	const char *model_dir;      /* --model: the folder `default` read */
	char model_id[512];         /* the model's id (Qwen/Qwen3-32B), from the model folder */
	bool is_moe;
	long nextn;                 /* MTP draft tokens: 0 for none */
	bool enable_wideep;         /* the search was the reference's wide-EP one (default --enable-wideep) */
	const char *system;
	long gpus_per_node;
	long total_gpus, isl, osl, prefix;
	double ttft, tpot;          /* the targets */
	double request_latency;     /* 0: none */
	int targets;                /* TARGET_* bits */
	ynode *overrides;           /* the --generator-set tree (ServiceConfig.port ...); owned */
} deploy_ctx;

/* One role's engine: the settings the rules give it, before they become flags or YAML. */
typedef struct deploy_engine {
	deploy_role role;
	long workers;               /* over all replicas */
	long gpus;                  /* GPUs per worker: tp x pp x dp of the pick */
	long tp, pp, dp, moe_tp, moe_ep;  /* the pick's layout (the CSV's) */
	long bs;                    /* the pick's batch size */
	long engine_tp;             /* the backend's tensor-parallel size (TRT-LLM and SGLang MoE: moe_tp x moe_ep) */
	bool attention_dp;          /* dp > 1 on a MoE model */
	long max_batch_size;
	long max_num_tokens;        /* 0: not set */
	long max_seq_len;           /* 0: not set */
	long max_prefill_tokens;    /* SGLang: 0 when not set */
	long tokens_per_block;      /* 0: not set */
	long cache_transceiver_tokens;  /* TRT-LLM disagg: 0 when not set */
	long *cuda_graph_sizes;     /* sorted, distinct; NULL when not set */
	size_t n_cuda_graph_sizes;
	bool cuda_graph_padding;
	bool disable_overlap;
	bool mixed_chunk;           /* SGLang agg */
	double kv_fraction;         /* TRT-LLM free_gpu_memory_fraction; vLLM/SGLang: 0 when not set */
	char kv_dtype[32];          /* as the backend spells it: "auto", "fp8", "fp8_e4m3" */
	char gemm[32], kvcache[32], fmha[32], moe[32], comm[32];  /* the pick's quant modes */
	char parallel[64];          /* the pick's layout name, e.g. tp4pp1dp1etp1ep1 */
	double memory_gib;
} deploy_engine;

/* One pick: its rank, its predicted numbers and its engines. */
typedef struct deploy_pick {
	int rank;                   /* 1-based: topN */
	long replicas;              /* copies of the pick's layout that fit --total-gpus */
	long gpus;                  /* the pick's own GPU count (num_total_gpus) */
	long gpus_used;             /* replicas x gpus */
	double ttft, tpot, request_latency, tokens_s_gpu, tokens_s_user, tokens_s_gpu_cluster, seq_s;
	long concurrency;           /* the pick's concurrency (per replica) */
	long ctx_tokens;            /* agg: the context-token budget priced; 0 otherwise */
	char model_column[512];     /* the CSV's model column */
	char version[64];           /* the perf data version the pick was priced with */
	int nroles;
	deploy_engine roles[2];     /* agg; or prefill, decode */
	bool enable_router;         /* prefix > 0 (the reference's rule) or DynConfig.enable_router */
	long estimated_concurrency; /* the benchmark's centre: workers x batch of the agg/decode role */
} deploy_pick;

/* Read one CSV row (line `row` of t) into p. -1 with "FILE:LINE: what" in err on a missing or
 * bad column. */
int deploy_pick_read(const deploy_ctx *c, const csvtab *t, size_t row, deploy_pick *p, char *err, size_t errlen);
void deploy_pick_free(deploy_pick *p);

/* True when the CSV is a disagg table (it has (p)tp); -1 when it is neither kind. */
int deploy_csv_is_disagg(const csvtab *t);

/* --generator-set keys: each has a type, so that a value is never read as another type
 * ("K8sConfig.k8s_namespace=on" stays the string "on"). */
typedef enum { KEY_STR, KEY_INT, KEY_NUM, KEY_BOOL } deploy_key_type;
/* The type of a settable key, or -1 when the key is unknown (Workers.<role>.<setting> included). */
int deploy_key_type_of(const char *key);
/* Parse one KEY=VALUE into the overrides tree, typed by the key. -1 with a message on an unknown
 * key, a bad value or a missing '='. */
int deploy_override(ynode *overrides, const char *assignment, char *err, size_t errlen);
/* The keys --generator-set takes, one per line with its type and default, for --help-keys. */
void deploy_keys_print(FILE *out);

/* The generator's resolved configuration for a pick: every settable key with its default or
 * its override, the workers and engine settings of each role, the SLA and the prediction. It is
 * written as generator_config.yaml and every writer reads its settings from it. Caller frees. */
ynode *deploy_config(const deploy_ctx *c, const deploy_pick *p);
/* Typed reads of a dotted key of the resolved configuration (def when absent or null). */
const char *cfg_str(const ynode *cfg, const char *dotted, const char *def);
long cfg_long(const ynode *cfg, const char *dotted, long def);
bool cfg_bool(const ynode *cfg, const char *dotted, bool def);

/* Names of a role: "agg", "prefill", "decode". */
const char *deploy_role_name(deploy_role r);
/* The pinned version of the context's backend, and its display name ("TensorRT-LLM"). */
const char *deploy_backend_version(const deploy_ctx *c);
const char *deploy_backend_title(const deploy_ctx *c);

#endif
