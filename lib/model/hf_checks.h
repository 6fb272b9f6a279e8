/* hf_checks: the sizes a model record must have before its ops can be priced. */
#ifndef INFERCAST_HF_CHECKS_H
#define INFERCAST_HF_CHECKS_H

#include "hfjson.h"

/* Whether the sizes the model's ops hang on are there and non-zero; the first missing one goes to
 * c, naming the field (a missing size would price a model of nothing as if it were real). */
bool hf_model_sizes_ok(struct hf_ctx *c, const cJSON *cfg, const char *arch, const cJSON *extra, bool is_moe,
		       double layers, double hidden, double n, double vocab, double inter, double moe_inter,
		       double experts, double topk);

#endif
