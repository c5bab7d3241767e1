"""One backend in its own process: ``python -m benchmarks.worker BACKEND ...``.

Checks each workload's gradients (saved to ``--grads``), times it, reads its memory, and prints
one JSON object on stdout (everything else goes to stderr). The runner starts one per backend.
"""
import argparse
import contextlib
import gc
import importlib
import json
import math
import statistics
import sys
import time
import tracemalloc

import numpy as np

from .backends import BACKENDS
from .workloads import MEMORY_WORKLOADS, WORKLOADS, inputs

# Full mode: warm up for at least WARMUP_S, make each sample last at least SAMPLE_S (several
# iterations per sample for the fast workloads), take up to MAX_REPEATS samples but stop after
# BUDGET_S once MIN_REPEATS are in.
FULL = dict(warmup_s=0.3, sample_s=0.02, min_repeats=5, max_repeats=25, budget_s=10.0,
            collect=True)
QUICK = dict(warmup_s=0.0, sample_s=0.0, min_repeats=1, max_repeats=1, budget_s=0.0,
             collect=False)


def time_case(case, warmup_s, sample_s, min_repeats, max_repeats, budget_s, collect):
    """Per-iteration times (seconds), one per sample: median, min and max are taken over them."""
    number = 1
    if warmup_s:
        t0 = time.perf_counter()
        case.step()
        first = time.perf_counter() - t0
        while time.perf_counter() < t0 + warmup_s:  # a slow workload warms up with one iteration
            case.step()
        number = max(1, math.ceil(sample_s / max(first, 1e-9)))
    samples, cpu = [], []
    stop = time.perf_counter() + budget_s
    while len(samples) < max_repeats:
        if collect:  # start each sample clean: no garbage of the previous one left to collect
            gc.collect()
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(number):
            case.step()
        # CPU time too: on a busy machine it moves far less than the wall-clock time
        cpu.append((time.process_time() - c0) / number)
        samples.append((time.perf_counter() - t0) / number)
        if len(samples) >= min_repeats and time.perf_counter() > stop:
            break
    return {"number": number, "repeats": len(samples), "samples": samples, "cpu_samples": cpu,
            "median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "cpu_median": statistics.median(cpu)}


def memory_case(case):
    """Bytes tracemalloc sees, relative to before the forward: peak, after backward (output
    still referenced), and after the iteration's references are dropped."""
    gc.collect()
    tracemalloc.start()
    try:
        case.step()  # traced once, so what the measured iteration frees of it is counted
        gc.collect()
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        handle = case.forward()
        after_forward = tracemalloc.get_traced_memory()[0]
        case.backward(handle)
        after_backward = tracemalloc.get_traced_memory()[0]
        del handle
        gc.collect()
        after_release, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {"peak": peak - base, "after_forward": after_forward - base,
            "after_backward": after_backward - base, "after_release": after_release - base}


def run(backend, quick, names, grads_path, rounds=1):
    """Everything this process reports, as a dict. With ``rounds`` > 1 this process is one of
    several rounds of the same backend: it takes its share of the samples and, when it has no
    ``grads_path``, times only (gradients and memory are read in the first round)."""
    module_name, install = BACKENDS[backend]
    report = {"backend": backend, "available": False}
    try:
        mod = importlib.import_module(f"benchmarks.backends.{module_name}")
    except ImportError as e:
        report["note"] = f"skipped: {e} ({install})"
        return report
    report.update(available=True, version=mod.version(), threads=mod.threads(),
                  results={}, memory={}, errors={})
    if mod.MEMORY is not True:
        report["memory_note"] = mod.MEMORY
    settings = dict(QUICK if quick else FULL)
    if rounds > 1:
        settings["min_repeats"] = max(2, -(-settings["min_repeats"] // rounds))
        settings["max_repeats"] = -(-settings["max_repeats"] // rounds)
        settings["budget_s"] /= rounds
    grads = {}
    for name in names:
        spec = WORKLOADS[name]
        make = getattr(mod, spec["kind"])
        data = inputs(name, quick)
        print(f"  {backend}: {name}", file=sys.stderr, flush=True)
        try:
            if grads_path:
                case = make(data)  # a fresh case: gradients of the first iteration
                case.step()
                for key, value in case.grads().items():
                    grads[f"{name}.{key}"] = np.asarray(value)
            report["results"][name] = time_case(make(data), **settings)
            if "n" in data:
                report["results"][name]["n"] = data["n"]
            if grads_path and mod.MEMORY is True and name in MEMORY_WORKLOADS:
                report["memory"][name] = memory_case(make(data))
        except (Exception, RecursionError) as e:  # a backend failing one workload is a result
            report["errors"][name] = f"{type(e).__name__}: {e}"[:300]
    if grads_path:
        np.savez(grads_path, **grads)
    return report


def main(argv=None):
    """Parse the arguments, run, print the JSON report."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.worker")
    parser.add_argument("backend", choices=sorted(BACKENDS))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--grads", help="where to save the gradients (.npz); without it, "
                                            "time only")
    parser.add_argument("--rounds", type=int, default=1,
                        help="this process is one of ROUNDS: take 1/ROUNDS of the samples")
    args = parser.parse_args(argv)
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the JSON only
        report = run(args.backend, args.quick, args.workloads.split(","), args.grads,
                     args.rounds)
    json.dump(report, out)
    out.write("\n")


if __name__ == "__main__":
    main()
