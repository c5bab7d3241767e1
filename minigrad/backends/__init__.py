"""``torch.backends``: the backends a CPU-only build has (none of mps, cuda, cudnn)."""
from . import cuda, cudnn, mps  # noqa: F401
