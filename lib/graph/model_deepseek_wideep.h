/* model_deepseek_wideep: the reference's wide expert-parallel variants of DeepSeek-V3/R1
 * (sdk/models/deepseek.py), which its DeepSeekModel.create picks for the DEEPSEEK family (not
 * KIMIK25) when asked (opgraph --wideep, og_runtime.wideep):
 *
 *   TRT-LLM  TrtllmWideEPDeepSeekModel: attention-DP MLA layers (explicit q/kv projections,
 *            ContextMLA / GenerationMLA, the absorbed BMMs, decode overlaps of BMM and RoPE and of
 *            the shared expert with the routed path), router, all-to-all dispatch and combine
 *            (TrtLLMWideEPMoEDispatch) around the wide-EP expert kernel (TrtLLMWideEPMoE) with
 *            its EPLB distribution and slots; decode layers carry the PDL factor 0.9.
 *   SGLang   WideEPDeepSeekModel (moe_backend "deepep_moe"): the fused q_a/kv_a projection, the
 *            wide-EP MLA kernels (WideEPContextMLA / WideEPGenerationMLA, FlashInfer), NCCL
 *            gather/scatter around attention under TP, the shared expert, then DeepEP dispatch
 *            (MoEDispatch) and the DeepEP MoE tables (MoE) with SMs 20.
 *
 * Workload distributions: "power_law_1.01" (TRT-LLM with EPLB: "power_law_1.01_eplb"; SGLang
 * prefill with EPLB: "power_law_0.6"). Other backends (vLLM) and KIMIK25 build the regular model,
 * as the reference does. */
#ifndef INFERCAST_MODEL_DEEPSEEK_WIDEEP_H
#define INFERCAST_MODEL_DEEPSEEK_WIDEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "opgraph.h"

/* Whether cfg selects a wide-EP variant (DEEPSEEK family, --wideep, TRT-LLM or SGLang). */
bool model_deepseek_wideep_selected(const og_config *cfg);

/* The reference's wide-EP (or SGLang DeepEP) model class that family and backend would need
 * under --wideep and that infercast does not model (DEEPSEEKV32: its WideEPDeepSeekV32Model and
 * TrtllmWideEPDeepSeekV32Model; MOE on SGLang: SGLangEPMOEModel), else NULL: the family builds
 * the DeepSeek-V3 variant above, or its regular model as the reference's create() does. */
const char *model_wideep_unmodelled(const char *family, const char *backend);

/* Builds the selected variant's ops. 0, or -1 with the reference's construction error. */
int model_deepseek_wideep_build(const og_config *cfg, og_graph *g, char *err, size_t errn);

#endif
