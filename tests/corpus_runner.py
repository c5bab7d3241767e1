"""Running PyTorch's own documentation examples under minigrad and under PyTorch.

The corpus is read from the installed reference: each entry names a public PyTorch object whose
docstring holds ``>>>`` examples (PyTorch's documentation of that object); its examples run in
order in one namespace, as the docs' doctest run does (``torch``, ``nn`` and ``F`` imported
first), with ``import torch`` meaning either library. Random draws are replaced in both libraries
by the same fixed values, so the two transcripts can be compared line for line.
"""
import builtins
import doctest
import importlib
import inspect
import sys
import warnings


from seed_cells import fixed_randn, fixed_sampler, mask_addresses, run_cell, torch_importer

PRELUDE = "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"
_UNIFORM = (0.125, 0.75, 0.5, 0.875, 0.25, 0.625, 0.375, 0.0625, 0.9375, 0.3125, 0.6875, 0.8125,
            0.1875, 0.5625, 0.4375, 0.03125)


fixed_rand = fixed_sampler(_UNIFORM)  # rand for a library, from _UNIFORM


def resolve(dotted):
    """The object a dotted name like ``torch.nn.functional.l1_loss`` names."""
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for p in parts[k:]:
            obj = getattr(obj, p)
        return obj
    raise ImportError(dotted)


def examples(dotted):
    """The ``>>>`` examples of the object's docstring, as code strings, with their doctest
    options (a ``+SKIP`` example is one PyTorch's own doctest run leaves out)."""
    doc = inspect.getdoc(resolve(dotted)) or ""
    parsed = doctest.DocTestParser().get_examples(doc)
    return [(ex.source, any(opt == doctest.SKIP for opt in ex.options)) for ex in parsed]


def run_program(sources, library_name, patches):
    """Run the example sources in order; a transcript of (output or exception, warnings)."""
    lib = importlib.import_module(library_name)
    saved = {name: getattr(lib, name) for name in patches}
    for name, make in patches.items():
        setattr(lib, name, make(lib))
    namespace = {"__name__": "__doc_example__",
                 "__builtins__": {**vars(builtins), "__import__": torch_importer(library_name)}}
    transcript = []
    grad_mode = lib.is_grad_enabled()
    try:
        run_cell(PRELUDE, namespace)
        for source in sources:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    out = run_cell(source, namespace)
                except Exception as e:  # noqa: BLE001 - an example's error is part of its output
                    out = f"{type(e).__name__}: {e}"
            # a warning's first line: what follows may be a traceback of this machine's frames
            messages = [f"{w.category.__name__}: {str(w.message).splitlines()[0]}"
                        for w in caught]
            transcript.append((source, mask_addresses(out), messages))
    finally:
        lib.set_grad_enabled(grad_mode)  # a program may switch it off for good (it is global)
        lib.set_default_device(None)
        if "matplotlib.pyplot" in sys.modules:  # the figures an example drew
            sys.modules["matplotlib.pyplot"].close("all")
        for name, value in saved.items():
            setattr(lib, name, value)
    return transcript


PATCHES = {"randn": fixed_randn, "rand": fixed_rand}
