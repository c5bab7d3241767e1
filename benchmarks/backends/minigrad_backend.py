"""minigrad, driven by the code a PyTorch user would write (``import minigrad as torch``).

torch_backend.py runs the same workload code (pytorch_api.py) on PyTorch.
"""
import minigrad as torch

from .pytorch_api import workloads

NAME = "minigrad"
MEMORY = True  # numpy arrays and Python objects: tracemalloc sees all of it


def version():
    """The library's version string."""
    return torch.__version__


def threads():
    """Intra-op threads the library reports (None: it follows the BLAS variables)."""
    return None  # numpy's BLAS threads


chain, seed_lesson, mlp, jacobian = workloads(torch)
