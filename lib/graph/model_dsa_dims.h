/* model_dsa_dims: the widths of the DeepSeek sparse attention (DSA) architectures (DeepSeek-V3.2,
 * GLM-5), fixed per architecture as the reference fixes them, and the bytes of one indexer-cache
 * entry. Model knowledge: the graph sizes the KV cache with it (lib/graph/model_deepseek_v32), the DSA
 * tables their speed of light (lib/perf/table_dsa), neither through the other. */
#ifndef INFERCAST_MODEL_DSA_DIMS_H
#define INFERCAST_MODEL_DSA_DIMS_H

/* Widths of one DSA architecture. */
typedef struct dsa_dims {
	const char *architecture;
	double hidden_size, q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim;
	double index_topk, index_head_dim, index_n_heads;
} dsa_dims;

/* The widths the reference uses for architecture (DeepSeek-V3.2's when it is not listed). */
const dsa_dims *dsa_dims_of(const char *architecture);

/* Bytes per token of the fp8 indexer cache: the values plus one fp32 scale per 128 of them. */
double dsa_indexer_entry_bytes(long index_head_dim);

#endif
