#!/usr/bin/env bats
# query: op records priced from the perf tables (values checked against the reference's goldens).
load test_helper
bats_require_minimum_version 1.5.0

CFG='{"record":"config","config_id":"c1","system":"h200_sxm","backend":"trtllm"}'
# llama31_8b h200_sxm trtllm bs1 isl1024: context_qkv_gemm, golden latency_ms 2.579370657602946
GEMM='{"record":"op","config_id":"c1","name":"context_qkv_gemm","op_type":"GEMM","scale_factor":32,"attrs":{"n":6144,"k":4096,"quant_mode":"bfloat16"},"points":[{"x":1024,"batch":1,"beam":1,"s":1024,"prefix":0,"count":1}]}'
HEADER='framework,version,device,op_name,kernel_source,gemm_dtype,m,n,k,latency'

# A data root with one gemm table whose body is given on stdin (after the header).
fake_data() {
	local dir="$BATS_TEST_TMPDIR/data/h200_sxm/trtllm/1.3.0rc10"
	mkdir -p "$dir"
	cat >"$dir/gemm_perf.txt"
	echo "$BATS_TEST_TMPDIR/data"
}

@test "query --help prints usage and exits 0" {
	run query --help
	assert_success
	assert_output --partial "usage: query"
}

@test "query rejects an unknown option and a bad mode with exit 2" {
	run query --frobnicate
	assert_failure 2
	assert_output --partial "try 'query --help'"
	run query --database-mode fast </dev/null
	assert_failure 2
	assert_line --index 0 "query: --database-mode must be silicon, hybrid, empirical or sol, not 'fast'"
}

@test "query prices a GEMM from the system/backend of its config record" {
	run bash -c "printf '%s\n%s\n' '$CFG' '$GEMM' | query"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	assert_line --index 0 "${CFG%\}},\"data_version\":\"1.3.0rc10\",\"database_mode\":\"silicon\"}"
	run bash -c "printf '%s\n%s\n' '$CFG' '$GEMM' | query | tail -1 | "$TOOLS/jget" latency_ms"
	approx "$output" 2.579370657602946
	run bash -c "printf '%s\n%s\n' '$CFG' '$GEMM' | query | tail -1 | "$TOOLS/jget" source"
	assert_output silicon
}

@test "query prices the llama 3.1 8B context attention as the reference (mixed source)" {
	op='{"record":"op","name":"context_attention","op_type":"ContextAttention","scale_factor":32,"attrs":{"n":32,"n_kv":8,"kvcache_quant_mode":"bfloat16","fmha_quant_mode":"bfloat16","window_size":0,"head_size":128,"use_qk_norm":false},"points":[{"x":1024,"batch":1,"beam":1,"s":1024,"prefix":0,"count":1}]}'
	run bash -c "echo '$op' | query --system h200_sxm --backend trtllm | "$TOOLS/jget" latency_ms"
	approx "$output" 2.0403746531180826
	run bash -c "echo '$op' | query --system h200_sxm --backend trtllm | "$TOOLS/jget" source"
	assert_output mixed
}

@test "query sums generation points weighted by count" {
	# llama31_8b h200 trtllm bs1 isl1024 osl128: generation_attention golden 51.803761089678545
	pts=""
	for i in $(seq 0 32 126); do
		c=$((127 - i)); [ $c -gt 32 ] && c=32
		pts="$pts${pts:+,}{\"x\":1,\"batch\":1,\"beam\":1,\"s\":$((1024 + i + 1)),\"prefix\":0,\"count\":$c}"
	done
	op="{\"record\":\"op\",\"name\":\"generation_attention\",\"op_type\":\"GenerationAttention\",\"scale_factor\":32,\"attrs\":{\"n\":32,\"n_kv\":8,\"kv_cache_dtype\":\"bfloat16\",\"window_size\":0,\"head_size\":128},\"points\":[$pts]}"
	run bash -c "echo '$op' | query --system h200_sxm --backend trtllm | "$TOOLS/jget" latency_ms"
	approx "$output" 51.803761089678545
}

@test "query passes unknown records through unchanged" {
	run bash -c "echo '{\"record\":\"note\",\"x\":[1,2]}' | query --system h200_sxm --backend trtllm"
	assert_success
	assert_output '{"record":"note","x":[1,2]}'
}

@test "query refuses a shape without silicon data, naming the op and the missing data" {
	op=${GEMM/bfloat16/nvfp4}
	run bash -c "echo '$op' | query --system h200_sxm --backend trtllm"
	assert_failure 1
	assert_output "query: <stdin>:1: op context_qkv_gemm: GEMM m=1024 n=6144 k=4096 quant nvfp4: no GEMM data for quant mode nvfp4 in $INFERCAST_DATA/h200_sxm/trtllm/1.3.0rc10/gemm_perf.txt (it has: bfloat16, fp8, fp8_block) (try --database-mode hybrid)"
}

@test "query in hybrid mode falls back to the empirical formula" {
	op=${GEMM/bfloat16/nvfp4}
	run bash -c "echo '$op' | query --system h200_sxm --backend trtllm --database-mode hybrid | "$TOOLS/jget" source"
	assert_output empirical
	# speed of light of 1024x6144x4096 at the fp4 rate, / 0.8, x 32 layers
	run bash -c "echo '$op' | query --system h200_sxm --backend trtllm --database-mode hybrid | "$TOOLS/jget" latency_ms"
	approx "$output" 0.52112848889787655
}

@test "query in sol mode gives the speed of light" {
	run bash -c "echo '$GEMM' | query --system h200_sxm --backend trtllm --database-mode sol | "$TOOLS/jget" latency_ms"
	# max(2*1024*6144*4096/989e12, 2*(1024*6144+1024*4096+6144*4096)/4.8e12) * 1000 * 32
	approx "$output" 1.6676111644732052
}

@test "query names an op_type it does not know yet" {
	op=${GEMM/\"GEMM\"/\"Conv3D\"}
	run bash -c "echo '$op' | query --system h200_sxm --backend trtllm"
	assert_failure 1
	assert_output "query: <stdin>:1: op context_qkv_gemm: op_type 'Conv3D' is not supported by query yet"
}

@test "query needs a system: an op record without config or options fails" {
	run bash -c "echo '$GEMM' | query"
	assert_failure 1
	assert_output "query: <stdin>:1: op record without a system/backend: give --system and --backend or a config record first"
}

@test "query rejects unknown systems, backends and versions" {
	run bash -c "echo '$GEMM' | query --system nope --backend trtllm"
	assert_failure 1
	assert_output --partial "query: <stdin>:1: unknown system 'nope'"
	run bash -c "echo '$GEMM' | query --system h200_sxm --backend nope"
	assert_failure 1
	assert_output --partial "query: <stdin>:1: unknown backend 'nope'"
	run bash -c "echo '$GEMM' | query --system h200_sxm --backend trtllm --version 0.1"
	assert_failure 1
	assert_output "query: <stdin>:1: unknown version '0.1' for h200_sxm/trtllm (known: 1.3.0rc10)"
}

bad_table() { # BODY EXPECTED-MESSAGE-AFTER-PATH
	root=$(printf '%b' "$1" | fake_data)
	run bash -c "echo '$GEMM' | query --system h200_sxm --backend trtllm --data-dir '$root'"
	assert_failure 1
	assert_output "query: $root/h200_sxm/trtllm/1.3.0rc10/gemm_perf.txt$2"
}

@test "query: a short row in a table" {
	bad_table "$HEADER\nT,1,H,gemm,t,bfloat16,1,2,3,0.5\nT,1,H,gemm,t,bfloat16,1,2,0.5\n" ":3: 9 fields where the header has 10"
}

@test "query: a non-numeric, a negative and a NaN latency" {
	bad_table "$HEADER\nT,1,H,gemm,t,bfloat16,1,2,3,fast\n" ":2: latency 'fast' is not a number"
	bad_table "$HEADER\nT,1,H,gemm,t,bfloat16,1,2,3,-0.5\n" ":2: latency '-0.5' is negative"
	bad_table "$HEADER\nT,1,H,gemm,t,bfloat16,1,2,3,nan\n" ":2: latency 'nan' is not finite"
}

@test "query: a missing column, an empty file, a Git LFS pointer" {
	bad_table "framework,gemm_dtype,m,n,latency\nT,bfloat16,1,2,0.5\n" ":1: missing column 'k'"
	bad_table "" ": empty file, no header"
	bad_table "version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n" ":1: a Git LFS pointer, not the table (run 'git lfs pull')"
}

@test "query: a table with a good row answers from it" {
	root=$(printf '%b' "$HEADER\nT,1,H,gemm,t,bfloat16,1024,6144,4096,0.5\nT,1,H,gemm,t,bfloat16,1024,6144,4096,0.9\n" | fake_data)
	run bash -c "echo '$GEMM' | query --system h200_sxm --backend trtllm --data-dir '$root' | "$TOOLS/jget" latency_ms"
	# first row wins, times 32 layers
	approx "$output" 16
}

@test "query --keep-going: a refused op gets 'error' instead of latency; the others are priced" {
	op=${GEMM/bfloat16/nvfp4}
	run bash -c "printf '%s\n%s\n%s\n' '$CFG' '$op' '$GEMM' | query --keep-going"
	assert_success
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s' "${lines[1]}" | "$TOOLS/jget" error)" = "GEMM m=1024 n=6144 k=4096 quant nvfp4: no GEMM data for quant mode nvfp4 in $INFERCAST_DATA/h200_sxm/trtllm/1.3.0rc10/gemm_perf.txt (it has: bfloat16, fp8, fp8_block) (try --database-mode hybrid)" ]
	refute_line --index 1 --partial latency_ms
	refute_line --index 1 --partial '"source"'
	approx "$(printf '%s' "${lines[2]}" | "$TOOLS/jget" latency_ms)" 2.579370657602946
	refute_line --index 2 --partial '"error"'
}

@test "query --keep-going: a stale latency of a re-priced op is dropped; bad records still fail" {
	op=${GEMM/bfloat16/nvfp4}
	op=${op/\"points\"/\"latency_ms\":1,\"source\":\"silicon\",\"points\"}
	run bash -c "echo '$op' | query --system h200_sxm --backend trtllm --keep-going"
	assert_success
	refute_output --partial latency_ms
	assert_output --partial '"error":"GEMM m=1024'
	op=${GEMM/\"GEMM\"/\"Conv3D\"}
	run bash -c "echo '$op' | query --system h200_sxm --backend trtllm --keep-going"
	assert_failure 1
	assert_output "query: <stdin>:1: op context_qkv_gemm: op_type 'Conv3D' is not supported by query yet"
}

@test "query --keep-going | aggregate: the configuration's report carries the first error, no numbers" {
	op=${GEMM/bfloat16/nvfp4}
	op=${op/\"points\"/\"phase\":\"context\",\"points\"}
	good=${GEMM/\"points\"/\"phase\":\"context\",\"points\"}
	cfg='{"record":"config","config_id":"c1","system":"h200_sxm","backend":"trtllm","mode":"static_ctx","batch":1,"isl":1024,"osl":2,"tp":1,"pp":1,"dp":1,"memory_gib":{"total":1}}'
	run bash -c "printf '%s\n%s\n%s\n' '$cfg' '$good' '$op' | query --keep-going | aggregate"
	assert_success
	[ "${#lines[@]}" -eq 1 ]
	assert_output --partial '"record":"report","config_id":"c1"'
	assert_output --partial '"error":"op context_qkv_gemm: GEMM m=1024 n=6144 k=4096 quant nvfp4: no GEMM data'
	refute_output --partial ttft_ms
	refute_output --partial tokens_per_s
}

@test "query: a run of points (opgraph --point-runs) prices to the same bytes as the explicit list" {
	# the list of the test above: s = 1025, 1057, 1089, 1121 counted 32, 32, 32, 31
	head='{"record":"op","config_id":"c1","name":"generation_attention","op_type":"GenerationAttention","scale_factor":32,"attrs":{"n":32,"n_kv":8,"kv_cache_dtype":"bfloat16","window_size":0,"head_size":128},"points":['
	list='{"x":1,"batch":1,"beam":1,"s":1025,"prefix":0,"count":32},{"x":1,"batch":1,"beam":1,"s":1057,"prefix":0,"count":32},{"x":1,"batch":1,"beam":1,"s":1089,"prefix":0,"count":32},{"x":1,"batch":1,"beam":1,"s":1121,"prefix":0,"count":31}'
	runp='{"x":1,"batch":1,"beam":1,"s":1025,"prefix":0,"count":32,"run":4,"s_step":32,"last_count":31}'
	a=$(printf '%s\n%s%s]}\n' "$CFG" "$head" "$list" | query | tail -1)
	b=$(printf '%s\n%s%s]}\n' "$CFG" "$head" "$runp" | query | tail -1)
	approx "$(echo "$a" | jget latency_ms)" 51.803761089678545
	assert_equal "${a##*]}" "${b##*]}"
	# a repeated record (another configuration) is answered from the memo: same fields
	c=$(printf '%s\n%s%s]}\n%s\n%s%s]}\n' "$CFG" "$head" "$runp" "${CFG/c1/c2}" "${head/c1/c2}" "$runp" | query | tail -1)
	assert_equal "${c##*]}" "${b##*]}"
	run bash -c "printf '%s\n%s%s]}\n' '$CFG' '$head' '{\"x\":1,\"batch\":1,\"s\":1025,\"run\":0}' | query"
	assert_failure 1
	assert_output --partial "point field 'run' must be 1 to 100000000, got 0"
}

@test "query names each configuration's tables on its config record: data_version and database_mode" {
	run query <<<"$CFG"
	assert_success
	assert_output '{"record":"config","config_id":"c1","system":"h200_sxm","backend":"trtllm","data_version":"1.3.0rc10","database_mode":"silicon"}'
	run query --database-mode sol <<<"$CFG"
	assert_output '{"record":"config","config_id":"c1","system":"h200_sxm","backend":"trtllm","data_version":"1.3.0rc10","database_mode":"sol"}'
	# no tables at all (a data folder without the system): null, and sol says why
	run query --database-mode sol --data-dir "$BATS_TEST_TMPDIR" <<<"$CFG"
	assert_output '{"record":"config","config_id":"c1","system":"h200_sxm","backend":"trtllm","data_version":null,"database_mode":"sol"}'
	# a mode the record carries is replaced by the one used, once
	run query <<<'{"record":"config","config_id":"c1","system":"h200_sxm","backend":"trtllm","database_mode":"HYBRID"}'
	assert_output '{"record":"config","config_id":"c1","system":"h200_sxm","backend":"trtllm","data_version":"1.3.0rc10","database_mode":"hybrid"}'
	# a version that is not there: the record passes as read, the first op says why, naming its line
	run --separate-stderr query --version 9.9 <<<"$CFG"$'\n'"$GEMM"
	assert_failure 1
	assert_output "$CFG"
	assert_equal "$stderr" "query: <stdin>:2: unknown version '9.9' for h200_sxm/trtllm (known: 1.3.0rc10)"
}

@test "query --explain: the table rows and grid points behind each look-up, nothing without it" {
	T="$SHARED/data/h200_sxm/trtllm/1.3.0rc10/gemm_perf.txt"
	# a measured row
	run query --explain <<<"$CFG"$'\n'"$GEMM"
	assert_success
	assert_line --index 1 --partial '"latency_ms":2.5793706576029458,"energy_wms":0,"source":"silicon","detail":"measured","explain":[{"table":"'"$T"'","method":"row","at":[1024,6144,4096],"points":[[1024,6144,4096,0.080605333050092057]],"latency_ms":0.080605333050092057}]}'
	# between rows of the same (n, k): a line along m through its two neighbours; 32 layers of it
	run query --explain <<<"$CFG"$'\n'"${GEMM/\"x\":1024/\"x\":1000}"
	assert_line --index 1 --partial '"detail":"interpolated","explain":[{"table":"'"$T"'","method":"linear_1d","at":[1000,6144,4096],"points":[[896,6144,4096,0.067026960518625042],[1024,6144,4096,0.080605333050092057]],"latency_ms":0.078059388200442}]}'
	approx "$(jget latency_ms <<<"${lines[1]}")" "$(awk 'BEGIN { printf "%.17g", 0.078059388200442 * 32 }')" 1e-12
	# off the grid: the eight corners of the cubic-then-linear interpolation
	run query --explain <<<"$CFG"$'\n'"$(sed 's/"n":6144,"k":4096/"n":6000,"k":4000/; s/"x":1024/"x":1000/' <<<"$GEMM")"
	assert_equal "$(jget explain.0.method <<<"${lines[1]}")" cubic_2d_then_1d
	assert_equal "$(jget explain.0.at <<<"${lines[1]}")" '[1000,6000,4000]'
	assert_equal "$(jget explain.0.points <<<"${lines[1]}")" '[[896,5120,3584,0.054605731582329946],[896,5120,4096,0.051658071061364969],[896,6144,3584,0.055225902114039153],[896,6144,4096,0.067026960518625042],[1024,5120,3584,0.0589413344860077],[1024,5120,4096,0.056589335203170776],[1024,6144,3584,0.0625893324613571],[1024,6144,4096,0.080605333050092057]]'
	# a whole model: one step per look-up of each point; formulas alone give []; the numbers do not change
	ops=$(hfparse "$MODELS/Qwen--Qwen3-8B" | opgraph --system h200_sxm --backend trtllm --tp 2 --batch 1 --isl 100 --osl 40)
	plain=$(query <<<"$ops")
	[[ $plain != *'"explain"'* ]]
	explained=$(query --explain <<<"$ops")
	assert_equal "$(jget latency_ms <<<"$explained" | tail -n +2)" "$(jget latency_ms <<<"$plain" | tail -n +2)"
	run jget explain <<<"$(grep '"name":"context_add_norm_1"' <<<"$explained")"
	assert_output '[]'
	# generation: the steps of each evaluated point in order (s = 101 and 133, five look-ups each
	# over the sequence lengths the point stands for)
	att=$(grep '"name":"generation_attention"' <<<"$explained")
	assert_equal "$(jget explain.0.method <<<"$att") $(jget explain.0.at <<<"$att") $(jget explain.9.at <<<"$att")" \
		"bilinear_2d_then_1d [16,1,90] [16,1,146]"
	run jget explain.10 <<<"$att"
	assert_failure
}

@test "query: a configuration is forgotten after its op_records records (bounded memory), interleaved streams price the same" {
	# 60 configurations of three models' shapes, all config records first, then their op
	# records round-robin: each configuration's slot is dropped after its last record, in
	# any order of the hash table's runs, and the answers equal those of a stream without
	# op_records (kept to the end)
	g="$BATS_TEST_TMPDIR/grid.jsonl"
	for tp in 1 2 4; do
		for b in 1 2 4 8 16 32 64 128 256 512; do
			for isl in 512 4096; do
				hfparse "$MODELS/Qwen--Qwen3-32B" |
					sed "s/^{/{\"config_id\":\"t${tp}b${b}i${isl}\",\"runtime\":{\"tp\":$tp,\"batch\":$b,\"isl\":$isl},/"
			done
		done
	done >"$g"
	opgraph --system h200_sxm --backend trtllm --batch 1 --isl 1 --osl 64 <"$g" >"$BATS_TEST_TMPDIR/ops"
	{
		grep '"record":"config"' "$BATS_TEST_TMPDIR/ops"
		grep '"record":"op"' "$BATS_TEST_TMPDIR/ops" | awk -F'"config_id":"' '{ split($2, a, "\""); n[a[1]]++; print n[a[1]] "\t" NR "\t" $0 }' |
			sort -n -k1,1 -k2,2 | cut -f3-
	} >"$BATS_TEST_TMPDIR/rr"
	[ "$(grep -c '"op_records":' "$BATS_TEST_TMPDIR/rr")" -eq 60 ]
	run --separate-stderr query "$BATS_TEST_TMPDIR/rr"
	assert_success
	with=$output
	run --separate-stderr query < <(sed 's/,"op_records":[0-9]*//' "$BATS_TEST_TMPDIR/rr")
	assert_success
	[ "$(echo "$output" | grep -c '"latency_ms"')" -eq "$(grep -c '"record":"op"' "$BATS_TEST_TMPDIR/rr")" ]
	assert_equal "$(echo "$with" | grep '"record":"op"')" "$(echo "$output" | grep '"record":"op"')"
	# an op record beyond its configuration's count finds no configuration (the stream lied)
	cfg='{"record":"config","config_id":"k","system":"h200_sxm","backend":"trtllm","op_records":1}'
	op=$(grep -m1 '"name":"context_qkv_gemm"' "$BATS_TEST_TMPDIR/ops" | sed 's/"config_id":"[^"]*"/"config_id":"k"/')
	other='{"record":"config","config_id":"j","system":"h200_sxm","backend":"trtllm"}'
	run --separate-stderr bash -c "printf '%s\n' '$cfg' '$op' '$other' '$op' | query"
	assert_failure 1
	assert_equal "$stderr" "query: <stdin>:4: op record without a system/backend: give --system and --backend or a config record first"
}

@test "query: every op type prices a run of points as the same points listed (ops that read x only are priced once a run)" {
	# opgraph with and without --point-runs: the same ops, their decode points as runs or lists;
	# query must answer both alike, op for op, whatever the op type (lib/query/opquery_op's
	# opquery_op_reads_x_only names the types whose runs are priced at their first point)
	types=
	for spec in "Qwen--Qwen3-32B --tp 8" "Qwen--Qwen3-30B-A3B --tp 2 --pp 2 --moe-tp 2" "deepseek-ai--DeepSeek-V3 --tp 8 --moe-ep 8" \
		"nvidia--Nemotron-H-56B-Base-8K --tp 4"; do
		set -- $spec
		hfparse "$MODELS/$1" >"$BATS_TEST_TMPDIR/m"
		shift
		for pr in list --point-runs; do
			opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1000 --osl 100 "$@" \
				$([ "$pr" = list ] || echo "$pr") <"$BATS_TEST_TMPDIR/m" | query --database-mode hybrid |
				sed 's/"points":\[[^]]*\],*//' >"$BATS_TEST_TMPDIR/$pr"
		done
		run diff "$BATS_TEST_TMPDIR/list" "$BATS_TEST_TMPDIR/--point-runs"
		assert_success
		grep -q '"run":' <(opgraph --system h200_sxm --backend trtllm --batch 8 --isl 1000 --osl 100 "$@" --point-runs <"$BATS_TEST_TMPDIR/m")
		types="$types $(grep -o '"op_type":"[A-Za-z0-9]*"' "$BATS_TEST_TMPDIR/list" | sed 's/.*:"//; s/"//' | tr '\n' ' ')"
	done
	# the op types compared: the x-only ones and attention alike
	# (NCCL, the wide-EP models' only, reads x alone as well)
	assert_equal "$(printf '%s\n' $types | sort -u | tr '\n' ' ')" \
		"ContextAttention ContextMLA CustomAllReduce ElementWise Embedding FallbackOp GEMM GenerationAttention GenerationMLA MLABmm MLAModule Mamba2Kernel MoE MoEDispatch OverlapOp P2P "
}

@test "query --slim: op records without attrs and points, every other byte as without it; aggregate reports the same" {
	# a sweep's stream: repeated records (answered from the memo), and one op the tables refuse
	# under --keep-going (written through cJSON with its error)
	hfparse "$MODELS/Qwen--Qwen3-32B" | sweep --system h200_sxm --backend trtllm --total-gpus 8 --isl 4000 --osl 1000 |
		head -n 40 | opgraph --keep-going --point-runs --system h200_sxm --backend trtllm --isl 4000 --osl 1000 \
		--batch 1 >"$BATS_TEST_TMPDIR/ops"
	bad='{"record":"op","config_id":"c1","phase":"context","name":"x_gemm","op_type":"GEMM","scale_factor":1,"attrs":{"n":6144,"k":4096,"quant_mode":"nvfp4"},"points":[{"x":1024,"batch":1,"s":1024}],"step":"static"}'
	{ cat "$BATS_TEST_TMPDIR/ops"; echo "$CFG"; echo "$bad"; } >"$BATS_TEST_TMPDIR/in"
	query --keep-going <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/full"
	query --keep-going --slim <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/slim"
	# the full lines with the two members cut out by sed are the slim lines
	sed -E 's/"attrs":\{[^}]*\},//; s/"points":\[[^]]*\],?//' "$BATS_TEST_TMPDIR/full" >"$BATS_TEST_TMPDIR/cut"
	run diff "$BATS_TEST_TMPDIR/cut" "$BATS_TEST_TMPDIR/slim"
	assert_success
	assert_equal "$(grep -c '"record":"op"' "$BATS_TEST_TMPDIR/slim")" "$(grep -c '"record":"op"' "$BATS_TEST_TMPDIR/in")"
	assert_equal "$(grep -c '"attrs"\|"points"' "$BATS_TEST_TMPDIR/slim")" 0
	assert_equal "$(grep -c '"error":"' "$BATS_TEST_TMPDIR/slim")" 1
	# priced records repeat in the stream (the memo's slim text is what is written)
	[ "$(grep '"record":"op"' "$BATS_TEST_TMPDIR/slim" | sed 's/"config_id":"[^"]*",//' | sort | uniq -d | wc -l)" -gt 100 ]
	run diff <(aggregate <"$BATS_TEST_TMPDIR/full") <(aggregate <"$BATS_TEST_TMPDIR/slim")
	assert_success
	[ "$(wc -c <"$BATS_TEST_TMPDIR/slim")" -lt "$(($(wc -c <"$BATS_TEST_TMPDIR/full") * 2 / 3))" ]
}
