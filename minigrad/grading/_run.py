"""Running steps in a kernel, driven from the grading process with jupyter_client.

One fresh kernel per run, in its sandbox (:mod:`._sandbox`). The grader sends each step as an
``execute_request`` and reads what comes back on the kernel's channels: the values that
``check`` publishes (display data of the MIME type ``checks.MIME``), the error of a step, and
that the step is over. Nothing the kernel writes to a file is read; nothing it says is a verdict.
A step that runs past the time limit is interrupted (the next step still runs); a kernel that
dies is noticed at once (its process is polled), and the steps after it are "not run".
"""
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from ._cli import GradingError
from .checks import MIME

OK, ERROR, TIMEOUT, NOT_RUN, CRASH = "ok", "error", "timeout", "not run", "crash"
STARTUP_TIMEOUT = 60   # seconds for a kernel to start and answer
INTERRUPT_GRACE = 5    # seconds for a kernel to come back after an interrupt
IOPUB_GRACE = 2        # seconds to wait for the end of a step's output after its reply
_TEXT_CAP = 400        # characters kept of an error's name and message
_TRACEBACK_CAP = 2000
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class StepResult:
    """What came back from one step: its status, the values it sent, its error (capped)."""
    status: str = NOT_RUN
    reports: list = field(default_factory=list)   # the JSON of each check() call, in order
    error: str = ""                                # "ename: evalue", capped
    traceback: str = ""                            # the end of it, capped


@dataclass
class RunResult:
    steps: list
    crash: str = ""             # why the kernel stopped early, if it did
    output_capped: bool = False
    sandboxed: bool = False


def _cap(text, n):
    text = _ANSI.sub("", str(text))
    return text if len(text) <= n else text[:n] + " [...]"


def _manager(argv, env, socket_dir, context):
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import KernelManager

    class SandboxedKernel(KernelManager):
        def write_connection_file(self, **kwargs):
            super().write_connection_file(**kwargs)
            if os.getuid() == 0 and argv[0].endswith("bwrap"):
                from ._sandbox import NOBODY
                os.chown(self.connection_file, NOBODY, NOBODY)

    km = SandboxedKernel(transport="ipc", ip=str(socket_dir / "kernel"),
                         connection_file=str(socket_dir / "kernel.json"), context=context)
    # interrupts as a message on the control channel: a signal would reach bwrap, not the kernel
    km._kernel_spec = KernelSpec(argv=argv, env={}, display_name="minigrad grading",
                                 language="python", interrupt_mode="message")
    return km


def _exit_status(km):
    process = getattr(getattr(km, "provisioner", None), "process", None)
    code = getattr(process, "returncode", None)
    if code is None:
        return "stopped"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    if code > 128:  # bubblewrap passes on a signal's death as 128 + its number
        try:
            return f"was killed by {signal.Signals(code - 128).name}"
        except ValueError:
            pass
    return f"exited with status {code}"


class _Dead(Exception):
    pass


class _Stuck(Exception):
    pass


class _Budget:
    """What the kernel may send back in all; past it, messages are counted and dropped."""

    def __init__(self, limit):
        self.left, self.exceeded = limit, False

    def take(self, n):
        self.left -= n
        if self.left < 0:
            self.exceeded = True
        return not self.exceeded


def _size(content):
    if isinstance(content, str):
        return len(content)
    if isinstance(content, dict):
        return sum(_size(k) + _size(v) for k, v in content.items())
    if isinstance(content, list):
        return sum(map(_size, content)) + len(content)
    return 8


def _execute(km, kc, source, timeout, budget):
    result = StepResult()
    msg_id = kc.execute(source, store_history=False, allow_stdin=False, stop_on_error=False)
    deadline, interrupted, idle, replied = time.monotonic() + timeout, False, False, None
    while not (idle and replied is not None):
        now = time.monotonic()
        if replied is not None and now > replied + IOPUB_GRACE:
            break  # the reply came, the end of the output did not (a dropped oversized message)
        if now > deadline and replied is None:
            if interrupted:
                raise _Stuck()
            km.interrupt_kernel()
            interrupted, deadline = True, now + INTERRUPT_GRACE
        try:
            msg = kc.get_iopub_msg(timeout=0.05)
        except Empty:
            msg = None
        except Exception:  # a message that cannot be read (e.g. JSON nested too deeply): dropped
            msg = None
        if msg is not None and msg.get("parent_header", {}).get("msg_id") == msg_id:
            kind, content = msg.get("msg_type"), msg.get("content") or {}
            if kind == "status" and content.get("execution_state") == "idle":
                idle = True
            elif kind in ("display_data", "execute_result"):
                data = content.get("data") or {}
                if budget.take(_size(data)) and isinstance(data.get(MIME), dict):
                    result.reports.append(data[MIME])
            elif kind == "error":
                if budget.take(_size(content)):
                    result.error = _cap(f"{content.get('ename', '')}: {content.get('evalue', '')}"
                                        .rstrip(": "), _TEXT_CAP)
                    tb = "\n".join(map(str, content.get("traceback") or []))
                    result.traceback = _cap(tb[-_TRACEBACK_CAP:], _TRACEBACK_CAP)
            elif kind == "stream":
                budget.take(_size(content))
        try:
            reply = kc.get_shell_msg(timeout=0) if replied is None else None
        except Empty:
            reply = None
        except Exception:
            reply = {"parent_header": {"msg_id": msg_id}, "content": {"status": "error",
                     "ename": "Error", "evalue": "(its message could not be read)"}}
        if reply is not None and reply.get("parent_header", {}).get("msg_id") == msg_id:
            replied = time.monotonic()
            content = reply.get("content") or {}
            result.status = OK if content.get("status") == "ok" else ERROR
            if result.status == ERROR and not result.error:
                result.error = _cap(f"{content.get('ename', '')}: {content.get('evalue', '')}"
                                    .rstrip(": "), _TEXT_CAP)
        if not km.is_alive():
            raise _Dead()
    if interrupted:
        result.status = TIMEOUT
    elif result.status == ERROR and not result.error:
        result.error = "an error"
    return result


def run_steps(steps, cell_timeout, limits, sandboxed):
    """Run the steps in order in one fresh kernel; a RunResult with one StepResult per step."""
    import zmq
    from ._sandbox import NOBODY, kernel_command
    results = [StepResult() for _ in steps]
    run = RunResult(results, sandboxed=sandboxed)
    socket_dir = Path(tempfile.mkdtemp(prefix="minigrad-kernel-"))
    root_sandbox = sandboxed and os.getuid() == 0
    if root_sandbox:
        os.chown(socket_dir, NOBODY, NOBODY)  # the kernel makes its sockets here
    context = zmq.Context()
    km = kc = None
    budget = _Budget(limits.output_kb * 1024)
    try:
        argv, env = kernel_command(socket_dir, limits, sandboxed)
        km = _manager(argv, env, socket_dir, context)
        try:
            km.start_kernel(env=env, cwd=str(socket_dir / "home") if not sandboxed else None,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
            kc = km.client(context=context)
            # The output channel drops any message bigger than the output budget (its socket is
            # made first, with the limit; the others without: replies are small, and needed).
            context.setsockopt(zmq.MAXMSGSIZE, max(limits.output_kb, 64) * 1024 * 2)
            _iopub = kc.iopub_channel
            context.setsockopt(zmq.MAXMSGSIZE, -1)
            kc.start_channels()
            kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        except (RuntimeError, OSError) as e:
            alive = km.has_kernel and km.is_alive()
            why = "did not answer" if alive else _exit_status(km)
            run.crash = f"the kernel could not start: it {why} ({_cap(e, 200)})"
            return run
        if root_sandbox:
            os.chown(socket_dir, 0, 0)  # the sockets are bound: nothing more to write here
            os.chmod(socket_dir, 0o755)
        for i, step in enumerate(steps):
            try:
                results[i] = _execute(km, kc, step.source, cell_timeout, budget)
            except _Stuck:
                results[i] = StepResult(TIMEOUT)
                run.crash = (f"the kernel did not answer the interrupt after {cell_timeout:g} s "
                             "and was stopped")
                results[i].error = "stopped"
                break
            except _Dead:
                results[i] = StepResult(CRASH)
                run.crash = f"the kernel {_exit_status(km)}"
                break
        run.output_capped = budget.exceeded
        return run
    finally:
        if kc is not None:
            kc.stop_channels()
        if km is not None and km.has_kernel:
            _kill(km, sandboxed)
        context.destroy(linger=0)
        shutil.rmtree(socket_dir, ignore_errors=True)


def _kill(km, sandboxed):
    """Stop the kernel and everything it started (its PID namespace, or its process group)."""
    process = getattr(km.provisioner, "process", None)
    pid = getattr(process, "pid", None)
    if not sandboxed and pid is not None:
        try:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
    try:
        km.shutdown_kernel(now=True)
    except Exception:  # a kernel already gone: nothing to stop
        pass
    if process is not None:
        try:
            process.wait(timeout=10)
        except Exception:
            pass


