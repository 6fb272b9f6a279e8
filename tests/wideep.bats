#!/usr/bin/env bats
# Wide-EP kernels through query (lib/table_wideep: SGLang DeepEP MoE tables, DeepEP dispatch,
# TRT-LLM all-to-all) and the HYBRID shared layer (query --shared-layer, lib/table_sources).
load test_helper

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
