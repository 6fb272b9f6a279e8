#!/usr/bin/env bats
# Serving estimates (pipelines/estimate --mode agg|disagg) against the reference: every serving
# golden (../shared/goldens/serving, every result column; agg 1e-6 relative, disagg within the
# reference's 3-decimal rounding), a sample of the reference's predictions of measured
# deployments (../shared/reference/silicon_h100_h200_predicted.csv), the op records opgraph
# writes per step, and the refusals.
load test_helper

PARITY="$TOOLS/parity_serving"
EST="$ROOT/pipelines/estimate"
QWEN32="$MODELS/Qwen--Qwen3-32B"
H200=(--system h200_sxm --backend trtllm)

note() { echo "# $*" >&3; }

@test "serving parity: every golden's result row" {
	local n=0 bad=0 f args out
	for f in "$GOLDENS"/serving/*.json; do
		args=$("$PARITY" args "$f")
		set -- $args
		local model=$1
		shift
		n=$((n + 1))
		if ! out=$("$EST" --model "$SHARED/$model" "$@" 2>&1 </dev/null); then
			bad=$((bad + 1))
			echo "$(basename "$f"): $out"
			continue
		fi
		if ! out=$(echo "$out" | "$PARITY" check "$f" 2>&1); then
			bad=$((bad + 1))
			echo "$(basename "$f"):"; echo "$out" | head -10
		fi
	done
	note "serving goldens: $((n - bad))/$n match"
	# All 12 goldens of ../shared/goldens/serving, every family: fewer means goldens went missing.
	[ "$n" -eq 12 ]
	[ "$bad" -eq 0 ]
}

@test "serving parity: the reference's predictions of measured deployments (every 8th row with numbers)" {
	local n=0 bad=0 i=0 id ttft tpot model rest out
	while read -r id ttft tpot model rest; do
		i=$((i + 1))
		[ $((i % 8)) -eq 1 ] || continue
		n=$((n + 1))
		if ! out=$("$EST" --model "$SHARED/$model" $rest 2>&1 </dev/null); then
			bad=$((bad + 1)); echo "$id: $out"; continue
		fi
		if ! out=$(echo "$out" | "$PARITY" csvcheck "$ttft" "$tpot" 2>&1); then
			bad=$((bad + 1)); echo "$id: $out"
		fi
	done < <("$PARITY" csv "$SHARED/reference/silicon_h100_h200_predicted.csv")
	note "reference predictions: $((n - bad))/$n sampled rows match (ttft, tpot at 1e-6)"
	# Every 8th of the 746 rows the reference has numbers for: fewer means rows went missing.
	[ "$n" -eq 94 ]
	[ "$bad" -eq 0 ]
}

@test "opgraph --mode agg: one config record with the step plan, then each step's static run tagged" {
	run bash -c "hfparse '$QWEN32' | opgraph ${H200[*]} --tp 4 --batch 64 --isl 4000 --osl 1000 --mode agg"
	assert_success
	local config
	config=$(echo "$output" | head -1)
	[ "$(echo "$config" | jget mode)" = agg ]
	[ "$(echo "$config" | jget serving.ctx_tokens)" = 4000 ]
	[ "$(echo "$config" | jget serving.num_mix_steps)" = 64 ]
	[ "$(echo "$config" | jget serving.num_genonly_steps)" = 936 ]
	[ "$(echo "$config" | jget serving.mix_gen_tokens)" = 63 ]
	[ "$(echo "$config" | jget serving.max_num_tokens)" = 8192 ]
	approx "$(echo "$config" | jget memory_gib.total)" 39.2947998046875
	# mix: every context op but attention, as one sequence of 4000 + 63 tokens
	[ "$(echo "$output" | grep -c '"step":"mix"')" -eq 13 ]
	echo "$output" | grep '"step":"mix"' | grep -q '"name":"context_qkv_gemm".*"x":4063,"batch":1,"beam":1,"s":4063'
	[ "$(echo "$output" | grep '"step":"mix"' | grep -c '"name":"context_attention"')" -eq 0 ]
	# context attention of one whole prompt; decode attention of the 63 other requests at isl + osl/2
	echo "$output" | grep '"step":"mix_ctx_attention"' | grep -q '"name":"context_attention".*"x":4000,"batch":1'
	echo "$output" | grep '"step":"mix_gen_attention"' | grep -q '"x":63,"batch":63,"beam":1,"s":4501'
	[ "$(echo "$output" | grep -c '"step":"genonly"')" -eq 14 ]
}

@test "opgraph --mode agg with batch 1: no decode attention in the mixed step" {
	run bash -c "hfparse '$QWEN32' | opgraph ${H200[*]} --tp 2 --batch 1 --isl 4000 --osl 1000 --mode agg"
	assert_success
	refute_output --partial '"step":"mix_gen_attention"'
	[ "$(echo "$output" | head -1 | jget serving.num_genonly_steps)" = 999 ]
}

@test "opgraph --mode disagg: prefill (static_ctx) and decode (static_gen) sides with their layouts" {
	run bash -c "hfparse '$QWEN32' | opgraph ${H200[*]} --isl 4000 --osl 1000 --mode disagg \
		--prefill-tp 1 --prefill-batch 1 --prefill-workers 4 --decode-tp 4 --decode-batch 280"
	assert_success
	local config
	config=$(echo "$output" | head -1)
	[ "$(echo "$config" | jget serving.prefill.workers)" = 4 ]
	[ "$(echo "$config" | jget serving.decode.tp)" = 4 ]
	[ "$(echo "$config" | jget serving.decode.workers)" = 1 ]
	[ "$(echo "$config" | jget serving.num_total_gpus)" = 8 ]
	approx "$(echo "$config" | jget serving.prefill.latency_correction_scale)" 1.1
	[ "$(echo "$config" | jget tp)" = 4 ]
	echo "$output" | grep '"step":"prefill"' | grep -q '"name":"context_qkv_gemm".*"attrs":{"n":10240'
	echo "$output" | grep '"step":"decode"' | grep -q '"name":"generation_qkv_gemm".*"attrs":{"n":2560'
	[ "$(echo "$output" | grep '"step":"prefill"' | grep -c '"phase":"generation"')" -eq 0 ]
}

@test "estimate --mode agg --ops: per-step op latencies and the step latencies" {
	run "$EST" --model "$QWEN32" "${H200[@]}" --tp 4 --batch 64 --isl 4000 --osl 1000 --mode agg --ops --format jsonl
	assert_success
	approx "$(echo "$output" | jget ttft_ms)" 559.9353259952919
	# one prompt per mixed step, times the queueing factor 2 + (64 - 3) / 20 = 5.05, capped at 4
	approx "$(echo "$output" | jget mix_step_latency_ms)" "$(echo "$output" | jget ttft_ms | awk '{printf "%.17g", $1 / 4.0}')"
	[ "$(echo "$output" | jget ops.0.step)" = mix ]
	[ "$(echo "$output" | jget num_ctx_reqs)" = 1 ]
	[ "$(echo "$output" | jget serving.kv_cache_oom)" = false ]
}

@test "serving refusals: batch too small for the ctx tokens, missing side batches, bad ctx tokens" {
	run bash -c "hfparse '$QWEN32' | opgraph ${H200[*]} --tp 2 --batch 2 --isl 4000 --osl 1000 --mode agg --ctx-tokens 8000"
	assert_failure 1
	assert_output "opgraph: <stdin>:1: agg: batch 2 is too small for ctx_tokens 8000: a step's prompt budget covers 2 requests of isl 4000, which leaves no decode request (give a batch of at least 3 or fewer ctx tokens)"
	run "$EST" --model "$QWEN32" "${H200[@]}" --tp 2 --batch 2 --isl 4000 --osl 1000 --mode agg --ctx-tokens 8000
	assert_failure 1
	assert_output --partial "agg: batch 2 is too small for ctx_tokens 8000"
	run "$EST" --model "$QWEN32" "${H200[@]}" --isl 4000 --osl 1000 --mode disagg --prefill-batch 1
	assert_failure 2
	assert_output "estimate: --mode disagg: --decode-batch is required
try 'estimate --help'"
	run bash -c "hfparse '$QWEN32' | opgraph ${H200[*]} --isl 4000 --osl 1000 --mode disagg --decode-batch 8"
	assert_failure 2
	assert_line --index 0 "opgraph: --mode disagg: --prefill-batch and --decode-batch (or --concurrency) are required"
	run bash -c "hfparse '$QWEN32' | opgraph ${H200[*]} --batch 8 --isl 4000 --osl 1000 --mode agg --ctx-tokens 0"
	assert_failure 2
	assert_line --index 0 "opgraph: --ctx-tokens: 0 is out of range [1, 1099511627776]"
	run "$EST" --model "$QWEN32" "${H200[@]}" --isl 4000 --osl 1000 --mode agg --batch 8
	assert_failure 2
	assert_line --index 0 "estimate: --tp is required"
}

@test "aggregate: an op with an unknown step, and a serving config whose steps are missing, are bad data" {
	local cfg
	cfg=$(hfparse "$QWEN32" | opgraph "${H200[@]}" --tp 4 --batch 64 --isl 4000 --osl 1000 --mode agg | head -1)
	run bash -c "printf '%s\n%s\n' '$cfg' '{\"record\":\"op\",\"config_id\":\"c1\",\"phase\":\"context\",\"name\":\"x\",\"latency_ms\":1,\"step\":\"warmup\"}' | aggregate"
	assert_failure 1
	assert_output "aggregate: <stdin>:2: op 'x': unknown step 'warmup' (mix, mix_ctx_attention, mix_gen_attention, genonly, prefill, decode, load_prefill, load_chunk, load_decode)"
	run bash -c "printf '%s\n' '$cfg' | aggregate"
	assert_failure 1
	assert_output "aggregate: <stdin>:1: config 'c1': 0 of its 29 op records arrived (did an earlier stage stop?)"
	# without the announced count (a hand-made stream) the missing step is what is reported
	run bash -c "printf '%s\n' '$cfg' | sed 's/,\"op_records\":[0-9]*//' | aggregate"
	assert_failure 1
	assert_output "aggregate: <stdin>:1: config 'c1': agg: no ops of step 'mix'"
}

@test "estimate --mode agg refuses a deployment that does not fit in memory (the reference's CLI does); aggregate alone reports oom" {
	local l70="$MODELS/meta-llama--Meta-Llama-3.1-70B"
	run "$EST" --model "$l70" "${H200[@]}" --isl 4000 --osl 1000 --mode agg --batch 8 --tp 1 --format jsonl
	assert_failure 1
	assert_output "estimate: config 'c1': OOM: the model 'meta-llama/Meta-Llama-3.1-70B' does not fit in GPU memory on system 'h200_sxm' (148.496 GiB per GPU, capacity 141.000 GiB)"
	run bash -c "hfparse '$l70' | opgraph ${H200[*]} --isl 4000 --osl 1000 --mode agg --batch 8 --tp 1 | query | aggregate"
	assert_success
	[ "$(echo "$output" | jget oom)" = true ]
}
