#!/usr/bin/env bats
# Docs and --help agree on the values an option takes (modes, methods, formats, database modes):
# a value listed in one but not the other, or documented but refused, fails. The program itself
# is asked which values it takes.
load test_helper
bats_require_minimum_version 1.5.0

# The values of each kind, as words (the text is cut into words at anything but [A-Za-z0-9_.-]).
KIND_mode='static|static_ctx|static_gen|agg|disagg'
KIND_dbmode='silicon|hybrid|empirical|sol'
KIND_format='table|jsonl|csv'
KIND_method='(linear|cubic|bilinear)(-[0-9]d)+|cubic|bilinear'

help_of() { if [ -x "$BIN/$1" ]; then "$BIN/$1" --help; else "$ROOT/pipelines/$1" --help; fi; }

# help_region PROG OPT: the --help lines naming OPT and the deeper-indented lines under them.
help_region() {
	help_of "$1" | awk -v opt="$2" '
		index($0, opt) { print; keep = 1; next }
		keep && /^                    / { print; next }
		{ keep = 0 }'
}

# man_region PROG OPT [SECTION]: the paragraphs of the rendered man page naming OPT, and SECTION.
man_region() {
	MANWIDTH=100 LC_ALL=C man --nh --nj -l "$ROOT/man/$1.1" 2>/dev/null | col -b | awk -v opt="$2" -v sec="${3:-}" '
		/^[A-Z][A-Z ]*$/ { insec = (sec != "" && $0 == sec) }
		/^[[:space:]]*$/ { if (para ~ opt || insec) printf "%s", para; para = ""; next }
		{ para = para $0 "\n" }
		END { if (para ~ opt || insec) printf "%s", para }'
}

# words KIND: the words of that kind on stdin, one per line, sorted, unique.
words() {
	local re="KIND_$1"
	tr -c 'A-Za-z0-9_.-' '\n' | grep -xE "${!re}" | sort -u
}

# accepted PROG OPT VALUE ARGS...: whether PROG takes VALUE for OPT (a refusal is a usage error
# quoting the value).
accepted() {
	local prog=$1 opt=$2 value=$3
	shift 3
	local cmd="$BIN/$prog"
	[ -x "$cmd" ] || cmd="$ROOT/pipelines/$prog"
	run --separate-stderr "$cmd" "$opt" "$value" "$@" </dev/null
	! { [ "$status" -eq 2 ] && [[ $stderr == *"'$value'"* ]]; }
}

# check PROG OPT KIND SECTION ARGS...: help and man list the same values, and PROG takes each.
check() {
	local prog=$1 opt=$2 kind=$3 section=$4
	shift 4
	local h m bad=
	h=$(help_region "$prog" "$opt" | words "$kind")
	m=$(man_region "$prog" "$opt" "$section" | words "$kind")
	[ "$h" = "$m" ] || {
		echo "$prog $opt: --help lists [$(echo $h)], the man page [$(echo $m)]" >&2
		return 1
	}
	for v in $h; do accepted "$prog" "$opt" "$v" "$@" || bad="$bad $v"; done
	[ -z "$bad" ] || { echo "$prog $opt: documented but refused:$bad" >&2; return 1; }
	# and what the program says it takes when refusing a value is documented
	accepted "$prog" "$opt" no-such-value "$@" && { echo "$prog $opt: takes anything" >&2; return 1; }
	for v in $(printf '%s\n' "$stderr" | head -1 | words "$kind"); do
		[[ " $(echo $h) " == *" $v "* ]] || bad="$bad $v"
	done
	[ -z "$bad" ] || { echo "$prog $opt: taken but not documented:$bad" >&2; return 1; }
}

setup() {
	command -v man >/dev/null || skip "man (man-db) is not installed"
	Q8=(--model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm)
	SMALL=(--tp 1 --batch 1 --isl 10 --osl 10)
}

@test "docs: interp's methods" {
	check interp --method method METHODS --query 1
}

@test "docs: opgraph's and estimate's modes" {
	check opgraph --mode mode '' --system h200_sxm --backend trtllm --batch 1 --isl 10 --osl 10 \
		--prefill-batch 1 --decode-batch 1
	check estimate --mode mode ''
}

@test "docs: database modes of query, estimate and default" {
	check query --database-mode dbmode ''
	check estimate --database-mode dbmode '' "${Q8[@]}" "${SMALL[@]}"
}

@test "docs: output formats" {
	check aggregate --format format ''
	check estimate --format format ''
	check default --format format ''
	check pareto --format format '' --total-gpus 1
	check perfload --format format '' --system h200_sxm --backend trtllm --list
}

@test "docs: query(1) names every op type opgraph writes, for every family" {
	local types missing=
	types=$(for m in Qwen--Qwen3-8B Qwen--Qwen3-30B-A3B deepseek-ai--DeepSeek-V3 deepseek-ai--DeepSeek-V3.2 \
		nvidia--Nemotron-H-56B-Base-8K Qwen--Qwen3.5-35B-A3B deepseek-ai--DeepSeek-V4-Flash \
		meta-llama--Llama-4-Scout-17B-16E-Instruct google--gemma-4-26B-A4B Qwen--Qwen3-VL-30B-A3B-Instruct \
		nvidia--Llama-3_3-Nemotron-Super-49B-v1; do hfparse "$MODELS/$m"; done |
		opgraph --keep-going --system h200_sxm --backend trtllm --tp 8 --moe-ep 8 --batch 1 --isl 100 --osl 10
		hfparse "$MODELS/deepseek-ai--DeepSeek-V3" |
		opgraph --system h200_sxm --backend trtllm --tp 1 --dp 8 --moe-ep 8 --batch 1 --isl 100 --osl 10 --wideep)
	types=$(printf '%s\n' "$types" | grep -o '"op_type":"[A-Za-z0-9]*"' | cut -d'"' -f4 | sort -u)
	[ "$(printf '%s\n' "$types" | wc -l)" -ge 20 ]
	page=$(MANWIDTH=100 LC_ALL=C man --nh --nj -l "$ROOT/man/query.1" 2>/dev/null | col -b | tr -c 'A-Za-z0-9' '\n')
	for t in $types; do printf '%s\n' "$page" | grep -qx "$t" || missing="$missing $t"; done
	[ -z "$missing" ] || { echo "query(1) does not name:$missing" >&2; return 1; }
}
