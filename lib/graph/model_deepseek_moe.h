/* model_deepseek_moe: the expert block and tail the DeepSeek families share (DEEPSEEK / KIMIK25,
 * DEEPSEEKV32, DEEPSEEKV4): a shared expert (gate and up fused into one GEMM) beside the routed
 * experts (router, dispatch, experts, combine), then the logits GEMM, and the hand-offs between
 * pipeline stages. Prefill runs the shared and routed paths one after the other; decode overlaps
 * them on two streams (an OverlapOp). Op order and names are the reference's. */
#ifndef INFERCAST_MODEL_DEEPSEEK_MOE_H
#define INFERCAST_MODEL_DEEPSEEK_MOE_H

#include "model_moe.h"
#include "opgraph.h"

typedef struct ds_moe_block {
	long h;                    /* hidden size */
	long gate_up, inter;       /* the shared expert's fused gate/up width and its width, per GPU */
	long num_experts, vocab;   /* the router's width; the logits GEMM's per GPU */
	const og_moe_shape *moe;
	const quant_mode *gemm, *bf16, *moe_q;
	const char *workload;      /* the routed experts' workload distribution */
} ds_moe_block;

/* The DeepSeek classes' checks on construction: attention width tp x dp equals moe_tp x moe_ep,
 * and no more expert ranks than experts. -1 with err when not. */
int ds_moe_layout_check(const og_config *cfg, char *err, size_t errn);

/* Context: the shared expert, then the routed path, over `layers`; the logits GEMM once. */
void ds_context_moe(og_graph *g, const ds_moe_block *b, double layers);
/* Generation: the two paths overlapped over `per_layer`; the logits GEMM mtp times. */
void ds_generation_moe(og_graph *g, const ds_moe_block *b, double per_layer, double mtp);
/* Generation's MLA batched GEMM (MLABmm) before (pre) or after the attention, over `heads`
 * heads: the regular and the wide-EP DeepSeek models both run it. */
void ds_mla_bmm(og_graph *g, const char *name, double sf, long heads, const quant_mode *q, bool pre);
/* The pp − 1 hand-offs of each phase (generation's stand for the MTP draft steps too). */
void ds_pipeline_hops(og_graph *g, long pp, long h, double mtp);

#endif
