/* model_qwen3vl: the Qwen3-VL families (QWEN3VL: dense text model, QWEN3VL_MOE: MoE text model)
 * with their ViT vision encoder, as the reference's Qwen3VLModel / Qwen3VLMoEModel and its
 * generic ViT op builder (sdk/models/vit_ops.py) build them. The text model is LLAMA's or MOE's;
 * the encoder ops (phase "encoder") come after it, and run_static prices them at the image
 * token counts of the request (none unless images are given: x = 0). */
#ifndef INFERCAST_MODEL_QWEN3VL_H
#define INFERCAST_MODEL_QWEN3VL_H

#include <stdbool.h>

#include "opgraph.h"

/* The one point run_static's encoder pass queries op at: tokens x, batch and sequence length s
 * (beam 1, prefix 0, count 1). False when the reference skips the encoder (no images per
 * request, or no vision config). */
bool model_qwen3vl_encoder_point(const og_config *cfg, const og_op *op, long *x, long *batch, long *s);

/* Post-merge image tokens a request adds to the text model's input (0 without images). */
long model_qwen3vl_image_tokens(const og_config *cfg);

#endif
