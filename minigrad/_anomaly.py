"""Anomaly mode: remember where each node was made, and stop at the first NaN in backward.

When it is on, ``record`` stores the forward traceback on every new node (only then, so the
normal path pays one flag check), and the engine runs each node through ``run``: a node whose
gradients contain NaN raises PyTorch's RuntimeError, and any error in a node's backward is
preceded by a UserWarning that shows the forward code that created the node.
"""
import os
import traceback
import warnings

import numpy as np

from ._args import bool_arg

enabled = False
check_nan = True

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return enabled


def is_anomaly_check_nan_enabled():
    """True when anomaly detection also checks backward results for NaN."""
    return check_nan


def set_anomaly_enabled(mode, check_nan_=True):
    """Turn anomaly detection on or off (``check_nan``: also raise on NaN gradients)."""
    global enabled, check_nan
    mode = bool_arg(mode, "enabled", "set_anomaly_enabled", 1)
    enabled = bool(mode)
    check_nan = bool(check_nan_)


def forward_stack():
    """The calling code's stack (frames inside minigrad left out), recorded on a new node."""
    return [f for f in traceback.extract_stack()[:-1] if not f.filename.startswith(_PACKAGE)]


def run(call, node, g):
    """``call(node, g)`` with anomaly checks: NaN outputs raise; errors show the forward trace."""
    try:
        sent = call(node, g)
        if check_nan:
            for i, (gi, (child, _)) in enumerate(zip(sent, node.next_functions)):
                # a gradient for an input that needs none is never sent, so never checked
                if gi is not None and child is not None and np.isnan(getattr(gi, "_data", gi)).any():
                    raise RuntimeError(f"Function '{node.name()}' returned nan values in its "
                                       f"{i}th output.")
    except Exception:
        _warn_forward_trace(node)
        raise
    return sent


def _warn_forward_trace(node):
    name = node.name()
    stack = node._trace
    if stack is None:
        msg = (f"Error detected in {name}. No forward pass information available. Enable detect "
               "anomaly during forward pass for more information.")
    else:
        msg = (f"Error detected in {name}. Traceback of forward call that caused the error:\n"
               + "".join(traceback.format_list(stack)))
    warnings.warn(msg, UserWarning, stacklevel=user_stacklevel())


def user_stacklevel():
    """The ``stacklevel`` that makes a warning point at the first caller outside minigrad."""
    frames = traceback.extract_stack()[:-2]  # from the function that calls warnings.warn
    for level, frame in enumerate(reversed(frames), start=2):
        if not frame.filename.startswith(_PACKAGE):
            return level
    return 1
