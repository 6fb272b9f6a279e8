#!/usr/bin/env bats
# hfparse: HuggingFace configs to model records. Expected values were read off the reference
# (aiconfigurator a54593e24: _parse_hf_config_json, _infer_quant_modes_from_raw_config and the
# defaults of _apply_model_quant_defaults) and cross-checked with the goldens' `resolved` blocks.
load test_helper
bats_require_minimum_version 1.5.0

HF="$FIXTURES/hfparse"

# expect RECORD PATH VALUE [PATH VALUE ...]: each dotted path of the record has that value.
expect() {
	local rec="$1" got
	shift
	while [ $# -gt 0 ]; do
		got=$(printf '%s\n' "$rec" | jget "$1")
		if [ "$got" != "$2" ]; then
			echo "$1: got '$got', want '$2'"
			return 1
		fi
		shift 2
	done
}

model() { "$BIN/hfparse" "$MODELS/$1"; }

# absent RECORD PATH: the record has nothing at that dotted path.
absent() {
	local got
	got=$(printf '%s\n' "$1" | jget "$2") && { echo "$2 present: $got"; return 1; }
	[ "$got" = MISSING ]
}

@test "--help prints usage to stdout and exits 0" {
	run hfparse --help
	assert_success
	assert_line --index 0 "usage: hfparse [--model-path NAME] [MODEL...]"
}

@test "an unknown option is a usage error" {
	run --separate-stderr hfparse --frobnicate "$MODELS/Qwen--Qwen3-32B"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$stderr" = "hfparse: unknown option '--frobnicate'
try 'hfparse --help'" ]
}

@test "--model-path needs a value and exactly one model" {
	run --separate-stderr hfparse --model-path
	[ "$status" -eq 2 ]
	[ "$stderr" = "hfparse: option '--model-path' needs a value
try 'hfparse --help'" ]
	run --separate-stderr hfparse --model-path x/y "$MODELS/Qwen--Qwen3-32B" "$MODELS/Qwen--Qwen3-8B"
	[ "$status" -eq 2 ]
	[ "$stderr" = "hfparse: option '--model-path' needs exactly one MODEL
try 'hfparse --help'" ]
}

@test "every shared model gives one model record" {
	local n=0 d
	for d in "$MODELS"/*/; do
		run --separate-stderr hfparse "$d"
		[ "$status" -eq 0 ] || { echo "$d: $stderr"; return 1; }
		[ "${#lines[@]}" -eq 1 ]
		expect "$output" record model
		n=$((n + 1))
	done
	# every model folder of ../shared/models: fewer means models went missing
	[ "$n" -eq 56 ]
}

@test "several models give several records, in order" {
	run hfparse "$MODELS/Qwen--Qwen3-32B" "$MODELS/mistralai--Mixtral-8x7B-v0.1" "$MODELS/openai--gpt-oss-20b"
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	expect "${lines[0]}" model_path Qwen/Qwen3-32B
	expect "${lines[1]}" model_path mistralai/Mixtral-8x7B-v0.1
	expect "${lines[2]}" model_path openai/gpt-oss-20b
}

@test "dense Llama-3.1-8B" {
	r=$(model meta-llama--Meta-Llama-3.1-8B)
	expect "$r" architecture LlamaForCausalLM family LLAMA is_moe false layers 32 n 32 n_kv 8 d 128 \
		hidden_size 4096 inter_size 14336 vocab 128256 context 131072 topk 0 num_experts 0 moe_inter_size 14336 \
		extra_params null quant.gemm bfloat16 quant.kvcache bfloat16 quant.fmha bfloat16 quant.moe bfloat16 \
		quant.comm half quant.quant_algo null
}

@test "dense Qwen3-32B keeps per-head Q/K norm" {
	r=$(model Qwen--Qwen3-32B)
	expect "$r" model_path Qwen/Qwen3-32B family LLAMA layers 64 n 64 n_kv 8 d 128 hidden_size 5120 \
		inter_size 25600 vocab 151936 context 40960 moe_inter_size 25600 \
		extra_params.architecture Qwen3ForCausalLM extra_params.use_qk_norm true quant.gemm bfloat16
}

@test "MoE Qwen3-30B-A3B" {
	r=$(model Qwen--Qwen3-30B-A3B)
	expect "$r" architecture Qwen3MoeForCausalLM family MOE is_moe true layers 48 n 32 n_kv 4 d 128 \
		hidden_size 2048 inter_size 6144 topk 8 num_experts 128 moe_inter_size 768 extra_params.use_qk_norm true \
		quant.moe bfloat16
}

@test "MoE Mixtral-8x7B: experts from num_local_experts, expert width from intermediate_size" {
	r=$(model mistralai--Mixtral-8x7B-v0.1)
	expect "$r" family MOE layers 32 n 32 n_kv 8 d 128 hidden_size 4096 inter_size 14336 vocab 32000 \
		context 32768 topk 2 num_experts 8 moe_inter_size 14336 extra_params null
}

@test "MoE gpt-oss-120b: mxfp4 experts, bfloat16 GEMMs" {
	r=$(model openai--gpt-oss-120b)
	expect "$r" family MOE layers 36 n 64 n_kv 8 d 64 hidden_size 2880 inter_size 2880 vocab 201088 \
		topk 4 num_experts 128 moe_inter_size 2880 quant.quant_algo mxfp4 quant.gemm bfloat16 \
		quant.moe w4a16_mxfp4 quant.kvcache bfloat16 quant.fmha bfloat16
}

@test "MLA DeepSeek-V3: latent dims and fp8 block checkpoint" {
	r=$(model deepseek-ai--DeepSeek-V3)
	expect "$r" family DEEPSEEK is_moe true layers 61 n 128 n_kv 128 d 56 hidden_size 7168 inter_size 18432 \
		vocab 129280 context 163840 topk 8 num_experts 256 moe_inter_size 2048 \
		extra_params.v_head_dim 128 extra_params.kv_lora_rank 512 extra_params.qk_rope_head_dim 64 \
		quant.quant_algo fp8_block quant.quant_dynamic true quant.gemm fp8_block quant.moe fp8_block \
		quant.kvcache fp8 quant.fmha fp8 quant.weight_block_size 128
}

@test "MLA Kimi-K2.5: text_config, compressed-tensors int4 experts with attention left in bfloat16" {
	r=$(model moonshotai--Kimi-K2.5)
	expect "$r" architecture KimiK25ForConditionalGeneration family KIMIK25 layers 61 n 64 n_kv 64 d 112 \
		vocab 163840 context 262144 topk 8 num_experts 384 moe_inter_size 2048 extra_params.v_head_dim 128 \
		quant.quant_algo compressed-tensors quant.quant_dynamic false quant.gemm bfloat16 quant.moe int4_wo \
		quant.kvcache bfloat16 quant.fmha bfloat16
}

@test "hybrid Nemotron-H-56B: Mamba pattern, dense (Infinity in the file reads as null)" {
	r=$(model nvidia--Nemotron-H-56B-Base-8K)
	expect "$r" family NEMOTRONH is_moe false layers 118 n 64 n_kv 8 d 128 hidden_size 8192 inter_size 32768 \
		context 8192 extra_params.mamba_num_heads 256 extra_params.mamba_head_dim 64 \
		extra_params.ssm_state_size 256 extra_params.conv_kernel 4 extra_params.n_groups 8 \
		extra_params.chunk_size 128 extra_params.moe_shared_expert_intermediate_size 0 extra_params.moe_latent_size 0 \
		extra_params.hybrid_override_pattern "M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-"
}

@test "hybrid Nemotron-3-Nano: MoE because the pattern has E layers" {
	r=$(model nvidia--NVIDIA-Nemotron-3-Nano-30B-A3B-BF16)
	expect "$r" family NEMOTRONH is_moe true layers 52 n 32 n_kv 2 hidden_size 2688 topk 6 num_experts 128 \
		moe_inter_size 1856 extra_params.moe_shared_expert_intermediate_size 3712 \
		extra_params.hybrid_override_pattern "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME"
}

@test "Qwen3.5-27B: dense GDN hybrid, layer types from text_config" {
	r=$(model Qwen--Qwen3.5-27B)
	expect "$r" family QWEN35 is_moe false layers 64 n 24 n_kv 4 d 256 hidden_size 5120 inter_size 17408 \
		vocab 248320 context 262144 extra_params.layer_types.0 linear_attention extra_params.layer_types.3 full_attention \
		extra_params.layer_types.63 full_attention extra_params.num_experts 0
	absent "$r" extra_params.layer_types.64
}

@test "Qwen3.5-35B-A3B: MoE GDN hybrid" {
	r=$(model Qwen--Qwen3.5-35B-A3B)
	expect "$r" family QWEN35 is_moe true layers 40 n 16 n_kv 2 d 256 hidden_size 2048 inter_size 0 topk 8 \
		num_experts 256 moe_inter_size 512 extra_params.topk 8 extra_params.num_experts 256 \
		extra_params.moe_inter_size 512
	[ "$(printf '%s\n' "$r" | jget extra_params.shared_expert_inter_size)" -gt 0 ]
	[ "$(printf '%s\n' "$r" | jget extra_params.linear_conv_kernel_dim)" = 4 ]
}

@test "NAS Nemotron Super 49B: runs of identical blocks" {
	r=$(model nvidia--Llama-3_3-Nemotron-Super-49B-v1)
	expect "$r" architecture DeciLMForCausalLM family NEMOTRONNAS layers 80 n 64 n_kv 0 d 128 hidden_size 8192 \
		inter_size 0 moe_inter_size null \
		extra_params.block_configs.0.attn_n_heads_in_group 8 extra_params.block_configs.0.ffn_ffn_mult 2.625 \
		extra_params.block_configs.0.num_inst 1 extra_params.block_configs.1.ffn_ffn_mult 5.25 \
		extra_params.block_configs.1.num_inst 5 extra_params.block_configs.2.attn_n_heads_in_group null \
		extra_params.block_configs.2.attn_no_op true extra_params.block_configs.2.num_inst 2
}

@test "Llama-4-Scout: alternating local/global attention, every layer MoE" {
	r=$(model meta-llama--Llama-4-Scout-17B-16E-Instruct)
	expect "$r" family HYBRIDMOE is_moe true layers 48 n 40 n_kv 8 d 128 hidden_size 5120 inter_size 8192 \
		vocab 202048 context 10485760 topk 1 num_experts 16 moe_inter_size 8192 \
		extra_params.attn_layer_pattern.0 0 extra_params.attn_layer_pattern.1 1 extra_params.attn_layer_pattern.47 1 \
		extra_params.moe_layer_freq.0 1 extra_params.moe_layer_freq.47 1 extra_params.sliding_window_size 8192 \
		extra_params.dense_inter_size 16384 extra_params.swa_head_dim 0
}

@test "MiMo-V2-Flash: SWA dims, per-layer patterns, fp8 block checkpoint" {
	r=$(model XiaomiMiMo--MiMo-V2-Flash)
	expect "$r" family HYBRIDMOE layers 48 n 64 n_kv 4 d 192 hidden_size 4096 inter_size 16384 topk 8 \
		num_experts 256 moe_inter_size 2048 extra_params.attn_layer_pattern.0 0 extra_params.attn_layer_pattern.1 1 \
		extra_params.attn_layer_pattern.5 0 extra_params.moe_layer_freq.0 0 extra_params.moe_layer_freq.1 1 \
		extra_params.global_v_head_dim 128 extra_params.dense_inter_size 0 \
		quant.gemm fp8_block quant.moe fp8_block quant.kvcache fp8 quant.fmha fp8
	[ "$(printf '%s\n' "$r" | jget extra_params.sliding_window_size)" -gt 0 ]
}

@test "FP8 checkpoints: block-scaled Qwen3-32B-FP8, per-tensor Llama-3.1-70B-FP8, static Qwen3-32B" {
	r=$(model Qwen--Qwen3-32B-FP8)
	expect "$r" quant.quant_algo fp8_block quant.gemm fp8_block quant.moe fp8_block quant.kvcache fp8 quant.fmha fp8
	r=$(model nvidia--Llama-3.1-70B-Instruct-FP8)
	expect "$r" model_path nvidia/Llama-3.1-70B-Instruct-FP8 layers 80 hidden_size 8192 quant.quant_algo fp8 \
		quant.kv_cache_quant_algo fp8 quant.gemm fp8 quant.moe fp8 quant.kvcache fp8 quant.fmha fp8
	r=$(model Qwen--Qwen3-32B-FP8-Static-PerTensor)
	expect "$r" quant.quant_dynamic false quant.gemm fp8_static quant.moe fp8 quant.kvcache fp8 quant.fmha fp8
	r=$(model Qwen--Qwen3-30B-A3B-FP8)
	expect "$r" quant.gemm fp8_block quant.moe fp8_block quant.kvcache fp8 quant.fmha fp8
}

@test "NVFP4 checkpoints from hf_quant_config.json" {
	r=$(model nvidia--Qwen3-235B-A22B-NVFP4)
	expect "$r" family MOE layers 94 hidden_size 4096 moe_inter_size 1536 quant.quant_algo nvfp4 \
		quant.kv_cache_quant_algo fp8 quant.gemm nvfp4 quant.moe nvfp4 quant.kvcache fp8 quant.fmha fp8
	r=$(model nvidia--GLM-5-NVFP4)
	expect "$r" family DEEPSEEKV32 layers 78 d 64 extra_params.q_lora_rank 2048 extra_params.qk_nope_head_dim 192 \
		extra_params.v_head_dim 256 extra_params.index_n_heads 32 extra_params.index_topk 2048 \
		extra_params.dsa_gemm_quant_mode bfloat16 quant.gemm nvfp4 quant.fmha fp8
	r=$(model zai-org--GLM-5)
	absent "$r" extra_params.dsa_gemm_quant_mode
}

@test "DeepSeek-V4-Flash: compressed attention, fp4 experts, bfloat16 attention kernels" {
	r=$(model deepseek-ai--DeepSeek-V4-Flash)
	expect "$r" family DEEPSEEKV4 layers 43 n 64 n_kv 1 d 512 hidden_size 4096 topk 6 num_experts 256 \
		extra_params.compress_ratios.0 0 extra_params.compress_ratios.2 4 extra_params.compress_ratios.3 128 \
		extra_params.compress_ratios.42 4 extra_params.hc_eps 9.9999999999999995e-07 extra_params.hc_mult 4 \
		quant.gemm fp8_block quant.moe w4a8_mxfp4_mxfp8 quant.kvcache fp8 quant.fmha bfloat16
	absent "$r" extra_params.compress_ratios.43
}

@test "Gemma-4 and Qwen3-VL MoE read their text_config; Qwen3-VL keeps the vision encoder" {
	r=$(model google--gemma-4-26B-A4B)
	expect "$r" family GEMMA4MOE layers 30 hidden_size 2816 inter_size 2112 moe_inter_size 704 num_experts 128 \
		extra_params.layer_types.5 full_attention extra_params.swa_num_kv_heads 8 extra_params.swa_head_dim 256 \
		extra_params.global_num_kv_heads 2 extra_params.global_head_dim 512 extra_params.attention_k_eq_v true
	r=$(model Qwen--Qwen3-VL-30B-A3B-Instruct)
	expect "$r" family QWEN3VL_MOE is_moe false layers 48 hidden_size 2048 num_experts 128 moe_inter_size 768 \
		extra_params.depth 27 extra_params.hidden_size 1152 extra_params.projector_dims.0.0 4608 \
		extra_params.projector_dims.1.1 2048 extra_params.projector_n_instances 4
}

@test "default quant modes agree with every golden that gave none (trtllm, non-DSA)" {
	local f n=0 model rec want got k
	for f in "$GOLDENS"/static/*.json "$GOLDENS"/static/expected_errors/*.json; do
		grep -q '"backend": "trtllm"' "$f" || continue
		[ "$(grep -c '"gemm_quant"\|"fmha_quant"\|"kvcache_quant"\|"moe_quant"' "$f")" -eq 4 ] || continue
		model=$(grep -m1 -o '"model": "[^"]*"' "$f" | cut -d'"' -f4)
		rec=$("$BIN/hfparse" "$SHARED/$model")
		case "$(printf '%s\n' "$rec" | jget architecture)" in DeepseekV32ForCausalLM|GlmMoeDsaForCausalLM) continue ;; esac
		for k in gemm kvcache fmha moe comm; do
			want=$(grep -m1 -o "\"${k}_quant\": \"[^\"]*\"" "$f" | cut -d'"' -f4)
			got=$(printf '%s\n' "$rec" | jget "quant.$k")
			[ "$got" = "$want" ] || { echo "$f: $k $got != $want"; return 1; }
		done
		want=$(grep -m1 -o '"model_family": "[^"]*"' "$f" | cut -d'"' -f4)
		[ "$(printf '%s\n' "$rec" | jget family)" = "$want" ]
		want=$(grep -m1 -o '"model_path": "[^"]*"' "$f" | cut -d'"' -f4)
		[ "$(printf '%s\n' "$rec" | jget model_path)" = "$want" ]
		n=$((n + 1))
	done
	# the 53 trtllm non-DSA goldens with all four quant modes: fewer means goldens went missing
	[ "$n" -eq 53 ]
}

@test "model_path: org--name folder, its config.json, a bare file, stdin, --model-path" {
	expect "$(hfparse "$HF/org--tiny-model")" model_path org/tiny-model
	expect "$(hfparse "$HF/org--tiny-model/")" model_path org/tiny-model
	expect "$(hfparse "$HF/org--tiny-model/config.json")" model_path org/tiny-model
	expect "$(hfparse "$HF/bare-config.json")" model_path "$HF/bare-config.json"
	expect "$(hfparse "$HF/dense")" model_path "$HF/dense"
	expect "$(hfparse < "$HF/dense/config.json")" model_path "<stdin>" layers 2 d 64
	expect "$(hfparse - < "$HF/dense/config.json")" model_path "<stdin>"
	expect "$(hfparse --model-path me/tiny "$HF/dense")" model_path me/tiny
	expect "$(hfparse --model-path=me/tiny < "$HF/dense/config.json")" model_path me/tiny
}

@test "a config.json path reads the sibling hf_quant_config.json like its folder" {
	expect "$(hfparse "$HF/nvfp4_hf_quant/config.json")" quant.gemm nvfp4 quant.kvcache fp8 quant.fmha fp8 quant.moe nvfp4
	expect "$(hfparse < "$HF/nvfp4_hf_quant/config.json")" quant.gemm bfloat16
}

@test "Infinity and NaN read as null; -Infinity too" {
	expect "$(hfparse "$HF/dense")" hidden_size 256
	expect "$(hfparse "$HF/neg_infinity")" hidden_size 256
}

@test "static fp8 with an 8-bit float kv cache scheme; block types spelled out for NemotronH" {
	expect "$(hfparse "$HF/static_fp8")" quant.quant_dynamic false quant.gemm fp8_static quant.moe fp8 \
		quant.kv_cache_quant_algo fp8 quant.kvcache fp8 quant.fmha fp8
	expect "$(hfparse "$HF/nemotronh_block_types")" layers 4 is_moe true extra_params.hybrid_override_pattern 'ME*-'
}

# fails FIXTURE MESSAGE: hfparse exits 1 with exactly "hfparse: MESSAGE" and writes nothing.
fails() {
	run --separate-stderr hfparse "$1"
	[ "$status" -eq 1 ] || { echo "status $status"; return 1; }
	[ -z "$output" ] || { echo "stdout: $output"; return 1; }
	[ "$stderr" = "hfparse: $2" ] || { echo "stderr: $stderr"; return 1; }
}

@test "a Hugging Face id names a bundled config; --resolve and --list-models show them" {
	run --separate-stderr hfparse Qwen/Qwen3-32B
	assert_success
	assert_equal "$output" "$(hfparse "$MODELS/Qwen--Qwen3-32B")"
	# hub ids ignore case
	run --separate-stderr hfparse --resolve qwen/qwen3-32b
	assert_success
	assert_output "$REAL_BIN/../models/Qwen--Qwen3-32B"
	# a path is itself, even when it has the shape of an id
	run --separate-stderr hfparse --resolve "$MODELS/Qwen--Qwen3-8B"
	assert_output "$MODELS/Qwen--Qwen3-8B"
	run --separate-stderr hfparse --list-models
	assert_success
	assert_equal "${#lines[@]}" "$(ls "$ROOT/models" | wc -l)"
	assert_line --index 0 "MiniMaxAI/MiniMax-M2.5"
	assert_line "openai/gpt-oss-20b"
	# every bundled config is the shared one
	for m in "$ROOT"/models/*/; do
		diff -r "$m" "$MODELS/$(basename "$m")"
	done
	run --separate-stderr hfparse Nobody/Nothing-7B
	assert_failure 1
	assert_equal "$stderr" "hfparse: 'Nobody/Nothing-7B' is neither a path nor a bundled Hugging Face id (a downloaded model is a folder with config.json); hfparse --list-models lists the bundled ones"
	run --separate-stderr hfparse --resolve /nonexistent/model
	assert_failure 1
	assert_equal "$stderr" "hfparse: '/nonexistent/model' does not exist"
	INFERCAST_MODELS=/nonexistent run --separate-stderr hfparse Qwen/Qwen3-32B
	assert_failure 1
	assert_equal "$stderr" "hfparse: 'Qwen/Qwen3-32B' is not a folder and models folder not found: /nonexistent (from INFERCAST_MODELS)"
	run --separate-stderr hfparse --resolve
	assert_failure 2
	assert_equal "$stderr" "hfparse: option '--resolve' needs a value
try 'hfparse --help'"
}

@test "errors: files that are missing or not JSON" {
	fails /nonexistent/model "/nonexistent/model: No such file or directory"
	fails "$HF/no_config" "$HF/no_config/config.json: No such file or directory"
	fails "$HF/not_json" "$HF/not_json/config.json: not valid JSON (line 2)"
	fails "$HF/bad_hf_quant" "$HF/bad_hf_quant/hf_quant_config.json: not valid JSON (line 2)"
	fails "$HF/not_object" "$HF/not_object/config.json: config is not a JSON object"
	run --separate-stderr hfparse - <<<'{"architectures": '
	[ "$status" -eq 1 ]
	[ "$stderr" = "hfparse: <stdin>: not valid JSON (line 2)" ]
}

@test "errors: missing or mistyped fields name the field" {
	fails "$HF/no_architectures" "$HF/no_architectures/config.json: missing required field 'architectures'"
	fails "$HF/empty_architectures" "$HF/empty_architectures/config.json: field 'architectures' must be a non-empty array of strings"
	fails "$HF/missing_hidden" "$HF/missing_hidden/config.json: missing required field 'hidden_size'"
	fails "$HF/missing_layers" "$HF/missing_layers/config.json: missing required field 'num_hidden_layers' (and no layer pattern to count)"
	fails "$HF/wrong_type" "$HF/wrong_type/config.json: field 'hidden_size' must be an integer"
	fails "$HF/text_config_not_object" "$HF/text_config_not_object/config.json: field 'text_config' must be an object"
	fails "$HF/text_config_missing_field" "$HF/text_config_missing_field/config.json: missing required field 'text_config.num_attention_heads'"
	fails "$HF/dsa_missing" "$HF/dsa_missing/config.json: missing required field 'q_lora_rank'"
}

@test "errors: unknown architecture lists the known ones" {
	run --separate-stderr hfparse "$HF/unknown_arch"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == "hfparse: $HF/unknown_arch/config.json: unsupported architecture 'FooForCausalLM' (supported: LlamaForCausalLM, Qwen2ForCausalLM, "* ]]
	[[ "$stderr" == *", Gemma4ForConditionalGeneration)" ]]
}

@test "errors: family-specific layouts the reference refuses" {
	fails "$HF/nemotronh_no_pattern" "$HF/nemotronh_no_pattern/config.json: NemotronH config must define 'hybrid_override_pattern' or 'layers_block_type'"
	fails "$HF/nemotronh_bad_block" "$HF/nemotronh_bad_block/config.json: field 'layers_block_type': unsupported NemotronH layer block type \"conv\" (supported: *, -, E, M, attention, dense, ffn, mamba, mlp, moe)"
	fails "$HF/mimo_mismatch" "$HF/mimo_mismatch/config.json: hybrid pattern length mismatch: expected 3 entries, got hybrid_layer_pattern=2 moe_layer_freq=3"
	fails "$HF/gemma4_bad_layer_types" "$HF/gemma4_bad_layer_types/config.json: field 'text_config.layer_types' must contain only 'sliding_attention' or 'full_attention'"
}

@test "errors: quantization the reference cannot model" {
	fails "$HF/bad_quant_algo" "$HF/bad_quant_algo/config.json: unsupported quant algorithm 'awq' (supported: fp8, fp8_block, nvfp4, mxfp4, compressed-tensors); to price it anyway, read it unquantized with --ignore-quant (hfparse, estimate) and give the modes to price with --gemm-quant and --moe-quant (opgraph, estimate), e.g. int4_wo for 4-bit weights"
	fails "$HF/bad_kv_algo" "$HF/bad_kv_algo/config.json: unsupported kv cache algorithm 'int4'"
	fails "$HF/compressed_int8_moe" "$HF/compressed_int8_moe/config.json: compressed-tensors checkpoint: routed experts in int8_wo have no MoE quant mode"
}

@test "errors: a bad model after a good one stops with exit 1 after the complete first record" {
	run --separate-stderr hfparse "$HF/dense" "$HF/wrong_type"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	expect "${lines[0]}" layers 2
	[ "$stderr" = "hfparse: $HF/wrong_type/config.json: field 'hidden_size' must be an integer" ]
}
