#!/usr/bin/env bats
# paretoplot: the Pareto picture of a saved run. The files here are written by the tests (columns
# in another order than pareto's, so that only their names can find them); the picture's facts
# are checked through --describe, its size through the PNG's header, its red dot through its
# pixels (build/tools/pngcount).
load test_helper
bats_require_minimum_version 1.5.0

# save_dir DIR: a saved run of two modes, the disagg pick the better (tokens/s/gpu_cluster 900).
save_dir() {
	mkdir -p "$1/agg" "$1/disagg"
	printf '%s\n' 'tokens/s/gpu,model,tokens/s/user' '1200,Org/Model-7B,10' '800,Org/Model-7B,40' '150.5,Org/Model-7B,95.25' >"$1/agg/pareto.csv"
	printf '%s\n' 'bs,parallel,tokens/s/user,tokens/s/gpu,tokens/s/gpu_cluster' '64,tp2pp1,40,800,800' >"$1/agg/best_config_topn.csv"
	printf '%s\n' 'model,tokens/s/user,tokens/s/gpu' 'Org/Model-7B,20,1000' 'Org/Model-7B,60,500' >"$1/disagg/pareto.csv"
	printf '%s\n' '(p)workers,(p)parallel,(p)bs,(d)workers,(d)parallel,(d)bs,tokens/s/user,tokens/s/gpu,tokens/s/gpu_cluster' \
		'3,tp1pp1,1,1,tp4pp1,128,20,1000,900' >"$1/disagg/best_config_topn.csv"
}

# png_size FILE: width and height from the PNG's IHDR chunk (bytes 16-23, big-endian).
png_size() {
	od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d\n", ((($1 * 256 + $2) * 256 + $3) * 256 + $4), ((($5 * 256 + $6) * 256 + $7) * 256 + $8) }'
}

@test "paretoplot: a 900 x 600 PNG of both fronts, the TPOT mark and the chosen point, said by --describe" {
	d="$BATS_TEST_TMPDIR/run"
	save_dir "$d"
	run --separate-stderr paretoplot --describe --title '{model} on 8 x h200_sxm' --title 'TTFT <= 2000 ms, TPOT <= 25 ms' \
		--tpot-mark 25 "$d"
	assert_success
	assert_equal "$stderr" ''
	assert_output "$(printf '%s\n' 'title: Org/Model-7B on 8 x h200_sxm' 'title: TTFT <= 2000 ms, TPOT <= 25 ms' \
		'x axis: tokens/s/user from 0 to 100, a tick every 10' 'y axis: tokens/s/gpu from 0 to 1400, a tick every 200' \
		'front: agg, 3 points' 'front: disagg, 2 points' 'mark: TPOT 25 ms at 40 tokens/s/user' \
		'chosen: disagg 3x (p)tp1pp1 bs 1 + 1x (d)tp4pp1 bs 128 at 20 tokens/s/user, 1000 tokens/s/gpu')"
	assert_equal "$(png_size "$d/pareto_frontier.png")" 900x600
	# the chosen point and its legend mark: two dots of pure red, the picture's only red
	assert_equal "$("$TOOLS/pngcount" "$d/pareto_frontier.png" 255,0,0)" '900x600 242'
	# the file and nothing else: no temporary file left beside it
	assert_equal "$(ls -A "$d" | paste -sd' ')" 'agg disagg pareto_frontier.png'
	# -o: elsewhere; the same picture byte for byte (nothing in it depends on the time or the path)
	run paretoplot -o "$BATS_TEST_TMPDIR/other.png" --title '{model} on 8 x h200_sxm' --title 'TTFT <= 2000 ms, TPOT <= 25 ms' \
		--tpot-mark 25 "$d"
	assert_success
	assert_output ''
	cmp "$BATS_TEST_TMPDIR/other.png" "$d/pareto_frontier.png"
}

@test "paretoplot: the pick is the better first row of the two modes; a tie goes to the greater row text" {
	d="$BATS_TEST_TMPDIR/run"
	save_dir "$d"
	# agg better
	printf '%s\n' 'bs,parallel,tokens/s/user,tokens/s/gpu,tokens/s/gpu_cluster' '32,tp4pp1,12,1150,950' '64,tp2pp1,40,800,800' >"$d/agg/best_config_topn.csv"
	run paretoplot --describe "$d"
	assert_success
	assert_line 'chosen: agg tp4pp1 bs 32 at 12 tokens/s/user, 1150 tokens/s/gpu'
	# a tie on tokens/s/gpu_cluster: "900 20 ..." (disagg) is greater than "900 12 ..." (agg)
	printf '%s\n' 'bs,parallel,tokens/s/user,tokens/s/gpu,tokens/s/gpu_cluster' '32,tp4pp1,12,1150,900' >"$d/agg/best_config_topn.csv"
	run paretoplot --describe "$d"
	assert_line --partial 'chosen: disagg 3x'
	# no title asked for: none drawn, none said
	refute_line --partial 'title:'
}

@test "paretoplot: an empty or missing file leaves its mode out; no pick file, no chosen point" {
	d="$BATS_TEST_TMPDIR/run"
	save_dir "$d"
	: >"$d/disagg/pareto.csv"
	rm "$d/disagg/best_config_topn.csv"
	run paretoplot --describe --tpot-mark 12.5 "$d"
	assert_success
	assert_output "$(printf '%s\n' 'x axis: tokens/s/user from 0 to 100, a tick every 10' 'y axis: tokens/s/gpu from 0 to 1400, a tick every 200' \
		'front: agg, 3 points' 'mark: TPOT 12.5 ms at 80 tokens/s/user' 'chosen: agg tp2pp1 bs 64 at 40 tokens/s/user, 800 tokens/s/gpu')"
	assert_equal "$(png_size "$d/pareto_frontier.png")" 900x600
	rm "$d/agg/best_config_topn.csv"
	rm -r "$d/disagg"
	run paretoplot --describe "$d"
	assert_success
	refute_line --partial 'chosen:'
	assert_equal "$("$TOOLS/pngcount" "$d/pareto_frontier.png" 255,0,0)" '900x600 0'
	# a mark beyond the data widens the axis (a target nobody sees would be no mark), with room after it
	run paretoplot --describe --tpot-mark 4 "$d"
	assert_line 'x axis: tokens/s/user from 0 to 300, a tick every 50'
}

@test "paretoplot: a garbled or missing file is refused, naming it; nothing is written or left behind" {
	d="$BATS_TEST_TMPDIR/run"
	save_dir "$d"
	printf '%s\n' 'tokens/s/gpu,model,tokens/s/user' '1200,Org/Model-7B,10' '800,Org/Model-7B,4O' >"$d/agg/pareto.csv"
	run --separate-stderr paretoplot "$d"
	assert_failure 1
	assert_equal "$stderr" "paretoplot: $d/agg/pareto.csv:3: tokens/s/user '4O' is not a number"
	printf '%s\n' 'tokens/s/gpu,model' '1200,Org/Model-7B' >"$d/agg/pareto.csv"
	run --separate-stderr paretoplot "$d"
	assert_failure 1
	assert_equal "$stderr" "paretoplot: $d/agg/pareto.csv: no 'tokens/s/user' column in the header"
	printf '%s\n' 'tokens/s/gpu,model,tokens/s/user' '1200,"Org/Model-7B,10' >"$d/agg/pareto.csv"
	run --separate-stderr paretoplot "$d"
	assert_failure 1
	assert_equal "$stderr" "paretoplot: $d/agg/pareto.csv:2: 2 fields where the header has 3"
	save_dir "$d"
	printf '%s\n' 'bs,tokens/s/user,tokens/s/gpu,tokens/s/gpu_cluster' '64,40,800,800' >"$d/agg/best_config_topn.csv"
	run --separate-stderr paretoplot "$d"
	assert_failure 1
	assert_equal "$stderr" "paretoplot: $d/agg/best_config_topn.csv: no 'parallel' column in the header"
	assert_equal "$(ls -A "$d" | paste -sd' ')" 'agg disagg'
	# no model column, and the title asks for it
	save_dir "$d"
	printf '%s\n' 'tokens/s/gpu,tokens/s/user' '1200,10' >"$d/agg/pareto.csv"
	printf '%s\n' 'tokens/s/user,tokens/s/gpu' '20,1000' >"$d/disagg/pareto.csv"
	run --separate-stderr paretoplot --title '{model}' "$d"
	assert_failure 1
	assert_equal "$stderr" "paretoplot: --title: the title names {model} and no pareto.csv has a model column"
	# fronts without a row
	printf '%s\n' 'tokens/s/user,tokens/s/gpu' >"$d/agg/pareto.csv"
	rm "$d/disagg/pareto.csv"
	run --separate-stderr paretoplot "$d"
	assert_failure 1
	assert_equal "$stderr" "paretoplot: $d: no point to draw (neither agg/pareto.csv nor disagg/pareto.csv has a row)"
	assert_equal "$(ls -A "$d" | paste -sd' ')" 'agg disagg'
	run --separate-stderr paretoplot "$BATS_TEST_TMPDIR/none"
	assert_failure 1
	assert_equal "$stderr" "paretoplot: $BATS_TEST_TMPDIR/none: No such file or directory"
	# a folder that cannot take the file: nothing there, not even the temporary file
	save_dir "$d"
	run --separate-stderr paretoplot -o "$d/no/such/plot.png" "$d"
	assert_failure 1
	assert_equal "$stderr" "paretoplot: $d/no/such/plot.png: No such file or directory"
	mkdir "$d/plot.png"
	run --separate-stderr paretoplot -o "$d/plot.png" "$d"
	assert_failure 1
	assert_equal "$stderr" "paretoplot: $d/plot.png: Is a directory"
	assert_equal "$(ls -A "$d" | paste -sd' ')" 'agg disagg plot.png'
}

@test "paretoplot: a failed run keeps the picture there was" {
	d="$BATS_TEST_TMPDIR/run"
	save_dir "$d"
	run paretoplot --tpot-mark 25 "$d"
	assert_success
	cp "$d/pareto_frontier.png" "$BATS_TEST_TMPDIR/before.png"
	printf '%s\n' 'tokens/s/user,tokens/s/gpu' '1,x' >"$d/disagg/pareto.csv"
	run paretoplot "$d"
	assert_failure 1
	cmp "$BATS_TEST_TMPDIR/before.png" "$d/pareto_frontier.png"
}

@test "paretoplot: bad usage" {
	run paretoplot
	assert_failure 2
	assert_output "$(printf '%s\n' "paretoplot: name the saved run's folder DIR" "try 'paretoplot --help'")"
	run paretoplot a b
	assert_failure 2
	assert_line --index 0 "paretoplot: unexpected argument 'b'"
	run paretoplot --tpot-mark 0 a
	assert_failure 2
	assert_line --index 0 "paretoplot: --tpot-mark: '0' is not a positive number of milliseconds"
	run paretoplot --tpot-mark fast a
	assert_failure 2
	assert_line --index 0 "paretoplot: --tpot-mark: 'fast' is not a finite number"
	run paretoplot --title 1 --title 2 --title 3 --title 4 --title 5 a
	assert_failure 2
	assert_line --index 0 "paretoplot: --title: at most 4 title lines"
	run paretoplot --colour red a
	assert_failure 2
	assert_line --index 0 "paretoplot: unknown option '--colour'"
	run paretoplot --help
	assert_success
	assert_line --index 0 'usage: paretoplot [-o FILE] [--title TEXT]... [--tpot-mark MS] [--describe] DIR'
}
