#!/usr/bin/env bats
# The bad-input corpus: every filter given broken records, configs, tables, specs and options.
# Each case asserts the exact exit status, the exact message (naming FILE:LINE, or the record's
# line on <stdin>, and what is wrong) and that stdout holds no partial result: nothing, or only
# the complete results of the records before the bad one. Inputs are small handmade files in
# tests/fixtures/bad/ or edits of the real models, tables and specs in ../shared made per test.
load test_helper
bats_require_minimum_version 1.5.0

BAD="$FIXTURES/bad"
L8="$MODELS/meta-llama--Meta-Llama-3.1-8B"
GEMM="$SHARED/data/h200_sxm/trtllm/1.3.0rc10/gemm_perf.txt"
OG=(opgraph --system h200_sxm --backend trtllm --tp 1 --batch 4 --isl 512 --osl 65)
TRY_OG="try 'opgraph --help'"

setup() {
	T="$BATS_TEST_TMPDIR"
	export INFERCAST_CACHE=off
}

# fails CODE MESSAGE CMD...: CMD exits CODE, its stderr is exactly MESSAGE, its stdout is empty.
fails() {
	local code=$1 msg=$2
	shift 2
	run --separate-stderr "$@"
	if [ "$status" -ne "$code" ] || [ "$stderr" != "$msg" ] || [ -n "$output" ]; then
		printf 'status %s (want %s)\nstderr: %s\nwant:   %s\nstdout: %.300s\n' "$status" "$code" "$stderr" "$msg" "$output" >&2
		return 1
	fi
}

# fed FILE CMD...: CMD with FILE as standard input.
fed() {
	local f=$1
	shift
	"$@" <"$f"
}

# model EDIT: the Llama-3.1-8B model record with a sed edit, into $T/in.jsonl.
model() { "$BIN/hfparse" "$L8" | sed "$1" >"$T/in.jsonl"; }
# ops: Llama-3.1-8B op records (context only) into $T/ops.jsonl; priced into $T/priced.jsonl.
ops() {
	"$BIN/hfparse" "$L8" | "$BIN/opgraph" --system h200_sxm --backend trtllm --tp 1 --batch 4 --isl 512 --osl 2 \
		--mode static_ctx >"$T/ops.jsonl"
	"$BIN/query" "$T/ops.jsonl" >"$T/priced.jsonl"
}
# table EDIT: a data folder $T/data holding h200_sxm/trtllm/1.0/gemm_perf.txt = the real gemm
# table through the shell command EDIT (reading it on stdin).
table() {
	mkdir -p "$T/data/h200_sxm/trtllm/1.0"
	sh -c "$1" <"$GEMM" >"$T/data/h200_sxm/trtllm/1.0/gemm_perf.txt"
	ops
	{ head -n 1 "$T/ops.jsonl"; grep '"name":"context_qkv_gemm"' "$T/ops.jsonl"; } >"$T/gemm.jsonl"
}
TABLE=data/h200_sxm/trtllm/1.0/gemm_perf.txt
# spec EDIT: a systems folder $T/sys with h200_sxm.json through sed EDIT.
spec() {
	mkdir -p "$T/sys"
	sed "$1" "$ROOT/systems/h200_sxm.json" >"$T/sys/h200_sxm.json"
	export INFERCAST_SYSTEMS="$T/sys"
}

# ---- JSON Lines: malformed lines ----

@test "malformed JSON names the line and column" {
	fails 1 "query: $BAD/malformed.jsonl:1: malformed JSON at column 32" query "$BAD/malformed.jsonl"
}

@test "a truncated last line is malformed, after the complete first record" {
	run --separate-stderr query "$BAD/truncated.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "query: $BAD/truncated.jsonl:2: malformed JSON at column 12" ]
	[ "$output" = '{"record":"model","layers":32}' ]
}

@test "trailing garbage after a record" {
	fails 1 "query: $BAD/two_on_a_line.jsonl:1: trailing garbage after the record at column 19" query "$BAD/two_on_a_line.jsonl"
}

@test "a JSON array is not a record" {
	fails 1 "aggregate: <stdin>:1: a record must be a JSON object" fed "$BAD/array.jsonl" aggregate
}

@test "a JSON string is not a record" {
	fails 1 "${OG[0]}: <stdin>:1: a record must be a JSON object" fed "$BAD/string.jsonl" "${OG[@]}"
}

@test "bare NaN is not JSON in a record stream" {
	fails 1 "query: $BAD/nan_literal.jsonl:1: malformed JSON at column 28" query "$BAD/nan_literal.jsonl"
}

@test "a number beyond the range of a double, anywhere in a record" {
	printf '{"record":"note","deep":{"list":[1,2,-1e999]}}\n' >"$T/in.jsonl"
	fails 1 "query: $T/in.jsonl:1: number out of range (key 'list')" query "$T/in.jsonl"
}

@test "fuzz regression: 36.e310 in a config record (was undefined behaviour in aggregate's table)" {
	fails 1 "aggregate: <stdin>:1: number out of range (key 'total')" \
		fed "$BAD/fuzz-aggregate-1e310.jsonl" aggregate --format table
}

@test "a NUL byte in a line" {
	fails 1 "query: $BAD/nul.jsonl:1: NUL byte in line" query "$BAD/nul.jsonl"
}

@test "non-UTF-8 bytes (Latin-1) are refused, not passed through" {
	fails 1 "query: $BAD/latin1.jsonl:1: not UTF-8 at column 30" query "$BAD/latin1.jsonl"
}

@test "an overlong UTF-8 form is refused" {
	fails 1 "aggregate: <stdin>:1: not UTF-8 at column 27" fed "$BAD/overlong_utf8.jsonl" aggregate
}

@test "an encoded UTF-16 surrogate is refused" {
	fails 1 "interp: $BAD/surrogate_utf8.jsonl:1: not UTF-8 at column 27" interp "$BAD/surrogate_utf8.jsonl"
}

@test "non-UTF-8 bytes in a model record reaching opgraph" {
	model 's/"model_path":"meta-llama/"model_path":"\xff\xfemeta/'
	fails 1 "opgraph: <stdin>:1: not UTF-8 at column 33" fed "$T/in.jsonl" "${OG[@]}"
}

@test "an empty file: no records, no output, success" {
	run --separate-stderr fed "$BAD/empty.jsonl" "${OG[@]}"
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	run --separate-stderr aggregate <"$BAD/empty.jsonl"
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
}

@test "blank lines only: no records, success" {
	run --separate-stderr query "$BAD/blank_lines.jsonl"
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
}

@test "a very long garbage line (1 MiB) is malformed at column 1" {
	head -c 1048576 /dev/zero | tr '\0' x >"$T/long.jsonl"
	echo >>"$T/long.jsonl"
	fails 1 "query: $T/long.jsonl:1: malformed JSON at column 1" query "$T/long.jsonl"
}

@test "a very long valid line (2 MiB key) passes through opgraph whole" {
	{ printf '{"note":"'; head -c 2097152 /dev/zero | tr '\0' y; printf '",'; "$BIN/hfparse" "$L8" | cut -c 2-; } >"$T/in.jsonl"
	run --separate-stderr fed "$T/in.jsonl" "${OG[@]}"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(printf '%s\n' "${lines[0]}" | jget model.note | wc -c)" -eq 2097153 ]
}

@test "a UTF-8 BOM before the first record is skipped" {
	"$BIN/hfparse" "$L8" >"$T/plain.jsonl"
	{ printf '\357\273\277'; cat "$T/plain.jsonl"; } >"$T/bom.jsonl"
	run --separate-stderr fed "$T/bom.jsonl" "${OG[@]}"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$output" = "$("${OG[@]}" <"$T/plain.jsonl")" ]
}

@test "CRLF line endings read like LF" {
	"$BIN/hfparse" "$L8" >"$T/plain.jsonl"
	sed 's/$/\r/' "$T/plain.jsonl" >"$T/crlf.jsonl"
	run --separate-stderr fed "$T/crlf.jsonl" "${OG[@]}"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$output" = "$("${OG[@]}" <"$T/plain.jsonl")" ]
}

@test "a last line without newline is still read" {
	"$BIN/hfparse" "$L8" | tr -d '\n' >"$T/in.jsonl"
	run --separate-stderr fed "$T/in.jsonl" "${OG[@]}"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(printf '%s\n' "${lines[0]}" | jget record)" = config ]
}

@test "a bad record after a good one: the good one's output complete, nothing of the bad one" {
	"$BIN/hfparse" "$L8" >"$T/in.jsonl"
	"$BIN/hfparse" "$L8" | sed 's/"layers":32/"layers":"32"/' >>"$T/in.jsonl"
	run --separate-stderr fed "$T/in.jsonl" "${OG[@]}"
	[ "$status" -eq 1 ]
	[ "$stderr" = "opgraph: <stdin>:2: model record: 'layers' is not a non-negative integer below 2^31" ]
	[ "$output" = "$(head -n 1 "$T/in.jsonl" | "${OG[@]}")" ]
}

@test "a missing input file" {
	fails 1 "query: $T/nope.jsonl: No such file or directory" query "$T/nope.jsonl"
}

# ---- model records (opgraph) ----

@test "model record: wrong type" {
	model 's/"layers":32/"layers":"32"/'
	fails 1 "opgraph: <stdin>:1: model record: 'layers' is not a non-negative integer below 2^31" fed "$T/in.jsonl" "${OG[@]}"
}

@test "model record: missing required field" {
	model 's/"layers":32,//'
	fails 1 "opgraph: <stdin>:1: model record has no 'layers'" fed "$T/in.jsonl" "${OG[@]}"
}

@test "model record: missing architecture" {
	model 's/"architecture":"LlamaForCausalLM",//'
	fails 1 "opgraph: <stdin>:1: model record has no 'architecture'" fed "$T/in.jsonl" "${OG[@]}"
}

@test "model record: negative count" {
	model 's/"n_kv":8/"n_kv":-8/'
	fails 1 "opgraph: <stdin>:1: model record: 'n_kv' is not a non-negative integer below 2^31" fed "$T/in.jsonl" "${OG[@]}"
}

@test "model record: zero layers" {
	model 's/"layers":32/"layers":0/'
	fails 1 "opgraph: <stdin>:1: model record: layers and n must be positive" fed "$T/in.jsonl" "${OG[@]}"
}

@test "model record: fractional count" {
	model 's/"hidden_size":4096/"hidden_size":4096.5/'
	fails 1 "opgraph: <stdin>:1: model record: 'hidden_size' is not a non-negative integer below 2^31" fed "$T/in.jsonl" "${OG[@]}"
}

@test "model record: absurdly large number (1e300)" {
	model 's/"hidden_size":4096/"hidden_size":1e300/'
	fails 1 "opgraph: <stdin>:1: model record: 'hidden_size' is not a non-negative integer below 2^31" fed "$T/in.jsonl" "${OG[@]}"
}

@test "model record: a number beyond double range (1e400)" {
	model 's/"vocab":128256/"vocab":1e400/'
	fails 1 "opgraph: <stdin>:1: number out of range (key 'vocab')" fed "$T/in.jsonl" "${OG[@]}"
}

@test "fuzz regression: inter_size 2.6e32 (was undefined behaviour casting to long)" {
	fails 1 "opgraph: <stdin>:1: model record: 'inter_size' is not a non-negative integer below 2^31" \
		fed "$BAD/fuzz-opgraph-inter_size-1e32.jsonl" "${OG[@]}"
}

@test "fuzz regression: weight_block_size 1.3e21 (was undefined behaviour casting to long)" {
	fails 1 "opgraph: <stdin>:1: model record: quant.weight_block_size is not a positive integer below 2^31" \
		fed "$BAD/fuzz-opgraph-weight_block_size-1e21.jsonl" "${OG[@]}"
}

@test "runtime: an absurd integer (1e30) is not an integer" {
	model 's/^{/{"runtime":{"batch":1e30},/'
	fails 1 "opgraph: <stdin>:1: runtime.batch is not an integer" fed "$T/in.jsonl" "${OG[@]}"
}

@test "model record: quant that is not an object" {
	model 's/"quant":{[^}]*}/"quant":"fp8"/'
	fails 1 "opgraph: <stdin>:1: model record: 'quant' is not an object" fed "$T/in.jsonl" "${OG[@]}"
}

@test "model record: unknown family" {
	model 's/"family":"LLAMA"/"family":"NOPE"/'
	run --separate-stderr fed "$T/in.jsonl" "${OG[@]}"
	[ "$status" -eq 1 ] && [ -z "$output" ]
	[[ "$stderr" == "opgraph: <stdin>:1: "*NOPE* ]]
}

@test "runtime: not an object" {
	model 's/^{/{"runtime":[1],/'
	fails 1 "opgraph: <stdin>:1: 'runtime' is not an object" fed "$T/in.jsonl" "${OG[@]}"
}

@test "runtime: wrong type" {
	model 's/^{/{"runtime":{"batch":"4"},/'
	fails 1 "opgraph: <stdin>:1: runtime.batch is not an integer" fed "$T/in.jsonl" "${OG[@]}"
}

@test "runtime: unknown key" {
	model 's/^{/{"runtime":{"bacth":4},/'
	fails 1 "opgraph: <stdin>:1: runtime.bacth is not a runtime key" fed "$T/in.jsonl" "${OG[@]}"
}

@test "runtime: zero tensor-parallel size" {
	model 's/^{/{"runtime":{"tp":0},/'
	fails 1 "opgraph: <stdin>:1: parallel sizes must be positive" fed "$T/in.jsonl" "${OG[@]}"
}

@test "runtime: negative pipeline-parallel size" {
	model 's/^{/{"runtime":{"pp":-2},/'
	fails 1 "opgraph: <stdin>:1: parallel sizes must be positive" fed "$T/in.jsonl" "${OG[@]}"
}

@test "runtime: zero batch" {
	model 's/^{/{"runtime":{"batch":0},/'
	fails 1 "opgraph: <stdin>:1: batch must be at least 1, got 0" fed "$T/in.jsonl" "${OG[@]}"
}

@test "runtime: batch x isl overflows 64 bits when multiplied: refused" {
	model 's/^{/{"runtime":{"batch":1099511627776,"isl":1099511627776},/'
	fails 1 "opgraph: <stdin>:1: batch x (isl + osl) x (nextn + 1) x beam is more than 2^40 tokens" fed "$T/in.jsonl" "${OG[@]}"
}

@test "options: batch x isl beyond 2^40 tokens (x layers would overflow)" {
	"$BIN/hfparse" "$L8" >"$T/in.jsonl"
	fails 1 "opgraph: <stdin>:1: batch x (isl + osl) x (nextn + 1) x beam is more than 2^40 tokens" \
		fed "$T/in.jsonl" opgraph --system h200_sxm --backend trtllm --tp 1 --batch 1048576 --isl 1048576 --osl 2
}

@test "options: a generation of 2^30 steps is refused, not run" {
	"$BIN/hfparse" "$L8" >"$T/in.jsonl"
	fails 1 "opgraph: <stdin>:1: (osl - 1) / stride is more than 2^20 generation steps: raise stride" \
		fed "$T/in.jsonl" opgraph --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 1 --osl 1073741825 --stride 1
}

@test "runtime: isl not above prefix" {
	model 's/^{/{"runtime":{"prefix":512},/'
	fails 1 "opgraph: <stdin>:1: isl (512) must be greater than prefix (512)" fed "$T/in.jsonl" "${OG[@]}"
}

@test "MoE model without expert parallel sizes" {
	"$BIN/hfparse" "$MODELS/Qwen--Qwen3-30B-A3B" >"$T/in.jsonl"
	fails 1 "opgraph: <stdin>:1: MoE model: give --moe-tp or --moe-ep (or both)" fed "$T/in.jsonl" "${OG[@]}"
}

# ---- options ----

@test "--tp 0 is a usage error" {
	fails 2 "opgraph: --tp: 0 is out of range [1, 1048576]
$TRY_OG" opgraph --system h200_sxm --backend trtllm --tp 0 --batch 1 --isl 8 --osl 2
}

@test "--dp -1 is a usage error" {
	fails 2 "opgraph: --dp: -1 is out of range [1, 1048576]
$TRY_OG" opgraph --system h200_sxm --backend trtllm --tp 1 --dp -1 --batch 1 --isl 8 --osl 2
}

@test "--moe-ep 0 is a usage error" {
	fails 2 "opgraph: --moe-ep: 0 is out of range [1, 1048576]
$TRY_OG" opgraph --system h200_sxm --backend trtllm --tp 1 --moe-ep 0 --batch 1 --isl 8 --osl 2
}

@test "--batch that is not a number" {
	fails 2 "opgraph: --batch: 'lots' is not an integer
$TRY_OG" opgraph --system h200_sxm --backend trtllm --tp 1 --batch lots --isl 8 --osl 2
}

@test "--isl beyond 2^40" {
	fails 2 "opgraph: --isl: 99999999999999 is out of range [1, 1099511627776]
$TRY_OG" opgraph --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 99999999999999 --osl 2
}

@test "unknown system: the message lists the known ones" {
	run --separate-stderr opgraph --system h999 --backend trtllm --tp 1 --batch 1 --isl 8 --osl 2
	[ "$status" -eq 2 ] && [ -z "$output" ]
	[[ "$stderr" == "opgraph: --system: unknown system 'h999' (known: "*"h200_sxm"*")
$TRY_OG" ]]
}

@test "unknown backend: the message lists the known ones" {
	fails 2 "opgraph: --backend: 'tensorrt' is not one of trtllm, vllm, sglang
$TRY_OG" opgraph --system h200_sxm --backend tensorrt --tp 1 --batch 1 --isl 8 --osl 2
}

@test "unknown backend in query: known ones and those with data" {
	ops
	run --separate-stderr query --backend tensorrt "$T/ops.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "query: $T/ops.jsonl:2: unknown backend 'tensorrt' (known: trtllm, sglang, vllm; with data for h200_sxm: trtllm, sglang, vllm)" ]
	[ "$output" = "$(head -n 1 "$T/ops.jsonl")" ]
}

@test "unknown version: the message lists the known ones" {
	fails 1 "perfload: unknown version '9.9' for h200_sxm/trtllm (known: 1.3.0rc10)" \
		perfload --system h200_sxm --backend trtllm --version 9.9 gemm
}

@test "--system with '..' is refused, never used as a path (opgraph)" {
	fails 2 "opgraph: --system: bad system name '../h200_sxm': use a name such as h200_sxm
$TRY_OG" opgraph --system ../h200_sxm --backend trtllm --tp 1 --batch 1 --isl 8 --osl 2
}

@test "--system with '/' is refused (query)" {
	fails 2 "query: --system: bad system name 'systems/h200_sxm': use a name such as h200_sxm
try 'query --help'" query --system systems/h200_sxm /dev/null
}

@test "--system with '/' is refused (perfload)" {
	fails 1 "perfload: bad system name '/etc/passwd': use a name such as h200_sxm" \
		perfload --system /etc/passwd --backend trtllm gemm
}

@test "--system with '..' is refused (estimate), before any data lookup" {
	fails 2 "estimate: --system: bad system name '../../etc': use a name such as h200_sxm
try 'estimate --help'" "$ROOT/pipelines/estimate" --model "$L8" --system ../../etc --backend trtllm --tp 1 --batch 1 --isl 8 --osl 2
}

@test "--system with '..' is refused (sweep)" {
	fails 2 "sweep: --system: bad system name '../h200_sxm': use a name such as h200_sxm
try 'sweep --help'" sweep --system ../h200_sxm --backend trtllm --total-gpus 8 --isl 8 --osl 2
}

@test "--system with '/' is refused (default), before any stage runs" {
	fails 2 "default: --system: bad system name 'a/b': use a name such as h200_sxm
try 'default --help'" "$ROOT/pipelines/default" --model "$L8" --system a/b --backend trtllm --total-gpus 8
}

@test "missing data folder (--data-dir)" {
	fails 1 "perfload: perf data folder not found: $T/none (--data-dir)" \
		perfload --data-dir "$T/none" --system h200_sxm --backend trtllm gemm
}

@test "missing data folder (INFERCAST_DATA) in query names the record" {
	ops
	INFERCAST_DATA="$T/none" run --separate-stderr query "$T/ops.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "query: $T/ops.jsonl:2: perf data folder not found: $T/none (INFERCAST_DATA)" ]
	[ "$output" = "$(head -n 1 "$T/ops.jsonl")" ]
}

# ---- perf tables ----

@test "a Git LFS pointer in place of a table" {
	table 'printf "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 8749542\n"'
	fails 1 "perfload: $T/$TABLE:1: a Git LFS pointer, not the table (run 'git lfs pull')" \
		perfload --data-dir "$T/data" --system h200_sxm --backend trtllm gemm
}

@test "a Git LFS pointer reached by query" {
	table 'printf "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 8749542\n"'
	run --separate-stderr query --data-dir "$T/data" "$T/gemm.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "query: $T/$TABLE:1: a Git LFS pointer, not the table (run 'git lfs pull')" ]
	[ "$output" = "$(head -n 1 "$T/gemm.jsonl")" ]
}

@test "a table with a missing column" {
	table 'cut -d, -f1-9'
	run --separate-stderr query --data-dir "$T/data" "$T/gemm.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "query: $T/$TABLE:1: missing column 'latency'" ]
	[ "$output" = "$(head -n 1 "$T/gemm.jsonl")" ]
}

@test "a short row" {
	table "sed '3s/,[^,]*\$//'"
	fails 1 "perfload: $T/$TABLE:3: 9 fields where the header has 10" \
		perfload --data-dir "$T/data" --system h200_sxm --backend trtllm gemm
}

@test "a truncated last row" {
	table 'head -n 5; printf "TRTLLM,1.3.0rc10,NVIDIA H200,gemm,torch_flow,bfloat16,40"'
	fails 1 "perfload: $T/$TABLE:6: 7 fields where the header has 10" \
		perfload --data-dir "$T/data" --system h200_sxm --backend trtllm gemm
}

@test "an empty table" {
	table ': '
	fails 1 "perfload: $T/$TABLE: empty file, no header" perfload --data-dir "$T/data" --system h200_sxm --backend trtllm gemm
}

@test "a non-numeric key cell" {
	table "sed '3s/,4097,/,abc,/'"
	run --separate-stderr query --data-dir "$T/data" "$T/gemm.jsonl"
	[ "$status" -eq 1 ] && [ "$output" = "$(head -n 1 "$T/gemm.jsonl")" ]
	[ "$stderr" = "query: $T/$TABLE:3: m 'abc' is not an integer" ]
}

@test "a NaN latency cell" {
	table "sed '3s/,[^,]*\$/,nan/'"
	run --separate-stderr query --data-dir "$T/data" "$T/gemm.jsonl"
	[ "$status" -eq 1 ] && [ "$stderr" = "query: $T/$TABLE:3: latency 'nan' is not finite" ]
}

@test "an infinite latency cell" {
	table "sed '4s/,[^,]*\$/,1e400/'"
	run --separate-stderr query --data-dir "$T/data" "$T/gemm.jsonl"
	[ "$status" -eq 1 ] && [ "$stderr" = "query: $T/$TABLE:4: latency '1e400' is not finite" ]
}

@test "a negative latency cell" {
	table "sed '3s/,[^,]*\$/,-5/'"
	run --separate-stderr query --data-dir "$T/data" "$T/gemm.jsonl"
	[ "$status" -eq 1 ] && [ "$stderr" = "query: $T/$TABLE:3: latency '-5' is negative" ]
}

@test "duplicate rows: the first one read wins, as in the reference" {
	table "cat; grep ',bfloat16,2048,6144,4096,' | sed 's/,[^,]*\$/,99/'"
	run --separate-stderr query --data-dir "$T/data" "$T/gemm.jsonl"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	approx "$(printf '%s\n' "${lines[1]}" | jget latency_ms)" 4.37452793121338 1e-12
}

@test "a table with CRLF line endings reads like LF" {
	table "sed 's/\$/\r/'"
	run --separate-stderr query --data-dir "$T/data" "$T/gemm.jsonl"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	approx "$(printf '%s\n' "${lines[1]}" | jget latency_ms)" 4.37452793121338 1e-12
}

@test "a table with a UTF-8 BOM reads like one without" {
	table "printf '\357\273\277'; cat"
	run --separate-stderr query --data-dir "$T/data" "$T/gemm.jsonl"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	approx "$(printf '%s\n' "${lines[1]}" | jget latency_ms)" 4.37452793121338 1e-12
}

# ---- model configs (hfparse) ----

@test "config.json: truncated" {
	mkdir "$T/m" && head -c 300 "$L8/config.json" >"$T/m/config.json"
	fails 1 "hfparse: $T/m/config.json: not valid JSON (line 13)" hfparse "$T/m"
}

@test "config.json: empty" {
	mkdir "$T/m" && : >"$T/m/config.json"
	fails 1 "hfparse: $T/m/config.json: not valid JSON (line 1)" hfparse "$T/m"
}

@test "config.json: non-UTF-8 bytes" {
	mkdir "$T/m" && sed 's/"llama"/"ll\xffama"/' "$L8/config.json" >"$T/m/config.json"
	fails 1 "hfparse: $T/m/config.json: not valid JSON (line 15): not UTF-8" hfparse "$T/m"
}

@test "config.json: negative layer count" {
	mkdir "$T/m" && sed 's/"num_hidden_layers": 32/"num_hidden_layers": -32/' "$L8/config.json" >"$T/m/config.json"
	fails 1 "hfparse: $T/m/config.json: field 'num_hidden_layers' is out of range" hfparse "$T/m"
}

@test "config.json: absurd layer count (1e40)" {
	mkdir "$T/m" && sed 's/"num_hidden_layers": 32/"num_hidden_layers": 1e40/' "$L8/config.json" >"$T/m/config.json"
	fails 1 "hfparse: $T/m/config.json: field 'num_hidden_layers' is out of range" hfparse "$T/m"
}

@test "config.json: wrong type" {
	mkdir "$T/m" && sed 's/"num_hidden_layers": 32/"num_hidden_layers": "32"/' "$L8/config.json" >"$T/m/config.json"
	fails 1 "hfparse: $T/m/config.json: field 'num_hidden_layers' must be an integer" hfparse "$T/m"
}

@test "config.json: Infinity where a width is required" {
	mkdir "$T/m" && sed 's/"hidden_size": 4096/"hidden_size": Infinity/' "$L8/config.json" >"$T/m/config.json"
	fails 1 "hfparse: $T/m/config.json: field 'hidden_size' must be an integer" hfparse "$T/m"
}

@test "config.json: a BOM and CRLF line endings read like the plain file" {
	mkdir "$T/m" && { printf '\357\273\277'; sed 's/$/\r/' "$L8/config.json"; } >"$T/m/config.json"
	run --separate-stderr hfparse --model-path meta-llama/Meta-Llama-3.1-8B "$T/m"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$output" = "$("$BIN/hfparse" "$L8")" ]
}

@test "hf_quant_config.json: malformed" {
	mkdir "$T/m" && cp "$L8/config.json" "$T/m/" && echo '{"quantization": ' >"$T/m/hf_quant_config.json"
	fails 1 "hfparse: $T/m/hf_quant_config.json: not valid JSON (line 2)" hfparse "$T/m"
}

@test "a missing model folder" {
	fails 1 "hfparse: $T/none: No such file or directory" hfparse "$T/none"
}

# ---- system specs ----

@test "system spec: not JSON" {
	spec 's/^{/{,/'
	fails 2 "opgraph: --system: $T/sys/h200_sxm.json: not a JSON object
$TRY_OG" opgraph --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 8 --osl 2
}

@test "system spec: missing required field" {
	spec '/mem_bw_bytes_per_s/d'
	fails 2 "opgraph: --system: $T/sys/h200_sxm.json: missing gpu.mem_bw_bytes_per_s
$TRY_OG" opgraph --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 8 --osl 2
}

@test "system spec: wrong type" {
	spec 's/"power_w": 700/"power_w": "700"/'
	fails 2 "opgraph: --system: $T/sys/h200_sxm.json: gpu.power_w is not a number
$TRY_OG" opgraph --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 8 --osl 2
}

@test "system spec: negative GPU count" {
	spec 's/"num_gpus_per_node": 8/"num_gpus_per_node": -8/'
	fails 2 "opgraph: --system: $T/sys/h200_sxm.json: node.num_gpus_per_node is not a count
$TRY_OG" opgraph --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 8 --osl 2
}

# ---- op records (query) and priced records (aggregate) ----

@test "op record: unknown op_type" {
	ops
	sed '2s/"op_type":"[A-Za-z]*"/"op_type":"Bogus"/' "$T/ops.jsonl" >"$T/in.jsonl"
	run --separate-stderr query "$T/in.jsonl"
	[ "$status" -eq 1 ] && [ "$output" = "$(head -n 1 "$T/in.jsonl")" ]
	[ "$stderr" = "query: $T/in.jsonl:2: op context_embedding: op_type 'Bogus' is not supported by query yet" ]
}

@test "op record: missing attrs" {
	ops
	sed '2s/"attrs":{[^}]*},//' "$T/ops.jsonl" >"$T/in.jsonl"
	run --separate-stderr query "$T/in.jsonl"
	[ "$status" -eq 1 ] && [ "$output" = "$(head -n 1 "$T/in.jsonl")" ]
	[ "$stderr" = "query: $T/in.jsonl:2: op context_embedding: Embedding op: missing object 'attrs'" ]
}

@test "op record: points that are not an array" {
	ops
	sed '2s/"points":\[[^]]*\]/"points":7/' "$T/ops.jsonl" >"$T/in.jsonl"
	run --separate-stderr query "$T/in.jsonl"
	[ "$status" -eq 1 ] && [ "$output" = "$(head -n 1 "$T/in.jsonl")" ]
	[ "$stderr" = "query: $T/in.jsonl:2: op context_embedding: Embedding op: missing array 'points'" ]
}

@test "op record: a negative token count is refused" {
	ops
	sed '2s/"x":[0-9]*/"x":-5/' "$T/ops.jsonl" >"$T/in.jsonl"
	run --separate-stderr query "$T/in.jsonl"
	[ "$status" -eq 1 ] && [ "$output" = "$(head -n 1 "$T/in.jsonl")" ]
	[ "$stderr" = "query: $T/in.jsonl:2: op context_embedding: Embedding op: point field 'x' must be a non-negative integer, got -5" ]
}

@test "op record: an absurd token count (1e300)" {
	ops
	sed '2s/"x":[0-9]*/"x":1e300/' "$T/ops.jsonl" >"$T/in.jsonl"
	run --separate-stderr query "$T/in.jsonl"
	[ "$status" -eq 1 ] && [ "$output" = "$(head -n 1 "$T/in.jsonl")" ]
	[ "$stderr" = "query: $T/in.jsonl:2: op context_embedding: Embedding op: point field 'x' must be a non-negative integer, got 1.0000000000000001e+300" ]
}

@test "priced op: latency_ms of the wrong type" {
	ops
	sed '2s/"latency_ms":[0-9.e-]*,/"latency_ms":"fast",/' "$T/priced.jsonl" >"$T/in.jsonl"
	fails 1 "aggregate: <stdin>:2: op 'context_embedding' has no latency_ms (was it priced by query?)" fed "$T/in.jsonl" aggregate
}

@test "priced op: negative latency_ms" {
	ops
	sed '3s/"latency_ms":[0-9.e-]*,/"latency_ms":-1,/' "$T/priced.jsonl" >"$T/in.jsonl"
	fails 1 "aggregate: <stdin>:3: op 'context_add_norm_1': latency_ms or energy_wms is negative or absurdly large" fed "$T/in.jsonl" aggregate
}

@test "priced op: absurdly large latency_ms (sums would overflow)" {
	ops
	sed '3s/"latency_ms":[0-9.e-]*,/"latency_ms":1e308,/' "$T/priced.jsonl" >"$T/in.jsonl"
	fails 1 "aggregate: <stdin>:3: op 'context_add_norm_1': latency_ms or energy_wms is negative or absurdly large" fed "$T/in.jsonl" aggregate
}

@test "priced op: denormal latencies give infinite throughput: shown as inf, no undefined cast" {
	ops
	sed 's/"latency_ms":[0-9.e-]*,/"latency_ms":1e-320,/' "$T/priced.jsonl" >"$T/in.jsonl"
	run --separate-stderr aggregate --format table <"$T/in.jsonl"
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[[ "${lines[1]}" == *" inf "* ]]
}

@test "priced op: an op of another configuration" {
	ops
	sed '3s/"config_id":"c1"/"config_id":"zz"/' "$T/priced.jsonl" >"$T/in.jsonl"
	fails 1 "aggregate: <stdin>:3: op 'context_add_norm_1' belongs to config 'zz' but follows the config record of 'c1'" fed "$T/in.jsonl" aggregate
}

@test "priced op: ops without their config record" {
	ops
	sed 1d "$T/priced.jsonl" >"$T/in.jsonl"
	fails 1 "aggregate: <stdin>:1: op 'context_embedding' of config 'c1' comes before any config record" fed "$T/in.jsonl" aggregate
}

@test "config record: zero batch" {
	ops
	sed '1s/"batch":4/"batch":0/' "$T/priced.jsonl" >"$T/in.jsonl"
	fails 1 "aggregate: <stdin>:1: config record: 'batch' must be positive" fed "$T/in.jsonl" aggregate
}

# ---- interp ----

@test "interp: table points of mixed dimension" {
	fails 1 "interp: $BAD/interp_mixed_dims.jsonl:2: table point has 2 coordinate(s), earlier ones had 1" interp "$BAD/interp_mixed_dims.jsonl"
}

@test "interp: a value of the wrong type" {
	fails 1 "interp: $BAD/interp_value_string.jsonl:1: field 'value' must be a number" interp "$BAD/interp_value_string.jsonl"
}

@test "interp: an infinite value" {
	fails 1 "interp: $BAD/interp_infinite.jsonl:2: number out of range (key 'value')" interp "$BAD/interp_infinite.jsonl"
}

@test "interp: a query with the wrong dimension" {
	fails 1 "interp: $BAD/interp_query_dims.jsonl:3: query has 2 coordinate(s), the table 1" interp "$BAD/interp_query_dims.jsonl"
}

@test "interp: queries without a table" {
	fails 1 "interp: queries but no table points" interp "$BAD/interp_no_table.jsonl"
}

@test "interp: a failed query writes nothing, the others their answers" {
	run --separate-stderr interp --method linear-2d "$BAD/interp_outside.jsonl"
	[ "$status" -eq 1 ]
	[ "$stderr" = "interp: $BAD/interp_outside.jsonl:5: query (linear-2d): 9 is above the largest key 2" ]
	[ "${#lines[@]}" -eq 1 ] && [ "$(printf '%s\n' "${lines[0]}" | jget latency)" = 2.5 ]
}

# ---- a closed stdout: quiet exit 0, nothing on stderr ----

# closed CMD...: CMD's stdout read by `head -n 1`; CMD must exit 0 and print nothing on stderr.
# The real binaries run here even under VALGRIND, whose wrapper buffers a filter's output and so
# would never let it meet the closed pipe.
closed() {
	local PATH="$ROOT/bin:$PATH"
	run bash -c '"$@" 2>"$0.err" | head -n 1 >/dev/null; echo "${PIPESTATUS[0]}"' "$T/closed" "$@"
	[ "$output" = 0 ] || { echo "exit $output" >&2; return 1; }
	[ ! -s "$T/closed.err" ] || { cat "$T/closed.err" >&2; return 1; }
}

@test "closed stdout: hfparse" {
	set -- "$L8"
	for i in $(seq 11); do set -- "$@" "$@"; done
	closed hfparse "$@"
}

@test "closed stdout: opgraph, query, aggregate" {
	"$BIN/hfparse" "$L8" >"$T/m.jsonl"
	"$BIN/opgraph" --system h200_sxm --backend trtllm --tp 1 --batch 4 --isl 512 --osl 4001 --stride 1 <"$T/m.jsonl" >"$T/ops.jsonl"
	closed sh -c 'exec "$0" --system h200_sxm --backend trtllm --tp 1 --batch 4 --isl 512 --osl 4001 --stride 1 <"$1"' "$ROOT/bin/opgraph" "$T/m.jsonl"
	closed query "$T/ops.jsonl"
	for i in $(seq 3000); do cat "$T/m.jsonl"; done >"$T/many.jsonl"
	"$BIN/opgraph" --system h200_sxm --backend trtllm --tp 1 --batch 4 --isl 512 --osl 2 --mode static_ctx <"$T/many.jsonl" \
		| "$BIN/query" >"$T/priced.jsonl"
	closed sh -c 'exec "$0" <"$1"' "$ROOT/bin/aggregate" "$T/priced.jsonl"
}

@test "closed stdout: perfload and interp" {
	closed perfload --system h200_sxm --backend trtllm gemm
	for i in $(seq 20000); do echo '{"query":true,"x":2,"y":300,"z":20}'; done >"$T/q.jsonl"
	cat "$FIXTURES/interp/table3.jsonl" "$T/q.jsonl" >"$T/in.jsonl"
	closed interp "$T/in.jsonl"
}

@test "closed stdout: estimate" {
	closed "$ROOT/pipelines/estimate" --model "$L8" --system h200_sxm --backend trtllm --tp 1 --batch 4 --isl 512 \
		--osl 4001 --stride 1 --format jsonl --ops
}

@test "fuzz regression: 5.1e20 written back as JSON (was undefined behaviour casting to long long)" {
	run --separate-stderr bash -c "printf '{\"record\":\"note\",\"v\":5.10604085033602533e20}\n' | opgraph --system h200_sxm --backend trtllm --batch 1 --isl 10 --osl 2"
	assert_success
	assert_output '{"record":"note","v":5.1060408503360251e+20}'
	[ -f "$BAD/fuzz-jsonl-5e20.jsonl" ]
}

@test "fuzz regression: Qwen3.5 linear_num_key_heads 1.7e67 (was undefined behaviour casting to long)" {
	run --separate-stderr bash -c "hfparse '$MODELS/Qwen--Qwen3.5-27B' | sed 's/\"linear_num_key_heads\":[0-9]*/\"linear_num_key_heads\":1.7e67/' | opgraph --system h200_sxm --backend trtllm --batch 1 --isl 10 --osl 2 --tp 1"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: QWEN35 model record: extra_params.linear_num_key_heads is not a non-negative number"
	assert_output ""
}

@test "fuzz regression: Nemotron NAS num_inst 2e118 (was undefined behaviour casting to long)" {
	run --separate-stderr bash -c "hfparse '$MODELS/nvidia--Llama-3_3-Nemotron-Super-49B-v1' | sed 's/\"num_inst\":[0-9]*/\"num_inst\":2e118/' | opgraph --system h200_sxm --backend trtllm --batch 1 --isl 10 --osl 2 --tp 1"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: NAS block_configs[0]: needs an integer 'num_inst' from 1 to 2^31-1"
	assert_output ""
}

@test "Nemotron NAS: an absurd ffn_ffn_mult or attn_n_heads_in_group is refused, not cast" {
	run --separate-stderr bash -c "hfparse '$MODELS/nvidia--Llama-3_3-Nemotron-Super-49B-v1' | sed 's/\"ffn_ffn_mult\":[0-9.]*/\"ffn_ffn_mult\":3e300/' | opgraph --system h200_sxm --backend trtllm --batch 1 --isl 10 --osl 2 --tp 1"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: NAS block_configs[0]: FFN block without an 'ffn_ffn_mult' in (0, 1e6]"
	assert_output ""
	run --separate-stderr bash -c "hfparse '$MODELS/nvidia--Llama-3_3-Nemotron-Super-49B-v1' | sed 's/\"attn_n_heads_in_group\":[0-9]*/\"attn_n_heads_in_group\":1e40/' | opgraph --system h200_sxm --backend trtllm --batch 1 --isl 10 --osl 2 --tp 1"
	assert_failure 1
	assert_equal "$stderr" "opgraph: <stdin>:1: NAS block_configs[0]: attention block without an integer 'attn_n_heads_in_group' from 1 to 2^31-1"
	assert_output ""
}
