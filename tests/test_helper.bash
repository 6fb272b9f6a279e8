# Shared set-up for every BATS file: assertions, paths to the tools and to ../shared.
bats_load_library bats-support
bats_load_library bats-assert

ROOT="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
BIN="$ROOT/bin"
SHARED="$(cd "$ROOT/../shared" 2>/dev/null && pwd || echo "$ROOT/../shared")"
MODELS="$SHARED/models"
GOLDENS="$SHARED/goldens"
FIXTURES="$ROOT/tests/fixtures"
TOOLS="$ROOT/build/tools"
export INFERCAST_DATA="${INFERCAST_DATA:-$SHARED/data}"
# The goldens, parity tests and differential runs pin the reference's numbers; tests of the load
# model set INFERCAST_FIDELITY=load themselves.
export INFERCAST_FIDELITY="${INFERCAST_FIDELITY:-reference}"
export PATH="$BIN:$PATH"

# jget PATH: the value at a dotted path of each JSON line on stdin.
jget() { "$TOOLS/jget" "$@"; }

# approx A B [REL]: succeed when |A-B| <= REL*|B| (default 1e-6).
approx() {
	awk -v a="$1" -v b="$2" -v r="${3:-1e-6}" 'BEGIN {
		d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b;
		if (a == b || d <= r * m) exit 0;
		printf "%.17g != %.17g (rel %g)\n", a, b, (m > 0 ? d / m : d); exit 1 }'
}

# The parsed-table cache (lib/perf/table_cache): one per test file in its temporary directory,
# never the user's. INFERCAST_CACHE=off runs the tests without it.
[ "${INFERCAST_CACHE:-}" = off ] || export INFERCAST_CACHE="$BATS_FILE_TMPDIR/cache"

# VALGRIND=1 (make check-valgrind): every filter in $BIN runs under valgrind; a memory error or a
# definite/indirect leak makes it exit 99, which fails the test's exit-status check. The filter
# writes into a file that is then copied to stdout: a reader that stops early (| head) must not
# end the filter mid-record (a closed pipe exits at once and leaves that record allocated).
# REAL_BIN: the programs' own folder (what they find their data beside), valgrind or not.
REAL_BIN=$BIN
if [ -n "${VALGRIND:-}" ] && [ "${BIN##*/}" = bin ]; then
	VG_BIN="$BATS_RUN_TMPDIR/valgrind-bin"
	if [ ! -d "$VG_BIN" ]; then
		mkdir -p "$VG_BIN.$$"
		for f in "$BIN"/*; do
			printf '#!/bin/sh\nout=$(mktemp) || exit 1\nvalgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect "%s" "$@" >"$out"\nst=$?\ncat "$out"\nrm -f "$out"\nexit $st\n' \
				"$f" >"$VG_BIN.$$/${f##*/}"
			chmod +x "$VG_BIN.$$/${f##*/}"
		done
		mv "$VG_BIN.$$" "$VG_BIN" 2>/dev/null || rm -rf "$VG_BIN.$$"
	fi
	BIN="$VG_BIN"
	export PATH="$BIN:$PATH"
fi
