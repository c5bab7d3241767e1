"""The first program of a grading kernel: drop to the unprivileged user, set the limits, exec.

Run as a script by path (``python .../_launch.py LIMITS -- KERNEL ARGS``), so that nothing of the
minigrad package is imported before the limits hold. LIMITS are ``name=value`` pairs: ``uid``,
``gid`` (taken when this runs as root), ``as``, ``cpu``, ``fsize``, ``nproc``, ``nofile`` (the
rlimits, in bytes, seconds or counts). Then it becomes ``python -m ipykernel_launcher ARGS``.
"""
import os
import resource
import sys

_RLIMITS = {"as": "RLIMIT_AS", "cpu": "RLIMIT_CPU", "fsize": "RLIMIT_FSIZE",
            "nproc": "RLIMIT_NPROC", "nofile": "RLIMIT_NOFILE", "core": "RLIMIT_CORE"}


def main(argv):
    split = argv.index("--")
    settings = dict(arg.split("=", 1) for arg in argv[:split])
    kernel_args = argv[split + 1:]
    if os.getuid() == 0 and "uid" in settings:
        os.setgroups([])
        os.setgid(int(settings["gid"]))
        os.setuid(int(settings["uid"]))  # drops every capability with it
        if os.getuid() == 0:
            sys.exit("could not leave the root account")
    settings.setdefault("core", "0")
    for key, name in _RLIMITS.items():
        if key in settings and hasattr(resource, name):
            limit = int(settings[key])
            which = getattr(resource, name)
            soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            try:
                resource.setrlimit(which, (limit, limit))
            except (ValueError, OSError):  # e.g. RLIMIT_AS on macOS: keep what the system allows
                pass
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *kernel_args])


if __name__ == "__main__":
    main(sys.argv[1:])
