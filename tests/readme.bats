#!/usr/bin/env bats
# Every command in README.md's code blocks runs as written, the way a newcomer runs it: from the
# top of a checkout with ../shared beside it, without the tests' INFERCAST_DATA and INFERCAST_FIDELITY, bin/ not on PATH.
# The few that cannot run inside the tests are checked another way (see readme_run).
load test_helper
bats_require_minimum_version 1.5.0

# readme_commands: each command of the README's ``` blocks on one line (a trailing \ joins lines).
readme_commands() {
	awk '/^```/ { inblock = !inblock; next }
	     inblock { if (sub(/\\$/, "")) { cmd = cmd $0; next } print cmd $0; cmd = "" }' "$ROOT/README.md"
}

setup_file() {
	# A tree like a fresh clone beside ../shared, whose out/ is the test's, not the user's.
	export TREE="$BATS_FILE_TMPDIR/clone/infercast"
	mkdir -p "$TREE"
	ln -s "$SHARED" "$BATS_FILE_TMPDIR/clone/shared"
	for f in "$ROOT"/* "$ROOT"/.[!.]*; do
		case ${f##*/} in .git | out) continue ;; esac
		ln -s "$f" "$TREE/${f##*/}"
	done
}

# readme_run CMD: run one README command in the tree, as a user's shell would.
readme_run() {
	run --separate-stderr env -u INFERCAST_DATA -u INFERCAST_SYSTEMS -u INFERCAST_FIDELITY PATH=/usr/local/bin:/usr/bin:/bin \
		sh -c "cd \"\$1\" && $1" sh "$TREE"
}

@test "readme: the README has the commands this test knows how to run" {
	run readme_commands
	assert_success
	# the first example, the set-up, the tests, default, the Makefile sweeps, GNU parallel
	[ "${#lines[@]}" -ge 7 ]
	assert_line --index 0 --partial 'bin/hfparse ../shared/models/'
}

@test "readme: every command runs verbatim" {
	n=0
	while IFS= read -r cmd; do
		n=$((n + 1))
		case $cmd in
		apt-get*)
			# needs root and the network: check instead that every package it names is installed
			# (the set-up chains the build and the main job after it with &&: those run below)
			rest=
			case $cmd in *'install -y '*'&& '*) rest=$(printf '%s\n' "$cmd" | sed 's/^.*install -y [^&]*&& //') ;; esac
			command -v dpkg-query >/dev/null || continue
			for p in $(printf '%s\n' "$cmd" | sed 's/.*install -y //; s/&&.*//'); do
				# installed, or being installed (another apt-get at work: triggers pending, configuring)
				case $(dpkg-query -W -f '${Status}' "$p" 2>/dev/null) in
				"install ok installed" | "install ok triggers-"* | "install ok half-configured" | "install ok unpacked") ;;
				*) echo "README command $n: package $p is not installed" >&2; return 1 ;;
				esac
			done
			[ -n "$rest" ] || continue
			cmd=$rest ;;
		kubectl\ apply\ -f\ *)
			# needs a Kubernetes cluster: check the manifest it names was written by the commands before
			f=${cmd#kubectl apply -f }
			[ -s "$TREE/$f" ] || { echo "README command $n: $f was not written" >&2; return 1; }
			continue ;;
		'make test')
			# runs this very test: check only that make knows the target and what it would run
			run make -C "$ROOT" -n test
			assert_success
			continue ;;
		parallel\ --sshlogin*)
			# needs the hosts it names: its job runs here instead, for the first of each list
			cmd=$(printf '%s\n' "$cmd" | sed -E 's/^parallel .* --tag (env )?//; s/ ::: .*//')
			first=$(printf '%s\n' "$(readme_commands | grep '^parallel --sshlogin')" |
				sed -E 's/.* ::: ([^ ]*) [^:]* ::: ([^ ]*) [^:]* ::: ([^ ]*).*/\1 \2 \3/')
			set -- $first
			cmd=$(printf '%s\n' "$cmd" | sed "s/{1}/$1/g; s/{2}/$2/g; s/{3}/$3/g") ;;
		esac
		readme_run "$cmd"
		[ "$status" -eq 0 ] || {
			printf 'README command %d failed (exit %d): %s\n%s\n' "$n" "$status" "$cmd" "$stderr" >&2
			return 1
		}
		[ -n "$output" ] || [ -n "$stderr" ] || [ "$cmd" = make ] ||
			{ echo "README command $n printed nothing: $cmd" >&2; return 1; }
	done < <(readme_commands)
	[ "$n" -ge 7 ]
}

@test "readme: the first example gives the measured numbers, not speed-of-light ones" {
	readme_run "$(readme_commands | head -1)"
	assert_success
	[ -z "$stderr" ] || { echo "$stderr" >&2; return 1; }
	chain=$output
	# the same configuration through estimate, with the tests' data
	run "$ROOT/pipelines/estimate" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--tp 2 --batch 8 --isl 4000 --osl 1000
	assert_success
	assert_equal "$chain" "$output"
}
