/* opgraph: turns a model record and a runtime configuration into the reference's op lists,
 * the ops its model classes (sdk/models, one file per family) put in context_ops and generation_ops, with the
 * same names, op classes, attributes and scale factors, and the query points its backend
 * (_run_context_phase, _run_generation_phase) would evaluate them at.
 *
 * This is the graph's base layer: the model record, the runtime configuration, the op graph and
 * the op helpers (og_add_gemm, og_add_elementwise, ...) that fill in the attributes each
 * reference op class carries. The family builders (lib/model_<family>.c) build on it; choosing
 * a family's builder and resolving a configuration is lib/graph/opgraph_build's. */
#ifndef INFERCAST_OPGRAPH_H
#define INFERCAST_OPGRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <cjson/cJSON.h>

#include "opgraph_quant.h"

/* The model record (hfparse's copy of the reference's model_info). */
typedef struct og_model {
	const char *architecture;
	const char *family;       /* LLAMA, MOE, DEEPSEEK, ... */
	const char *path;         /* model path or name, for reports (may be NULL) */
	long layers, n, n_kv, d, hidden_size, inter_size, vocab, context;
	long topk, num_experts, moe_inter_size;
	const cJSON *extra_params; /* family-specific, may be NULL */
	bool use_qk_norm;
	long weight_block_size;    /* quant.weight_block_size (128 when absent): fp8_block expert alignment */
	/* Quant modes the checkpoint itself declares (NULL: not declared). */
	const char *quant[QUANT_KIND_COUNT];
} og_model;

enum { OG_MAX_NEXTN = 5 };

/* What the user asked for: the reference's ModelConfig and RuntimeConfig. */
typedef struct og_runtime {
	const char *system, *backend, *version, *mode; /* version NULL: newest; mode static|static_ctx|static_gen */
	long tp, pp, dp, moe_tp, moe_ep;                /* moe_tp/moe_ep 0: not given */
	long batch, isl, osl, prefix, nextn, stride, beam;
	const char *quant[QUANT_KIND_COUNT];            /* user overrides, NULL: from the model */
	double nextn_accept_rates[OG_MAX_NEXTN];
	double seq_imbalance_correction_scale, gen_seq_imbalance_correction_scale;
	long image_height, image_width, num_images;     /* vision models' images per request (0 x 0 pixels, 1 image) */
	bool point_runs;    /* op records give generation points as one run (opgraph --point-runs) */
	/* Wide expert parallelism (DEEPSEEK family; lib/graph/model_deepseek_wideep): the reference's
	 * enable_wideep (TRT-LLM) / moe_backend "deepep_moe" (SGLang), enable_eplb and
	 * wideep_num_slots (0: the number of experts). deepep: SGLang's moe_backend "deepep_moe"
	 * without enable_wideep (opgraph --moe-backend deepep_moe): the DeepEP model classes
	 * (DEEPSEEK: lib/graph/model_deepseek_wideep; MOE: lib/graph/model_sglang_ep_moe) while the
	 * search stays a regular one. */
	bool wideep, enable_eplb, deepep;
	long wideep_num_slots;
} og_runtime;

/* Whether v is a JSON number holding a whole value in [lo, hi] (bounds that keep casts to long
 * defined). */
bool og_json_whole(const cJSON *v, double lo, double hi);

/* Fills rt with the reference's defaults (pp=dp=1, beam=1, stride=32, prefix=0, mode static,
 * accept rates 0.85, 0.3, 0, 0, 0, correction scales 1). */
void og_runtime_defaults(og_runtime *rt);

/* A runtime configuration resolved against one model. */
typedef struct og_config {
	og_runtime rt;
	og_model model;
	const quant_mode *quant[QUANT_KIND_COUNT]; /* resolved modes */
	double mtp_scale_factor;                   /* generation ops' extra scale under MTP */
	long img_ctx_tokens;                       /* image tokens added to each request's input (vision models) */
} og_config;

/* OG_ENCODER: a vision encoder run before the context phase (lib/graph/model_qwen3vl). */
typedef enum og_phase { OG_CONTEXT, OG_GENERATION, OG_ENCODER, OG_PHASES } og_phase;

/* "context", "generation" or "encoder". */
const char *og_phase_name(og_phase phase);

/* The quant modes a builder prices its ops in: the configuration's, and bfloat16 for the ops the
 * reference keeps unquantized (routers, logits). */
typedef struct og_quants {
	const quant_mode *gemm, *kv, *fmha, *moe, *bf16;
} og_quants;
og_quants og_quants_of(const og_config *cfg);

/* One pass of a builder over a phase: its op-name prefix and the scale of its ops (the MTP
 * factor in generation, 1 in context). */
typedef struct og_pass {
	og_phase ph;
	bool ctx;
	const char *pre;
	double mtp;
} og_pass;
og_pass og_pass_of(const og_config *cfg, og_phase ph);

typedef struct og_op {
	char name[64];
	og_phase phase;
	const char *op_type;  /* the reference's op class name */
	double scale_factor;
	double weights;       /* the op's _weights in bytes (per layer); get_weights() = weights * scale_factor */
	cJSON *attrs;         /* owned */
	cJSON *inner;         /* composite ops (FallbackOp, OverlapOp): an object whose members are extra
			       * record keys holding the inner ops (lib/graph/opgraph_composite); NULL otherwise; owned */
} og_op;

typedef struct og_graph {
	og_op *ops;
	size_t n, cap;
} og_graph;

/* Reads a model record. Returns 0, or -1 with a message in err. */
int og_model_from_json(const cJSON *rec, og_model *m, char *err, size_t errn);

void og_graph_free(og_graph *g);

/* Σ over context ops of get_weights(), in op order, as _get_memory_usage sums them (before
 * dividing by pp). */
double og_context_weights(const og_graph *g);

/* Whether mode runs the phase. */
bool og_mode_runs(const char *mode, og_phase phase);

/* ---- helpers for the family builders (lib/model_*.c) ---- */
/* A new op at the end of g with empty attrs, for op classes without a helper here. */
og_op *og_push_op(og_graph *g, og_phase ph, const char *name, const char *type, double sf, double weights);
void og_add_gemm(og_graph *g, og_phase ph, const char *name, double sf, long n, long k,
		 const quant_mode *q, bool low_precision_input);
void og_add_elementwise(og_graph *g, og_phase ph, const char *name, double sf, long dim_in, long dim_out,
			double bw_scaling);
void og_add_embedding(og_graph *g, og_phase ph, const char *name, double sf, long rows, long cols,
		      double bw_scaling);
void og_add_context_attention(og_graph *g, const char *name, double sf, long n, long n_kv,
			      const quant_mode *kvcache, const quant_mode *fmha, long window_size,
			      long head_size, bool use_qk_norm);
void og_add_generation_attention(og_graph *g, const char *name, double sf, long n, long n_kv,
				 const quant_mode *kvcache, long window_size, long head_size, bool use_qk_norm);
void og_add_custom_allreduce(og_graph *g, og_phase ph, const char *name, double sf, long h, long tp);
void og_add_p2p(og_graph *g, og_phase ph, const char *name, double sf, long h, long pp);

/* The reference's calc_expectation: expected accepted draft tokens for nextn speculative tokens. */
double og_mtp_expectation(long nextn, const double *rates);

#endif
