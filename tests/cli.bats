#!/usr/bin/env bats
# The reference's command line in the pipelines: Hugging Face ids for --model, its option
# spellings as aliases, --opt=value, and "unknown option" for flags nobody knows.
load test_helper
bats_require_minimum_version 1.5.0

EST="$ROOT/pipelines/estimate"
DEFAULT="$ROOT/pipelines/default"

# jgets PATH...: the values at several paths of the one JSON line on stdin, space-separated.
jgets() {
	local in
	in=$(cat)
	for p; do printf '%s\n' "$in" | jget "$p"; done | paste -sd ' '
}

@test "estimate: a Hugging Face id and the reference's spellings give the same report" {
	run --separate-stderr "$EST" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--tp 2 --batch 8 --isl 4000 --osl 1000 --format jsonl
	assert_success
	ours=$output
	run --separate-stderr "$EST" --model-path Qwen/Qwen3-32B --system h200_sxm --backend trtllm \
		--tp-size=2 --bs 8 --isl=4000 --osl 1000 --backend-version 1.3.0rc10 --format jsonl
	assert_success
	# the same numbers; the version was named
	assert_equal "$(echo "$output" | jgets ttft_ms tpot_ms memory_gib.total)" "$(echo "$ours" | jgets ttft_ms tpot_ms memory_gib.total)"
	assert_equal "$(echo "$output" | jgets model version)" "Qwen/Qwen3-32B 1.3.0rc10"
}

@test "estimate: the reference's disagg spellings (--p-tp, --d-bs, --prefill-num-workers, ...)" {
	run --separate-stderr "$EST" --model Qwen/Qwen3-32B --system h200_sxm --backend trtllm --isl 4000 --osl 1000 \
		--estimate-mode disagg --p-tp 1 --p-bs 1 --p-workers 4 --decode-tp-size 4 --d-bs 280 \
		--decode-num-workers 1 --format jsonl
	assert_success
	ref=$output
	run --separate-stderr "$EST" --model Qwen/Qwen3-32B --system h200_sxm --backend trtllm --isl 4000 --osl 1000 \
		--mode disagg --prefill-tp 1 --prefill-batch 1 --prefill-workers 4 --decode-tp 4 --decode-batch 280 \
		--decode-workers 1 --format jsonl
	assert_success
	assert_equal "$output" "$ref"
	# the golden of ../shared/goldens/default: 4x tp1 prefill + 1x tp4 decode bs 280
	assert_equal "$(echo "$output" | jgets tokens_per_s_per_gpu ttft_ms)" "1036.8 781.28099999999995"
}

@test "estimate: MoE and quant spellings (--etp, --ep, --moe-quant-mode, --attention-dp-size)" {
	run --separate-stderr "$EST" --model Qwen/Qwen3-30B-A3B --system h200_sxm --backend sglang --isl 2000 --osl 500 \
		--tp 1 --attention-dp-size 4 --etp 4 --ep 1 --bs 16 --gemm-quant-mode bfloat16 --moe-quant-mode bfloat16 --format jsonl
	assert_success
	assert_equal "$(echo "$output" | jgets dp moe_tp moe_ep batch moe_quant)" "4 4 1 16 bfloat16"
}

@test "estimate and default: unknown options say so, also without a value; known ones need one" {
	run "$EST" --frobnicate
	assert_failure 2
	assert_output "estimate: unknown option '--frobnicate'
try 'estimate --help'"
	run "$EST" --model Qwen/Qwen3-32B --tp
	assert_failure 2
	assert_line --index 0 "estimate: option '--tp' needs a value"
	run "$DEFAULT" --model Qwen/Qwen3-32B --frobnicate
	assert_failure 2
	assert_output "default: unknown option '--frobnicate'
try 'default --help'"
	run "$DEFAULT" --total-gpus
	assert_failure 2
	assert_line --index 0 "default: option '--total-gpus' needs a value"
}

@test "estimate and default: a Hugging Face id that is not bundled is named" {
	run "$EST" --model Nobody/Nothing-7B --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 10 --osl 2
	assert_failure 2
	assert_line --index 0 "estimate: --model: 'Nobody/Nothing-7B' is neither a path nor a bundled Hugging Face id (a downloaded model is a folder with config.json); hfparse --list-models lists the bundled ones"
	run "$DEFAULT" --model Nobody/Nothing-7B --system h200_sxm --backend trtllm --total-gpus 8
	assert_failure 1
	assert_output "default: --model: 'Nobody/Nothing-7B' is neither a path nor a bundled Hugging Face id (a downloaded model is a folder with config.json); hfparse --list-models lists the bundled ones"
}

@test "default: --model-path with a Hugging Face id and --backend-version run the same sweep" {
	run --separate-stderr "$DEFAULT" --model "$MODELS/meta-llama--Meta-Llama-3.1-8B" --system h100_sxm --backend vllm \
		--total-gpus 2 --isl 1024 --osl 128 --ttft 500 --tpot 15 --format jsonl
	assert_success
	ours=$output
	run --separate-stderr "$DEFAULT" --model-path meta-llama/Meta-Llama-3.1-8B --system h100_sxm --backend=vllm \
		--backend-version 0.19.0 --total-gpus 2 --isl 1024 --osl 128 --ttft 500 --tpot 15 --format jsonl
	assert_success
	assert_equal "$output" "$ours"
}

@test "default --backend auto: Qwen3-32B on 8xH200 merges trtllm, sglang and vllm as the reference does (its files)" {
	run --separate-stderr "$DEFAULT" --model Qwen/Qwen3-32B --system h200_sxm --backend auto --total-gpus 8 \
		--isl 4000 --osl 1000 --ttft 2000 --tpot 30 --free-gpu-memory-fraction 0.9 --save-dir "$BATS_TEST_TMPDIR/auto"
	assert_success
	assert_line --index 0 "chosen: disagg, 1036.8 tokens/s/gpu_cluster (agg 953.66, disagg 1036.8)"
	assert_line --index 3 --regexp "^  1    vllm    0\.19\.0 +tp4pp1dp1etp1ep1 +112 "
	# the reference's cli default --backend auto (bench/refdiff/default_multi_ref.py), model column aside
	for f in agg/best_config_topn.csv agg/pareto.csv disagg/best_config_topn.csv disagg/pareto.csv; do
		diff "$FIXTURES/backend_auto/$f" "$BATS_TEST_TMPDIR/auto/$f"
	done
	# a list is the same as auto when it names every backend with data, in any order
	run --separate-stderr "$DEFAULT" --model Qwen/Qwen3-32B --system h200_sxm --backend vllm,trtllm --total-gpus 8 \
		--isl 4000 --osl 1000 --ttft 2000 --tpot 30 --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"disagg","tokens_per_s_per_gpu":1036.8,"agg_tokens_per_s_per_gpu":953.66,"disagg_tokens_per_s_per_gpu":1036.8}'
}

@test "default --backend: bad lists and a system without data" {
	run "$DEFAULT" --model Qwen/Qwen3-32B --system h200_sxm --backend trtllm,tgi --total-gpus 8
	assert_failure 2
	assert_line --index 0 "default: --backend: 'tgi' is not one of trtllm, vllm, sglang, auto"
	run "$DEFAULT" --model Qwen/Qwen3-32B --system h200_sxm --backend auto,vllm --total-gpus 8
	assert_failure 2
	assert_line --index 0 "default: --backend: 'auto,vllm' mixes auto with a list or has an empty item"
	run --separate-stderr "$DEFAULT" --model Qwen/Qwen3-32B --system a30 --backend auto --total-gpus 8
	assert_failure 1
	assert_equal "$stderr" "default: no backend has perf data for a30"
}

@test "default --decode-system: prefill on b200_sxm, decode on h200_sxm, as the reference's (its files)" {
	run --separate-stderr "$DEFAULT" --model Qwen/Qwen3-32B --system b200_sxm --decode-system h200_sxm --backend trtllm \
		--total-gpus 8 --isl 4000 --osl 500 --ttft 600 --tpot 50 --free-gpu-memory-fraction 0.9 \
		--save-dir "$BATS_TEST_TMPDIR/het" --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"disagg","tokens_per_s_per_gpu":992.025,"agg_tokens_per_s_per_gpu":485.857,"disagg_tokens_per_s_per_gpu":992.025,"version":"1.3.0rc10","database_mode":"silicon"}'
	# the reference's cli default with decode_system (bench/refdiff/default_multi_ref.py), model column aside
	for f in agg/best_config_topn.csv agg/pareto.csv disagg/best_config_topn.csv disagg/pareto.csv; do
		diff "$FIXTURES/decode_system/$f" "$BATS_TEST_TMPDIR/het/$f"
	done
	run cut -d, -f38,53 "$BATS_TEST_TMPDIR/het/disagg/best_config_topn.csv"
	assert_line --index 1 "b200_sxm,h200_sxm"
	run --separate-stderr "$DEFAULT" --model Qwen/Qwen3-32B --system h200_sxm --decode-system a30 --backend trtllm --total-gpus 8
	assert_failure 1
	assert_equal "$stderr" "default: --decode-system: no trtllm perf data for a30"
}

# the reference's estimate --decode-system prices each side with its own system's tables
# (cli/api.py _run_disagg_estimate): the rows of its default run with decode_system, made
# through the same run_disagg, are what one estimate per row gives
@test "estimate --decode-system: prefill on b200_sxm, decode on h200_sxm, each row of the reference's disagg picks" {
	local f="$FIXTURES/decode_system/disagg/best_config_topn.csv" row
	# csvcols ROW NAME...: the values of the named columns of data row ROW of $f
	csvcols() {
		awk -F, -v r="$1" -v names="${*:2}" 'NR == 1 { for (i = 1; i <= NF; i++) ix[$i] = i; next }
			NR == r + 1 { n = split(names, a, " "); for (j = 1; j <= n; j++) printf "%s%s", (j > 1 ? " " : ""), $(ix[a[j]]); print "" }' "$f"
	}
	# rawgets KEY...: the first value of each key in the JSON line of $output, as written
	rawgets() {
		local k
		for k; do printf '%s\n' "$output" | grep -o "\"$k\":[^,}]*" | head -1 | cut -d: -f2; done | paste -sd ' '
	}
	for row in 1 2 3; do
		read -r isl osl ptp pbs pw dtp dbs dw <<<"$(csvcols $row isl osl '(p)tp' '(p)bs' '(p)workers' '(d)tp' '(d)bs' '(d)workers')"
		assert_equal "$(csvcols $row '(p)system' '(d)system' '(d)version')" "b200_sxm h200_sxm 1.3.0rc10"
		run --separate-stderr "$EST" --model Qwen/Qwen3-32B --system b200_sxm --decode-system h200_sxm --backend trtllm \
			--isl "$isl" --osl "$osl" --mode disagg --p-tp "$ptp" --p-bs "$pbs" --p-workers "$pw" \
			--d-tp "$dtp" --d-bs "$dbs" --d-workers "$dw" --format jsonl
		assert_success
		assert_equal "$(rawgets ttft_ms tpot_ms request_latency_ms tokens_per_s_per_gpu tokens_per_s_per_user num_total_gpus)" \
			"$(csvcols $row ttft tpot request_latency tokens/s/gpu tokens/s/user num_total_gpus)"
		assert_equal "$(echo "$output" | jgets system serving.decode.system serving.decode.version serving.decode.mem_capacity_gib serving.prefill.mem_capacity_gib)" \
			"b200_sxm h200_sxm 1.3.0rc10 141 180"
	done
	# the same system twice is no decode system at all
	run --separate-stderr "$EST" --model Qwen/Qwen3-32B --system h200_sxm --decode-system h200_sxm --backend trtllm \
		--isl 4000 --osl 1000 --mode disagg --prefill-batch 1 --prefill-workers 4 --decode-tp 4 --decode-batch 280 --format jsonl
	assert_success
	assert_equal "$(echo "$output" | jgets tokens_per_s_per_gpu serving.decode.system)" "1036.8 MISSING"
	# the table names both systems
	run --separate-stderr "$EST" --model Qwen/Qwen3-32B --system b200_sxm --decode-system h200_sxm --backend trtllm \
		--isl 4000 --osl 500 --mode disagg --p-bs 1 --p-workers 2 --d-tp 2 --d-bs 128
	assert_success
	assert_line --regexp '^c1 +Qwen/Qwen3-32B +pb200_sxm/dh200_sxm +trtllm +[^ ]+ +silicon +disagg'
	assert_line --regexp '^c1 +408\.296 +28\.568 +14663\.728 +992\.025 +35\.005 '
}

@test "estimate --decode-system: its data, its memory, and where it applies" {
	local disagg=(--model Qwen/Qwen3-32B --system b200_sxm --backend trtllm --isl 4000 --osl 500 --mode disagg
		--prefill-batch 1 --decode-batch 64)
	run --separate-stderr "$EST" "${disagg[@]}" --decode-system a30
	assert_failure 1
	assert_equal "$stderr" "estimate: --decode-system: no trtllm perf data for a30 (--database-mode hybrid, sol or empirical estimates without it)"
	run --separate-stderr "$EST" "${disagg[@]}" --decode-system h200 --format jsonl
	assert_failure 2
	assert_equal "$stderr" "estimate: --decode-system: unknown system 'h200': did you mean h200_sxm? (known: a100_pcie, a100_sxm, a30, b200_sxm, b300_sxm, b60, gb200, gb300, h100_pcie, h100_sxm, h200_sxm, l4, l40s, rtx_pro_6000_server)"
	run --separate-stderr "$EST" "${disagg[@]}" --decode-system ../h200_sxm
	assert_failure 2
	assert_equal "$stderr" "estimate: --decode-system: bad system name '../h200_sxm': use a name such as h200_sxm
try 'estimate --help'"
	run --separate-stderr "$EST" --model Qwen/Qwen3-32B --system b200_sxm --backend trtllm --isl 4000 --osl 500 \
		--tp 1 --batch 8 --decode-system h200_sxm
	assert_failure 2
	assert_equal "$stderr" "estimate: --decode-system applies to --mode disagg
try 'estimate --help'"
	# the decode workers' memory is their system's: 80 GiB on h100_sxm, where b200_sxm has 180
	run --separate-stderr "$EST" "${disagg[@]}" --decode-system h100_sxm --decode-batch 512
	assert_failure 1
	assert_equal "$stderr" "estimate: config 'c1': OOM: the model 'Qwen/Qwen3-32B' does not fit in GPU memory on system 'h100_sxm' (decode workers: 627.109 GiB per GPU, capacity 80.000 GiB)"
	# in sol mode no data is needed
	run --separate-stderr "$EST" "${disagg[@]}" --decode-system a30 --decode-tp 4 --decode-batch 4 --database-mode sol --format jsonl
	assert_success
	assert_equal "$(echo "$output" | jgets serving.decode.system serving.decode.version serving.decode.mem_capacity_gib decode.tpot_ms)" \
		"a30 null 24 20.128357392918318"
}

@test "opgraph --decode-system: the decode step's ops name their system and version; query prices them with its tables" {
	local og=(--system b200_sxm --backend trtllm --isl 4000 --osl 500 --mode disagg --prefill-batch 1 --decode-batch 8 --decode-tp 4)
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-32B' | opgraph ${og[*]} --decode-system h200_sxm --decode-version 1.3.0rc10 | grep -c '\"step\":\"decode\",\"system\":\"h200_sxm\",\"version\":\"1.3.0rc10\"}\$'"
	assert_output 14
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-32B' | opgraph ${og[*]} --decode-system h200_sxm | grep -c '\"system\"'"
	assert_output 15
	# decode ops priced on h200_sxm: the generation latency of a tp4 h200_sxm decode worker
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-32B' | opgraph ${og[*]} --decode-system h200_sxm | query | aggregate | '$TOOLS/jget' decode.tpot_ms"
	assert_output 8.3726111604216609
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-32B' | opgraph ${og[*]} | query | aggregate | '$TOOLS/jget' decode.tpot_ms"
	assert_output 9.8914547204043863
	run opgraph --system b200_sxm --backend trtllm --isl 10 --osl 2 --batch 1 --decode-system h200_sxm
	assert_failure 2
	assert_line --index 0 "opgraph: --decode-system and --decode-version apply to --mode disagg"
	run opgraph "${og[@]}" --decode-version 1.3.0rc10
	assert_failure 2
	assert_line --index 0 "opgraph: --decode-version needs --decode-system"
}

@test "default --inclusive-tpot: the saved TPOT spreads the first token over the output" {
	run --separate-stderr "$DEFAULT" --model Qwen/Qwen3-32B --system h200_sxm --backend trtllm --total-gpus 8 \
		--isl 4000 --osl 1000 --ttft 2000 --tpot 30 --inclusive-tpot --save-dir "$BATS_TEST_TMPDIR/inc" --format jsonl
	assert_success
	# (1058.621 + 28.919 x 999) / 1000; the golden's row has the time between tokens, 28.919
	run cut -d, -f9-11 "$BATS_TEST_TMPDIR/inc/agg/best_config_topn.csv"
	assert_line --index 1 "1058.621,29.948702,29949.2"
	run cut -d, -f2- "$BATS_TEST_TMPDIR/inc/disagg/best_config_topn.csv"
	assert_line --index 1 --partial "781.281,30.185847000000003,30185.847,"
}

@test "pmerge: one run is copied as it is; bad input and usage" {
	run --separate-stderr pmerge --save-dir "$BATS_TEST_TMPDIR/one" "$FIXTURES/backend_auto"
	assert_success
	for f in agg/best_config_topn.csv agg/pareto.csv disagg/best_config_topn.csv disagg/pareto.csv; do
		diff "$FIXTURES/backend_auto/$f" "$BATS_TEST_TMPDIR/one/$f"
	done
	assert_line --index 0 '{"record":"chosen","mode":"disagg","tokens_per_s_per_gpu":1036.8,"agg_tokens_per_s_per_gpu":953.66,"disagg_tokens_per_s_per_gpu":1036.8}'
	run pmerge
	assert_failure 2
	assert_line --index 0 "pmerge: name at least one RUN folder"
	run pmerge --format xml x
	assert_failure 2
	assert_line --index 0 "pmerge: --format: 'xml' is not one of jsonl, table"
	run --separate-stderr pmerge "$BATS_TEST_TMPDIR/nothing"
	assert_failure 1
	assert_equal "$stderr" "pmerge: no run has a result to merge"
	mkdir -p "$BATS_TEST_TMPDIR/odd/agg"
	printf 'model,tokens/s/gpu_cluster\nx,1\n' >"$BATS_TEST_TMPDIR/odd/agg/best_config_topn.csv"
	run --separate-stderr pmerge "$FIXTURES/backend_auto" "$BATS_TEST_TMPDIR/odd"
	assert_failure 1
	assert_equal "$stderr" "pmerge: $BATS_TEST_TMPDIR/odd/agg/best_config_topn.csv: its columns differ from the first run's"
}
