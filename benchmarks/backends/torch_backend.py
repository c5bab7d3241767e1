"""PyTorch (CPU), running the very workload code of minigrad_backend.py (pytorch_api.py)."""
import torch

from .pytorch_api import workloads

NAME = "torch"
MEMORY = ("n/a: PyTorch allocates tensor storage in C++, outside Python's allocator, so "
          "tracemalloc cannot see it")


def version():
    """The library's version string."""
    return torch.__version__


def threads():
    """Intra-op threads the library reports (None: it follows the BLAS variables)."""
    return torch.get_num_threads()


chain, seed_lesson, mlp, jacobian = workloads(torch)
