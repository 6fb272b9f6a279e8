/* model_gemma4_moe: the GEMMA4MOE family (Gemma 4 MoE, e.g. gemma-4-26B-A4B). Every layer has
 * sliding-window or full attention (extra_params.layer_types), each kind with its own KV heads
 * and head size (full layers may share K and V projections: attention_k_eq_v), then a shared
 * dense SwiGLU MLP beside routed experts. One op group per attention kind (sliding first),
 * scale factor = layers of that kind: norm, QKV GEMM, attention, output GEMM, norm, shared MLP
 * (fused gate/up GEMM, activation, down GEMM), router GEMM (only with 128 experts or more),
 * dispatch, gated experts, combine; no all-reduce, as the reference. Generation ops carry the
 * MTP factor. The KV cache differs from the dense formula: sliding layers keep at most the
 * window's tokens (model_gemma4_kv_bytes_per_sequence, which lib/graph/memory uses). */
#ifndef INFERCAST_MODEL_GEMMA4_MOE_H
#define INFERCAST_MODEL_GEMMA4_MOE_H

#include "opgraph.h"

/* KV-cache bytes of one sequence of seq_len tokens on one GPU: sliding layers capped at the
 * window, full layers at seq_len, both K and V on every layer. */
double model_gemma4_kv_bytes_per_sequence(const og_config *cfg, long seq_len);

#endif
