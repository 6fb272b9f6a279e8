#!/usr/bin/env bats
# The Qwen3-VL families (QWEN3VL dense, QWEN3VL_MOE): the ViT encoder's ops (phase "encoder"),
# the points the reference's run_static queries them at (zero image tokens by default, or the
# given images), their latency in TTFT, their weights in memory, and the construction checks.
# The HYBRID golden itself runs in parity_static.bats.
load test_helper
bats_require_minimum_version 1.5.0

VL_MOE="$MODELS/Qwen--Qwen3-VL-30B-A3B-Instruct"
VL_8B="$MODELS/Qwen--Qwen3-VL-8B-Instruct"
GOLDEN="$GOLDENS/static/qwen3vl_30b_a3b__h200_sxm__trtllm__isl1024_osl128__bs8_tp2_pp1_moe_tp1_moe_ep2_HYBRID.json"
MOE_OPTS="--system h200_sxm --backend trtllm --tp 2 --moe-tp 1 --moe-ep 2 --batch 8 --isl 1024 --osl 128"
DENSE_OPTS="--system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 1024 --osl 128"

@test "qwen3vl: the encoder's ops come first, phase encoder, in the reference's order" {
	names=$(hfparse "$VL_MOE" | opgraph $MOE_OPTS | grep '"phase":"encoder"' | jget name)
	assert_equal "$(echo "$names" | tr '\n' ' ')" "encoder_add_norm_1 encoder_qkv_gemm encoder_attention encoder_proj_gemm encoder_ar_1 encoder_add_norm_2 encoder_ffn1_gemm encoder_act encoder_ffn2_gemm encoder_ar_2 encoder_projector_fc0_gemm encoder_projector_fc0_act encoder_projector_fc1_gemm encoder_projector_ar "
	first=$(hfparse "$VL_MOE" | opgraph $MOE_OPTS | sed -n 2p | jget name)
	assert_equal "$first" encoder_add_norm_1
	# the dense family gets the same encoder after LLAMA's text ops
	n=$(hfparse "$VL_8B" | opgraph $DENSE_OPTS | grep -c '"phase":"encoder"')
	assert_equal "$n" 14
}

@test "qwen3vl: ViT shapes split over tp, bfloat16 whatever the text quantization, 27 blocks and 4 projectors" {
	ops=$(hfparse "$VL_MOE" | opgraph $MOE_OPTS --gemm-quant fp8 | grep '"phase":"encoder"')
	qkv=$(echo "$ops" | grep '"name":"encoder_qkv_gemm"')
	# 3 x 16 heads x 72 / tp 2 by 1152, bfloat16
	assert_equal "$(echo "$qkv" | jget attrs.n) $(echo "$qkv" | jget attrs.k) $(echo "$qkv" | jget attrs.quant_mode)" "1728 1152 bfloat16"
	assert_equal "$(echo "$qkv" | jget scale_factor)" 27
	att=$(echo "$ops" | grep '"name":"encoder_attention"')
	assert_equal "$(echo "$att" | jget op_type) $(echo "$att" | jget attrs.n) $(echo "$att" | jget attrs.n_kv) $(echo "$att" | jget attrs.head_size)" "ContextAttention 8 8 72"
	assert_equal "$(echo "$ops" | grep '"name":"encoder_proj_gemm"' | jget attrs.low_precision_input)" true
	# projector: first layer splits its output, the last its input; then an all-reduce of 2048
	fc0=$(echo "$ops" | grep '"name":"encoder_projector_fc0_gemm"')
	fc1=$(echo "$ops" | grep '"name":"encoder_projector_fc1_gemm"')
	assert_equal "$(echo "$fc0" | jget attrs.n) $(echo "$fc0" | jget attrs.k) $(echo "$fc0" | jget scale_factor)" "2304 4608 4"
	assert_equal "$(echo "$fc1" | jget attrs.n) $(echo "$fc1" | jget attrs.k)" "2048 2304"
	assert_equal "$(echo "$ops" | grep '"name":"encoder_projector_ar"' | jget attrs.h)" 2048
	assert_equal "$(echo "$ops" | grep '"name":"encoder_act"' | jget attrs.dim_in)" 2152
}

@test "qwen3vl: without images every encoder op is queried once at zero tokens, whatever the mode" {
	for mode in static static_ctx static_gen; do
		pts=$(hfparse "$VL_MOE" | opgraph $MOE_OPTS --mode "$mode" | grep '"phase":"encoder"' | jget points | sort -u)
		assert_equal "$pts" '[{"x":0,"batch":8,"beam":1,"s":0,"prefix":0,"count":1}]'
	done
	# no image at all: no point, nothing to price
	pts=$(hfparse "$VL_MOE" | opgraph $MOE_OPTS --num-images 0 | grep '"phase":"encoder"' | jget points | sort -u)
	assert_equal "$pts" '[]'
}

@test "qwen3vl: images give the encoder patches and add merged tokens to the prompt" {
	out=$(hfparse "$VL_8B" | opgraph $DENSE_OPTS --image-height 448 --image-width 448 --num-images 2)
	# 448/16 = 28 patches a side: 784 per image, 1568 a request; merged 2x2: 196 per image, 392 a request
	assert_equal "$(echo "$out" | grep '"name":"encoder_qkv_gemm"' | jget points)" '[{"x":12544,"batch":8,"beam":1,"s":1568,"prefix":0,"count":1}]'
	assert_equal "$(echo "$out" | grep '"name":"encoder_attention"' | jget points)" '[{"x":12544,"batch":16,"beam":1,"s":784,"prefix":0,"count":1}]'
	assert_equal "$(echo "$out" | grep '"name":"encoder_projector_fc1_gemm"' | jget points)" '[{"x":3136,"batch":8,"beam":1,"s":392,"prefix":0,"count":1}]'
	assert_equal "$(echo "$out" | grep '"name":"context_qkv_gemm"' | jget points)" '[{"x":11328,"batch":8,"beam":1,"s":1416,"prefix":0,"count":1}]'
	assert_equal "$(echo "$out" | grep '"name":"generation_attention"' | jget points.0.s)" 1417
	# the same through a record's runtime keys
	rt=$(hfparse "$VL_8B" | sed 's/^{/{"runtime":{"image_height":448,"image_width":448,"num_images":2},/' | opgraph $DENSE_OPTS | grep '"name":"context_qkv_gemm"' | jget points.0.s)
	assert_equal "$rt" 1416
}

@test "qwen3vl: the HYBRID golden's encoder latency goes into TTFT and request latency" {
	rep=$(hfparse "$VL_MOE" | opgraph $MOE_OPTS | query --database-mode hybrid | aggregate --ops --format jsonl)
	approx "$(echo "$rep" | jget encoder_latency_ms)" 0.9123693056596374
	approx "$(echo "$rep" | jget ttft_ms)" 76.3038930672965
	approx "$(echo "$rep" | jget request_latency_ms)" 851.1664379755598
	approx "$(echo "$rep" | jget context_latency_ms)" 75.39152376163686
	# the encoder's ops are listed in the breakdown under their phase
	assert_equal "$(echo "$rep" | jget ops.2.name) $(echo "$rep" | jget ops.2.phase)" "encoder_attention encoder"
	# static_gen: TTFT is the encoder alone
	gen=$(hfparse "$VL_MOE" | opgraph $MOE_OPTS --mode static_gen | query --database-mode hybrid | aggregate --format jsonl)
	approx "$(echo "$gen" | jget ttft_ms)" 0.9123693056596374
}

@test "qwen3vl: SILICON prices zero-token encoder points as HYBRID does (the reference crashes there)" {
	sil=$(hfparse "$VL_8B" | opgraph $DENSE_OPTS | query | aggregate --format jsonl)
	hyb=$(hfparse "$VL_8B" | opgraph $DENSE_OPTS | query --database-mode hybrid | aggregate --format jsonl)
	assert_equal "$(echo "$sil" | jget encoder_latency_ms)" "$(echo "$hyb" | jget encoder_latency_ms)"
	assert_equal "$(echo "$sil" | jget ttft_ms)" "$(echo "$hyb" | jget ttft_ms)"
	approx "$(echo "$sil" | jget encoder_latency_ms)" 0.92219970565963738
	# with real images SILICON looks up the tables, which have no head size 72: refused
	run --separate-stderr bash -c "hfparse '$VL_8B' | opgraph $DENSE_OPTS --image-height 448 --image-width 448 | query >/dev/null"
	assert_failure 1
	assert_regex "$stderr" "op encoder_attention: .*head size 72.*try --database-mode hybrid"
}

@test "qwen3vl: Qwen3-VL-MoE in SILICON keeps the reference's refusal of zero-token encoder lookups" {
	# only the dense models' encoder ops carry the flag that prices them as HYBRID
	run --separate-stderr bash -c "hfparse '$VL_MOE' | opgraph $MOE_OPTS | grep -c zero_image_fallback"
	assert_output "0"
	run --separate-stderr bash -c "hfparse '$VL_8B' | opgraph $DENSE_OPTS | grep -c zero_image_fallback"
	assert_output "14"
	run --separate-stderr bash -c "set -o pipefail; hfparse '$VL_MOE' | opgraph $MOE_OPTS | query >/dev/null"
	assert_failure 1
	assert_equal "$stderr" "query: <stdin>:3: op encoder_qkv_gemm: GEMM m=0 n=1728 k=1152 quant bfloat16: GEMM m=0 n=1728 k=1152 bfloat16: no table answer (0 is below the smallest key 1) (try --database-mode hybrid)"
}

@test "qwen3vl: the encoder's weights join memory, whole on every pipeline stage" {
	w1=$(hfparse "$VL_MOE" | opgraph $MOE_OPTS | head -1 | jget memory_gib.weights)
	approx "$w1" 28.65407943725586
	w2=$(hfparse "$VL_MOE" | opgraph $MOE_OPTS --pp 2 | head -1 | jget memory_gib.weights)
	# encoder = 2 * w2 - w1 = 533753856 bytes
	approx "$(awk -v a="$w1" -v b="$w2" 'BEGIN { printf "%.12g", 2 * b - a }')" "$(awk 'BEGIN { printf "%.12g", 533753856 / 1073741824 }')" 1e-9
}

@test "qwen3vl: construction checks and option errors" {
	run --separate-stderr bash -c "hfparse '$VL_8B' | opgraph --system h200_sxm --backend trtllm --tp 32 --batch 8 --isl 100 --osl 10"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: ViT num_heads (16) must be divisible by tp_size (32)"
	assert_output ""
	# the load model does not price images: refused in the serving modes, named
	run --separate-stderr bash -c "hfparse '$VL_8B' | opgraph $DENSE_OPTS --mode agg --image-height 448 --fidelity load"
	assert_failure 2
	assert_equal "$(echo "$stderr" | head -1)" "opgraph: images: the load model does not price the vision encoder yet (disagg prices the images in each worker's static run, agg leaves them out as the reference's run_agg does); use --fidelity reference"
	run --separate-stderr bash -c "hfparse '$VL_8B' | sed 's/^{/{\"runtime\":{\"mode\":\"agg\",\"image_height\":448},/' | opgraph $DENSE_OPTS --fidelity load"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: runtime: images: the load model does not price the vision encoder yet (disagg prices the images in each worker's static run, agg leaves them out as the reference's run_agg does); use --fidelity reference"
	run --separate-stderr bash -c "hfparse '$VL_8B' | opgraph $DENSE_OPTS --num-images 2000"
	assert_failure 2
	run --separate-stderr bash -c "hfparse '$VL_8B' | sed 's/^{/{\"runtime\":{\"image_width\":-3},/' | opgraph $DENSE_OPTS"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: runtime: image_height and image_width must be in [0, 1048576], num_images in [0, 1024]"
}

@test "qwen3vl: a checkpoint without a vision config has no encoder" {
	out=$(hfparse "$VL_8B" | sed 's/"extra_params":{[^}]*}/"extra_params":null/' | opgraph $DENSE_OPTS | query | aggregate --format jsonl)
	assert_equal "$(echo "$out" | jget encoder_latency_ms)" 0
	run --separate-stderr bash -c "echo '{\"record\":\"config\",\"config_id\":\"c\",\"batch\":1,\"osl\":2,\"tp\":1,\"pp\":1,\"dp\":1,\"mode\":\"static\",\"memory_gib\":{}}
{\"record\":\"op\",\"config_id\":\"c\",\"name\":\"x\",\"phase\":\"vision\",\"latency_ms\":1}' | aggregate"
	assert_failure 1
	assert_equal "$stderr" "aggregate: <stdin>:2: op 'x': phase 'vision' is not context, generation or encoder"
}

@test "qwen3vl: disagg's sides include the zero-token encoder pass, agg's steps do not" {
	d=$(pipelines/estimate --model "$VL_MOE" --system h200_sxm --backend trtllm --isl 1024 --osl 128 --mode disagg \
		--prefill-tp 2 --prefill-moe-tp 1 --prefill-moe-ep 2 --prefill-batch 1 --decode-tp 2 --decode-moe-tp 1 \
		--decode-moe-ep 2 --decode-batch 8 --database-mode hybrid --format jsonl)
	# the decode side runs static_gen: its TTFT is the encoder alone, times decode's 1.08
	approx "$(echo "$d" | jget decode.ttft_ms)" "$(awk 'BEGIN { printf "%.17g", 0.9123693056596374 * 1.08 }')"
	a=$(pipelines/estimate --model "$VL_MOE" --system h200_sxm --backend trtllm --isl 1024 --osl 128 --mode agg \
		--tp 2 --moe-tp 1 --moe-ep 2 --batch 8 --database-mode hybrid --format jsonl --ops)
	run jget ops <<<"$a"
	refute_output --partial '"phase":"encoder"'
	# ... but the mix step carries the encoder ops, priced as the reference's static passes look
	# them up: in SILICON Qwen3-VL-MoE is refused there (as the reference), dense Qwen3-VL is not
	run --separate-stderr bash -c "hfparse '$VL_MOE' | opgraph --system h200_sxm --backend trtllm --isl 1024 --osl 128 --mode agg --tp 2 --moe-tp 1 --moe-ep 2 --batch 8 | grep '\"phase\":\"encoder\"' | grep -c '\"step\":\"mix\"'"
	assert_output 14
	run --separate-stderr pipelines/estimate --model "$VL_MOE" --system h200_sxm --backend trtllm --isl 1024 --osl 128 \
		--mode agg --tp 2 --moe-tp 1 --moe-ep 2 --batch 8 --format jsonl
	assert_failure 1
	assert_output ""
	[[ "${stderr%%$'\n'*}" == "estimate: op encoder_"* ]] # the first message names the refused encoder op
	assert_regex "$stderr" "op encoder_qkv_gemm: GEMM m=0 .*no table answer \(0 is below the smallest key 1\)"
	run --separate-stderr pipelines/estimate --model "$VL_8B" --system h200_sxm --backend trtllm --isl 1024 --osl 128 \
		--mode agg --tp 2 --batch 8 --format jsonl
	assert_success
}

# ---- images in the serving modes ----

IMG="--image-height 448 --image-width 448 --num-images 2"

@test "qwen3vl images: default on 8xH200 prices them as the reference's cli default (its four files)" {
	run --separate-stderr pipelines/default --model Qwen/Qwen3-VL-8B-Instruct --system h200_sxm --backend trtllm \
		--total-gpus 8 --isl 1024 --osl 256 --ttft 2000 --tpot 30 --database-mode hybrid \
		--free-gpu-memory-fraction 0.9 $IMG --save-dir "$BATS_TEST_TMPDIR/v" --format jsonl
	assert_success
	assert_line --index 0 '{"record":"chosen","mode":"agg","tokens_per_s_per_gpu":6795.369,"agg_tokens_per_s_per_gpu":6795.369,"disagg_tokens_per_s_per_gpu":3643.056,"version":"1.3.0rc10","database_mode":"hybrid"}'
	assert_equal "$stderr" "default: warning: agg: images are not priced: the reference's run_agg leaves the vision encoder and the image tokens out (disagg prices them)"
	# the reference's build_default_task_configs(image_height=448, image_width=448, num_images=2), model column aside
	for f in agg/best_config_topn.csv agg/pareto.csv disagg/best_config_topn.csv disagg/pareto.csv; do
		diff "$FIXTURES/images/vl8_default/$f" "$BATS_TEST_TMPDIR/v/$f"
	done
	# without images the disagg rows still count the zero-token encoder pass of each side, as the
	# reference's static runs do (its disagg picks)
	run --separate-stderr pipelines/default --model Qwen/Qwen3-VL-8B-Instruct --system h200_sxm --backend trtllm \
		--total-gpus 8 --isl 1024 --osl 256 --ttft 2000 --tpot 30 --database-mode hybrid \
		--free-gpu-memory-fraction 0.9 --save-dir "$BATS_TEST_TMPDIR/n" --format jsonl
	assert_success
	diff "$FIXTURES/images/vl8_default_noimg/disagg/best_config_topn.csv" "$BATS_TEST_TMPDIR/n/disagg/best_config_topn.csv"
}

@test "qwen3vl images: estimate disagg gives the reference's disagg row; each side's static run has the images" {
	run --separate-stderr pipelines/estimate --model Qwen/Qwen3-VL-8B-Instruct --system h200_sxm --backend trtllm \
		--isl 1024 --osl 256 --mode disagg --p-bs 1 --p-workers 5 --d-tp 1 --d-bs 208 --d-workers 3 \
		--fidelity reference --database-mode hybrid $IMG --format jsonl
	assert_success
	# the first row of the reference's disagg pareto.csv above (tests/fixtures/images/vl8_default)
	approx "$(echo "$output" | jget ttft_ms)" 71.149 1e-12
	approx "$(echo "$output" | jget tpot_ms)" 17.517 1e-12
	approx "$(echo "$output" | jget seq_per_s)" 113.846 1e-12
	approx "$(echo "$output" | jget tokens_per_s_per_gpu)" 3643.056 1e-12
	# prefill: the encoder (2 x 784 patches) then the prompt with 2 x 196 image tokens
	run bash -c "hfparse '$VL_8B' | opgraph --system h200_sxm --backend trtllm --isl 1024 --osl 256 --mode disagg --prefill-batch 1 --decode-batch 8 $IMG --fidelity reference"
	assert_success
	assert_equal "$(echo "$output" | grep '"step":"prefill"' | grep '"name":"encoder_qkv_gemm"' | jget points.0.x)" 1568
	assert_equal "$(echo "$output" | grep '"step":"prefill"' | grep '"name":"context_qkv_gemm"' | jget points.0.s)" 1416
	assert_equal "$(echo "$output" | grep '"step":"decode"' | grep '"name":"encoder_qkv_gemm"' | jget points.0.x)" 12544
}

@test "qwen3vl images: agg leaves them out as the reference's run_agg does, and says so" {
	base="pipelines/estimate --model Qwen/Qwen3-VL-8B-Instruct --system h200_sxm --backend trtllm --isl 1024 --osl 256 --mode agg --tp 1 --batch 16 --fidelity reference --database-mode hybrid --format jsonl"
	run --separate-stderr $base
	assert_success
	without=$output
	run --separate-stderr $base $IMG
	assert_success
	assert_equal "$output" "$without"
	assert_equal "$stderr" "estimate: warning: agg: images are not priced: the reference's run_agg leaves the vision encoder and the image tokens out (disagg prices them)"
	# the load model (estimate's default) refuses them
	run --separate-stderr pipelines/estimate --model Qwen/Qwen3-VL-8B-Instruct --system h200_sxm --backend trtllm \
		--isl 1024 --osl 256 --mode agg --tp 1 --batch 16 --database-mode hybrid $IMG --fidelity load
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "estimate: images: the load model does not price the vision encoder yet (disagg prices the images in each worker's static run, agg leaves them out as the reference's run_agg does); use --fidelity reference"
}
