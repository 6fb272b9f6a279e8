#!/usr/bin/env bats
# Parity with the reference's static goldens (../shared/goldens/static): op lists, the summary
# arithmetic fed with the golden's own per-op latencies, and the whole chain
# hfparse | opgraph | query | aggregate --ops, end to end and op by op (1e-6 relative).
# Every golden runs and must pass: the counts are exact, so a golden that goes missing or a
# family that stops being built fails here.
load test_helper

PARITY="$TOOLS/parity_static"
# The goldens of ../shared/goldens/static and its expected_errors/: each test runs every one.
NSTATIC=77
NERRORS=16

# case_opts GOLDEN: sets MODEL (folder under ../shared), OPG (opgraph options) and DBMODE.
case_opts() {
	local args
	args=$("$PARITY" args "$1")
	set -- $args
	MODEL=$1
	shift
	OPG=()
	DBMODE=
	while [ $# -gt 0 ]; do
		if [ "$1" = --database-mode ]; then DBMODE=$2; shift 2; else OPG+=("$1"); shift; fi
	done
}

note() { echo "# $*" >&3; }

@test "parity: opgraph's op lists equal every golden's (names, op_type, attrs, scale_factor)" {
	local n=0 bad=0 f out
	for f in "$GOLDENS"/static/*.json; do
		case_opts "$f"
		n=$((n + 1))
		if ! out=$(hfparse "$SHARED/$MODEL" | opgraph "${OPG[@]}" | "$PARITY" ops "$f" 2>&1); then
			bad=$((bad + 1))
			echo "$(basename "$f"):"; echo "$out" | head -10
		fi
	done
	note "op lists: $((n - bad))/$n goldens match"
	[ "$n" -eq "$NSTATIC" ]
	[ "$bad" -eq 0 ]
}

@test "parity: aggregate fed with each golden's per-op latencies reproduces its summary and memory" {
	local n=0 bad=0 f out
	for f in "$GOLDENS"/static/*.json; do
		case_opts "$f"
		n=$((n + 1))
		if ! out=$(hfparse "$SHARED/$MODEL" | opgraph "${OPG[@]}" | "$PARITY" inject "$f" | aggregate --ops |
			"$PARITY" report "$f" 2>&1); then
			bad=$((bad + 1))
			echo "$(basename "$f"):"; echo "$out" | head -10
		fi
	done
	note "aggregate from golden latencies: $((n - bad))/$n goldens match"
	[ "$n" -eq "$NSTATIC" ]
	[ "$bad" -eq 0 ]
}

# The reference's database mode as query spells it.
query_opts() {
	QRY=()
	[ -n "$DBMODE" ] && QRY+=(--database-mode "$DBMODE")
	return 0
}

@test "parity: hfparse | opgraph | query | aggregate --ops matches the goldens end to end and per op" {
	local n=0 bad=0 f out
	for f in "$GOLDENS"/static/*.json; do
		case_opts "$f"
		query_opts
		n=$((n + 1))
		if ! out=$(set -o pipefail; hfparse "$SHARED/$MODEL" | opgraph "${OPG[@]}" | query "${QRY[@]}" |
			aggregate --ops | "$PARITY" report "$f" 2>&1); then
			bad=$((bad + 1))
			echo "$(basename "$f"):"; echo "$out" | head -12
		fi
	done
	note "full chain: $((n - bad))/$n goldens match"
	[ "$n" -eq "$NSTATIC" ]
	[ "$bad" -eq 0 ]
}

@test "parity: the reference's refusals (expected_errors): query refuses the same lookup, for the same reason" {
	local n=0 bad=0 f err rc out
	for f in "$GOLDENS"/static/expected_errors/*.json; do
		case_opts "$f"
		query_opts
		n=$((n + 1))
		rc=0 out=
		err=$({ set -o pipefail; hfparse "$SHARED/$MODEL" | opgraph "${OPG[@]}" | query "${QRY[@]}" |
			aggregate --ops >/dev/null; } 2>&1) || rc=$?
		if [ "$rc" -eq 0 ] || ! out=$(printf '%s\n' "$err" | "$PARITY" refusal "$f" 2>&1); then
			bad=$((bad + 1))
			echo "$(basename "$f"): exit $rc, message '$err'"
			echo "${out:-the chain succeeded}" | head -10
		fi
	done
	note "expected errors: $((n - bad))/$n refused for the reference's reason"
	[ "$n" -eq "$NERRORS" ]
	[ "$bad" -eq 0 ]
}
