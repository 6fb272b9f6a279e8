#!/usr/bin/env bats
# The parsed-table cache (lib/perf/table_cache): answers are byte-identical cold, warm, off and
# after damage; files go only where INFERCAST_CACHE says.
load test_helper
bats_require_minimum_version 1.5.0

setup() {
	CACHE="$BATS_TEST_TMPDIR/cache"
	OPS="$BATS_TEST_TMPDIR/ops.jsonl"
	hfparse "$MODELS/Qwen--Qwen3-32B" |
		opgraph --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 4000 --osl 1000 >"$OPS"
}

@test "cache: cold, warm and off give the same bytes; a warm run rewrites nothing" {
	INFERCAST_CACHE=off run --separate-stderr query "$OPS"
	assert_success
	off=$output
	[ ! -e "$CACHE" ]
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$off" ]
	n=$(ls "$CACHE"/*.tc | wc -l)
	[ "$n" -ge 3 ]
	before=$(ls -l --time-style=+%s.%N "$CACHE")
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$off" ]
	[ "$(ls -l --time-style=+%s.%N "$CACHE")" = "$before" ]
	! ls "$CACHE" | grep -v -E '\.(tc|id)$'   # no temporary files left
}

@test "cache: a damaged or truncated file is rebuilt, answers unchanged" {
	INFERCAST_CACHE=off run --separate-stderr query "$OPS"
	off=$output
	INFERCAST_CACHE="$CACHE" query "$OPS" >/dev/null
	for f in "$CACHE"/*.tc; do head -c 5000 "$f" >"$f.cut" && mv "$f.cut" "$f"; done
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$off" ]
	big=$(find "$CACHE" -name '*.tc' -size +5k | wc -l)
	[ "$big" -ge 1 ]   # the large tables were written again in full
}

@test "cache: an unwritable directory is skipped silently" {
	INFERCAST_CACHE=off run --separate-stderr query "$OPS"
	off=$output
	INFERCAST_CACHE=/proc/infercast-no-such-dir run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$off" ]
	[ -z "$stderr" ]
}

@test "cache: the lookup parity test passes cold and warm (unit test binary)" {
	t="$ROOT/build/rel/unit/test_perfdb_lookups"
	[ -x "$t" ] || skip "build/rel/unit/test_perfdb_lookups is not built"
	INFERCAST_CACHE="$CACHE" run "$t"
	assert_success
	INFERCAST_CACHE="$CACHE" run "$t"
	assert_success
	assert_output --partial "refusals match"
}

@test "cache: files another build wrote stay; past INFERCAST_CACHE_MAX the least recently used go, and nothing else" {
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	# another build's file: a real one whose library id (after the 8-byte magic, three 8-byte
	# words and the id's 8-byte length) differs, last used two days ago
	first=$(ls "$CACHE"/*.tc | head -1)
	cp "$first" "$CACHE/stale-0000000000000000.tc"
	printf 'X' | dd of="$CACHE/stale-0000000000000000.tc" bs=1 seek=40 conv=notrunc status=none
	touch -a -d '2 days ago' "$CACHE/stale-0000000000000000.tc"
	echo "not a cache file" >"$CACHE/other.tc"
	rm "$first" # forces one write
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ -e "$first" ]
	[ -e "$CACHE/stale-0000000000000000.tc" ] # under the default budget: kept
	# a budget that holds all but the stale file's bytes: it goes first, the rest stay
	total=$(find "$CACHE" -type f ! -name other.tc ! -name 'stale-*' -printf '%s\n' | awk '{ s += $1 } END { print s }')
	rm "$first"
	INFERCAST_CACHE="$CACHE" INFERCAST_CACHE_MAX=$total run --separate-stderr query "$OPS"
	assert_success
	[ ! -e "$CACHE/stale-0000000000000000.tc" ]
	[ -e "$first" ]
	[ -e "$CACHE/other.tc" ] # not ours
	[ "$(ls "$CACHE"/*.tc | wc -l)" -ge 4 ]
	# a budget smaller than one file: each write removes everything else (a file evicted
	# earlier in the run is prepared again and written), so one file of ours is left
	rm "$first"
	INFERCAST_CACHE="$CACHE" INFERCAST_CACHE_MAX=1K run --separate-stderr query "$OPS"
	assert_success
	[ "$(ls "$CACHE" | grep -v other.tc | wc -l)" -eq 1 ]
	[ -e "$CACHE/other.tc" ]
}

@test "cache: keyed by content: the same system spec at another path with another mtime hits" {
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	out=$output
	before=$(ls -l --time-style=+%s.%N "$CACHE"/*.tc)
	cp -r "$ROOT/systems" "$BATS_TEST_TMPDIR/systems-copy"
	touch "$BATS_TEST_TMPDIR/systems-copy/h200_sxm.json"
	INFERCAST_SYSTEMS="$BATS_TEST_TMPDIR/systems-copy" INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$out" ]
	[ "$(ls -l --time-style=+%s.%N "$CACHE"/*.tc)" = "$before" ] # no table written again
	# other bytes: the sets are prepared again (another file), answers still right
	printf ' \n' >>"$BATS_TEST_TMPDIR/systems-copy/h200_sxm.json" # same spec, other bytes
	INFERCAST_SYSTEMS="$BATS_TEST_TMPDIR/systems-copy" INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$out" ]
	[ "$(ls "$CACHE"/*.tc | wc -l)" -gt "$(echo "$before" | wc -l)" ]
}

@test "cache: the data folder's spelling does not matter: a relative path, an absolute one and a link share the files" {
	local abs rel
	abs=$(cd "$INFERCAST_DATA" && pwd -P)
	rel=$(realpath --relative-to="$BATS_TEST_TMPDIR" "$abs")
	ln -s "$abs" "$BATS_TEST_TMPDIR/data-link"
	INFERCAST_DATA="$abs" INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	out=$output
	before=$(ls -l --time-style=+%s.%N "$CACHE"/*.tc)
	for d in "$rel" "$BATS_TEST_TMPDIR/data-link" "$abs/../$(basename "$abs")"; do
		(cd "$BATS_TEST_TMPDIR" && INFERCAST_DATA="$d" INFERCAST_CACHE="$CACHE" query "$OPS") >"$BATS_TEST_TMPDIR/out"
		[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$out" ]
		[ "$(ls -l --time-style=+%s.%N "$CACHE"/*.tc)" = "$before" ] # no file written
	done
}

@test "cache: a file whose header was damaged is not trusted; it is written again" {
	INFERCAST_CACHE=off run --separate-stderr query "$OPS"
	off=$output
	INFERCAST_CACHE="$CACHE" query "$OPS" >/dev/null
	for f in "$CACHE"/*.tc; do
		printf 'XXXXXXXX' | dd of="$f" bs=1 seek=60 conv=notrunc status=none # inside the key
	done
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$off" ]
	! grep -l XXXXXXXX "$CACHE"/*.tc
}

# index_end FILE: where the index ends and its checksum lies (the word after the library id and
# the key: 8-byte lengths, padded to 8 bytes)
index_end() {
	local id key at
	id=$(od -An -t u8 -j 32 -N 8 "$1" | tr -d ' ')
	at=$((40 + (id + 7) / 8 * 8))
	key=$(od -An -t u8 -j "$at" -N 8 "$1" | tr -d ' ')
	at=$((at + 8 + (key + 7) / 8 * 8))
	od -An -t u8 -j "$at" -N 8 "$1" | tr -d ' '
}

@test "cache: a file whose grids were damaged after the index was checked is not trusted: the blocks a look-up reads are checked, the file is made again and rewritten" {
	INFERCAST_CACHE=off run --separate-stderr query "$OPS"
	off=$output
	INFERCAST_CACHE="$CACHE" query "$OPS" >/dev/null
	gemm=$(ls "$CACHE"/*gemm_perf.txt-*.tc)
	# the lowest bit of a byte in every 2 KiB block behind the index and its checksum (the grids'
	# blocks and their sums), mostly in leaves (a latency one ulp off: a well-formed grid that
	# only the checksums tell from the one written)
	for f in "$CACHE"/*.tc; do
		n=$("$TOOLS/flipbits" "$f" $(($(index_end "$f") + 8 + 1024)) 2048)
		[ "$n" -ge 1 ]
	done
	damaged=$(md5sum "$gemm")
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$off" ]
	[ -z "$stderr" ]
	[ "$(md5sum "$gemm")" != "$damaged" ] # the GEMM grids this case uses were damaged: rewritten
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$off" ]
}

@test "cache: a file whose index was damaged is not trusted (its checksum); it is written again" {
	INFERCAST_CACHE=off run --separate-stderr query "$OPS"
	off=$output
	INFERCAST_CACHE="$CACHE" query "$OPS" >/dev/null
	# the last part's block sums' checksum, the word before the index's own checksum
	for f in "$CACHE"/*.tc; do
		printf '\001' | dd of="$f" bs=1 seek=$(($(index_end "$f") - 8)) conv=notrunc status=none
	done
	before=$(md5sum "$CACHE"/*.tc)
	INFERCAST_CACHE="$CACHE" run --separate-stderr query "$OPS"
	assert_success
	[ "$output" = "$off" ]
	[ "$(md5sum "$CACHE"/*.tc)" != "$before" ]
	[ "$(ls "$CACHE"/*.tc | wc -l)" -eq "$(echo "$before" | wc -l)" ]
}

@test "cache: the MoE table (lib/perf/table_moe) is cached; cold, warm and off give the same bytes, with and without the shared layer" {
	MOE="$BATS_TEST_TMPDIR/moe.jsonl"
	hfparse "$MODELS/Qwen--Qwen3-30B-A3B" |
		opgraph --system h200_sxm --backend trtllm --tp 2 --moe-tp 1 --moe-ep 2 --batch 16 --isl 4000 --osl 1000 >"$MOE"
	grep -q '"op_type":"MoE"' "$MOE"
	for opts in "" "--database-mode hybrid --shared-layer"; do
		# shellcheck disable=SC2086
		INFERCAST_CACHE=off run --separate-stderr query $opts "$MOE"
		assert_success
		off=$output
		# shellcheck disable=SC2086
		INFERCAST_CACHE="$CACHE" run --separate-stderr query $opts "$MOE"
		assert_success
		[ "$output" = "$off" ]
		before=$(ls -l --time-style=+%s.%N "$CACHE")
		# shellcheck disable=SC2086
		INFERCAST_CACHE="$CACHE" run --separate-stderr query $opts "$MOE"
		assert_success
		[ "$output" = "$off" ]
		[ "$(ls -l --time-style=+%s.%N "$CACHE")" = "$before" ]
	done
	# one file for the table as read, one with the shared layer's sibling rows
	[ "$(ls "$CACHE" | grep -c 'moe_perf\.txt.*\.tc$')" -eq 2 ]
}

@test "cache: the Mamba2 and GDN tables (lib/perf/table_mamba) are cached; cold, warm and off give the same bytes" {
	SSM="$BATS_TEST_TMPDIR/ssm.jsonl"
	{
		hfparse "$MODELS/nvidia--Nemotron-H-56B-Base-8K" |
			opgraph --system h200_sxm --backend trtllm --tp 2 --batch 16 --isl 4000 --osl 1000
		hfparse "$MODELS/Qwen--Qwen3.5-27B" |
			opgraph --system h200_sxm --backend trtllm --tp 2 --batch 8 --isl 4000 --osl 1000
	} >"$SSM"
	INFERCAST_CACHE=off run --separate-stderr query --database-mode hybrid "$SSM"
	assert_success
	off=$output
	INFERCAST_CACHE="$CACHE" run --separate-stderr query --database-mode hybrid "$SSM"
	assert_success
	[ "$output" = "$off" ]
	[ "$(ls "$CACHE" | grep -c -E '(mamba2|gdn)_perf\.txt.*\.tc$')" -eq 2 ]
	before=$(ls -l --time-style=+%s.%N "$CACHE")
	INFERCAST_CACHE="$CACHE" run --separate-stderr query --database-mode hybrid "$SSM"
	assert_success
	[ "$output" = "$off" ]
	[ "$(ls -l --time-style=+%s.%N "$CACHE")" = "$before" ]
}
