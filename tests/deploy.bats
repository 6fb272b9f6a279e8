#!/usr/bin/env bats
# deploy and deploygen: the deployment files of the picks of `default` (docs/deploy.md). Every YAML
# file is read back with a real parser (PyYAML), every worker flag is checked against the flags
# the backends document (tests/fixtures/deploy/flags-*.txt), and the files of two reference
# cases carry the reference's deployment information (tests/fixtures/deploy/reference/).
load test_helper
bats_require_minimum_version 1.5.0

FACTS="$ROOT/tests/deploy_facts.py"
DFIX="$FIXTURES/deploy"
QWEN="$GOLDENS/default/qwen3_32b__h200_sxm__trtllm__gpus8__isl4000_osl1000__ttft2000_tpot30"
LLAMA="$GOLDENS/default/llama31_8b__h100_sxm__vllm__gpus8__isl1024_osl1024__ttft500_tpot15"
MOE="$GOLDENS/default/qwen3_30b_a3b__h200_sxm__sglang__gpus8__isl2000_osl500__ttft1000_tpot20"

# py ARGS: Python with PyYAML (Debian's python3-yaml; a python3 on PATH may be another one).
py() {
	local p
	for p in /usr/bin/python3 python3; do
		if command -v "$p" >/dev/null && "$p" -c 'import yaml' 2>/dev/null; then
			"$p" "$@"
			return
		fi
	done
	skip "no python3 with PyYAML (apt-get install python3-yaml)"
}

# The run parameters of each golden case, for deploygen.
qwen_args() { echo --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm --total-gpus 8 --isl 4000 --osl 1000 --ttft 2000 --tpot 30; }
llama_args() { echo --model "$MODELS/meta-llama--Meta-Llama-3.1-8B" --system h100_sxm --backend vllm --total-gpus 8 --isl 1024 --osl 1024 --ttft 500 --tpot 15; }
moe_args() { echo --model "$MODELS/Qwen--Qwen3-30B-A3B" --system h200_sxm --backend sglang --total-gpus 8 --isl 2000 --osl 500 --ttft 1000 --tpot 20; }

# The three golden cases' picks, both modes, every pick, written once for the file.
setup_file() {
	load test_helper
	local c m
	for c in qwen:"$QWEN" llama:"$LLAMA" moe:"$MOE"; do
		for m in agg disagg; do
			# shellcheck disable=SC2046
			deploygen --out "$BATS_FILE_TMPDIR/${c%%:*}/$m" $("${c%%:*}_args") "${c#*:}/$m/best_config_topn.csv" \
				>"$BATS_FILE_TMPDIR/${c%%:*}-$m.jsonl"
		done
	done
}

out() { echo "$BATS_FILE_TMPDIR/$1"; }

@test "deploygen: one deployment record per pick, with the folder's files" {
	run jget rank <"$(out qwen-agg.jsonl)"
	assert_output "$(printf '1\n2\n3\n4')"
	run jget files <"$(out qwen-disagg.jsonl)"
	assert_line --index 0 '["generator_config.yaml","prefill_config.yaml","decode_config.yaml","k8s_deploy.yaml","k8s_bench.yaml","run_0.sh","bench_run.sh","sflow.yaml"]'
	run jget workers.prefill.count <"$(out qwen-disagg.jsonl)"
	assert_line --index 0 4
	[ -f "$(out qwen/agg)/exp_config.yaml" ]
	[ -f "$(out llama/disagg)/top1/prefill_args.txt" ]
}

@test "deploy: every YAML file written reads back with a YAML parser" {
	run find "$BATS_FILE_TMPDIR" -name '*.yaml'
	[ "${#lines[@]}" -gt 60 ]
	# shellcheck disable=SC2046
	run py "$FACTS" parse $(find "$BATS_FILE_TMPDIR" -name '*.yaml')
	assert_success
}

@test "deploy: every worker flag is one the backend documents (k8s, local scripts, SLURM)" {
	for c in qwen:trtllm llama:vllm moe:sglang; do
		for d in "$(out "${c%%:*}")"/*/top*; do
			run py "$FACTS" flags "$d" "${c#*:}" "$DFIX/flags-${c#*:}.txt"
			[ "$status" -eq 0 ] || { echo "$d: $output" >&2; return 1; }
		done
	done
	# shellcheck disable=SC2046
	run py "$FACTS" keys "$DFIX/keys-trtllm.txt" $(find "$(out qwen)" -name 'agg_config.yaml' -o -name 'prefill_config.yaml' -o -name 'decode_config.yaml')
	assert_success
	assert_output ""
}

@test "deploy: the flag check fails on a flag the backend does not take" {
	d="$BATS_TEST_TMPDIR/bad"
	cp -r "$(out llama/disagg)/top1" "$d"
	sed -i 's/--disaggregation-mode/--is-prefill-worker/' "$d/run_0.sh"
	run py "$FACTS" flags "$d" vllm "$DFIX/flags-vllm.txt"
	assert_failure
	assert_output --partial "run_0.sh: --is-prefill-worker is not a documented vllm flag"
}

# has_line LINE: $output has LINE (options such as --served-model-name included).
has_line() { printf '%s\n' "$output" | grep -qx -- "$1" || { echo "no line '$1'" >&2; return 1; }; }
lacks_line() { ! printf '%s\n' "$output" | grep -qx -- "$1" || { echo "unexpected line '$1'" >&2; return 1; }; }

# flags_of DIR SERVICE: the worker's arguments in k8s_deploy.yaml, one per line.
flags_of() {
	py - "$1" "$2" <<'EOF'
import sys, yaml
sys.path.insert(0, sys.argv[0] and __import__("os").path.dirname(sys.argv[0]))
docs = [d for d in yaml.safe_load_all(open(sys.argv[1] + "/k8s_deploy.yaml")) if d]
svc = [d for d in docs if d["kind"] == "DynamoGraphDeployment"][0]["spec"]["services"][sys.argv[2]]
c = svc["extraPodSpec"]["mainContainer"]
print("\n".join(c["command"] + c["args"]))
EOF
}

@test "deploy: vLLM disagg workers use --disaggregation-mode and the NIXL connector on both sides" {
	d="$(out llama/disagg)/top1"
	run flags_of "$d" VllmPrefillWorker
	assert_success
	assert_line --index 2 dynamo.vllm
	run bash -c "printf '%s\n' \"\$1\" | grep -A1 -x -- --disaggregation-mode" _ "$output"
	assert_output "$(printf -- '--disaggregation-mode\nprefill')"
	run flags_of "$d" VllmPrefillWorker
	assert_line '{"kv_connector":"NixlConnector","kv_role":"kv_both"}'
	has_line --served-model-name
	lacks_line --is-prefill-worker
	run flags_of "$d" VllmDecodeWorker
	assert_line decode
	assert_line '{"kv_connector":"NixlConnector","kv_role":"kv_both"}'
	lacks_line --is-decode-worker
	# the local script: each worker of a node its own NIXL side-channel port
	run grep -c 'VLLM_NIXL_SIDE_CHANNEL_PORT=$((20097 + w))' "$d/run_0.sh"
	assert_output 1
	run grep -c 'VLLM_NIXL_SIDE_CHANNEL_PORT=$((20099 + w))' "$d/run_0.sh"
	assert_output 1
}

@test "deploy: SGLang disagg workers name their mode, NIXL transfer and the prefill bootstrap port" {
	d="$(out moe/disagg)/top1"
	run flags_of "$d" SGLangPrefillWorker
	assert_line dynamo.sglang
	assert_line prefill
	has_line --disaggregation-bootstrap-port
	run bash -c "printf '%s\n' \"\$1\" | grep -A1 -x -- --disaggregation-transfer-backend" _ "$output"
	assert_output "$(printf -- '--disaggregation-transfer-backend\nnixl')"
	run flags_of "$d" SGLangDecodeWorker
	assert_line decode
	has_line --enable-dp-attention
	lacks_line --disaggregation-bootstrap-port
	# attention DP: the worker's 4 GPUs (tp 1 x dp 4) are SGLang's --tensor-parallel-size
	run py "$FACTS" types "$d/k8s_deploy.yaml" spec.services.SGLangDecodeWorker.resources.limits.gpu
	assert_output 'spec.services.SGLangDecodeWorker.resources.limits.gpu str 4'
	grep -q -- '--disaggregation-bootstrap-port $((12345 + w))' "$d/run_0.sh"
}

@test "deploy: TRT-LLM disagg engines carry the cache transceiver and the workers their mode" {
	d="$(out qwen/disagg)/top1"
	run py "$FACTS" types "$d/prefill_config.yaml" cache_transceiver_config.max_tokens_in_buffer \
		disable_overlap_scheduler max_batch_size max_num_tokens
	assert_output "$(printf '%s\n' 'cache_transceiver_config.max_tokens_in_buffer int 5504' \
		'disable_overlap_scheduler bool True' 'max_batch_size int 1' 'max_num_tokens int 4512')"
	grep -q -- '--extra-engine-args "$HERE/decode_config.yaml" --disaggregation-mode decode' "$d/run_0.sh"
	run flags_of "$d" TRTLLMDecodeWorker
	assert_line --partial 'exec python3 -m dynamo.trtllm --model-path Qwen/Qwen3-32B --served-model-name Qwen/Qwen3-32B --extra-engine-args /workspace/engine_configs/decode_config.yaml --disaggregation-mode decode'
}

@test "deploy: two reference cases per backend (top1 of agg and disagg) carry the reference's workers, layouts, batches and engine options" {
	for c in qwen:trtllm llama:vllm moe:sglang; do
		for m in agg disagg; do
			run py "$FACTS" compare "$(out "${c%%:*}")/$m/top1" "${c#*:}" "$DFIX/reference/${c#*:}-$m-top1.json"
			[ "$status" -eq 0 ] || { echo "${c#*:} $m: $output" >&2; return 1; }
		done
	done
}

@test "deploy: the comparison with the reference fails on a changed batch size" {
	d="$BATS_TEST_TMPDIR/bad"
	cp -r "$(out qwen/agg)/top1" "$d"
	sed -i 's/^max_batch_size: 112/max_batch_size: 111/' "$d/agg_config.yaml"
	run py "$FACTS" compare "$d" trtllm "$DFIX/reference/trtllm-agg-top1.json"
	assert_failure
	assert_output "trtllm.engine.agg.max_batch_size: ours 111, the reference's 112"
}

@test "deploy: manifests name the model, served name, layout, batch, GPUs and the prediction" {
	f="$(out qwen/agg)/top1/k8s_deploy.yaml"
	run py "$FACTS" types "$f" metadata.annotations.infercast/model metadata.annotations.infercast/served-model-name \
		metadata.annotations.infercast/agg-parallel metadata.annotations.infercast/agg-batch-size \
		metadata.annotations.infercast/gpus metadata.annotations.infercast/predicted-ttft-ms \
		metadata.annotations.infercast/predicted-tpot-ms metadata.annotations.infercast/predicted-tokens-per-s-per-gpu
	assert_output "$(printf '%s\n' 'metadata.annotations.infercast/model str Qwen/Qwen3-32B' \
		'metadata.annotations.infercast/served-model-name str Qwen/Qwen3-32B' \
		'metadata.annotations.infercast/agg-parallel str tp4pp1dp1etp1ep1' \
		'metadata.annotations.infercast/agg-batch-size str 112' 'metadata.annotations.infercast/gpus str 8' \
		'metadata.annotations.infercast/predicted-ttft-ms str 1058.621' \
		'metadata.annotations.infercast/predicted-tpot-ms str 28.919' \
		'metadata.annotations.infercast/predicted-tokens-per-s-per-gpu str 944.148')"
	run head -4 "$f"
	assert_line --index 1 '# Targets NVIDIA Dynamo 1.2.0 with TensorRT-LLM 1.3.0rc14 (pinned; see docs/deploy.md).'
	assert_line --index 2 '# Workers: 2 x agg tp4pp1dp1etp1ep1 (4 GPUs each, batch 112); 8 of 8 GPUs.'
	assert_line --index 3 '# Predicted (infercast, perf data 1.3.0rc10): TTFT 1058.621 ms, TPOT 28.919 ms, 944.148 tokens/s/gpu, 34.579 tokens/s/user.'
	grep -q '^# Targets NVIDIA Dynamo 1.2.0 with vLLM 0.20.1' "$(out llama/agg)/top1/run_0.sh"
	grep -q '^# Targets NVIDIA Dynamo 1.2.0 with SGLang 0.5.11' "$(out moe/disagg)/top1/sflow.yaml"
}

@test "deploy: boolean- and number-looking strings stay strings (namespace on, served name yes, image tag 1.10)" {
	d="$BATS_TEST_TMPDIR/q"
	# shellcheck disable=SC2046
	run deploygen --out "$d" $(llama_args) --top-n 1 --generator-set K8sConfig.k8s_namespace=on \
		--generator-set ServiceConfig.served_model_name=yes --generator-set K8sConfig.k8s_image=1.10 \
		--generator-set K8sConfig.name=0x1F --generator-set SlurmConfig.slurm_account=NO "$LLAMA/agg/best_config_topn.csv"
	assert_success
	run py "$FACTS" types "$d/top1/k8s_deploy.yaml" metadata.namespace metadata.name \
		spec.services.VllmWorker.extraPodSpec.mainContainer.image \
		spec.services.VllmWorker.extraPodSpec.mainContainer.args.3 spec.services.VllmWorker.replicas
	assert_output "$(printf '%s\n' 'metadata.namespace str on' 'metadata.name str 0x1F' \
		'spec.services.VllmWorker.extraPodSpec.mainContainer.image str 1.10' \
		'spec.services.VllmWorker.extraPodSpec.mainContainer.args.3 str yes' \
		'spec.services.VllmWorker.replicas int 4')"
	run py "$FACTS" types "$d/top1/sflow.yaml" variables.SLURM_ACCOUNT.value variables.ISL.value
	assert_output "$(printf '%s\n' 'variables.SLURM_ACCOUNT.value str NO' 'variables.ISL.value int 1024')"
	run py "$FACTS" types "$d/top1/generator_config.yaml" ServiceConfig.served_model_name ServiceConfig.include_frontend \
		ServiceConfig.head_node_ip Versions.dynamo
	assert_output "$(printf '%s\n' 'ServiceConfig.served_model_name str yes' 'ServiceConfig.include_frontend bool True' \
		'ServiceConfig.head_node_ip str 0.0.0.0' 'Versions.dynamo str 1.2.0')"
	# every k8s annotation and env value is a string, as Kubernetes requires
	run py - "$d/top1/k8s_deploy.yaml" <<'EOF'
import sys, yaml
for doc in yaml.safe_load_all(open(sys.argv[1])):
    for k, v in doc["metadata"].get("annotations", {}).items():
        assert isinstance(v, str), (k, v)
EOF
	assert_success
	# the served name reaches the local script as a string too
	grep -q '^export SERVED_MODEL_NAME="${SERVED_MODEL_NAME:-yes}"' "$d/top1/run_0.sh"
}

@test "deploy: --generator-set values are typed by their key" {
	d="$BATS_TEST_TMPDIR/t"
	# shellcheck disable=SC2046
	run deploygen --out "$d" $(qwen_args) --top-n 1 --generator-set WorkerConfig.agg_workers=1 \
		--generator-set Workers.agg.max_batch_size=64 --generator-set Workers.agg.kv_cache_free_gpu_memory_fraction=0.85 \
		--generator-set ServiceConfig.port=9000 --generator-set K8sConfig.k8s_engine_mode=configmap \
		--generator-set K8sConfig.k8s_pvc_name=model-cache "$QWEN/agg/best_config_topn.csv"
	assert_success
	run py "$FACTS" types "$d/top1/agg_config.yaml" max_batch_size kv_cache_config.free_gpu_memory_fraction
	assert_output "$(printf '%s\n' 'max_batch_size int 64' 'kv_cache_config.free_gpu_memory_fraction float 0.85')"
	run py "$FACTS" types "$d/top1/k8s_deploy.yaml" kind spec.services.TRTLLMWorker.replicas \
		spec.services.TRTLLMWorker.envs.0.value
	assert_output "$(printf '%s\n' 'kind str DynamoGraphDeployment' 'spec.services.TRTLLMWorker.replicas int 1' \
		'spec.services.TRTLLMWorker.envs.0.value str /workspace/model_cache')"
	# the configmap mode: a ConfigMap holding the engine options, read by the worker
	run py - "$d/top1/k8s_deploy.yaml" <<'EOF'
import sys, yaml
cm, dgd = yaml.safe_load_all(open(sys.argv[1]))
eng = yaml.safe_load(cm["data"]["agg_config.yaml"])
assert eng["max_batch_size"] == 64, eng
vols = dgd["spec"]["services"]["TRTLLMWorker"]["extraPodSpec"]["volumes"]
print(cm["kind"], [v["configMap"]["name"] for v in vols if v["name"] == "engine-configs"][0])
EOF
	assert_output "ConfigMap dynamo-agg-engine-configs"
	grep -q -- '--http-port 9000' "$d/top1/run_0.sh"
}

@test "deploygen: --deployment-target chooses the files" {
	# shellcheck disable=SC2046
	run deploygen --out "$BATS_TEST_TMPDIR/k" $(qwen_args) --top-n 1 --deployment-target k8s "$QWEN/agg/best_config_topn.csv"
	assert_success
	run jget files <<<"$output"
	assert_output '["generator_config.yaml","agg_config.yaml","k8s_deploy.yaml","k8s_bench.yaml"]'
	# shellcheck disable=SC2046
	run deploygen --out "$BATS_TEST_TMPDIR/l" $(llama_args) --top-n 1 --deployment-target local,slurm "$LLAMA/disagg/best_config_topn.csv"
	assert_success
	run jget files <<<"$output"
	assert_output '["generator_config.yaml","prefill_args.txt","decode_args.txt","run_0.sh","bench_run.sh","sflow.yaml"]'
}

@test "deploy: the local scripts are valid shell and place workers on nodes" {
	for f in "$BATS_FILE_TMPDIR"/*/*/top*/run_*.sh "$BATS_FILE_TMPDIR"/*/*/top*/bench_run.sh; do
		bash -n "$f" || { echo "$f" >&2; return 1; }
		[ -x "$f" ]
	done
	# 2 GPUs a node: the 4-GPU agg workers of top1 span two nodes each
	# shellcheck disable=SC2046
	run deploygen --out "$BATS_TEST_TMPDIR/n" $(qwen_args) --top-n 1 --generator-set NodeConfig.num_gpus_per_node=2 \
		"$QWEN/agg/best_config_topn.csv"
	assert_success
	run py "$FACTS" types "$BATS_TEST_TMPDIR/n/top1/k8s_deploy.yaml" spec.services.TRTLLMWorker.multinode.nodeCount \
		spec.services.TRTLLMWorker.resources.limits.gpu
	assert_output "$(printf '%s\n' 'spec.services.TRTLLMWorker.multinode.nodeCount int 2' \
		'spec.services.TRTLLMWorker.resources.limits.gpu str 2')"
	# disagg 4 x 1-GPU prefill + 1 x 4-GPU decode on 4-GPU nodes: run_0 (prefill), run_1 (decode)
	# shellcheck disable=SC2046
	run deploygen --out "$BATS_TEST_TMPDIR/m" $(qwen_args) --top-n 1 --generator-set NodeConfig.num_gpus_per_node=4 \
		"$QWEN/disagg/best_config_topn.csv"
	assert_success
	grep -q '^# 4 prefill workers of 1 GPU' "$BATS_TEST_TMPDIR/m/top1/run_0.sh"
	grep -q '^# 1 decode worker of 4 GPUs' "$BATS_TEST_TMPDIR/m/top1/run_1.sh"
	run grep -c 'dynamo.frontend' "$BATS_TEST_TMPDIR/m/top1/run_1.sh"
	assert_output 0
}

@test "deploy: MTP (--nextn 1) reaches every backend's speculative decoding settings" {
	# shellcheck disable=SC2046
	deploygen --out "$BATS_TEST_TMPDIR/t" $(qwen_args) --top-n 1 --nextn 1 "$QWEN/disagg/best_config_topn.csv" >/dev/null
	run py "$FACTS" types "$BATS_TEST_TMPDIR/t/top1/prefill_config.yaml" speculative_config.decoding_type \
		speculative_config.num_nextn_predict_layers
	assert_output "$(printf '%s\n' 'speculative_config.decoding_type str MTP' 'speculative_config.num_nextn_predict_layers int 1')"
	# shellcheck disable=SC2046
	deploygen --out "$BATS_TEST_TMPDIR/v" $(llama_args) --top-n 1 --nextn 1 "$LLAMA/agg/best_config_topn.csv" >/dev/null
	run grep -A1 -x -- --speculative-config "$BATS_TEST_TMPDIR/v/top1/agg_args.txt"
	assert_line --index 1 '{"method":"mtp","num_speculative_tokens":1}'
	# shellcheck disable=SC2046
	deploygen --out "$BATS_TEST_TMPDIR/s" $(moe_args) --top-n 1 --nextn 2 "$MOE/disagg/best_config_topn.csv" >/dev/null
	run tr '\n' ' ' <"$BATS_TEST_TMPDIR/s/top1/decode_args.txt"
	assert_output --partial '--speculative-algorithm NEXTN --speculative-num-steps 2 --speculative-eagle-topk 1 --speculative-num-draft-tokens 3'
}

@test "deploy: exp_config.yaml is the reference's experiment format with the default command's parameters" {
	run py - "$(out qwen/disagg)/exp_config.yaml" "$MODELS/Qwen--Qwen3-32B" <<'EOF'
import os, sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
(name, e), = doc.items()
model = os.path.realpath(sys.argv[2])
assert name == f"disagg_{model}_h200_sxm_h200_sxm_trtllm_1.3.0rc10_4000_1000_0_2000.0_30.0", name
want = dict(mode="patch", serving_mode="disagg", model_path=model, total_gpus=8, system_name="h200_sxm",
            decode_system_name="h200_sxm", backend_name="trtllm", backend_version="1.3.0rc10", isl=4000,
            osl=1000, prefix=0, ttft=2000.0, tpot=30.0, enable_wideep=False)
for k, v in want.items():
    assert e[k] == v and type(e[k]) is type(v), (k, e[k], v)
assert e["config"]["nextn"] == 0
assert e["config"]["replica_config"]["max_gpu_per_replica"] == 8
print("ok")
EOF
	assert_output ok
}

@test "deploy: exp_config.yaml re-runs the search with exp (when this tree has pipelines/exp)" {
	[ -x "$ROOT/pipelines/exp" ] || skip "pipelines/exp (issue 16) is not in this tree: the test above checks the file's parameters"
	d="$BATS_TEST_TMPDIR/exp"
	run "$ROOT/pipelines/exp" --yaml-path "$(out qwen/agg)/exp_config.yaml" --save-dir "$d"
	assert_success
	cmp "$(find "$d" -name best_config_topn.csv | head -1)" "$QWEN/agg/best_config_topn.csv"
}

@test "deploy: --save-dir of a default run gets every pick's folder and per-op sources; the CSV files stay as they were" {
	d="$BATS_TEST_TMPDIR/save"
	mkdir -p "$d"
	cp -r "$QWEN/agg" "$QWEN/disagg" "$d/"
	run "$ROOT/pipelines/deploy" --save-dir "$d" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--total-gpus 8 --isl 4000 --osl 1000 --ttft 2000 --tpot 30 --deployment-target k8s
	assert_success
	assert_equal "${#lines[@]}" 7
	for f in agg/best_config_topn.csv agg/pareto.csv disagg/best_config_topn.csv disagg/pareto.csv; do
		cmp "$d/$f" "$QWEN/$f"
	done
	# the reference's per-op data sources of its agg top1, op for op
	run py -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); print(a == b)' \
		"$d/agg/top1/per_ops_source.json" "$DFIX/reference/trtllm-agg-top1-per_ops_source.json"
	assert_output True
	[ -f "$d/disagg/top3/per_ops_source.json" ]
	[ -f "$d/disagg/exp_config.yaml" ]
}

@test "deploy --picks FILE --out DIR: one picks file, as generate calls it" {
	run "$ROOT/pipelines/deploy" --picks "$LLAMA/disagg/best_config_topn.csv" --out "$BATS_TEST_TMPDIR/p" \
		--model "$MODELS/meta-llama--Meta-Llama-3.1-8B" --system h100_sxm --backend vllm --total-gpus 8 \
		--isl 1024 --osl 1024 --ttft 500 --tpot 15 --no-sources --top-n 2
	assert_success
	assert_equal "${#lines[@]}" 2
	[ -f "$BATS_TEST_TMPDIR/p/top2/k8s_deploy.yaml" ]
	[ ! -e "$BATS_TEST_TMPDIR/p/top1/per_ops_source.json" ]
}

@test "deploygen --price-records: one model record per pick, its layout as opgraph's runtime" {
	# shellcheck disable=SC2046
	run deploygen $(qwen_args) --price-records --out "$BATS_TEST_TMPDIR/x" "$QWEN/disagg/best_config_topn.csv"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jget config_id | paste -sd' ')" "disagg/top1 disagg/top2 disagg/top3"
	assert_equal "$(printf '%s\n' "$output" | jget runtime | head -1)" \
		'{"mode":"disagg","prefill_batch":1,"decode_batch":280,"prefill_tp":1,"prefill_pp":1,"prefill_dp":1,"prefill_moe_tp":1,"prefill_moe_ep":1,"prefill_workers":4,"decode_tp":4,"decode_pp":1,"decode_dp":1,"decode_moe_tp":1,"decode_moe_ep":1,"decode_workers":1}'
	assert_equal "$(printf '%s\n' "$output" | jget model_path | sort -u)" "Qwen/Qwen3-32B"
	# the CSV's 8000.0-style counts are whole numbers; --top-n limits the picks; nothing is written
	# shellcheck disable=SC2046
	run deploygen $(qwen_args) --price-records --top-n 2 --out "$BATS_TEST_TMPDIR/x" "$QWEN/agg/best_config_topn.csv"
	assert_equal "$(printf '%s\n' "$output" | jget runtime)" "$(printf '%s\n' \
		'{"mode":"agg","batch":112,"ctx_tokens":8000,"tp":4,"pp":1,"dp":1,"moe_tp":1,"moe_ep":1}' \
		'{"mode":"agg","batch":56,"ctx_tokens":4000,"tp":2,"pp":1,"dp":1,"moe_tp":1,"moe_ep":1}')"
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
	# a pick whose layout is not whole numbers gets no record (so no per-op sources), not a wrong one
	sed '2s/,8110.0,8000,110.0,/,8110.0,8000.5,110.0,/' "$QWEN/agg/best_config_topn.csv" >"$BATS_TEST_TMPDIR/b.csv"
	# shellcheck disable=SC2046
	run deploygen $(qwen_args) --price-records --out "$BATS_TEST_TMPDIR/x" "$BATS_TEST_TMPDIR/b.csv"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jget config_id | head -1)" "agg/top2"
}

@test "deploygen --save-dir: both modes in one run, agg first; --sources matches reports to picks by config_id" {
	d="$BATS_TEST_TMPDIR/save"
	mkdir -p "$d"
	cp -r "$QWEN/agg" "$QWEN/disagg" "$d/"
	# shellcheck disable=SC2046
	deploygen $(qwen_args) --save-dir "$d" --price-records >"$BATS_TEST_TMPDIR/picks.jsonl"
	assert_equal "$(jget config_id <"$BATS_TEST_TMPDIR/picks.jsonl" | paste -sd' ')" \
		"agg/top1 agg/top2 agg/top3 agg/top4 disagg/top1 disagg/top2 disagg/top3"
	opgraph --point-runs --keep-going --system h200_sxm --backend trtllm --isl 4000 --osl 1000 --prefix 0 --batch 1 \
		<"$BATS_TEST_TMPDIR/picks.jsonl" | query --keep-going | aggregate --ops >"$BATS_TEST_TMPDIR/reports.jsonl"
	# the reports in reverse, disagg/top2's an error: matched by id, not by place
	tac "$BATS_TEST_TMPDIR/reports.jsonl" | sed '/"config_id":"disagg\/top2"/c {"record":"report","config_id":"disagg/top2","error":"x"}' \
		>"$BATS_TEST_TMPDIR/rev.jsonl"
	# shellcheck disable=SC2046
	run deploygen $(qwen_args) --save-dir "$d" --deployment-target k8s --sources - <"$BATS_TEST_TMPDIR/rev.jsonl"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | jget dir | sed "s|^$d/||" | paste -sd' ')" \
		"agg/top1 agg/top2 agg/top3 agg/top4 disagg/top1 disagg/top2 disagg/top3"
	run py -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); print(a == b)' \
		"$d/agg/top1/per_ops_source.json" "$DFIX/reference/trtllm-agg-top1-per_ops_source.json"
	assert_output True
	[ -f "$d/disagg/top1/per_ops_source.json" ]
	[ ! -e "$d/disagg/top2/per_ops_source.json" ]
	[ -f "$d/disagg/exp_config.yaml" ]
	# reports without pick ids are the picks' in rank order (one picks file), as before
	sed 's/"config_id":"[^"]*"/"config_id":"c1"/' "$BATS_TEST_TMPDIR/reports.jsonl" | head -4 >"$BATS_TEST_TMPDIR/agg.jsonl"
	# shellcheck disable=SC2046
	deploygen $(qwen_args) --out "$BATS_TEST_TMPDIR/o" --deployment-target k8s --sources "$BATS_TEST_TMPDIR/agg.jsonl" \
		"$QWEN/agg/best_config_topn.csv" >/dev/null
	cmp "$BATS_TEST_TMPDIR/o/top3/per_ops_source.json" "$d/agg/top3/per_ops_source.json"
}

@test "deploygen --save-dir, --price-records, --sources -: usage and input errors" {
	# shellcheck disable=SC2046
	run --separate-stderr deploygen $(qwen_args) --save-dir "$BATS_TEST_TMPDIR" --out x
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploygen: --save-dir reads DIR/agg and DIR/disagg: give no --out and no picks file with it"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen $(qwen_args) --out x --price-records --sources f
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploygen: --price-records writes what --sources reads: use one"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen $(qwen_args) --out x --sources -
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploygen: --sources - and the picks cannot both be stdin: name the picks file"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen $(qwen_args) --save-dir "$BATS_TEST_TMPDIR/none"
	assert_failure 1
	assert_equal "$stderr" "deploygen: $BATS_TEST_TMPDIR/none: no agg/ or disagg/ best_config_topn.csv"
}

@test "default --save-dir writes the deployment files after the CSVs, with its --generator-set" {
	d="$BATS_TEST_TMPDIR/def"
	run "$ROOT/pipelines/default" --model "$MODELS/meta-llama--Meta-Llama-3.1-8B" --system h100_sxm --backend vllm \
		--total-gpus 8 --isl 1024 --osl 1024 --ttft 500 --tpot 15 --save-dir "$d" --format jsonl \
		--generator-set K8sConfig.k8s_namespace=inference --deployment-target k8s --top-n 2
	assert_success
	refute_output --partial '"record":"deployment"'
	cmp "$d/agg/best_config_topn.csv" <(head -3 "$LLAMA/agg/best_config_topn.csv")
	run py "$FACTS" types "$d/disagg/top2/k8s_deploy.yaml" metadata.namespace
	assert_output 'metadata.namespace str inference'
	[ ! -e "$d/agg/top3" ]
	[ ! -e "$d/agg/top1/run_0.sh" ]
}

@test "default: a bad --generator-set fails before the sweep" {
	run --separate-stderr "$ROOT/pipelines/default" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--total-gpus 8 --save-dir "$BATS_TEST_TMPDIR/x" --generator-set K8sConfig.nope=1
	assert_failure 2
	assert_equal "$stderr" "$(printf '%s\n' "default: --generator-set: unknown key 'K8sConfig.nope' (deploygen --help-keys lists them)" "try 'default --help'")"
	[ ! -e "$BATS_TEST_TMPDIR/x" ]
}

@test "deploygen: usage errors exit 2 and say what is wrong" {
	run --separate-stderr deploygen --out x --model y
	assert_failure 2
	assert_equal "$stderr" "$(printf '%s\n' 'deploygen: --out, --model, --system, --backend, --total-gpus, --isl, --osl, --ttft and --tpot are required' "try 'deploygen --help'")"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen --out x $(qwen_args) --generator-set ServiceConfig.port=abc
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploygen: --generator-set: ServiceConfig.port: 'abc' is not a whole number"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen --out x $(qwen_args) --generator-set ServiceConfig.include_frontend=maybe
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploygen: --generator-set: ServiceConfig.include_frontend: 'maybe' is not true or false"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen --out x $(qwen_args) --generator-set novalue
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploygen: --generator-set: 'novalue' is not KEY=VALUE"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen --out x $(qwen_args) --deployment-target k8s,helm
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploygen: --deployment-target: 'k8s,helm' is not a list of k8s, slurm, local"
	run --separate-stderr deploygen --out x --bogus
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploygen: unknown option '--bogus'"
	run --separate-stderr "$ROOT/pipelines/deploy" --model m --system s --backend b --total-gpus 8
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploy: --backend: 'b' is not one of trtllm, vllm, sglang"
	run --separate-stderr "$ROOT/pipelines/deploy" --model m --system s --backend vllm --total-gpus 8
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploy: --save-dir DIR, or --picks FILE and --out DIR, is required"
}

@test "deploygen: bad input exits 1 naming the file and line" {
	printf 'a,b\n1,2\n' >"$BATS_TEST_TMPDIR/x.csv"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen --out "$BATS_TEST_TMPDIR/o" $(qwen_args) "$BATS_TEST_TMPDIR/x.csv"
	assert_failure 1
	assert_equal "$stderr" "deploygen: $BATS_TEST_TMPDIR/x.csv: not a best_config_topn.csv of \`default\` (no tp/bs or (p)tp/(d)tp columns)"
	sed '2s/,3.78,112,112,/,3.78,lots,112,/' "$QWEN/agg/best_config_topn.csv" >"$BATS_TEST_TMPDIR/b.csv"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen --out "$BATS_TEST_TMPDIR/o" $(qwen_args) <"$BATS_TEST_TMPDIR/b.csv"
	assert_failure 1
	assert_equal "$stderr" "deploygen: <stdin>:2: column 'bs': 'lots' is not a number"
	head -1 "$QWEN/agg/best_config_topn.csv" >"$BATS_TEST_TMPDIR/h.csv"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen --out "$BATS_TEST_TMPDIR/o" $(qwen_args) "$BATS_TEST_TMPDIR/h.csv"
	assert_failure 1
	assert_equal "$stderr" "deploygen: $BATS_TEST_TMPDIR/h.csv: no picks (the file has a header only)"
	run --separate-stderr deploygen --out "$BATS_TEST_TMPDIR/o" --model "$BATS_TEST_TMPDIR/none" --system h200_sxm \
		--backend trtllm --total-gpus 8 --isl 4000 --osl 1000 --ttft 2000 --tpot 30 "$QWEN/agg/best_config_topn.csv"
	assert_failure 1
	assert_equal "${stderr%%:*}" "deploygen"
	assert_equal "$(echo "$stderr" | cut -d: -f2)" " --model"
}

@test "deploygen --save-dir: the two modes are written side by side; a write error is said for the first mode that met one" {
	d="$BATS_TEST_TMPDIR/save"
	mkdir -p "$d"
	cp -r "$QWEN/agg" "$QWEN/disagg" "$d/"
	# disagg's top2 cannot be a folder: disagg's error, and agg's folders written whole beside it
	touch "$d/disagg/top2"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen $(qwen_args) --save-dir "$d" --deployment-target k8s
	assert_failure 1
	assert_equal "${stderr%%:*}" "deploygen"
	assert_equal "$(echo "$stderr" | grep -c "disagg/top2")" 1
	assert_equal "$(ls "$d/agg/top4" | paste -sd' ')" "agg_config.yaml generator_config.yaml k8s_bench.yaml k8s_deploy.yaml"
	[ -f "$d/agg/exp_config.yaml" ]
	# both modes fail: agg's error alone, as when the modes were written one after the other
	rm -rf "$d/agg/top3"
	touch "$d/agg/top3"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen $(qwen_args) --save-dir "$d" --deployment-target k8s
	assert_failure 1
	assert_equal "$(echo "$stderr" | wc -l)" 1
	assert_equal "$(echo "$stderr" | grep -c "agg/top3")" 1
}

@test "deploy --picks-dir: the picks read from another folder and copied with the files into --save-dir, as from its own" {
	p="$BATS_TEST_TMPDIR/scratch" d="$BATS_TEST_TMPDIR/save" e="$BATS_TEST_TMPDIR/same"
	mkdir -p "$p" "$e"
	cp -r "$QWEN/agg" "$QWEN/disagg" "$p/"
	cp -r "$QWEN/agg" "$QWEN/disagg" "$e/"
	args=(--model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm --total-gpus 8 --isl 4000 --osl 1000
		--ttft 2000 --tpot 30 --deployment-target k8s)
	run "$ROOT/pipelines/deploy" --save-dir "$d" --picks-dir "$p" "${args[@]}"
	assert_success
	assert_equal "${#lines[@]}" 7
	"$ROOT/pipelines/deploy" --save-dir "$e" "${args[@]}" >/dev/null
	# the same folders and files as when the picks lie in the save folder, the CSV files copied
	run diff -r "$d" "$e"
	assert_success
	assert_equal "$(find "$d" -name '*.csv' | wc -l)" 4
	# copied over longer files in place: cut to the picks' length; and onto itself, unchanged
	for f in "$d"/agg/*.csv "$d"/disagg/*.csv; do seq 1 5000 >>"$f"; done
	"$ROOT/pipelines/deploy" --save-dir "$d" --picks-dir "$p" "${args[@]}" >/dev/null
	run diff -r "$d" "$e"
	assert_success
	"$ROOT/pipelines/deploy" --save-dir "$e" --picks-dir "$e" "${args[@]}" >/dev/null
	run diff -r "$d" "$e"
	assert_success
	# with the picks file, it is one picks file and --out: refused, as deploygen's own use
	run "$ROOT/pipelines/deploy" --picks "$p/agg/best_config_topn.csv" --out "$BATS_TEST_TMPDIR/o" --picks-dir "$p" "${args[@]}"
	assert_failure 2
	assert_line --index 0 "deploy: --picks-dir goes with --save-dir (the folder the files are written into)"
	# shellcheck disable=SC2046
	run --separate-stderr deploygen $(qwen_args) --out "$BATS_TEST_TMPDIR/o" --picks-dir "$p" "$p/agg/best_config_topn.csv"
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "deploygen: --picks-dir goes with --save-dir (the folder the files are written into)"
	run "$ROOT/pipelines/deploy" --save-dir "$d" --picks-dir "$BATS_TEST_TMPDIR/none" "${args[@]}"
	assert_failure 1
	assert_output "deploy: $BATS_TEST_TMPDIR/none: no agg/ or disagg/ best_config_topn.csv"
}
