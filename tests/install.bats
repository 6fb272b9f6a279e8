#!/usr/bin/env bats
# make install / uninstall honour PREFIX and DESTDIR, and the installed tools find their system specs
# and perf data under the prefix they were installed to, whatever PREFIX the build had.
# Layout: the filters and pipelines in $(PREFIX)/lib/infercast/bin, `infercast-NAME` links in
# $(PREFIX)/bin, man pages as infercast-NAME(1).

load test_helper

@test "install: a DESTDIR-staged install runs the main pipeline; uninstall removes every file" {
	dest="$BATS_TEST_TMPDIR/dest"
	run make -C "$ROOT" -s install DESTDIR="$dest" PREFIX=/opt/infercast
	assert_success
	[ -x "$dest/opt/infercast/lib/infercast/bin/query" ]
	[ -x "$dest/opt/infercast/lib/infercast/bin/estimate" ]
	[ -x "$dest/opt/infercast/bin/infercast-estimate" ]
	[ -f "$dest/opt/infercast/share/infercast/systems/h200_sxm.json" ]
	[ -f "$dest/opt/infercast/share/man/man1/infercast-query.1" ]
	run env -u INFERCAST_SYSTEMS PATH=/usr/bin:/bin "$dest/opt/infercast/bin/infercast-estimate" \
		--model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 100 --osl 10 --format jsonl
	assert_success
	approx "$(echo "$output" | tail -1 | jget ttft_ms)" 7.172 1e-3
	# a Hugging Face id finds the installed copy of the bundled config
	[ -f "$dest/opt/infercast/share/infercast/models/Qwen--Qwen3-8B/config.json" ]
	run env -u INFERCAST_SYSTEMS -u INFERCAST_MODELS PATH=/usr/bin:/bin "$dest/opt/infercast/bin/infercast-hfparse" --resolve Qwen/Qwen3-8B
	assert_success
	assert_output "$dest/opt/infercast/share/infercast/models/Qwen--Qwen3-8B"
	run make -C "$ROOT" -s uninstall DESTDIR="$dest" PREFIX=/opt/infercast
	assert_success
	assert_equal "$(find "$dest" -type f -o -type l | wc -l)" 0
}

@test "install: no command of a common name in \$(PREFIX)/bin; every filter and pipeline as infercast-NAME" {
	dest="$BATS_TEST_TMPDIR/dest"
	run make -C "$ROOT" -s install DESTDIR="$dest" PREFIX=/usr
	assert_success
	for f in "$ROOT"/filters/*.c "$ROOT"/pipelines/estimate "$ROOT"/pipelines/default; do
		name=$(basename "$f" .c)
		[ ! -e "$dest/usr/bin/$name" ] || { echo "\$(PREFIX)/bin/$name installed" >&2; return 1; }
		[ -L "$dest/usr/bin/infercast-$name" ] || { echo "no infercast-$name link" >&2; return 1; }
		[ -x "$dest/usr/lib/infercast/bin/$name" ] || { echo "no lib/infercast/bin/$name" >&2; return 1; }
		# the links are relative, so a staged tree keeps working once moved to its place
		case $(readlink "$dest/usr/bin/infercast-$name") in /*) echo "absolute link" >&2; return 1 ;; esac
	done
}

@test "install: installed filters and pipelines find the data under the prefix they run from (no rebuild)" {
	# bin/ was built with the default PREFIX; install elsewhere, put the data under that prefix
	prefix="$BATS_TEST_TMPDIR/pfx"
	run make -C "$ROOT" -s install PREFIX="$prefix"
	assert_success
	ln -s "$INFERCAST_DATA" "$prefix/share/infercast/data"
	# the bare filter chain through the links, no INFERCAST_DATA: silicon numbers, not speed of light
	run env -u INFERCAST_DATA -u INFERCAST_SYSTEMS PATH=/usr/bin:/bin sh -c '
		"$1/bin/infercast-hfparse" "$2" |
		"$1/bin/infercast-opgraph" --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 100 --osl 10 |
		"$1/bin/infercast-query" | "$1/bin/infercast-aggregate"' sh "$prefix" "$MODELS/Qwen--Qwen3-8B"
	assert_success
	approx "$(echo "$output" | jget ttft_ms)" 7.172 1e-3
	# the pipeline through its link and the filters' folder on PATH, as the docs say
	run env -u INFERCAST_DATA -u INFERCAST_SYSTEMS PATH="$prefix/lib/infercast/bin:/usr/bin:/bin" \
		estimate --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm --tp 1 --batch 1 \
		--isl 100 --osl 10 --format jsonl
	assert_success
	refute_output --partial 'speed-of-light'
	approx "$(echo "$output" | jget ttft_ms)" 7.172 1e-3
	run make -C "$ROOT" -s uninstall PREFIX="$prefix"
	assert_success
	# the user's data stays
	[ -L "$prefix/share/infercast/data" ]
	assert_equal "$(find "$prefix" -type f | wc -l)" 0
}

@test "install: man infercast-estimate works; --help names each command as installed" {
	command -v man >/dev/null || skip "man (man-db) is not installed"
	dest="$BATS_TEST_TMPDIR/dest"
	run make -C "$ROOT" -s install DESTDIR="$dest" PREFIX=/usr
	assert_success
	for c in estimate default query hfparse; do
		run env MANWIDTH=80 LC_ALL=C man -M "$dest/usr/share/man" infercast-$c
		assert_success
		assert_output --partial "$c"
	done
	run man -M "$dest/usr/share/man" 5 infercast-records
	assert_success
	run "$dest/usr/bin/infercast-estimate" --help
	assert_success
	assert_line --index 0 --regexp '^usage: infercast-estimate --model DIR'
	assert_output --partial 'See infercast-estimate(1)'
	run "$dest/usr/bin/infercast-default" --help
	assert_line --index 0 --regexp '^usage: infercast-default --model DIR'
	run "$dest/usr/bin/infercast-query" --help
	assert_line --index 0 --regexp '^usage: infercast-query '
	assert_output --partial 'See infercast-query(1)'
	# a usage error names the command the user ran, and its --help
	run "$dest/usr/bin/infercast-estimate" --model x
	assert_failure 2
	assert_output --partial "try 'infercast-estimate --help'"
	# in the tree, the plain names
	run "$ROOT/pipelines/estimate" --help
	assert_line --index 0 --regexp '^usage: estimate --model DIR'
}
