/* model_builders: the op-graph builder of each model family, one per lib/model_<family>.c. Only
 * the family table (lib/model/families) and families built on another's layers (Qwen3-VL on LLAMA and
 * MOE) call them; everything else goes through og_build. */
#ifndef INFERCAST_MODEL_BUILDERS_H
#define INFERCAST_MODEL_BUILDERS_H

#include <stddef.h>

#include "opgraph.h"

int model_llama_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_nemotron_nas_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_deepseek_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_deepseek_v32_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_deepseek_v4_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_nemotron_h_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_qwen35_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_hybrid_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_gemma4_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
/* The reference's SGLangEPMOEModel: the MOE family on SGLang's DeepEP path, which model_moe_build
 * hands over to (lib/graph/model_sglang_ep_moe.c). */
int model_sglang_ep_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_qwen3vl_build(const og_config *cfg, og_graph *g, char *err, size_t errn);
int model_qwen3vl_moe_build(const og_config *cfg, og_graph *g, char *err, size_t errn);

#endif
