#!/usr/bin/env bats
# The reference's current perf-data tree (../shared/aic-systems: Parquet tables in family
# folders, reuse.yaml, collection_meta.yaml; docs/data.md, docs/parquet.md): the same tables
# read the same as the CSV tree, where each table came from, the default version, every system
# with tables, and the refusals.
load test_helper

AIC="$SHARED/aic-systems"

setup() {
	[ -d "$AIC/data" ] || skip "no ../shared/aic-systems"
}

# same_table SYSTEM BACKEND VERSION TABLE: perfload shows the same rows (all but the line
# column: a Parquet table numbers its rows) from the CSV tree and the Parquet tree.
same_table() {
	local a b
	a=$(perfload --data-dir "$SHARED/data" --system "$1" --backend "$2" --version "$3" --format csv "$4" | cut -d, -f2- | cksum)
	b=$(perfload --data-dir "$AIC/data" --system "$1" --backend "$2" --version "$3" --format csv "$4" | cut -d, -f2- | cksum)
	[ "$a" = "$b" ] || { echo "$1/$2/$3 $4 differs"; return 1; }
}

@test "parquet: tables both trees hold read the same, cell for cell" {
	for t in gemm context_attention generation_attention custom_allreduce nccl moe computescale; do
		same_table h200_sxm trtllm 1.3.0rc10 "$t"
	done
	same_table h100_sxm sglang 0.5.10 gemm
	same_table a100_sxm vllm 0.14.0 generation_attention
	same_table l40s trtllm 1.0.0 gemm
	same_table b200_sxm trtllm 1.3.0rc10 mla_bmm
}

@test "parquet: the systems folder or its data/ folder, by --data-dir or INFERCAST_DATA" {
	run bash -c "perfload --data-dir '$AIC' --system h200_sxm --backend trtllm --version 1.3.0rc10 --format csv gemm | wc -l"
	assert_output 101011
	run bash -c "INFERCAST_DATA='$AIC/data' perfload --system h200_sxm --backend trtllm --version 1.3.0rc10 --format csv gemm | head -2"
	assert_line --index 0 "line,framework,version,device,op_name,kernel_source,gemm_dtype,m,n,k,latency"
	assert_line --index 1 "1,TRTLLM,1.3.0rc10,NVIDIA H200,gemm,torch_flow,bfloat16,4353,65536,51200,41.66388193766276"
}

@test "parquet: perfload --list says where each table came from and why" {
	run bash -c "perfload --data-dir '$AIC' --system h200_sxm --backend sglang --version 0.5.12 --list | grep '\"table\":\"gemm_perf.txt\"'"
	assert_success
	[ "$(echo "$output" | jget source)" = reuse.yaml ]
	[ "$(echo "$output" | jget source_version)" = 0.5.14 ]
	[ "$(echo "$output" | jget status)" = complete ]
	[ "$(echo "$output" | jget path)" = "$AIC/data/h200_sxm/gemm/sglang/0.5.14/gemm_perf.parquet" ]
	[ "$(echo "$output" | jget rows)" = 101010 ]
	run bash -c "perfload --data-dir '$AIC' --system h200_sxm --backend sglang --version 0.5.12 --list | grep '\"table\":\"wideep_deepep_normal_perf.txt\"'"
	[ "$(echo "$output" | jget source)" = own ]
	[ "$(echo "$output" | jget status)" = partial ]
	run bash -c "perfload --system h200_sxm --backend trtllm --list | grep '\"table\":\"gemm_perf.txt\"' | '$TOOLS/jget' source"
	assert_output csv
}

@test "parquet: a static estimate is the same from either tree" {
	local a b
	a=$("$ROOT/pipelines/estimate" --data-dir "$SHARED/data" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--version 1.3.0rc10 --tp 2 --batch 8 --isl 4000 --osl 1000 --ops --format jsonl)
	b=$("$ROOT/pipelines/estimate" --data-dir "$AIC" --model "$MODELS/Qwen--Qwen3-32B" --system h200_sxm --backend trtllm \
		--version 1.3.0rc10 --tp 2 --batch 8 --isl 4000 --osl 1000 --ops --format jsonl)
	[ "$a" = "$b" ]
}

@test "parquet: the default version is the newest with the core tables" {
	for be in trtllm:1.3.0rc20 sglang:0.5.14 vllm:0.24.0; do
		run bash -c "perfload --data-dir '$AIC' --system h200_sxm --backend ${be%%:*} --list | grep '\"table\":\"gemm_perf.txt\"' | '$TOOLS/jget' path"
		assert_success
		assert_output "$AIC/data/h200_sxm/gemm/${be%%:*}/${be#*:}/gemm_perf.parquet"
	done
	# 1.3.0rc23 holds only a few re-collected tables; it can still be asked for
	run bash -c "perfload --data-dir '$AIC' --system h200_sxm --backend trtllm --version 1.3.0rc23 --list | '$TOOLS/jget' table"
	assert_success
	refute_output --partial context_attention
}

@test "parquet: a version that does not exist is an error listing those that do" {
	run perfload --data-dir "$AIC" --system h200_sxm --backend vllm --version 0.99.0 --list
	assert_failure 1
	assert_output "perfload: unknown version '0.99.0' for h200_sxm/vllm (known: 0.1.dev19262, 0.14.0, 0.18.0, 0.19.0, 0.22.0, 0.24.0)"
	run perfload --data-dir "$AIC" --system b60 --backend trtllm --list
	assert_failure 1
	assert_output "perfload: no trtllm data for system b60 in $AIC/data/b60 (backends with data: vllm)"
}

@test "parquet: a missing table is refused with the place it was looked for" {
	run "$ROOT/pipelines/estimate" --data-dir "$AIC" --model "$MODELS/Qwen--Qwen3-8B" --system a100_sxm --backend vllm \
		--version 0.22.0 --tp 2 --batch 8 --isl 1024 --osl 128 --format jsonl
	assert_failure
	assert_output --partial "no custom all-reduce data: $AIC/data/a100_sxm/<family>/vllm/0.22.0/custom_allreduce_perf.parquet does not exist"
}

@test "parquet: a broken reuse.yaml or table is refused naming the file" {
	local t="$BATS_TEST_TMPDIR/tree"
	mkdir -p "$t/h200_sxm/gemm/trtllm/2.0" "$t/h200_sxm/attention/trtllm" "$t/h200_sxm/comm"
	cp -r "$AIC/data/h200_sxm/attention/trtllm/1.3.0rc10" "$t/h200_sxm/attention/trtllm/2.0"
	cp -r "$AIC/data/h200_sxm/comm/nccl" "$t/h200_sxm/comm/"
	printf 'reuse:\n- table: gemm_perf\n  from_version: 1.0\n' >"$t/h200_sxm/gemm/trtllm/2.0/reuse.yaml"
	run perfload --data-dir "$t" --system h200_sxm --backend trtllm --version 2.0 gemm
	assert_failure 1
	assert_output "perfload: $t/h200_sxm/gemm/trtllm/2.0/reuse.yaml: gemm_perf comes from version 1.0, which does not hold it ($t/h200_sxm/gemm/trtllm/1.0/gemm_perf.parquet not found)"
	printf 'reuse: [\n' >"$t/h200_sxm/gemm/trtllm/2.0/reuse.yaml"
	run perfload --data-dir "$t" --system h200_sxm --backend trtllm --version 2.0 gemm
	assert_failure 1
	assert_output --partial "perfload: $t/h200_sxm/gemm/trtllm/2.0/reuse.yaml:2: YAML: "
	rm "$t/h200_sxm/gemm/trtllm/2.0/reuse.yaml"
	head -c 5000 "$AIC/data/h200_sxm/gemm/trtllm/1.3.0rc10/gemm_perf.parquet" >"$t/h200_sxm/gemm/trtllm/2.0/gemm_perf.parquet"
	run perfload --data-dir "$t" --system h200_sxm --backend trtllm --version 2.0 gemm
	assert_failure 1
	assert_output "perfload: $t/h200_sxm/gemm/trtllm/2.0/gemm_perf.parquet: truncated or not a Parquet file (no PAR1 magic at the end)"
	run "$ROOT/pipelines/estimate" --data-dir "$t" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--version 2.0 --tp 1 --batch 8 --isl 1024 --osl 128 --format jsonl
	assert_failure
	assert_output --partial "$t/h200_sxm/gemm/trtllm/2.0/gemm_perf.parquet: truncated or not a Parquet file"
}

@test "parquet: the table cache keys a Parquet table by its file (a cached run answers the same)" {
	local a b
	a=$("$ROOT/pipelines/estimate" --data-dir "$AIC" --model "$MODELS/Qwen--Qwen3-30B-A3B" --system b300_sxm --backend trtllm \
		--tp 2 --moe-tp 1 --moe-ep 2 --batch 8 --isl 1024 --osl 128 --ops --format jsonl)
	b=$("$ROOT/pipelines/estimate" --data-dir "$AIC" --model "$MODELS/Qwen--Qwen3-30B-A3B" --system b300_sxm --backend trtllm \
		--tp 2 --moe-tp 1 --moe-ep 2 --batch 8 --isl 1024 --osl 128 --ops --format jsonl)
	[ "$a" = "$b" ]
	[ -n "$(ls "$INFERCAST_CACHE")" ]
	c=$(INFERCAST_CACHE=off "$ROOT/pipelines/estimate" --data-dir "$AIC" --model "$MODELS/Qwen--Qwen3-30B-A3B" --system b300_sxm \
		--backend trtllm --tp 2 --moe-tp 1 --moe-ep 2 --batch 8 --isl 1024 --osl 128 --ops --format jsonl)
	[ "$a" = "$c" ]
}

# One backend per system for the slower runs (each backend on several systems).
PAIRS="a100_sxm:sglang b200_sxm:trtllm b300_sxm:vllm b60:vllm gb200:sglang gb300:trtllm h100_sxm:vllm h200_sxm:sglang
	l40s:trtllm rtx_pro_6000_server:vllm"

# Every system with tables, the newest version of each backend it has: a static estimate for a
# dense and a MoE model succeeds, or refuses naming the table (or the shape it lacks); agg and
# disagg estimates on one backend per system. (All modes on every backend: 168 runs, about a
# minute more; run by hand when the tree changes.)
every_system() {
	local model=$1 moe=$2 sys be out bad=0 n=0 modes
	for sys in a100_sxm b200_sxm b300_sxm b60 gb200 gb300 h100_sxm h200_sxm l40s rtx_pro_6000_server; do
		for be in trtllm sglang vllm; do
			perfload --data-dir "$AIC" --system "$sys" --backend "$be" --list >/dev/null 2>&1 || continue
			modes=static
			case " $(echo $PAIRS) " in *" $sys:$be "*) modes="static agg disagg" ;; esac
			for mode in $modes; do
				local args=(--mode "$mode" --tp 2 --batch 8)
				[ -n "$moe" ] && args+=(--moe-tp 1 --moe-ep 2)
				if [ "$mode" = disagg ]; then
					args=(--mode disagg --prefill-batch 1 --decode-batch 16 --prefill-tp 2 --decode-tp 2)
					[ -n "$moe" ] && args+=(--prefill-moe-tp 1 --prefill-moe-ep 2 --decode-moe-tp 1 --decode-moe-ep 2)
				fi
				n=$((n + 1))
				if ! out=$("$ROOT/pipelines/estimate" --data-dir "$AIC" --model "$MODELS/$model" --system "$sys" --backend "$be" \
					--isl 1024 --osl 128 "${args[@]}" --format jsonl 2>&1); then
					case $out in
					# refused, naming the table, the shape it lacks, or memory
					*.parquet* | *"no table answer"* | *"does not fit in GPU memory"*) ;;
					*) bad=$((bad + 1)); echo "$sys/$be $mode: $out" | tail -2 ;;
					esac
				fi
			done
		done
	done
	echo "# $model: $((n - bad))/$n estimates priced or refused naming the table" >&3
	[ "$n" -eq 48 ]
	[ "$bad" -eq 0 ]
}

@test "parquet: every system, dense model (Qwen3-8B): estimates" {
	every_system Qwen--Qwen3-8B ""
}

@test "parquet: every system, MoE model (Qwen3-30B-A3B): estimates" {
	every_system Qwen--Qwen3-30B-A3B moe
}

# default sweeps take seconds each: one backend per system, 4 GPUs (every backend of every system
# on 8 GPUs: 56 sweeps, about 2.5 minutes, all priced but a100_sxm TRT-LLM MoE, which lacks shapes).
@test "parquet: every system, default sweeps of a dense and a MoE model at the newest version" {
	local pair sys be m out bad=0 n=0
	for pair in $PAIRS; do
		sys=${pair%%:*} be=${pair#*:}
		for m in Qwen--Qwen3-8B Qwen--Qwen3-30B-A3B; do
			n=$((n + 1))
			if ! out=$("$ROOT/pipelines/default" --data-dir "$AIC" --model "$MODELS/$m" --system "$sys" --backend "$be" \
				--total-gpus 4 --isl 1024 --osl 128 --ttft 2000 --tpot 100 --format jsonl 2>&1); then
				case $out in
				*.parquet* | *"no table answer"*) ;;
				*) bad=$((bad + 1)); echo "$sys/$be $m: $out" | tail -2 ;;
				esac
			fi
		done
	done
	echo "# default sweeps: $((n - bad))/$n priced or refused naming the table" >&3
	[ "$n" -eq 20 ]
	[ "$bad" -eq 0 ]
}

@test "parquet: row-level reuse (query --row-reuse, INFERCAST_ROW_REUSE=1) fills a table from earlier versions" {
	# a100_sxm vLLM 0.22.0 has no custom all-reduce table: refused by default, priced from 0.14.0's rows with reuse
	run "$ROOT/pipelines/estimate" --data-dir "$AIC" --model "$MODELS/Qwen--Qwen3-8B" --system a100_sxm --backend vllm \
		--version 0.22.0 --tp 2 --batch 8 --isl 1024 --osl 128 --format jsonl
	assert_failure
	run bash -c "INFERCAST_ROW_REUSE=1 '$ROOT/pipelines/estimate' --data-dir '$AIC' --model '$MODELS/Qwen--Qwen3-8B' --system a100_sxm \
		--backend vllm --version 0.22.0 --tp 2 --batch 8 --isl 1024 --osl 128 --format jsonl | '$TOOLS/jget' ttft_ms"
	assert_success
	approx "$output" 282.83464914680178
	run bash -c "hfparse '$MODELS/Qwen--Qwen3-8B' | opgraph --system a100_sxm --backend vllm --tp 2 --batch 8 --isl 1024 --osl 128 |
		query --data-dir '$AIC' --version 0.22.0 --row-reuse | grep context_embedding_ar | '$TOOLS/jget' source"
	assert_success
	assert_output silicon
	# where the version has its own table, its rows come first: the same answer as without reuse
	local a b
	a=$("$ROOT/pipelines/estimate" --data-dir "$AIC" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm --backend trtllm \
		--tp 2 --batch 8 --isl 1024 --osl 128 --format jsonl)
	b=$(INFERCAST_ROW_REUSE=1 "$ROOT/pipelines/estimate" --data-dir "$AIC" --model "$MODELS/Qwen--Qwen3-8B" --system h200_sxm \
		--backend trtllm --tp 2 --batch 8 --isl 1024 --osl 128 --format jsonl)
	[ "$a" = "$b" ]
}
