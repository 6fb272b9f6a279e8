#!/usr/bin/env bats
# bench/accuracy: our serving estimates of measured deployments against the silicon figures and
# the reference's predictions (../shared/reference/silicon_h100_h200{,_predicted}.csv).
load test_helper

ACC="$ROOT/bench/accuracy"
# One row of each system/backend/mode the reference predicts (agg and the one disagg row), plus
# a second model where a group has several: h100 sglang agg/disagg, h100 trtllm (Qwen3-235B,
# Qwen3-32B), h100 vllm (Qwen3-32B, MiniMax-M2.5), h200 sglang (Qwen3-235B, Llama-3.1-8B),
# h200 trtllm (Llama-3.1-70B), h200 vllm (MiniMax-M2.5).
SAMPLE=82,134,141,521,527,1210,576,624,972,11

@test "accuracy: a 10-row sample equals the reference's predictions and is summarised" {
	run "$ACC" --rows "$SAMPLE" --per-row "$BATS_TEST_TMPDIR/rows.tsv"
	assert_success
	assert_line --index 0 --regexp '^accuracy against measured deployments \(.*silicon_h100_h200\.csv\): 10 rows, [0-9]+ s with 2 jobs$'
	assert_line --regexp '^TTFT +rows \|  ours   MAPE median    p90   bias \|   ref   MAPE median    p90   bias$'
	assert_line --regexp '^TPOT +rows \|  ours   MAPE median    p90   bias \|   ref   MAPE median    p90   bias$'
	assert_line --regexp '^h100_sxm sglang disagg +1 \| +1 .*\| +1 '
	assert_line --regexp '^all +10 \| +10 .*\| +10 '
	assert_line "rows: 10; ours predicted 10, refused 0; reference predicted 10, refused 0"
	assert_line "parity: 10 of 10 rows both predict equal the reference's ttft and tpot at 1e-6; 0 predicted by ours only, 0 by the reference only"
	local summary=$output
	# every row predicted, and ttft/tpot equal to the reference's ref_ttft_ms/ref_tpot_ms at 1e-6
	[ "$(wc -l <"$BATS_TEST_TMPDIR/rows.tsv")" -eq 10 ]
	run awk -F'\t' '
		function off(a, b,   d) { d = a - b; if (d < 0) d = -d; return d > 1e-6 * (b < 0 ? -b : b) }
		$7 == "" || $9 == "" || $11 != "" { print "not predicted: " $1 ": " $11; bad++; next }
		off($7, $9) || off($8, $10) { printf "%s: ours %s %s, reference %s %s\n", $1, $7, $8, $9, $10; bad++ }
		END { exit bad > 0 }' "$BATS_TEST_TMPDIR/rows.tsv"
	assert_success
	# ours and the reference's error columns are the same figures
	run awk '/^all +10 \|/ { split($0, s, "|"); sub(/ +$/, "", s[2]); if (s[2] != s[3]) { print; exit 1 } n++ } END { exit n != 2 }' <<<"$summary"
	assert_success
}

@test "accuracy: rows both refuse are counted, with our reasons" {
	# row 1: DeepSeek-V3 on SGLang without fp8 context MLA data; 852: disagg without prefill batch
	run "$ACC" --rows 1,852 --limit 2
	assert_success
	assert_line "rows: 2; ours predicted 0, refused 2; reference predicted 0, refused 2"
	assert_line --partial "failed to query context MLA data"
	assert_line --partial "--mode disagg: --prefill-batch and --decode-batch are required"
}

@test "accuracy: bad options are usage errors" {
	run "$ACC" --limit 0
	assert_failure 2
	assert_output "accuracy: --limit: '0' is not a positive integer
try 'accuracy --help'"
	run "$ACC" --rows 1:3
	assert_failure 2
	assert_line --index 0 "accuracy: --rows: '1:3' is not a list of rows such as 1-20,57"
	run "$ACC" --frobnicate
	assert_failure 2
	assert_line --index 0 "accuracy: unknown option '--frobnicate'"
	run "$ACC" --help
	assert_success
	assert_line --index 0 --partial "usage: accuracy"
}

@test "accuracy --fit: it fits the load model on every row, or says why not" {
	run "$ACC" --fit --rows 1-20
	assert_failure 2
	assert_line --index 0 "accuracy: --fit uses every row: drop --rows and --limit"
	run "$ACC" --fit --fidelity reference
	assert_failure 2
	assert_line --index 0 "accuracy: --fit fits the load model: it needs --fidelity load"
	run "$ACC" --fidelity exact
	assert_failure 2
	assert_line --index 0 "accuracy: --fidelity: 'exact' is not one of load, reference"
}

@test "accuracy --fidelity load: a row whose columns multiply tp by ep is priced as its id names it" {
	# 1234: Qwen3.5-397B on SGLang "..._tp8_ep8_...", columns tp 64, moe_tp 8, moe_ep 8;
	# 1140: gpt-oss-120b on TRT-LLM "..._tp4_ep4_...", columns tp 16, moe_tp 4, moe_ep 4
	run "$ACC" --fidelity load --rows 1234,1140 --reports "$BATS_TEST_TMPDIR/rep.tsv"
	assert_success
	assert_line "rows: 2; ours predicted 2, refused 0; reference predicted 0, refused 2"
	run bash -c "cut -f3 '$BATS_TEST_TMPDIR/rep.tsv' | grep -o '\"tp\":[0-9]*,\"pp\":[0-9]*,\"dp\":[0-9]*,\"moe_tp\":[0-9]*,\"moe_ep\":[0-9]*' | sort"
	assert_output '"tp":4,"pp":1,"dp":1,"moe_tp":1,"moe_ep":4
"tp":8,"pp":1,"dp":1,"moe_tp":1,"moe_ep":8'
	# the reference fidelity reads the columns as the reference does (for parity): 32 heads, tp 64
	run "$ACC" --fidelity reference --rows 1234
	assert_success
	assert_line --partial "num_heads N is not divisible by tp N"
}

@test "accuracy --fidelity load: a disagg row without batch sizes is priced at its concurrency" {
	# 741: DeepSeek-R1 TRT-LLM on H200 "..._c288_tp8_0_ep8_0_353", 1254: SGLang "..._c1024_tp8_ep1_1668";
	# neither gives batch sizes or worker counts, both give silicon_concurrency in the source column
	run "$ACC" --fidelity load --rows 741,1254 --reports "$BATS_TEST_TMPDIR/rep.tsv"
	assert_success
	assert_line "rows: 2; ours predicted 2, refused 0; reference predicted 0, refused 2"
	local a b
	# (a report follows the fallbacks the estimate said on stderr)
	a=$(grep _c288_ "$BATS_TEST_TMPDIR/rep.tsv" | cut -f3 | sed "s/^[^{]*//")
	b=$(grep _c1024_ "$BATS_TEST_TMPDIR/rep.tsv" | cut -f3 | sed "s/^[^{]*//")
	# 3 decode workers (the default guess), the decode batch the clients over them, the prefill
	# workers the tool's pick
	[ "$(jget serving.concurrency <<<"$a")" = 288 ]
	[ "$(jget serving.decode.workers <<<"$a")" = 3 ]
	[ "$(jget serving.decode.batch <<<"$a")" = 96 ]
	[ "$(jget serving.prefill_workers_auto <<<"$a")" = true ]
	[ "$(jget serving.concurrency <<<"$b")" = 1024 ]
	[ "$(jget serving.decode.batch <<<"$b")" = 342 ]
	[ "$(jget load.clients <<<"$b")" = 1024 ]
	# --disagg-workers P:D gives both sides' workers
	run "$ACC" --fidelity load --rows 741 --disagg-workers 2:1 --reports "$BATS_TEST_TMPDIR/rep2.tsv"
	assert_success
	a=$(cut -f3 "$BATS_TEST_TMPDIR/rep2.tsv" | sed "s/^[^{]*//")
	[ "$(jget serving.prefill.workers <<<"$a")" = 2 ]
	[ "$(jget serving.prefill_workers_auto <<<"$a")" = false ]
	[ "$(jget serving.decode.batch <<<"$a")" = 288 ]
	# the reference has no such input: refused, as the reference refuses the row
	run "$ACC" --rows 741
	assert_success
	assert_line "rows: 1; ours predicted 0, refused 1; reference predicted 0, refused 1"
	run "$ACC" --fidelity load --disagg-workers 3
	assert_failure 2
	assert_line --index 0 "accuracy: --disagg-workers: '3' is not [P]:D, worker counts such as 1:2 or :3"
	run "$ACC" --disagg-workers :3
	assert_failure 2
	assert_line --index 0 "accuracy: --kv-admission, --fp8-kv and --disagg-workers belong to the load model, not --fidelity reference"
}
