#!/usr/bin/env bats
# aggregate: config records and priced op records in, one report per configuration out.
load test_helper
bats_require_minimum_version 1.5.0

QWEN="$FIXTURES/opgraph_qwen3_32b.jsonl"
GOLD="$GOLDENS/static/qwen3_32b__h200_sxm__trtllm__isl4000_osl1000__bs8_tp2_pp1.json"

# Qwen3-32B on h200 tp2, priced with the golden's own per-op latencies.
priced() {
	opgraph --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 4000 --osl 1000 "$@" < "$QWEN" |
		"$TOOLS/parity_static" inject "$GOLD"
}

@test "aggregate --help prints the usage and exits 0" {
	run aggregate --help
	assert_success
	assert_line --index 0 "usage: aggregate [--ops] [--refuse-oom] [--format jsonl|csv|table] [--fidelity load|reference]"
}

@test "aggregate: bad options are usage errors" {
	run aggregate --format xml
	assert_failure 2
	assert_output "aggregate: --format: 'xml' is not one of jsonl, csv, table
try 'aggregate --help'"
	run aggregate --nope
	assert_failure 2
	assert_line --index 0 "aggregate: unknown option '--nope'"
}

@test "aggregate: reproduces the reference's summary from its per-op latencies" {
	run aggregate < <(priced)
	assert_success
	approx "$(echo "$output" | jget ttft_ms)" 1749.8732658229642
	approx "$(echo "$output" | jget tpot_ms)" 12.656936362841101
	approx "$(echo "$output" | jget request_latency_ms)" 14394.152692301224
	approx "$(echo "$output" | jget tokens_per_s_per_gpu)" 277.89061888577976
	approx "$(echo "$output" | jget tokens_per_s_per_user)" 79.0080609819492
	approx "$(echo "$output" | jget memory_gib.total)" 42.402099609375
	assert_equal "$(echo "$output" | jget record)" report
	assert_equal "$(echo "$output" | jget model)" Qwen/Qwen3-32B
	assert_equal "$(echo "$output" | jget num_gpus)" 2
	assert_equal "$(echo "$output" | jget oom)" false
	assert_equal "$(echo "$output" | jget ops)" MISSING
}

@test "aggregate --ops: one entry per op and phase with its summed latency and source" {
	run aggregate --ops < <(priced)
	assert_success
	assert_equal "$(echo "$output" | jget ops.3.name)" context_attention
	assert_equal "$(echo "$output" | jget ops.3.source)" mixed
	assert_equal "$(echo "$output" | jget ops.17.name)" generation_attention
	approx "$(echo "$output" | jget ops.17.latency_ms)" 2623.620094323554
	assert_equal "$(echo "$output" | jget ops.28)" MISSING
}

@test "aggregate: static_gen has no TTFT and counts osl-1 tokens" {
	run aggregate < <(opgraph --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 4000 --osl 1000 --mode static_gen < "$QWEN" |
		"$TOOLS/parity_static" inject "$GOLDENS/static/qwen3_32b__h200_sxm__trtllm__isl4000_osl1000__bs8_tp2_pp1_static_gen.json")
	assert_success
	assert_equal "$(echo "$output" | jget ttft_ms)" 0
	approx "$(echo "$output" | jget tokens_per_s)" 632.0644878555936
}

@test "aggregate: an op without latency_ms is bad data naming its line, with nothing on stdout" {
	run --separate-stderr aggregate < <(opgraph --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 100 --osl 10 < "$QWEN")
	assert_failure 1
	assert_equal "$stderr" "aggregate: <stdin>:2: op 'context_embedding' has no latency_ms (was it priced by query?)"
	assert_output ""
}

@test "aggregate: a stream cut short (a stage stopped halfway) gives no report, whatever the format" {
	n=$(priced | head -1 | jget op_records)
	assert_equal "$n" "$(priced | grep -c '"record":"op"')"
	for fmt in jsonl csv table; do
		run --separate-stderr aggregate --format $fmt < <(priced | head -n 20)
		assert_failure 1
		assert_equal "$stderr" "aggregate: <stdin>:1: config 'c1': 19 of its $n op records arrived (did an earlier stage stop?)"
		assert_output ""
	done
	# an op too many is as wrong as one too few; a bad count is bad data
	run --separate-stderr aggregate < <(priced | sed '1s/"op_records":[0-9]*/"op_records":3/')
	assert_failure 1
	assert_equal "$stderr" "aggregate: <stdin>:1: config 'c1': $n of its 3 op records arrived (did an earlier stage stop?)"
	run --separate-stderr aggregate < <(priced | sed '1s/"op_records":[0-9]*/"op_records":-1/')
	assert_failure 1
	assert_equal "$stderr" "aggregate: <stdin>:1: config record: 'op_records' must be an integer from 0 to 1e9"
}

@test "aggregate: an op of another configuration, or before any, is bad data" {
	run aggregate <<<'{"record":"op","config_id":"x","name":"a","phase":"context","latency_ms":1}'
	assert_failure 1
	assert_output "aggregate: <stdin>:1: op 'a' of config 'x' comes before any config record"
	run aggregate < <(priced | sed '3s/"config_id":"c1"/"config_id":"c9"/')
	assert_failure 1
	assert_output "aggregate: <stdin>:3: op 'context_add_norm_1' belongs to config 'c9' but follows the config record of 'c1'"
}

@test "aggregate: one report per configuration, in csv one header and one row each" {
	run aggregate --format csv < <(priced --config-id a; priced --config-id b)
	assert_success
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 --partial "config_id,model,system,backend,version,database_mode,mode,tp,pp,dp,"
	# (no query in between: neither the data version nor the database mode is known)
	assert_line --index 1 --partial "a,Qwen/Qwen3-32B,h200_sxm,trtllm,,,static,2,1,1,,,8,4000,1000,0,0,bfloat16,"
	assert_line --index 2 --partial "b,Qwen/Qwen3-32B,"
	assert_line --index 1 --partial ",1749.8732658229642,12.656936362841101,"
}

@test "aggregate --format table: aligned columns, units under the headings, rounded numbers, 120 columns wide" {
	run aggregate --format table < <(priced)
	assert_success
	assert_output "$(cat <<'EOF'
config  model           system    backend    tp    pp    dp  batch   isl   osl  gemm
                                           GPUs  GPUs  GPUs    req   tok   tok
c1      Qwen/Qwen3-32B  h200_sxm  trtllm      2     1     1      8  4000  1000  bfloat16

config  kvcache    ttft_ms  tpot_ms  request_ms  tokens/s/gpu  tokens/s/user  memory_gib  oom
                        ms       ms          ms     tok/s/GPU     tok/s/user         GiB
c1      bfloat16  1749.873   12.657   14394.153       277.891         79.008      42.402  false
EOF
)"
	# through query, each configuration names its tables: the version used and the database mode
	run bash -c "opgraph --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 4000 --osl 1000 <'$QWEN' | query | aggregate --format table"
	assert_success
	assert_line --index 0 --regexp '^config +model +system +backend +version +database +tp +pp +dp +batch +isl +osl$'
	assert_line --index 2 --regexp '^c1 +Qwen/Qwen3-32B +h200_sxm +trtllm +1\.3\.0rc10 +silicon +2 +1 +1 +8 +4000 +1000$'
	# many configurations: every block repeats the config column, none is wider than 120
	run bash -c "{ for b in 1 2 3; do opgraph --system h200_sxm --backend trtllm --tp 2 --batch \$b --isl 4000 --osl 1000 --config-id b\$b <'$QWEN'; done; } | query | aggregate --format table"
	assert_success
	assert_equal "$(printf '%s\n' "$output" | awk 'length($0) > 120' | wc -l)" 0
	blocks=$(printf '%s\n' "$output" | grep -c '^config ')
	assert_equal "$blocks" 2
	assert_equal "$(printf '%s\n' "$output" | grep -c '^b2 ')" "$blocks"
}
