"""``Generator``: a seedable source of random numbers, as ``torch.Generator`` is used
(``torch.Generator().manual_seed(42)`` passed to ``randperm``, ``random_split``, ``DataLoader``).

Each wraps a numpy ``Generator``: the same seed gives the same numbers on every run, but not
the numbers PyTorch's generator gives.
"""
import numpy as np

from . import _device


class Generator:
    """A random-number generator with its own state (the CPU only)."""

    def __init__(self, device="cpu"):
        _device.check(device)
        self._seed = int(np.random.SeedSequence().entropy) % 2 ** 64
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        """Restart from ``seed`` (a negative one wraps to 64 bits, as in PyTorch); returns the
        generator."""
        seed = int(seed)
        if not -2 ** 63 <= seed < 2 ** 64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % 2 ** 64
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self):
        """Restart from a seed drawn from the OS's entropy; returns that seed."""
        value = int(np.random.SeedSequence().entropy) % 2 ** 64
        self.manual_seed(value)
        return value

    def initial_seed(self):
        """The seed the generator was last started from."""
        return self._seed

    @property
    def device(self):
        return _device._CPU

    def __repr__(self):  # PyTorch's text, so printed transcripts read the same
        return f"<torch._C.Generator object at {id(self):#x}>"
