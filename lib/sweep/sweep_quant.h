/* sweep_quant: the default task's check of a worker's quant modes against the perf data, where
 * it changes what is priced. Before a `default` sweep the reference validates each worker's
 * resolved modes (task.py); for DeepSeek-V3 and Kimi-K2.5 checkpoints whose resolved FMHA mode is
 * fp8 it first switches the context attention to bfloat16 when the context MLA tables hold
 * bfloat16 rows and no fp8 ones (every shared table set). Agg and prefill workers only: a
 * decode worker's context attention is not validated, so it keeps fp8. A static estimate
 * (pipelines/estimate) does no such thing, as the reference's estimate does not. */
#ifndef INFERCAST_SWEEP_QUANT_H
#define INFERCAST_SWEEP_QUANT_H

#include <stdbool.h>
#include <cjson/cJSON.h>

/* "bfloat16" when the reference's default task would price this model's context attention in
 * bfloat16 rather than its resolved fp8, else NULL (also when the model record cannot be read or
 * the data cannot be found: the task then validates nothing). data_dir and version as for query
 (NULL: $INFERCAST_DATA or the installed data, the newest version). wideep: SGLang's DeepEP path
 * (--moe-backend deepep_moe), which reads the wide-EP context MLA table instead. */
const char *sweep_context_fmha_fallback(const cJSON *model, const char *system, const char *backend,
					const char *data_dir, const char *version, bool wideep);

/* The serving modes for which the reference's `default` adds its SGLang DeepEP search (the
 * intra-node DeepEP layouts, moe_backend "deepep_moe") beside the regular one, from o (the
 * regular search's options: system, version, decode system and version, quant modes, modes,
 * GPUs): an SGLang MoE model whose system (and decode system) has the DeepEP tables
 * (wideep_deepep_normal and wideep_deepep_ll) at the version used, and, per mode, whose expert
 * quant mode the DeepEP MoE tables hold (wideep_context_moe for agg and prefill workers,
 * wideep_generation_moe for agg and decode ones; a table without modes checks nothing), as
 * its task validates them. Sets *agg and *disagg; false with why when neither applies. */
struct sweep_emit_options;
bool sweep_deepep_modes(const cJSON *model, const struct sweep_emit_options *o, bool *agg, bool *disagg, char *why,
			size_t whyn);

#endif
