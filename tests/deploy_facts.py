#!/usr/bin/python3
"""Deployment facts of a topN/ folder, for tests/deploy.bats and bench/refdiff.

  deploy_facts.py facts DIR BACKEND        the facts of DIR as JSON (ours or the reference's files)
  deploy_facts.py compare DIR BACKEND REF  compare DIR's facts with REF (a facts JSON of the
                                           reference's files), after the differences
                                           docs/deploy.md lists; prints each remaining one
  deploy_facts.py flags DIR BACKEND LIST   every flag of every worker command in DIR (k8s_deploy.yaml,
                                           run_*.sh, sflow.yaml) must be in LIST (the documented
                                           flags, one per line); prints the others
  deploy_facts.py keys LIST FILE...        every dotted key of each engine YAML FILE must be in
                                           LIST (TRT-LLM's documented options); prints the others
  deploy_facts.py types FILE KEY...         print the Python type and value at each dotted KEY
                                           (list items by index) of FILE's last document
  deploy_facts.py parse FILE...            parse each YAML file (all its documents) or fail

Facts: the worker services of k8s_deploy.yaml (role -> replicas, GPUs per pod, nodes), the engine
options of each role (TRT-LLM: <role>_config.yaml) and the flags of each worker command
(flag -> value). Needs PyYAML (Debian python3-yaml).
"""
import json
import re
import shlex
import sys

import yaml

ROLES = {"Worker": "agg", "PrefillWorker": "prefill", "DecodeWorker": "decode"}


def role_of(service):
    for suffix, role in sorted(ROLES.items(), key=lambda kv: -len(kv[0])):
        if service.endswith(suffix):
            return role
    return None


def worker_argv(container):
    """The worker's arguments after `python3 -m dynamo.X`: exec form, or a bash -c script."""
    cmd = container.get("command") or []
    args = container.get("args") or []
    if cmd[:1] == ["python3"]:
        return list(args)
    script = args[0] if args else ""
    # ours: `exec python3 -m dynamo.X ARGS`; the reference's: args=( ... ) args+=(...)
    m = re.search(r"^exec python3 -m dynamo\.\w+ (.*)$", script, re.M)
    if m and "${args[@]}" not in m.group(1):
        return shlex.split(m.group(1))
    words = []
    for block in re.findall(r"args\+?=\((.*?)\)\s*$", script, re.S | re.M):
        words += shlex.split(block)
    return words


def flag_map(argv):
    """--flag -> its value(s) joined by a space ('' for a bare flag)."""
    out, key = {}, None
    for w in argv:
        if w.startswith("--"):
            key = w
            out.setdefault(key, [])
        elif key is not None:
            out[key].append(w)
    return {k: " ".join(v) for k, v in out.items()}


def facts(d, backend):
    f = {"services": {}, "engine": {}, "flags": {}}
    docs = list(yaml.safe_load_all(open(f"{d}/k8s_deploy.yaml")))
    dgd = [x for x in docs if x and x.get("kind") == "DynamoGraphDeployment"][0]
    for name, svc in dgd["spec"]["services"].items():
        role = role_of(name)
        if svc.get("componentType") != "worker" or role is None:
            continue
        nodes = (svc.get("multinode") or {}).get("nodeCount", 1)
        f["services"][role] = {
            "replicas": svc["replicas"],
            "gpu_per_pod": int(svc["resources"]["limits"]["gpu"]),
            "nodes": int(nodes),
        }
        argv = worker_argv(svc["extraPodSpec"]["mainContainer"])
        f["flags"][role] = flag_map(argv)
        if backend == "trtllm":
            eng = yaml.safe_load(open(f"{d}/{role}_config.yaml"))
            f["engine"][role] = eng
    return f


def normalize_reference(ref, backend):
    """The reference's facts with the differences docs/deploy.md lists applied."""
    ref = json.loads(json.dumps(ref))
    for role, eng in ref["engine"].items():
        cg = eng.get("cuda_graph_config") or {}
        if "batch_sizes" in cg:  # ours: sorted, without repeats
            cg["batch_sizes"] = sorted(set(cg["batch_sizes"]))
    for role, flags in ref["flags"].items():
        for legacy, mode in (("--is-prefill-worker", "prefill"), ("--is-decode-worker", "decode")):
            if legacy in flags:  # Dynamo >= 1.0: --disaggregation-mode
                del flags[legacy]
                flags["--disaggregation-mode"] = mode
        if "--cuda-graph-bs" in flags:
            flags["--cuda-graph-bs"] = " ".join(str(x) for x in sorted({int(v) for v in flags["--cuda-graph-bs"].split()}))
        if backend == "sglang":
            flags["--enable-metrics"] = ""  # ours: metrics on, as Dynamo's launch scripts
            if role == "prefill":
                flags["--disaggregation-bootstrap-port"] = "12345"
            flags.setdefault("--host", "0.0.0.0")
    if backend == "sglang":
        # the reference counts attention-DP twice in a worker's GPUs (tp = moe_tp x moe_ep, x dp)
        for role, s in ref["services"].items():
            dp = int(ref["flags"][role].get("--data-parallel-size", "1"))
            if "--enable-dp-attention" in ref["flags"][role]:
                s["gpu_per_pod"] //= dp
    return ref


def compare(d, backend, ref_path):
    ours = facts(d, backend)
    ref = normalize_reference(json.load(open(ref_path)), backend)
    for role in ours["flags"]:
        # ours name the served model on every backend; values of the model path differ by design
        for k in ("--model", "--model-path", "--served-model-name"):
            ours["flags"][role].pop(k, None)
            ref["flags"].get(role, {}).pop(k, None)
        # TRT-LLM: the engine file's path in the pod
        ours["flags"][role].pop("--extra-engine-args", None)
        ref["flags"].get(role, {}).pop("--extra-engine-args", None)
    diffs = []

    def walk(a, b, path):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in sorted(set(a) | set(b)):
                if k not in a:
                    diffs.append(f"{path}.{k}: only the reference's: {b[k]!r}")
                elif k not in b:
                    diffs.append(f"{path}.{k}: only ours: {a[k]!r}")
                else:
                    walk(a[k], b[k], f"{path}.{k}")
        elif a != b:
            diffs.append(f"{path}: ours {a!r}, the reference's {b!r}")

    walk(ours, ref, backend)
    for line in diffs:
        print(line)
    return 1 if diffs else 0


def commands(d):
    """Every worker command of the folder, as argv lists (after `python3 -m dynamo.X`)."""
    import glob
    import os

    out = []
    k8s = f"{d}/k8s_deploy.yaml"
    if os.path.exists(k8s):
        for doc in yaml.safe_load_all(open(k8s)):
            if doc and doc.get("kind") == "DynamoGraphDeployment":
                for name, svc in doc["spec"]["services"].items():
                    if svc.get("componentType") == "worker":
                        out.append((f"k8s_deploy.yaml:{name}", worker_argv(svc["extraPodSpec"]["mainContainer"])))
    for run in sorted(glob.glob(f"{d}/run_*.sh")):
        text = open(run).read().replace("\\\n", " ")
        for line in text.splitlines():
            m = re.search(r"python3 -m dynamo\.(vllm|sglang|trtllm) (.*?)(2>&1|$)", line)
            if m:
                # shell expansions stand for values
                words = shlex.split(re.sub(r"\$\(\([^)]*\)\)", "0", m.group(2)))
                out.append((os.path.basename(run), words))
    sflow = f"{d}/sflow.yaml"
    if os.path.exists(sflow):
        doc = yaml.safe_load(open(sflow))
        for t in doc["workflow"]["tasks"]:
            for s in t.get("script") or []:
                m = re.search(r"python3 -m dynamo\.(?:vllm|sglang|trtllm) (.*)$", s)
                if m:
                    text = re.sub(r"\$\{\{[^}]*\}\}", "X", m.group(1))
                    text = re.sub(r"\$\(\([^)]*\)\)", "0", text)
                    out.append((f"sflow.yaml:{t['name']}", shlex.split(text)))
    return out


def flags(d, backend, listing):
    documented = {l.split()[0] for l in open(listing) if l.strip() and not l.startswith("#")}
    bad = 0
    n = 0
    for where, argv in commands(d):
        n += 1
        for w in argv:
            if w.startswith("--") and w not in documented:
                print(f"{where}: {w} is not a documented {backend} flag")
                bad = 1
    if n == 0:
        print(f"{d}: no worker command found")
        bad = 1
    return bad


def dotted(doc, prefix=""):
    for k, v in doc.items():
        if isinstance(v, dict):
            yield from dotted(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}"


def keys(listing, files):
    documented = {l.split()[0] for l in open(listing) if l.strip() and not l.startswith("#")}
    bad = 0
    for p in files:
        for k in dotted(yaml.safe_load(open(p))):
            if k not in documented:
                print(f"{p}: {k} is not a documented TensorRT-LLM option")
                bad = 1
    return bad


def types(path, paths):
    doc = list(yaml.safe_load_all(open(path)))[-1]
    for p in paths:
        cur = doc
        for part in p.split("."):
            cur = cur[int(part)] if isinstance(cur, list) else cur[part]
        print(f"{p} {type(cur).__name__} {cur}")
    return 0


def main():
    cmd = sys.argv[1]
    if cmd == "facts":
        print(json.dumps(facts(sys.argv[2], sys.argv[3]), indent=1, sort_keys=True))
        return 0
    if cmd == "compare":
        return compare(sys.argv[2], sys.argv[3], sys.argv[4])
    if cmd == "flags":
        return flags(sys.argv[2], sys.argv[3], sys.argv[4])
    if cmd == "keys":
        return keys(sys.argv[2], sys.argv[3:])
    if cmd == "types":
        return types(sys.argv[2], sys.argv[3:])
    if cmd == "parse":
        for p in sys.argv[2:]:
            list(yaml.safe_load_all(open(p)))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
