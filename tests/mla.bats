#!/usr/bin/env bats
# MLA (DeepSeek-V3/R1, Kimi-K2.5): the MLA block (FallbackOp: MLA module, else its parts), the
# decode MoE overlap (OverlapOp), and the MLA tables, checked against the reference's goldens.
load test_helper

DSV3="$MODELS/deepseek-ai--DeepSeek-V3"
DS_OPTS=(--tp 8 --moe-tp 1 --moe-ep 8 --batch 8 --isl 1024 --osl 128)

@test "opgraph: the MLA block is a FallbackOp with the MLA module first and its parts as fallback" {
	run bash -c "hfparse '$DSV3' | opgraph --system h200_sxm --backend trtllm ${DS_OPTS[*]} | grep '\"name\":\"context_mla_block\"'"
	assert_success
	[ "$(echo "$output" | jget op_type)" = FallbackOp ]
	[ "$(echo "$output" | jget attrs)" = '{"primary_unavailable":false}' ]
	[ "$(echo "$output" | jget primary.op_type)" = MLAModule ]
	[ "$(echo "$output" | jget primary.attrs.num_heads)" = 16 ]
	[ "$(echo "$output" | jget fallback.0.name)" = context_downscale_gemm ]
	[ "$(echo "$output" | jget fallback.3.op_type)" = ContextMLA ]
	[ "$(echo "$output" | jget fallback.4.attrs.k)" = 2048 ]
}

@test "opgraph: decode overlaps the shared expert with the routed path; vLLM uses plain attention" {
	run bash -c "hfparse '$DSV3' | opgraph --system h200_sxm --backend trtllm ${DS_OPTS[*]} | grep '\"name\":\"generation_moe_overlap\"'"
	assert_success
	[ "$(echo "$output" | jget group_a.0.name)" = generation_router_gemm ]
	[ "$(echo "$output" | jget group_b.2.name)" = generation_shared_ffn2_gemm ]
	run bash -c "hfparse '$DSV3' | opgraph --system h200_sxm --backend vllm ${DS_OPTS[*]} | grep '\"name\":\"generation_mla_block\"'"
	assert_success
	[ "$(echo "$output" | jget fallback.2.op_type)" = GenerationAttention ]
	[ "$(echo "$output" | jget fallback.2.attrs.head_size)" = 128 ]
}

@test "query: the MLA module answers when its table has the shape (golden TRT-LLM, fmha bfloat16)" {
	run bash -c "hfparse '$DSV3' | opgraph --system h200_sxm --backend trtllm ${DS_OPTS[*]} --fmha-quant bfloat16 |
		query | grep '\"name\":\"context_mla_block\"' | \"$TOOLS/jget\" latency_ms"
	assert_success
	approx "$output" 62.3664
	run bash -c "hfparse '$DSV3' | opgraph --system h200_sxm --backend trtllm ${DS_OPTS[*]} --fmha-quant bfloat16 |
		query | grep '\"name\":\"generation_mla_block\"' | \"$TOOLS/jget\" latency_ms"
	approx "$output" 477.0817588108754
}

@test "query: without module tables (SGLang) the fallback ops are priced (golden)" {
	run bash -c "hfparse '$DSV3' | opgraph --system h200_sxm --backend sglang ${DS_OPTS[*]} --fmha-quant bfloat16 |
		query | grep '_mla_block' | \"$TOOLS/jget\" latency_ms"
	assert_success
	approx "${lines[0]}" 64.03549253628314
	approx "${lines[1]}" 647.4225985363007
}

@test "query: SOL and HYBRID database modes (goldens)" {
	run bash -c "hfparse '$DSV3' | opgraph --system h200_sxm --backend trtllm ${DS_OPTS[*]} |
		query --database-mode sol | grep -e '_mla_block' -e moe_overlap | \"$TOOLS/jget\" latency_ms"
	assert_success
	approx "${lines[0]}" 1.5990784000000002
	approx "${lines[1]}" 12.068461226666667
	approx "${lines[2]}" 581.9221370311111
	run bash -c "hfparse '$DSV3' | opgraph --system h200_sxm --backend trtllm ${DS_OPTS[*]} |
		query --database-mode hybrid | grep '_mla_block' | \"$TOOLS/jget\" source"
	assert_line --index 0 mixed
	assert_line --index 1 silicon
}

@test "query: SILICON refuses fp8 FMHA MLA without table rows, naming the look-up" {
	run bash -c "set -o pipefail; hfparse '$DSV3' | opgraph --system h200_sxm --backend sglang ${DS_OPTS[*]} | query"
	assert_failure 1
	assert_output --partial "op context_mla_block: context_attention: failed to query context MLA data for b=8, s=1024, prefix=0, num_heads=16, kv cache fp8, fmha fp8"
	assert_output --partial "(try --database-mode hybrid)"
}

@test "query: a FallbackOp record without its inner ops is refused" {
	rec='{"record":"op","name":"x","op_type":"FallbackOp","scale_factor":1,"attrs":{},"points":[{"x":1,"batch":1,"s":1}]}'
	run bash -c "echo '$rec' | query --system h200_sxm --backend trtllm"
	assert_failure 1
	assert_output --partial "FallbackOp lacks the object 'primary'"
}
