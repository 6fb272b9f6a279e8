#!/usr/bin/env bats
# The bad-input corpus (tests/badinput.cases): every filter given broken records, configs, tables,
# specs and options. Each case names the exact exit status, the exact stdout (nothing, or only the
# complete results of the records before the bad one) and the exact message (naming FILE:LINE, or
# the record's line on <stdin>, and what is wrong); one loop runs them and checks every column.
# Inputs are small handmade files in tests/fixtures/bad/ or edits of the real models, tables and
# specs in ../shared made per case. BADINPUT_CASE=GLOB runs only the cases whose name matches.
load test_helper
bats_require_minimum_version 1.5.0

CASES="$ROOT/tests/badinput.cases"
BAD="$FIXTURES/bad"
L8="$MODELS/meta-llama--Meta-Llama-3.1-8B"
GEMM="$SHARED/data/h200_sxm/trtllm/1.3.0rc10/gemm_perf.txt"
OG=(opgraph --system h200_sxm --backend trtllm --tp 1 --batch 4 --isl 512 --osl 65)

setup() {
	T="$BATS_TEST_TMPDIR"
	export INFERCAST_CACHE=off
}

# Helpers for a case's setup, run in the case's folder.
# model EDIT: the Llama-3.1-8B model record with a sed edit, into in.jsonl.
model() { "$BIN/hfparse" "$L8" | sed "$1" >in.jsonl; }
# ops: Llama-3.1-8B op records (context only) into ops.jsonl; priced into priced.jsonl.
ops() {
	"$BIN/hfparse" "$L8" | "$BIN/opgraph" --system h200_sxm --backend trtllm --tp 1 --batch 4 --isl 512 --osl 2 \
		--mode static_ctx >ops.jsonl && "$BIN/query" ops.jsonl >priced.jsonl
}
# table EDIT: a data folder data/ holding h200_sxm/trtllm/1.0/gemm_perf.txt = the real gemm table
# through the shell command EDIT (reading it on stdin); ops, and their config record and
# context_qkv_gemm in gemm.jsonl.
table() {
	mkdir -p data/h200_sxm/trtllm/1.0 && sh -c "$1" <"$GEMM" >data/h200_sxm/trtllm/1.0/gemm_perf.txt && ops &&
		{ head -n 1 ops.jsonl; grep '"name":"context_qkv_gemm"' ops.jsonl; } >gemm.jsonl
}
# spec EDIT: a systems folder sys/ with h200_sxm.json through sed EDIT, for the case's commands.
spec() {
	mkdir -p sys && sed "$1" "$ROOT/systems/h200_sxm.json" >sys/h200_sxm.json && export INFERCAST_SYSTEMS=sys
}

# One case, in the globals below, run in a subshell in its own folder DIR; its differences, each
# column that does not match, go to stderr. Succeeds when every column matches.
case_run() {
	local dir=$1
	mkdir "$dir" && ln -s "$BAD" "$dir/bad" || return 1
	(
		cd "$dir" || exit 1
		T=$dir
		set -o pipefail # a setup or check pipeline fails with any of its commands
		if ! eval "$C_SETUP"; then
			echo "  setup failed: $C_SETUP" >&2
			exit 1
		fi
		run --separate-stderr eval "$C_RUN" <"${C_STDIN:-/dev/null}"
		local bad=0 want
		if [ "$status" != "$C_STATUS" ]; then
			printf '  status %s, want %s\n' "$status" "$C_STATUS" >&2
			bad=1
		fi
		case $C_OUT_KIND in
		exact) want=$C_OUT ;;
		of) want=$(eval "$C_OUT") || { echo "  stdout-of failed: $C_OUT" >&2; bad=1; } ;;
		esac
		if { [ "$C_OUT_KIND" = glob ] && [[ $output != $C_OUT ]]; } ||
			{ [ "$C_OUT_KIND" != glob ] && [ "$output" != "$want" ]; }; then
			if [ "$C_OUT_KIND" = glob ]; then
				printf '  stdout: %.300s\n  want:   %s\n' "$output" "$C_OUT" >&2
			else # the first lines that differ, cut to 300 characters
				diff <(printf '%s\n' "$want") <(printf '%s\n' "$output") | head -n 8 | cut -c1-300 |
					sed 's/^/  stdout (< want, > got): /' >&2
			fi
			bad=1
		fi
		if { [ "$C_ERR_KIND" = glob ] && [[ $stderr != $C_ERR ]]; } ||
			{ [ "$C_ERR_KIND" = exact ] && [ "$stderr" != "$C_ERR" ]; }; then
			printf '  stderr: %s\n  want:   %s\n' "$stderr" "$C_ERR" >&2
			bad=1
		fi
		if [ -n "$C_CHECK" ] && ! eval "$C_CHECK" >&2; then
			echo "  check failed: $C_CHECK" >&2
			bad=1
		fi
		exit $bad
	)
}

# cases SECTION: runs every case of SECTION in badinput.cases (all of them, whatever fails), then
# fails naming each case that did not match. A malformed case (an unknown key, no status, two
# kinds of stdout) is a failure too.
cases() {
	local section=$1 cur= line key val n=0 failed=0 in_case=0 malformed=
	local C_NAME C_SETUP C_STDIN C_RUN C_STATUS C_OUT C_OUT_KIND C_ERR C_ERR_KIND C_CHECK
	start_case() {
		C_NAME=$1 C_SETUP= C_STDIN= C_RUN= C_STATUS= C_OUT= C_OUT_KIND= C_ERR= C_ERR_KIND= C_CHECK=
		malformed= in_case=1
	}
	# column KIND VALUE: one line of stdout or stderr (KIND exact, of or glob), its lines joined
	out_line() {
		[ -z "$C_OUT_KIND" ] || [ "$C_OUT_KIND" = "$1" ] || malformed="two kinds of stdout"
		C_OUT_KIND=$1 C_OUT=${C_OUT:+$C_OUT$'\n'}$2
	}
	err_line() {
		[ -z "$C_ERR_KIND" ] || [ "$C_ERR_KIND" = "$1" ] || malformed="two kinds of stderr"
		C_ERR_KIND=$1 C_ERR=${C_ERR:+$C_ERR$'\n'}$2
	}
	end_case() {
		[ "$in_case" = 1 ] && [ "$cur" = "$section" ] || { in_case=0; return 0; }
		in_case=0
		if [ -n "${BADINPUT_CASE:-}" ] && [[ $C_NAME != $BADINPUT_CASE ]]; then return 0; fi
		n=$((n + 1))
		[ -n "$C_STATUS" ] && [ -n "$C_RUN" ] || malformed=${malformed:-"no run or no status"}
		: "${C_OUT_KIND:=exact}" "${C_ERR_KIND:=exact}"
		if [ -n "$malformed" ]; then
			echo "case '$C_NAME': malformed: $malformed" >&2
			failed=$((failed + 1))
		elif ! case_run "$BATS_TEST_TMPDIR/case$n" 2>"$BATS_TEST_TMPDIR/case$n.diff"; then
			echo "case '$C_NAME':" >&2
			cat "$BATS_TEST_TMPDIR/case$n.diff" >&2
			failed=$((failed + 1))
		fi
		return 0
	}
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'## '*) end_case; cur=${line#'## '}; continue ;;
		'#'*) continue ;;
		'') end_case; continue ;;
		esac
		key=${line%%:*}
		val=${line#*:}
		val=${val# }
		case $key in
		case) end_case; start_case "$val" ;;
		setup) C_SETUP=${C_SETUP:+$C_SETUP && }$val ;;
		stdin) C_STDIN=$val ;;
		run) C_RUN=$val ;;
		status) C_STATUS=$val ;;
		stdout) out_line exact "$val" ;;
		stdout-of) out_line of "$val" ;;
		stdout-glob) out_line glob "$val" ;;
		stderr) err_line exact "$val" ;;
		stderr-glob) err_line glob "$val" ;;
		check) C_CHECK=${C_CHECK:+$C_CHECK && }$val ;;
		*) malformed="unknown key '$key'" ;;
		esac
	done <"$CASES"
	end_case
	echo "# $section: $((n - failed))/$n cases match" >&3
	[ -n "${BADINPUT_CASE:-}" ] || [ "$n" -gt 0 ]
	[ "$failed" -eq 0 ]
}

# The sections of badinput.cases, each run by one test below.
SECTIONS=(jsonl model options tables hfparse specs records interp deploygen)

@test "bad input: JSON Lines streams (malformed, truncated, not UTF-8, empty, BOM, CRLF)" {
	cases jsonl
}

@test "bad input: model records and their runtime (opgraph)" {
	cases model
}

@test "bad input: options, names used as paths, missing data folders" {
	cases options
}

@test "bad input: perf tables (LFS pointers, missing columns, bad cells, duplicates, CRLF, BOM)" {
	cases tables
}

@test "bad input: model configs (hfparse)" {
	cases hfparse
}

@test "bad input: system specs" {
	cases specs
}

@test "bad input: op records (query) and priced records (aggregate)" {
	cases records
}

@test "bad input: interp" {
	cases interp
}

@test "bad input: deploygen picks files and options" {
	cases deploygen
}

@test "bad input: every case of badinput.cases is in a section a test runs" {
	local listed
	listed=$(grep '^## ' "$CASES" | cut -c4- | sort)
	[ "$listed" = "$(printf '%s\n' "${SECTIONS[@]}" | sort)" ]
	# every `case:` line follows a section heading
	[ "$(sed -n '1,/^## /p' "$CASES" | grep -c '^case:')" -eq 0 ]
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
