"""``torch.accelerator``: none is available to minigrad (the CPU is not an accelerator)."""


def is_available():
    """False: minigrad computes on the CPU only."""
    return False


def current_accelerator(check_available=False):
    """None: there is no accelerator."""
    return None


def device_count():
    return 0
