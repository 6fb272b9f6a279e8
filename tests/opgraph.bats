#!/usr/bin/env bats
# opgraph: model records in, a config record and the reference's op records out.
load test_helper
bats_require_minimum_version 1.5.0

QWEN="$FIXTURES/opgraph_qwen3_32b.jsonl"
LLAMA="$FIXTURES/opgraph_llama31_8b.jsonl"
BASE=(--system h200_sxm --backend trtllm)

ops_named() { grep "\"name\":\"$1\""; }

@test "opgraph --help prints the usage and exits 0" {
	run opgraph --help
	assert_success
	assert_line --index 0 --partial "usage: opgraph --system S --backend B"
}

@test "opgraph: unknown option, missing value, missing required options are usage errors" {
	run opgraph --bogus
	assert_failure 2
	assert_output "opgraph: unknown option '--bogus'
try 'opgraph --help'"
	run opgraph --tp
	assert_failure 2
	assert_line --index 0 "opgraph: option '--tp' needs a value"
	run opgraph --system h200_sxm --backend trtllm --isl 10 --osl 10
	assert_failure 2
	assert_line --index 0 "opgraph: --batch is required"
}

@test "opgraph: batch 0, isl <= prefix, unknown quant, mode, backend and system are usage errors" {
	run opgraph "${BASE[@]}" --batch 0 --isl 100 --osl 10
	assert_failure 2
	assert_line --index 0 "opgraph: --batch: 0 is out of range [1, 1099511627776]"
	run opgraph "${BASE[@]}" --batch 1 --isl 100 --osl 10 --prefix 100
	assert_failure 2
	assert_line --index 0 "opgraph: --prefix (100) must be less than --isl (100)"
	run opgraph "${BASE[@]}" --batch 1 --isl 100 --osl 10 --kvcache-quant fp4
	assert_failure 2
	assert_line --index 0 "opgraph: --kvcache-quant: unknown mode 'fp4' (one of: bfloat16, int8, fp8)"
	run opgraph "${BASE[@]}" --batch 1 --isl 100 --osl 10 --mode bogus
	assert_failure 2
	assert_line --index 0 "opgraph: --mode: 'bogus' is not one of static, static_ctx, static_gen, agg, disagg"
	run opgraph --system h200_sxm --backend tensorrt --batch 1 --isl 100 --osl 10
	assert_failure 2
	assert_line --index 0 "opgraph: --backend: 'tensorrt' is not one of trtllm, vllm, sglang"
	run opgraph --system h999 --backend trtllm --batch 1 --isl 100 --osl 10
	assert_failure 2
	assert_line --index 0 --partial "opgraph: --system: unknown system 'h999'"
}

@test "opgraph: tp not dividing the heads is bad data naming the line, with nothing on stdout" {
	run --separate-stderr opgraph "${BASE[@]}" --tp 3 --batch 8 --isl 100 --osl 10 < "$QWEN"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: num_heads 64 is not divisible by tp 3"
	assert_output ""
}

@test "opgraph: a family not built yet is bad data, named" {
	run opgraph "${BASE[@]}" --batch 1 --isl 100 --osl 10 <<<'{"record":"model","architecture":"FutureForCausalLM","family":"FUTURE","layers":32,"n":32,"n_kv":8,"d":128,"hidden_size":4096,"inter_size":14336,"vocab":32000}'
	assert_failure 1
	assert_output "opgraph: <stdin>:1: model family FUTURE (FutureForCausalLM) is not supported by opgraph yet"
}

@test "opgraph: a model record without a needed key is bad data" {
	run opgraph "${BASE[@]}" --batch 1 --isl 100 --osl 10 <<<'{"record":"model","architecture":"LlamaForCausalLM","family":"LLAMA","layers":2,"n":4,"d":8,"hidden_size":32}'
	assert_failure 1
	assert_output "opgraph: <stdin>:1: model record has no 'vocab'"
}

@test "opgraph: Qwen3-32B tp2 static: one config record then 14 context and 14 generation ops in the reference's order" {
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 100 < "$QWEN"
	assert_success
	assert_equal "$(echo "$output" | wc -l)" 29
	assert_equal "$(echo "$output" | head -1 | jget record)" config
	assert_equal "$(echo "$output" | sed -n 2p | jget name)" context_embedding
	assert_equal "$(echo "$output" | sed -n 15p | jget name)" context_p2p
	assert_equal "$(echo "$output" | sed -n 16p | jget name)" generation_embedding
	assert_equal "$(echo "$output" | tail -1 | jget name)" generation_p2p
	qkv=$(echo "$output" | ops_named context_qkv_gemm)
	assert_equal "$(echo "$qkv" | jget op_type)" GEMM
	assert_equal "$(echo "$qkv" | jget attrs)" '{"n":5120,"k":5120,"quant_mode":"bfloat16","weights":52428800,"scale_num_tokens":1,"low_precision_input":false}'
	assert_equal "$(echo "$qkv" | jget scale_factor)" 64
	assert_equal "$(echo "$qkv" | jget points)" '[{"x":32000,"batch":8,"beam":1,"s":4000,"prefix":0,"count":1}]'
	attn=$(echo "$output" | ops_named context_attention)
	assert_equal "$(echo "$attn" | jget attrs)" '{"n":32,"weights":0,"n_kv":4,"kvcache_quant_mode":"bfloat16","fmha_quant_mode":"bfloat16","window_size":0,"head_size":128,"use_qk_norm":true}'
	# logits: one token per sequence
	assert_equal "$(echo "$output" | ops_named context_logits_gemm | jget points.0.x)" 8
}

@test "opgraph: generation points every 32 steps, the last one standing for the remaining steps" {
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 100 < "$QWEN"
	assert_success
	pts=$(echo "$output" | ops_named generation_attention | jget points)
	assert_equal "$pts" '[{"x":8,"batch":8,"beam":1,"s":4001,"prefix":0,"count":32},{"x":8,"batch":8,"beam":1,"s":4033,"prefix":0,"count":32},{"x":8,"batch":8,"beam":1,"s":4065,"prefix":0,"count":32},{"x":8,"batch":8,"beam":1,"s":4097,"prefix":0,"count":3}]'
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 100 --stride 50 < "$QWEN"
	assert_equal "$(echo "$output" | ops_named generation_qkv_gemm | jget points.1.count)" 49
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 1 < "$QWEN"
	assert_equal "$(echo "$output" | ops_named generation_qkv_gemm | jget points)" '[]'
}

@test "opgraph: prefix shortens the context points and keeps the prefix" {
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 10 --prefix 1000 < "$QWEN"
	assert_success
	assert_equal "$(echo "$output" | ops_named context_attention | jget points)" '[{"x":24000,"batch":8,"beam":1,"s":3000,"prefix":1000,"count":1}]'
	assert_equal "$(echo "$output" | ops_named generation_attention | jget points.0.s)" 4001
}

@test "opgraph: static_ctx emits one phase, static_gen prices one; memory follows the reference's per-mode arguments" {
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 1000 --mode static_ctx < "$QWEN"
	assert_success
	assert_equal "$(echo "$output" | grep -c '"phase":"context"')" 14
	assert_equal "$(echo "$output" | grep -c '"phase":"generation"')" 0
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 1000 --mode static_gen < "$QWEN"
	# static_gen lists the context ops with no points (they report 0 ms, as the reference's breakdown)
	assert_equal "$(echo "$output" | grep -c '"phase":"context"')" 14
	assert_equal "$(echo "$output" | grep '"phase":"context"' | grep -vc '"points":\[\]')" 0
	assert_equal "$(echo "$output" | grep -c '"phase":"generation"')" 14
	# the reference's golden for this case: 39.296630859375 GiB (activations for one token per sequence)
	approx "$(echo "$output" | head -1 | jget memory_gib.total)" 39.296630859375
	approx "$(echo "$output" | head -1 | jget memory_gib.activations)" 0.068359375
}

@test "opgraph: the config record carries the runtime, resolved quant modes and the memory model" {
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 1000 --config-id q32 < "$QWEN"
	assert_success
	cfg=$(echo "$output" | head -1)
	assert_equal "$(echo "$cfg" | jget config_id)" q32
	assert_equal "$(echo "$cfg" | jget model.model_path)" Qwen/Qwen3-32B
	assert_equal "$(echo "$cfg" | jget num_gpus)" 2
	assert_equal "$(echo "$cfg" | jget moe_tp)" null
	assert_equal "$(echo "$cfg" | jget comm_quant)" half
	# golden qwen3_32b__h200_sxm__trtllm__isl4000_osl1000__bs8_tp2_pp1
	approx "$(echo "$cfg" | jget memory_gib.weights)" 30.511474609375
	approx "$(echo "$cfg" | jget memory_gib.kvcache)" 4.8828125
	approx "$(echo "$cfg" | jget memory_gib.activations)" 3.173828125
	approx "$(echo "$cfg" | jget memory_gib.nccl)" 0.333984375
	approx "$(echo "$cfg" | jget memory_gib.total)" 42.402099609375
	assert_equal "$(echo "$cfg" | jget oom)" false
	assert_equal "$(echo "$output" | sed -n 2p | jget config_id)" q32
}

@test "opgraph: quant overrides win over the checkpoint; vLLM falls back to bfloat16 FMHA" {
	run opgraph "${BASE[@]}" --batch 1 --isl 100 --osl 2 --gemm-quant fp8 --kvcache-quant fp8 < "$LLAMA"
	assert_success
	assert_equal "$(echo "$output" | ops_named context_qkv_gemm | jget attrs.quant_mode)" fp8
	assert_equal "$(echo "$output" | ops_named context_logits_gemm | jget attrs.quant_mode)" bfloat16
	assert_equal "$(echo "$output" | ops_named generation_attention | jget attrs.kv_cache_dtype)" fp8
	run opgraph --system h200_sxm --backend vllm --batch 1 --isl 100 --osl 2 --fmha-quant fp8 < "$LLAMA"
	assert_equal "$(echo "$output" | head -1 | jget fmha_quant)" bfloat16
}

@test "opgraph: MTP (nextn 1) scales generation ops and widens the decode batch" {
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 1000 --osl 10 --nextn 1 < "$QWEN"
	assert_success
	# 64 layers × 1/(1 + 0.85) × (64 + 1)/64
	approx "$(echo "$output" | ops_named generation_qkv_gemm | jget scale_factor)" 35.13513513513514 1e-12
	assert_equal "$(echo "$output" | ops_named context_qkv_gemm | jget scale_factor)" 64
	assert_equal "$(echo "$output" | ops_named generation_qkv_gemm | jget points.0.batch)" 16
}

@test "opgraph: a record's runtime and config_id override the options; other records pass through" {
	run opgraph "${BASE[@]}" --batch 1 --isl 100 --osl 2 <<<"$(sed 's/^{/{"config_id":"a","runtime":{"tp":4,"batch":3},/' "$QWEN")
{\"record\":\"report\",\"x\":1}"
	assert_success
	assert_equal "$(echo "$output" | head -1 | jget tp)" 4
	assert_equal "$(echo "$output" | head -1 | jget batch)" 3
	assert_equal "$(echo "$output" | sed -n 2p | jget config_id)" a
	assert_equal "$(echo "$output" | tail -1)" '{"record":"report","x":1}'
}

@test "opgraph: several model records get distinct config ids" {
	run opgraph "${BASE[@]}" --batch 1 --isl 100 --osl 2 < <(cat "$QWEN" "$LLAMA")
	assert_success
	assert_equal "$(echo "$output" | grep '"record":"config"' | jget config_id | tr '\n' ' ')" "c1 c2 "
}

@test "opgraph --point-runs: a generation op's points as one run; context points and the rest unchanged" {
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 100 --point-runs < "$QWEN"
	assert_success
	assert_equal "$(echo "$output" | ops_named generation_attention | jget points)" '[{"x":8,"batch":8,"beam":1,"s":4001,"prefix":0,"count":32,"run":4,"s_step":32,"last_count":3}]'
	runs=$output
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 100 < "$QWEN"
	assert_equal "$(echo "$runs" | grep -v '"phase":"generation"')" "$(echo "$output" | grep -v '"phase":"generation"')"
	# a last point counted like the others carries no last_count; one point stays a plain point
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 65 --point-runs < "$QWEN"
	assert_equal "$(echo "$output" | ops_named generation_attention | jget points)" '[{"x":8,"batch":8,"beam":1,"s":4001,"prefix":0,"count":32,"run":2,"s_step":32}]'
	run opgraph "${BASE[@]}" --tp 2 --batch 8 --isl 4000 --osl 20 --point-runs < "$QWEN"
	assert_equal "$(echo "$output" | ops_named generation_attention | jget points)" '[{"x":8,"batch":8,"beam":1,"s":4001,"prefix":0,"count":19}]'
}
