"""Regenerate the figures of the docs: ``python docs/make_figures.py`` (from the repository root).

jacobian_seed_vjp.png: the seed lesson's vector-Jacobian product. ``y = x * 2`` doubled ten more
times is ``y = 2**11 x``, so J = 2048·I (diagonal), and ``y.backward(v)`` with
v = [0.1, 1.0, 0.0001] leaves x.grad = vᵀJ = [204.8, 2048, 0.2048].
"""
import os
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # run from a checkout without installing

import minigrad  # noqa: E402
from widgets import jacobian_figure  # noqa: E402


def seed_vjp(x):
    """The seed lesson's loop: y = x * 2, then doubled ten more times (y = 2**11 x)."""
    y = x * 2
    for _ in range(10):
        y = y * 2
    return y


def main(folder=HERE):
    """Write every figure into ``folder`` (default: next to this script); return the paths."""
    x = minigrad.tensor([0.3164, -1.1508, 1.5400])  # the lesson's randn(3), as it printed it
    v = minigrad.tensor([0.1, 1.0, 0.0001], dtype=minigrad.float32)
    fig = jacobian_figure(seed_vjp, x, v, title="The seed lesson: y = x · 2¹¹, then "
                          "y.backward(v)\nwith v = [0.1, 1.0, 0.0001]: x.grad = vᵀJ")
    path = os.path.join(folder, "jacobian_seed_vjp.png")
    fig.savefig(path, dpi=110)
    return [path]


if __name__ == "__main__":
    for written in main():
        print(written)
