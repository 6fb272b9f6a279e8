#!/usr/bin/env bats
# The load model of agg serving (--fidelity load, lib/serve/serving_load) and the fidelity switch.
load test_helper
bats_require_minimum_version 1.5.0

pipelines_estimate() { "$ROOT/pipelines/estimate" "$@"; }

# load_param BACKEND VERSIONS NAME: a fitted parameter of params/load_model.json (one entry a line)
load_param() {
	awk -v entry="\"backend\": \"$1\", \"versions\": \"$2\"" -v key="\"$3\": " '
		index($0, entry) { s = substr($0, index($0, key) + length(key)); sub(/[,}].*/, "", s); print s }' \
		"$ROOT/params/load_model.json"
}

Q32="$MODELS/Qwen--Qwen3-32B"
AGG="--model $Q32 --system h200_sxm --tp 2 --batch 16 --isl 4000 --osl 1000 --mode agg --format jsonl"

@test "load: agg under --fidelity load says so, names its parameters and differs from the reference" {
	run pipelines_estimate --backend vllm $AGG --fidelity load --engine-version 0.12.0
	assert_success
	[ "$(jget latency_model <<<"$output")" = load ]
	[ "$(jget load.backend <<<"$output")" = vllm ]
	[ "$(jget load.versions <<<"$output")" = "<0.16" ]
	[ "$(jget load.chunk_tokens <<<"$output")" = 8192 ]
	[ "$(jget load.chunk_prompts <<<"$output")" = 2 ]
	[ "$(jget serving.model <<<"$output")" = load ]
	local load_ttft ref_ttft
	load_ttft=$(jget ttft_ms <<<"$output")
	# the reference's numbers: from the environment (as every golden test), or the option
	run pipelines_estimate --backend vllm $AGG
	assert_success
	[ "$(jget latency_model <<<"$output" || true)" = MISSING ]
	ref_ttft=$(jget ttft_ms <<<"$output")
	approx "$ref_ttft" 550.316012323125
	[ "$load_ttft" != "$ref_ttft" ]
	INFERCAST_FIDELITY=load run pipelines_estimate --backend vllm $AGG --fidelity reference
	assert_success
	approx "$(jget ttft_ms <<<"$output")" 550.316012323125
}

@test "load: the load model's TTFT and TPOT follow from its inputs and parameters" {
	run pipelines_estimate --backend trtllm $AGG --fidelity load
	assert_success
	# one client of the report's own inputs: TTFT = overhead (fixed + per prompt token) + prefill x prefill_scale
	local p1 g
	p1=$(jget load.prefill_ms <<<"$output")
	g=$(jget load.decode_ms <<<"$output")
	run pipelines_estimate --backend trtllm ${AGG/--batch 16/--batch 1} --fidelity load
	assert_success
	[ "$(jget load.prefill_ms <<<"$output")" = "$p1" ]
	local o s t isl
	o=$(load_param trtllm ">=1.1" overhead_ms)
	s=$(load_param trtllm ">=1.1" prefill_scale)
	t=$(load_param trtllm ">=1.1" token_overhead_us)
	isl=$(jget isl <<<"$output")
	approx "$(jget ttft_ms <<<"$output")" "$(awk -v o="$o" -v s="$s" -v p="$p1" -v t="$t" -v n="$isl" 'BEGIN { printf "%.17g", o + t * 1e-3 * n + s * p }')" 1e-12
	[ -n "$g" ]
}

@test "load: SGLang's engine version picks its parameters; unknown versions take the newest" {
	run pipelines_estimate --backend sglang $AGG --fidelity load --engine-version 0.5.1.post1
	assert_success
	[ "$(jget load.versions <<<"$output")" = "<0.5.6" ]
	[ "$(jget load.chunk_tokens <<<"$output")" = 16384 ]
	run pipelines_estimate --backend sglang $AGG --fidelity load --engine-version 0.5.9
	[ "$(jget load.versions <<<"$output")" = ">=0.5.6" ]
	run pipelines_estimate --backend sglang $AGG --fidelity load
	[ "$(jget load.versions <<<"$output")" = ">=0.5.6" ]
}

@test "load: TRT-LLM does not split a prompt longer than its max_num_tokens" {
	run pipelines_estimate --backend trtllm ${AGG/--isl 4000/--isl 9000} --fidelity load
	assert_failure 1
	assert_output --partial "agg: isl 9000 exceeds the 8192 prompt tokens trtllm schedules per iteration, and it does not split prompts by default (raise --max-num-tokens to at least 9000)"
	run pipelines_estimate --backend trtllm ${AGG/--isl 4000/--isl 9000} --fidelity load --max-num-tokens 9000
	assert_success
	[ "$(jget load.chunk_tokens <<<"$output")" = 9000 ]
}

@test "load: bad fidelity values, osl 1 and mixed-up stages are errors" {
	INFERCAST_FIDELITY=exact run pipelines_estimate --backend vllm $AGG
	assert_failure 2
	assert_output --partial "INFERCAST_FIDELITY must be load or reference, not 'exact' (unset it for load)"
	run pipelines_estimate --backend vllm $AGG --fidelity best
	assert_failure 2
	assert_line --index 0 "estimate: --fidelity: 'best' is not one of load, reference"
	run pipelines_estimate --backend vllm ${AGG/--osl 1000/--osl 1} --fidelity load
	assert_failure 1
	assert_output --partial "agg: osl must be at least 2 under the load model"
	run opgraph --system h200_sxm --backend vllm --batch 4 --isl 100 --osl 10 --fidelity reference --max-num-tokens 100 </dev/null
	assert_failure 2
	assert_output --partial "--max-num-tokens, --engine-version and --kv-admission belong to the load model"
	# a configuration built for the load model, summed under the reference's fidelity
	run sh -c "hfparse '$Q32' | opgraph --system h200_sxm --backend vllm --tp 2 --batch 4 --isl 100 --osl 10 --mode agg --fidelity load | query --system h200_sxm --backend vllm | aggregate --fidelity reference"
	assert_failure 1
	assert_output --partial "config record was built for the load model (serving.model load), but aggregate runs with the reference fidelity: give opgraph and aggregate the same fidelity"
	run "$ROOT/pipelines/default" --model "$Q32" --system h200_sxm --backend vllm --total-gpus 8 --fidelity best
	assert_failure 2
	assert_line --index 0 "default: --fidelity: 'best' is not one of load, reference"
	INFERCAST_FIDELITY=best run "$ROOT/pipelines/default" --model "$Q32" --system h200_sxm --backend vllm --total-gpus 8
	assert_failure 2
	assert_line --index 0 "default: INFERCAST_FIDELITY: 'best' is not one of load, reference (unset it for load)"
	INFERCAST_FIDELITY=best run sweep --system h200_sxm --backend vllm --total-gpus 8 --isl 10 --osl 10 </dev/null
	assert_failure 2
	assert_line --index 0 "sweep: INFERCAST_FIDELITY must be load or reference, not 'best' (unset it for load)"
}

@test "load: a missing or broken parameter file is an error, not a silent default" {
	INFERCAST_LOAD_PARAMS=/nonexistent.json run pipelines_estimate --backend vllm $AGG --fidelity load
	assert_failure 1
	assert_output --partial "/nonexistent.json: No such file or directory"
	printf '{"backends": []}' >"$BATS_TEST_TMPDIR/p.json"
	run pipelines_estimate --backend vllm $AGG --fidelity load --load-params "$BATS_TEST_TMPDIR/p.json"
	assert_failure 1
	assert_output --partial "'backends' must be a non-empty list"
}

@test "load: disagg puts the clients' prompts on the prefill ranks and decodes at the decode batch" {
	local dis="--model $Q32 --system h100_sxm --backend vllm --isl 4000 --osl 1000 --mode disagg --prefill-batch 1 --prefill-workers 8 --decode-batch 224 --decode-tp 4 --decode-workers 2 --format jsonl"
	run --separate-stderr pipelines_estimate $dis --fidelity load
	assert_success
	[ "$(jget latency_model <<<"$output")" = load ]
	[ "$(jget load.clients <<<"$output")" = 448 ]
	[ "$(jget load.prefill_ranks <<<"$output")" = 8 ]
	# 8 prefill ranks keep up with 448 clients: no wait for their capacity
	[ "$(jget load.queue_ms <<<"$output")" = 0 ]
	[ "$(jget concurrency <<<"$output")" = 448 ]
	# TPOT is the decode side's step, scaled as the backend's fit says, with no prompt inside it
	local d beta oh
	d=$(jget load.decode_ms <<<"$output")
	beta=$(load_param vllm ">=0.16" decode_scale)
	oh=$(load_param vllm ">=0.16" step_overhead_ms)
	approx "$(jget tpot_ms <<<"$output")" "$(awk -v b="$beta" -v d="$d" -v o="$oh" 'BEGIN { printf "%.17g", b * d + o }')" 1e-12
	run pipelines_estimate $dis --fidelity reference --decode-batch 64
	assert_success
	[ "$(jget latency_model <<<"$output" || true)" = MISSING ]
}

@test "load: disagg's first wave takes the file's disagg.wave_share, else the backend entry's" {
	local dis="--model $Q32 --system h100_sxm --backend vllm --isl 4000 --osl 1000 --mode disagg --prefill-batch 1 --prefill-workers 2 --decode-batch 224 --decode-tp 4 --decode-workers 2 --format jsonl --fidelity load"
	run --separate-stderr pipelines_estimate $dis
	assert_success
	[ "$(jget load.wave_share <<<"$output")" = 0.16 ]
	local with=$output
	# the same file without its disagg object: vLLM 0.16+'s own wave share, and another TTFT
	/usr/bin/python3 -c 'import json, sys; p = json.load(open(sys.argv[1])); del p["disagg"]; json.dump(p, open(sys.argv[2], "w"))' \
		"$ROOT/params/load_model.json" "$BATS_TEST_TMPDIR/p.json"
	run --separate-stderr pipelines_estimate $dis --load-params "$BATS_TEST_TMPDIR/p.json"
	assert_success
	[ "$(jget load.wave_share <<<"$output")" = "$(load_param vllm ">=0.16" wave_share)" ]
	[ "$(jget ttft_ms <<<"$output")" != "$(jget ttft_ms <<<"$with")" ]
	[ "$(jget tpot_ms <<<"$output")" = "$(jget tpot_ms <<<"$with")" ]
	# a share outside [0, 1] is refused, naming the file
	/usr/bin/python3 -c 'import json, sys; p = json.load(open(sys.argv[1])); p["disagg"] = {"wave_share": 1.5}; json.dump(p, open(sys.argv[2], "w"))' \
		"$ROOT/params/load_model.json" "$BATS_TEST_TMPDIR/bad.json"
	run pipelines_estimate $dis --load-params "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 1
	assert_output --partial "bad.json: disagg.wave_share must be a number from 0 to 1"
}

@test "load: what priced an op in place of the tables is in the report, and --strict refuses it" {
	local gpt="--model $MODELS/openai--gpt-oss-120b --system h100_sxm --backend trtllm --tp 4 --moe-tp 4 --batch 16 --isl 1000 --osl 1000 --mode agg --gemm-quant nvfp4 --format jsonl"
	run --separate-stderr pipelines_estimate $gpt --fidelity load
	assert_success
	[ "$(jget fallbacks <<<"$output" | grep -o 'context_qkv_gemm: fallback: bfloat16 GEMMs for nvfp4 (the checkpoint.s)' | wc -l)" -eq 1 ]
	run pipelines_estimate $gpt --fidelity load --strict
	assert_failure 1
	assert_output --partial "no GEMM data for quant mode nvfp4"
}

@test "load: a deployment beyond the memory model is priced with oom true and a warning; --strict refuses" {
	local big="--model $MODELS/meta-llama--Meta-Llama-3.1-70B --system h100_sxm --backend vllm --tp 1 --batch 8 --isl 1000 --osl 100 --mode agg --format jsonl"
	run --separate-stderr pipelines_estimate $big --fidelity load
	assert_success
	[ "$(jget oom <<<"$output")" = true ]
	[ "$stderr" = "estimate: config 'c1': warning: the model 'meta-llama/Meta-Llama-3.1-70B' does not fit in GPU memory on system 'h100_sxm' (138.976 GiB per GPU, capacity 80.000 GiB)" ]
	run pipelines_estimate $big --fidelity load --strict
	assert_failure 1
	assert_output --partial "OOM: the model 'meta-llama/Meta-Llama-3.1-70B' does not fit in GPU memory"
}

@test "load: the table says which model produced a serving row" {
	run --separate-stderr pipelines_estimate ${AGG/--format jsonl/} --backend vllm --fidelity load
	assert_success
	assert_line --index 0 --regexp '^config +model +system +backend +version +database +mode +latency +tp '
	assert_line --index 2 --regexp '^c1 +Qwen/Qwen3-32B +h200_sxm +vllm +0\.19\.0 +silicon +agg +load +2 '
}

@test "load: --kv-admission runs the clients whose KV caches fit and queues the others" {
	# Llama-3.1-70B in fp8 on one H200, 1024 + 8192 tokens: 42 requests' fp8 KV caches fit
	local kv="--model $MODELS/meta-llama--Meta-Llama-3.1-70B --system h200_sxm --backend trtllm --tp 1 --isl 1024 --osl 8192 --mode agg --gemm-quant fp8 --kvcache-quant fp8 --format jsonl --fidelity load"
	run --separate-stderr pipelines_estimate $kv --batch 64
	assert_success
	[ "$(jget load.kv_slots <<<"$output")" = 42 ]
	[ "$(jget load.kv_admission <<<"$output")" = false ]
	[ "$(jget load.queue_ms <<<"$output")" = 0 ]
	[ "$(jget oom <<<"$output")" = true ]
	run --separate-stderr pipelines_estimate $kv --batch 64 --kv-admission
	assert_success
	[ -z "$stderr" ]
	[ "$(jget oom <<<"$output")" = false ]
	[ "$(jget load.kv_admission <<<"$output")" = true ]
	local queue ttft tpot
	queue=$(jget load.queue_ms <<<"$output")
	ttft=$(jget ttft_ms <<<"$output")
	tpot=$(jget tpot_ms <<<"$output")
	# the engine runs 42 clients: TPOT is theirs, TTFT theirs plus the wait for a slot
	run --separate-stderr pipelines_estimate $kv --batch 42 --kv-admission
	assert_success
	[ "$(jget load.queue_ms <<<"$output")" = 0 ]
	approx "$tpot" "$(jget tpot_ms <<<"$output")" 1e-12
	approx "$ttft" "$(awk -v t="$(jget ttft_ms <<<"$output")" -v q="$queue" 'BEGIN { printf "%.17g", t + q }')" 1e-12
	# 64 clients on 42 slots wait about (64 / 42 - 1) of a request's 8192 decode steps
	awk -v q="$queue" -v p="$tpot" 'BEGIN { exit !(q > 0.45 * 8191 * p && q < 0.6 * 8191 * p) }'
	run pipelines_estimate $kv --batch 64 --kv-admission --fidelity reference
	assert_failure 2
	assert_output --partial "--kv-admission belong to the load model, not --fidelity reference"
}

@test "load: disagg at a concurrency derives the decode batch and picks the fewest prefill workers that keep up" {
	local dis="--model $Q32 --system h100_sxm --backend vllm --isl 4000 --osl 1000 --mode disagg --decode-tp 4 --decode-workers 2 --format jsonl --fidelity load"
	run --separate-stderr pipelines_estimate $dis --concurrency 448
	assert_success
	# 448 clients over 2 decode workers of one rank each; one prompt a prefill
	[ "$(jget serving.concurrency <<<"$output")" = 448 ]
	[ "$(jget serving.decode.batch <<<"$output")" = 224 ]
	[ "$(jget serving.prefill.batch <<<"$output")" = 1 ]
	[ "$(jget load.clients <<<"$output")" = 448 ]
	# 3 prefill workers (tp 1) keep up: no wait for their capacity; the GPUs count them
	[ "$(jget serving.prefill_workers_auto <<<"$output")" = true ]
	[ "$(jget serving.prefill.workers <<<"$output")" = 3 ]
	[ "$(jget load.prefill_ranks <<<"$output")" = 3 ]
	[ "$(jget load.queue_ms <<<"$output")" = 0 ]
	[ "$(jget num_total_gpus <<<"$output")" = 11 ]
	[ "$(jget serving.num_total_gpus <<<"$output")" = 11 ]
	local auto=$output
	# the same deployment with its workers given: the same figures
	run --separate-stderr pipelines_estimate $dis --concurrency 448 --prefill-workers 3
	assert_success
	[ "$(jget serving.prefill_workers_auto <<<"$output")" = false ]
	[ "$(jget ttft_ms <<<"$output")" = "$(jget ttft_ms <<<"$auto")" ]
	[ "$(jget tpot_ms <<<"$output")" = "$(jget tpot_ms <<<"$auto")" ]
	# one fewer cannot keep up: its prompts wait for prefill capacity
	run --separate-stderr pipelines_estimate $dis --concurrency 448 --prefill-workers 2
	assert_success
	awk -v q="$(jget load.queue_ms <<<"$output")" 'BEGIN { exit !(q > 1000) }'
	# the decode batch rounds up; the clients stay as asked
	run --separate-stderr pipelines_estimate $dis --concurrency 447
	assert_success
	[ "$(jget serving.decode.batch <<<"$output")" = 224 ]
	[ "$(jget load.clients <<<"$output")" = 447 ]
	[ "$(jget concurrency <<<"$output")" = 447 ]
	# the decode batch given as the clients divided by the ranks prices the same deployment
	run --separate-stderr pipelines_estimate $dis --prefill-batch 1 --prefill-workers 3 --decode-batch 224
	assert_success
	[ "$(jget ttft_ms <<<"$output")" = "$(jget ttft_ms <<<"$auto")" ]
	[ "$(jget serving.concurrency <<<"$output" || true)" = MISSING ]
}

@test "load: --concurrency is refused where it has no meaning" {
	local dis="--model $Q32 --system h100_sxm --backend vllm --isl 4000 --osl 1000 --mode disagg --decode-tp 4"
	run pipelines_estimate $dis --concurrency 64 --decode-batch 32 --fidelity load
	assert_failure 2
	assert_line --index 0 "estimate: --concurrency sets the decode batch: drop --decode-batch"
	run pipelines_estimate $dis --concurrency 64
	assert_failure 2
	assert_line --index 0 "estimate: --concurrency belongs to the load model, not --fidelity reference (give --prefill-batch and --decode-batch)"
	run pipelines_estimate $AGG --backend vllm --concurrency 64 --fidelity load
	assert_failure 2
	assert_line --index 0 "estimate: --concurrency applies to --mode disagg (agg's clients are --batch)"
	run pipelines_estimate $dis --fidelity load
	assert_failure 2
	assert_line --index 0 "estimate: --mode disagg: --prefill-batch and --decode-batch are required"
}

@test "load: a config record whose concurrency exceeds its decode slots is an error, not a quiet cap" {
	run bash -c "hfparse '$Q32' | opgraph --system h100_sxm --backend vllm --isl 4000 --osl 1000 --mode disagg \
		--decode-tp 4 --decode-workers 2 --concurrency 448 --fidelity load | query 2>/dev/null |
		sed 's/\"concurrency\":448/\"concurrency\":449/' | aggregate --format jsonl --fidelity load"
	assert_failure 1
	assert_output "aggregate: <stdin>:1: config 'c1': config record: serving.concurrency must be a number from 1 to the decode slots (448)"
}
