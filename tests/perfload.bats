#!/usr/bin/env bats
# perfload: one perf table as JSON Lines / CSV, or the list of a database's tables.
load test_helper
bats_require_minimum_version 1.5.0

@test "perfload --help prints usage and exits 0" {
	run perfload --help
	assert_success
	assert_output --partial "usage: perfload"
}

@test "perfload needs a system, a backend and one table" {
	run perfload gemm
	assert_failure 2
	assert_line --index 0 "perfload: --system and --backend are required"
	run perfload --system h200_sxm --backend trtllm
	assert_failure 2
	assert_line --index 0 "perfload: name one table"
	run perfload --system h200_sxm --backend trtllm --format xml gemm
	assert_failure 2
	assert_line --index 0 "perfload: --format must be jsonl or csv, not 'xml'"
}

@test "perfload shows a table as JSON Lines with numbers and source lines" {
	run bash -c "perfload --system h200_sxm --backend trtllm custom_allreduce | head -1"
	assert_success
	assert_output '{"line":2,"framework":"TRTLLM","version":"1.3.0rc10","device":"NVIDIA H200","op_name":"all_reduce","kernel_source":"TRTLLM","allreduce_dtype":"bfloat16","num_gpus":2,"message_size":128,"latency":0.0027916800975799562,"implementation":"trtllm"}'
	run bash -c "perfload --system h200_sxm --backend trtllm custom_allreduce_perf.txt | wc -l"
	assert_output 69
}

@test "perfload shows the NCCL table as CSV" {
	run bash -c "perfload --system h200_sxm --backend trtllm --format csv nccl | head -2"
	assert_success
	assert_line --index 0 "line,framework,version,device,op_name,kernel_source,nccl_dtype,num_gpus,message_size,latency"
	assert_line --index 1 "2,TRTLLM,2.29.2,NVIDIA H200,all_gather,NCCL,half,2,256,0.00517"
}

@test "perfload --list gives row counts and axis ranges" {
	run bash -c "perfload --system h200_sxm --backend trtllm --list | grep '\"table\":\"gemm_perf.txt\"' | \"$TOOLS/jget\" rows"
	assert_output 101010
	run bash -c "perfload --system h200_sxm --backend trtllm --list | grep '\"table\":\"gemm_perf.txt\"' | \"$TOOLS/jget\" columns.gemm_dtype"
	assert_output '["bfloat16","fp8","fp8_block"]'
	run bash -c "perfload --system h200_sxm --backend trtllm --list | grep -c '\"table\"'"
	assert_output 17
}

@test "perfload reports unknown systems, backends, versions and tables" {
	run perfload --system nope --backend trtllm --list
	assert_failure 1
	assert_output --partial "perfload: unknown system 'nope'"
	run perfload --system h200_sxm --backend nope --list
	assert_failure 1
	assert_output --partial "perfload: unknown backend 'nope'"
	run perfload --system h200_sxm --backend trtllm --version 0.1 --list
	assert_failure 1
	assert_output "perfload: unknown version '0.1' for h200_sxm/trtllm (known: 1.3.0rc10)"
	run perfload --system h200_sxm --backend trtllm frob
	assert_failure 1
	assert_output "perfload: $INFERCAST_DATA/h200_sxm/trtllm/1.3.0rc10/frob_perf.txt: no such table"
}

@test "perfload --check finds the database as --list does, with its errors, and reads no table" {
	run --separate-stderr perfload --system h200_sxm --backend trtllm --check
	assert_success
	assert_output ""
	[ -z "$stderr" ]
	run --separate-stderr perfload --data-dir "$SHARED/aic-systems" --system b300_sxm --backend vllm --check
	assert_success
	assert_output ""
	for opts in "--system nope --backend trtllm" "--system h200_sxm --backend nope" "--system h200_sxm --backend trtllm --version 0.1"; do
		# shellcheck disable=SC2086
		run --separate-stderr perfload $opts --list
		list="$status $stderr"
		# shellcheck disable=SC2086
		run --separate-stderr perfload $opts --check
		assert_equal "$status $stderr" "$list"
		assert_failure 1
	done
	# a table that does not parse is not read: the check passes (the sweep's query names its line)
	dir="$BATS_TEST_TMPDIR/data/h200_sxm/trtllm/1.3.0rc10"
	mkdir -p "$dir"
	printf 'a,b,latency\n1,2,3\n1,2\n' >"$dir/gemm_perf.txt"
	run --separate-stderr perfload --system h200_sxm --backend trtllm --data-dir "$BATS_TEST_TMPDIR/data" --check
	assert_success
	run --separate-stderr perfload --system h200_sxm --backend trtllm --check gemm
	assert_failure 2
	assert_equal "$stderr" "perfload: --check takes no table
try 'perfload --help'"
	run --separate-stderr perfload --system h200_sxm --backend trtllm --check --list
	assert_failure 2
	assert_equal "$stderr" "perfload: --list and --check exclude each other
try 'perfload --help'"
}

@test "perfload names the line of a bad table" {
	dir="$BATS_TEST_TMPDIR/data/h200_sxm/trtllm/1.3.0rc10"
	mkdir -p "$dir"
	printf 'a,b,latency\n1,2,3\n1,2\n' >"$dir/gemm_perf.txt"
	run perfload --system h200_sxm --backend trtllm --data-dir "$BATS_TEST_TMPDIR/data" gemm
	assert_failure 1
	assert_output "perfload: $dir/gemm_perf.txt:3: 2 fields where the header has 3"
}
