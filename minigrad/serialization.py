"""``save`` and ``load``: objects holding tensors (a ``state_dict``, a checkpoint dict) to a file
and back, with Python's pickle.

The files are minigrad's own (PyTorch's zip format is not written or read). As in PyTorch 2.6+,
``load`` reads only tensors, numbers, strings and containers unless ``weights_only=False``:
unpickling anything else can run arbitrary code.
"""
import os
import pickle

from . import _device

# what a weights-only load may rebuild: tensors, their numpy data and plain containers
_SAFE = {("minigrad._tensor", "_rebuild"), ("collections", "OrderedDict"),
         ("numpy", "dtype"), ("numpy", "ndarray"), ("numpy.core.multiarray", "_reconstruct"),
         ("numpy._core.multiarray", "_reconstruct"), ("numpy.core.multiarray", "scalar"),
         ("numpy._core.multiarray", "scalar"), ("minigrad.nn.modules", "_IncompatibleKeys"),
         ("minigrad._device", "device"), ("builtins", "set"), ("builtins", "frozenset"),
         ("builtins", "complex"), ("builtins", "slice"), ("_codecs", "encode")}


class _WeightsUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _SAFE:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            "Weights only load failed. This file can still be loaded, to do so you have two "
            "options, do those steps only if you trust the source of the checkpoint. \n\t(1) In "
            "PyTorch 2.6, we changed the default value of the `weights_only` argument in "
            "`torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set "
            "to `False` will likely succeed, but it can result in arbitrary code execution. Do "
            f"it only if you got the file from a trusted source.\n\t(2) Unsupported global: "
            f"GLOBAL {module}.{name} was not an allowed global by default.")


def save(obj, f, pickle_module=pickle, pickle_protocol=2, **kwargs):
    """Write ``obj`` (tensors, modules' state dicts, any picklable object) to a path or file."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as file:
            pickle_module.dump(obj, file, protocol=pickle_protocol)
    else:
        pickle_module.dump(obj, f, protocol=pickle_protocol)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Read what ``save`` wrote (only tensors and plain data unless ``weights_only=False``)."""
    if map_location is not None and not callable(map_location) and \
            not isinstance(map_location, dict):
        if _device.device(map_location).type == "cuda":
            raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                               "torch.cuda.is_available() is False. If you are running on a "
                               "CPU-only machine, please use torch.load with "
                               "map_location=torch.device('cpu') to map your storages to the CPU.")
        _device.check(map_location)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            return _load(file, weights_only, pickle_module, pickle_load_args)
    return _load(f, weights_only, pickle_module, pickle_load_args)


def _load(file, weights_only, pickle_module, pickle_load_args):
    if weights_only is False:
        return (pickle_module or pickle).load(file, **pickle_load_args)
    return _WeightsUnpickler(file, **pickle_load_args).load()

