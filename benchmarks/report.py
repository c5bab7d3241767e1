"""The results as Markdown: time tables, memory table, the targets, and notes."""
from .workloads import MEMORY_WORKLOADS, WORKLOADS

# The targets for minigrad, as ratios measured in the same run. "peers": the fastest of the other
# Python engines (HIPS autograd, mygrad) on that workload, by median.
PEERS = ("autograd", "mygrad")
TARGETS = (
    ("per_op", "peers", 1.0, "(a) per-op chain ≤ the fastest other Python engine"),
    ("seed_lesson", "peers", 1.0, "(b) seed lesson ≤ the fastest other Python engine"),
    ("seed_lesson", "torch", 1.0, "(b) seed lesson ≤ PyTorch"),
    ("mlp_64", "peers", 1.0, "(c) MLP step, batch 64 ≤ the fastest other Python engine"),
    ("mlp_64", "torch", 1.0, "(c) MLP step, batch 64 ≤ PyTorch"),
    ("mlp_1024", "peers", 1.0, "(c) MLP step, batch 1,024 ≤ the fastest other Python engine"),
    ("mlp_1024", "numpy", 1.10, "(c) MLP step, batch 1,024 ≤ 1.10× numpy"),
    ("deep_chain", "peers", 1.0, "(d) 50,000-op chain ≤ the fastest other Python engine, "
                                 "no recursion"),
    ("jacobian", "peers", 1.0, "(e) Jacobian from 100 VJPs ≤ the fastest other Python engine"),
)
JUDGED = "1"  # the thread setting the time targets are judged at (others are shown beside)
NOISY = 1.5  # median / min above this: the samples disagree, the machine was busy
LEAK_TOLERANCE = 64 * 1024  # bytes: interpreter free lists keep a few KB whatever the engine


def fmt_time(s):
    """Seconds, in a readable unit."""
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_bytes(n):
    """Bytes, in a readable unit."""
    if n is None:
        return "—"
    sign = "−" if n < 0 else ""
    n = abs(n)
    for unit, size in (("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size:
            return f"{sign}{n / size:.1f} {unit}"
    return f"{sign}{n} B"


def fmt_ratio(r):
    """A ratio as 1.23×."""
    return "—" if r is None else f"{r:.2f}×"


def _threads_label(threads, reports, cores):
    if threads == "1":
        return "threads = 1 (OMP/MKL/OPENBLAS_NUM_THREADS=1)"
    torch_threads = reports.get("torch", {}).get("threads")
    extra = f", PyTorch uses {torch_threads}" if torch_threads else ""
    return f"threads = default ({cores} cores{extra})"


def time_table(threads, reports, cores):
    """Markdown rows: time per iteration of every backend and workload."""
    cpu = threads == "1"  # with one thread, CPU time is comparable with wall time
    head = "| workload | backend | median | min | max | × numpy | × PyTorch |"
    rule = "|---|---|---:|---:|---:|---:|---:|"
    if cpu:
        head += " CPU median | CPU × numpy | CPU × PyTorch |"
        rule += "---:|---:|---:|"
    lines = [f"### Time per iteration, {_threads_label(threads, reports, cores)}", "",
             head + " gradients |", rule + "---|"]
    for workload in _workloads(reports):
        for name, report in reports.items():
            if not report.get("available"):
                continue
            res = report.get("results", {}).get(workload)
            if res is None:
                err = report.get("errors", {}).get(workload) or report.get("errors", {}).get("*")
                lines.append(f"| {workload} | {name} | failed: {err} |" + " |" * (
                    head.count("|") - 3))
                continue
            ratio = report["ratios"][workload]
            grads = report.get("grads", {}).get(workload)
            ok = "—" if grads is None else ("match" if grads["ok"] else
                                             f"**MISMATCH** ({grads['max_rel_err']:.1e})")
            row = (f"| {workload} | {name} | {fmt_time(res['median'])} | "
                   f"{fmt_time(res['min'])} | {fmt_time(res['max'])} | "
                   f"{fmt_ratio(ratio['numpy'])} | {fmt_ratio(ratio['torch'])} |")
            if cpu:
                row += (f" {fmt_time(res['cpu_median'])} | {fmt_ratio(ratio['numpy_cpu'])} | "
                        f"{fmt_ratio(ratio['torch_cpu'])} |")
            lines.append(row + f" {ok} |")
    if cpu:
        lines += ["", "CPU: the process's CPU time (`time.process_time`) per iteration, which "
                      "other work on the machine disturbs less than the wall-clock time."]
    noisy = [f"{w} {name} ({r['median'] / r['min']:.1f}×)"
             for name, report in reports.items() for w, r in report.get("results", {}).items()
             if r["repeats"] > 1 and r["median"] > NOISY * r["min"]]
    if noisy:
        lines += ["", f"Noisy (median over {NOISY}× the min, the machine was busy): "
                  + ", ".join(noisy) + "."]
    return lines


def memory_table(reports):
    """Markdown rows: tracemalloc readings of the memory workloads."""
    lines = ["### Memory (tracemalloc; bytes relative to just before the forward)", "",
             "| workload | backend | peak | after backward, output alive | after the output is "
             "dropped |", "|---|---|---:|---:|---:|"]
    for workload in MEMORY_WORKLOADS:
        for name, report in reports.items():
            mem = report.get("memory", {}).get(workload)
            if mem:
                lines.append(f"| {workload} | {name} | {fmt_bytes(mem['peak'])} | "
                             f"{fmt_bytes(mem['after_backward'])} | "
                             f"{fmt_bytes(mem['after_release'])} |")
    return lines if len(lines) > 4 else []


def _verdict(verdicts):
    """True/False over the thread settings; None when nothing was run."""
    verdicts = [v for v in verdicts if v is not None]
    return all(verdicts) if verdicts else None


_NAMES = {"torch": "PyTorch", "autograd": "HIPS autograd"}


def _fastest_peer(reports, workload):
    """The other Python engine with the smallest median on ``workload`` ("peers" if none ran)."""
    medians = {name: reports[name]["results"][workload]["median"] for name in PEERS
               if workload in reports.get(name, {}).get("results", {})}
    return min(medians, key=medians.get) if medians else "peers"


def target_rows(runs):
    """[(target, {threads: measured text}, met: True/False/None)] for minigrad."""
    rows = []
    for workload, base, limit, title in TARGETS:
        measured, verdicts = {}, []
        for threads, reports in runs.items():
            mg = reports.get("minigrad", {})
            base = _fastest_peer(reports, workload) if base == "peers" else base
            ratio = mg.get("ratios", {}).get(workload, {}).get(base)
            if ratio is None:
                err = mg.get("errors", {}).get(workload)
                missing = "not run" if workload not in mg.get("results", {}) else f"no {base} run"
                measured[threads] = f"failed: {err}" if err else missing
                verdicts.append(False if err else None)
                continue
            text = f"{ratio:.2f}× {_NAMES.get(base, base)}"
            cpu = mg["ratios"][workload].get(base + "_cpu")
            best = mg["ratios"][workload].get(base + "_min")
            extra = [f"CPU {cpu:.2f}×"] if threads == "1" and cpu is not None else []
            extra += [f"min/min {best:.2f}×"] if best is not None else []
            if extra:  # with one thread CPU time is comparable; min/min: the least disturbed
                text += f" ({', '.join(extra)})"
            res = mg["results"][workload]
            if res.get("n") and WORKLOADS[workload]["kind"] == "chain":
                other = reports[base]["results"][workload]["median"]
                text += f" ({res['median'] / res['n'] * 1e6:.1f} vs " \
                        f"{other / res['n'] * 1e6:.1f} µs/op)"
            measured[threads] = text
            if threads == JUDGED or JUDGED not in runs:  # the targets are set at one thread
                verdicts.append(ratio <= limit)
        rows.append((title, measured, _verdict(verdicts)))
    measured, verdicts = {}, []
    for threads, reports in runs.items():
        mem = reports.get("minigrad", {}).get("memory", {})
        left = [mem[w]["after_release"] for w in MEMORY_WORKLOADS if w in mem]
        measured[threads] = ("left: " + ", ".join(fmt_bytes(b) for b in left)) if left else \
            "not run"
        verdicts.append(max(left) <= LEAK_TOLERANCE if left else None)
    rows.append(("(f) memory back to its level before the forward (MLPs, deep chain)",
                 measured, _verdict(verdicts)))
    return rows


def targets_table(runs):
    """Markdown rows: minigrad's ratios against the issue's targets."""
    settings = list(runs)
    lines = ["### minigrad against the targets", "",
             f"Time targets are judged at threads = {JUDGED}; the other setting is shown beside.",
             "",
             "| target | " + " | ".join(f"threads = {t}" for t in settings) + " | met |",
             "|---|" + "---|" * len(settings) + "---|"]
    for title, measured, met in target_rows(runs):
        cells = " | ".join(measured.get(t, "") for t in settings)
        verdict = "—" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {title} | {cells} | {verdict} |")
    return lines


def notes(runs):
    """Markdown bullets: skipped backends, failures, unmeasurable memory."""
    lines = []
    seen = set()
    for threads, reports in runs.items():
        for name, report in reports.items():
            items = []
            if not report.get("available"):
                items.append(report.get("note", "not available"))
            if report.get("memory_note"):
                items.append(f"memory {report['memory_note']}")
            for workload, err in report.get("errors", {}).items():
                items.append(f"{workload} failed at threads={threads}: {err}")
            for item in items:
                if (name, item) not in seen:
                    seen.add((name, item))
                    lines.append(f"- {name}: {item}")
    return lines


def _workloads(reports):
    names = []
    for report in reports.values():
        for w in list(report.get("results", {})) + list(report.get("errors", {})):
            if w in WORKLOADS and w not in names:
                names.append(w)
    return sorted(names, key=list(WORKLOADS).index)


def markdown(result):
    """The whole report."""
    m = result["machine"]
    src = m["minigrad_source"]
    lines = [f"## Benchmark results ({result['mode']} run, {result['started']})", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['platform']}; Python {m['python']}, "
             f"numpy {m['numpy']} ({m['blas']}). Load average (1 min) at the start and after "
             f"each thread setting: {', '.join(str(x) for x in m.get('load_average_1min', []))}.",
             ""]
    versions = {}
    for reports in result["runs"].values():
        for name, report in reports.items():
            if report.get("version"):
                versions[name] = report["version"]
    lines += ["Backends: " + ", ".join(f"{k} {v}" for k, v in versions.items()) +
              f"; minigrad at {src['commit']}, sources sha256 {src['sha256_minigrad_py']}.", ""]
    if m.get("minigrad_source_at_start"):
        old = m["minigrad_source_at_start"]
        lines += [f"**minigrad's sources changed during this run** (from {old['commit']}, sha256 "
                  f"{old['sha256_minigrad_py']}): its numbers mix two versions; run again.", ""]
    lines += ["Workloads:", ""] + [f"- `{k}`: {v}" for k, v in result["workloads"].items()]
    lines += [""]
    if result["mode"] == "quick":
        lines += [f"Quick run: one iteration per workload, the deep chain cut to "
                  f"{WORKLOADS['deep_chain']['quick_n']:,} ops; it checks that every backend runs "
                  "and that the gradients agree. Its times mean nothing.", ""]
    else:
        lines += targets_table(result["runs"]) + [""]
    for threads, reports in result["runs"].items():
        lines += time_table(threads, reports, m["cores"]) + [""]
    first = next(iter(result["runs"].values()))
    memory = memory_table(first)
    lines += memory + [""] if memory else []
    note_lines = notes(result["runs"])
    if note_lines:
        lines += ["Notes:", ""] + note_lines + [""]
    return "\n".join(lines)

