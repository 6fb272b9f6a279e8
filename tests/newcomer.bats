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
	dir="$out/meta-llama--Meta-Llama-3.1-8B__h200_sxm__trtllm__2gpu_isl4000_osl1000_ttft2000_tpot30"
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
	[ -s "$out/meta-llama--Meta-Llama-3.1-8B__h200_sxm__trtllm__2gpu_isl2000_osl1000_ttft2000_tpot30/summary.txt" ]
}

@test "make sweeps: a failed sweep keeps its messages in summary.err, says so, and leaves no summary.txt" {
	out="$BATS_TEST_TMPDIR/out"
	run --separate-stderr make -s -f "$ROOT/pipelines/Makefile" OUT="$out" MODELDIR="$MODELS" \
		MODELS=meta-llama--Meta-Llama-3.1-8B SYSTEMS=h200_sxm BACKENDS=trtllm GPUS=2 TTFT=1 TPOT=1
	assert_failure
	dir="$out/meta-llama--Meta-Llama-3.1-8B__h200_sxm__trtllm__2gpu_isl4000_osl1000_ttft1_tpot1"
	[ ! -e "$dir/summary.txt" ]
	[ -s "$dir/summary.err" ]
	[[ $stderr == *"$dir/summary.err: the sweep failed"* ]]
}
