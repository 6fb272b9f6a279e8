/* hf_quant: a checkpoint's quantization, read into the record's quant modes the way the
 * reference infers them from the raw config. */
#ifndef INFERCAST_HF_QUANT_H
#define INFERCAST_HF_QUANT_H

#include "hfjson.h"

/* Merge hf_quant_config.json (may be NULL) into config as the reference does: kept whole under
 * "hf_quant_config", and as a lower-cased quantization_config when config.json has none (nor
 * its text config, text_key, of a multimodal checkpoint: NULL for none). */
void hf_attach_quant(cJSON *config, const cJSON *hf_quant, const char *text_key);

/* The record's "quant" object: default quant modes from the checkpoint (the reference's
 * inference, then its bfloat16 / half defaults), plus the raw fields it keeps. Failures go to c. */
cJSON *hf_quant_record(struct hf_ctx *c, cJSON *config, const char *arch);

/* Whether a GLM-5 checkpoint leaves the DSA attention projections unquantized (run in bfloat16). */
bool hf_dsa_projections_unquantized(const cJSON *config);

#endif
