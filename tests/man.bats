#!/usr/bin/env bats
# Man pages: one per filter and pipeline, rendering without warnings, documenting every option
# the program's --help mentions.
load test_helper
bats_require_minimum_version 1.5.0

# The programs: every filters/NAME.c and every pipelines/NAME script.
programs() {
	for f in "$ROOT"/filters/*.c; do basename "$f" .c; done
	for p in "$ROOT"/pipelines/*; do
		case $p in *.mk | *Makefile) ;; *) [ -x "$p" ] && basename "$p" ;; esac
	done
}

# help NAME: its --help text.
help_of() {
	if [ -x "$BIN/$1" ]; then "$BIN/$1" --help; else "$ROOT/pipelines/$1" --help; fi
}

render() { MANWIDTH=80 LC_ALL=C man --warnings -l "$1"; }

@test "every filter and pipeline has a man page" {
	missing=
	for p in $(programs); do [ -f "$ROOT/man/$p.1" ] || missing="$missing $p"; done
	[ -z "$missing" ] || { echo "no man page for:$missing" >&2; return 1; }
}

@test "every man page renders without warnings" {
	command -v man >/dev/null || skip "man (man-db) is not installed"
	for m in "$ROOT"/man/*.[1-8]; do
		run --separate-stderr render "$m"
		[ "$status" -eq 0 ] || { echo "$m: exit $status" >&2; return 1; }
		[ -z "$stderr" ] || { echo "$m: $stderr" >&2; return 1; }
		[ -n "$output" ]
	done
}

@test "every option --help prints is in the man page" {
	command -v man >/dev/null || skip "man (man-db) is not installed"
	bad=
	for p in $(programs); do
		[ -f "$ROOT/man/$p.1" ] || continue
		# A line may break after a hyphen of an option name, or hyphenate it: join both ways.
		raw=$(render "$ROOT/man/$p.1" 2>/dev/null | col -b)
		text=$(printf '%s\n' "$raw" | sed -e ':a' -e '/-$/{N;s/-\n[[:space:]]*/-/;ba' -e '}')
		text="$text
$(printf '%s\n' "$raw" | sed -e ':a' -e '/-$/{N;s/-\n[[:space:]]*//;ba' -e '}')"
		# Options of the program itself: not those of other stages the text mentions ("aggregate --ops").
		others=$(programs | grep -vx "$p" | paste -sd '|')
		for o in $(help_of "$p" | sed -E "s/\\b($others) +--[a-z][a-z0-9-]*//g" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u); do
			printf '%s\n' "$text" | grep -q -- "$o\\b" || bad="$bad $p:$o"
		done
	done
	[ -z "$bad" ] || { echo "undocumented:$bad" >&2; return 1; }
}

@test "every man page has the sections a user looks for" {
	for m in "$ROOT"/man/*.1; do
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT "EXIT STATUS" EXAMPLES; do
			grep -q "^\\.SH \"\\{0,1\\}$s" "$m" || { echo "$m: no $s section" >&2; return 1; }
		done
	done
}
