#!/usr/bin/env bats
# pipelines/support: the reference's `cli support` computed on the data, with the S1/S2/S3 level
# (coverage), the hardware check and size tier (naive).
load test_helper
bats_require_minimum_version 1.5.0

SUPPORT="$ROOT/pipelines/support"

@test "support: Qwen3-32B on h200_sxm passes agg and disagg on every backend, all ops in the tables (S1)" {
	run --separate-stderr "$SUPPORT" --model Qwen/Qwen3-32B --system h200_sxm --backend all
	assert_success
	assert_output "model Qwen/Qwen3-32B (Qwen3ForCausalLM)
system               backend version     agg             disagg          level reason
h200_sxm             trtllm  1.3.0rc10   PASS            PASS            S1    
h200_sxm             sglang  0.5.10      PASS            PASS            S1    
h200_sxm             vllm    0.19.0      PASS            PASS            S1    "
}

@test "support: Qwen3-30B-A3B on h200 sglang passes but moe_tp 8 is not in the MoE table (S2, nearest rows named)" {
	run --separate-stderr "$SUPPORT" --model Qwen/Qwen3-30B-A3B --system h200_sxm --backend sglang --format jsonl
	assert_success
	assert_equal "${#lines[@]}" 1
	assert_equal "$(echo "$output" | jget level)" S2
	assert_equal "$(echo "$output" | jget agg)" PASS
	assert_equal "$(echo "$output" | jget disagg)" PASS
	assert_equal "$(echo "$output" | jget configurations)" 18870
	assert_equal "$(echo "$output" | jget unpriced)" 2516
	assert_equal "$(echo "$output" | jget issues.0.op)" context_moe
	assert_equal "$(echo "$output" | jget issues.0.missing)" "moe_perf.txt has no rows for bfloat16 distribution power_law_1.2 topk=8 num_experts=128 hidden_size=2048 inter_size=768 moe_tp=8 moe_ep=1"
	assert_equal "$(echo "$output" | jget issues.0.nearest)" "moe_tp_size=1; moe_tp_size=2; moe_tp_size=4"
	assert_equal "$(echo "$output" | jget issues.0.configurations)" 2132
	assert_equal "$(echo "$output" | jget issues.1.op)" generation_moe
	assert_equal "$(echo "$output" | jget issues.1.configurations)" 384
}

@test "support: a mode the tables cannot price is retried in hybrid mode (HYBRID_PASS); CSV in the matrix's columns" {
	run --separate-stderr "$SUPPORT" --model Qwen/Qwen3-30B-A3B --system l40s --format csv
	assert_success
	assert_line --index 0 "HuggingFaceID,Architecture,System,Backend,Version,Mode,Status,Level,Reason"
	assert_line --index 1 "Qwen/Qwen3-30B-A3B,Qwen3MoeForCausalLM,l40s,trtllm,1.0.0,agg,HYBRID_PASS,S2,op context_moe: moe_perf.txt has no rows for bfloat16 distribution power_law_1.2 topk=8 num_experts=128 hidden_size=2048 inter_size=768 moe_tp=1 moe_ep=1 (nearest in moe_perf.txt: hidden_size=4096 inter_size=1536); 19 more issues"
	assert_line --index 2 --partial "Qwen/Qwen3-30B-A3B,Qwen3MoeForCausalLM,l40s,trtllm,1.0.0,disagg,HYBRID_PASS,S2,"
	run --separate-stderr "$SUPPORT" --model Qwen/Qwen3-30B-A3B --system l40s --format csv --no-hybrid
	assert_success
	assert_line --index 1 --partial "l40s,trtllm,1.0.0,agg,FAIL,S2,no configuration of Qwen/Qwen3-30B-A3B on 32 GPUs; agg: no worker layout could be priced (19 failed; the last: op context_moe:"
}

@test "support: FP4 checkpoints on a GPU without FP4, FP8 ones on A100 (HW_INCOMPATIBLE, no sweep)" {
	run --separate-stderr "$SUPPORT" --model nvidia/DeepSeek-V3.1-NVFP4 --system h200_sxm --format csv
	assert_success
	assert_output "HuggingFaceID,Architecture,System,Backend,Version,Mode,Status,Level,Reason
nvidia/DeepSeek-V3.1-NVFP4,DeepseekV3ForCausalLM,h200_sxm,trtllm,1.3.0rc10,agg,HW_INCOMPATIBLE,,h200_sxm (SM90) does not support FP4 required by nvidia/DeepSeek-V3.1-NVFP4
nvidia/DeepSeek-V3.1-NVFP4,DeepseekV3ForCausalLM,h200_sxm,trtllm,1.3.0rc10,disagg,HW_INCOMPATIBLE,,h200_sxm (SM90) does not support FP4 required by nvidia/DeepSeek-V3.1-NVFP4"
	run --separate-stderr "$SUPPORT" --model Qwen/Qwen3-32B-FP8 --system a100_sxm --backend vllm --format jsonl
	assert_success
	assert_equal "$(echo "$output" | jget agg_reason)" "a100_sxm (SM80) does not support FP8 required by Qwen/Qwen3-32B-FP8"
	assert_equal "$(echo "$output" | jget level)" null
}

@test "support: an architecture infercast does not model is S3 everywhere; a system without data is NO_DATA" {
	run --separate-stderr "$SUPPORT" --model "$FIXTURES/hfparse/unknown_arch" --system h200_sxm --format csv
	assert_success
	assert_line --index 1 --partial "unknown_arch,,h200_sxm,trtllm,1.3.0rc10,agg,FAIL,S3,\"$FIXTURES/hfparse/unknown_arch/config.json: unsupported architecture 'FooForCausalLM' (supported: LlamaForCausalLM,"
	run --separate-stderr "$SUPPORT" --model Qwen/Qwen3-32B --system a30
	assert_success
	assert_output "model Qwen/Qwen3-32B (Qwen3ForCausalLM)
system               backend version     agg             disagg          level reason
a30                  trtllm  -           NO_DATA         NO_DATA         -     no perf data for a30"
}

@test "support: usage errors exit 2, a model or version that does not exist exits 1" {
	run "$SUPPORT" --system h200_sxm
	assert_failure 2
	assert_output "support: --model and --system are required
try 'support --help'"
	run "$SUPPORT" --model Qwen/Qwen3-32B --system h200_sxm --backend tgi
	assert_failure 2
	assert_line --index 0 "support: --backend: 'tgi' is not one of trtllm, vllm, sglang, all"
	run "$SUPPORT" --model Qwen/Qwen3-32B --system h200_sxm --frobnicate
	assert_failure 2
	assert_line --index 0 "support: unknown option '--frobnicate'"
	run "$SUPPORT" --model Qwen/Qwen3-32B --system h200_sxm --format xml
	assert_failure 2
	assert_line --index 0 "support: --format: 'xml' is not one of table, csv, jsonl"
	run --separate-stderr "$SUPPORT" --model-path Qwen/Qwen3-32B --system h200_sxm --backend-version 9.9
	assert_failure 1
	assert_equal "$stderr" "support: no perf data for h200_sxm/trtllm version 9.9"
	run --separate-stderr "$SUPPORT" --model Nobody/Nothing --system h200_sxm
	assert_failure 1
	assert_equal "$stderr" "support: --model: 'Nobody/Nothing' is neither a path nor a bundled Hugging Face id (a downloaded model is a folder with config.json); hfparse --list-models lists the bundled ones"
}

@test "naive: weights, smallest TP over 1.5 x weights, replicas, datatypes" {
	run --separate-stderr sh -c "hfparse '$MODELS/Qwen--Qwen3-32B' | naive --system h200_sxm --total-gpus 8"
	assert_success
	assert_output '{"record":"naive","model":"Qwen/Qwen3-32B","architecture":"Qwen3ForCausalLM","is_moe":false,"system":"h200_sxm","backend":"trtllm","total_gpus":8,"param_count":32655933440,"weight_bytes":65311866880,"vram_per_gpu_bytes":151397597184,"gpus_per_node":8,"required_tp":1,"fits":true,"strategy":"TP","tp":1,"pp":1,"dp":1,"moe_tp":1,"moe_ep":1,"gpus_per_worker":1,"replicas":8,"gpus_used":8,"max_batch_size":128,"requires":[],"hw_incompatible":null}'
	# Llama-3.1-405B needs 16 H100s per copy: capped at a node, with a warning
	run --separate-stderr sh -c "hfparse '$MODELS/meta-llama--Meta-Llama-3.1-70B' | naive --system h100_sxm --total-gpus 8"
	assert_equal "$(echo "$output" | jget tp) $(echo "$output" | jget required_tp) $(echo "$output" | jget replicas)" "4 4 2"
	run --separate-stderr sh -c "hfparse '$MODELS/meta-llama--Meta-Llama-3.1-405B' | naive --system h200_sxm --total-gpus 8"
	assert_equal "$(echo "$output" | jget fits)" false
	assert_equal "$(echo "$output" | jget warning)" "the model needs 16 GPUs per replica (1.5 x 870.2 GiB of weights), more than 8"
	# MoE: the reference's TEP (moe_tp = GPUs)
	run --separate-stderr sh -c "hfparse '$MODELS/Qwen--Qwen3-235B-A22B' | naive --system h200_sxm --total-gpus 16"
	assert_equal "$(echo "$output" | jget strategy)" TEP
	assert_equal "$(echo "$output" | jget moe_tp)" 8
	assert_equal "$(echo "$output" | jget replicas)" 2
	run naive --system h200_sxm
	assert_failure 2
	assert_line --index 0 "naive: --system and --total-gpus are required"
	run naive --system nope --total-gpus 8 </dev/null
	assert_failure 2
	assert_line --index 0 --partial "naive: --system: unknown system 'nope'"
}

@test "coverage: --list-data names every system's backends and versions; --render checks its input" {
	run --separate-stderr coverage --list-data --system h200_sxm
	assert_success
	assert_output "h200_sxm trtllm 1.3.0rc10 newest
h200_sxm sglang 0.5.10 newest
h200_sxm vllm 0.19.0 newest"
	run --separate-stderr coverage --list-data --system a30
	assert_output "a30 - - none"
	run coverage --render xml
	assert_failure 2
	assert_line --index 0 "coverage: --render: 'xml' is not one of table, csv"
	run coverage --system h200_sxm --backend trtllm --agg MAYBE
	assert_failure 2
	assert_line --index 0 "coverage: --agg: 'MAYBE' is not one of PASS, HYBRID_PASS, FAIL, HW_INCOMPATIBLE, NO_DATA"
}
