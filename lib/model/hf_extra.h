/* hf_extra: the per-architecture extra_params of the model record (docs/records.md): one parser
 * per kind of checkpoint, named by its architecture's row in lib/model/families. */
#ifndef INFERCAST_HF_EXTRA_H
#define INFERCAST_HF_EXTRA_H

#include "hfjson.h"

/* What a parser reads: the architecture, the whole config (its quantization lists), the (text)
 * config and vision_config, and the sizes the record reads. */
typedef struct hf_extra_in {
	const char *arch;
	const cJSON *config, *cfg, *vision;
	int layers;
	double topk, experts, moe_inter;
} hf_extra_in;

/* An architecture's extra_params: an object, or NULL for none (the reference's None); failures
 * go to c. Caller frees. */
typedef cJSON *hf_extra_parser(struct hf_ctx *c, const hf_extra_in *in);

hf_extra_parser hf_extra_nemotron_h; /* hybrid_override_pattern */
hf_extra_parser hf_extra_nas;        /* block_configs, grouped */
hf_extra_parser hf_extra_mimo_v2;    /* attention and MoE layer patterns */
hf_extra_parser hf_extra_llama4;
hf_extra_parser hf_extra_mla;        /* DeepSeek's latent attention sizes */
hf_extra_parser hf_extra_dsa;        /* and the sparse-attention indexer's */
hf_extra_parser hf_extra_glm_dsa;    /* GLM-5: and whether its projections stay in bfloat16 */
hf_extra_parser hf_extra_deepseek_v4;
hf_extra_parser hf_extra_qk_norm;
hf_extra_parser hf_extra_gemma4;
hf_extra_parser hf_extra_qwen35;
hf_extra_parser hf_extra_qwen3vl;    /* the vision tower */

#endif
