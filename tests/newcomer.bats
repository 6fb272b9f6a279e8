#!/usr/bin/env bats
# A newcomer's first hour (issue 19): no silent wrong numbers, messages that name what to fix,
# reports and sweeps that say what they are.
load test_helper
bats_require_minimum_version 1.5.0

# ---- Makefile sweeps (pipelines/Makefile) ----

@test "make sweeps: the folder names every parameter, each sweep says what it wrote, no empty summary.err" {
	out="$BATS_TEST_TMPDIR/out"
	run --separate-stderr make -s -f "$ROOT/pipelines/Makefile" OUT="$out" MODELDIR="$MODELS" \
		MODELS=meta-llama--Meta-Llama-3.1-8B SYSTEMS=h200_sxm BACKENDS=trtllm GPUS=2
	assert_success
	dir="$out/meta-llama--Meta-Llama-3.1-8B__h200_sxm__trtllm__2gpu_isl4000_osl1000_ttft2000_tpot30_reference"
	[ -s "$dir/summary.txt" ]
	[ -s "$dir/agg/pareto.csv" ]
	[ ! -e "$dir/summary.err" ]
	assert_output --partial "$dir/: "
	assert_output --partial "agg/pareto.csv"
	assert_output --partial "summary.txt"
	# another ISL is another sweep, not the stale one
	run --separate-stderr make -s -f "$ROOT/pipelines/Makefile" OUT="$out" MODELDIR="$MODELS" \
		MODELS=meta-llama--Meta-Llama-3.1-8B SYSTEMS=h200_sxm BACKENDS=trtllm GPUS=2 ISL=2000
	assert_success
	[ -s "$out/meta-llama--Meta-Llama-3.1-8B__h200_sxm__trtllm__2gpu_isl2000_osl1000_ttft2000_tpot30_reference/summary.txt" ]
	# another fidelity too: the load model's agg (the tests pin reference; default's own is load)
	run --separate-stderr make -s -f "$ROOT/pipelines/Makefile" OUT="$out" MODELDIR="$MODELS" \
		MODELS=meta-llama--Meta-Llama-3.1-8B SYSTEMS=h200_sxm BACKENDS=trtllm GPUS=2 FIDELITY=load
	assert_success
	grep -q "Latency model: agg by infercast's load model" "$out/meta-llama--Meta-Llama-3.1-8B__h200_sxm__trtllm__2gpu_isl4000_osl1000_ttft2000_tpot30_load/summary.txt"
	! grep -q "Latency model" "$dir/summary.txt"
}

@test "make sweeps: a failed sweep keeps its messages in summary.err, says so, and leaves no summary.txt" {
	out="$BATS_TEST_TMPDIR/out"
	run --separate-stderr make -s -f "$ROOT/pipelines/Makefile" OUT="$out" MODELDIR="$MODELS" \
		MODELS=meta-llama--Meta-Llama-3.1-8B SYSTEMS=h200_sxm BACKENDS=trtllm GPUS=2 TTFT=1 TPOT=1
	assert_failure
	dir="$out/meta-llama--Meta-Llama-3.1-8B__h200_sxm__trtllm__2gpu_isl4000_osl1000_ttft1_tpot1_reference"
	[ ! -e "$dir/summary.txt" ]
	[ -s "$dir/summary.err" ]
	[[ $stderr == *"$dir/summary.err: the sweep failed"* ]]
}

# ---- silent wrong numbers ----

# edited_config MODEL SED: a copy of MODEL's config.json edited by SED, in $BATS_TEST_TMPDIR/m.
edited_config() {
	mkdir -p "$BATS_TEST_TMPDIR/m"
	sed "$2" "$MODELS/$1/config.json" >"$BATS_TEST_TMPDIR/m/config.json"
}

@test "hfparse: a missing or zero FFN width is an error naming the field, not a model without FFN" {
	edited_config Qwen--Qwen3-8B '/"intermediate_size"/d'
	run --separate-stderr hfparse "$BATS_TEST_TMPDIR/m"
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "hfparse: $BATS_TEST_TMPDIR/m/config.json: missing required field 'intermediate_size' (the FFN width)"
	edited_config Qwen--Qwen3-8B 's/"intermediate_size": 12288/"intermediate_size": 0/'
	run --separate-stderr hfparse "$BATS_TEST_TMPDIR/m"
	assert_failure 1
	assert_equal "$stderr" "hfparse: $BATS_TEST_TMPDIR/m/config.json: field 'intermediate_size' is 0: the FFN width cannot be 0"
	# a MoE model: the experts' width (moe_intermediate_size, else intermediate_size) and count
	edited_config Qwen--Qwen3-30B-A3B '/"moe_intermediate_size"/d; /"intermediate_size"/d'
	run --separate-stderr hfparse "$BATS_TEST_TMPDIR/m"
	assert_failure 1
	assert_equal "$stderr" "hfparse: $BATS_TEST_TMPDIR/m/config.json: missing required field 'intermediate_size' (the expert FFN width)"
	edited_config Qwen--Qwen3-30B-A3B 's/"num_experts_per_tok": 8/"num_experts_per_tok": 0/'
	run --separate-stderr hfparse "$BATS_TEST_TMPDIR/m"
	assert_failure 1
	assert_equal "$stderr" "hfparse: $BATS_TEST_TMPDIR/m/config.json: field 'num_experts_per_tok' is 0: the experts each token is routed to cannot be 0"
	edited_config Qwen--Qwen3-8B 's/"hidden_size": 4096/"hidden_size": 0/'
	run --separate-stderr hfparse "$BATS_TEST_TMPDIR/m"
	assert_failure 1
	assert_equal "$stderr" "hfparse: $BATS_TEST_TMPDIR/m/config.json: field 'hidden_size' is 0: the hidden size cannot be 0"
	# through estimate: no report
	edited_config Qwen--Qwen3-8B '/"intermediate_size"/d'
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$BATS_TEST_TMPDIR/m" --system h200_sxm --backend trtllm \
		--tp 1 --batch 1 --isl 100 --osl 10
	assert_failure 1
	assert_output ''
	[[ $stderr == *"missing required field 'intermediate_size'"* ]]
}

@test "every model in ../shared/models still parses (the new checks refuse none of them)" {
	for m in "$MODELS"/*/; do
		run --separate-stderr hfparse "$m"
		[ "$status" -eq 0 ] || { echo "$m: $stderr" >&2; return 1; }
	done
}

@test "aggregate given records but no configuration says so and exits 1 instead of writing nothing" {
	run --separate-stderr aggregate <<<'{"foo":1}'
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "aggregate: <stdin>: none of its 1 record is a config record (expected config and op records from opgraph | query)"
	run --separate-stderr aggregate --format table <<<$'{"record":"model"}\n{"x":2}'
	assert_failure 1
	assert_equal "$stderr" "aggregate: <stdin>: none of its 2 records is a config record (expected config and op records from opgraph | query)"
	# no input at all is no error (nothing in, nothing out)
	run --separate-stderr aggregate </dev/null
	assert_success
	assert_output ''
}

@test "interp given a table and no query says so and exits 1" {
	run --separate-stderr interp <<<'{"x":1,"value":2}'
	assert_failure 1
	assert_equal "$stderr" 'interp: <stdin>: no query to answer (give --query X[,Y[,Z]] or records with "query":true)'
	run interp --query 1 <<<'{"x":1,"value":2}'
	assert_success
}

@test "estimate: a model that does not fit warns on stderr and is marked under the table; --refuse-oom refuses it" {
	Q32=(--model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm --tp 1 --batch 512 --isl 4000 --osl 1000)
	run --separate-stderr "$ROOT/pipelines/estimate" "${Q32[@]}"
	assert_success
	assert_line --index 5 --regexp ' true$'
	assert_line --index 6 "oom: c1: the model 'Qwen/Qwen3-32B' does not fit in GPU memory on system 'h200_sxm' (1033.273 GiB per GPU, capacity 141.000 GiB)"
	[[ $stderr == *"warning: the model 'Qwen/Qwen3-32B' does not fit in GPU memory on system 'h200_sxm' (1033.273 GiB per GPU, capacity 141.000 GiB)"* ]]
	# jsonl keeps its one record; the warning is on stderr
	run --separate-stderr "$ROOT/pipelines/estimate" "${Q32[@]}" --format jsonl
	assert_success
	assert_equal "$(echo "$output" | jget oom)" true
	[[ $stderr == *warning:*"does not fit in GPU memory"* ]]
	run --separate-stderr "$ROOT/pipelines/estimate" "${Q32[@]}" --refuse-oom
	assert_failure 1
	assert_output ''
	[[ $stderr == *"OOM: the model 'Qwen/Qwen3-32B' does not fit in GPU memory"* ]]
	# a configuration that fits: no warning, no mark
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm \
		--backend trtllm --tp 2 --batch 8 --isl 4000 --osl 1000
	assert_success
	assert_equal "$stderr" ''
	refute_output --partial 'oom:'
}

@test "opgraph: isl + osl beyond max_position_embeddings warns once; the numbers are the same" {
	run --separate-stderr bash -c "hfparse '$MODELS/Qwen--Qwen3-8B' '$MODELS/Qwen--Qwen3-8B' |
		opgraph --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 40000 --osl 1000 | query | aggregate"
	assert_success
	assert_equal "$stderr" "opgraph: <stdin>:1: warning: isl + osl = 41000 tokens is beyond the model's max_position_embeddings (40960): the estimate is for requests longer than the model serves"
	[ "${#lines[@]}" -eq 2 ]
	run --separate-stderr bash -c "hfparse '$MODELS/Qwen--Qwen3-8B' |
		opgraph --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 39960 --osl 1000 | query | aggregate"
	assert_success
	assert_equal "$stderr" ''
}

# ---- messages ----

@test "an unknown system gets 'did you mean'; a far-off name gets the list only" {
	run --separate-stderr opgraph --system h200 --backend trtllm --batch 1 --isl 10 --osl 10 </dev/null
	assert_failure 2
	[[ $stderr == "opgraph: --system: unknown system 'h200': did you mean h200_sxm? (known: a100_pcie, "* ]]
	run --separate-stderr opgraph --system h100 --backend trtllm --batch 1 --isl 10 --osl 10 </dev/null
	[[ $stderr == *"did you mean h100_pcie or h100_sxm?"* ]]
	run --separate-stderr opgraph --system h200sxm --backend trtllm --batch 1 --isl 10 --osl 10 </dev/null
	[[ $stderr == *"did you mean h200_sxm?"* ]]
	run --separate-stderr opgraph --system xyz --backend trtllm --batch 1 --isl 10 --osl 10 </dev/null
	[[ $stderr == "opgraph: --system: unknown system 'xyz' (known: "* ]]
	# the pipelines say it once, as themselves, before any other note
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200 --backend trtllm \
		--tp 1 --batch 1 --isl 10 --osl 10
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 2
	[[ ${stderr_lines[0]} == "estimate: --system: unknown system 'h200': did you mean h200_sxm? (known: "* ]]
	assert_equal "${stderr_lines[1]}" "try 'estimate --help'"
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-8B" --system h200 --backend trtllm \
		--total-gpus 8
	assert_failure 2
	assert_equal "${#stderr_lines[@]}" 2
	[[ ${stderr_lines[0]} == "default: --system: unknown system 'h200': did you mean h200_sxm? (known: "* ]]
	assert_equal "${stderr_lines[1]}" "try 'default --help'"
}

@test "a missing required option is named, not the whole list" {
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm \
		--backend trtllm --tp 1 --batch 1 --isl 10
	assert_failure 2
	assert_equal "$stderr" $'estimate: --osl is required\ntry \'estimate --help\''
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm
	assert_equal "${stderr_lines[0]}" "estimate: --tp, --batch, --isl and --osl are required"
	run --separate-stderr "$ROOT/pipelines/estimate" --mode disagg --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm \
		--backend trtllm --isl 10 --osl 10 --prefill-batch 1
	assert_equal "${stderr_lines[0]}" "estimate: --mode disagg: --decode-batch is required"
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "default: --total-gpus is required"
	run --separate-stderr opgraph --system h200_sxm --backend trtllm --batch 1 --isl 10 </dev/null
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "opgraph: --osl is required"
	run --separate-stderr sweep --system h200_sxm --backend trtllm --isl 10 --osl 10 </dev/null
	assert_equal "${stderr_lines[0]}" "sweep: --total-gpus is required"
}

@test "errors from inside a pipeline name the pipeline, not a stage, <stdin>:1 or a stage's --help" {
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm \
		--backend trtllm --tp 3 --batch 8 --isl 100 --osl 10
	assert_failure 1
	assert_equal "$stderr" "estimate: num_heads 64 is not divisible by tp 3"
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm \
		--backend trtllm --tp 1 --batch 1 --isl 10 --osl 10 --fmha-quant fp9
	assert_failure 2
	[[ ${stderr_lines[0]} == "estimate: --fmha-quant: unknown mode 'fp9' (one of: "* ]]
	assert_equal "${stderr_lines[1]}" "try 'estimate --help'"
	# a query refusal: no "<stdin>:3"
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm \
		--backend trtllm --tp 1 --batch 1 --isl 10 --osl 10 --gemm-quant nvfp4
	assert_failure 1
	[[ $stderr == "estimate: op context_qkv_gemm: "* ]]
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm \
		--backend trtllm --total-gpus 8 --ttft 1
	assert_failure 1
	[[ $stderr == "default: no configuration of Qwen/Qwen3-8B on 8 GPUs; "* ]]
	# installed, the name as run
	ln -s "$ROOT/pipelines/estimate" "$BATS_TEST_TMPDIR/infercast-estimate"
	run --separate-stderr "$BATS_TEST_TMPDIR/infercast-estimate" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm \
		--backend trtllm --tp 3 --batch 8 --isl 100 --osl 10
	assert_equal "$stderr" "infercast-estimate: num_heads 64 is not divisible by tp 3"
	# the filters alone keep their names and places
	run --separate-stderr bash -c "hfparse '$MODELS/Qwen--Qwen3-32B' | opgraph --system h200_sxm --backend trtllm --tp 3 --batch 8 --isl 100 --osl 10"
	assert_equal "$stderr" "opgraph: <stdin>:1: num_heads 64 is not divisible by tp 3"
}

# ---- defaults that work on the first try ----

@test "estimate: DeepSeek-V3 with default settings runs as default would (EP over the GPUs, bfloat16 context FMHA) and says so" {
	DS=(--model "$MODELS/deepseek-ai--DeepSeek-V3" --system h200_sxm --backend trtllm --tp 8 --batch 8 --isl 4000 --osl 1000 --format jsonl)
	run --separate-stderr "$ROOT/pipelines/estimate" "${DS[@]}"
	assert_success
	assert_equal "${stderr_lines[0]}" "estimate: MoE model: --moe-tp 1 --moe-ep 8 (the experts over the tp x dp = 8 GPUs, as default's layouts; give --moe-tp or --moe-ep to choose)"
	assert_equal "${stderr_lines[1]}" "estimate: context attention in bfloat16 (--fmha-quant bfloat16): the context MLA tables of h200_sxm/trtllm have no fp8 rows, so default picks bfloat16; give --fmha-quant to choose"
	chosen=$output
	run --separate-stderr "$ROOT/pipelines/estimate" "${DS[@]}" --moe-tp 1 --moe-ep 8 --fmha-quant bfloat16
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$chosen" "$output"
	# what the user gives wins: fp8 FMHA is still refused, naming the look-up
	run --separate-stderr "$ROOT/pipelines/estimate" "${DS[@]}" --moe-ep 8 --fmha-quant fp8
	assert_failure 1
	[[ $stderr == *"context MLA"*"fmha fp8"* ]]
}

@test "estimate: a MoE model without --moe-tp/--moe-ep spreads its experts over the GPUs, no more groups than experts" {
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-30B-A3B" --system h200_sxm \
		--backend trtllm --tp 2 --batch 8 --isl 1000 --osl 100 --format jsonl
	assert_success
	assert_equal "$stderr" "estimate: MoE model: --moe-tp 1 --moe-ep 2 (the experts over the tp x dp = 2 GPUs, as default's layouts; give --moe-tp or --moe-ep to choose)"
	assert_equal "$(echo "$output" | jget moe_ep)" 2
	# Mixtral has 8 experts: 16 GPUs are 2 x 8
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/mistralai--Mixtral-8x7B-v0.1" --system h200_sxm \
		--backend trtllm --tp 16 --batch 64 --isl 1000 --osl 100 --database-mode hybrid --format jsonl
	assert_success
	[[ ${stderr_lines[0]} == "estimate: MoE model: --moe-tp 2 --moe-ep 8 "* ]]
	# bad sizes are opgraph's to refuse, not the default's arithmetic
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-30B-A3B" --system h200_sxm \
		--backend trtllm --tp 0 --batch 8 --isl 1000 --osl 100
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "estimate: --tp: 0 is out of range [1, 1048576]"
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-30B-A3B" --system h200_sxm \
		--backend trtllm --tp x --batch 8 --isl 1000 --osl 100
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "estimate: --tp: 'x' is not an integer"
	# a dense model is left alone
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm \
		--backend trtllm --tp 1 --batch 1 --isl 100 --osl 10
	assert_success
	assert_equal "$stderr" ''
}

@test "hfparse: an unsupported quant method lists what is supported and how to price it anyway (--ignore-quant)" {
	edited_config Qwen--Qwen3-8B 's/"hidden_size": 4096,/"hidden_size": 4096, "quantization_config": {"quant_method": "awq", "bits": 4},/'
	run --separate-stderr hfparse "$BATS_TEST_TMPDIR/m"
	assert_failure 1
	assert_equal "$stderr" "hfparse: $BATS_TEST_TMPDIR/m/config.json: unsupported quant algorithm 'awq' (supported: fp8, fp8_block, nvfp4, mxfp4, compressed-tensors); to price it anyway, read it unquantized with --ignore-quant (hfparse, estimate) and give the modes to price with --gemm-quant and --moe-quant (opgraph, estimate), e.g. int4_wo for 4-bit weights"
	run hfparse --ignore-quant "$BATS_TEST_TMPDIR/m"
	assert_success
	assert_equal "$(echo "$output" | jget quant.gemm)" bfloat16
	# a100_sxm's TRT-LLM tables measure int4_wo GEMMs
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$BATS_TEST_TMPDIR/m" --ignore-quant --gemm-quant int4_wo \
		--system a100_sxm --backend trtllm --tp 1 --batch 1 --isl 100 --osl 10 --format jsonl
	assert_success
	assert_equal "$(echo "$output" | jget gemm_quant)" int4_wo
}

# ---- default's summary and plot ----

@test "default: the summary says which mode is better by how much, never 'disagg 0.73x better'" {
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--total-gpus 2
	assert_success
	assert_line "    Best Experiment Chosen: agg at 3671.95 tokens/s/gpu (agg 1.45x better)"
	refute_output --partial 'disagg 0.'
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--total-gpus 1
	assert_success
	assert_line "    Best Experiment Chosen: agg at 3671.95 tokens/s/gpu (the only mode searched)"
	# without --save-dir: how to save them (33 points at the command line's free_gpu_memory_fraction
	# 1.0; the API's 0.9 leaves 32)
	assert_line "  Pareto Frontier (tokens/s/gpu_cluster against tokens/s/user): agg 33 points"
	assert_line "    --save-dir DIR saves them as pareto.csv"
}

@test "default: with --save-dir the summary names the files where they are, and the plot" {
	save="$BATS_TEST_TMPDIR/out/q8"
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--total-gpus 2 --save-dir "$save"
	assert_success
	assert_line "    saved as $save/agg/pareto.csv, $save/disagg/pareto.csv; plot: $save/pareto_frontier.png"
	refute_output --partial "/default."
	# a 900 x 600 PNG (its IHDR chunk's width and height) with the chosen point in red
	assert_equal "$(od -An -tu1 -j12 -N12 "$save/pareto_frontier.png" | tr -s ' ')" ' 73 72 68 82 0 0 3 132 0 0 2 88'
	assert_equal "$("$TOOLS/pngcount" "$save/pareto_frontier.png" 255,0,0)" '900x600 242'
	assert_equal "$stderr" ''
}

@test "default: the plot's title names what was searched; the TPOT target and the chosen configuration are marked" {
	d="$BATS_TEST_TMPDIR/q32"
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-32B" \
		--system h200_sxm --backend trtllm --total-gpus 8 --save-dir "$d"
	assert_success
	# the picture paretoplot draws with these titles and this mark, byte for byte
	run paretoplot --describe -o "$BATS_TEST_TMPDIR/want.png" --title '{model} on 8 x h200_sxm, trtllm; ISL 4000, OSL 1000' \
		--title 'TTFT <= 2000 ms, TPOT <= 30 ms' --tpot-mark 30 "$d"
	assert_success
	cmp "$BATS_TEST_TMPDIR/want.png" "$d/pareto_frontier.png"
	assert_line 'title: TTFT <= 2000 ms, TPOT <= 30 ms'
	assert_line 'mark: TPOT 30 ms at 33.3333 tokens/s/user'
	assert_line 'chosen: disagg 4x (p)tp1pp1dp1etp1ep1 bs 1 + 1x (d)tp4pp1dp1etp1ep1 bs 280 at 33.974 tokens/s/user, 1036.8 tokens/s/gpu'
}

@test "default: a target out of reach says what is reachable" {
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--total-gpus 8 --tpot 1
	assert_failure 1
	assert_equal "$stderr" "default: no configuration meets TTFT <= 2000 ms and TPOT <= 1 ms; the lowest TPOT with TTFT <= 2000 ms is 5.38 ms (agg): relax --ttft or --tpot"
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--total-gpus 8 --ttft 1
	assert_failure 1
	[[ $stderr == *"agg: no configuration meets TTFT <= 1 ms (with TPOT up to 295 ms; the lowest TTFT reachable is 169.50 ms)"* ]]
}

@test "default without perf data says so once, before the sweep, not as its stages' echoes" {
	run --separate-stderr env INFERCAST_DATA="$BATS_TEST_TMPDIR/nodata" "$ROOT/pipelines/default" \
		--model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm --total-gpus 1
	assert_failure 1
	assert_output ''
	assert_equal "$stderr" "default: perf data folder not found: $BATS_TEST_TMPDIR/nodata (INFERCAST_DATA); $BATS_TEST_TMPDIR holds no folders"
}

# ---- reports that explain themselves ----

@test "estimate's table shows the mode and latency model, the MoE layout and quant, the version and database mode, and both sides of disagg" {
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-30B-A3B" --system h200_sxm \
		--backend trtllm --isl 4000 --osl 1000 --tp 2 --moe-tp 1 --moe-ep 2 --batch 8 --mode agg --version 1.3.0rc10
	assert_success
	assert_line --index 0 --regexp '^config +model +system +backend +version +database +mode +latency +tp$'
	assert_line --index 2 --regexp '^c1 +Qwen/Qwen3-30B-A3B +h200_sxm +trtllm +1\.3\.0rc10 +silicon +agg +reference +2$'
	assert_line --index 3 --regexp '^config +pp +dp +moe_tp +moe_ep +batch +isl +osl +gemm +kvcache +moe$'
	assert_line --index 5 --regexp '^c1 +1 +1 +1 +2 +8 +4000 +1000 +bfloat16 +bfloat16 +bfloat16$'
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--isl 4000 --osl 1000 --mode disagg --prefill-tp 1 --prefill-batch 1 --prefill-workers 4 --decode-tp 4 \
		--decode-batch 64 --decode-workers 1
	assert_success
	assert_line --regexp '^config +model +system +backend +version +database +mode +latency$'
	assert_line --regexp '^c1 +Qwen/Qwen3-32B +h200_sxm +trtllm +1\.3\.0rc10 +silicon +disagg +reference$'
	assert_line --regexp '^config +tp +pp +dp +batch +workers +isl +osl +gemm +kvcache +ttft_ms$'
	assert_line --regexp '^c1 +p1/d4 +p1/d1 +p1/d1 +p1/d64 +p4/d1 +4000 +1000 '
	assert_line --regexp ' p66\.171/d38\.738 +false$'
	# the version is the one the tables came from, also when none was asked for; csv and jsonl
	# say it and the database mode too
	run "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm --tp 1 --batch 1 \
		--isl 100 --osl 10
	assert_line --index 0 --regexp '^config +model +system +backend +version +database +tp +pp +dp +batch +isl +osl$'
	assert_line --index 2 --regexp '^c1 +Qwen/Qwen3-8B +h200_sxm +trtllm +1\.3\.0rc10 +silicon +1 +1 +1 +1 +100 +10$'
	run "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm --tp 1 --batch 1 \
		--isl 100 --osl 10 --format csv
	assert_line --index 0 --regexp '^config_id,model,system,backend,version,database_mode,mode,tp,pp,dp,moe_tp,moe_ep,batch,isl,osl,'
	assert_line --index 1 --regexp '^c1,Qwen/Qwen3-8B,h200_sxm,trtllm,1\.3\.0rc10,silicon,static,1,1,1,,,1,100,10,'
	refute_output --partial workers
	run "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm --tp 1 --batch 1 \
		--isl 100 --osl 10 --format jsonl
	assert_equal "$(jget version <<<"$output") $(jget database_mode <<<"$output")" "1.3.0rc10 silicon"
	# hybrid and speed of light say so in every format
	run "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm --tp 1 --batch 1 \
		--isl 100 --osl 10 --database-mode hybrid --format jsonl
	assert_equal "$(jget database_mode <<<"$output")" hybrid
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system a100_pcie --backend trtllm \
		--tp 1 --batch 1 --isl 100 --osl 10 --format csv
	assert_success
	assert_line --index 1 --regexp '^c1,Qwen/Qwen3-8B,a100_pcie,trtllm,,sol,static,'
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system a100_pcie --backend trtllm \
		--tp 1 --batch 1 --isl 100 --osl 10
	assert_line --index 0 --regexp '^config +model +system +backend +database +tp '
	assert_line --index 2 --regexp '^c1 +Qwen/Qwen3-8B +a100_pcie +trtllm +sol +1 '
}

@test "a data folder that does not exist is an error naming it and what is there, never speed of light" {
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--tp 1 --batch 1 --isl 100 --osl 10 --data-dir "$SHARED/dta"
	assert_failure 1
	assert_output ''
	[[ $stderr == "estimate: perf data folder not found: $SHARED/dta (as given); $SHARED holds the folders "*"data/"* ]]
	mkdir -p "$BATS_TEST_TMPDIR/d/h200_sxm" "$BATS_TEST_TMPDIR/d/b200_sxm"
	run --separate-stderr env INFERCAST_DATA="$BATS_TEST_TMPDIR/d/h200" "$ROOT/pipelines/estimate" \
		--model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 100 --osl 10
	assert_failure 1
	assert_equal "$stderr" "estimate: perf data folder not found: $BATS_TEST_TMPDIR/d/h200 (INFERCAST_DATA); $BATS_TEST_TMPDIR/d holds the folders b200_sxm/, h200_sxm/"
	# the filters say the same
	run --separate-stderr perfload --data-dir "$BATS_TEST_TMPDIR/d/x/y" --system h200_sxm --backend trtllm gemm
	assert_failure 1
	assert_equal "$stderr" "perfload: perf data folder not found: $BATS_TEST_TMPDIR/d/x/y (as given); $BATS_TEST_TMPDIR/d holds the folders b200_sxm/, h200_sxm/"
	# a version that is not there is an error too, listing those that are
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--tp 1 --batch 1 --isl 100 --osl 10 --version 9.9
	assert_failure 1
	assert_equal "$stderr" "estimate: unknown version '9.9' for h200_sxm/trtllm (known: 1.3.0rc10)"
	# an existing folder without data for the system: speed of light, said on stderr and in the report
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--tp 1 --batch 1 --isl 100 --osl 10 --data-dir "$BATS_TEST_TMPDIR/d/b200_sxm" --format jsonl
	assert_success
	assert_equal "$stderr" "estimate: no perf data for h200_sxm/trtllm under $BATS_TEST_TMPDIR/d/b200_sxm: speed-of-light estimates (--database-mode sol)"
	assert_equal "$(jget database_mode <<<"$output")" sol
	# a tree whose data check cannot run (no coverage beside the filters) stops, it does not guess
	mkdir -p "$BATS_TEST_TMPDIR/t/bin" "$BATS_TEST_TMPDIR/t/pipelines"
	for f in hfparse opgraph query aggregate sweep; do ln -s "$BIN/$f" "$BATS_TEST_TMPDIR/t/bin/$f"; done
	cp "$ROOT/pipelines/estimate" "$BATS_TEST_TMPDIR/t/pipelines/"
	run -127 --separate-stderr "$BATS_TEST_TMPDIR/t/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm \
		--backend trtllm --tp 1 --batch 1 --isl 100 --osl 10
	assert_output ''
	[[ $stderr == *"coverage"*"not found"* ]]
}

@test "estimate --ops: latencies are said to be totals; per step and per layer beside them" {
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--tp 1 --batch 1 --isl 100 --osl 10 --ops
	assert_success
	assert_line "ops of c1: latency_ms is the total over the op's layers and, in generation, over the 9 decode steps (the TPOT ones); per_step_ms: one context pass or one decode step; per_layer_ms: a step of one layer"
	assert_line --regexp '^op +phase +latency_ms +per_step_ms +layers +per_layer_ms +source$'
	assert_line --regexp '^generation_qkv_gemm +generation +5\.556 +0\.6174 +36 +0\.01715 +silicon$'
	# the generation steps add up to TPOT (5.151 ms)
	sum=$(printf '%s\n' "$output" | awk '$2 == "generation" { s += $4 } END { printf "%.3f", s }')
	approx "$sum" 5.151 1e-3
}

@test "default --format csv: the chosen mode's top configurations with best_config_topn.csv's columns" {
	save="$BATS_TEST_TMPDIR/q8"
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--total-gpus 2 --format csv --save-dir "$save"
	assert_success
	assert_equal "$output" "$(cat "$save/agg/best_config_topn.csv")"
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--total-gpus 2 --format xml
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "default: --format: 'xml' is not one of table, jsonl, csv"
}

@test "default: the summary fits 120 columns; the top-N tables wrap, repeating the rank, with the version, the database mode and a unit on every quantity" {
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--total-gpus 8
	assert_success
	wide=$(printf '%s\n' "$output" | awk 'length($0) > 120' | wc -l)
	assert_equal "$wide" 0
	assert_line "    System: h200_sxm, backend trtllm 1.3.0rc10, database mode silicon"
	assert_line "    Workload: isl 4000, osl 1000, prefix 0 tokens; TTFT <= 2000 ms, TPOT <= 30 ms"
	assert_line "| Rank | backend |  version  | database | tokens/s/gpu | tokens/s/user | req/s | TTFT ms | request_latency ms |"
	assert_line "|  1   | trtllm  | 1.3.0rc10 | silicon  |    944.15    |     34.58     | 7.56  | 1058.62 |      29949.20      |"
	assert_line "| Rank | concurrency req | total_gpus (used) | replicas | gpus/replica | gpus/worker | parallel | bs req |"
	assert_line --regexp '^\| Rank \| \(p\)bs req \| \(d\)workers \| \(d\)gpus/worker \| \(d\)parallel \| \(d\)bs req \|$'
	# jsonl's chosen record says them too
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--total-gpus 8 --format jsonl
	assert_success
	assert_equal "$(head -1 <<<"$output" | jget version) $(head -1 <<<"$output" | jget database_mode)" "1.3.0rc10 silicon"
}

@test "system specs follow the data layout: the current specs with the family-first tree under load, v0.9 otherwise" {
	A="$SHARED/aic-systems"
	RTX=(--model "$MODELS/Qwen--Qwen3-30B-A3B" --system rtx_pro_6000_server --backend vllm --tp 4 --dp 2 --batch 8
		--isl 1000 --osl 100 --data-dir "$A" --format jsonl --strict)
	# rtx_pro_6000_server's tables hold NCCL 2.29.2 only, which its current spec names
	run --separate-stderr "$ROOT/pipelines/estimate" "${RTX[@]}" --fidelity load
	assert_success
	assert_equal "$(jget version <<<"$output")" 0.24.0
	[[ $stderr != *NCCL* ]]
	# the reference's v0.9 spec (NCCL 2.28.9) refuses, as the reference v0.9 does on this tree
	run --separate-stderr "$ROOT/pipelines/estimate" "${RTX[@]}" --fidelity reference
	assert_failure 1
	[[ $stderr == *"op context_moe_pre_dispatch: NCCL all_gather"*"/nccl/2.28.9/nccl_perf.parquet does not exist"* ]]
	# b200_sxm: 7.7 TB/s now, 8 TB/s in v0.9: a memory-bound op in sol mode scales by 8/7.7
	B200=(--model "$MODELS/Qwen--Qwen3-8B" --system b200_sxm --backend trtllm --tp 1 --batch 1 --isl 100 --osl 2
		--database-mode sol --format jsonl --ops)
	cur=$("$ROOT/pipelines/estimate" "${B200[@]}" --data-dir "$A" --fidelity load | jget ops.1.latency_ms)
	old=$("$ROOT/pipelines/estimate" "${B200[@]}" --data-dir "$A" --fidelity reference | jget ops.1.latency_ms)
	csv=$("$ROOT/pipelines/estimate" "${B200[@]}" --fidelity load | jget ops.1.latency_ms)
	approx "$old" 0.0147456 1e-12
	approx "$cur" "$(awk -v o="$old" 'BEGIN { printf "%.17g", o * 8 / 7.7 }')" 1e-12
	assert_equal "$csv" "$old"
}
