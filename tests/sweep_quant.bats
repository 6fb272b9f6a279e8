#!/usr/bin/env bats
# sweep's context FMHA fallback for DeepSeek-V3 and Kimi-K2.5 (lib/sweep/sweep_quant): the reference's
# default task prices their agg and prefill workers' context attention in bfloat16 when the
# context MLA tables have no fp8 rows; decode workers keep fp8.
load test_helper
bats_require_minimum_version 1.5.0

DSV3="$MODELS/deepseek-ai--DeepSeek-V3"
SWEEP=(--system h200_sxm --backend trtllm --total-gpus 8 --isl 4000 --osl 1000)

@test "sweep: DeepSeek-V3 agg and prefill workers get fmha_quant bfloat16, decode workers none" {
	out=$(hfparse "$DSV3" | sweep "${SWEEP[@]}")
	assert_equal "$(grep -c '"mode":"agg"' <<<"$out")" "$(grep '"mode":"agg"' <<<"$out" | grep -c '"fmha_quant":"bfloat16"')"
	assert_equal "$(grep '"mode":"static_ctx"' <<<"$out" | grep -vc '"fmha_quant":"bfloat16"')" 0
	assert_equal "$(grep -c '"mode":"static_gen".*fmha_quant' <<<"$out")" 0
	# the configs opgraph writes say so
	run sh -c "hfparse '$DSV3' | sweep ${SWEEP[*]} --modes agg | head -1 | opgraph --system h200_sxm --backend trtllm --batch 1 --isl 4000 --osl 1000 | head -1"
	assert_equal "$(jget fmha_quant <<<"$output")" bfloat16
}

@test "sweep: no fallback on vLLM, for other architectures, or when the tables have fp8 rows" {
	run sh -c "hfparse '$DSV3' | sweep --system h200_sxm --backend vllm --total-gpus 8 --isl 4000 --osl 1000 | grep -c fmha_quant"
	assert_output 0
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-32B-FP8' | sweep ${SWEEP[*]} | grep -c fmha_quant"
	assert_output 0
	# a data folder whose context MLA table has an fp8 row: fp8 stays
	d="$BATS_TEST_TMPDIR/data/h200_sxm/trtllm/1.3.0rc10"
	mkdir -p "$d"
	src="$SHARED/data/h200_sxm/trtllm/1.3.0rc10/context_mla_perf.txt"
	{ head -2 "$src"; sed -n 2p "$src" | sed 's/,bfloat16,bfloat16,/,fp8,fp8,/'; } >"$d/context_mla_perf.txt"
	run sh -c "hfparse '$DSV3' | sweep ${SWEEP[*]} --data-dir '$BATS_TEST_TMPDIR/data' | grep -c fmha_quant"
	assert_output 0
	# the same folder with bfloat16 rows only: bfloat16
	head -2 "$src" >"$d/context_mla_perf.txt"
	run sh -c "hfparse '$DSV3' | sweep ${SWEEP[*]} --data-dir '$BATS_TEST_TMPDIR/data' --modes agg | grep -c fmha_quant"
	refute_output 0
	# no data at all: nothing to validate against, nothing changes
	run sh -c "hfparse '$DSV3' | sweep ${SWEEP[*]} --data-dir /nonexistent | grep -c fmha_quant"
	assert_output 0
}

@test "default: DeepSeek-V3 on 8xH200 (trtllm) agg top configuration equals the reference's (bfloat16 context FMHA)" {
	"$ROOT/pipelines/default" --model "$DSV3" --system h200_sxm --backend trtllm --total-gpus 8 --isl 4000 \
		--osl 1000 --ttft 3000 --tpot 50 --save-dir "$BATS_TEST_TMPDIR/s" >/dev/null
	# the reference's cli_default row (bench/refdiff/default_ref.py), model column aside
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/s/agg/best_config_topn.csv" | cut -d, -f2-)" \
		"4000,1000,0,224,4.432,28,224,2683.627,48.205,50840.451,4.432,0.554,4427.91,553.489,20.745,8,1,1,8,1,8,tp1pp1dp8etp1ep8,fp8_block,fp8,bfloat16,fp8_block,half,116.748,0.028,1.0,27.0,4027.0,4000,27.0,trtllm,1.3.0rc10,h200_sxm,0.0,553.489"
}

@test "default: --data-dir reaches sweep (the fallback follows the tables the pipeline prices with)" {
	# without INFERCAST_DATA the pipeline's --data-dir is the only way sweep can find the tables
	run env -u INFERCAST_DATA "$ROOT/pipelines/default" --model "$DSV3" --system h200_sxm --backend trtllm \
		--total-gpus 8 --isl 4000 --osl 1000 --ttft 3000 --tpot 50 --data-dir "$SHARED/data" --format jsonl \
		--save-dir "$BATS_TEST_TMPDIR/s"
	assert_success
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/s/agg/best_config_topn.csv" | cut -d, -f15,26)" "553.489,bfloat16"
}

@test "default: a disagg row gives each side its own FMHA mode (prefill bfloat16, decode fp8), as the reference's" {
	"$ROOT/pipelines/default" --model "$MODELS/nvidia--DeepSeek-V3.1-NVFP4" --system b200_sxm --backend trtllm \
		--total-gpus 8 --isl 4000 --osl 1000 --ttft 3000 --tpot 50 --save-dir "$BATS_TEST_TMPDIR/s" >/dev/null
	# the reference's cli_default row (bench/refdiff/default_ref.py), model column aside
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/s/disagg/best_config_topn.csv" | cut -d, -f2-)" \
		"4000,1000,0,448,11.818,1,4,1,112,448,1,548.33,29.699,30217.631,11.818,1.477,11817.9,1477.238,33.671,13.131,15.1,8,1,1,4,1,4,tp1pp1dp4etp1ep4,nvfp4,fp8,bfloat16,nvfp4,half,110.516,trtllm,1.3.0rc10,b200_sxm,1,1,4,4,1,tp1pp1dp4etp4ep1,nvfp4,fp8,fp8,nvfp4,half,123.391,trtllm,1.3.0rc10,b200_sxm,0,0,0,,0.0,0.0,1477.238"
}
