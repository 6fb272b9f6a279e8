/* hf_extra: the per-architecture extra_params of the model record (docs/records.md). */
#ifndef INFERCAST_HF_EXTRA_H
#define INFERCAST_HF_EXTRA_H

#include "hfjson.h"

/* The extra params of architecture arch from its (text) config cfg and vision_config; L layers,
 * topk, experts and moe_inter as the record reads them. NULL when the architecture has none;
 * failures go to c. Caller frees. */
cJSON *hf_extra_params(struct hf_ctx *c, const char *arch, const cJSON *cfg, const cJSON *vision, int L, double topk,
		       double experts, double moe_inter);

#endif
