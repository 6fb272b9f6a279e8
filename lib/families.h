/* families: which model family (and so which op-graph builder) the reference uses for each
 * HuggingFace architecture name, and where multimodal checkpoints keep their language-model config. */
#ifndef INFERCAST_FAMILIES_H
#define INFERCAST_FAMILIES_H

#include <stdbool.h>
#include <stddef.h>

/* The reference's family name (LLAMA, MOE, DEEPSEEK, ...) for an architecture, or NULL if unknown. */
const char *family_for_architecture(const char *architecture);
/* For multimodal architectures: the key of the nested language-model config ("text_config"), else NULL. */
const char *family_text_config_key(const char *architecture);
/* True for the families the reference always treats as MoE (NEMOTRONH and QWEN35 depend on the
 * checkpoint; the Qwen3-VL families are not in the reference's MoE set). */
bool family_always_moe(const char *family);
/* Number of known architectures, and the i-th one in the reference's order (for messages). */
size_t family_architecture_count(void);
const char *family_architecture_at(size_t i);

#endif
