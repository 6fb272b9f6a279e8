/* model_deepseek_v32: the DEEPSEEKV32 family (DeepSeek-V3.2, GLM-5; the reference's
 * DeepSeekV32Model without its wide-EP variants, which only wide-EP options select).
 *
 * The layer is DeepSeek's (lib/graph/model_deepseek.c) with DeepSeek sparse attention in place of the
 * MLA block: one ContextDSAModule / GenerationDSAModule op stands for the whole attention block
 * (projections, indexer, top-k selection, sparse MLA, output projection), measured as a module
 * per architecture (lib/perf/table_dsa); it carries no weights, as in the reference. Then norm,
 * shared expert, router, dispatch, routed experts, combine; in decode the shared expert overlaps
 * the routed path. No all-reduce op on any backend, as the reference.
 *
 * The attention GEMMs run in extra_params.dsa_gemm_quant_mode when the checkpoint keeps them
 * unquantized (GLM-5 FP8/NVFP4 checkpoints), else in the GEMM quant mode.
 *
 * The cache per token and layer differs from MLA's: the latent (kv_lora_rank, in the KV-cache
 * mode), the rope key (bfloat16) and the fp8 indexer key with its scales. */
#ifndef INFERCAST_MODEL_DEEPSEEK_V32_H
#define INFERCAST_MODEL_DEEPSEEK_V32_H

#include "opgraph.h"

/* KV-cache bytes of one sequence of seq_len tokens (all layers; not split by tp). */
double model_deepseek_v32_kv_bytes_per_sequence(const og_config *cfg, long seq_len);

#endif
