/* opquery_vit: pricing a vision encoder's ops (op records of phase "encoder", lib/graph/model_qwen3vl)
 * for a request without images. The reference then queries every ViT op at zero tokens: its
 * HYBRID mode answers from the empirical fallbacks (about 1 ms for Qwen3-VL), its SILICON mode
 * crashes (no table has a row at 0 tokens). For the dense Qwen3-VL models we do not copy the
 * crash (the goldens' contract): their encoder ops carry "zero_image_fallback" and a zero-token
 * point of such an op is priced in SILICON mode as HYBRID mode prices it, so both modes give the
 * reference's HYBRID numbers (docs/differences.md). Qwen3-VL-MoE keeps the reference's refusal.
 * Every other point is priced as usual. */
#ifndef INFERCAST_OPQUERY_VIT_H
#define INFERCAST_OPQUERY_VIT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "opquery_op.h"

/* True when op is an encoder op marked "zero_image_fallback" and pt one of its zero-token points. */
bool opquery_vit_zero_image(const cJSON *op, const opq_point *pt);

/* opquery_point for such a point (same arguments and results), SILICON read as HYBRID. */
int opquery_vit_point(perfdb *db, const char *op_type, const cJSON *attrs, double scale_factor, const opq_point *pt,
		      perf_result *out, char *err, size_t errlen);

#endif
