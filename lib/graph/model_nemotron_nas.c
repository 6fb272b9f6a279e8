/* model_nemotron_nas: the NEMOTRONNAS family (DeciLM checkpoints found by neural architecture
 * search, e.g. Llama-3.3-Nemotron-Super-49B). The layers are not alike: the model record's
 * extra_params.block_configs lists runs of identical blocks, and each run may drop its
 * attention (attn_no_op) or its FFN (ffn_no_op), use its own grouping of query heads per KV
 * head, and its own FFN width (ffn_ffn_mult × hidden size, rounded up to a multiple of 256).
 * Every run emits its own ops (scale factor = blocks in the run), so several ops share a name;
 * the all-reduces sit right after the part they close, as the reference lists them.
 * Attention kernels are looked up at the default head size 128, as the reference does for
 * this family. No MTP: the reference refuses nextn > 0 here. */
#include "opgraph.h"
#include "diag.h"
#include "model_builders.h"

#include <stdio.h>

/* The DeciLM rule: 2/3 of mult × hidden, truncated, then rounded up to a multiple of 256. */
static long ffn_width(double mult, long hidden)
{
	long inter = (long)(2.0 * mult * (double)hidden / 3.0);
	return inter % 256 == 0 ? inter : inter + 256 - inter % 256;
}

typedef struct nas_block {
	long count;       /* num_inst */
	bool attn, ffn;   /* present (not no-op) */
	long heads_in_group;
	double ffn_mult;
} nas_block;

static int read_block(const cJSON *b, size_t i, nas_block *out, char *err, size_t errn)
{
	const cJSON *inst = cJSON_GetObjectItemCaseSensitive(b, "num_inst");
	const cJSON *attn_noop = cJSON_GetObjectItemCaseSensitive(b, "attn_no_op");
	const cJSON *ffn_noop = cJSON_GetObjectItemCaseSensitive(b, "ffn_no_op");
	const cJSON *group = cJSON_GetObjectItemCaseSensitive(b, "attn_n_heads_in_group");
	const cJSON *mult = cJSON_GetObjectItemCaseSensitive(b, "ffn_ffn_mult");
	/* Integers above 2^31 are refused before the cast (fuzzing found 2e118 here). */
	if (!cJSON_IsObject(b) || !og_json_whole(inst, 1, 2147483647.0))
		return diag_errf(err, errn, "NAS block_configs[%zu]: needs an integer 'num_inst' from 1 to 2^31-1", i);
	out->count = (long)inst->valuedouble;
	out->attn = !cJSON_IsTrue(attn_noop);
	out->ffn = !cJSON_IsTrue(ffn_noop);
	if (out->attn) {
		if (!og_json_whole(group, 1, 2147483647.0))
			return diag_errf(err, errn,
				    "NAS block_configs[%zu]: attention block without an integer 'attn_n_heads_in_group' "
				    "from 1 to 2^31-1", i);
		out->heads_in_group = (long)group->valuedouble;
	}
	if (out->ffn) {
		/* the FFN width (2/3 × mult × hidden size, at most 2^31) must fit a long once cast */
		if (!cJSON_IsNumber(mult) || !(mult->valuedouble > 0) || !(mult->valuedouble <= 1e6))
			return diag_errf(err, errn, "NAS block_configs[%zu]: FFN block without an 'ffn_ffn_mult' in (0, 1e6]", i);
		out->ffn_mult = mult->valuedouble;
	}
	return 0;
}

int model_nemotron_nas_build(const og_config *cfg, og_graph *g, char *err, size_t errn)
{
	const og_model *m = &cfg->model;
	const og_runtime *rt = &cfg->rt;
	if (rt->nextn != 0)
		return diag_errf(err, errn, "NEMOTRONNAS models do not support MTP (nextn must be 0, got %ld)", rt->nextn);
	const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(m->extra_params, "block_configs");
	/* Without block configs the reference leaves both pipelines empty. */
	if (!cJSON_IsArray(blocks) || cJSON_GetArraySize(blocks) == 0)
		return 0;
	size_t nb = (size_t)cJSON_GetArraySize(blocks);
	for (size_t i = 0; i < nb; i++) {
		nas_block b;
		if (read_block(cJSON_GetArrayItem(blocks, (int)i), i, &b, err, errn))
			return -1;
	}

	const quant_mode *gemm = cfg->quant[QUANT_GEMM];
	const quant_mode *kv = cfg->quant[QUANT_KVCACHE];
	const quant_mode *bf16 = quant_find(QUANT_GEMM, "bfloat16");
	long tp = rt->tp, pp = rt->pp, h = m->hidden_size;
	long q_out = m->n * m->d / tp;

	for (int phase = OG_CONTEXT; phase <= OG_GENERATION; phase++) {
		og_phase ph = (og_phase)phase;
		bool ctx = ph == OG_CONTEXT;
#define NAME(s) (ctx ? "context_" s : "generation_" s)
		og_add_embedding(g, ph, NAME("embedding"), 1, m->vocab, h, 0.3);
		for (size_t i = 0; i < nb; i++) {
			nas_block b;
			read_block(cJSON_GetArrayItem(blocks, (int)i), i, &b, err, errn);
			double c = (double)b.count;
			if (b.attn) {
				long kv_heads = m->n / b.heads_in_group;
				long kv_per_gpu = (kv_heads + tp - 1) / tp;
				og_add_elementwise(g, ph, NAME("add_norm_1"), c, 2 * h, 2 * h, 0.8);
				og_add_gemm(g, ph, NAME("qkv_gemm"), c, q_out + m->d * kv_per_gpu * 2, h, gemm, false);
				if (ctx)
					og_add_context_attention(g, "context_attention", c, m->n / tp, kv_per_gpu, kv,
								 cfg->quant[QUANT_FMHA], 0, 128, false);
				else
					og_add_generation_attention(g, "generation_attention", c, m->n / tp, kv_per_gpu, kv, 0,
								    128, false);
				og_add_gemm(g, ph, NAME("proj_gemm"), c, h, q_out, gemm, false);
				og_add_custom_allreduce(g, ph, NAME("ar_1"), c, h, tp);
			}
			if (b.ffn) {
				long inter = ffn_width(b.ffn_mult, h);
				og_add_elementwise(g, ph, NAME("add_norm_2"), c, 2 * h, 2 * h, 0.8);
				og_add_gemm(g, ph, NAME("gate_ffn1_gemm"), c, 2 * inter / tp, h, gemm, false);
				og_add_elementwise(g, ph, NAME("act_gate"), c, 2 * inter / tp, inter / tp, 0.8);
				og_add_gemm(g, ph, NAME("ffn2_gemm"), c, h, inter / tp, gemm, false);
				og_add_custom_allreduce(g, ph, NAME("ar_2"), c, h, tp);
			}
		}
		og_add_p2p(g, ph, NAME("p2p"), (double)(pp - 1), h, pp);
		/* Logits stay in bfloat16 whatever the GEMM quantization. */
		og_add_gemm(g, ph, NAME("logits_gemm"), 1, m->vocab / tp, h, bf16, false);
#undef NAME
	}
	return 0;
}
