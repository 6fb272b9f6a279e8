#!/usr/bin/env bats
# Parity on the reference's current perf-data tree (../shared/aic-systems: Parquet tables,
# reuse.yaml): every golden in ../shared/goldens/aic-systems, made by the reference on that tree
# at the version its twin in ../shared/goldens used (resolved.version, else the one version
# ../shared/data holds for the system and backend). Static chain end to end and op by op
# (1e-6), the refusals, serving estimates, and the `default` sweeps' four CSV files byte for byte.
load test_helper

AIC="$SHARED/aic-systems/data"
AG="$GOLDENS/aic-systems"

setup() {
	[ -d "$AIC" ] && [ -d "$AG" ] || skip "no ../shared/aic-systems or ../shared/goldens/aic-systems"
	export INFERCAST_DATA="$AIC"
}

note() { echo "# $*" >&3; }

# golden_version FILE: the version the golden was made at.
golden_version() {
	local v sys be
	v=$(tr -d '\n' <"$1" | jget resolved.version 2>/dev/null) || v=
	if [ -z "$v" ] || [ "$v" = MISSING ] || [ "$v" = null ]; then
		sys=$(tr -d '\n' <"$1" | jget case.system)
		be=$(tr -d '\n' <"$1" | jget case.backend)
		v=$(ls "$SHARED/data/$sys/$be")
	fi
	echo "$v"
}

# case_opts GOLDEN: MODEL, OPG (opgraph options), QRY (query options, with --version).
case_opts() {
	local args
	args=$("$TOOLS/parity_static" args "$1")
	set -- $args
	MODEL=$1
	shift
	OPG=()
	QRY=(--version "$(golden_version "$GOLDEN")")
	while [ $# -gt 0 ]; do
		if [ "$1" = --database-mode ]; then QRY+=(--database-mode "$2"); shift 2; else OPG+=("$1"); shift; fi
	done
}

@test "aic parity: every static golden end to end and per op, at its version" {
	local n=0 bad=0 out
	for GOLDEN in "$AG"/static/*.json; do
		case_opts "$GOLDEN"
		n=$((n + 1))
		if ! out=$(set -o pipefail; hfparse "$SHARED/$MODEL" | opgraph "${OPG[@]}" | query "${QRY[@]}" |
			aggregate --ops | "$TOOLS/parity_static" report "$GOLDEN" 2>&1); then
			bad=$((bad + 1))
			echo "$(basename "$GOLDEN"):"; echo "$out" | head -12
		fi
	done
	note "aic static goldens: $((n - bad))/$n match"
	[ "$n" -ge 70 ]
	[ "$bad" -eq 0 ]
}

@test "aic parity: the reference's refusals exit non-zero with a message" {
	local n=0 bad=0 err rc
	for GOLDEN in "$AG"/static/expected_errors/*.json; do
		case_opts "$GOLDEN"
		n=$((n + 1))
		rc=0
		err=$({ set -o pipefail; hfparse "$SHARED/$MODEL" | opgraph "${OPG[@]}" | query "${QRY[@]}" |
			aggregate --ops >/dev/null; } 2>&1) || rc=$?
		if [ "$rc" -eq 0 ] || [ -z "$err" ]; then
			bad=$((bad + 1))
			echo "$(basename "$GOLDEN"): exit $rc, message '$err'"
		fi
	done
	note "aic expected errors: $((n - bad))/$n refused with a message"
	[ "$bad" -eq 0 ]
}

@test "aic parity: every serving golden, at its version" {
	local n=0 bad=0 f args out model
	for f in "$AG"/serving/*.json; do
		args=$("$TOOLS/parity_serving" args "$f")
		set -- $args
		model=$1
		shift
		n=$((n + 1))
		if ! out=$("$ROOT/pipelines/estimate" --model "$SHARED/$model" "$@" --version "$(golden_version "$f")" 2>&1 </dev/null) ||
			! out=$(echo "$out" | "$TOOLS/parity_serving" check "$f" 2>&1); then
			bad=$((bad + 1))
			echo "$(basename "$f"):"; echo "$out" | head -10
		fi
	done
	note "aic serving goldens: $((n - bad))/$n match"
	[ "$n" -ge 12 ]
	[ "$bad" -eq 0 ]
}

@test "aic parity: every default sweep's fronts and top configurations equal the reference's files" {
	local n=0 bad=0 c m sys be args f
	for c in "$AG"/default/*/; do
		[ -f "$c/case.json" ] || continue
		m=$(tr -d '\n' <"$c/case.json" | jget case.model)
		sys=$(tr -d '\n' <"$c/case.json" | jget case.system)
		be=$(tr -d '\n' <"$c/case.json" | jget case.backend)
		args=()
		for k in total_gpus isl osl ttft tpot; do
			args+=("--${k//_/-}" "$(tr -d '\n' <"$c/case.json" | jget "case.$k")")
		done
		n=$((n + 1))
		rm -rf "$BATS_TEST_TMPDIR/out"
		if ! "$ROOT/pipelines/default" --model "$SHARED/$m" --system "$sys" --backend "$be" --version "$(ls "$SHARED/data/$sys/$be")" \
			"${args[@]}" --free-gpu-memory-fraction 0.9 --save-dir "$BATS_TEST_TMPDIR/out" >/dev/null 2>"$BATS_TEST_TMPDIR/err"; then
			bad=$((bad + 1))
			echo "$(basename "$c"): $(tail -1 "$BATS_TEST_TMPDIR/err")"
			continue
		fi
		for f in agg/pareto.csv agg/best_config_topn.csv disagg/pareto.csv disagg/best_config_topn.csv; do
			cmp "$c/$f" "$BATS_TEST_TMPDIR/out/$f" || { bad=$((bad + 1)); echo "$(basename "$c"): $f differs"; }
		done
	done
	note "aic default sweeps: $((n - bad))/$n match"
	[ "$n" -ge 3 ]
	[ "$bad" -eq 0 ]
}
