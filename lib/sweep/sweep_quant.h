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

#include "opgraph_quant.h"

/* "bfloat16" when the reference's default task would price this model's context attention in
 * bfloat16 rather than its resolved fp8, else NULL (also when the model record cannot be read or
 * the data cannot be found: the task then validates nothing). data_dir and version as for query
 (NULL: $INFERCAST_DATA or the installed data, the newest version). wideep: SGLang's DeepEP path
 * (--moe-backend deepep_moe), which reads the wide-EP context MLA table instead. */
const char *sweep_context_fmha_fallback(const cJSON *model, const char *system, const char *backend,
					const char *data_dir, const char *version, bool wideep);

/* The model's mode of kind as opgraph resolves it on sys and backend with no override (the task
 * resolves it the same way); NULL when the record cannot be read. */
struct system_spec;
const char *sweep_model_quant(const cJSON *model, const struct system_spec *sys, const char *backend,
			      quant_kind kind);

#endif
