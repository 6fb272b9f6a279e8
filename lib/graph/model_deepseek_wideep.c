#include "model_deepseek_wideep.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hint.h"
#include "model_deepseek_moe.h"
#include "model_moe.h"
#include "opgraph_composite.h"

/* DeepSeek-V3's MLA widths, as the reference writes them into these models. */
enum {
	MLA_HEADS = 128,
	MLA_DOWN = 2112,   /* q rank 1536 + kv rank 512 + rope 64 */
	MLA_Q_RANK = 1536,
	MLA_Q_UP = 24576,  /* 128 heads × 192 */
	MLA_KV_RANK = 512,
	MLA_KV_UP = 32768, /* 128 heads × (128 + 128) */
	MLA_ROPE_KV = 576, /* kv rank 512 + rope 64: what decode writes to the cache */
};

bool model_deepseek_wideep_selected(const og_config *cfg)
{
	const og_runtime *rt = &cfg->rt;
	if (strcmp(cfg->model.family, "DEEPSEEK"))
		return false;
	return (rt->wideep && strcmp(rt->backend, "trtllm") == 0) || og_deepep(rt);
}

const char *model_wideep_unmodelled(const char *family, const char *backend)
{
	bool trtllm = strcmp(backend, "trtllm") == 0, sglang = strcmp(backend, "sglang") == 0;
	if (strcmp(family, "DEEPSEEKV32") == 0 && trtllm)
		return "TrtllmWideEPDeepSeekV32Model";
	if (strcmp(family, "DEEPSEEKV32") == 0 && sglang)
		return "WideEPDeepSeekV32Model";
	return NULL;
}

/* Python's float floor division. */
static double py_floordiv(double a, double b)
{
	double q = (a - fmod(a, b)) / b;
	return fmod(a, b) != 0 && (a < 0) != (b < 0) ? q - 1 : q;
}

static og_op *last(og_graph *g)
{
	return &g->ops[g->n - 1];
}

static void set_num(og_op *op, const char *key, double v)
{
	cJSON_ReplaceItemInObjectCaseSensitive(op->attrs, key, cJSON_CreateNumber(v));
}

static void add_nccl(og_graph *g, og_phase ph, const char *name, double sf, const char *nccl_op, long per_token,
		     long gpus)
{
	og_op *op = og_push_op(g, ph, name, "NCCL", sf, 0.0);
	cJSON_AddStringToObject(op->attrs, "nccl_op", nccl_op);
	cJSON_AddNumberToObject(op->attrs, "num_elements_per_token", (double)per_token);
	cJSON_AddNumberToObject(op->attrs, "num_gpus", (double)gpus);
	cJSON_AddStringToObject(op->attrs, "comm_quant_mode", "half");
	cJSON_AddNumberToObject(op->attrs, "weights", 0.0);
}

/* ---- TRT-LLM ---- */

static void add_wideep_moe(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
			   const quant_mode *q, const char *distribution, long slots)
{
	/* gate, up and down of every expert (not slot), per EP rank and TP slice */
	double weights = py_floordiv(py_floordiv((double)s->hidden * (double)s->inter * (double)s->num_experts *
							 q->memory * 3,
						 (double)s->moe_ep),
				     (double)s->moe_tp);
	og_op *op = og_push_op(g, ph, name, "TrtLLMWideEPMoE", sf, weights);
	cJSON *a = op->attrs;
	og_add_moe_attrs(a, s, q, slots);
	cJSON_AddStringToObject(a, "workload_distribution", distribution);
	cJSON_AddBoolToObject(a, "is_gated", true);
	cJSON_AddNumberToObject(a, "weights", weights);
}

static void add_alltoall(og_graph *g, og_phase ph, const char *name, double sf, const og_moe_shape *s,
			 bool pre_dispatch, const quant_mode *q, bool low_precision_combine)
{
	og_op *op = og_push_op(g, ph, name, "TrtLLMWideEPMoEDispatch", sf, 0.0);
	cJSON *a = op->attrs;
	og_add_dispatch_attrs(a, s);
	cJSON_AddBoolToObject(a, "pre_dispatch", pre_dispatch);
	cJSON_AddStringToObject(a, "quant_mode", q->name);
	cJSON_AddBoolToObject(a, "use_low_precision_combine", low_precision_combine);
	cJSON_AddNullToObject(a, "node_num");
	cJSON_AddNumberToObject(a, "weights", 0.0);
	cJSON_AddNumberToObject(a, "num_gpus", (double)(s->moe_ep * s->moe_tp));
}

static void add_mla_kernel(og_graph *g, og_phase ph, const char *name, double sf, long heads, const quant_mode *kv,
			   const quant_mode *fmha)
{
	og_op *op = og_push_op(g, ph, name, ph == OG_CONTEXT ? "ContextMLA" : "GenerationMLA", sf, 0.0);
	cJSON_AddNumberToObject(op->attrs, "num_heads", (double)heads);
	cJSON_AddNumberToObject(op->attrs, "weights", 0.0);
	if (ph == OG_CONTEXT) {
		cJSON_AddStringToObject(op->attrs, "kvcache_quant_mode", kv->name);
		cJSON_AddStringToObject(op->attrs, "fmha_quant_mode", fmha->name);
	} else {
		cJSON_AddStringToObject(op->attrs, "kv_cache_dtype", kv->name);
	}
}

static int build_trtllm(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	if (og_moe_width_check(rt, m->num_experts, err, errn))
		return -1;
	/* TRT-LLM's WideEPMoE constraints */
	if (rt->dp <= 1) {
		snprintf(err, errn, "wide-EP needs attention data parallelism (dp > 1), got dp %ld", rt->dp);
		return -1;
	}
	if (rt->moe_ep <= 1) {
		snprintf(err, errn, "wide-EP needs moe_ep > 1, got %ld", rt->moe_ep);
		return -1;
	}
	long slots = rt->wideep_num_slots ? rt->wideep_num_slots : m->num_experts;
	if (slots < m->num_experts) {
		snprintf(err, errn, "wideep_num_slots (%ld) must be at least the %ld experts", slots, m->num_experts);
		return -1;
	}
	if (!rt->enable_eplb && slots != m->num_experts) {
		hint_errf(HINT_ENABLE_EPLB, 0, err, errn, "wideep_num_slots (%ld) must equal the %ld experts without EPLB", slots,
			 m->num_experts);
		return -1;
	}
	const quant_mode *gemm = cfg->quant[QUANT_GEMM], *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *fmha = cfg->quant[QUANT_FMHA], *moe_q = cfg->quant[QUANT_MOE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	const quant_mode *bmm_q = strcmp(gemm->name, "bfloat16") ? quant_find(QUANT_GEMM, "fp8") : bf16;
	const char *distribution = rt->enable_eplb ? "power_law_1.01_eplb" : "power_law_1.01";
	long tp = rt->tp, h = m->hidden_size, inter = m->moe_inter_size;
	og_moe_shape moe = { h, inter, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	double layers = (double)m->layers, mtp = cfg->mtp_scale_factor;

	/* ---- context: no CUDA graph, every op in sequence ---- */
	og_add_embedding(g, OG_CONTEXT, "context_embedding", 1, m->vocab, h, 0.3);
	og_add_elementwise(g, OG_CONTEXT, "context_add_norm_1", layers, 2 * h, 2 * h, 0.8);
	og_add_gemm(g, OG_CONTEXT, "context_downscale_gemm", layers, MLA_DOWN, h, gemm, false);
	og_add_elementwise(g, OG_CONTEXT, "context_q_a_layernorm", layers, MLA_Q_RANK, MLA_Q_RANK, 0.8);
	og_add_gemm(g, OG_CONTEXT, "context_q_b_proj_gemm", layers, MLA_Q_UP / tp, MLA_Q_RANK, gemm, false);
	og_add_gemm(g, OG_CONTEXT, "context_kv_b_proj_gemm", layers, MLA_KV_UP / tp, MLA_KV_RANK, gemm, false);
	add_mla_kernel(g, OG_CONTEXT, "context_attention", layers, MLA_HEADS / tp, kv, fmha);
	og_add_gemm(g, OG_CONTEXT, "context_proj_gemm", layers, h, 128 * 128 / tp, gemm, false);
	og_add_elementwise(g, OG_CONTEXT, "context_add_norm_2", layers, 2 * h, 2 * h, 0.8);
	/* attention-DP ranks each run the whole shared expert (gate and up fused) */
	og_add_gemm(g, OG_CONTEXT, "context_shared_gate_up_gemm", layers, 2 * inter, h, gemm, false);
	og_add_elementwise(g, OG_CONTEXT, "context_shared_act_gate", layers, 2 * inter, inter, 0.8);
	og_add_gemm(g, OG_CONTEXT, "context_shared_ffn2_gemm", layers, h, inter, gemm, false);
	og_add_gemm(g, OG_CONTEXT, "context_router_gemm", layers, m->num_experts, h, bf16, false);
	add_alltoall(g, OG_CONTEXT, "context_moe_pre_dispatch", layers, &moe, true, moe_q, false);
	add_wideep_moe(g, OG_CONTEXT, "context_moe", layers, &moe, moe_q, distribution, slots);
	add_alltoall(g, OG_CONTEXT, "context_moe_post_dispatch", layers, &moe, false, moe_q, false);
	/* the routed outputs summed over top-k plus the shared expert's */
	og_add_elementwise(g, OG_CONTEXT, "context_moe_reduce_add", layers, 2 * h, h, 0.8);
	og_add_gemm(g, OG_CONTEXT, "context_logits_gemm", 1, m->vocab / tp, h, bf16, false);

	/* ---- generation: CUDA graph with programmatic dependent launch (0.9 of a layer) ---- */
	double sf = layers * mtp * 0.9;
	og_add_embedding(g, OG_GENERATION, "generation_embedding", 1 * mtp, m->vocab, h, 0.3);
	og_add_elementwise(g, OG_GENERATION, "generation_add_norm_1", sf, 2 * h, 2 * h, 0.8);
	og_add_gemm(g, OG_GENERATION, "generation_downscale_gemm", sf, MLA_DOWN, h, gemm, false);
	og_add_elementwise(g, OG_GENERATION, "generation_q_a_layernorm", sf, MLA_Q_RANK, MLA_Q_RANK, 0.8);
	og_add_gemm(g, OG_GENERATION, "generation_q_b_proj_gemm", sf, MLA_Q_UP / tp, MLA_Q_RANK, gemm, false);
	/* the absorption BMM runs beside RoPE + the KV-cache write on a second stream */
	og_graph bmm = { 0 }, rope = { 0 };
	ds_mla_bmm(&bmm, "generation_bmm_pre", sf, m->n / tp, bmm_q, true);
	og_add_elementwise(&rope, OG_GENERATION, "generation_rope_kvcache", sf, MLA_ROPE_KV, MLA_ROPE_KV, 0.8);
	og_add_overlap(g, OG_GENERATION, "generation_bmm_rope_overlap", &bmm, &rope);
	add_mla_kernel(g, OG_GENERATION, "generation_attention", sf, MLA_HEADS / tp, kv, fmha);
	ds_mla_bmm(g, "generation_bmm_post", sf, m->n / tp, bmm_q, false);
	og_add_gemm(g, OG_GENERATION, "generation_proj_gemm", sf, h, h / tp, gemm, false);
	og_add_elementwise(g, OG_GENERATION, "generation_add_norm_2", sf, 2 * h, 2 * h, 0.8);
	og_graph routed = { 0 }, shared = { 0 };
	og_add_gemm(&shared, OG_GENERATION, "generation_shared_gate_up_gemm", sf, 2 * inter, h, gemm, false);
	og_add_elementwise(&shared, OG_GENERATION, "generation_shared_act_gate", sf, 2 * inter, inter, 0.8);
	og_add_gemm(&shared, OG_GENERATION, "generation_shared_ffn2_gemm", sf, h, inter, gemm, false);
	og_add_gemm(&routed, OG_GENERATION, "generation_router_gemm", sf, m->num_experts, h, bf16, false);
	add_alltoall(&routed, OG_GENERATION, "generation_moe_pre_dispatch", sf, &moe, true, moe_q, false);
	add_wideep_moe(&routed, OG_GENERATION, "generation_moe", sf, &moe, moe_q, distribution, slots);
	/* nvfp4 experts combine in fp4 */
	add_alltoall(&routed, OG_GENERATION, "generation_moe_post_dispatch", sf, &moe, false, moe_q,
		     strcmp(moe_q->name, "nvfp4") == 0);
	og_add_overlap(g, OG_GENERATION, "generation_moe_overlap", &routed, &shared);
	og_add_elementwise(g, OG_GENERATION, "generation_moe_reduce_add", sf, 2 * h, h, 0.8);
	og_add_gemm(g, OG_GENERATION, "generation_logits_gemm", 1 * mtp, m->vocab / tp, h, bf16, false);

	double hops = (double)(rt->pp - 1);
	og_add_p2p(g, OG_CONTEXT, "context_p2p", hops, h, rt->pp);
	og_add_p2p(g, OG_GENERATION, "generation_p2p", hops * mtp, h, rt->pp);
	return 0;
}

/* ---- SGLang ---- */

static void add_wideep_mla(og_graph *g, og_phase ph, const char *name, double sf, long tp, const quant_mode *kv,
			   const quant_mode *fmha)
{
	og_op *op = og_push_op(g, ph, name, ph == OG_CONTEXT ? "WideEPContextMLA" : "WideEPGenerationMLA", sf, 0.0);
	cJSON_AddNumberToObject(op->attrs, "tp_size", (double)tp);
	cJSON_AddNumberToObject(op->attrs, "weights", 0.0);
	cJSON_AddStringToObject(op->attrs, "kvcache_quant_mode", kv->name);
	cJSON_AddStringToObject(op->attrs, "fmha_quant_mode", fmha->name);
	cJSON_AddStringToObject(op->attrs, "attn_backend", "flashinfer");
}

static int build_sglang(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	if (m->num_experts < rt->moe_ep) {
		snprintf(err, errn, "moe_ep %ld cannot exceed the %ld experts", rt->moe_ep, m->num_experts);
		return -1;
	}
	if (rt->wideep_num_slots) {
		hint_errf(HINT_WIDEEP_SLOTS, 0, err, errn, "wideep_num_slots applies to TRT-LLM's wide-EP only");
		return -1;
	}
	const quant_mode *gemm = cfg->quant[QUANT_GEMM], *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *fmha = cfg->quant[QUANT_FMHA], *moe_q = cfg->quant[QUANT_MOE];
	/* balanced experts flatten prefill's power law */
	const char *ctx_distribution = rt->enable_eplb ? "power_law_0.6" : "power_law_1.01";
	long tp = rt->tp, h = m->hidden_size, inter = m->moe_inter_size;
	og_moe_shape moe = { h, inter, m->topk, m->num_experts, rt->moe_tp, rt->moe_ep, rt->dp };
	double layers = (double)m->layers, sf = layers * cfg->mtp_scale_factor, mtp = cfg->mtp_scale_factor;

	/* ---- context ---- */
	/* q_a/kv_a (with RoPE) is one GEMM outside the attention kernel, on every GPU's tokens */
	og_add_gemm(g, OG_CONTEXT, "context_qkv_a_proj_gemm", layers, MLA_DOWN, h, gemm, false);
	set_num(last(g), "scale_num_tokens", (double)tp);
	if (tp > 1)
		add_nccl(g, OG_CONTEXT, "context_tp_all_gather", layers, "all_gather", h, tp);
	og_add_embedding(g, OG_CONTEXT, "context_embedding", 1, m->vocab, h, 0.3);
	og_add_elementwise(g, OG_CONTEXT, "context_add_norm_1", layers, 2 * h, 2 * h, 0.8);
	og_add_gemm(g, OG_CONTEXT, "context_downscale_gemm", layers, MLA_DOWN, h, gemm, false);
	add_wideep_mla(g, OG_CONTEXT, "context_attention", layers, tp, kv, fmha);
	if (tp > 1)
		add_nccl(g, OG_CONTEXT, "context_tp_reduce_scatter", layers, "reduce_scatter", h, tp);
	/* the shared expert, unsplit, on the tokens of one TP rank */
	og_add_gemm(g, OG_CONTEXT, "context_gate_ffn1_gemm", layers, 2 * inter, h, gemm, false);
	set_num(last(g), "scale_num_tokens", (double)tp);
	og_add_elementwise(g, OG_CONTEXT, "context_act_gate", layers, 2 * inter, inter, 0.8);
	set_num(last(g), "scale_num_tokens", (double)tp);
	og_add_gemm(g, OG_CONTEXT, "context_ffn2_gemm", layers, h, inter, gemm, false);
	set_num(last(g), "scale_num_tokens", (double)tp);
	og_add_deepep_dispatch(g, OG_CONTEXT, "context_moe_pre_dispatch", layers, &moe, moe_q, tp);
	og_add_deepep_moe(g, OG_CONTEXT, "context_moe", layers, &moe, moe_q, ctx_distribution, rt->enable_eplb);

	/* ---- generation ---- */
	og_add_gemm(g, OG_GENERATION, "generation_qkv_a_proj_gemm", sf, MLA_DOWN, h, gemm, false);
	og_add_embedding(g, OG_GENERATION, "generation_embedding", 1 * mtp, m->vocab, h, 0.3);
	og_add_elementwise(g, OG_GENERATION, "generation_add_norm_1", sf, 2 * h, 2 * h, 0.8);
	og_add_gemm(g, OG_GENERATION, "generation_downscale_gemm", sf, MLA_DOWN, h, gemm, false);
	add_wideep_mla(g, OG_GENERATION, "generation_attention", sf, tp, kv, fmha);
	og_add_gemm(g, OG_GENERATION, "generation_gate_ffn1_gemm", sf, 2 * inter, h, gemm, false);
	og_add_elementwise(g, OG_GENERATION, "generation_act_gate", sf, 2 * inter, inter, 0.8);
	og_add_gemm(g, OG_GENERATION, "generation_ffn2_gemm", sf, h, inter, gemm, false);
	og_add_deepep_dispatch(g, OG_GENERATION, "generation_moe_pre_dispatch", sf, &moe, moe_q, 1);
	og_add_deepep_moe(g, OG_GENERATION, "generation_moe", sf, &moe, moe_q, "power_law_1.01", false);
	return 0;
}

int model_deepseek_wideep_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	if (strcmp(cfg->rt.backend, "trtllm") == 0)
		return build_trtllm(cfg, g, err, errn);
	return build_sglang(cfg, g, err, errn);
}
