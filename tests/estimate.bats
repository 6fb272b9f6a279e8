#!/usr/bin/env bats
# pipelines/estimate: hfparse | opgraph | query | aggregate for one configuration.
load test_helper
bats_require_minimum_version 1.5.0

EST="$ROOT/pipelines/estimate"
QWEN32="$MODELS/Qwen--Qwen3-32B"
CASE=(--model "$QWEN32" --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 4000 --osl 1000)

@test "estimate --help prints the usage and exits 0" {
	run "$EST" --help
	assert_success
	assert_line --index 0 --partial "usage: estimate --model DIR --system S --backend B --tp N"
}

@test "estimate: missing options, unknown options, bad values are usage errors" {
	run "$EST" --model "$QWEN32"
	assert_failure 2
	assert_output "estimate: --system, --backend, --tp, --batch, --isl and --osl are required
try 'estimate --help'"
	run "$EST" "${CASE[@]}" --frobnicate 1
	assert_failure 2
	assert_line --index 0 "estimate: unknown option '--frobnicate'"
	run "$EST" "${CASE[@]}" --format xml
	assert_failure 2
	assert_line --index 0 "estimate: --format: 'xml' is not one of table, jsonl, csv"
	run "$EST" "${CASE[@]}" --mode bogus
	assert_failure 2
	assert_line --index 0 "estimate: --mode: 'bogus' is not one of static, static_ctx, static_gen, agg, disagg"
	run "$EST" "${CASE[@]}" --tp '2 3'
	assert_failure 2
	assert_line --index 0 "estimate: --tp: '2 3' is not a plain value"
	run "$EST" --model /nonexistent --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 1 --osl 1
	assert_failure 2
	assert_line --index 0 "estimate: --model: '/nonexistent' does not exist"
}

@test "estimate: a stage's failure is the pipeline's, with its message and nothing on stdout" {
	run --separate-stderr "$EST" --model "$QWEN32" --system h200_sxm --backend trtllm --tp 3 --batch 8 --isl 100 --osl 10
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "estimate: num_heads 64 is not divisible by tp 3"
}

@test "estimate: Qwen3-32B on h200 trtllm tp2 matches the reference's golden (jsonl)" {
	run --separate-stderr "$EST" "${CASE[@]}" --format jsonl
	assert_success
	approx "$(echo "$output" | jget ttft_ms)" 1749.8732658229642
	approx "$(echo "$output" | jget tpot_ms)" 12.656936362841101
	approx "$(echo "$output" | jget tokens_per_s_per_gpu)" 277.89061888577976
	approx "$(echo "$output" | jget memory_gib.total)" 42.402099609375
}

@test "estimate: the default format is a table with one row, in two blocks of at most 120 columns" {
	run --separate-stderr "$EST" "${CASE[@]}"
	assert_success
	# (bats leaves the blank line between the blocks out of lines)
	assert_equal "${#lines[@]}" 6
	assert_line --index 0 --regexp "^config +model +system +backend +version +database +tp +pp +dp +batch +isl +osl$"
	assert_line --index 2 --regexp "^c1 +Qwen/Qwen3-32B +h200_sxm +trtllm +1\.3\.0rc10 +silicon +2 +1 +1 +8 +4000 +1000$"
	assert_line --index 3 --regexp "^config +gemm +kvcache +ttft_ms +tpot_ms +request_ms +tokens/s/gpu +tokens/s/user +memory_gib +oom$"
	assert_line --index 4 --regexp "^ +ms +ms +ms +tok/s/GPU +tok/s/user +GiB$"
	assert_line --index 5 --regexp "^c1 +bfloat16 +bfloat16 +1749\.873 +12\.657 +14394\.153 +277\.891 +79\.008 +42\.402 +false$"
}

@test "estimate: csv and --ops pass through to aggregate" {
	run --separate-stderr "$EST" "${CASE[@]}" --format csv
	assert_success
	assert_equal "${#lines[@]}" 2
	run --separate-stderr "$EST" "${CASE[@]}" --format jsonl --ops
	assert_success
	assert_equal "$(echo "$output" | jget ops.0.name)" context_embedding
}

@test "estimate: without perf data it says so and gives speed-of-light estimates" {
	empty=$(mktemp -d)
	run --separate-stderr "$EST" "${CASE[@]}" --data-dir "$empty" --format jsonl
	rmdir "$empty"
	assert_success
	assert_equal "$stderr" "estimate: no perf data for h200_sxm/trtllm under $empty: speed-of-light estimates (--database-mode sol)"
	run approx "$(echo "$output" | jget ttft_ms)" 1749.8732658229642 0.01
	assert_failure
}
