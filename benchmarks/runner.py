"""Run every backend in its own process, compare gradients, compute ratios, write the results.

For each thread setting ("1": OMP/MKL/OpenBLAS pinned to one thread; "default": those variables
unset), each backend runs in a fresh ``python -m benchmarks.worker`` process, one after the other
so that timings do not compete (``--quick`` runs them side by side: it times nothing that
matters). Gradients are checked against the hand-written numpy backend's.
"""
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from .backends import BACKENDS
from .workloads import WORKLOADS

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
               "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
REFERENCE = "numpy"  # gradients are compared with the hand-written ones
RTOL = 1e-3  # elementwise: |got − ref| ≤ RTOL·|ref| + ATOL·max|ref| (float32, other libms)
ATOL = 1e-4
RATIO_BASES = ("numpy", "torch", "autograd", "mygrad")  # what every backend is compared with
REQUIRED = ("numpy", "minigrad")  # an error in these fails the run; a peer's error is a result


def _env(threads):
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    if threads == "1":
        env.update({k: "1" for k in THREAD_VARS})
    return env


def _worker_cmd(backend, quick, workloads, grads, rounds):
    cmd = [sys.executable, "-m", "benchmarks.worker", backend, "--workloads", ",".join(workloads),
           "--rounds", str(rounds)]
    return cmd + (["--grads", str(grads)] if grads else []) + (["--quick"] if quick else [])


def run_setting(threads, backends, workloads, quick, tmp, rounds=1):
    """{backend: worker report} for one thread setting; gradients land in ``tmp``.

    With several rounds, every backend runs once per round (numpy, minigrad, torch, ..., then
    again), each process taking its share of the samples, so that a change in the machine's
    load during the run falls on every backend alike; samples are merged over the rounds."""
    reports = {}
    for r in range(rounds):
        procs = {}
        for name in backends:
            grads = Path(tmp) / f"{threads}-{name}.npz" if r == 0 else None
            print(f"threads={threads}: {name}" + (f" (round {r + 1}/{rounds})" if rounds > 1
                                                  else ""), file=sys.stderr, flush=True)
            proc = subprocess.Popen(_worker_cmd(name, quick, workloads, grads, rounds), cwd=ROOT,
                                    env=_env(threads), stdout=subprocess.PIPE, text=True)
            procs[name] = (proc, grads, time.perf_counter())
            if not quick:  # one at a time, so that no two backends compete for the cores
                _merge(reports, name, _collect(name, *procs.pop(name)))
        for name, (proc, grads, start) in procs.items():
            _merge(reports, name, _collect(name, proc, grads, start))
    return {name: reports[name] for name in backends}


def _merge(reports, name, report):
    """Add one round's report: samples are pooled, median/min/max recomputed."""
    if name not in reports:
        reports[name] = report
        return
    first = reports[name]
    first["wall_s"] = round(first.get("wall_s", 0) + report.get("wall_s", 0), 2)
    for workload, res in report.get("results", {}).items():
        mine = first.setdefault("results", {}).get(workload)
        if mine is None:
            first["results"][workload] = res
            continue
        mine["samples"] += res["samples"]
        mine["cpu_samples"] += res["cpu_samples"]
        mine["repeats"] += res["repeats"]
        mine["number"] = sorted({*_as_list(mine["number"]), res["number"]})
        mine.update(median=statistics.median(mine["samples"]), min=min(mine["samples"]),
                    max=max(mine["samples"]), cpu_median=statistics.median(mine["cpu_samples"]))
    for workload, err in report.get("errors", {}).items():
        first.setdefault("errors", {}).setdefault(workload, err)


def _as_list(x):
    return x if isinstance(x, list) else [x]


def _collect(name, proc, grads, start):
    out, _ = proc.communicate()
    if proc.returncode != 0:
        return {"backend": name, "available": True, "crashed": proc.returncode, "results": {},
                "errors": {"*": f"worker exited with status {proc.returncode}"}}
    report = json.loads(out)
    report["wall_s"] = round(time.perf_counter() - start, 2)
    if report.get("available") and grads is not None:
        with np.load(grads) as data:
            report["_grads"] = {k: data[k] for k in data.files}
    return report


def check_gradients(reports):
    """Mark each (backend, workload) "ok" or "mismatch" against the reference backend."""
    ref = reports.get(REFERENCE, {}).get("_grads")
    for report in reports.values():
        report["grads"] = {}
        got = report.get("_grads")
        if got is None or ref is None:
            continue
        for workload in report.get("results", {}):
            keys = sorted(k for k in ref if k.split(".")[0] == workload)
            worst = 0.0
            ok = bool(keys)
            for k in keys:
                a, b = got.get(k), ref[k]
                if a is None or a.shape != b.shape:
                    ok = False
                    continue
                scale = float(np.max(np.abs(b))) or 1.0
                ok &= bool(np.allclose(a, b, rtol=RTOL, atol=ATOL * scale))
                worst = max(worst, float(np.max(np.abs(a - b))) / scale)
            report["grads"][workload] = {"ok": ok, "max_rel_err": worst}
    for report in reports.values():
        report.pop("_grads", None)


def add_ratios(reports):
    """Each backend's median over numpy's, PyTorch's and the other Python engines', in the same
    run."""
    for report in reports.values():
        report["ratios"] = {}
        for workload, res in report.get("results", {}).items():
            ratios = {}
            for base in RATIO_BASES:
                other = reports.get(base, {}).get("results", {}).get(workload)
                ratios[base] = res["median"] / other["median"] if other else None
                ratios[base + "_cpu"] = (res["cpu_median"] / other["cpu_median"]
                                         if other else None)
                # min over min: each backend's least disturbed sample (the target uses medians)
                ratios[base + "_min"] = res["min"] / other["min"] if other else None
            report["ratios"][workload] = ratios


def failures(runs):
    """What makes ``--quick`` (and the full run) exit non-zero."""
    problems = []
    for threads, reports in runs.items():
        for name, report in reports.items():
            if not report.get("available"):
                if name in REQUIRED:
                    problems.append(f"threads={threads} {name}: not available "
                                    f"({report.get('note')})")
                continue
            for workload, ok in report.get("grads", {}).items():
                if not ok["ok"]:
                    problems.append(f"threads={threads} {name} {workload}: gradients differ from "
                                    f"numpy's (max rel err {ok['max_rel_err']:.2e})")
            if name in REQUIRED:
                for workload, err in report.get("errors", {}).items():
                    problems.append(f"threads={threads} {name} {workload}: {err}")
    return problems


def machine():
    """Where and with what the run happened."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__,
            "blas": _blas(), "minigrad_source": _source_id()}
    return info


def _load():
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):  # not on every platform
        return None


def _blas():
    try:
        deps = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{deps.get('name')} {deps.get('version')}"
    except Exception:  # the config layout is not a stable API
        return "unknown"


def _source_id():
    """git commit (+ "dirty" when minigrad/ has local changes) and a hash of minigrad/*.py."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "minigrad").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    commit = "unknown"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                                capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "minigrad"], cwd=ROOT,
                               text=True, capture_output=True, check=True).stdout.strip()
        commit += " (minigrad/ modified)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        pass
    return {"commit": commit, "sha256_minigrad_py": digest.hexdigest()[:16]}


def run(quick, thread_settings, backends=None, workloads=None, rounds=1):
    """The whole benchmark as one JSON-able dict."""
    backends = list(backends or BACKENDS)
    workloads = list(workloads or WORKLOADS)
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    load = [_load()]  # other work on the machine skews timings: say how busy it was
    source = _source_id()
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for threads in thread_settings:
            reports = run_setting(threads, backends, workloads, quick, tmp, rounds)
            check_gradients(reports)
            add_ratios(reports)
            runs[threads] = reports
            load.append(_load())
    info = machine()
    info["load_average_1min"] = load
    if info["minigrad_source"] != source:  # edited while the run went on: its numbers mix two
        info["minigrad_source_at_start"] = source
    return {"mode": "quick" if quick else "full", "rounds": rounds, "started": started,
            "machine": info,
            "workloads": {k: WORKLOADS[k]["title"] for k in workloads}, "runs": runs}


def save(out, stem, result, text):
    """Write ``result`` as ``out/stem.json`` and ``text`` as ``out/stem.md``; say so on stderr."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n")
    (out / f"{stem}.md").write_text(text + "\n")
    print(f"wrote {out / (stem + '.json')} and {out / (stem + '.md')}", file=sys.stderr)
