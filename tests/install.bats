#!/usr/bin/env bats
# make install / uninstall honour PREFIX and DESTDIR, and the installed tools find their system specs.

load test_helper

@test "install: a DESTDIR-staged install runs the main pipeline; uninstall removes every file" {
	dest="$BATS_TEST_TMPDIR/dest"
	run make -C "$ROOT" -s install DESTDIR="$dest" PREFIX=/opt/infercast
	assert_success
	[ -x "$dest/opt/infercast/bin/query" ]
	[ -x "$dest/opt/infercast/bin/infercast-estimate" ]
	[ -f "$dest/opt/infercast/share/infercast/systems/h200_sxm.json" ]
	[ -f "$dest/opt/infercast/share/man/man1/query.1" ]
	run env -u INFERCAST_SYSTEMS PATH=/usr/bin:/bin "$dest/opt/infercast/bin/infercast-estimate" \
		--model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm --tp 1 --batch 1 --isl 100 --osl 10 --format jsonl
	assert_success
	approx "$(echo "$output" | tail -1 | jget ttft_ms)" 7.172 1e-3
	# a Hugging Face id finds the installed copy of the bundled config
	[ -f "$dest/opt/infercast/share/infercast/models/Qwen--Qwen3-8B/config.json" ]
	run env -u INFERCAST_SYSTEMS -u INFERCAST_MODELS PATH=/usr/bin:/bin "$dest/opt/infercast/bin/hfparse" --resolve Qwen/Qwen3-8B
	assert_success
	assert_output "$dest/opt/infercast/bin/../share/infercast/models/Qwen--Qwen3-8B"
	run make -C "$ROOT" -s uninstall DESTDIR="$dest" PREFIX=/opt/infercast
	assert_success
	assert_equal "$(find "$dest" -type f | wc -l)" 0
}
