#!/usr/bin/env bats
# The DEEPSEEKV4 family end to end (DeepSeek-V4-Flash / -Pro): opgraph's op list (mHC modules,
# one compressed-attention op per compress ratio), the KV cache by layer ratio, the refusals,
# and query's DeepSeek-V4 modules (no tables: SILICON refuses, HYBRID falls back) against the
# reference's numbers. The static golden runs in parity_static.bats.
load test_helper
bats_require_minimum_version 1.5.0

FLASH="$MODELS/deepseek-ai--DeepSeek-V4-Flash"
PRO="$MODELS/deepseek-ai--DeepSeek-V4-Pro"
RUN=(--system h200_sxm --backend trtllm --tp 8 --moe-tp 1 --moe-ep 8 --batch 8 --isl 1024 --osl 128)

@test "dsv4: Flash's op list (mHC around attention, per-ratio attention ops, shared/routed overlap in decode)" {
	names=$(hfparse "$FLASH" | opgraph "${RUN[@]}" | grep '"record":"op"' | jget name)
	assert_equal "$(echo "$names" | tr '\n' ' ')" "context_embedding context_mhc_pre context_attn_norm context_attention context_attention context_mhc_post context_ffn_norm context_shared_gate_up_gemm context_shared_act_gate context_shared_ffn2_gemm context_router_gemm context_moe_pre_dispatch context_moe context_moe_post_dispatch context_logits_gemm context_p2p generation_embedding generation_mhc_pre generation_attn_norm generation_attention generation_attention generation_mhc_post generation_ffn_norm generation_moe_overlap generation_logits_gemm generation_p2p "
	attn=$(hfparse "$FLASH" | opgraph "${RUN[@]}" | grep '"name":"context_attention"')
	# 21 CSA (4:1) layers, then the 20 HCA (128:1) layers plus the 2 sliding-only layers priced as HCA
	assert_equal "$(echo "$attn" | jget attrs.compress_ratio | tr '\n' ' ')" "4 128 "
	assert_equal "$(echo "$attn" | jget scale_factor | tr '\n' ' ')" "21 22 "
	assert_equal "$(echo "$attn" | sed -n 1p | jget attrs.weights)" 42487840
	assert_equal "$(echo "$attn" | sed -n 1p | jget attrs.o_groups)" 1
	mhc=$(hfparse "$FLASH" | opgraph "${RUN[@]}" | grep '"name":"context_mhc_pre"')
	assert_equal "$(echo "$mhc" | jget attrs.weights)" 1572972
}

@test "dsv4: Pro lists its HCA layers first (first-appearance order), two output groups per rank" {
	attn=$(hfparse "$PRO" | opgraph "${RUN[@]}" | grep '"name":"generation_attention"')
	assert_equal "$(echo "$attn" | jget attrs.compress_ratio | tr '\n' ' ')" "128 4 "
	assert_equal "$(echo "$attn" | jget scale_factor | tr '\n' ' ')" "31 30 "
	assert_equal "$(echo "$attn" | sed -n 1p | jget attrs.o_groups)" 2
}

@test "dsv4: Pro on SGLang, HYBRID: TTFT, TPOT and the KV cache by layer ratio equal the reference's" {
	out=$(hfparse "$PRO" | opgraph --system h200_sxm --backend sglang --tp 8 --moe-tp 1 --moe-ep 8 --batch 16 --isl 4000 --osl 500 |
		query --system h200_sxm --backend sglang --database-mode hybrid | aggregate --ops)
	approx "$(echo "$out" | jget ttft_ms)" 6436.5290252644645
	approx "$(echo "$out" | jget tpot_ms)" 18.781614680703957
	# 16 sequences x 41474944 bytes (window, compressed entries, compressor and indexer state)
	approx "$(echo "$out" | jget memory_gib.kvcache)" 0.6180248260498047
	approx "$(echo "$out" | jget memory_gib.total)" 223.97236049622296
	ops=$(echo "$out" | jget ops | tr '}' '\n' | grep -E 'context_attention|generation_mhc_pre')
	approx "$(echo "$ops" | grep context_attention | sed 's/.*"latency_ms":\([^,]*\).*/\1/')" 4630.181621139393
	approx "$(echo "$ops" | grep generation_mhc_pre | sed 's/.*"latency_ms":\([^,]*\).*/\1/')" 74.08792644393937
}

@test "dsv4: SILICON refuses the DeepSeek-V4 modules naming the op and the tables it lacks" {
	run --separate-stderr bash -c "hfparse '$FLASH' | opgraph ${RUN[*]} | query --system h200_sxm --backend trtllm"
	assert_failure 1
	assert_equal "$stderr" "query: <stdin>:3: op context_mhc_pre: failed to query DeepSeek-V4 mHC module for num_tokens=8192, hidden_size=4096, hc_mult=4, sinkhorn_iters=20, op=pre: no silicon data (the reference reads mhc_module_perf.txt in $INFERCAST_DATA/h200_sxm/trtllm/1.3.0rc10; infercast has no reader for them) (try --database-mode hybrid)"
}

@test "dsv4: construction checks name what is wrong" {
	run --separate-stderr bash -c "hfparse '$FLASH' | sed 's/\"compress_ratios\":\[0,0,4,128,4/\"compress_ratios\":[0,16,4,128,8/' | opgraph ${RUN[*]}"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: unsupported DeepSeek-V4 compress_ratios: [8, 16] (0, 4 or 128)"
	assert_output ""
	run --separate-stderr bash -c "hfparse '$FLASH' | opgraph --system h200_sxm --backend trtllm --tp 8 --moe-tp 1 --moe-ep 16 --batch 8 --isl 1024 --osl 128"
	assert_failure 1
	assert_output ""
}
