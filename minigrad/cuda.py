"""``torch.cuda`` as PyTorch built without CUDA answers it: nothing is available; asking for a
CUDA device raises ``AssertionError: Torch not compiled with CUDA enabled``."""
from ._device import NO_CUDA


def is_available():
    """False: minigrad computes on the CPU only."""
    return False


def device_count():
    """0 CUDA devices."""
    return 0


def is_initialized():
    return False


def manual_seed(seed):
    """Does nothing without CUDA (as in PyTorch)."""


manual_seed_all = manual_seed


def empty_cache():
    """Does nothing without CUDA (as in PyTorch)."""


def _unavailable(*args, **kwargs):
    raise AssertionError(NO_CUDA)


current_device = get_device_name = get_device_properties = set_device = synchronize = \
    memory_allocated = max_memory_allocated = init = _unavailable
