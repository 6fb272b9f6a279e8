#!/usr/bin/env bats
# The MOE family end to end: opgraph's op list and construction checks, query's MoE look-ups
# and refusals, against the reference's numbers (the static goldens run in parity_static.bats).
load test_helper
bats_require_minimum_version 1.5.0

MIXTRAL="$MODELS/mistralai--Mixtral-8x7B-v0.1"
QWEN_MOE="$MODELS/Qwen--Qwen3-30B-A3B"
QWEN_MOE_FP8="$MODELS/Qwen--Qwen3-30B-A3B-FP8"
GPTOSS="$MODELS/openai--gpt-oss-120b"

@test "moe: Mixtral's op list (router, dispatch, experts, no context logits) and MoE attrs" {
	names=$(hfparse "$MIXTRAL" | opgraph --system h200_sxm --backend trtllm --tp 2 --moe-tp 1 --moe-ep 2 --batch 8 --isl 1024 --osl 128 | grep '"record":"op"' | jget name)
	assert_equal "$(echo "$names" | tr '\n' ' ')" "context_embedding context_add_norm_1 context_qkv_gemm context_attention context_proj_gemm context_add_norm_2 context_router_gemm context_moe_pre_dispatch context_moe context_moe_post_dispatch context_embedding_ar context_p2p generation_embedding generation_add_norm_1 generation_qkv_gemm generation_attention generation_proj_gemm generation_add_norm_2 generation_router_gemm generation_moe_pre_dispatch generation_moe generation_moe_post_dispatch generation_logits_gemm generation_embedding_ar generation_p2p "
	moe=$(hfparse "$MIXTRAL" | opgraph --system h200_sxm --backend trtllm --tp 2 --moe-tp 1 --moe-ep 2 --batch 8 --isl 1024 --osl 128 | grep '"name":"context_moe"')
	# 4096 x 14336 x 8 experts x 2 bytes x 3 GEMMs over 2 EP ranks
	assert_equal "$(echo "$moe" | jget attrs.weights)" 1409286144
	assert_equal "$(echo "$moe" | jget attrs.workload_distribution)" power_law_1.2
	assert_equal "$(echo "$moe" | jget scale_factor)" 32
}

@test "moe: gpt-oss lists a windowed attention half first, then the full half" {
	out=$(hfparse "$GPTOSS" | opgraph --system h200_sxm --backend trtllm --tp 2 --moe-ep 2 --batch 8 --isl 1024 --osl 128 | grep '"name":"context_attention"')
	assert_equal "$(echo "$out" | jget attrs.window_size | tr '\n' ' ')" "128 0 "
	assert_equal "$(echo "$out" | jget scale_factor | tr '\n' ' ')" "18 18 "
}

@test "moe: construction checks are bad data naming what is wrong" {
	run --separate-stderr bash -c "hfparse '$QWEN_MOE_FP8' | opgraph --system h200_sxm --backend trtllm --tp 4 --moe-tp 4 --batch 8 --isl 100 --osl 10"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: fp8_block experts: moe_inter_size 768 / moe_tp 4 = 192 is not a multiple of the weight block size 128"
	assert_output ""
	run --separate-stderr bash -c "hfparse '$MIXTRAL' | opgraph --system h200_sxm --backend trtllm --tp 16 --moe-ep 16 --batch 8 --isl 100 --osl 10"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: moe_ep 16 exceeds the model's 8 experts"
	run --separate-stderr bash -c "hfparse '$MODELS/Qwen--Qwen3-VL-30B-A3B-Instruct' | opgraph --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 100 --osl 10"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: QWEN3VL_MOE (Qwen3VLMoeForConditionalGeneration): moe_tp and moe_ep are unset (the reference does not infer them for this family); give --moe-tp and --moe-ep"
}

@test "moe: attention DP on SGLang prices the experts at every rank's tokens and NCCL around them" {
	out=$(hfparse "$QWEN_MOE" | opgraph --system h100_sxm --backend sglang --tp 1 --dp 4 --moe-ep 4 --batch 8 --isl 1024 --osl 128 |
		query --system h100_sxm --backend sglang | grep -E '"name":"context_moe(_pre_dispatch)?"')
	# the reference: context_moe 48 layers at 32768 tokens, and the all-gather before
	approx "$(echo "$out" | sed -n 2p | jget latency_ms)" 513.8573437499999
	approx "$(echo "$out" | sed -n 1p | jget latency_ms)" 16.876800000000003
	assert_equal "$(echo "$out" | jget source | tr '\n' ' ')" "silicon silicon "
}

@test "moe: no MoE table row in SILICON mode is refused naming the op and the shape; HYBRID falls back" {
	run --separate-stderr bash -c "hfparse '$GPTOSS' | opgraph --system h100_sxm --backend vllm --tp 4 --moe-tp 4 --batch 32 --isl 4000 --osl 1000 | query --system h100_sxm --backend vllm"
	assert_failure 1
	assert_equal "$stderr" "query: <stdin>:11: op context_moe: MoE num_tokens=128000 hidden_size=2880 inter_size=2880 topk=4 num_experts=128 moe_tp=4 moe_ep=1 quant w4a16_mxfp4 distribution power_law_1.2: moe_perf.txt has no w4a16_mxfp4 rows (it has: int4_wo, fp8, bfloat16, fp8_block) in $INFERCAST_DATA/h100_sxm/vllm/0.19.0/moe_perf.txt (try --database-mode hybrid)"
	out=$(hfparse "$GPTOSS" | opgraph --system h100_sxm --backend vllm --tp 4 --moe-tp 4 --batch 32 --isl 4000 --osl 1000 |
		query --system h100_sxm --backend vllm --database-mode hybrid | grep '"name":"context_moe"')
	assert_equal "$(echo "$out" | jget source)" empirical
}
