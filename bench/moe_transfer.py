#!/usr/bin/python3
"""bench/moe_transfer.py: how well the load fidelity's MoE shape transfer (lib/perf/moe_nearest,
lib/perf/table_moe) prices a shape the table lacks, checked on the tables themselves: each
measured shape of a MoE table is left out in turn and priced from the nearest remaining shape
(same quant mode and distribution), next to the empirical formula the fallback used before
(speed of light / 0.4, with the bfloat16 weights of the checkpoint's mode where the shape was
missing in every mode: here the asked mode, the formula's kindest case).

usage: perfload --system S --backend B [--version V] --format csv moe > moe.csv
       python3 bench/moe_transfer.py moe.csv MEM_BW_BYTES_PER_S BF16_FLOPS
Prints the median and p90 of |predicted / table - 1| by token range, for both methods.
Needs no measured deployment: the tables are the truth here."""
import csv
import math
import statistics
import sys
from collections import defaultdict

QUANT = {"bfloat16": (2, 1), "fp8": (1, 2), "int4_wo": (0.5, 1), "fp8_block": (1, 2), "w4afp8": (0.5, 2),
         "nvfp4": (9 / 16, 4), "w4a16_mxfp4": (0.5, 1), "w4a8_mxfp4_mxfp8": (0.5, 2)}


def sol_ms(shape, tokens, quant, bw, flops):
    """lib/perf/table_moe's moe_sol_ms for gated experts."""
    topk, experts, h, inter, tp, ep = shape
    mem_b, comp = QUANT[quant]
    total = tokens * topk
    ops = total * h * inter * 3 * 2 // ep // tp
    per_rank = total // ep
    touched = min(experts // ep, per_rank)
    elems = per_rank * h * 2 + per_rank * inter * 3 // tp + h * inter * 3 // tp * touched
    return max(ops / (flops * comp) * 1000, mem_b * elems / bw * 1000)


def distance(a, b):
    """lib/perf/moe_nearest's moe_shape_distance."""
    r = lambda x, y: abs(math.log(x / y))
    problem = r(a[2], b[2]) + r(a[3] / a[4], b[3] / b[4]) + r(a[1] / a[5], b[1] / b[5]) + r(a[0], b[0])
    return problem + 2 * (r(a[4], b[4]) + r(a[5], b[5]))


def interp(points, x):
    """Linear in tokens between the bracketing points (the first two below, the last two above)."""
    xs = sorted(points)
    if x in points:
        return points[x]
    i = 1
    while i < len(xs) - 1 and xs[i] < x:
        i += 1
    x0, x1 = xs[i - 1], xs[i]
    return points[x0] + (points[x1] - points[x0]) * (x - x0) / (x1 - x0)


def main():
    path, bw, flops = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    tables = defaultdict(lambda: defaultdict(dict))  # (quant, dist) -> shape -> tokens -> latency
    for r in csv.DictReader(open(path)):
        if r["kernel_source"] == "moe_torch_flow_min_latency":
            continue
        shape = tuple(int(r[k]) for k in ("topk", "num_experts", "hidden_size", "inter_size", "moe_tp_size",
                                          "moe_ep_size"))
        tables[(r["moe_dtype"], r["distribution"])][shape].setdefault(int(r["num_tokens"]), float(r["latency"]))
    errs = {m: defaultdict(list) for m in ("transfer", "empirical")}
    for (quant, _), shapes in tables.items():
        if quant not in QUANT or len(shapes) < 2:
            continue
        for want, points in shapes.items():
            near = min((s for s in shapes if s != want), key=lambda s: distance(want, s))
            for tokens, lat in points.items():
                ntok = max(1, round(tokens * (want[0] / want[1]) / (near[0] / near[1])))
                if ntok > max(shapes[near]):
                    continue  # beyond the nearest shape's tokens: the table's own extrapolation
                util = min(1.0, sol_ms(near, ntok, quant, bw, flops) / interp(shapes[near], ntok))
                band = "decode (<=256 tokens)" if tokens <= 256 else "prefill (>256 tokens)"
                guess = sol_ms(want, tokens, quant, bw, flops)
                errs["transfer"][band].append(abs(guess / util / lat - 1))
                errs["empirical"][band].append(abs(guess / 0.4 / lat - 1))
    print(f"{'band':24} {'rows':>7} {'transfer med':>13} {'p90':>7} {'empirical med':>14} {'p90':>7}")
    for band in sorted(errs["transfer"]):
        t, e = sorted(errs["transfer"][band]), sorted(errs["empirical"][band])
        p90 = lambda v: v[int(0.9 * (len(v) - 1))]
        print(f"{band:24} {len(t):7d} {100 * statistics.median(t):12.1f}% {100 * p90(t):6.1f}% "
              f"{100 * statistics.median(e):13.1f}% {100 * p90(e):6.1f}%")


main()
