#!/usr/bin/env bats
# collect: options, the grid, the output folder and its tables. Everything here runs without a
# GPU, on build/collect/nogpu/collect (collect with collect/gpu_none.c standing in for CUDA;
# COLLECT_FAKE_GPU=1 makes it answer with made-up times). Only the last test needs a GPU, and it
# says so when it skips.
load test_helper
bats_require_minimum_version 1.5.0

setup() {
	COLLECT="$ROOT/build/collect/nogpu/collect"
	[ -x "$COLLECT" ] || skip "build/collect/nogpu/collect is not built (make test builds it)"
	cd "$BATS_TEST_TMPDIR"
}

collect() { "$COLLECT" "$@"; }

# jfield FILE PATH...: the values at PATHs of the (pretty-printed) JSON document FILE, tab-separated.
jfield() {
	local f=$1 p out=
	shift
	for p; do out="$out${out:+	}$(tr -d '\n' <"$f" | "$TOOLS/jget" "$p")"; done
	printf '%s\n' "$out"
}

@test "collect --help prints usage and exits 0" {
	run collect --help
	assert_success
	assert_line --index 0 --partial "usage: collect [--out DIR]"
	assert_output --partial "collect --system-spec"
}

@test "collect: every option --help shows is in the man page" {
	command -v man >/dev/null || skip "man (man-db) is not installed"
	page=$(MANWIDTH=80 LC_ALL=C man -l "$ROOT/man/collect.1" 2>/dev/null | col -b | sed -e ':a' -e '/-$/{N;s/-\n[[:space:]]*/-/;ba' -e '}')
	bad=
	for o in $(collect --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
		printf '%s\n' "$page" | grep -q -- "$o\\b" || bad="$bad $o"
	done
	[ -z "$bad" ] || { echo "undocumented:$bad" >&2; return 1; }
}

@test "collect: bad options are usage errors (exit 2)" {
	run --separate-stderr collect --bogus
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: option '--bogus' is unknown or lacks its value"
	assert_equal "${stderr_lines[1]}" "try 'collect --help'"
	run --separate-stderr collect --backend tensorrt
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --backend must be one of trtllm, sglang, vllm, not 'tensorrt'"
	run --separate-stderr collect --dtypes bfloat16,bf16
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --dtypes: unknown name 'bf16' (known: bfloat16, fp8)"
	run --separate-stderr collect --ops gemm,attention
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --ops: unknown name 'attention' (known: gemm, fp8_quant, elementwise)"
	run --separate-stderr collect --fp8-quant per_token
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --fp8-quant must be one of dynamic, static, none, trtllm, not 'per_token'"
	run --separate-stderr collect --version ../x
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --version must be a plain folder name, not '../x'"
	run --separate-stderr collect --system a/b
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --system must be a plain folder name, not 'a/b'"
	run --separate-stderr collect --min-batch-ms 0
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --min-batch-ms must be in (0, 60000]"
	run --separate-stderr collect --batches 0
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --batches: 0 is out of range [1, 63]"
	run --separate-stderr collect --algos 9
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --algos: 9 is out of range [1, 8]"
	run --separate-stderr collect extra
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: unexpected argument 'extra'"
	run --separate-stderr collect --system-spec --dry-run
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "collect: --system-spec and --dry-run do not go together"
	assert_equal "$output" ""
}

@test "collect --dry-run lists the reference's grid: 35742 shapes per type, 1628 (m, k), 37 sizes" {
	run --separate-stderr collect --dry-run
	assert_success
	assert_equal "${#lines[@]}" 74777
	assert_equal "${lines[0]}" '{"op":"gemm","gemm_dtype":"bfloat16","m":32768,"n":65536,"k":51200}'
	assert_equal "${lines[35742]}" '{"op":"gemm","gemm_dtype":"fp8","m":32768,"n":65536,"k":51200}'
	assert_equal "${lines[71484]}" '{"op":"compute_scale","quant_dtype":"fp8","m":32768,"k":65536}'
	assert_equal "${lines[74776]}" '{"op":"elementwise","bytes":2147483648}'
	assert_equal "$stderr" "collect: 71484 GEMMs, 3256 fp8 quantizations, 37 element-wise sizes"
	# the same (m, n, k) as the shipped table's bfloat16 rows
	run bash -c "$COLLECT --dry-run --dtypes bfloat16 --ops gemm 2>/dev/null | sed 's/.*\"m\":\\([0-9]*\\),\"n\":\\([0-9]*\\),\"k\":\\([0-9]*\\)}/\\1,\\2,\\3/' | sort > ours
		awk -F, '\$6 == \"bfloat16\" { print \$7 \",\" \$8 \",\" \$9 }' '$INFERCAST_DATA/h200_sxm/trtllm/1.3.0rc10/gemm_perf.txt' | sort > table
		cmp ours table && wc -l < ours"
	assert_success
	assert_output 35742
}

@test "collect --grid reads m,n,k lines: header, comments, blank lines and spaces allowed" {
	printf '# shapes\nm,n,k\n\n 8, 4096 ,4096\n16,4096,4096\r\n16,4096,4096\n' >grid.txt
	run --separate-stderr collect --dry-run --grid grid.txt --ops gemm --dtypes fp8
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_equal "${lines[0]}" '{"op":"gemm","gemm_dtype":"fp8","m":8,"n":4096,"k":4096}'
	assert_equal "${lines[2]}" '{"op":"gemm","gemm_dtype":"fp8","m":16,"n":4096,"k":4096}'
	run collect --dry-run --grid grid.txt --ops fp8_quant --quiet
	assert_success
	assert_equal "${#lines[@]}" 4
	assert_equal "${lines[0]}" '{"op":"compute_scale","quant_dtype":"fp8","m":16,"k":4096}'
	assert_equal "${lines[3]}" '{"op":"scale_matrix","quant_dtype":"fp8","m":8,"k":4096}'
}

@test "collect --grid: a bad line names the file and line (exit 1), nothing is printed" {
	printf 'm,n,k\n8,4096,4096\n8,4096\n' >short.txt
	run --separate-stderr collect --dry-run --grid short.txt
	assert_failure 1
	assert_equal "$stderr" "collect: short.txt:3: expected m,n,k (integers from 1 to 2147483648), got '8,4096'"
	assert_equal "$output" ""
	printf '8,0,4096\n' >zero.txt
	run --separate-stderr collect --dry-run --grid zero.txt
	assert_failure 1
	assert_equal "$stderr" "collect: zero.txt:1: expected m,n,k (integers from 1 to 2147483648), got '8,0,4096'"
	printf '8,4096,4096,1\n' >four.txt
	run --separate-stderr collect --dry-run --grid four.txt
	assert_failure 1
	assert_equal "$stderr" "collect: four.txt:1: expected m,n,k (integers from 1 to 2147483648), got '8,4096,4096,1'"
	printf '8,4096,2147483649\n' >big.txt
	run --separate-stderr collect --dry-run --grid big.txt
	assert_failure 1
	assert_equal "$stderr" "collect: big.txt:1: expected m,n,k (integers from 1 to 2147483648), got '8,4096,2147483649'"
	printf '# nothing\n\n' >empty.txt
	run --separate-stderr collect --dry-run --grid empty.txt
	assert_failure 1
	assert_equal "$stderr" "collect: empty.txt: no shapes (one m,n,k per line)"
	run --separate-stderr collect --dry-run --grid missing.txt
	assert_failure 1
	assert_equal "$stderr" "collect: cannot open grid file 'missing.txt': No such file or directory"
}

@test "collect without CUDA says so (exit 1) and writes nothing" {
	run --separate-stderr collect --out out
	assert_failure 1
	assert_equal "$stderr" "collect: built without CUDA: no GPU to measure (build bin/collect with 'make collect' where nvcc is installed)"
	[ ! -e out ]
	run --separate-stderr collect --system-spec
	assert_failure 1
	assert_output ""
}

@test "collect writes a data folder the tools load (fake GPU)" {
	printf '8,4096,4096\n16,4096,4096\n16,4096,4104\n' >grid.txt
	COLLECT_FAKE_GPU=1 run --separate-stderr collect --out data --system h200_sxm --grid grid.txt
	assert_success
	v=data/h200_sxm/trtllm/collect
	[ -f $v/gemm_perf.txt ] && [ -f $v/computescale_perf.txt ] && [ -f $v/scale_matrix_perf.txt ]
	[ -f $v/elementwise_perf.txt ] && [ -f $v/collect_info.json ]
	[ ! -e $v/INCOMPLETE.txt ]
	# k = 4104 has no fp8 kernel on the fake device: skipped and said, never written
	[[ $stderr == *"collect: skipped: cuBLASLt has no algorithm for fp8 m=16 n=4096 k=4104"* ]]
	run head -3 $v/gemm_perf.txt
	assert_line --index 0 "framework,version,device,op_name,kernel_source,gemm_dtype,m,n,k,latency"
	assert_line --index 1 "collect,collect,fake GPU,gemm,cublaslt,bfloat16,8,4096,4096,0.00453687091"
	run grep -c ',fp8,' $v/gemm_perf.txt
	assert_output 2
	run grep -c 'cublaslt+dynamic_quant' $v/gemm_perf.txt
	assert_output 2
	run head -2 $v/computescale_perf.txt
	assert_line --index 0 "framework,version,device,op_name,kernel_source,m,k,quant_dtype,latency"
	assert_line --index 1 "collect,collect,fake GPU,compute_scale,amax_bf16,16,4104,fp8,0.002049248"
	run jfield $v/collect_info.json device.name versions.cublaslt tables.fp8_quant.rows elementwise_fit.bytes_per_s
	assert_success
	assert_output "$(printf 'fake GPU\tfake\t6\t4000000000000')"
	run --separate-stderr perfload --system h200_sxm --backend trtllm --data-dir data --list
	assert_success
	assert_equal "${#lines[@]}" 4
	run --separate-stderr bash -c "perfload --system h200_sxm --backend trtllm --data-dir data --format csv gemm | tail -1"
	assert_success
	assert_output "6,collect,collect,fake GPU,gemm,cublaslt+dynamic_quant,fp8,16,4096,4096,0.00453687091"
}

@test "collect --fp8-quant trtllm: TensorRT-LLM-shaped quantization in the fp8 rows and the quantization tables (fake GPU)" {
	printf '16,4096,4096\n' >grid.txt
	COLLECT_FAKE_GPU=1 run --separate-stderr collect --quiet --out data --system h200_sxm --grid grid.txt \
		--dtypes fp8 --ops gemm,fp8_quant --fp8-quant trtllm
	assert_success
	v=data/h200_sxm/trtllm/collect
	# the fake device prices the quantization passes at 1.5 TB/s (ours at 4): 3 x 16 x 4096 bytes more
	run cat $v/gemm_perf.txt
	assert_output "$(printf '%s\n' "framework,version,device,op_name,kernel_source,gemm_dtype,m,n,k,latency" \
		"collect,collect,fake GPU,gemm,cublaslt+trtllm_quant,fp8,16,4096,4096,0.00466794291")"
	run tail -1 $v/computescale_perf.txt
	assert_output "collect,collect,fake GPU,compute_scale,trtllm_amax_scale,16,4096,fp8,0.002131072"
	run tail -1 $v/scale_matrix_perf.txt
	assert_output "collect,collect,fake GPU,scale_matrix,trtllm_scale_e4m3,16,4096,fp8,0.002131072"
	run jfield $v/collect_info.json timing.fp8_quant
	assert_output trtllm
}

@test "collect never overwrites a table, and a cut-short run leaves its folder marked" {
	printf '8,4096,4096\n' >grid.txt
	COLLECT_FAKE_GPU=1 run collect --quiet --out data --grid grid.txt --ops gemm
	assert_success
	[ -d data/fake_gpu/trtllm/collect ]
	COLLECT_FAKE_GPU=1 run --separate-stderr collect --quiet --out data --grid grid.txt --ops gemm
	assert_failure 1
	assert_equal "$stderr" "collect: data/fake_gpu/trtllm/collect/gemm_perf.txt exists: collect never overwrites a table (choose another --version or remove it)"
	# the refused run stopped after marking the folder: the tools skip it until it is cleared
	[ -f data/fake_gpu/trtllm/collect/INCOMPLETE.txt ]
	run --separate-stderr perfload --system fake_gpu --backend trtllm --data-dir data --list
	assert_failure
}

@test "collect --fill-from completes the folder: an estimate prices with the collected GEMMs" {
	src="$INFERCAST_DATA/h200_sxm/trtllm/1.3.0rc10"
	[ -d "$src" ] || skip "no shipped h200_sxm data"
	# the lattice that brackets every GEMM of Qwen3-32B at tp 2 (docs/collect.md)
	for m in 8 16384 32768; do for n in 5120 16384 51200 65536; do for k in 4096 5120 12288 16384; do
		echo "$m,$n,$k"
	done; done; done >grid.txt
	COLLECT_FAKE_GPU=1 run --separate-stderr collect --out data --system h200_sxm --version v1 --grid grid.txt --ops gemm --dtypes bfloat16 --fill-from "$src"
	assert_success
	[[ $stderr == *"collect: linked 16 tables and folders from $src"* ]]
	[ -L data/h200_sxm/trtllm/v1/context_attention_perf.txt ] && [ -L data/h200_sxm/nccl ]
	[ ! -L data/h200_sxm/trtllm/v1/gemm_perf.txt ]
	run --separate-stderr "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 4000 --osl 1000 --data-dir data --version v1 --format csv
	assert_success
	assert_line --index 1 --partial "c1,Qwen/Qwen3-32B,h200_sxm,trtllm,v1,silicon,static,2,"
}

@test "collect --system-spec drafts a spec and names what it could not fill (fake GPU)" {
	COLLECT_FAKE_GPU=1 run --separate-stderr collect --system-spec --system my_gpu
	assert_success
	printf '%s\n' "$output" >spec.json
	run jfield spec.json name data_subdir gpu.sm_version gpu.mem_capacity_bytes node.num_gpus_per_node
	assert_output "$(printf 'my_gpu\tmy_gpu\t90\t150000000000\t1')"
	COLLECT_FAKE_GPU=1 run --separate-stderr collect --system-spec
	assert_output --partial '"name": "fake_gpu"'
	assert_output --partial "Not drafted (the device cannot tell; the spec does not load until they are filled in): gpu.mem_bw_bytes_per_s"
	assert_output --partial "node.inter_node_bw_bytes_per_s, node.p2p_latency_s, misc.nccl_mem_bytes, misc.other_mem_bytes, misc.nccl_version"
}

# The one test that needs a GPU: skipped, and saying so, where nvidia-smi or bin/collect is absent.
@test "collect on a GPU: a small grid measured and loaded (needs a GPU)" {
	command -v nvidia-smi >/dev/null && nvidia-smi >/dev/null 2>&1 || skip "needs a GPU: nvidia-smi not found or no GPU"
	[ -x "$ROOT/bin/collect" ] || skip "needs bin/collect: run 'make collect'"
	printf '8,4096,4096\n4096,4096,4096\n' >grid.txt
	run --separate-stderr "$ROOT/bin/collect" --quiet --out data --system gpu --grid grid.txt --warmup 1 --batches 3
	assert_success
	run --separate-stderr perfload --system gpu --backend trtllm --data-dir data --format csv gemm
	assert_success
	[ "${#lines[@]}" -ge 3 ]
}
