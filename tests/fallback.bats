#!/usr/bin/env bats
# Fallbacks under the load fidelity (docs/differences.md): ops and layouts the reference refuses,
# priced with what the engine runs, each saying so in its provenance; --strict and the reference
# fidelity refuse as before. test_helper sets INFERCAST_FIDELITY=reference: these tests ask for
# load explicitly where they test a fallback.
load test_helper
bats_require_minimum_version 1.5.0

# graph MODEL OPGRAPH-OPTIONS...: the model's op records.
graph() {
	local model=$1
	shift
	hfparse "$MODELS/$model" | opgraph "$@"
}

# op NAME FIELD: FIELD of the first op record called NAME on stdin.
op() { grep "\"name\":\"$1\"" | head -1 | jget "$2"; }

GPTOSS_H200_VLLM=(--system h200_sxm --backend vllm --tp 8 --moe-tp 8 --batch 8 --isl 1024 --osl 2 --mode static_ctx)

@test "load: nvfp4 GEMMs on Hopper are priced as the checkpoint's bfloat16 GEMMs, and say so" {
	graph openai--gpt-oss-120b "${GPTOSS_H200_VLLM[@]}" --gemm-quant nvfp4 --moe-quant nvfp4 >"$BATS_TEST_TMPDIR/ops"
	INFERCAST_FIDELITY=load query <"$BATS_TEST_TMPDIR/ops" >"$BATS_TEST_TMPDIR/load" 2>"$BATS_TEST_TMPDIR/err"
	# the same GEMMs asked in bfloat16, priced by the reference's rules (its MoE stays refused)
	graph openai--gpt-oss-120b "${GPTOSS_H200_VLLM[@]}" --gemm-quant bfloat16 --moe-quant nvfp4 |
		query --keep-going >"$BATS_TEST_TMPDIR/bf16"
	for name in context_qkv_gemm context_proj_gemm; do
		want=$(op "$name" latency_ms <"$BATS_TEST_TMPDIR/bf16")
		[ -n "$want" ] && [ "$want" != MISSING ]
		[ "$(op "$name" latency_ms <"$BATS_TEST_TMPDIR/load")" = "$want" ]
		[ "$(op "$name" source <"$BATS_TEST_TMPDIR/load")" = "fallback: bfloat16 GEMMs for nvfp4 (the checkpoint's)" ]
		[ "$(op "$name" detail <"$BATS_TEST_TMPDIR/load")" = "$(op "$name" detail <"$BATS_TEST_TMPDIR/bf16")" ]
	done
	# stderr: once per kind of fallback, naming the op, the refusal and what priced it
	run grep -c 'bfloat16 GEMMs for nvfp4' "$BATS_TEST_TMPDIR/err"
	assert_output 1
	run cat "$BATS_TEST_TMPDIR/err"
	assert_line --partial "query: warning: <stdin>:5: op context_qkv_gemm: GEMM m=8192 n=640 k=2880 quant nvfp4: no GEMM data for quant mode nvfp4 in"
	assert_line --partial "; priced with fallback: bfloat16 GEMMs for nvfp4 (the checkpoint's) (--strict or --fidelity reference refuses it)"
}

@test "reference fidelity and --strict refuse the nvfp4 GEMMs as the reference does" {
	graph openai--gpt-oss-120b "${GPTOSS_H200_VLLM[@]}" --gemm-quant nvfp4 --moe-quant nvfp4 >"$BATS_TEST_TMPDIR/ops"
	for how in "env INFERCAST_FIDELITY=reference query" "env INFERCAST_FIDELITY=load query --strict" \
		"env INFERCAST_FIDELITY=load query --fidelity reference" "env -u INFERCAST_FIDELITY query --strict"; do
		run --separate-stderr $how <"$BATS_TEST_TMPDIR/ops"
		assert_failure 1
		[[ "$stderr" == "query: <stdin>:5: op context_qkv_gemm: GEMM m=8192 n=640 k=2880 quant nvfp4: no GEMM data for quant mode nvfp4 in "*"(try --database-mode hybrid)" ]]
	done
}

@test "without a fidelity anywhere, query takes the load fidelity" {
	graph openai--gpt-oss-120b "${GPTOSS_H200_VLLM[@]}" --gemm-quant nvfp4 --moe-quant nvfp4 >"$BATS_TEST_TMPDIR/ops"
	run --separate-stderr env -u INFERCAST_FIDELITY query <"$BATS_TEST_TMPDIR/ops"
	assert_success
	run --separate-stderr env INFERCAST_FIDELITY= query <"$BATS_TEST_TMPDIR/ops"
	assert_success
}

@test "load: an op without a configuration falls back to bfloat16 GEMMs, not called the checkpoint's" {
	local gemm='{"record":"op","name":"g","op_type":"GEMM","scale_factor":1,"attrs":{"n":640,"k":2880,"quant_mode":"nvfp4"},"points":[{"x":1024,"batch":1,"beam":1,"s":1024,"prefix":0,"count":1}]}'
	run --separate-stderr bash -c "echo '$gemm' | INFERCAST_FIDELITY=load query --system h200_sxm --backend vllm | '$TOOLS/jget' source"
	assert_success
	assert_output "fallback: bfloat16 GEMMs for nvfp4"
	ours=$(echo "$gemm" | INFERCAST_FIDELITY=load query --system h200_sxm --backend vllm 2>/dev/null | jget latency_ms)
	want=$(echo "${gemm/nvfp4/bfloat16}" | query --system h200_sxm --backend vllm | jget latency_ms)
	[ "$ours" = "$want" ]
}

@test "load: gpt-oss's nvfp4 MoE on Hopper is priced as its own w4a16_mxfp4 MoE where the tables have it" {
	local opts=(--system h200_sxm --backend trtllm --tp 1 --moe-tp 1 --moe-ep 1 --batch 1 --isl 1024 --osl 2 --mode static_ctx)
	graph openai--gpt-oss-120b "${opts[@]}" --gemm-quant nvfp4 --moe-quant nvfp4 |
		INFERCAST_FIDELITY=load query 2>/dev/null >"$BATS_TEST_TMPDIR/load"
	graph openai--gpt-oss-120b "${opts[@]}" --moe-quant w4a16_mxfp4 | query >"$BATS_TEST_TMPDIR/ref"
	[ "$(op context_moe source <"$BATS_TEST_TMPDIR/load")" = "fallback: w4a16_mxfp4 MoE for nvfp4 (the checkpoint's)" ]
	[ "$(op context_moe latency_ms <"$BATS_TEST_TMPDIR/load")" = "$(op context_moe latency_ms <"$BATS_TEST_TMPDIR/ref")" ]
	[ "$(op context_moe source <"$BATS_TEST_TMPDIR/ref")" = silicon ]
}

@test "load: where no table holds the shape, the empirical formula of hybrid mode prices the missing points" {
	# h100's tables have no w4a16_mxfp4 MoE of gpt-oss-120b's 128 experts
	local opts=(--system h100_sxm --backend vllm --tp 8 --moe-tp 8 --batch 8 --isl 1024 --osl 2 --mode static_ctx)
	graph openai--gpt-oss-120b "${opts[@]}" --gemm-quant nvfp4 --moe-quant nvfp4 |
		INFERCAST_FIDELITY=load query 2>"$BATS_TEST_TMPDIR/err" >"$BATS_TEST_TMPDIR/load"
	graph openai--gpt-oss-120b "${opts[@]}" --moe-quant w4a16_mxfp4 | query --database-mode hybrid >"$BATS_TEST_TMPDIR/hybrid"
	[ "$(op context_moe source <"$BATS_TEST_TMPDIR/load")" = "fallback: w4a16_mxfp4 MoE for nvfp4 (the checkpoint's); the empirical formula where the tables lack the point" ]
	[ "$(op context_moe detail <"$BATS_TEST_TMPDIR/load")" = empirical ]
	[ "$(op context_moe latency_ms <"$BATS_TEST_TMPDIR/load")" = "$(op context_moe latency_ms <"$BATS_TEST_TMPDIR/hybrid")" ]
	run grep -c 'op context_moe: MoE .* moe_perf.txt has no nvfp4 rows .*; priced with fallback: w4a16_mxfp4 MoE' "$BATS_TEST_TMPDIR/err"
	assert_output 1
}

@test "load: DeepSeek's context MLA with fp8 FMHA, held in bfloat16 only, is priced with bfloat16 FMHA" {
	local opts=(--system h200_sxm --backend sglang --tp 8 --moe-tp 8 --batch 1 --isl 1024 --osl 2 --mode static_ctx)
	graph deepseek-ai--DeepSeek-R1 "${opts[@]}" | INFERCAST_FIDELITY=load query 2>/dev/null >"$BATS_TEST_TMPDIR/load"
	graph deepseek-ai--DeepSeek-R1 "${opts[@]}" --fmha-quant bfloat16 | query >"$BATS_TEST_TMPDIR/ref"
	[ "$(op context_mla_block source <"$BATS_TEST_TMPDIR/load")" = "fallback: bfloat16 FMHA for fp8" ]
	[ "$(op context_mla_block latency_ms <"$BATS_TEST_TMPDIR/load")" = "$(op context_mla_block latency_ms <"$BATS_TEST_TMPDIR/ref")" ]
	# the GEMMs around it, priced by the tables, are left as asked (fp8, not the checkpoint's fp8_block)
	diff <(grep -v context_mla_block "$BATS_TEST_TMPDIR/load" | grep '"record":"op"' | jget latency_ms) \
		<(graph deepseek-ai--DeepSeek-R1 "${opts[@]}" | query --keep-going | grep -v context_mla_block | grep '"record":"op"' | jget latency_ms)
}

@test "load: an op refused for what no fallback changes stays refused, saying the fallbacks failed too" {
	local ga='{"record":"op","name":"generation_attention","op_type":"GenerationAttention","scale_factor":1,"attrs":{"n":32,"n_kv":8,"kv_cache_dtype":"bfloat16","window_size":0,"head_size":128},"points":[{"x":2,"batch":1,"beam":2,"s":1025,"prefix":0,"count":1}]}'
	run --separate-stderr bash -c "echo '$ga' | INFERCAST_FIDELITY=load query --system h200_sxm --backend trtllm"
	assert_failure 1
	[ "$stderr" = "query: <stdin>:1: op generation_attention: GenerationAttention supports beam width 1 only, got 2 (no fallback prices it: GenerationAttention supports beam width 1 only, got 2)" ]
	[ -z "$output" ]
	# --keep-going: the op carries the refusal
	run --separate-stderr bash -c "echo '$ga' | INFERCAST_FIDELITY=load query --system h200_sxm --backend trtllm --keep-going | '$TOOLS/jget' error"
	assert_success
	assert_output --partial "(no fallback prices it: "
}

@test "load leaves ops the tables price exactly as the reference prices them" {
	graph Qwen--Qwen3-32B --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 4000 --osl 100 >"$BATS_TEST_TMPDIR/ops"
	run --separate-stderr bash -c "INFERCAST_FIDELITY=load query <'$BATS_TEST_TMPDIR/ops' | cmp - <(query <'$BATS_TEST_TMPDIR/ops')"
	assert_success
	[ -z "$stderr" ]
}

QWEN235_DP=(--system h200_sxm --backend vllm --mode agg --tp 1 --moe-tp 2 --moe-ep 1 --batch 8 --isl 1000 --osl 100)

@test "opgraph load: dp not given and tp x dp != moe_tp x moe_ep: dp = moe_tp x moe_ep / tp, in the config record" {
	run --separate-stderr bash -c "hfparse '$MODELS/Qwen--Qwen3-235B-A22B-FP8' | INFERCAST_FIDELITY=load opgraph ${QWEN235_DP[*]} | head -1"
	assert_success
	[ "$stderr" = "opgraph: warning: <stdin>:1: fallback: dp 2 = moe_tp x moe_ep / tp = 2 x 1 / 1 (dp was not given) (--strict or --fidelity reference refuses the layout)" ]
	[ "$(echo "$output" | jget dp)" = 2 ]
	[ "$(echo "$output" | jget num_gpus)" = 2 ]
	[ "$(echo "$output" | jget fallbacks)" = '["fallback: dp 2 = moe_tp x moe_ep / tp = 2 x 1 / 1 (dp was not given)"]' ]
	# the ops are those of --dp 2
	diff <(hfparse "$MODELS/Qwen--Qwen3-235B-A22B-FP8" | INFERCAST_FIDELITY=load opgraph "${QWEN235_DP[@]}" 2>/dev/null | tail -n +2) \
		<(hfparse "$MODELS/Qwen--Qwen3-235B-A22B-FP8" | INFERCAST_FIDELITY=load opgraph "${QWEN235_DP[@]}" --dp 2 | tail -n +2)
}

@test "opgraph: the reference fidelity, --strict or an explicit --dp refuse the layout" {
	hfparse "$MODELS/Qwen--Qwen3-235B-A22B-FP8" >"$BATS_TEST_TMPDIR/model"
	for how in "env INFERCAST_FIDELITY=reference opgraph" "env INFERCAST_FIDELITY=load opgraph --strict" \
		"env INFERCAST_FIDELITY=load opgraph --fidelity reference" "env INFERCAST_FIDELITY=load opgraph --dp 1"; do
		run --separate-stderr $how "${QWEN235_DP[@]}" <"$BATS_TEST_TMPDIR/model"
		assert_failure 1
		[ "$stderr" = "opgraph: <stdin>:1: tp*dp = 1 but moe_tp*moe_ep = 2: they must be equal" ]
	done
	# dp given in the record's runtime counts as given
	run --separate-stderr bash -c "sed 's/}\$/,\"runtime\":{\"dp\":1}}/' '$BATS_TEST_TMPDIR/model' | INFERCAST_FIDELITY=load opgraph ${QWEN235_DP[*]}"
	assert_failure 1
}

@test "opgraph load: a MoE model without moe_tp and moe_ep splits its experts over tp x dp, moe_ep 1" {
	local opts=(--system h200_sxm --backend vllm --tp 2 --batch 4 --isl 100 --osl 10)
	hfparse "$MODELS/Qwen--Qwen3-30B-A3B" >"$BATS_TEST_TMPDIR/model"
	run --separate-stderr env INFERCAST_FIDELITY=reference opgraph "${opts[@]}" <"$BATS_TEST_TMPDIR/model"
	assert_failure 1
	[ "$stderr" = "opgraph: <stdin>:1: MoE model: moe_tp and moe_ep are unset; give --moe-tp or --moe-ep (or both)" ]
	run --separate-stderr env INFERCAST_FIDELITY=load opgraph "${opts[@]}" <"$BATS_TEST_TMPDIR/model"
	assert_success
	[ "$stderr" = "opgraph: warning: <stdin>:1: fallback: moe_tp 2 = tp x dp, moe_ep 1 (no MoE layout was given) (--strict or --fidelity reference refuses the layout)" ]
	[ "$(head -1 <<<"$output" | jget fallbacks)" = '["fallback: moe_tp 2 = tp x dp, moe_ep 1 (no MoE layout was given)"]' ]
	diff <(tail -n +2 <<<"$output") <(opgraph "${opts[@]}" --moe-tp 2 --moe-ep 1 <"$BATS_TEST_TMPDIR/model" | tail -n +2)
	run --separate-stderr env INFERCAST_FIDELITY=load opgraph --strict "${opts[@]}" <"$BATS_TEST_TMPDIR/model"
	assert_failure 1
}

@test "opgraph load: disagg sides without a MoE layout get one each, named by side" {
	local opts=(--system h100_sxm --backend vllm --isl 4000 --osl 1000 --mode disagg --prefill-batch 1 --prefill-dp 4
		--decode-batch 24 --decode-tp 4)
	hfparse "$MODELS/Qwen--Qwen3-235B-A22B-FP8" >"$BATS_TEST_TMPDIR/model"
	run --separate-stderr opgraph "${opts[@]}" <"$BATS_TEST_TMPDIR/model"
	assert_failure 1
	[ "$stderr" = "opgraph: <stdin>:1: prefill step: MoE model: moe_tp and moe_ep are unset; give --moe-tp or --moe-ep (or both)" ]
	run --separate-stderr env INFERCAST_FIDELITY=load opgraph "${opts[@]}" <"$BATS_TEST_TMPDIR/model"
	assert_success
	[ "$(head -1 <<<"$output" | jget fallbacks)" = '["fallback: prefill side: moe_tp 4 = tp x dp, moe_ep 1 (no MoE layout was given)","fallback: decode side: moe_tp 4 = tp x dp, moe_ep 1 (no MoE layout was given)"]' ]
	diff <(tail -n +2 <<<"$output") <(INFERCAST_FIDELITY=load opgraph "${opts[@]}" --prefill-moe-tp 4 --prefill-moe-ep 1 --decode-moe-tp 4 \
		--decode-moe-ep 1 <"$BATS_TEST_TMPDIR/model" | tail -n +2)
}

@test "estimate under load: a Kimi deployment the reference refuses is priced, each op's full provenance in the report" {
	local opts=(--model "$MODELS/moonshotai--Kimi-K2.5" --system h200_sxm --backend vllm --mode agg --isl 1024 --osl 64
		--gemm-quant int4_wo --moe-quant int4_wo --batch 8 --tp 8 --moe-tp 8 --format jsonl)
	run --separate-stderr env INFERCAST_FIDELITY=reference pipelines/estimate "${opts[@]}"
	assert_failure 1
	run --separate-stderr env INFERCAST_FIDELITY=load "$ROOT/pipelines/estimate" "${opts[@]}" --ops
	assert_success
	[ "$(echo "$output" | jget ttft_ms)" != MISSING ]
	[[ "$stderr" == *"priced with fallback: bfloat16 GEMMs for int4_wo (the checkpoint's)"* ]]
	srcs=$(jget ops <<<"$output" | grep -o '"source":"fallback: [^"]*"' | sort -u)
	[ "$srcs" = "\"source\":\"fallback: bfloat16 GEMMs for int4_wo (the checkpoint's)\"" ]
}

@test "a bad --fidelity or INFERCAST_FIDELITY is a usage error" {
	run --separate-stderr query --fidelity best </dev/null
	assert_failure 2
	[ "${stderr%%$'\n'*}" = "query: fidelity must be load or reference, not 'best'" ]
	run --separate-stderr env INFERCAST_FIDELITY=Load query </dev/null
	assert_failure 2
	[ "${stderr%%$'\n'*}" = "query: INFERCAST_FIDELITY must be load or reference, not 'Load' (unset it for load)" ]
	run --separate-stderr opgraph --system h200_sxm --backend vllm --batch 1 --isl 8 --osl 2 --fidelity x </dev/null
	assert_failure 2
	[ "${stderr%%$'\n'*}" = "opgraph: fidelity must be load or reference, not 'x'" ]
}

@test "load: a MoE shape the table lacks is priced at the nearest measured shape's efficiency, and says so" {
	# Qwen3-30B-A3B's experts (128 of 2048 x 768, top-8) at moe_tp 8: h200_sxm/trtllm measures
	# them at moe_tp 1-4 only; the nearest shape (lib/perf/moe_nearest) is 4096 x 1536 at moe_tp 8
	graph Qwen--Qwen3-30B-A3B --system h200_sxm --backend trtllm --tp 8 --moe-tp 8 --batch 8 --isl 1024 --osl 2 \
		--mode static_gen >"$BATS_TEST_TMPDIR/ops"
	INFERCAST_FIDELITY=load query <"$BATS_TEST_TMPDIR/ops" >"$BATS_TEST_TMPDIR/load" 2>"$BATS_TEST_TMPDIR/err"
	[ "$(op generation_moe latency_ms <"$BATS_TEST_TMPDIR/load")" = 0.98159221096981653 ]
	[ "$(op generation_moe source <"$BATS_TEST_TMPDIR/load")" = "fallback: MoE shapes the table lacks at the nearest measured shape's efficiency" ]
	[ "$(op generation_moe detail <"$BATS_TEST_TMPDIR/load")" = extrapolated ]
	run cat "$BATS_TEST_TMPDIR/err"
	assert_line --partial "op generation_moe: MoE num_tokens=8 hidden_size=2048 inter_size=768 topk=8 num_experts=128 moe_tp=8 moe_ep=1 quant bfloat16"
	assert_line --partial "; priced with fallback: MoE shapes the table lacks at the nearest measured shape's efficiency (--strict or --fidelity reference refuses it)"
	# the empirical formula (what priced it before) is 40% of the speed of light: far slower here
	INFERCAST_FIDELITY=load query --database-mode hybrid <"$BATS_TEST_TMPDIR/ops" 2>/dev/null >"$BATS_TEST_TMPDIR/hybrid"
	[ "$(op generation_moe source <"$BATS_TEST_TMPDIR/hybrid")" = empirical ]
	# --strict refuses it as the reference does
	run --separate-stderr env INFERCAST_FIDELITY=load query --strict <"$BATS_TEST_TMPDIR/ops"
	assert_failure 1
	[[ "$stderr" == *"op generation_moe: MoE num_tokens=8"*"moe_perf.txt has no rows for bfloat16"* ]]
}
