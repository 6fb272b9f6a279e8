/* model_moe: the reference's MOE family (Mixtral, Qwen2/3-MoE, gpt-oss, MiniMax-M2, and the
 * Qwen3-VL-MoE text model), and the MoE op helpers every family with routed experts uses:
 * og_add_moe (the MoE op: expert GEMMs, weights per EP/TP rank) and og_add_moe_dispatch (the
 * MoEDispatch op: the communication before or after the experts). */
#ifndef INFERCAST_MODEL_MOE_H
#define INFERCAST_MODEL_MOE_H

#include <stdbool.h>
#include <stddef.h>

#include "opgraph.h"

/* The MoE layout one op sees. */
typedef struct og_moe_shape {
	long hidden, inter, topk, num_experts, moe_tp, moe_ep, attention_dp;
} og_moe_shape;

/* The shape attrs every MoE op class shares (num_slots > 0: TRT-LLM wide-EP's EPLB slots, after
 * num_experts; 0: none), in the reference's argument order. */
void og_add_moe_attrs(cJSON *a, const og_moe_shape *s, const quant_mode *q, long num_slots);
/* The shape attrs every dispatch op class shares (MoEDispatch, TrtLLMWideEPMoEDispatch). */
void og_add_dispatch_attrs(cJSON *a, const og_moe_shape *s);
/* The MoE op (attrs as the reference's MoE class: workload_distribution, is_context, is_gated,
 * moe_backend null, enable_eplb). */
void og_add_moe(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
		const quant_mode *q, const char *workload_distribution, bool is_context, bool is_gated);
/* The MoEDispatch op (pre_dispatch: before the experts; quant_mode may be NULL). */
void og_add_moe_dispatch(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
			 bool pre_dispatch, const quant_mode *q);

/* SGLang's DeepEP path (moe_backend "deepep_moe"): the MoEDispatch before the experts with
 * DeepEP's SMs (20), phase and token scale, and the MoE op reading the DeepEP expert tables. */
void og_add_deepep_dispatch(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
			    const quant_mode *q, long scale_num_tokens);
void og_add_deepep_moe(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
		       const quant_mode *q, const char *distribution, bool enable_eplb);
/* Whether rt asks for SGLang's DeepEP model classes: SGLang with --wideep (the reference's
 * enable_wideep implies moe_backend "deepep_moe") or --moe-backend deepep_moe. */
bool og_deepep(const og_runtime *rt);

/* The MOE family's attention half of a layer in phase ph: (gpt-oss: its windowed attention
 * first,) embedding of embedding_rows rows, norm, fused QKV GEMM, attention, output projection,
 * norm. */
void og_moe_attention_block(const og_config *cfg, og_graph *g, og_phase ph, long embedding_rows);
/* The layout checks of the MoE classes: attention width (tp x dp) equals expert width
 * (moe_tp x moe_ep), experts at least moe_ep. 0, or -1 with a message. */
int og_moe_width_check(const og_runtime *rt, long num_experts, char *err, size_t errn);

/* The checks the reference's MoE model classes make on construction (attention width equals
 * the expert width, experts at least moe_ep, fp8_block expert width per moe_tp a multiple of
 * the checkpoint's weight block). 0, or -1 with a message. */
int og_moe_check(const og_config *cfg, char *err, size_t errn);

#endif
