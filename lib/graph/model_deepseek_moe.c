#include "model_deepseek_moe.h"
#include "diag.h"

#include "opgraph_composite.h"

/* The shared expert's three ops in phase ph. */
static void shared_expert(og_graph *g, og_phase ph, const char *const names[3], const ds_moe_block *b, double sf)
{
	og_add_gemm(g, ph, names[0], sf, b->gate_up, b->h, b->gemm, false);
	og_add_elementwise(g, ph, names[1], sf, b->gate_up, b->inter, 0.8);
	og_add_gemm(g, ph, names[2], sf, b->h, b->inter, b->gemm, false);
}

void ds_context_moe(og_graph *g, const ds_moe_block *b, double layers)
{
	static const char *const shared[3] = {"context_shared_gate_up_gemm", "context_shared_act_gate",
					      "context_shared_ffn2_gemm"};
	shared_expert(g, OG_CONTEXT, shared, b, layers); /* no overlap in prefill */
	og_add_gemm(g, OG_CONTEXT, "context_router_gemm", layers, b->num_experts, b->h, b->bf16, false);
	og_add_moe_dispatch(g, OG_CONTEXT, "context_moe_pre_dispatch", layers, b->moe, true, b->moe_q);
	og_add_moe(g, OG_CONTEXT, "context_moe", layers, b->moe, b->moe_q, b->workload, true, true);
	og_add_moe_dispatch(g, OG_CONTEXT, "context_moe_post_dispatch", layers, b->moe, false, b->moe_q);
	og_add_gemm(g, OG_CONTEXT, "context_logits_gemm", 1, b->vocab, b->h, b->bf16, false);
}

void ds_generation_moe(og_graph *g, const ds_moe_block *b, double per_layer, double mtp)
{
	static const char *const shared_names[3] = {"generation_shared_gate_up_gemm", "generation_shared_act_gate",
						    "generation_shared_ffn2_gemm"};
	og_graph routed = { 0 }, shared = { 0 };
	shared_expert(&shared, OG_GENERATION, shared_names, b, per_layer);
	og_add_gemm(&routed, OG_GENERATION, "generation_router_gemm", per_layer, b->num_experts, b->h, b->bf16, false);
	og_add_moe_dispatch(&routed, OG_GENERATION, "generation_moe_pre_dispatch", per_layer, b->moe, true, b->moe_q);
	og_add_moe(&routed, OG_GENERATION, "generation_moe", per_layer, b->moe, b->moe_q, b->workload, false, true);
	og_add_moe_dispatch(&routed, OG_GENERATION, "generation_moe_post_dispatch", per_layer, b->moe, false,
			    b->moe_q);
	/* decode runs the shared expert on a second stream, alongside the routed path */
	og_add_overlap(g, OG_GENERATION, "generation_moe_overlap", &routed, &shared);
	og_add_gemm(g, OG_GENERATION, "generation_logits_gemm", 1 * mtp, b->vocab, b->h, b->bf16, false);
}

void ds_pipeline_hops(og_graph *g, long pp, long h, double mtp)
{
	double hops = (double)(pp - 1);
	og_add_p2p(g, OG_CONTEXT, "context_p2p", hops, h, pp);
	og_add_p2p(g, OG_GENERATION, "generation_p2p", hops * mtp, h, pp);
}

int ds_moe_layout_check(const og_config *cfg, char *err, size_t errn)
{
	const og_runtime *rt = &cfg->rt;
	if (rt->tp * rt->dp != rt->moe_tp * rt->moe_ep)
		return diag_errf(err, errn, "tp (%ld) * attention dp (%ld) must equal moe_tp (%ld) * moe_ep (%ld)", rt->tp,
				 rt->dp, rt->moe_tp, rt->moe_ep);
	if (cfg->model.num_experts < rt->moe_ep)
		return diag_errf(err, errn, "moe_ep %ld cannot exceed the %ld experts", rt->moe_ep, cfg->model.num_experts);
	return 0;
}

void ds_mla_bmm(og_graph *g, const char *name, double sf, long heads, const quant_mode *q, bool pre)
{
	og_op *op = og_push_op(g, OG_GENERATION, name, "MLABmm", sf, 0.0);
	cJSON_AddNumberToObject(op->attrs, "num_heads", (double)heads);
	cJSON_AddNumberToObject(op->attrs, "weights", 0.0);
	cJSON_AddStringToObject(op->attrs, "quant_mode", q->name);
	cJSON_AddBoolToObject(op->attrs, "if_pre", pre);
}
