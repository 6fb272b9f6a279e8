/* sweep_deepep: whether the reference's `default` adds its SGLang DeepEP search (cli/main.py: for
 * an SGLang MoE model, a second task with moe_backend "deepep_moe": the intra-node DeepEP layouts
 * and models) beside the regular one, and for which serving modes: the DeepEP dispatch tables
 * must be in the data, and the task's validation must pass for the mode. */
#ifndef INFERCAST_SWEEP_DEEPEP_H
#define INFERCAST_SWEEP_DEEPEP_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

#include "sweep_emit.h"

/* From o (the regular search's options: system, version, decode system and version, quant modes,
 * modes, GPUs): an SGLang MoE model whose system (and decode system) has the DeepEP tables
 * (wideep_deepep_normal and wideep_deepep_ll) at the version used, and, per mode, whose expert
 * quant mode the DeepEP MoE tables hold (wideep_context_moe for agg and prefill workers,
 * wideep_generation_moe for agg and decode ones; a table without modes checks nothing), as the
 * reference's task validates them. Sets *agg and *disagg; false with why when neither applies. */
bool sweep_deepep_modes(const cJSON *model, const sweep_emit_options *o, bool *agg, bool *disagg, char *why,
			size_t whyn);

#endif
