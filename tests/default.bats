#!/usr/bin/env bats
# pipelines/default (sweep | opgraph | query | aggregate | pareto) against the reference's
# `cli default` goldens, and the errors of sweep, pareto and default.
load test_helper
bats_require_minimum_version 1.5.0

DEFAULT="$ROOT/pipelines/default"
QWEN_CASE="$GOLDENS/default/qwen3_32b__h200_sxm__trtllm__gpus8__isl4000_osl1000__ttft2000_tpot30"
LLAMA_CASE="$GOLDENS/default/llama31_8b__h100_sxm__vllm__gpus8__isl1024_osl1024__ttft500_tpot15"
MOE_CASE="$GOLDENS/default/qwen3_30b_a3b__h200_sxm__sglang__gpus8__isl2000_osl500__ttft1000_tpot20"

qwen() {
	"$DEFAULT" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm --total-gpus 8 \
		--isl 4000 --osl 1000 --ttft 2000 --tpot 30 "$@"
}

# same_csv CASE DIR: the four files of a case equal the golden's, byte for byte.
same_csv() {
	for f in agg/pareto.csv agg/best_config_topn.csv disagg/pareto.csv disagg/best_config_topn.csv; do
		cmp "$1/$f" "$2/$f"
	done
}

@test "default: Qwen3-32B on 8xH200 picks disagg 4x tp1 prefill + 1x tp4 decode bs 280 (1036.80 tok/s/gpu)" {
	run qwen --format jsonl
	assert_success
	chosen=$(printf '%s\n' "$output" | grep '"record":"chosen"')
	[ "$(printf '%s' "$chosen" | jget mode)" = disagg ]
	approx "$(printf '%s' "$chosen" | jget tokens_per_s_per_gpu)" 1036.8
	approx "$(printf '%s' "$chosen" | jget agg_tokens_per_s_per_gpu)" 944.148
	best=$(printf '%s\n' "$output" | grep '"record":"best","mode":"disagg","rank":1,')
	approx "$(printf '%s' "$best" | jget row.ttft)" 781.281
	approx "$(printf '%s' "$best" | jget row.tpot)" 29.434
	approx "$(printf '%s' "$best" | jget 'row.tokens/s/gpu')" 1036.8
	[ "$(printf '%s' "$best" | jget 'row.(p)workers')" = 4 ]
	[ "$(printf '%s' "$best" | jget 'row.(p)tp')" = 1 ]
	[ "$(printf '%s' "$best" | jget 'row.(d)workers')" = 1 ]
	[ "$(printf '%s' "$best" | jget 'row.(d)tp')" = 4 ]
	[ "$(printf '%s' "$best" | jget 'row.(d)bs')" = 280 ]
	agg=$(printf '%s\n' "$output" | grep '"record":"best","mode":"agg","rank":1,')
	[ "$(printf '%s' "$agg" | jget row.tp)" = 4 ]
	[ "$(printf '%s' "$agg" | jget row.bs)" = 112 ]
	approx "$(printf '%s' "$agg" | jget 'row.tokens/s/gpu')" 944.148
	approx "$(printf '%s' "$agg" | jget row.ttft)" 1058.621
}

@test "default: Qwen3-32B saved fronts and top configurations equal the reference's files" {
	# the goldens were made through the reference's API, whose free_gpu_memory_fraction is 0.9
	run qwen --free-gpu-memory-fraction 0.9 --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	same_csv "$QWEN_CASE" "$BATS_TEST_TMPDIR/out"
	assert_output --partial "Best Experiment Chosen: disagg at 1036.80 tokens/s/gpu (disagg 1.10x better)"
	assert_output --partial "|  1   | trtllm  | 1.3.0rc10 | silicon  |   1036.80    |     33.97     |"
	assert_output --partial "TTFT: 781.28ms"
	assert_output --partial "TPOT: 29.43ms"
}

@test "default: --free-gpu-memory-fraction is 1.0 as the reference's command line: TRT-LLM tp2 bs 160 joins the agg front" {
	run qwen --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	# the picks are the golden's (made with the API's 0.9); only the KV-cache check lets more in
	cmp "$QWEN_CASE/agg/best_config_topn.csv" "$BATS_TEST_TMPDIR/out/agg/best_config_topn.csv"
	cmp "$QWEN_CASE/disagg/pareto.csv" "$BATS_TEST_TMPDIR/out/disagg/pareto.csv"
	run diff <(cut -d, -f5,7,9,10,15,18 "$QWEN_CASE/agg/pareto.csv") <(cut -d, -f5,7,9,10,15,18 "$BATS_TEST_TMPDIR/out/agg/pareto.csv")
	assert_output "1a2,3
> 160,160,968.858,64.542,1228.113,2
> 160,160,1835.682,64.358,1219.379,2"
	for f in 1.5 0 x; do
		run qwen --free-gpu-memory-fraction $f
		assert_failure 2
		assert_line --index 0 "default: --free-gpu-memory-fraction: '$f' is not a number in (0, 1]"
	done
}

@test "default: Llama-3.1-8B on 8xH100 (vllm) equals the reference's files" {
	run "$DEFAULT" --model "$MODELS/meta-llama--Meta-Llama-3.1-8B" --system h100_sxm --backend vllm \
		--total-gpus 8 --isl 1024 --osl 1024 --ttft 500 --tpot 15 --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	same_csv "$LLAMA_CASE" "$BATS_TEST_TMPDIR/out"
}

moe() {
	"$DEFAULT" --model "$MODELS/Qwen--Qwen3-30B-A3B" --system h200_sxm --backend sglang --total-gpus 8 \
		--isl 2000 --osl 500 --ttft 1000 --tpot 20 "$@"
}

# The MoE tables have no rows for moe_tp 8: the reference drops those layouts (agg and disagg),
# which query --keep-going and pareto replay. No DeepEP sweep: h200_sxm/sglang has no DeepEP tables.
@test "default: Qwen3-30B-A3B on 8xH200 (sglang, MoE) equals the reference's files" {
	run moe --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	same_csv "$MOE_CASE" "$BATS_TEST_TMPDIR/out"
	assert_output --partial "Best Experiment Chosen: agg at 3816.81 tokens/s/gpu"
	refute_output --partial "etp8ep1"
}

@test "default: Qwen3-30B-A3B picks agg tp1 dp4 etp4 bs 80 (3816.81 tok/s/gpu); disagg 4x tp1 + 1x dp4 bs 136" {
	run moe --format jsonl
	assert_success
	chosen=$(printf '%s\n' "$output" | grep '"record":"chosen"')
	[ "$(printf '%s' "$chosen" | jget mode)" = agg ]
	approx "$(printf '%s' "$chosen" | jget tokens_per_s_per_gpu)" 3816.808
	approx "$(printf '%s' "$chosen" | jget disagg_tokens_per_s_per_gpu)" 3191.48
	agg=$(printf '%s\n' "$output" | grep '"record":"best","mode":"agg","rank":1,')
	[ "$(printf '%s' "$agg" | jget row.parallel)" = tp1pp1dp4etp4ep1 ]
	[ "$(printf '%s' "$agg" | jget row.bs)" = 80 ]
	[ "$(printf '%s' "$agg" | jget row.ctx_tokens)" = 8000 ]
	approx "$(printf '%s' "$agg" | jget row.ttft)" 518.157
	approx "$(printf '%s' "$agg" | jget row.tpot)" 19.947
	best=$(printf '%s\n' "$output" | grep '"record":"best","mode":"disagg","rank":1,')
	[ "$(printf '%s' "$best" | jget 'row.(p)parallel')" = tp1pp1dp1etp1ep1 ]
	[ "$(printf '%s' "$best" | jget 'row.(p)workers')" = 4 ]
	[ "$(printf '%s' "$best" | jget 'row.(d)parallel')" = tp1pp1dp4etp4ep1 ]
	[ "$(printf '%s' "$best" | jget 'row.(d)workers')" = 1 ]
	[ "$(printf '%s' "$best" | jget 'row.(d)bs')" = 136 ]
	approx "$(printf '%s' "$best" | jget row.ttft)" 78.356
	approx "$(printf '%s' "$best" | jget row.tpot)" 19.642
	approx "$(printf '%s' "$best" | jget 'row.tokens/s/gpu')" 3191.48
}

@test "default: a sweep where no layout can be priced says why (the last refusal)" {
	# only the layouts with moe_tp 8 (etp8ep1): the MoE table has no rows for them
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-30B-A3B' | sweep --system h200_sxm --backend sglang --total-gpus 8 --isl 2000 --osl 500 --modes agg | grep etp8ep1 | opgraph --system h200_sxm --backend sglang --isl 2000 --osl 500 --batch 1 | query --keep-going | aggregate | pareto --total-gpus 8 --ttft 1000 --tpot 20"
	assert_failure 1
	assert_output --partial "pareto: no configuration of Qwen/Qwen3-30B-A3B on 8 GPUs; agg: no worker layout could be priced (4 failed; the last: op context_moe: MoE num_tokens="
	assert_output --partial "moe_perf.txt has no rows for bfloat16"
}

@test "default: targets nobody meets exit 1 with the reason" {
	run qwen --ttft 1
	assert_failure 1
	assert_output --partial "default: no configuration of Qwen/Qwen3-32B on 8 GPUs; agg: no configuration meets TTFT <= 1 ms"
	run qwen --tpot 1
	assert_failure 1
	assert_output "default: no configuration meets TTFT <= 2000 ms and TPOT <= 1 ms; the lowest TPOT with TTFT <= 2000 ms is 5.38 ms (agg): relax --ttft or --tpot"
}

@test "default: a model that fits no layout exits 1; nothing is saved" {
	run "$DEFAULT" --model "$MODELS/meta-llama--Meta-Llama-3.1-405B" --system h200_sxm --backend trtllm \
		--total-gpus 1 --save-dir "$BATS_TEST_TMPDIR/none"
	assert_failure 1
	assert_output --partial "agg: the model does not fit in GPU memory with any worker layout"
	[ ! -e "$BATS_TEST_TMPDIR/none" ]
}

@test "default: unknown model and bad options" {
	run "$DEFAULT" --model "$BATS_TEST_TMPDIR/nope" --system h200_sxm --backend trtllm --total-gpus 8
	assert_failure 1
	assert_output "default: --model: '$BATS_TEST_TMPDIR/nope' does not exist"
	run "$DEFAULT" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm
	assert_failure 2
	assert_line --index 0 "default: --total-gpus is required"
	run "$DEFAULT" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend tgi --total-gpus 8
	assert_failure 2
	assert_line --index 0 "default: --backend: 'tgi' is not one of trtllm, vllm, sglang, auto"
	run "$DEFAULT" --help
	assert_success
	assert_line --index 0 --partial "usage: default --model DIR"
}

@test "sweep: the Qwen3-32B search space (344 agg points, 4 prefill and 384 decode workers)" {
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-32B' | sweep --system h200_sxm --backend trtllm --total-gpus 8 --isl 4000 --osl 1000 --count"
	assert_success
	assert_output 732
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-32B' | sweep --system h200_sxm --backend trtllm --total-gpus 8 --isl 4000 --osl 1000 | '$TOOLS/jget' config_id"
	assert_success
	[ "$(printf '%s\n' "$output" | grep -c '^agg/')" = 344 ]
	[ "$(printf '%s\n' "$output" | grep -c '^prefill/')" = 4 ]
	[ "$(printf '%s\n' "$output" | grep -c '^decode/')" = 384 ]
	assert_line --index 0 "agg/tp1pp1dp1etp1ep1/b1/ctx4000"
	assert_line "agg/tp4pp1dp1etp1ep1/b112/ctx8000"
	assert_line "decode/tp4pp1dp1etp1ep1/b280"
	# a batch of 1 cannot hold two prompts
	refute_line "agg/tp1pp1dp1etp1ep1/b1/ctx8000"
}

@test "sweep: runtime object of a record; one GPU has no disagg" {
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-32B' | sweep --system h200_sxm --backend trtllm --total-gpus 1 --isl 4000 --osl 1000 --modes agg,disagg | tail -1"
	assert_success
	last=$output
	[ "$(printf '%s' "$last" | jget runtime.mode)" = agg ]
	[ "$(printf '%s' "$last" | jget runtime.tp)" = 1 ]
	[ "$(printf '%s' "$last" | jget runtime.batch)" = 512 ]
	[ "$(printf '%s' "$last" | jget runtime.ctx_tokens)" = 8000 ]
}

@test "sweep and pareto: usage errors exit 2" {
	run sweep --system h200_sxm --backend foo --total-gpus 8 --isl 10 --osl 10
	assert_failure 2
	assert_line --index 0 "sweep: --backend: 'foo' is not one of trtllm, vllm, sglang"
	run sweep --system h200_sxm --backend trtllm --isl 10 --osl 10
	assert_failure 2
	assert_line --index 0 "sweep: --total-gpus is required"
	run sweep --modes foo --system h200_sxm --backend trtllm --total-gpus 8 --isl 10 --osl 10
	assert_failure 2
	assert_line --index 0 "sweep: --modes: 'foo' is not a list of agg, disagg"
	run pareto --ttft 10
	assert_failure 2
	assert_line --index 0 "pareto: --total-gpus is required"
	assert_line --index 1 "try 'pareto --help'"
	run pareto --total-gpus 8 --format xml
	assert_failure 2
	run pareto --help
	assert_success
}

@test "pareto: no reports, and a bad report, exit 1" {
	run sh -c "echo '{\"record\":\"model\"}' | pareto --total-gpus 8"
	assert_failure 1
	assert_output "pareto: no report records on input (expected the reports of sweep | opgraph | query | aggregate, with their ops)"
	run sh -c "echo '{\"record\":\"report\",\"mode\":\"agg\",\"config_id\":\"x\",\"tp\":1}' | pareto --total-gpus 8"
	assert_failure 1
	assert_output "pareto: <stdin>:1: report 'x': 'pp' is missing or not a number"
}

@test "default: fp8_block MoE layouts the reference refuses (moe_inter_size / moe_tp not whole blocks) are skipped" {
	# Qwen3-30B-A3B-FP8: 768 / moe_tp 4 = 192 is not a multiple of 128; moe_tp 1 and 2 remain
	run "$DEFAULT" --model "$MODELS/Qwen--Qwen3-30B-A3B-FP8" --system h200_sxm --backend sglang --total-gpus 8 \
		--isl 2000 --osl 500 --ttft 1000 --tpot 20 --format jsonl
	assert_success
	refute_output --partial etp4
	refute_output --partial etp8
	assert_output --partial '"record":"chosen"'
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-30B-A3B-FP8' | opgraph --keep-going --system h200_sxm --backend sglang --isl 2000 --osl 500 --batch 8 --tp 4 --moe-tp 4 --moe-ep 1 --mode agg | aggregate"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	[ "$(printf '%s' "$output" | jget error)" = "fp8_block experts: moe_inter_size 768 / moe_tp 4 = 192 is not a multiple of the weight block size 128" ]
	[ "$(printf '%s' "$output" | jget serving.ctx_tokens)" = 2000 ]
	refute_output --partial ttft_ms
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-30B-A3B-FP8' | opgraph --system h200_sxm --backend sglang --isl 2000 --osl 500 --batch 8 --tp 4 --moe-tp 4 --moe-ep 1"
	assert_failure 1
	assert_output "opgraph: <stdin>:1: fp8_block experts: moe_inter_size 768 / moe_tp 4 = 192 is not a multiple of the weight block size 128"
}

# same_as_reference CASE DIR: the four files equal the reference's cli_default(request_latency=...)
# output in tests/fixtures/request_latency/CASE (model column aside: the reference writes its path).
same_as_reference() {
	for f in agg/pareto.csv agg/best_config_topn.csv disagg/pareto.csv disagg/best_config_topn.csv; do
		cut -d, -f2- "$2/$f" | cmp - "$FIXTURES/request_latency/$1/$f"
	done
}

@test "default --request-latency: Qwen3-32B on 8xH200 (30000 ms) equals the reference's files" {
	run qwen --request-latency 30000 --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	same_as_reference qwen3_32b_rl30000 "$BATS_TEST_TMPDIR/out"
	assert_output --partial "prefix 0 tokens; request latency <= 30000 ms"
	assert_output --partial "Best Experiment Chosen: disagg at 1036.80 tokens/s/gpu (disagg 1.15x better)"
	assert_output --partial "TPOT: 28.80ms"
	assert_output --partial "Request Latency: 29553.48ms"
	assert_output --partial "Pareto Frontier (tokens/s/gpu_cluster against request_latency): agg 21 points; disagg 7 points"
}

@test "default --request-latency: Llama-3.1-8B on 8xH100 (vllm, 12000 ms) equals the reference's files" {
	run "$DEFAULT" --model "$MODELS/meta-llama--Meta-Llama-3.1-8B" --system h100_sxm --backend vllm \
		--total-gpus 8 --isl 1024 --osl 1024 --request-latency 12000 --save-dir "$BATS_TEST_TMPDIR/out" --format jsonl
	assert_success
	same_as_reference llama31_8b_rl12000 "$BATS_TEST_TMPDIR/out"
	chosen=$(printf '%s\n' "$output" | grep '"record":"chosen"')
	[ "$(printf '%s' "$chosen" | jget mode)" = agg ]
	approx "$(printf '%s' "$chosen" | jget tokens_per_s_per_gpu)" 6290.307
	best=$(printf '%s\n' "$output" | grep '"record":"best","mode":"agg","rank":1,')
	[ "$(printf '%s' "$best" | jget row.parallel)" = tp2pp1dp1etp1ep1 ]
	[ "$(printf '%s' "$best" | jget row.bs)" = 144 ]
	approx "$(printf '%s' "$best" | jget row.request_latency)" 11754.613
	dis=$(printf '%s\n' "$output" | grep '"record":"best","mode":"disagg","rank":1,')
	approx "$(printf '%s' "$dis" | jget row.request_latency)" 11637.887
	approx "$(printf '%s' "$dis" | jget 'row.tokens/s/gpu_cluster')" 5119.027
}

@test "default --request-latency: Qwen3-30B-A3B on 8xH200 (sglang MoE, 4000 ms) equals the reference's files" {
	run "$DEFAULT" --model "$MODELS/Qwen--Qwen3-30B-A3B" --system h200_sxm --backend sglang --total-gpus 8 \
		--isl 2000 --osl 500 --ttft 1000 --tpot 20 --request-latency 4000 --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	same_as_reference qwen3_30b_a3b_rl4000 "$BATS_TEST_TMPDIR/out"
	assert_output --partial "Best Experiment Chosen: agg at 944.56 tokens/s/gpu"
}

@test "default --request-latency: a target no split can meet exits 1 with the reason" {
	# 100 ms: TTFTs of 10..70 ms, each leaving well under 0.1 ms per later token
	run qwen --request-latency 100
	assert_failure 1
	assert_output --partial "agg: no configuration meets any TTFT/TPOT split of request latency 100 ms"
}

@test "default and pareto --request-latency: bad values exit 2" {
	for v in 0 -5 abc 0.0 1.2.3; do
		run qwen --request-latency "$v"
		assert_failure 2
		assert_line --index 0 "default: --request-latency: '$v' is not a positive number of milliseconds"
		assert_line --index 1 "try 'default --help'"
	done
	run qwen --request-latency 5000 --osl 1
	assert_failure 2
	assert_line --index 0 "default: --request-latency needs --osl above 1"
	run pareto --total-gpus 8 --request-latency 0
	assert_failure 2
	assert_line --index 0 "pareto: --request-latency must be positive"
	run pareto --total-gpus 8 --request-latency -3
	assert_failure 2
	assert_line --index 0 "pareto: --request-latency must be positive"
	run pareto --total-gpus 8 --request-latency
	assert_failure 2
	assert_line --index 0 "pareto: option '--request-latency' needs a value"
	run "$DEFAULT" --help
	assert_output --partial "[--request-latency MS]"
	run pareto --help
	assert_output --partial "[--request-latency MS]"
}

@test "default: ties in rounded seq/s are cut as pandas' unstable sort cuts them (Llama-3.1-405B front keeps bs 12 ctx 8000)" {
	# the reference's cli_default (bench/refdiff; its API's free_gpu_memory_fraction 0.9) keeps this row on its agg front: at batch 12 the
	# ctx 2000 and ctx 8000 points tie at seq/s 0.574, and numpy's introsort puts ctx 8000 in the top 10
	"$DEFAULT" --model "$MODELS/meta-llama--Meta-Llama-3.1-405B" --system h200_sxm --backend trtllm --total-gpus 8 \
		--isl 2000 --osl 500 --ttft 3000 --tpot 60 --free-gpu-memory-fraction 0.9 --save-dir "$BATS_TEST_TMPDIR/s" >/dev/null
	f="$BATS_TEST_TMPDIR/s/agg/pareto.csv"
	assert_equal "$(wc -l <"$f")" 36
	assert_equal "$(sed -n 32p "$f" | cut -d, -f2-)" \
		"2000,500,0,12,0.574,12,12,2820.534,36.3,20934.046,0.574,0.072,286.538,35.817,27.548,8,8,1,1,1,1,tp8pp1dp1etp1ep1,bfloat16,bfloat16,bfloat16,bfloat16,half,101.429,0.006,4.0,8.0,8008.0,8000,8.0,trtllm,1.3.0rc10,h200_sxm,0.0,35.817"
}

@test "default: the rate matching's degradation factors and per-pool GPU budgets (an experiment's tuning and replica settings)" {
	# rank1 FIELD...: fields of the best disagg row
	rank1() {
		local best
		best=$(printf '%s\n' "$output" | grep '"record":"best","mode":"disagg","rank":1,')
		for f; do printf '%s' "$best" | jget "row.$f"; done | paste -sd ' '
	}
	run qwen --modes disagg --format jsonl --prefill-degradation 0.9 --decode-degradation 0.92
	assert_success
	assert_equal "$(rank1 '(p)workers' '(d)tp' '(d)bs' '(d)workers' 'tokens/s/gpu')" "4 4 280 1 1036.8"
	# decode slots always full: the same throughput at a smaller decode batch
	run qwen --modes disagg --format jsonl --decode-degradation 1
	assert_success
	assert_equal "$(rank1 '(p)workers' '(d)tp' '(d)bs' '(d)workers' 'tokens/s/gpu')" "4 4 216 1 1036.8"
	run qwen --modes disagg --format jsonl --prefill-degradation 0.5
	assert_success
	assert_equal "$(rank1 '(p)workers' '(d)tp' '(d)bs' '(d)workers' 'tokens/s/gpu')" "4 4 84 1 576"
	# at most 2 prefill and 4 decode GPUs: the 4 x tp1 prefill pool no longer fits
	run qwen --modes disagg --format jsonl --max-prefill-gpus 2 --max-decode-gpus 4
	assert_success
	assert_equal "$(rank1 '(p)workers' '(d)tp' '(d)bs' '(d)workers')" "2 2 128 1"
	approx "$(rank1 'tokens/s/gpu')" 1001.19
	run qwen --modes disagg --max-prefill-gpus 2
	assert_failure 2
	assert_line --index 0 "default: --max-prefill-gpus and --max-decode-gpus go together"
	run qwen --modes disagg --decode-degradation 0
	assert_failure 2
	assert_line --index 0 "default: --prefill-degradation and --decode-degradation must be positive"
}

# same_picture DIR ARGS...: DIR/pareto_frontier.png is the picture paretoplot draws from DIR's files
# with ARGS (titles, mark) byte for byte: the pipeline asked for exactly those; prints --describe.
same_picture() {
	d=$1
	shift
	paretoplot --describe -o "$BATS_TEST_TMPDIR/want.png" "$@" "$d" && cmp "$BATS_TEST_TMPDIR/want.png" "$d/pareto_frontier.png"
}

@test "default --save-dir: the plot's title, TPOT mark and chosen point (the best row of either mode), drawn beside the deployment files" {
	d="$BATS_TEST_TMPDIR/s"
	run "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm \
		--backend trtllm --total-gpus 8 --isl 4000 --osl 1000 --ttft 2000 --tpot 30 --save-dir "$d" --deployment-target k8s
	assert_success
	assert_line "    saved as $d/agg/pareto.csv, $d/disagg/pareto.csv; plot: $d/pareto_frontier.png"
	run same_picture "$d" --title '{model} on 8 x h200_sxm, trtllm; ISL 4000, OSL 1000' --title 'TTFT <= 2000 ms, TPOT <= 30 ms' --tpot-mark 30
	assert_success
	assert_line --index 0 'title: Qwen/Qwen3-32B on 8 x h200_sxm, trtllm; ISL 4000, OSL 1000'
	assert_line 'mark: TPOT 30 ms at 33.3333 tokens/s/user'
	assert_line 'chosen: disagg 4x (p)tp1pp1dp1etp1ep1 bs 1 + 1x (d)tp4pp1dp1etp1ep1 bs 280 at 33.974 tokens/s/user, 1036.8 tokens/s/gpu'
	[ -f "$d/disagg/top3/k8s_deploy.yaml" ]
	# no temporary file of the picture's left in the folder
	assert_equal "$(ls -A "$d" | paste -sd' ')" 'agg disagg pareto_frontier.png'
	# one mode: its best row, the model from its own file, the request-latency target, no mark
	run "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm \
		--backend trtllm --total-gpus 8 --isl 4000 --osl 1000 --request-latency 30000 --modes agg --save-dir "$d.agg" \
		--deployment-target k8s --top-n 1
	assert_success
	run same_picture "$d.agg" --title '{model} on 8 x h200_sxm, trtllm; ISL 4000, OSL 1000' --title 'request latency <= 30000 ms'
	assert_success
	assert_line --index 1 'title: request latency <= 30000 ms'
	assert_line --regexp '^chosen: agg tp[0-9]pp1dp1etp1ep1 bs [0-9]+ at '
	refute_line --partial 'front: disagg'
	refute_line --partial 'mark:'
}

@test "default --save-dir: a run that fails draws no picture and leaves no files" {
	d="$BATS_TEST_TMPDIR/s"
	# before the sweep (no data for the version) and after it (nothing meets the targets)
	run --separate-stderr timeout 120 "$ROOT/pipelines/default" \
		--model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm --total-gpus 8 --version 9.9 --save-dir "$d"
	assert_failure 1
	assert_equal "$stderr" "default: no trtllm perf data for h200_sxm version 9.9 (--database-mode hybrid, sol or empirical estimates without it)"
	[ ! -e "$d" ]
	run --separate-stderr timeout 120 "$ROOT/pipelines/default" \
		--model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm --total-gpus 1 --ttft 10 --save-dir "$d"
	assert_failure 1
	[ ! -e "$d" ]
}

@test "default --save-dir: deployment files that cannot be written end the run with their error and status" {
	d="$BATS_TEST_TMPDIR/s"
	mkdir -p "$d/agg"
	touch "$d/agg/top1" # where the first agg pick's folder goes
	run --separate-stderr timeout 120 "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm \
		--backend trtllm --total-gpus 8 --isl 4000 --osl 1000 --ttft 2000 --tpot 30 --save-dir "$d"
	assert_failure 1
	assert_equal "$stderr" "default: $d/agg/top1/generator_config.yaml: Not a directory"
	[ -z "$output" ]
}
