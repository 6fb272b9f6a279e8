#!/usr/bin/env bats
# Wide-EP kernels through query (lib/perf/table_wideep: SGLang DeepEP MoE tables, DeepEP dispatch,
# TRT-LLM all-to-all) and the HYBRID shared layer (query --shared-layer, lib/perf/table_sources).
load test_helper
bats_require_minimum_version 1.5.0

# moe_op BACKEND_ATTRS TOKENS: one MoE op record of DeepSeek-V3's expert shape.
moe_op() {
	printf '{"record":"op","config_id":"c1","phase":"context","name":"context_moe","op_type":"MoE","scale_factor":2,"attrs":{"hidden_size":7168,"inter_size":2048,"topk":8,"num_experts":256,"moe_tp_size":1,"moe_ep_size":2,"attention_dp_size":1,"quant_mode":"fp8_block","workload_distribution":"uniform","is_context":true,"is_gated":true,%s},"points":[{"x":%s,"batch":1,"beam":1,"s":%s,"prefix":0,"count":1}]}\n' "$1" "$2" "$2"
}

dispatch_op() {
	printf '{"record":"op","config_id":"c1","phase":"%s","name":"moe_pre_dispatch","op_type":"MoEDispatch","scale_factor":1,"attrs":{"hidden_size":7168,"topk":8,"num_experts":256,"moe_tp_size":1,"moe_ep_size":8,"attention_dp_size":8,"pre_dispatch":true,"sms":20,"moe_backend":"deepep_moe","is_context":%s,"scale_num_tokens":1,"quant_mode":"fp8_block","reduce_results":true},"points":[{"x":64,"batch":1,"beam":1,"s":64,"prefix":0,"count":1}]}\n' "$1" "$2"
}

@test "wideep: the SGLang DeepEP MoE op reads wideep_context_moe_perf.txt (measured row, then between rows)" {
	run sh -c "$(declare -f moe_op); moe_op '\"moe_backend\":\"deepep_moe\"' 32 | query --system h200_sxm --backend sglang"
	assert_success
	# the row at 32 tokens (0.40285257356507437 ms) times the scale factor 2
	approx "$(echo "$output" | jget latency_ms)" 0.80570514713014874 1e-12
	[ "$(echo "$output" | jget detail)" = measured ]
	run sh -c "$(declare -f moe_op); moe_op '\"moe_backend\":\"deepep_moe\"' 48 | query --system h200_sxm --backend sglang"
	assert_success
	# halfway between the rows at 32 and 64 tokens (0.3779017116342272 ms)
	approx "$(echo "$output" | jget latency_ms)" "$(awk 'BEGIN { printf "%.17g", 2 * (0.40285257356507437 + (0.3779017116342272 - 0.40285257356507437) * 0.5) }')" 1e-12
}

@test "wideep: DeepEP dispatch without its tables is refused naming the missing file, in every mode" {
	run sh -c "$(declare -f dispatch_op); dispatch_op context true | query --system h200_sxm --backend sglang --database-mode hybrid"
	assert_failure 1
	assert_output --partial "DeepEP normal node_num=1 num_tokens=64 num_experts=256 topk=8 hidden=7168 sms=20"
	assert_output --partial "wideep_deepep_normal_perf.txt does not exist"
	run sh -c "$(declare -f dispatch_op); dispatch_op generation false | query --system h200_sxm --backend sglang --database-mode sol"
	assert_failure 1
	assert_output --partial "no speed-of-light or empirical estimate for DeepEP"
}

# The GDN conv1d kernel of Qwen3.5-35B-A3B on h200_sxm/sglang: SGLang has no causal_conv1d_fn
# rows for it; a HYBRID database with the shared layer inherits TRT-LLM's.
gdn_ctx() {
	hfparse "$MODELS/Qwen--Qwen3.5-35B-A3B" |
		opgraph --system h200_sxm --backend sglang --batch 8 --isl 1024 --osl 2 --tp 8 --moe-ep 8 --mode static_ctx |
		query --database-mode hybrid "$@" | grep '"name":"context_gdn_conv1d"'
}

@test "shared layer: query --shared-layer lends TRT-LLM's GDN rows to SGLang (the reference's HYBRID database answer)" {
	run gdn_ctx --shared-layer
	assert_success
	# 30 layers x 0.034143999218940735 ms, the reference's HYBRID-database value
	approx "$(echo "$output" | jget latency_ms)" "$(awk 'BEGIN { printf "%.17g", 30 * 0.034143999218940735 }')" 1e-9
	[ "$(echo "$output" | jget source)" = silicon ]
	# without the layer (the reference's estimate path): the speed of light, 30 x 0.12582912 ms
	run gdn_ctx
	assert_success
	approx "$(echo "$output" | jget latency_ms)" "$(awk 'BEGIN { printf "%.17g", 30 * 0.12582912 }')" 1e-9
	[ "$(echo "$output" | jget source)" = sol ]
}

@test "shared layer: --help documents --shared-layer; it changes nothing outside hybrid mode" {
	run query --help
	assert_success
	assert_output --partial "--shared-layer"
	a=$(hfparse "$MODELS/Qwen--Qwen3-32B" | opgraph --system h200_sxm --backend vllm --batch 4 --isl 512 --osl 4 --tp 2 | query | md5sum)
	b=$(hfparse "$MODELS/Qwen--Qwen3-32B" | opgraph --system h200_sxm --backend vllm --batch 4 --isl 512 --osl 4 --tp 2 | query --shared-layer | md5sum)
	[ "$a" = "$b" ]
}

# ---- the wide-EP model variants (opgraph --wideep) ----

dsv3() { hfparse "$MODELS/deepseek-ai--DeepSeek-V3"; }

# op_latency NAME PHASE: that op's latency_ms in the report on stdin (aggregate --ops)
op_latency() {
	tr '{' '\n' | grep "\"name\":\"$1\",\"phase\":\"$2\"" | sed 's/.*"latency_ms":\([^,]*\),.*/\1/'
}

@test "wideep: TRT-LLM wide-EP DeepSeek-V3 (HYBRID: no all-to-all table) equals the reference's run op by op" {
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1024 --osl 128 --tp 1 --dp 8 --moe-ep 8 --wideep | query --database-mode hybrid | aggregate --ops"
	assert_success
	# the reference's TrtllmWideEPDeepSeekModel on the same data (ms, summed over layers/steps)
	approx "$(echo "$output" | op_latency context_moe context)" 1434.847987747192
	approx "$(echo "$output" | op_latency context_moe_pre_dispatch context)" 1003.5816038400001
	approx "$(echo "$output" | op_latency context_attention context)" 21.321045333333334
	approx "$(echo "$output" | op_latency generation_moe_overlap generation)" 2577.1778061941823
	approx "$(echo "$output" | op_latency generation_bmm_rope_overlap generation)" 115.48359559848905
	approx "$(echo "$output" | jget ttft_ms)" 4725.083 1e-6
	approx "$(echo "$output" | jget tpot_ms)" 26.912 2e-5
	approx "$(echo "$output" | jget memory_gib.total)" 106.562 1e-5
}

@test "wideep: TRT-LLM wide-EP with EPLB and 288 slots (reference values)" {
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend trtllm --batch 4 --isl 2048 --osl 64 --tp 1 --dp 16 --moe-ep 16 --wideep --enable-eplb --wideep-num-slots 288 | query --database-mode hybrid | aggregate"
	assert_success
	approx "$(echo "$output" | jget ttft_ms)" 4335.196 1e-6
	approx "$(echo "$output" | jget tpot_ms)" 18.854 3e-5
	approx "$(echo "$output" | jget memory_gib.total)" 66.506 1e-5
}

@test "wideep: construction checks and options" {
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1024 --osl 128 --tp 8 --moe-ep 8 --wideep"
	assert_failure 1
	assert_output --partial "wide-EP needs attention data parallelism (dp > 1), got dp 1"
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1024 --osl 128 --dp 8 --moe-ep 8 --wideep --wideep-num-slots 288"
	assert_failure 1
	assert_output --partial "wideep_num_slots (288) must equal the 256 experts without EPLB (--enable-eplb)"
	run opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1024 --osl 128 --enable-eplb </dev/null
	assert_failure 2
	assert_output --partial "--enable-eplb needs --wideep or --moe-backend deepep_moe"
	run opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1024 --osl 128 --wideep-num-slots 288 </dev/null
	assert_failure 2
	assert_output --partial "--wideep-num-slots needs --wideep"
	# the config record says so; vLLM (no wide-EP model) builds the regular one
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1024 --osl 128 --dp 8 --moe-ep 8 --wideep | head -1"
	[ "$(echo "$output" | jget wideep)" = true ]
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend vllm --batch 8 --isl 1024 --osl 128 --tp 8 --moe-ep 8 --wideep | grep -c TrtLLMWideEP"
	[ "$output" = 0 ]
}

@test "wideep: SILICON TRT-LLM wide-EP is refused without the all-to-all table, naming it" {
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1024 --osl 128 --dp 8 --moe-ep 8 --wideep | grep '\"name\":\"context_moe_pre_dispatch\"' | query --system h200_sxm --backend trtllm"
	assert_failure 1
	assert_output --partial "op context_moe_pre_dispatch: TRT-LLM alltoall_prepare"
	assert_output --partial "no TRT-LLM all-to-all data for version '1.3.0rc10' (try --database-mode hybrid)"
}

# A data root with h200_sxm's SGLang tables and the made-up DeepEP tables of tests/fixtures/wideep.
deepep_root() {
	local d="$BATS_TEST_TMPDIR/data/h200_sxm/sglang/0.5.10" f
	mkdir -p "$d"
	for f in "$INFERCAST_DATA"/h200_sxm/sglang/0.5.10/*; do ln -s "$f" "$d/"; done
	ln -s "$INFERCAST_DATA/h200_sxm/nccl" "$BATS_TEST_TMPDIR/data/h200_sxm/nccl"
	cp "$FIXTURES"/wideep/*.txt "$d/"
	echo "$BATS_TEST_TMPDIR/data"
}

@test "wideep: SGLang DeepEP DeepSeek-V3 (made-up DeepEP tables) equals the reference's run on them" {
	root=$(deepep_root)
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend sglang --batch 8 --isl 1024 --osl 128 --dp 8 --moe-ep 8 --wideep --fmha-quant fp8_block | query --data-dir '$root' | aggregate --ops"
	assert_success
	approx "$(echo "$output" | op_latency context_attention context)" 205.7713
	approx "$(echo "$output" | op_latency context_moe_pre_dispatch context)" 67.14819
	approx "$(echo "$output" | op_latency context_moe context)" 521.6713279724121
	approx "$(echo "$output" | op_latency generation_attention generation)" 836.5221954101563
	approx "$(echo "$output" | op_latency generation_moe_pre_dispatch generation)" 872.3122000000001
	approx "$(echo "$output" | op_latency generation_moe generation)" 2594.5333767700195
	approx "$(echo "$output" | jget ttft_ms)" 885.27 1e-5
	approx "$(echo "$output" | jget memory_gib.total)" 98.059 1e-5
	# DeepSeek-V3's own fmha (fp8) has no wide-EP MLA rows: refused in SILICON
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend sglang --batch 8 --isl 1024 --osl 128 --dp 8 --moe-ep 8 --wideep | query --data-dir '$root'"
	assert_failure 1
	assert_output --partial "wide-EP context MLA b=8 s=1024 prefix=0 tp_size=1 kv cache fp8 fmha fp8"
}

@test "wideep: aggregated serving with the TRT-LLM wide-EP model (the reference's run_agg values)" {
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1024 --osl 128 --dp 8 --moe-ep 8 --wideep --mode agg | query --database-mode hybrid | aggregate"
	assert_success
	approx "$(echo "$output" | jget ttft_ms)" 1299.3414483103256
	approx "$(echo "$output" | jget tpot_ms)" 48.93754739085323
	approx "$(echo "$output" | jget tokens_per_s_per_gpu)" 129.43254409820776
	approx "$(echo "$output" | jget memory)" 106.5625
}

# ---- default --enable-wideep: the reference's wide-EP search ----

DEFAULT="$ROOT/pipelines/default"
EXP="$ROOT/pipelines/exp"

# same_csvs FIXTURE DIR: the four files of a default run equal the reference's
same_csvs() {
	local f
	for f in agg/best_config_topn.csv agg/pareto.csv disagg/best_config_topn.csv disagg/pareto.csv; do
		diff "$FIXTURES/wideep/$1/$f" "$2/$f"
	done
}

@test "default --enable-wideep: DeepSeek-V3 on 16xH200, TRT-LLM wide-EP (HYBRID), the reference's four files" {
	run --separate-stderr "$DEFAULT" --model deepseek-ai/DeepSeek-V3 --system h200_sxm --backend trtllm \
		--total-gpus 16 --isl 1024 --osl 256 --ttft 5000 --tpot 100 --database-mode hybrid \
		--free-gpu-memory-fraction 0.9 --enable-wideep --save-dir "$BATS_TEST_TMPDIR/w" --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":351.848,"agg_tokens_per_s_per_gpu":351.848,"disagg_tokens_per_s_per_gpu":181.325,"version":"1.3.0rc10","database_mode":"hybrid"}'
	# the reference's build_default_task_configs(enable_wideep=True), model column aside
	same_csvs default_dsv3_trtllm_16 "$BATS_TEST_TMPDIR/w"
	# the picks are wide-EP layouts: attention DP, the experts over all of a worker's GPUs
	run cut -d, -f23 "$BATS_TEST_TMPDIR/w/agg/best_config_topn.csv"
	assert_output "parallel
tp1pp1dp16etp1ep16
tp1pp1dp8etp1ep8"
	# the exp_config.yaml of the picks says it was a wide-EP search
	grep -qx '  enable_wideep: true' "$BATS_TEST_TMPDIR/w/agg/exp_config.yaml"
	grep -qx '      num_gpu_per_replica: null' "$BATS_TEST_TMPDIR/w/disagg/exp_config.yaml"
	grep -qx '      max_gpu_per_replica: 16' "$BATS_TEST_TMPDIR/w/disagg/exp_config.yaml"
}

@test "default --enable-wideep: Qwen3-30B-A3B on TRT-LLM keeps its regular MoE model over the wide-EP layouts (the reference's files)" {
	run --separate-stderr "$DEFAULT" --model Qwen/Qwen3-30B-A3B --system h200_sxm --backend trtllm --total-gpus 8 \
		--isl 2000 --osl 500 --ttft 1000 --tpot 20 --free-gpu-memory-fraction 0.9 --enable-wideep \
		--save-dir "$BATS_TEST_TMPDIR/q" --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":4067.988,"agg_tokens_per_s_per_gpu":4067.988,"disagg_tokens_per_s_per_gpu":3898.385,"version":"1.3.0rc10","database_mode":"silicon"}'
	same_csvs default_qwen3_30b_trtllm_8 "$BATS_TEST_TMPDIR/q"
}

@test "exp enable_wideep: SGLang DeepEP DeepSeek-V3 disagg pairs workers of different TP (the reference's files)" {
	root=$(deepep_root)
	run --separate-stderr env INFERCAST_DATA="$root" "$EXP" --yaml-path "$FIXTURES/wideep/exp_dsv3_sglang.yaml" \
		--save-dir "$BATS_TEST_TMPDIR/e"
	assert_success
	# the reference's cli exp on the same yaml and tables: its wideep_agg fails on every layout
	# (docs/differences.md), its wideep_disagg gives these files
	for f in best_config_topn.csv pareto.csv; do
		diff "$FIXTURES/wideep/exp_dsv3_sglang/wideep_disagg/$f" "$BATS_TEST_TMPDIR/e/wideep_disagg/$f"
	done
	assert_line "wideep_disagg            disagg  657.72"
	# without wide EP SGLang pairs only equal TP: here a tp1 prefill with a tp2 decode
	run cut -d, -f24,39 "$BATS_TEST_TMPDIR/e/wideep_disagg/best_config_topn.csv"
	assert_line --index 2 "1,2"
}

@test "default --enable-wideep: a family without a wide-EP model is refused before the sweep, naming the model class" {
	run --separate-stderr "$DEFAULT" --model zai-org/GLM-5 --system h200_sxm --backend sglang --total-gpus 8 --enable-wideep
	assert_failure 1
	assert_equal "$stderr" "default: wide-EP for the DEEPSEEKV32 family on sglang (the reference's WideEPDeepSeekV32Model) is not modelled: only DEEPSEEK has wide-EP models; run it without wide-EP"
	run --separate-stderr "$DEFAULT" --model zai-org/GLM-5 --system h200_sxm --backend trtllm --total-gpus 8 --enable-wideep
	assert_failure 1
	assert_equal "$stderr" "default: wide-EP for the DEEPSEEKV32 family on trtllm (the reference's TrtllmWideEPDeepSeekV32Model) is not modelled: only DEEPSEEK has wide-EP models; run it without wide-EP"
	# the filter refuses it too (also for SGLang's DeepEP without the wide-EP search), and names it
	# in a sweep's config record
	run sh -c "hfparse '$MODELS/zai-org--GLM-5' | opgraph --system h200_sxm --backend sglang --batch 8 --isl 1024 --osl 128 --dp 8 --moe-ep 8 --moe-backend deepep_moe --keep-going | grep -o '\"error\":\"[^\"]*'"
	assert_success
	assert_output "\"error\":\"wide-EP for the DEEPSEEKV32 family on sglang (the reference's WideEPDeepSeekV32Model) is not modelled: only DEEPSEEK has wide-EP models; run it without wide-EP"
	# vLLM has no wide-EP model: the reference builds the regular one, and so does opgraph
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-30B-A3B' | opgraph --system h200_sxm --backend vllm --batch 8 --isl 1024 --osl 128 --tp 8 --moe-ep 8 --wideep | head -1 | grep -o '\"wideep\":true'"
	assert_output '"wideep":true'
}

@test "exp: a top-level enable_eplb changes nothing, as in the reference (ignored, said); config.enable_eplb balances the disagg workers" {
	root=$(deepep_root)
	# the reference's cli exp gave the same wideep_disagg files with enable_eplb: true beside enable_wideep
	sed -e 's/^  enable_wideep: true$/&\n  enable_eplb: true/' -e '/^  - wideep_agg$/d' "$FIXTURES/wideep/exp_dsv3_sglang.yaml" >"$BATS_TEST_TMPDIR/eplb.yaml"
	run --separate-stderr env INFERCAST_DATA="$root" "$EXP" --yaml-path "$BATS_TEST_TMPDIR/eplb.yaml" --save-dir "$BATS_TEST_TMPDIR/e"
	assert_success
	assert_equal "$stderr" "expyaml: $BATS_TEST_TMPDIR/eplb.yaml: wideep_disagg: enable_eplb changes nothing: the reference's runs read it only from the config section (config.enable_eplb), so they ignore this one; ignored as there"
	for f in best_config_topn.csv pareto.csv; do
		diff "$FIXTURES/wideep/exp_dsv3_sglang/wideep_disagg/$f" "$BATS_TEST_TMPDIR/e/wideep_disagg/$f"
	done
	# config.enable_eplb: the prefill workers' experts balanced (power law 0.6, 80% of the tokens
	# through the DeepEP MoE table, as the reference's SGLang path); SGLang's decode keeps its own
	# (infercast's numbers: the reference was not run with it)
	sed -e '/^  - wideep_agg$/d' -e 's/^  config:$/&\n    enable_eplb: true/' "$FIXTURES/wideep/exp_dsv3_sglang.yaml" >"$BATS_TEST_TMPDIR/c.yaml"
	run --separate-stderr env INFERCAST_DATA="$root" "$EXP" --yaml-path "$BATS_TEST_TMPDIR/c.yaml" --save-dir "$BATS_TEST_TMPDIR/c"
	assert_success
	assert_line "wideep_disagg            disagg  743.573"
	run sed -n 2p "$BATS_TEST_TMPDIR/c/wideep_disagg/best_config_topn.csv"
	assert_output "deepseek-ai/DeepSeek-V3,1024,256,0,544,46.473,1,8,1,68,544,1,278.872,39.685,10398.547,46.473,2.905,11897.165,743.573,25.199,51.637,53.757,16,1,1,8,1,8,tp1pp1dp8etp1ep8,fp8_block,fp8,fp8_block,fp8_block,half,92.131,sglang,0.5.10,h200_sxm,1,1,8,1,8,tp1pp1dp8etp1ep8,fp8_block,fp8,fp8_block,fp8_block,half,93.261,sglang,0.5.10,h200_sxm,0,0,0,,0.0,0.0,743.573"
	# the sweep marks the prefill workers, opgraph reads the mark
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | sweep --system h200_sxm --backend sglang --total-gpus 16 --isl 1024 --osl 256 --enable-wideep --modes disagg --prefill-enable-eplb | grep -c '\"enable_eplb\":true'"
	assert_output 8
	# (the 8 prefill configurations, no decode one)
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | sweep --system h200_sxm --backend sglang --total-gpus 16 --isl 1024 --osl 256 --enable-wideep --modes disagg --prefill-enable-eplb | grep -c static_ctx"
	assert_output 8
	run sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | sweep --system h200_sxm --backend sglang --total-gpus 16 --isl 1024 --osl 256 --enable-wideep --modes disagg --prefill-enable-eplb | head -1 | opgraph --system h200_sxm --backend sglang --wideep --batch 1 --isl 1 --osl 2 | grep '\"name\":\"context_moe\"' | grep -o '\"workload_distribution\":\"[^\"]*\"\|\"enable_eplb\":[a-z]*'"
	assert_output '"workload_distribution":"power_law_0.6"
"enable_eplb":true'
	run sh -c "echo '{\"record\":\"model\",\"runtime\":{\"enable_eplb\":1}}' | opgraph --system h200_sxm --backend sglang --batch 1 --isl 1 --osl 2"
	assert_failure 1
	assert_output "opgraph: <stdin>:1: runtime.enable_eplb is not true or false"
}
