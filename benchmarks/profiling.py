"""Where minigrad's time goes: ``python -m benchmarks.profiling [WORKLOAD ...] [--breakdown]``.

- by default, cProfile over a few iterations of each workload, its own time summed into the
  categories of benchmarks/README.md (object creation, dtype promotion, node creation, ...)
  and the top functions;
- ``--breakdown``: timeit of each piece of one elementwise op's path (``y * 2.0`` on a (4,)
  tensor) and of the backward's per-node cost, in µs, without the profiler's own overhead;
- ``--lines``: line-level times of the hot functions (needs ``pip install line_profiler``).

It pokes at minigrad's internals by name; a piece that was renamed shows as "n/a".
"""
import argparse
import cProfile
import gc
import pstats
import time
import timeit

import numpy as np

from .backends import minigrad_backend
from .workloads import WORKLOADS, inputs

# (category, predicate on (file, function)) — first match wins; own time of each function.
CATEGORIES = (
    ("function-level imports (importlib)", lambda f, n: "importlib" in f or n in (
        "_handle_fromlist", "parent")),
    ("np.errstate entered per op", lambda f, n: f.endswith("_ufunc_config.py")
     or "ContextVar" in n),
    ("broadcasting checks (forward)", lambda f, n: n in ("_check_broadcast", "_broadcast_shape")
     or (f.endswith("fromnumeric.py") and n == "shape")),
    ("numpy compute", lambda f, n: f.startswith("~") or "numpy" in f),
    ("object creation (Tensor, wrapped scalars)",
     lambda f, n: f.endswith("_tensor.py") and n in ("_make", "_init", "as_operand", "__init__")),
    ("grad-mode / requires_grad checks",
     lambda f, n: f.endswith("_grad_mode.py") or n in ("requires_grad", "is_grad_enabled")),
    ("dtype promotion", lambda f, n: f.endswith("_dtype.py") or n == "_cast_inputs"),
    ("node creation", lambda f, n: f.endswith("_graph.py") and n in (
        "record", "edge_to", "_node_class", "__init__", "<genexpr>", "forward_stack")),
    ("saved-tensor handling", lambda f, n: n in ("saved_tensors", "unpack", "release",
                                                 "<dictcomp>")),
    ("unbroadcast + cast in backward (sum_to_shape, .to)", lambda f, n: n in (
        "sum_to_shape", "_fit", "to") or (f.endswith("_tensor.py") and n == "shape")),
    ("engine loop", lambda f, n: f.endswith("_engine.py") or "heapq" in n or n in (
        "_accumulate", "backward", "_make_grads", "run_backward")),
    ("ops.py bodies (numpy arithmetic written as operators) and Node.apply",
     lambda f, n: f.endswith("/ops.py") or (f.endswith("_graph.py") and n == "apply_node")),
    ("op dispatch (functions, _op, apply)", lambda f, n: "/_functional/" in f
     or f.endswith("_graph.py")),
)


def _category(filename, name):
    for title, pred in CATEGORIES:
        if pred(filename, name):
            return title
    return "other (Python built-ins, benchmark loop)"


def cprofile(workload, iterations, top):
    """Run the minigrad case under cProfile; print own time by category and the top functions."""
    case = getattr(minigrad_backend, WORKLOADS[workload]["kind"])(inputs(workload))
    case.step()
    gc.collect()
    t0 = time.process_time()
    for _ in range(iterations):
        case.step()
    plain = (time.process_time() - t0) / iterations
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(iterations):
        case.step()
    prof.disable()
    stats = pstats.Stats(prof)
    totals, total = {}, 0.0
    rows = []
    for (filename, _line, name), (_cc, ncalls, tottime, _cum, callers) in stats.stats.items():
        if filename.endswith("_graph.py") and name == "apply" and any(
                f.endswith("_engine.py") for f, _, _ in callers):
            name = "apply_node"  # Node.apply (the engine calls it), not the module's apply()
        cat = _category(filename, name)
        totals[cat] = totals.get(cat, 0.0) + tottime
        total += tottime
        rows.append((tottime, ncalls, f"{filename.rsplit('/', 1)[-1]}:{name}"))
    n = WORKLOADS[workload].get("n")
    print(f"\n== {workload}: {plain * 1e3:.2f} ms (CPU) per iteration without the profiler"
          + (f" ({plain / n * 1e6:.1f} µs per op, forward + backward)" if n and
             WORKLOADS[workload]['kind'] == "chain" else ""))
    print(f"   own time by category (cProfile, {iterations} iterations; the profiler inflates "
          "small functions):")
    for cat, t in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"   {100 * t / total:5.1f}%  {cat}")
    print(f"   top {top} functions by own time (per iteration):")
    for tottime, ncalls, where in sorted(rows, reverse=True)[:top]:
        print(f"   {tottime / iterations * 1e3:8.3f} ms  {ncalls // iterations:7d} calls  {where}")


def _t(stmt, number=20000, **names):
    """µs of CPU time per call of ``stmt`` (best of 5)."""
    try:
        timer = timeit.Timer(stmt, globals=names, timer=time.process_time)
        return min(timer.repeat(number=number, repeat=5)) / number * 1e6
    except Exception:  # a renamed internal: report, don't fail
        return None


def breakdown():
    """µs per piece of ``y * 2.0``'s forward, and of one node of its backward."""
    import minigrad as torch
    from minigrad import _graph, _tensor

    x = torch.tensor(np.linspace(0.1, 1.0, 4, dtype=np.float32), requires_grad=True)
    y = x * 1.0  # a non-leaf, as inside a chain
    a = y._data
    op = _graph.OPS["mul"] if hasattr(_graph, "OPS") else __import__(
        "minigrad.ops", fromlist=["OPS"]).OPS["mul"]
    out = torch.Tensor._make(a * np.float32(2.0))
    ns = dict(torch=torch, y=y, a=a, op=op, out=out, np=np, _graph=_graph, _tensor=_tensor,
              weakref=__import__("weakref"))
    rows = [
        ("y * 2.0, grad mode on (whole op)", _t("y * 2.0", **ns)),
        ("y * 2.0 under no_grad (no node)", _nograd(ns)),
        ("numpy a * 2.0 (the floor)", _t("a * 2.0", **ns)),
        ("_graph._plain_arrays(op, (y, 2.0)) (no promotion needed: the number stays a number)",
         _t("_graph._plain_arrays(op, (y, 2.0))", **ns)),
        ("op.quiet_forward(a, 2.0) (the forward with numpy's warnings off)",
         _t("op.quiet_forward(a, 2.0)", **ns)),
        ("  of which errstate's decorator (against op.forward(a, 2.0))",
         _diff(_t("op.quiet_forward(a, 2.0)", **ns), _t("op.forward(a, 2.0)", **ns))),
        ("Tensor._make(array)", _t("torch.Tensor._make(a)", **ns)),
        ("_graph.record(op, (y, 2.0), {}, out) (the node)",
         _t("_graph.record(op, (y, 2.0), {}, out)", **ns)),
        ("  of which SavedTensor(y, False) and SavedNumber(2.0)",
         _t("_graph.SavedTensor(y, False); _graph.SavedNumber(2.0)", **ns)),
        ("  of which weakref.ref(out)", _t("weakref.ref(out)", **ns)),
    ]
    # backward: per node of a long chain z * 1.0 * 1.0 ... (each VJP: g * 1.0, no grad)
    n = 2000

    def chain():
        z = x
        for _ in range(n):
            z = z * 1.0
        return z.sum()

    total = min(timeit.Timer(lambda: chain().backward(), timer=time.process_time).repeat(
        number=1, repeat=5)) / n * 1e6
    fwd = min(timeit.Timer(chain, timer=time.process_time).repeat(number=1, repeat=5)) / n * 1e6
    g = torch.ones(4)
    node = (y * 2.0).grad_fn
    ns.update(g=g, ga=g._data, node=node)
    rows += [
        ("backward, per node (chain of y * 1.0)", total - fwd),
        ("  node.vjp(array) (a plain pass: saved arrays, the VJP g*y in numpy)",
         _t("node.vjp(ga)", **ns)),
        ("  node.vjp(tensor) (create_graph: the VJP as a recorded tensor op)",
         _t("node.vjp(g)", **ns)),
        ("  numpy g * 2.0 (the VJP's floor)", _t("ga * 2.0", **ns)),
    ]
    print("\n== breakdown of one elementwise op on a (4,) float32 tensor (µs of CPU time per "
          "call, best of 5)")
    for label, us in rows:
        print(f"   {'n/a' if us is None else f'{us:7.2f}'}  {label}")


def _diff(a, b):
    return None if a is None or b is None else a - b


def _nograd(ns):
    torch = ns["torch"]
    with torch.no_grad():
        return _t("y * 2.0", **ns)


def line_profile(workload, iterations):
    """Line-level times of apply, record, backward_steps and Node.apply."""
    try:
        from line_profiler import LineProfiler
    except ImportError:
        print("line_profiler is not installed (pip install line_profiler)")
        return
    from minigrad import _engine, _graph
    lp = LineProfiler()
    for fn in (_graph.apply, _graph.record, _graph.Node.apply, _engine.backward_steps,
               _graph._cast_inputs):
        lp.add_function(fn)
    case = getattr(minigrad_backend, WORKLOADS[workload]["kind"])(inputs(workload))
    case.step()
    lp.enable_by_count()
    for _ in range(iterations):
        case.step()
    lp.disable_by_count()
    lp.print_stats(output_unit=1e-6)


def main(argv=None):
    """Parse the arguments and print the profiles asked for."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workloads", nargs="*", default=["per_op", "seed_lesson", "mlp_64",
                                                          "deep_chain"])
    parser.add_argument("--iterations", type=int, default=None)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--lines", action="store_true")
    args = parser.parse_args(argv)
    if args.breakdown:
        breakdown()
        return
    for w in args.workloads:
        its = args.iterations or {"deep_chain": 1, "per_op": 10, "mlp_1024": 5}.get(w, 50)
        if args.lines:
            line_profile(w, its)
        else:
            cprofile(w, its, args.top)


if __name__ == "__main__":
    main()
