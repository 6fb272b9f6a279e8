#!/usr/bin/env bats
# The layout of lib/: no two modules depend on each other through their #include lines
# (tests/tools/include-cycles), so each stage can be read, tested and replaced on its own.
load test_helper
bats_require_minimum_version 1.5.0

CYCLES="$ROOT/tests/tools/include-cycles"

@test "lib/ has no include cycles" {
	run -0 "$CYCLES" "$ROOT/lib"
	assert_output ''
}

@test "include-cycles names each cycle, with a path through it" {
	d="$BATS_TEST_TMPDIR/lib"
	mkdir -p "$d"
	printf '#include "b.h"\n' >"$d/a.h"
	printf '#include "a.h"\n#include <stdio.h>\n' >"$d/a.c"
	printf '/* b */\n' >"$d/b.h"
	printf '#include "b.h"\n#include "c.h"\n' >"$d/b.c"
	printf '#include "a.h"\n' >"$d/c.c"
	printf '/* c */\n' >"$d/c.h"
	printf '#include "d.h"\n#include "missing.h"\n' >"$d/d.h"
	run -1 "$CYCLES" "$d"
	assert_output 'a b c: a -> b -> c -> a'
	rm "$d/c.c"
	run -0 "$CYCLES" "$d"
	assert_output ''
	run -2 "$CYCLES"
	assert_output 'usage: include-cycles DIR'
}

@test "graph code builds ops and reads no perf tables or pricing" {
	cd "$ROOT/lib"
	run -1 grep -l '#include "\(table_\|perfdb\|perf_\|opquery\|interp\|grid\)' graph/*.[ch] model/*.[ch]
	assert_output ''
}

@test "lib/ is grouped by stage: every module sits in one stage folder, none at the top" {
	cd "$ROOT/lib"
	run find . -maxdepth 1 -type f
	assert_output ''
	run ls
	assert_output "$(printf '%s\n' deploy graph model perf query serve support sweep util)"
}

@test "lib/ messages name none of the programs' options: the filters add their own hints" {
	run -0 "$ROOT/tests/tools/lib-option-names" "$ROOT"
	assert_output ''
	# the check finds an option in a literal, with its file and line, and not in a comment
	d="$BATS_TEST_TMPDIR/root"
	mkdir -p "$d/lib/graph" "$d/lib/deploy" "$d/lib/sweep" "$d/man"
	printf '.B \\-\\-moe\\-tp\n.B \\-\\-strict\n.B \\-\\-help\n' >"$d/man/opgraph.1"
	printf '/* "--moe-tp" in a comment */\nint f(void) { return g("MoE model: give --moe-tp", "--strict or --x"); }\n' >"$d/lib/graph/a.c"
	printf 'const char *s = "--moe-tp";\n' >"$d/lib/deploy/w.c"
	printf 'const char *s = "--strict";\n' >"$d/lib/sweep/exp_experiment.c"
	printf 'const char *s = "try --help";\n' >"$d/lib/graph/u.c"
	run -1 "$ROOT/tests/tools/lib-option-names" "$d"
	assert_output "$(printf 'lib/graph/a.c:2: --moe-tp\nlib/graph/a.c:2: --strict')"
	run -2 "$ROOT/tests/tools/lib-option-names"
	assert_output 'usage: lib-option-names ROOT'
}

@test "every filter sets its stream buffers first (lib/util/streambuf): 64 KiB reads and writes on pipes" {
	# the line after diag_set_progname in each main, so that no input or output comes before it
	run bash -c "cd '$ROOT' && for f in filters/*.c; do grep -A1 -h 'diag_set_progname(argv\[0\]);' \"\$f\" | tail -1 | grep -qx '	streambuf_init();' || echo \"\$f\"; done"
	assert_success
	assert_output ''
	[ "$(ls "$ROOT"/filters/*.c | wc -l)" -eq 14 ]
}
