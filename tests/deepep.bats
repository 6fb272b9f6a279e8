#!/usr/bin/env bats
# SGLang's DeepEP path without the wide-EP search: the reference's SGLangEPMOEModel for the MOE
# family (opgraph --moe-backend deepep_moe), the DeepEP search `default` merges beside the regular
# one where the data has the DeepEP tables (sweep --deepep-check), and --moe-backend.
# The shared family-first tree has the DeepEP tables for h200_sxm SGLang 0.5.12 (and 0.5.6.post2).

load test_helper
bats_require_minimum_version 1.5.0

AIC="$SHARED/aic-systems"
DEFAULT="$ROOT/pipelines/default"

@test "opgraph --moe-backend deepep_moe: the MOE family builds the reference's SGLangEPMOEModel" {
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-235B-A22B-FP8' | opgraph --system h200_sxm --backend sglang --batch 8 --isl 1024 --osl 128 --tp 2 --dp 4 --moe-tp 1 --moe-ep 8 --moe-backend deepep_moe --enable-eplb >'$BATS_TEST_TMPDIR/o'"
	assert_success
	# no combine op after the experts, no embedding all-reduce, the router with 128 experts
	run sh -c "tail -n +2 '$BATS_TEST_TMPDIR/o' | '$TOOLS/jget' name | paste -sd' ' -"
	assert_output "context_embedding context_add_norm_1 context_qkv_gemm context_attention context_proj_gemm context_add_norm_2 context_router_gemm context_moe_pre_dispatch context_moe generation_embedding generation_add_norm_1 generation_qkv_gemm generation_attention generation_proj_gemm generation_add_norm_2 generation_router_gemm generation_moe_pre_dispatch generation_moe generation_logits_gemm"
	# the config says DeepEP, not a wide-EP search (pareto keeps SGLang's equal-TP pairs)
	run sh -c "head -1 '$BATS_TEST_TMPDIR/o' | grep -o '\"moe_backend\":\"deepep_moe\",\"enable_eplb\":true'; head -1 '$BATS_TEST_TMPDIR/o' | grep -c '\"wideep\"'"
	assert_output '"moe_backend":"deepep_moe","enable_eplb":true
0'
	# the whole vocabulary per GPU; prefill's dispatch scaled by tp; EPLB flattens prefill only
	run sh -c "grep -h -e '\"name\":\"context_embedding\"' -e '_moe_pre_dispatch\"' -e '\"name\":\"[a-z]*_moe\"' '$BATS_TEST_TMPDIR/o' | grep -o '\"attrs\":{[^}]*}'"
	assert_output '"attrs":{"row_size":151936,"column_size":4096,"weights":1244659712,"empirical_bw_scaling_factor":0.3,"constant_latency":5e-06}
"attrs":{"hidden_size":4096,"topk":8,"num_experts":128,"moe_tp_size":1,"moe_ep_size":8,"attention_dp_size":4,"weights":0,"enable_fp4_all2all":true,"pre_dispatch":true,"num_gpus":8,"attention_tp_size":2,"sms":20,"moe_backend":"deepep_moe","is_context":true,"scale_num_tokens":2,"quant_mode":"fp8_block","reduce_results":true}
"attrs":{"hidden_size":4096,"inter_size":1536,"quant_mode":"fp8_block","topk":8,"num_experts":128,"moe_tp_size":1,"moe_ep_size":8,"attention_dp_size":4,"workload_distribution":"power_law_0.6","is_context":true,"is_gated":true,"moe_backend":"deepep_moe","enable_eplb":true,"weights":301989888}
"attrs":{"hidden_size":4096,"topk":8,"num_experts":128,"moe_tp_size":1,"moe_ep_size":8,"attention_dp_size":4,"weights":0,"enable_fp4_all2all":true,"pre_dispatch":true,"num_gpus":8,"attention_tp_size":2,"sms":20,"moe_backend":"deepep_moe","is_context":false,"scale_num_tokens":1,"quant_mode":"fp8_block","reduce_results":true}
"attrs":{"hidden_size":4096,"inter_size":1536,"quant_mode":"fp8_block","topk":8,"num_experts":128,"moe_tp_size":1,"moe_ep_size":8,"attention_dp_size":4,"workload_distribution":"power_law_1.2","is_context":false,"is_gated":true,"moe_backend":"deepep_moe","enable_eplb":false,"weights":301989888}'
	# Mixtral's 8 experts: no router op
	run sh -c "hfparse '$MODELS/mistralai--Mixtral-8x7B-v0.1' | opgraph --system h200_sxm --backend sglang --batch 8 --isl 1024 --osl 128 --dp 8 --moe-tp 1 --moe-ep 8 --moe-backend deepep_moe | tail -n +2 | grep -c router"
	assert_output 0
	# the regular model elsewhere: Qwen3-VL-MoE (its own class), TRT-LLM (DeepEP is SGLang's)
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-VL-30B-A3B-Instruct' | opgraph --system h200_sxm --backend sglang --batch 8 --isl 1024 --osl 128 --dp 8 --moe-tp 1 --moe-ep 8 --moe-backend deepep_moe | grep -c moe_post_dispatch"
	assert_output 2
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-30B-A3B' | opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1024 --osl 128 --dp 8 --moe-tp 1 --moe-ep 8 --moe-backend deepep_moe | grep -c moe_post_dispatch"
	assert_output 2
	# the reference's construction checks
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-30B-A3B' | opgraph --system h200_sxm --backend sglang --batch 8 --isl 1024 --osl 128 --dp 8 --moe-tp 1 --moe-ep 4 --moe-backend deepep_moe"
	assert_failure 1
	assert_output "opgraph: <stdin>:1: tp*dp = 8 but moe_tp*moe_ep = 4: they must be equal"
	run opgraph --system h200_sxm --backend sglang --batch 8 --isl 1024 --osl 128 --moe-backend deepep </dev/null
	assert_failure 2
	assert_output --partial "--moe-backend: 'deepep' is not deepep_moe"
}

@test "SGLangEPMOEModel priced with the DeepEP tables of h200_sxm SGLang 0.5.12" {
	# HYBRID: the DeepEP MoE tables hold DeepSeek-V3's shapes only, so the experts take the
	# empirical formula; the dispatch is the DeepEP tables' (node_num 1: eight GPUs)
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-235B-A22B-FP8' | opgraph --system h200_sxm --backend sglang --version 0.5.12 --batch 8 --isl 1024 --osl 128 --dp 8 --moe-tp 1 --moe-ep 8 --moe-backend deepep_moe | query --data-dir '$AIC' --version 0.5.12 --database-mode hybrid | aggregate --ops"
	assert_success
	approx "$(echo "$output" | jget ttft_ms)" 594.79966001174
	approx "$(echo "$output" | jget tpot_ms)" 22.891600629883765
	approx "$(echo "$output" | jget memory_gib.total)" 42.9818359375
	run sh -c "echo '$output' | grep -o '{\"name\":\"[a-z_]*_moe[a-z_]*\",\"phase\":\"[a-z]*\",\"latency_ms\":[^,]*,\"energy_wms\":0,\"source\":\"[a-z]*\"}'"
	assert_output '{"name":"context_moe_pre_dispatch","phase":"context","latency_ms":162.14427568474593,"energy_wms":0,"source":"silicon"}
{"name":"context_moe","phase":"context","latency_ms":293.91646773840245,"energy_wms":0,"source":"empirical"}
{"name":"generation_moe_pre_dispatch","phase":"generation","latency_ms":259.400802,"energy_wms":0,"source":"silicon"}
{"name":"generation_moe","phase":"generation","latency_ms":1882.7785898666666,"energy_wms":0,"source":"empirical"}'
	# SILICON refuses the experts' shape, naming the table
	run sh -c "hfparse '$MODELS/Qwen--Qwen3-235B-A22B-FP8' | opgraph --system h200_sxm --backend sglang --version 0.5.12 --batch 8 --isl 1024 --osl 128 --dp 8 --moe-tp 1 --moe-ep 8 --moe-backend deepep_moe | query --data-dir '$AIC' --version 0.5.12"
	assert_failure 1
	assert_output --partial "distribution power_law_1.2 topk=8 num_experts=128 hidden_size=4096 inter_size=1536 moe_tp=1 moe_ep=8 in $AIC/data/h200_sxm/moe/sglang/0.5.10/wideep_context_moe_perf.parquet"
}

@test "sweep --deepep-check: the modes of the reference's extra DeepEP search, or why there is none" {
	check() { hfparse "$MODELS/$1" | sweep --system h200_sxm --backend sglang --total-gpus 8 --isl 1000 --osl 100 --data-dir "$AIC" "${@:2}" --deepep-check; }
	run --separate-stderr check deepseek-ai--DeepSeek-V3 --version 0.5.12
	assert_success
	assert_output "agg,disagg"
	run --separate-stderr check deepseek-ai--DeepSeek-V3 --version 0.5.12 --modes disagg
	assert_output "disagg"
	# one GPU: no disagg
	run --separate-stderr sh -c "hfparse '$MODELS/Qwen--Qwen3-235B-A22B-FP8' | sweep --system h200_sxm --backend sglang --total-gpus 1 --isl 1000 --osl 100 --data-dir '$AIC' --version 0.5.12 --deepep-check"
	assert_output "agg"
	# the DeepEP MoE tables hold fp8_block experts only
	run --separate-stderr check Qwen--Qwen3-30B-A3B --version 0.5.12
	assert_failure 1
	assert_equal "$stderr" "sweep: no SGLang DeepEP search: the DeepEP MoE table wideep_context_moe_perf.txt of h200_sxm has no bfloat16 experts (it has fp8_block)"
	run --separate-stderr check Qwen--Qwen3-30B-A3B --version 0.5.12 --prefill-moe-quant fp8_block --modes disagg
	assert_failure 1
	assert_equal "$stderr" "sweep: no SGLang DeepEP search: the DeepEP MoE table wideep_generation_moe_perf.txt of h200_sxm has no bfloat16 experts (it has fp8_block)"
	run --separate-stderr check deepseek-ai--DeepSeek-V3 --version 0.5.14
	assert_failure 1
	assert_equal "$stderr" "sweep: no SGLang DeepEP search: missing required DeepEP perf data: $AIC/data/h200_sxm/sglang/0.5.14/wideep_deepep_normal_perf.txt, $AIC/data/h200_sxm/sglang/0.5.14/wideep_deepep_ll_perf.txt"
	run --separate-stderr check Qwen--Qwen3-32B --version 0.5.12
	assert_equal "$stderr" "sweep: no SGLang DeepEP search: not a MoE model"
	run --separate-stderr sh -c "hfparse '$MODELS/deepseek-ai--DeepSeek-V3' | sweep --system h200_sxm --backend trtllm --total-gpus 8 --isl 1000 --osl 100 --deepep-check"
	assert_equal "$stderr" "sweep: no SGLang DeepEP search: DeepEP is SGLang's"
}

@test "default: the DeepEP search is merged beside the regular one where the DeepEP tables are" {
	run_default() { "$DEFAULT" --model deepseek-ai/DeepSeek-V3 --system h200_sxm --backend sglang --data-dir "$AIC" --total-gpus 8 --isl 1024 --osl 256 --ttft 5000 --tpot 100 --format jsonl "$@"; }
	# DeepSeek-V3 with fp8_block attention: the regular search has no context MLA rows for it, the
	# DeepEP one (wide-EP MLA and DeepEP tables) prices its ep8 layouts and wins
	run --separate-stderr run_default --version 0.5.12 --fmha-quant fp8_block
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":1381.393,"agg_tokens_per_s_per_gpu":1381.393,"disagg_tokens_per_s_per_gpu":0}'
	run sh -c "echo '$output' | sed -n 2p | grep -o '\"parallel\":\"[^\"]*\"'"
	assert_output '"parallel":"tp1pp1dp8etp1ep8"'
	# the DeepEP search alone gives the same pick; the regular one alone has none
	run --separate-stderr run_default --version 0.5.12 --fmha-quant fp8_block --moe-backend deepep_moe
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":1381.393,"agg_tokens_per_s_per_gpu":1381.393,"disagg_tokens_per_s_per_gpu":0,"version":"0.5.12","database_mode":"silicon"}'
	run --separate-stderr run_default --version 0.5.12 --fmha-quant fp8_block --moe-backend none
	assert_failure 1
	# its own FMHA mode (fp8 -> bfloat16): the DeepEP search finds no wide-EP MLA rows and says so,
	# the regular one's pick stands
	run --separate-stderr run_default --version 0.5.12
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":722.401,"agg_tokens_per_s_per_gpu":722.401,"disagg_tokens_per_s_per_gpu":0}'
	assert_equal "${stderr%%;*}" "default: sglang:deepep_moe: no configuration of deepseek-ai/DeepSeek-V3 on 8 GPUs"
	# the newest version has no DeepEP tables: the regular search alone, silently
	run --separate-stderr run_default --version 0.5.14 --fmha-quant fp8_block
	assert_failure 1
	assert_equal "$(echo "$stderr" | grep -ci deepep)" 0
	run --separate-stderr "$DEFAULT" --model deepseek-ai/DeepSeek-V3 --system h200_sxm --backend sglang --total-gpus 8 --moe-backend deepep
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "default: --moe-backend: 'deepep' is not one of deepep_moe, none"
}

@test "default: a MoE model whose experts the DeepEP tables lack keeps the regular search, said on stderr" {
	run --separate-stderr "$DEFAULT" --model Qwen/Qwen3-30B-A3B --system h200_sxm --backend sglang --data-dir "$AIC" --version 0.5.12 --total-gpus 8 --isl 1024 --osl 256 --ttft 5000 --tpot 100 --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":9148.689,"agg_tokens_per_s_per_gpu":9148.689,"disagg_tokens_per_s_per_gpu":4782.384,"version":"0.5.12","database_mode":"silicon"}'
	assert_equal "$stderr" "default: no SGLang DeepEP search: the DeepEP MoE table wideep_context_moe_perf.txt of h200_sxm has no bfloat16 experts (it has fp8_block)"
}
