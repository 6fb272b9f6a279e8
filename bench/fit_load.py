#!/usr/bin/python3
"""fit_load.py: fit infercast's load model (lib/serve/serving_load) on the measured agg deployments.

Run by `bench/accuracy --fit`, which first prices every measured row with pipelines/estimate
--fidelity load and hands over each row's report. The model's inputs (one prompt's prefill, a
full chunk's prefill, one decode step) come from those reports and do not depend on the fitted
parameters, so the fit evaluates the model itself, lib/serve/serving_load.c's load_eval_many, through
ctypes: the numbers fitted here are the numbers the tools print.

Only rows of ../shared/reference are used (the project's rule for measured data). Rows are
grouped so that no deployment config and no measurement (some appear under several layout
keys) sits on both sides of a fold. Prints 5-fold cross-validated error next to the
reference's error on the same rows, then writes the full fit.

Needs Debian's python3-numpy and python3-scipy; never a dependency of the tools."""
import argparse
import csv
import ctypes
import datetime
import json
import os
import random
import re
import subprocess
import sys
import tempfile

import numpy as np
from scipy.optimize import minimize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARAMS = ["overhead_ms", "wave_share", "interference", "decode_scale", "prefill_scale", "mixed_decode",
          "step_overhead_ms", "token_overhead_us"]
BOUNDS = [(0, 1000), (0, 1), (0, 3), (0.3, 3), (0.3, 3), (0, 8), (0, 20), (0, 200)]
STARTS = [[80, 0.15, 1.0, 1.0, 1.0, 0.5, 0.5, 5], [80, 0.8, 1.0, 1.0, 1.0, 0.5, 0.5, 5]]
FOLDS = 5
# What the fit minimises per metric: the absolute percentage error, capped at CAP. Uncapped, a
# few rows whose static latency is far off (errors of 200-400% that no load parameter explains)
# steer every parameter; capped, each row counts at most CAP. CAP and STATIC_BOUND were chosen by
# the same cross-validation the figures come from (docs/accuracy.md says so).
CAP = float(os.environ.get("FIT_CAP", "0.8"))
LOSS = {"capped": lambda p, m: np.mean(np.minimum(np.abs(p - m) / m, CAP)),
        "ape": lambda p, m: np.mean(np.abs(p - m) / m),
        "log": lambda p, m: np.mean(np.abs(np.log(p / m)))}[os.environ.get("FIT_LOSS", "capped")]
# A row is fitted on only if the measured TTFT is at least STATIC_BOUND x the static prefill of
# one prompt and the measured TPOT at least STATIC_BOUND x the static decode step: below that the
# static latency itself is off by more than 1/STATIC_BOUND, which the load model cannot change.
# Such rows are still predicted and scored.
STATIC_BOUND = float(os.environ.get("FIT_BOUND", "0.5"))
SEED = 7


class Inputs(ctypes.Structure):
    _fields_ = [(k, ctypes.c_double) for k in
                ("batch", "isl", "osl", "chunk_tokens", "prefill_ms", "chunk_ms", "chunk_prompts", "decode_ms",
                 "slots")]


class Params(ctypes.Structure):
    _fields_ = [(k, ctypes.c_double) for k in PARAMS]


class Result(ctypes.Structure):
    _fields_ = [(k, ctypes.c_double) for k in
                ("ttft_ms", "tpot_ms", "wave_ms", "steady_ms", "prefill_busy", "cycle_ms", "queue_ms")]


def load_library():
    """lib/serve/serving_load.c (and lib/util/diag.c for its messages) as a shared object."""
    out = os.path.join(tempfile.mkdtemp(prefix="fit_load."), "libserving_load.so")
    subprocess.run(["cc", "-O2", "-std=c17", "-D_POSIX_C_SOURCE=200809L", "-shared", "-fPIC", "-I" + os.path.join(ROOT, "lib", "serve"),
                    "-I" + os.path.join(ROOT, "lib", "util"), "-o", out,
                    os.path.join(ROOT, "lib", "serve", "serving_load.c"), os.path.join(ROOT, "lib", "util", "diag.c"),
                    "-lm"], check=True)
    lib = ctypes.CDLL(out)
    lib.load_eval_many.argtypes = [ctypes.c_size_t, ctypes.POINTER(Inputs), ctypes.POINTER(Params),
                                   ctypes.POINTER(Result)]
    lib.load_eval_many.restype = ctypes.c_int
    return lib


class Model:
    def __init__(self, lib, rows):
        self.lib = lib
        self.n = len(rows)
        self.inputs = (Inputs * self.n)()
        for i, r in enumerate(rows):
            self.inputs[i] = Inputs(*[r["in"][k] for k, _ in Inputs._fields_])
        self.out = (Result * self.n)()

    def predict(self, p, ix):
        sub = (Inputs * len(ix))(*[self.inputs[i] for i in ix])
        out = (Result * len(ix))()
        self.lib.load_eval_many(len(ix), sub, ctypes.byref(Params(*p)), out)
        return np.array([o.ttft_ms for o in out]), np.array([o.tpot_ms for o in out])


def fit(model, ix, st, sp, fixed=None):
    """The parameters minimising the loss on rows ix; those named in fixed keep the given value."""
    fixed = fixed or {}
    free = [k for k, name in enumerate(PARAMS) if name not in fixed]

    def full(x):
        p = [fixed.get(name, 0.0) for name in PARAMS]
        for k, v in zip(free, x):
            p[k] = v
        return p

    def loss(x):
        t, q = model.predict(full(x), ix)
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(q))):
            return 1e9
        return LOSS(t, st[ix]) + LOSS(q, sp[ix])
    best = None
    for s0 in STARTS:
        r = minimize(loss, [s0[k] for k in free], method="Powell", bounds=[BOUNDS[k] for k in free],
                     options={"xtol": 1e-4, "ftol": 1e-6})
        if best is None or r.fun < best.fun:
            best = r
    return np.array(full(best.x))


def ape(pred, meas):
    return np.abs(pred - meas) / meas * 100


def stats(pred, meas):
    if len(pred) == 0:
        return "%5d %6s %6s %6s" % (0, "-", "-", "-")
    a = ape(pred, meas)
    return "%5d %6.1f %6.1f %6.1f" % (len(a), a.mean(), np.median(a), np.percentile(a, 90))


def concurrency(row):
    m = re.search(r"silicon_concurrency=(\d+)", row["silicon_data_source"])
    return int(m.group(1)) if m else int(row["batch_size"])


BUCKETS = [(1, 2), (3, 4), (5, 8), (9, 16), (17, 32), (33, 64), (65, 128), (129, 256), (257, 10**9)]


def bucket(c):
    for lo, hi in BUCKETS:
        if lo <= c <= hi:
            return "%d-%d" % (lo, hi) if hi < 10**9 else ">%d" % (lo - 1)
    return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--predicted", required=True)
    ap.add_argument("--reports", required=True)
    ap.add_argument("--params", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--plot")
    ap.add_argument("--per-row", help="also write each row's cross-validated prediction (tab-separated)")
    a = ap.parse_args()

    measured = {r["id"]: r for r in csv.DictReader(open(a.predicted, newline=""))}
    agg_ids = [i for i, r in measured.items() if r["mode"] == "agg"]
    rows, refused = [], {}
    for line in open(a.reports):
        rid, rc, text = line.rstrip("\n").split("\t", 2)
        if rid not in measured or measured[rid]["mode"] != "agg":
            continue
        if rc != "0":
            reason = re.sub(r"[0-9]+(\.[0-9]+)?", "N", text)[:90]
            refused[reason] = refused.get(reason, 0) + 1
            continue
        # warnings (fallbacks) come before the report on the same line
        rep = json.loads(text[text.rfind('{"record":"report"'):])
        lo = rep.get("load")
        if not lo:
            sys.exit("fit_load: %s: the report has no 'load' object (run with --fidelity load)" % rid)
        r = measured[rid]
        rows.append({
            "id": rid, "backend": lo["backend"], "versions": lo["versions"],
            "in": {"batch": rep["batch"], "isl": rep["isl"], "osl": rep["osl"], "chunk_tokens": lo["chunk_tokens"],
                   "prefill_ms": lo["prefill_ms"], "chunk_ms": lo["chunk_ms"], "chunk_prompts": lo["chunk_prompts"],
                   "decode_ms": lo["decode_ms"],
                   "slots": lo["kv_slots"] if lo["kv_admission"] and 1 <= lo["kv_slots"] < rep["batch"] else 0},
            "st": float(r["silicon_ttft_ms"]), "sp": float(r["silicon_tpot_ms"]),
            "rt": float(r["ref_ttft_ms"]) if r["ref_ttft_ms"] else np.nan,
            "rp": float(r["ref_tpot_ms"]) if r["ref_tpot_ms"] else np.nan,
            "conc": concurrency(r),
            "cfg": tuple(r[k] for k in ("model_path", "system", "backend", "backend_version", "tp_size", "pp_size",
                                        "attention_dp_size", "moe_tp_size", "moe_ep_size", "gemm_quant_mode")),
            "meas": (r["silicon_ttft_ms"], r["silicon_tpot_ms"]),
            # priced with a fallback (an op or a layout the tables or the reference refuse) or
            # beyond the memory model: evaluated, never fitted on
            "clean": not rep.get("fallbacks") and not rep.get("oom"),
            "bounded": (float(r["silicon_ttft_ms"]) >= STATIC_BOUND * lo["prefill_ms"] and
                        float(r["silicon_tpot_ms"]) >= STATIC_BOUND * lo["decode_ms"]),
        })
    if not rows:
        sys.exit("fit_load: no agg row was priced")

    # folds: rows sharing a deployment config or a measurement stay together
    parent = list(range(len(rows)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    seen = {}
    for i, r in enumerate(rows):
        for key in (("c",) + r["cfg"], ("m",) + r["meas"]):
            if key in seen:
                parent[find(i)] = find(seen[key])
            else:
                seen[key] = i
    groups = sorted({find(i) for i in range(len(rows))})
    random.Random(SEED).shuffle(groups)
    fold_of = {g: k % FOLDS for k, g in enumerate(groups)}
    fold = np.array([fold_of[find(i)] for i in range(len(rows))])

    base = json.load(open(a.params))
    entries = [(e["backend"], e["versions"]) for e in base["backends"]]
    # an entry's "fixed" parameters are held at their value: structure chosen by cross-validation
    fixed_of = {(e["backend"], e["versions"]): {k: e["parameters"][k] for k in e.get("fixed", [])}
                for e in base["backends"]}
    key = np.array(["%s %s" % (r["backend"], r["versions"]) for r in rows])
    st = np.array([r["st"] for r in rows])
    sp = np.array([r["sp"] for r in rows])
    rt = np.array([r["rt"] for r in rows])
    rp = np.array([r["rp"] for r in rows])
    model = Model(load_library(), rows)
    clean = np.array([r["clean"] for r in rows])
    fitted_on = clean & np.array([r["bounded"] for r in rows])  # the rows the parameters are fitted on

    cvt, cvp = np.full(len(rows), np.nan), np.full(len(rows), np.nan)
    for k in range(FOLDS):
        for be, ver in entries:
            m = key == "%s %s" % (be, ver)
            tr, te = np.where(m & fitted_on & (fold != k))[0], np.where(m & (fold == k))[0]
            if len(te) == 0 or len(tr) == 0:
                continue
            p = fit(model, tr, st, sp, fixed_of[(be, ver)])
            cvt[te], cvp[te] = model.predict(p, te)

    backends = np.array([r["backend"] for r in rows])
    if a.per_row:
        with open(a.per_row, "w") as f:
            f.write("id\tbackend\tversions\tclean\tconcurrency\tbatch\tisl\tosl\tmeasured_ttft\tcv_ttft\tref_ttft"
                    "\tmeasured_tpot\tcv_tpot\tref_tpot\tprefill_ms\tdecode_ms\n")
            for i, r in enumerate(rows):
                f.write("%s\t%s\t%s\t%d\t%d\t%g\t%g\t%g\t%g\t%g\t%g\t%g\t%g\t%g\t%g\t%g\n" % (
                    r["id"], r["backend"], r["versions"], r["clean"], r["conc"], r["in"]["batch"], r["in"]["isl"],
                    r["in"]["osl"], st[i], cvt[i], rt[i], sp[i], cvp[i], rp[i], r["in"]["prefill_ms"],
                    r["in"]["decode_ms"]))
    conc = np.array([bucket(r["conc"]) for r in rows])
    print("load model, %d-fold cross-validation (folds grouped by deployment config and measurement: %d groups)"
          % (FOLDS, len(groups)))
    print("agg rows: %d measured, %d priced by the load model (%d from the tables alone, %d with a fallback or"
          " beyond the memory model: evaluated, not fitted on), %d refused; the reference prices %d"
          % (len(agg_ids), len(rows), clean.sum(), (~clean).sum(), len(agg_ids) - len(rows),
             sum(1 for i in agg_ids if measured[i]["ref_ttft_ms"])))
    print("fitted on %d of the %d from the tables alone: the others' static latency is off by more than %gx"
          " (measured TTFT or TPOT below %g x the static prefill or decode step)"
          % (fitted_on.sum(), clean.sum(), 1 / STATIC_BOUND, STATIC_BOUND))
    print("absolute %% error vs measured: rows MAPE median p90; ours (CV) on every row we price, the reference"
          " on the rows it prices, and both on the rows both price")
    head = "%-16s | %-24s | %-24s | %-24s %-24s" % ("group", "ours (CV)", "reference", "ours, shared rows",
                                                     "reference, shared rows")
    for metric, pred, ref, meas in (("TTFT", cvt, rt, st), ("TPOT", cvp, rp, sp)):
        print("\n" + metric)
        print(head)
        sel = [("all", np.ones(len(rows), bool)), ("tables alone", clean), ("fallback/oom", ~clean)] + \
              [(b, backends == b) for b in ("trtllm", "vllm", "sglang")] + \
              [("conc " + lbl, conc == lbl) for lbl in [bucket(lo) for lo, _ in BUCKETS]]
        for name, m in sel:
            ok = m & np.isfinite(pred)
            rok = m & np.isfinite(ref)
            both = ok & rok
            if not m.any():
                continue
            print("%-16s | %s | %s | %s %s" % (name, stats(pred[ok], meas[ok]), stats(ref[rok], meas[rok]),
                                               stats(pred[both], meas[both]), stats(ref[both], meas[both])))
    if refused:
        print("\nagg rows refused under the load fidelity, by reason:")
        for reason, n in sorted(refused.items(), key=lambda kv: -kv[1])[:10]:
            print("%6d  %s" % (n, reason))

    # the full fit, written with what it was fitted on
    out = dict(base)
    out["fitted"] = datetime.date.today().isoformat()
    out["rows"] = ("%d agg rows of silicon_h100_h200_predicted.csv (../shared/reference) priced from the tables "
                   "alone (no fallback, within the memory model) whose measured TTFT and TPOT are at least %g x the "
                   "static prefill and decode step; loss: absolute %% error capped at %g; refit with "
                   "bench/accuracy --fit" % (fitted_on.sum(), STATIC_BOUND, CAP))
    shared = np.isfinite(rt)
    out["cross_validation"] = {
        "folds": FOLDS, "seed": SEED, "groups": len(groups), "rows": len(rows),
        "ttft_mape": round(float(np.nanmean(ape(cvt, st))), 2),
        "ttft_median": round(float(np.nanmedian(ape(cvt, st))), 2),
        "tpot_mape": round(float(np.nanmean(ape(cvp, sp))), 2),
        "rows_the_reference_prices": int(shared.sum()),
        "ttft_mape_on_those": round(float(np.nanmean(ape(cvt[shared], st[shared]))), 2),
        "ttft_median_on_those": round(float(np.nanmedian(ape(cvt[shared], st[shared]))), 2),
        "tpot_mape_on_those": round(float(np.nanmean(ape(cvp[shared], sp[shared]))), 2),
    }
    fitted = []
    for e in base["backends"]:
        m = key == "%s %s" % (e["backend"], e["versions"])
        ix = np.where(m & fitted_on)[0]
        ne = dict(e)
        if len(ix):
            p = fit(model, ix, st, sp, fixed_of[(e["backend"], e["versions"])])
            ne["parameters"] = {k: round(float(v), 6) for k, v in zip(PARAMS, p)}
        ne["rows"] = int(len(ix))
        fitted.append(ne)
    out["backends"] = fitted
    with open(a.out + ".tmp", "w") as f:
        f.write("{\n")
        items = [(k, v) for k, v in out.items() if k != "backends"]
        for k, v in items:
            f.write("  %s: %s,\n" % (json.dumps(k), json.dumps(v)))
        f.write('  "backends": [\n')
        f.write(",\n".join("    " + json.dumps(e) for e in fitted))
        f.write("\n  ]\n}\n")
    os.replace(a.out + ".tmp", a.out)
    print("\nparameters written to %s" % a.out)
    for e in fitted:
        print("  %-7s %-8s rows %4d: %s" % (e["backend"], e["versions"], e["rows"],
                                             " ".join("%s=%g" % kv for kv in e["parameters"].items())))

    if a.plot:
        data = os.path.join(tempfile.mkdtemp(prefix="fit_load."), "pts")
        with open(data, "w") as f:
            for b in ("trtllm", "vllm", "sglang"):
                for i in np.where((backends == b) & np.isfinite(cvt))[0]:
                    f.write("%g %g %g %g\n" % (st[i], cvt[i], sp[i], cvp[i]))
                f.write("\n\n")
        script = """set terminal pngcairo size 1200,560
set output '%s'
set multiplot layout 1,2 title 'infercast load model, 5-fold cross-validated, on %d measured agg deployments'
set logscale xy
set key top left
set grid
set xlabel 'measured (ms)'
set ylabel 'predicted (ms)'
set title 'TTFT'
plot x title 'exact' lc rgb 'gray', '%s' index 0 using 1:2 title 'TRT-LLM' pt 7 ps 0.5, '' index 1 using 1:2 title 'vLLM' pt 7 ps 0.5, '' index 2 using 1:2 title 'SGLang' pt 7 ps 0.5
set title 'TPOT'
plot x title 'exact' lc rgb 'gray', '%s' index 0 using 3:4 title 'TRT-LLM' pt 7 ps 0.5, '' index 1 using 3:4 title 'vLLM' pt 7 ps 0.5, '' index 2 using 3:4 title 'SGLang' pt 7 ps 0.5
unset multiplot
""" % (a.plot, len(rows), data, data)
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
        print("plot written to %s" % a.plot)


if __name__ == "__main__":
    main()
