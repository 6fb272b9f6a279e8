/* families: the one place that knows the model families. Which family (and so which op-graph
 * builder) the reference uses for each HuggingFace architecture name, where multimodal
 * checkpoints keep their language-model config, which parser reads an architecture's
 * extra_params (lib/model/hf_extra), and one descriptor per family with what the
 * other stages ask of it: its builder, whether it routes experts, its KV-cache size, its memory
 * class, whether its checkpoints carry MTP layers, and the image tokens and encoder points of
 * vision models. A new family is one lib/model_<family>.c plus one row here (docs/architecture.md). */
#ifndef INFERCAST_FAMILIES_H
#define INFERCAST_FAMILIES_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "hf_extra.h"
#include "opgraph.h"

/* The reference's activation-memory coefficient row a family uses (lib/graph/memory). */
typedef enum family_memory_class { FAMILY_MEMORY_DEFAULT, FAMILY_MEMORY_LLAMA, FAMILY_MEMORY_MOE } family_memory_class;

typedef struct family_desc {
	const char *name; /* LLAMA, MOE, DEEPSEEK, ... */
	int (*build)(const og_config *cfg, og_graph *g, char *err, size_t errn);
	/* The reference's check_is_moe: true for every checkpoint, or (moe_if) only for those whose
	 * extra_params say so; NULL moe_if with always_moe false: never. */
	bool always_moe;
	bool (*moe_if)(const cJSON *extra_params);
	/* KV cache: mla_latent caches one latent vector (kv_lora_rank + qk_rope_head_dim) per token
	 * and layer; kv_bytes_per_sequence, when set, gives one sequence's bytes on one GPU whole
	 * (sliding windows, compressed entries, indexer keys); else heads x head size x 2 per layer. */
	bool mla_latent;
	double (*kv_bytes_per_sequence)(const og_config *cfg, long seq_len);
	family_memory_class memory_class;
	/* The MoE dispatch reserves a block-scale workspace; sized by hidden_size on every backend
	 * (else by heads x head size on TRT-LLM and vLLM). */
	bool moe_workspace, moe_workspace_by_hidden;
	bool mtp; /* checkpoints carry MTP layers: a sweep runs nextn 1 by default */
	/* Vision models: image tokens a request adds to the prompt, and the one point an encoder op
	 * is queried at (false: the encoder is skipped). NULL for text-only families. */
	long (*image_tokens)(const og_config *cfg);
	bool (*encoder_point)(const og_config *cfg, const og_op *op, long *x, long *batch, long *s);
} family_desc;

/* The descriptor of a family name, or NULL when no builder exists for it. */
const family_desc *family_find(const char *family);
/* Whether a checkpoint of family (with these extra_params) routes experts; false for unknown. */
bool family_is_moe(const char *family, const cJSON *extra_params);

/* The reference's family name (LLAMA, MOE, DEEPSEEK, ...) for an architecture, or NULL if unknown. */
const char *family_for_architecture(const char *architecture);
/* The extra_params of a checkpoint of architecture in->arch: its row's parser (lib/model/hf_extra),
 * NULL for an architecture without one (failures go to c). Caller frees. */
cJSON *family_extra_params(struct hf_ctx *c, const hf_extra_in *in);
/* For multimodal architectures: the key of the nested language-model config ("text_config"), else NULL. */
const char *family_text_config_key(const char *architecture);
/* True for the families the reference always treats as MoE (NEMOTRONH and QWEN35 depend on the
 * checkpoint; the Qwen3-VL families are not in the reference's MoE set). */
bool family_always_moe(const char *family);
/* Number of known architectures, and the i-th one in the reference's order (for messages). */
size_t family_architecture_count(void);
const char *family_architecture_at(size_t i);

#endif
