/* model_deepseek_v4: the DEEPSEEKV4 family (DeepSeek-V4-Flash / -Pro), the reference's
 * DeepSeekV4Model. Every layer wraps attention and FFN in manifold-constrained hyper-connections
 * (mHC: a "pre" module that mixes the hc_mult residual streams in, a "post" module that writes
 * them back), and attends through one of three schemes chosen per layer by
 * extra_params.compress_ratios: sliding window only (0), sliding window plus a top-k selection
 * over 4:1 compressed entries found by an indexer (4, "CSA"), or sliding window plus every
 * 128:1 compressed entry (128, "HCA"). The FFN is one shared expert beside routed experts, as
 * in DeepSeek-V3, overlapped with them in decode.
 *
 * Ops per phase: embedding; mHC pre; attention norm; one attention module op per compress
 * ratio (sliding-only layers are priced as HCA layers, as the reference does), scale factor =
 * the layers of that ratio; mHC post; FFN norm; shared expert (gate/up GEMM, activation, down
 * GEMM), router GEMM, dispatch, MoE, combine (an OverlapOp of routed and shared in decode);
 * logits GEMM; p2p. Attention widths are per attention-TP rank (heads / tp, o_groups / tp at
 * least 1). The KV cache follows the real per-layer ratios (model_deepseek_v4_kv_bytes_per_sequence,
 * which lib/graph/memory uses). */
#ifndef INFERCAST_MODEL_DEEPSEEK_V4_H
#define INFERCAST_MODEL_DEEPSEEK_V4_H

#include "opgraph.h"

/* KV-cache bytes of one sequence of seq_len tokens on one GPU: per layer the sliding window's
 * entries, plus for compressed layers the compressed entries and the compressor's fp32 decode
 * state, plus for 4:1 layers the fp4 indexer cache and its compressor state. */
double model_deepseek_v4_kv_bytes_per_sequence(const og_config *cfg, long seq_len);

#endif
