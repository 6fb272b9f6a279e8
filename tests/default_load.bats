#!/usr/bin/env bats
# pipelines/default under --fidelity load: agg candidates (layout x batch) priced by infercast's
# load model as `estimate --mode agg --fidelity load` prices them; disagg, --fidelity reference
# and exp keep the reference's numbers.
load test_helper
bats_require_minimum_version 1.5.0

DEFAULT="$ROOT/pipelines/default"
QWEN_CASE="$GOLDENS/default/qwen3_32b__h200_sxm__trtllm__gpus8__isl4000_osl1000__ttft2000_tpot30"

qwen() {
	"$DEFAULT" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm --total-gpus 8 \
		--isl 4000 --osl 1000 --ttft 2000 --tpot 30 "$@"
}

@test "default_load: sweep --fidelity load writes one agg point per layout and batch, without ctx_tokens" {
	hfparse "$MODELS/Qwen--Qwen3-32B" >"$BATS_TEST_TMPDIR/m"
	sw() { sweep --system h200_sxm --backend trtllm --total-gpus 8 --isl 4000 --osl 1000 "$@" <"$BATS_TEST_TMPDIR/m"; }
	# 4 layouts x 44 batches (1..512) = 176 agg points under load; the reference's 344 with ctx_tokens
	[ "$(sw --fidelity load --modes agg --count)" = 176 ]
	[ "$(sw --fidelity reference --modes agg --count)" = 344 ]
	[ "$(INFERCAST_FIDELITY=load sw --modes agg --count)" = 176 ]
	# disagg workers do not depend on the fidelity
	[ "$(sw --fidelity load --modes disagg --count)" = "$(sw --fidelity reference --modes disagg --count)" ]
	sw --fidelity load --modes agg >"$BATS_TEST_TMPDIR/agg"
	run jget config_id <"$BATS_TEST_TMPDIR/agg"
	assert_line --index 0 "agg/tp1pp1dp1etp1ep1/b1"
	assert_line --index 1 "agg/tp1pp1dp1etp1ep1/b2"
	assert_line --index 175 "agg/tp8pp1dp1etp1ep1/b512"
	[ "$(grep -c ctx_tokens "$BATS_TEST_TMPDIR/agg")" = 0 ]
	run sweep --system h200_sxm --backend trtllm --total-gpus 8 --isl 10 --osl 10 --fidelity best </dev/null
	assert_failure 2
	assert_line --index 0 "sweep: fidelity must be load or reference, not 'best'"
}

@test "default_load: Qwen3-32B on 8xH200 trtllm under load picks agg tp2 bs 80 (1414.13 tok/s/gpu), priced by the load model" {
	run qwen --fidelity load --free-gpu-memory-fraction 0.9 --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	assert_line "    Latency model: agg by infercast's load model (--fidelity load, docs/accuracy.md); disagg by the reference's static workers"
	assert_line "    Best Experiment Chosen: agg at 1414.13 tokens/s/gpu (agg 1.36x better)"
	assert_line "|  1   | trtllm  | 1.3.0rc10 | silicon  |   1414.13    |     36.70     | 11.31 | 1043.93 |      28263.16      |"
	# the load rows: ctx_tokens the engine's 8192 prompt tokens per iteration, num_ctx_reqs the
	# 2 prompts a chunk holds, num_gen_reqs the batch; no balance, step tokens or power
	run sed -n 2p "$BATS_TEST_TMPDIR/out/agg/best_config_topn.csv"
	assert_output "Qwen/Qwen3-32B,4000,1000,0,80,2.828,80,80,1043.931,27.246,28263.164,2.828,1.414,2828.257,1414.128,36.702,2,2,1,1,1,1,tp2pp1dp1etp1ep1,bfloat16,bfloat16,bfloat16,bfloat16,half,83.986,,2.0,80.0,,8192,,trtllm,1.3.0rc10,h200_sxm,,1414.128"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out/agg/best_config_topn.csv")" = 5 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out/agg/pareto.csv")" = 39 ]
	# disagg keeps the reference's static workers and rate matching: the golden's files
	for f in disagg/pareto.csv disagg/best_config_topn.csv; do
		cmp "$QWEN_CASE/$f" "$BATS_TEST_TMPDIR/out/$f"
	done
}

@test "default_load: jsonl says which model priced agg; a load row's uncomputed columns are null" {
	INFERCAST_FIDELITY=load run qwen --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":1414.128,"agg_tokens_per_s_per_gpu":1414.128,"disagg_tokens_per_s_per_gpu":1036.8,"agg_latency_model":"load","version":"1.3.0rc10","database_mode":"silicon"}'
	agg=$(printf '%s\n' "$output" | grep '"record":"best","mode":"agg","rank":1,')
	[ "$(printf '%s' "$agg" | jget latency_model)" = load ]
	[ "$(printf '%s' "$agg" | jget row.bs)" = 80 ]
	[ "$(printf '%s' "$agg" | jget row.ctx_tokens)" = 8192 ]
	printf '%s' "$agg" | grep -q '"balance_score":null,"num_ctx_reqs":2,"num_gen_reqs":80,"num_tokens":null,"ctx_tokens":8192,"gen_tokens":null,'
	printf '%s' "$agg" | grep -q '"power_w":null,'
	dis=$(printf '%s\n' "$output" | grep '"record":"best","mode":"disagg","rank":1,')
	! printf '%s' "$dis" | grep -q latency_model
	# every agg row of the output says it, no disagg row does
	rows=$(printf '%s\n' "$output" | grep -cE '^\{"record":"(best|front)","mode":"agg",')
	[ "$rows" = 43 ] # 4 best, 39 on the front
	[ "$(printf '%s\n' "$output" | grep -cE '^\{"record":"(best|front)","mode":"agg",("rank":[0-9]+,)?"latency_model":"load",')" = "$rows" ]
	[ "$(printf '%s\n' "$output" | grep -c '"mode":"disagg".*"latency_model"')" = 0 ]
}

@test "default_load: each agg row's TTFT and TPOT are estimate --mode agg --fidelity load's for its layout and batch" {
	run qwen --fidelity load --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	# the top configurations and every 6th point of the front (the front: 39 rows)
	{
		tail -n +2 "$BATS_TEST_TMPDIR/out/agg/best_config_topn.csv"
		awk 'NR > 1 && NR % 6 == 2' "$BATS_TEST_TMPDIR/out/agg/pareto.csv"
	} | cut -d, -f7,9,10,18 >"$BATS_TEST_TMPDIR/rows"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/rows")" = 11 ]
	while IFS=, read -r bs ttft tpot tp; do
		est=$("$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
			--tp "$tp" --batch "$bs" --isl 4000 --osl 1000 --mode agg --fidelity load --format jsonl)
		got=$(printf '%s\n' "$est" | jget ttft_ms | awk '{ printf "%.3f ", $1 }')$(printf '%s\n' "$est" | jget tpot_ms | awk '{ printf "%.3f", $1 }')
		want=$(awk -v a="$ttft" -v b="$tpot" 'BEGIN { printf "%.3f %.3f", a, b }')
		[ "$got" = "$want" ] || { echo "tp$tp bs$bs: estimate $got, default $want"; return 1; }
	done <"$BATS_TEST_TMPDIR/rows"
}

@test "default_load: --fidelity reference is the reference's search whatever INFERCAST_FIDELITY says" {
	INFERCAST_FIDELITY=load run qwen --fidelity reference --free-gpu-memory-fraction 0.9 --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	refute_line --partial "Latency model:"
	assert_line "    Best Experiment Chosen: disagg at 1036.80 tokens/s/gpu (disagg 1.10x better)"
	for f in agg/pareto.csv agg/best_config_topn.csv disagg/pareto.csv disagg/best_config_topn.csv; do
		cmp "$QWEN_CASE/$f" "$BATS_TEST_TMPDIR/out/$f"
	done
}

@test "default_load: exp runs the reference's fidelity whatever INFERCAST_FIDELITY says" {
	INFERCAST_FIDELITY=load run --separate-stderr "$ROOT/pipelines/exp" --yaml-path "$FIXTURES/exp/qwen3_32b_disagg.yaml" --save-dir "$BATS_TEST_TMPDIR/out"
	assert_success
	assert_line --index 0 "chosen experiment: exp_disagg (883.631 tokens/s/gpu_cluster)"
	for f in exp_agg/best_config_topn.csv exp_agg/pareto.csv; do
		diff "$FIXTURES/exp/qwen3_32b_disagg/$f" "$BATS_TEST_TMPDIR/out/$f"
	done
}

@test "default_load: --max-num-tokens sets the agg engine's prompt tokens per iteration (load only)" {
	# TRT-LLM does not split a prompt: isl 10000 leaves agg unpriced at its default 8192
	run qwen --fidelity load --isl 10000 --ttft 5000
	assert_success
	assert_line "agg: no worker layout could be priced (4 failed; the last: agg: isl 10000 exceeds the 8192 prompt tokens trtllm schedules per iteration, and it does not split prompts by default (raise --max-num-tokens to at least 10000))"
	run qwen --fidelity load --isl 10000 --ttft 5000 --max-num-tokens 10000 --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":585.397,"agg_tokens_per_s_per_gpu":585.397,"disagg_tokens_per_s_per_gpu":368.1,"agg_latency_model":"load","version":"1.3.0rc10","database_mode":"silicon"}'
	agg=$(printf '%s\n' "$output" | grep '"record":"best","mode":"agg","rank":1,')
	[ "$(printf '%s' "$agg" | jget row.ctx_tokens)" = 10000 ]
	[ "$(printf '%s' "$agg" | jget row.num_ctx_reqs)" = 1 ]
	run qwen --fidelity reference --max-num-tokens 10000
	assert_failure 2
	assert_output "default: --max-num-tokens belongs to the load model: use --fidelity load
try 'default --help'"
}

@test "default_load: with agg alone the summary names only agg's model" {
	run qwen --fidelity load --modes agg
	assert_success
	assert_line "    Latency model: agg by infercast's load model (--fidelity load, docs/accuracy.md)"
	assert_line "    Best Experiment Chosen: agg at 1414.13 tokens/s/gpu (the only mode searched)"
}

@test "default_load: a backend list under load merges load rows and says so (pmerge)" {
	run qwen --fidelity load --backend trtllm,vllm --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":1414.128,"agg_tokens_per_s_per_gpu":1414.128,"disagg_tokens_per_s_per_gpu":1036.8,"agg_latency_model":"load"}'
	assert_line --index 1 --partial '{"record":"best","mode":"agg","rank":1,"latency_model":"load","row":{"model":"Qwen/Qwen3-32B",'
	printf '%s\n' "$output" | sed -n 2p | grep -q '"balance_score":null,"num_ctx_reqs":2,"num_gen_reqs":80,'
	[ "$(printf '%s\n' "$output" | grep -c '"mode":"disagg".*"latency_model"')" = 0 ]
	run qwen --fidelity load --backend trtllm,vllm
	assert_success
	assert_line --index 1 "latency model: agg by infercast's load model (--fidelity load, docs/accuracy.md)"
	run qwen --fidelity reference --backend trtllm,vllm
	assert_success
	refute_output --partial "latency model"
}

@test "default_load: images need --fidelity reference (the load model has no vision encoder)" {
	run "$DEFAULT" --model Qwen/Qwen3-VL-8B-Instruct --system h200_sxm --backend trtllm --total-gpus 8 --num-images 2 --fidelity load
	assert_failure 2
	assert_output "default: --image-height, --image-width, --num-images: the load model does not price the vision encoder yet: use --fidelity reference
try 'default --help'"
	INFERCAST_FIDELITY=load run "$DEFAULT" --model Qwen/Qwen3-VL-8B-Instruct --system h200_sxm --backend trtllm --total-gpus 8 --image-height 448
	assert_failure 2
	assert_line --index 0 --partial "the load model does not price the vision encoder yet"
}
