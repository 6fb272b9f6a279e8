#!/usr/bin/env bats
# make data: the reference's current perf-data tree from its git repository at a pinned commit (a
# shallow sparse checkout of its systems folder), here from a local repository the test builds
# (tests have no network).
load test_helper

SYS=aic-core/src/aiconfigurator_core/systems

setup() {
	[ -d "$SHARED/aic-systems/data" ] || skip "no ../shared/aic-systems"
	command -v git >/dev/null || skip "no git"
	REPO="$BATS_TEST_TMPDIR/repo"
	mkdir -p "$REPO/$SYS/data/h200_sxm/gemm/trtllm/1.3.0rc10" "$REPO/$SYS/data/h200_sxm/comm" "$REPO/elsewhere"
	cp "$SHARED/aic-systems/data/h200_sxm/gemm/trtllm/1.3.0rc10/"* "$REPO/$SYS/data/h200_sxm/gemm/trtllm/1.3.0rc10/"
	cp -R "$SHARED/aic-systems/data/h200_sxm/comm/nccl" "$REPO/$SYS/data/h200_sxm/comm/"
	cp "$SHARED/aic-systems/perf_data_reuse_manifest.yaml" "$REPO/$SYS/"
	echo "not part of the systems folder" >"$REPO/elsewhere/README"
	git -C "$REPO" init -q
	git -C "$REPO" add -A
	git -C "$REPO" -c user.email=t@example.com -c user.name=t commit -qm tables
	COMMIT=$(git -C "$REPO" rev-parse HEAD)
}

@test "make data fetches the systems folder at the pinned commit into DATA_DIR" {
	run make -s -C "$ROOT" data AIC_REPO="file://$REPO" AIC_COMMIT="$COMMIT" DATA_DIR="$BATS_TEST_TMPDIR/share/data"
	assert_success
	assert_output --partial "make data: $SYS of file://$REPO at $COMMIT in $BATS_TEST_TMPDIR/share/data"
	[ -f "$BATS_TEST_TMPDIR/share/data/data/h200_sxm/gemm/trtllm/1.3.0rc10/gemm_perf.parquet" ]
	[ -f "$BATS_TEST_TMPDIR/share/data/perf_data_reuse_manifest.yaml" ]
	[ ! -e "$BATS_TEST_TMPDIR/share/data/elsewhere" ] && [ ! -e "$BATS_TEST_TMPDIR/share/data/.git" ]
	run bash -c "perfload --data-dir '$BATS_TEST_TMPDIR/share/data' --system h200_sxm --backend trtllm --list | '$TOOLS/jget' rows"
	assert_success
	assert_line --index 0 101010
	# again: the folder is replaced, not merged
	run make -s -C "$ROOT" data AIC_REPO="file://$REPO" AIC_COMMIT="$COMMIT" DATA_DIR="$BATS_TEST_TMPDIR/share/data"
	assert_success
}

@test "make data refuses a commit that is not there, and Git LFS pointers" {
	run make -s -C "$ROOT" data AIC_REPO="file://$REPO" AIC_COMMIT=0123456789012345678901234567890123456789 \
		DATA_DIR="$BATS_TEST_TMPDIR/share/data"
	assert_failure
	[ ! -e "$BATS_TEST_TMPDIR/share/data" ]
	printf 'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n' \
		>"$REPO/$SYS/data/h200_sxm/gemm/trtllm/1.3.0rc10/gemm_perf.parquet"
	git -C "$REPO" -c user.email=t@example.com -c user.name=t commit -qam lfs
	run make -s -C "$ROOT" data AIC_REPO="file://$REPO" AIC_COMMIT="$(git -C "$REPO" rev-parse HEAD)" \
		DATA_DIR="$BATS_TEST_TMPDIR/share/data"
	assert_failure
	assert_output --partial "make data: $SYS/data holds Git LFS pointers, not tables"
	[ ! -e "$BATS_TEST_TMPDIR/share/data" ]
}
