"""``torch.cuda`` as PyTorch built without CUDA answers it: nothing is available; asking for a
CUDA device raises ``AssertionError: Torch not compiled with CUDA enabled``."""
from . import _device
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
    """Does nothing without CUDA but read ``seed`` as an int (as in PyTorch)."""
    int(seed)


def manual_seed_all(seed):
    """Does nothing without CUDA but read ``seed`` as an int (as in PyTorch)."""
    int(seed)


def memory_allocated(device=None):
    """0 bytes: no CUDA memory (PyTorch without CUDA answers so for any device)."""
    return 0


max_memory_allocated = memory_allocated


def set_device(device):
    """Refuses what is not a CUDA device index (PyTorch's errors); a negative index is a
    no-op, as in PyTorch; any other index needs CUDA."""
    if isinstance(device, str):
        device = _device.device(device)
    if isinstance(device, _device.device):
        if device.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {device}")
        device = device.index
    if not isinstance(device, int):
        raise ValueError(f"Expected a torch.device with a specified index or an integer, but "
                         f"got:{device}")
    if device >= 0:
        raise AssertionError(NO_CUDA)


def empty_cache():
    """Does nothing without CUDA (as in PyTorch)."""


def _unavailable(*args, **kwargs):
    raise AssertionError(NO_CUDA)


def current_device():
    raise AssertionError(NO_CUDA)


def init():
    raise AssertionError(NO_CUDA)


get_device_name = get_device_properties = synchronize = _unavailable
