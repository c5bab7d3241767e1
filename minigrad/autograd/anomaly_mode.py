"""``detect_anomaly`` and ``set_detect_anomaly``: PyTorch's switches for anomaly mode."""
import warnings

from .. import _anomaly

__all__ = ["detect_anomaly", "set_detect_anomaly"]


class detect_anomaly:
    """Context manager that turns anomaly detection on: nodes made inside remember
    their forward traceback, and a backward that produces NaN raises (with ``check_nan=True``)."""

    def __init__(self, check_nan=True):
        self.prev = _anomaly.enabled
        self.check_nan = check_nan
        self.prev_check_nan = _anomaly.check_nan
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        _anomaly.set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args):
        _anomaly.set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:
    """Turn anomaly detection on or off at once; as a context manager, restore it on exit."""

    def __init__(self, mode, check_nan=True):
        self.prev = _anomaly.enabled
        self.prev_check_nan = _anomaly.check_nan
        _anomaly.set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *args):
        _anomaly.set_anomaly_enabled(self.prev, self.prev_check_nan)
