#!/usr/bin/env bats
# pipelines/generate: the reference's naive agg deployment, priced once, written as default's picks.
load test_helper
bats_require_minimum_version 1.5.0

GENERATE="$ROOT/pipelines/generate"
AGG_HEADER="model,isl,osl,prefix,concurrency,request_rate,bs,global_bs,ttft,tpot,request_latency,seq/s,seq/s/gpu,tokens/s,tokens/s/gpu,tokens/s/user,num_total_gpus,tp,pp,dp,moe_tp,moe_ep,parallel,gemm,kvcache,fmha,moe,comm,memory,balance_score,num_ctx_reqs,num_gen_reqs,num_tokens,ctx_tokens,gen_tokens,backend,version,system,power_w,tokens/s/gpu_cluster"

@test "generate: Qwen3-30B-A3B on 8xH200 is 8 replicas of one GPU, priced, saved in default's columns" {
	run --separate-stderr "$GENERATE" --model Qwen/Qwen3-30B-A3B --system h200_sxm --total-gpus 8 \
		--save-dir "$BATS_TEST_TMPDIR/gen"
	assert_success
	assert_line --index 5 "  Backend:         trtllm (1.3.0rc10)"
	assert_line --index 7 "  Parallelism:     TP=1, PP=1, DP=1, MoE TP=1, MoE EP=1"
	assert_line --index 8 "  Replicas:        8 (each using 1 GPUs)"
	assert_line --index 10 "  Estimate:        isl 4000, osl 1000: TTFT 342.508 ms, TPOT 35.311 ms, 3605.846 tokens/s/gpu, memory 119.759 GiB"
	# the deployment files of the pick, as default --save-dir writes them (pipelines/deploy)
	assert_equal "$stderr" ""
	[ -s "$BATS_TEST_TMPDIR/gen/agg/top1/generator_config.yaml" ]
	[ -s "$BATS_TEST_TMPDIR/gen/agg/top1/k8s_deploy.yaml" ]
	run cat "$BATS_TEST_TMPDIR/gen/agg/best_config_topn.csv"
	assert_output "$AGG_HEADER
Qwen/Qwen3-30B-A3B,4000,1000,0,128,3.609,128,128,342.508,35.311,35618.666,3.609,3.609,3605.846,3605.846,28.319,1,1,1,1,1,1,tp1pp1dp1etp1ep1,bfloat16,bfloat16,bfloat16,bfloat16,half,119.759,0.128,1.0,127.0,4127.0,4000,127.0,trtllm,1.3.0rc10,h200_sxm,0.0,3605.846"
}

@test "generate: a configuration that does not fit keeps its layout and leaves the numbers empty" {
	run --separate-stderr "$GENERATE" --model Qwen/Qwen3-32B --system h200_sxm --total-gpus 8 --save-dir "$BATS_TEST_TMPDIR/gen" --format jsonl
	assert_success
	assert_equal "$(echo "$output" | jget replicas)" 8
	assert_line --index 0 --partial '"record":"naive","model":"Qwen/Qwen3-32B"'
	assert_equal "$(echo "$stderr" | head -1)" "generate: tp1pp1dp1etp1ep1: numbers not computed: batch 128 does not fit in GPU memory at isl 4000 + osl 1000 (222.1 GiB of 141.0)"
	assert_equal "$(echo "$stderr" | sed -n 2p)" "generate: no deployment files: the configuration has no predicted numbers for them to carry"
	run cat "$BATS_TEST_TMPDIR/gen/agg/best_config_topn.csv"
	assert_line --index 1 "Qwen/Qwen3-32B,4000,1000,0,,,128,128,,,,,,,,,1,1,1,1,1,1,tp1pp1dp1etp1ep1,bfloat16,bfloat16,bfloat16,bfloat16,half,,,,,,4000,,trtllm,1.3.0rc10,h200_sxm,,"
	# the reference's MoE layout without an optimization target (moe_tp 8, tp 1) is written unpriced
	run --separate-stderr "$GENERATE" --model Qwen/Qwen3-235B-A22B --system h200_sxm --total-gpus 16
	assert_success
	assert_line --index 7 "  Parallelism:     TP=1, PP=1, DP=1, MoE TP=8, MoE EP=1"
	assert_line --index 8 "  Replicas:        2 (each using 8 GPUs)"
	assert_equal "$stderr" "generate: tp1pp1dp1etp8ep1: numbers not computed: infercast does not price layout tp1pp1dp1etp8ep1 (tp x dp must equal moe_tp x moe_ep; the reference writes it unpriced)"
}

@test "generate: usage errors" {
	run "$GENERATE" --model Qwen/Qwen3-32B --system h200_sxm
	assert_failure 2
	assert_line --index 0 "generate: --model, --system and --total-gpus are required"
	run "$GENERATE" --model Qwen/Qwen3-32B --system h200_sxm --total-gpus 8 --backend auto
	assert_failure 2
	assert_line --index 0 "generate: --backend: 'auto' is not one of trtllm, vllm, sglang"
	run "$GENERATE" --frobnicate
	assert_failure 2
	assert_line --index 0 "generate: unknown option '--frobnicate'"
}
