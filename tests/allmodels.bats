#!/usr/bin/env bats
# Every bundled model goes through the whole chain on h200_sxm/trtllm in hybrid mode without a crash:
# a report with finite numbers, for each of the 56 models of ../shared/models.

load test_helper
bats_require_minimum_version 1.5.0

@test "allmodels: hfparse | opgraph | query --database-mode hybrid | aggregate runs for every shared model" {
	local ran=0 bad=0
	for m in "$MODELS"/*/; do
		name=$(basename "$m")
		run --separate-stderr bash -c "set -o pipefail; hfparse '$m' | opgraph --system h200_sxm --backend trtllm \
			--batch 4 --isl 1024 --osl 64 --moe-tp 1 --moe-ep 1 | query --database-mode hybrid | aggregate --format jsonl"
		if [ "$status" -eq 0 ]; then
			ttft=$(echo "$output" | jget ttft_ms)
			tpot=$(echo "$output" | jget tpot_ms)
			if ! awk -v a="$ttft" -v b="$tpot" 'BEGIN { exit !(a > 0 && b > 0 && a < 1e9 && b < 1e9) }'; then
				echo "# $name: implausible ttft $ttft tpot $tpot"
				bad=$((bad + 1))
			fi
			ran=$((ran + 1))
		else
			echo "# $name: exit $status: $stderr"
			bad=$((bad + 1))
		fi
	done
	echo "# $ran models estimated, $bad failures" >&3
	[ "$bad" -eq 0 ]
	# every model folder: fewer means models went missing
	[ "$ran" -eq 56 ]
}
