"""One module per backend, each with the same small interface.

A backend module imports its library at the top (an ImportError marks it absent) and defines:

- ``NAME``, ``version()`` and ``threads()`` (the intra-op thread count it runs with, if known);
- ``MEMORY``: True when ``tracemalloc`` sees its array allocations, else a note saying why not;
- one function per workload kind (``chain``, ``seed_lesson``, ``mlp``, ``jacobian``) taking the
  inputs from ``benchmarks.workloads.inputs`` and returning a ``Case``.

A ``Case`` splits one iteration in two so that memory can be read between them: ``forward()``
returns a handle (the loss, or what backward needs), ``backward(handle)`` finishes the iteration
(gradients, and the SGD update for the MLP). ``grads()`` returns the gradients of the latest
iteration as numpy arrays, by name, for the comparison with the hand-written numpy ones.
"""
from typing import Callable, NamedTuple

# name -> (module, what to install when it is absent)
BACKENDS = {
    "numpy": ("numpy_backend", "numpy"),
    "minigrad": ("minigrad_backend", "pip install -e ."),
    "torch": ("torch_backend", "pip install torch==2.13.0"),
    "autograd": ("autograd_backend", "pip install autograd"),
    "mygrad": ("mygrad_backend", "pip install mygrad"),
}


class Case(NamedTuple):
    """One workload set up on one backend: an iteration is ``backward(forward())``."""

    forward: Callable
    backward: Callable
    grads: Callable

    def step(self):
        """One full iteration."""
        self.backward(self.forward())
