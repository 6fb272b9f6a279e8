#!/usr/bin/env bats
# interp: one lookup, debugged. Expected numbers are the reference's interpolation.py
# (aiconfigurator a54593e24, with scipy griddata) run on the same table points.
load test_helper
bats_require_minimum_version 1.5.0

T3="$FIXTURES/interp/table3.jsonl"

@test "interp --help prints usage and exits 0" {
	run "$BIN/interp" --help
	assert_success
	assert_output --partial "usage: interp"
}

@test "interp: cubic 2-D then 1-D is the default on 3-D tables" {
	run "$BIN/interp" --query 2,300,20 "$T3"
	assert_success
	approx "$(printf '%s\n' "$output" | jget latency)" 0.5793840237298317 1e-12
	approx "$(printf '%s\n' "$output" | jget energy)" 174.99362994594003 1e-12
	[ "$(printf '%s\n' "$output" | jget method)" = cubic-2d-1d ]
	[ "$(printf '%s\n' "$output" | jget how)" = interpolated ]
}

@test "interp: bilinear and linear-3d" {
	run "$BIN/interp" --method bilinear --query 10,1000,60 "$T3"
	assert_success
	approx "$(printf '%s\n' "$output" | jget latency)" 1.4925939686335215 1e-12
	approx "$(printf '%s\n' "$output" | jget energy)" 463.0641302763917 1e-12
	run "$BIN/interp" --method linear-3d --query 3,512,500 "$T3"
	assert_success
	approx "$(printf '%s\n' "$output" | jget latency)" 3.4733625113498086 1e-12
}

@test "interp: query records in the input, answered in order" {
	run bash -c "{ cat '$T3'; echo '{\"query\":true,\"x\":1,\"y\":128,\"z\":8}'; echo '{\"query\":true,\"x\":3,\"y\":512,\"z\":512}'; } | '$BIN/interp'"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	[ "$(printf '%s\n' "${lines[0]}" | jget how)" = measured ]
	approx "$(printf '%s\n' "${lines[0]}" | jget latency)" 0.40700586025666546 1e-12
	approx "$(printf '%s\n' "${lines[1]}" | jget latency)" 3.64571474529551 1e-12
}

@test "interp: linear-2d on a 2-D table, linear-1d extrapolates unless --inner-only" {
	t2='{"x":1,"y":1,"value":0.5}
{"x":1,"y":8,"value":1.5}
{"x":1,"y":64,"value":9.0}
{"x":8,"y":1,"value":0.9}
{"x":8,"y":16,"value":2.5}
{"x":8,"y":64,"value":11.0}
{"x":32,"y":4,"value":3.0}
{"x":32,"y":64,"value":20.0}'
	run bash -c "printf '%s\n' '$t2' | '$BIN/interp' --query 20,30"
	assert_success
	approx "$(printf '%s\n' "$output" | jget latency)" 8.416666666666668 1e-12
	run bash -c "printf '%s\n' '{\"x\":2,\"value\":10}' '{\"x\":4,\"value\":20}' | '$BIN/interp' --query 8"
	assert_success
	[ "$(printf '%s\n' "$output" | jget latency)" = 40 ]
	[ "$(printf '%s\n' "$output" | jget how)" = extrapolated ]
	run bash -c "printf '%s\n' '{\"x\":2,\"value\":20}' '{\"x\":4,\"value\":10}' | '$BIN/interp' --query 8"
	[ "$(printf '%s\n' "$output" | jget latency)" = 20 ]
	run -1 bash -c "printf '%s\n' '{\"x\":2,\"value\":10}' '{\"x\":4,\"value\":20}' | '$BIN/interp' --inner-only --query 8"
	assert_output "interp: --query 8: query (linear-1d): 8 is above the largest key 4"
}

@test "interp: --extrapolate-* fills the grid the way the reference's loaders do" {
	rows='{"x":2,"y":16,"z":4,"value":1.0}
{"x":2,"y":16,"z":16,"value":3.0}
{"x":2,"y":64,"z":4,"value":2.0}
{"x":2,"y":64,"z":16,"value":7.0}
{"x":8,"y":16,"z":4,"value":1.5}
{"x":8,"y":16,"z":16,"value":5.0}
{"x":8,"y":64,"z":4,"value":4.0}
{"x":8,"y":64,"z":16,"value":9.0}'
	run bash -c "printf '%s\n' '$rows' | '$BIN/interp' --method bilinear --extrapolate-x 1,4,32 --extrapolate-y 8,32,128 --extrapolate-z 1,8,64 --query 32,128,1 --query 4,128,8"
	assert_success
	approx "$(printf '%s\n' "${lines[0]}" | jget latency)" 23.583333333333336 1e-12
	[ "$(printf '%s\n' "${lines[0]}" | jget how)" = extrapolated ]
	approx "$(printf '%s\n' "${lines[1]}" | jget latency)" 7.4444444444444455 1e-12
	run bash -c "printf '%s\n' '$rows' | '$BIN/interp' --method bilinear --extrapolate-x 32 --extrapolate-y 8,32,128 --extrapolate-z 1,8,64 --sqrt-y --query 32,128,1"
	assert_success
	approx "$(printf '%s\n' "$output" | jget latency)" 34.9820365262561 1e-12
}

@test "interp: a query out of range is reported with its place, the others answered" {
	run -1 --separate-stderr bash -c "{ cat '$T3'; echo '{\"query\":true,\"x\":0,\"y\":300,\"z\":20}'; echo '{\"query\":true,\"x\":2,\"y\":300,\"z\":20}'; } | '$BIN/interp'"
	[ "$stderr" = "interp: <stdin>:18: query (cubic-2d-1d): 0 is below the smallest key 1" ]
	[ "${#lines[@]}" -eq 1 ]
	approx "$(printf '%s\n' "${lines[0]}" | jget latency)" 0.5793840237298317 1e-12
}

@test "interp: bad records and options" {
	run -1 bash -c "echo '{\"y\":1,\"value\":2}' | '$BIN/interp'"
	assert_output "interp: <stdin>:1: missing 'x'"
	run -1 bash -c "echo '{\"x\":1,\"y\":1}' | '$BIN/interp'"
	assert_output "interp: <stdin>:1: neither a table point ('value' or 'latency') nor a query ('query': true)"
	run -1 bash -c "printf '%s\n' '{\"x\":1,\"y\":1,\"value\":2}' '{\"x\":1,\"value\":2}' | '$BIN/interp'"
	assert_output "interp: <stdin>:2: table point has 1 coordinate(s), earlier ones had 2"
	run -1 bash -c "echo '{\"x\":1,\"value\":2}' | '$BIN/interp' --method cubic --query 1"
	assert_output "interp: method cubic-2d-1d needs a 3-D table, the input has 1-D points"
	run -2 "$BIN/interp" --method spline
	assert_line --index 0 "interp: --method: 'spline' is not one of linear-1d, linear-2d, cubic-2d-1d, bilinear-2d-1d, linear-3d"
	assert_line --index 1 "try 'interp --help'"
	run -2 "$BIN/interp" --bogus
	assert_line --index 0 "interp: unknown option '--bogus'"
	run -2 "$BIN/interp" --query
	assert_line --index 0 "interp: option '--query' needs a value"
}
