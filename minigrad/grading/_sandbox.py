"""Where a submission's kernel runs: a bubblewrap sandbox of its own, with resource limits.

The kernel's command line (its kernel spec's ``argv``) is ``bwrap ... -- python _launch.py LIMITS
-- -f CONNECTION_FILE``:

- the system (``/usr``, ``/etc``), the Python installation and the minigrad package read-only,
  nothing else of the machine (no home, no /work, no other submission, no grader file);
- a private, size-limited tmpfs as ``/tmp`` and home, which is also the working folder;
- new PID, network, IPC, UTS and cgroup namespaces: no network at all (not even loopback to the
  host), and every process it starts dies with it (``--die-with-parent``, PID namespace);
- a new session (no terminal to write into);
- the unprivileged user 65534 (``nobody``): with a real uid change when the grader runs as root,
  with a user namespace otherwise;
- rlimits set by ``_launch.py`` before the kernel starts: address space, CPU time, file size,
  processes, open files, no core dumps.

The kernel talks to the grader over ZeroMQ's IPC transport: Unix sockets in a folder of their own
(the only host folder the sandbox can write, and only while the kernel starts when the grader is
root). Without bubblewrap (macOS, no user namespaces), ``unsandboxed`` kernels get the rlimits and
a temporary folder only.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

NOBODY = 65534
_LAUNCH = Path(__file__).with_name("_launch.py")
_MINIGRAD = Path(__file__).resolve().parents[1]   # the minigrad package folder
_PACKAGE_MOUNT = "/opt/minigrad"                 # where the sandbox sees it: /opt/minigrad/minigrad
_MB = 1 << 20


@dataclass
class Limits:
    """What one kernel may use (the command lines' --memory, --cpu-time, ... flags)."""
    memory_mb: int = 2048      # address space of each process of the kernel
    cpu_seconds: int = 300     # CPU time of the kernel process, all cells together
    file_mb: int = 16          # size of any one file it writes
    tmp_mb: int = 64           # its private /tmp (and home)
    processes: int = 256       # processes and threads of the kernel's user (see below)
    output_kb: int = 512       # everything a submission's cells send back, in all

    def check(self):
        from ._cli import GradingError
        for name in ("memory_mb", "cpu_seconds", "file_mb", "tmp_mb", "processes", "output_kb"):
            if getattr(self, name) < 1:
                raise GradingError(f"--{name.split('_')[0].replace('cpu', 'cpu-time')} must be "
                                   f"at least 1, not {getattr(self, name)}")


def _parents(path):
    out, p = [], os.path.dirname(path)
    while p not in ("/", ""):
        out.append(p)
        p = os.path.dirname(p)
    return out[::-1]


def _python_dirs():
    """The folders this interpreter and its packages live in (read-only in the sandbox)."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        dirs.add(sysconfig.get_paths()[key])
    dirs.add(os.path.dirname(os.path.realpath(sys.executable)))
    real = {os.path.realpath(d) for d in dirs if d and os.path.isdir(d)}
    real |= {d for d in dirs if d and os.path.isdir(d)}
    # only the outermost of nested folders
    return sorted(d for d in real if not any(d != o and d.startswith(o.rstrip("/") + "/")
                                             for o in real))


def _bwrap_args(socket_dir, limits):
    args = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    if os.getuid() == 0:
        # a real unprivileged uid: the launcher sets it, and these are all it may keep until then
        args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        args += ["--unshare-user", "--uid", str(NOBODY), "--gid", str(NOBODY)]
    for top in ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    args += ["--dev", "/dev", "--proc", "/proc",
             "--size", str(limits.tmp_mb * _MB), "--perms", "1777", "--tmpfs", "/tmp"]
    made = {"/tmp"}
    binds = [(d, d) for d in _python_dirs() if not d.startswith(("/usr/", "/etc/"))]
    binds.append((str(_MINIGRAD), f"{_PACKAGE_MOUNT}/minigrad"))
    for source, target in binds:
        for parent in _parents(target):
            if parent not in made and not os.path.islink(parent):
                args += ["--perms", "0755", "--dir", parent]
                made.add(parent)
        args += ["--ro-bind", source, target]
    for parent in _parents(str(socket_dir)):
        if parent not in made:
            args += ["--perms", "0755", "--dir", parent]
            made.add(parent)
    args += ["--bind", str(socket_dir), str(socket_dir), "--chdir", "/tmp"]
    return args


def environment(home):
    """The kernel's environment: nothing of the grader's but what Python needs."""
    return {
        "HOME": home, "TMPDIR": home, "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1", "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{home}/.matplotlib",
        "IPYTHONDIR": f"{home}/.ipython", "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter",
        "JUPYTER_PLATFORM_DIRS": "1",
        # one thread per numerical library: fair on shared cores, and within the process limit
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    }


def _process_limit(limits):
    """RLIMIT_NPROC counts every process of the kernel's real user: add those already there."""
    uid = NOBODY if os.getuid() == 0 else os.getuid()
    count = 0
    try:
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    count += os.stat(entry.path).st_uid == uid
                except OSError:
                    pass
    except OSError:
        return None
    return count + limits.processes


def kernel_command(socket_dir, limits, sandboxed):
    """(argv, env) of a kernel that reads its connection file from ``{connection_file}``."""
    settings = [f"as={limits.memory_mb * _MB}", f"cpu={limits.cpu_seconds}",
                f"fsize={limits.file_mb * _MB}", "nofile=256"]
    nproc = _process_limit(limits)
    if nproc is not None:
        settings.append(f"nproc={nproc}")
    if sandboxed:
        settings += [f"uid={NOBODY}", f"gid={NOBODY}"]
        env = environment("/tmp")
        env["PYTHONPATH"] = _PACKAGE_MOUNT
        launch = f"{_PACKAGE_MOUNT}/minigrad/grading/_launch.py"
        prefix = _bwrap_args(socket_dir, limits)
        for key, value in env.items():
            prefix += ["--setenv", key, value]
        prefix.append("--")
    else:
        home = str(Path(socket_dir) / "home")
        os.makedirs(home, exist_ok=True)
        env = environment(home)
        env["PYTHONPATH"] = str(_MINIGRAD.parent)
        launch, prefix = str(_LAUNCH), []
    argv = [*prefix, sys.executable, "-s", launch, *settings, "--", "-f", "{connection_file}"]
    return argv, env


@lru_cache(maxsize=None)
def sandbox_problem():
    """None when bubblewrap can run a sandbox here; otherwise why not, in a few words."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bwrap (bubblewrap) is not installed"
    import tempfile
    with tempfile.TemporaryDirectory(prefix="minigrad-probe-") as tmp:
        args = _bwrap_args(tmp, Limits()) + ["--", sys.executable, "-s", "-c", "print(42)"]
        try:
            proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as e:
            return f"bwrap could not start ({e})"
        if proc.returncode != 0 or proc.stdout.strip() != "42":
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            return f"bwrap could not start a sandbox ({last})"
    return None
