"""``torch.backends.cudnn``: not available; its switches (``deterministic``, ``benchmark``,
``enabled``) can be set, as courses do for reproducibility, and change nothing on the CPU."""
enabled = True
deterministic = False
benchmark = False


def is_available():
    return False
