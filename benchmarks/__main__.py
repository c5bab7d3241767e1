"""``python -m benchmarks``: run the suite, print the table, write JSON and Markdown.

    python -m benchmarks                 # full run, threads pinned to 1 and at default
    python -m benchmarks --quick         # a few seconds: every backend runs, gradients agree
    python -m benchmarks --threads 1 --backends minigrad,numpy,torch --workloads per_op
"""
import argparse
import sys
from pathlib import Path

from . import report as report_md
from . import runner
from .backends import BACKENDS
from .workloads import WORKLOADS

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _names(text, known, what):
    names = [n for n in text.split(",") if n]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})")
    return names


def main(argv=None):
    """Run, print, write; returns the exit status (1 when gradients disagree or minigrad fails)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: tiny repeat counts, checks gradients (exit 1 on mismatch)")
    parser.add_argument("--threads", choices=("1", "default", "both"), default=None,
                        help="thread settings to run (default: both; with --quick: 1)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"directory for latest.json and latest.md (default: {DEFAULT_OUT}; "
                             "with --quick: nothing is written unless given)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="run every backend this many times in turn, pooling the samples "
                             "(default: 3; with --quick: 1)")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    args = parser.parse_args(argv)
    threads = args.threads or ("1" if args.quick else "both")
    settings = ("1", "default") if threads == "both" else (threads,)
    backends = _names(args.backends, BACKENDS, "backend")
    for required in runner.REQUIRED:  # the reference and the subject are always run
        if required not in backends:
            backends.insert(0, required)
    workloads = _names(args.workloads, WORKLOADS, "workload")

    rounds = args.rounds or (1 if args.quick else 3)
    result = runner.run(args.quick, settings, backends, workloads, rounds)
    problems = runner.failures(result["runs"])
    if result["machine"].get("minigrad_source_at_start"):
        print("warning: minigrad's sources changed during the run", file=sys.stderr)
    result["problems"] = problems
    text = report_md.markdown(result)
    print(text)
    out = args.out if args.out is not None else (None if args.quick else DEFAULT_OUT)
    if out is not None:
        runner.save(out, "latest", result, text)
    for problem in problems:
        print(f"FAILED: {problem}", file=sys.stderr)
    if not problems:
        print("gradients: every available backend agrees with hand-written numpy",
              file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
