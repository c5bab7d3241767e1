"""A throw-away JupyterLab 4 server for the browser tests.

It listens on 127.0.0.1 on a free port with a random token, serves a temporary copy of the
notebooks (a run never changes the repository's), and keeps its configuration, data, settings,
workspaces and runtime files in private temporary folders: nothing of the user's Jupyter set-up
is read or written. News, update checks and the extension manager are off, so it makes no
request outside this machine. ``stop()`` shuts it down with its kernels and reports any process
it left behind.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

STATUS_TIMEOUT = 30  # s: the server answers on /api/status in 2-5 s on 2 cores
STOP_TIMEOUT = 20  # s: a clean shutdown, kernels included, takes 1-3 s

# Settings every page starts from: no news, no update check, no extension manager, and every
# cell kept in the page (the default windowing leaves cells out of view out of the DOM).
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension:plugin": {"enabled": False},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
}


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes():
    """{pid: (parent pid, command line)} of every living process (read from ``ps``, which
    Linux and macOS share; zombies, already dead, are left out)."""
    listing = subprocess.run(["ps", "-A", "-o", "pid=,ppid=,stat=,command="],
                             capture_output=True, text=True, check=True).stdout
    found = {}
    for line in listing.splitlines():
        fields = line.split(None, 3)
        if len(fields) >= 3 and not fields[2].startswith("Z"):
            found[int(fields[0])] = (int(fields[1]), fields[3] if len(fields) > 3 else "")
    return found


def descendants(pid):
    """{pid: command line} of every living process below ``pid``."""
    table = processes()
    children = {}
    for child, (parent, _) in table.items():
        children.setdefault(parent, []).append(child)
    found, todo = {}, [pid]
    while todo:  # breadth-first, no recursion
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found[child] = table[child][1]
                todo.append(child)
    return found


class LabServer:
    """A JupyterLab server started by ``start()`` in ``workdir`` on a copy of ``notebooks``."""

    def __init__(self, notebooks, workdir):
        self.workdir = workdir
        self.root = workdir / "notebooks"
        shutil.copytree(notebooks, self.root,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        self.port = free_port()
        self.token = secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "jupyterlab.log"
        self.process = None

    def _environment(self):
        """The server's environment: Jupyter's folders all private to this run."""
        folders = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
                   "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTERLAB_SETTINGS_DIR": "user-settings",
                   "JUPYTERLAB_WORKSPACES_DIR": "workspaces", "IPYTHONDIR": "ipython"}
        env = dict(os.environ)
        for name, folder in folders.items():
            (self.workdir / folder).mkdir(exist_ok=True)
            env[name] = str(self.workdir / folder)
        env.pop("JUPYTER_PATH", None)
        env.pop("JUPYTER_CONFIG_PATH", None)
        env["PYTHONUNBUFFERED"] = "1"
        # In a virtual environment Jupyter searches the environment's own folders before
        # JUPYTER_DATA_DIR, where ipykernel's stock spec runs whichever `python` is on PATH:
        # look in the private folders first, so the kernel is this interpreter.
        env["JUPYTER_PREFER_ENV_PATH"] = "0"
        return env

    def _write_settings(self):
        """The kernel spec and the settings overrides, in the private folders."""
        # The notebooks ask for the kernel "python3": it must be this interpreter, where
        # minigrad and the widgets are installed, whatever other python3 specs exist.
        spec = self.workdir / "data" / "kernels" / "python3"
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python",
            "metadata": {"debugger": False}}))
        settings = self.workdir / "app-settings"
        settings.mkdir(exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps(OVERRIDES, indent=1))
        return settings

    def command(self, app_settings):
        """The command line starting the server."""
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={self.root}", "--ServerApp.terminals_enabled=False",
               "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class="
               "jupyterlab.handlers.announcements.NeverCheckForUpdate",
               "--LabApp.extension_manager=readonly",
               f"--LabApp.app_settings_dir={app_settings}",
               f"--JupyterNotebookApp.app_settings_dir={app_settings}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # Jupyter refuses to run as root without it
        return cmd

    def start(self):
        """Start the server and wait until it answers (RuntimeError with its log if not)."""
        cmd = self.command(self._write_settings())
        with open(self.log_path, "wb") as log:
            # its own process group: stop() can signal the server without touching pytest
            self.process = subprocess.Popen(cmd, env=self._environment(), cwd=self.workdir,
                                            stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + STATUS_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with status {self.process.returncode} "
                                   f"before answering on /api/status; its log:\n{self.log()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"JupyterLab did not answer on /api/status within "
                                   f"{STATUS_TIMEOUT} s; its log:\n{self.log()}")
            time.sleep(0.25)
        self._check_kernel_spec()
        return self

    def _check_kernel_spec(self):
        specs = self.api("GET", "/api/kernelspecs")["kernelspecs"]
        argv = specs.get("python3", {}).get("spec", {}).get("argv", [])
        if not argv or argv[0] != sys.executable:
            self.stop()
            raise RuntimeError(f"JupyterLab does not find the python3 kernel of "
                               f"{sys.executable}: its kernel specs are {sorted(specs)} "
                               f"(python3 runs {argv[:1]})")

    def log(self, tail=4000):
        """The end of the server's log (the kernels write theirs into it too)."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return text[-tail:]

    def api(self, method, path, timeout=10):
        """One REST call with the token: the decoded JSON answer (None when empty)."""
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def page_url(self, notebook, ui="lab"):
        """The address opening ``notebook`` in JupyterLab (``ui="lab"``, with a fresh
        workspace) or in Notebook 7 (``ui="notebook"``)."""
        if ui == "lab":
            return f"{self.url}/lab/tree/{notebook}?reset&token={self.token}"
        if ui == "notebook":
            return f"{self.url}/notebooks/{notebook}?token={self.token}"
        raise ValueError(f"unknown interface {ui!r}: expected 'lab' or 'notebook'")

    def shut_down_kernels(self):
        """End every session and its kernel (the next notebook starts a fresh one)."""
        for session in self.api("GET", "/api/sessions") or ():
            self.api("DELETE", f"/api/sessions/{session['id']}")

    def stop(self):
        """Shut the server and its kernels down; return {pid: command} of the processes it
        left behind (already killed)."""
        if self.process is None or self.process.poll() is not None:
            return {}
        below = descendants(self.process.pid)
        try:
            self.api("POST", "/api/shutdown", timeout=5)
        except (OSError, urllib.error.URLError):
            pass
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            for signum in (signal.SIGTERM, signal.SIGKILL):
                os.killpg(self.process.pid, signum)
                try:
                    self.process.wait(5)
                    break
                except subprocess.TimeoutExpired:
                    continue
        # the kernels run in process groups of their own, and orphans leave the tree: check
        # each process the server had, by pid and command line
        time.sleep(0.5)
        alive = processes()
        left = {pid: command for pid, command in below.items()
                if pid in alive and alive[pid][1] == command}
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return left
