#!/usr/bin/env bats
# pipelines/exp and expyaml: the reference's `cli exp` experiments files.
load test_helper
bats_require_minimum_version 1.5.0

EXP="$ROOT/pipelines/exp"

@test "exp: the reference's example.yaml stops where the reference's does (backend_version 1.2.0rc5 has no data)" {
	# the reference (a54593e24) on ../shared/data: "No perf database for system=h200_sxm
	# backend=trtllm version=1.2.0rc5 ... Available versions: 1.3.0rc10", exit 1, no files
	run --separate-stderr "$EXP" --yaml-path "$FIXTURES/exp/example.yaml" --save-dir "$BATS_TEST_TMPDIR/out"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "expyaml: $FIXTURES/exp/example.yaml: exp_agg_full: no perf database for system=h200_sxm backend=trtllm version=1.2.0rc5 (available: 1.3.0rc10); set backend_version to one of them, or remove it to use the newest"
	[ ! -e "$BATS_TEST_TMPDIR/out" ]
}

@test "exp: the reference's qwen3_32b_disagg.yaml gives the reference's CSV files, byte for byte" {
	run --separate-stderr "$EXP" --yaml-path "$FIXTURES/exp/qwen3_32b_disagg.yaml" --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	assert_output "chosen experiment: exp_disagg (883.631 tokens/s/gpu_cluster)
experiment               mode    best tokens/s/gpu_cluster
exp_agg                  agg     626.89
exp_disagg               disagg  883.631
saved: $BATS_TEST_TMPDIR/out/<experiment>/best_config_topn.csv and pareto.csv"
	for f in exp_agg/best_config_topn.csv exp_agg/pareto.csv exp_disagg/best_config_topn.csv exp_disagg/pareto.csv; do
		diff "$FIXTURES/exp/qwen3_32b_disagg/$f" "$BATS_TEST_TMPDIR/out/$f"
	done
	run --separate-stderr "$EXP" --yaml-path "$FIXTURES/exp/qwen3_32b_disagg.yaml" --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","experiment":"exp_disagg","tokens_per_s_per_gpu":883.631}'
	assert_line --index 1 --partial '{"experiment":"exp_agg","record":"best","mode":"agg","rank":1,'
}

@test "expyaml: experiments in order, the reference's defaults, skips and refusals" {
	printf '%s\n' 'exps: [b, a, missing]' \
		'a: {serving_mode: agg, model_path: Qwen/Qwen3-8B, system_name: h200_sxm, total_gpus: 2, isl: 128, osl: 64, enable_chunked_prefill: true}' \
		'b: {serving_mode: disagg, model_path: Qwen/Qwen3-8B, system_name: h200_sxm, total_gpus: 4, ttft: 300.5, config: {nextn: 1, nextn_accept_rates: [0.9, 0, 0, 0, 0], decode_worker_config: {kvcache_quant_mode: fp8}}}' \
		'c: {serving_mode: agg, model_path: Qwen/Qwen3-8B, system_name: h200_sxm}' >"$BATS_TEST_TMPDIR/e.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/e.yaml"
	assert_success
	assert_output "b	--modes disagg --model Qwen/Qwen3-8B --system h200_sxm --backend trtllm --total-gpus 4 --isl 4000 --osl 1000 --ttft 300.5 --tpot 50 --nextn 1 --nextn-accept-rates 0.9,0,0,0,0 --decode-kvcache-quant fp8
a	--modes agg --model Qwen/Qwen3-8B --system h200_sxm --backend trtllm --total-gpus 2 --isl 128 --osl 64 --ttft 1000 --tpot 50 --enable-chunked-prefill"
	# without an `exps` list: every experiment, in the file's order; c has no total_gpus
	sed -i 1d "$BATS_TEST_TMPDIR/e.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/e.yaml"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/e.yaml: skipping experiment 'c': total_gpus not provided"
	printf '%s\n' 'x: {serving_mode: agg, model_path: Qwen/Qwen3-8B, system_name: h200_sxm, total_gpus: 8, config: {worker_config: {tp_list: [1, 2], enable_eplb: true}}}' >"$BATS_TEST_TMPDIR/f.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/f.yaml"
	assert_success
	assert_output "x	--modes agg --model Qwen/Qwen3-8B --system h200_sxm --backend trtllm --total-gpus 8 --isl 4000 --osl 1000 --ttft 1000 --tpot 50 --agg-lists tp=1,2"
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/f.yaml: x: enable_eplb changes nothing in an agg experiment: the reference's run_agg does not read it; ignored as there"
	printf 'a: [1, 2\nb: 3\n' >"$BATS_TEST_TMPDIR/g.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/g.yaml"
	assert_failure 1
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/g.yaml:2:2: did not find expected ',' or ']' while parsing a flow sequence"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/nope.yaml"
	assert_failure 1
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/nope.yaml: No such file or directory"
}

@test "exp: usage errors" {
	run "$EXP"
	assert_failure 2
	assert_line --index 0 "exp: --yaml-path is required"
	run "$EXP" --yaml-path x --top-n 0
	assert_failure 2
	assert_line --index 0 "exp: --top-n: '0' is not a positive whole number"
	run "$EXP" --frobnicate
	assert_failure 2
	assert_line --index 0 "exp: unknown option '--frobnicate'"
}

@test "exp: the example without its backend_version runs every setting it has and gives the reference's files" {
	# worker quant modes and search lists, nextn and its accept rates, replica_config and
	# advanced_tuning_config; the gb200 experiment has no data (the reference skips it too)
	run --separate-stderr "$EXP" --yaml-path "$FIXTURES/exp/example_noversion.yaml" --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	assert_output "chosen experiment: exp_agg_simplified (346.659 tokens/s/gpu_cluster)
experiment               mode    best tokens/s/gpu_cluster
exp_agg_full             agg     278.332
exp_agg_simplified       agg     346.659
exp_disagg_full          disagg  302.68125
saved: $BATS_TEST_TMPDIR/out/<experiment>/best_config_topn.csv and pareto.csv"
	assert_equal "$stderr" "exp: experiment exp_disagg_simplified failed: no trtllm perf data for gb200 (--database-mode hybrid, sol or empirical estimates without it)"
	for e in exp_agg_full exp_agg_simplified exp_disagg_full; do
		for f in best_config_topn.csv pareto.csv; do
			diff "$FIXTURES/exp/example_noversion/$e/$f" "$BATS_TEST_TMPDIR/out/$e/$f"
		done
	done
	[ ! -e "$BATS_TEST_TMPDIR/out/exp_disagg_simplified" ]
}

@test "expyaml: profiles are the reference's quant presets on every worker; an unknown one is skipped" {
	printf '%s\n' 'a: {serving_mode: agg, model_path: Qwen/Qwen3-32B-FP8, system_name: h200_sxm, total_gpus: 16, profiles: [fp8_static, nope]}' >"$BATS_TEST_TMPDIR/p.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/p.yaml"
	assert_success
	assert_output "a	--modes agg --model Qwen/Qwen3-32B-FP8 --system h200_sxm --backend trtllm --total-gpus 16 --isl 4000 --osl 1000 --ttft 1000 --tpot 50 --gemm-quant fp8_static --moe-quant fp8 --kvcache-quant fp8 --fmha-quant fp8 --comm-quant half"
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/p.yaml: a: profile 'nope' not found, skipping"
}

@test "expyaml: the rate matching's degradation factors and the per-pool GPU budgets go to default (pareto)" {
	printf '%s\n' 'h: {serving_mode: disagg, model_path: Qwen/Qwen3-32B, system_name: h200_sxm, total_gpus: 8,' \
		'  config: {advanced_tuning_config: {rate_matching_prefill_degradation_factor: 0.5, rate_matching_decode_degradation_factor: null},' \
		'           replica_config: {max_prefill_gpus: 2, max_decode_gpus: 4}}}' \
		'n: {serving_mode: disagg, model_path: Qwen/Qwen3-32B, system_name: h200_sxm, total_gpus: 8,' \
		'  config: {replica_config: {max_prefill_gpus: 2, max_decode_gpus: null}}}' >"$BATS_TEST_TMPDIR/d.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/d.yaml"
	assert_success
	assert_equal "${#lines[@]}" 2
	assert_line --index 0 --regexp $'^h\t.* --prefill-degradation 0\\.5 --max-prefill-gpus 2 --max-decode-gpus 4$'
	refute_line --index 0 --partial -- "--decode-degradation"
	refute_line --index 1 --partial -- "--max-prefill-gpus"
	refute_line --index 1 --partial -- "--max-decode-gpus"
	# one budget alone bounds nothing in the reference: said, and left out
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/d.yaml: n: config.replica_config.max_prefill_gpus alone bounds nothing (the reference needs both max_prefill_gpus and max_decode_gpus): ignored"
	printf '%s\n' 'b: {serving_mode: disagg, model_path: Qwen/Qwen3-32B, system_name: h200_sxm, total_gpus: 8,' \
		'  config: {advanced_tuning_config: {rate_matching_decode_degradation_factor: fast}}}' >"$BATS_TEST_TMPDIR/b.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/b.yaml"
	assert_failure 1
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/b.yaml: b: rate_matching_decode_degradation_factor: 'fast' is not a number"
}

@test "expyaml: enable_eplb per disagg worker (its own, else the config section's) and moe_backend deepep_moe" {
	printf '%s\n' 'y: {serving_mode: disagg, model_path: deepseek-ai/DeepSeek-V3, system_name: h200_sxm, backend_name: sglang, total_gpus: 16, config: {enable_eplb: true, moe_backend: deepep_moe, decode_worker_config: {enable_eplb: false}}}' \
		'z: {serving_mode: disagg, model_path: deepseek-ai/DeepSeek-V3, system_name: h200_sxm, total_gpus: 16, config: {enable_eplb: true, moe_backend: null}}' \
		'w: {serving_mode: disagg, model_path: deepseek-ai/DeepSeek-V3, system_name: h200_sxm, total_gpus: 16, config: {prefill_worker_config: {enable_eplb: false}, decode_worker_config: {enable_eplb: yes}}}' >"$BATS_TEST_TMPDIR/e.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/e.yaml"
	assert_success
	assert_output "y	--modes disagg --model deepseek-ai/DeepSeek-V3 --system h200_sxm --backend sglang --total-gpus 16 --isl 4000 --osl 1000 --ttft 1000 --tpot 50 --deepep-model --prefill-enable-eplb
z	--modes disagg --model deepseek-ai/DeepSeek-V3 --system h200_sxm --backend trtllm --total-gpus 16 --isl 4000 --osl 1000 --ttft 1000 --tpot 50 --prefill-enable-eplb --decode-enable-eplb
w	--modes disagg --model deepseek-ai/DeepSeek-V3 --system h200_sxm --backend trtllm --total-gpus 16 --isl 4000 --osl 1000 --ttft 1000 --tpot 50 --decode-enable-eplb"
	assert_equal "$stderr" ""
	printf '%s\n' 'v: {serving_mode: disagg, model_path: deepseek-ai/DeepSeek-V3, system_name: h200_sxm, total_gpus: 16, config: {enable_eplb: often}}' >"$BATS_TEST_TMPDIR/v.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/v.yaml"
	assert_failure 1
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/v.yaml: v: config.enable_eplb: 'often' is not true or false"
	printf '%s\n' 'u: {serving_mode: disagg, model_path: deepseek-ai/DeepSeek-V3, system_name: h200_sxm, total_gpus: 16, config: {moe_backend: megamoe}}' >"$BATS_TEST_TMPDIR/u.yaml"
	run --separate-stderr expyaml "$BATS_TEST_TMPDIR/u.yaml"
	assert_failure 1
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/u.yaml: u: config.moe_backend is not applied by infercast yet (remove it to run the experiment)"
}
