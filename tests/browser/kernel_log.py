"""The errors a kernel reports while a page drives it, for the checks' failure messages.

A widget callback that raises shows nothing in the notebook: ipywidgets sends the traceback as
an ``error`` message on the kernel's iopub channel (JupyterLab files it in its log console), and
an exception escaping a comm handler only reaches the kernel's own log. ``KernelLog`` collects
both: the ``error`` messages from the frames of the page's kernel websockets, and the exceptions
that ipykernel logs for comm messages in the server's log file (where the kernels write theirs).
"""
import json
import re

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# what the kernel was doing when it raised, by the message it was answering
_SOURCES = {"execute_request": "a cell", "comm_msg": "a widget callback"}
# how ipykernel logs an exception raised while it handled a widget's message
_HANDLER_FAILED = re.compile(r"Exception (?:in (?:comm_\w+|message handler)|opening comm)[^\n]*\n")
_EXCEPTION_LINE = re.compile(r"^(\w+(?:\.\w+)*(?:Error|Exception|Warning|Interrupt|Exit)\b.*)$",
                             re.M)


def decode_frame(payload):
    """``(channel, header, parent header, content)`` of one kernel websocket frame: the JSON
    protocol (a text frame) or the binary ``v1.kernel.websocket.jupyter.org`` protocol (a
    count, that many 8-byte little-endian offsets, then channel, header, parent header,
    metadata, content and buffers at those offsets). None for a frame that is neither."""
    try:
        if isinstance(payload, str):
            msg = json.loads(payload)
            return (msg.get("channel"), msg.get("header", {}), msg.get("parent_header", {}),
                    msg.get("content", {}))
        count = int.from_bytes(payload[:8], "little")
        offsets = [int.from_bytes(payload[8 + 8 * i:16 + 8 * i], "little") for i in range(count)]
        parts = [payload[a:b] for a, b in zip(offsets, offsets[1:])]  # the last: the end
        channel = parts[0].decode("utf-8")
        header, parent, _, content = (json.loads(p) if p else {} for p in parts[1:5])
        return channel, header, parent, content
    except (ValueError, IndexError, TypeError, AttributeError):
        return None


class KernelLog:
    """Kernel errors seen since a ``mark()``: ``since(mark)`` lists them as
    ``ErrorName: message (in a widget callback)`` lines."""

    def __init__(self, page, server_log_path):
        self.errors = []  # (source, text) from iopub, in order
        self.server_log_path = server_log_path
        page.on("websocket", self._attach)

    def _attach(self, websocket):
        if "/api/kernels/" in websocket.url and "/channels" in websocket.url:
            websocket.on("framereceived", self._frame)

    def _frame(self, payload):
        decoded = decode_frame(payload)
        if decoded is None:
            return
        channel, header, parent, content = decoded
        if channel == "iopub" and header.get("msg_type") == "error":
            source = _SOURCES.get(parent.get("msg_type"), parent.get("msg_type", "?"))
            text = f"{content.get('ename')}: {_ANSI.sub('', content.get('evalue', ''))}"
            self.errors.append((source, f"{text} (in {source})"))

    def _log_size(self):
        try:
            return self.server_log_path.stat().st_size
        except OSError:
            return 0

    def mark(self):
        """A point to list the errors from."""
        return len(self.errors), self._log_size()

    def since(self, mark, source=None):
        """The errors reported after ``mark``: iopub errors, then the exceptions that the
        kernels' log gained; only those raised in ``source`` ("a cell", "a widget callback")
        when given."""
        count, size = mark
        found = [text for where, text in self.errors[count:] if source in (None, where)]
        if source is not None:
            return found
        try:
            with open(self.server_log_path, "rb") as log:
                log.seek(size)
                added = _ANSI.sub("", log.read().decode("utf-8", "replace"))
        except OSError:
            added = ""
        for block in _HANDLER_FAILED.split(added)[1:]:  # what follows each such line
            last = _EXCEPTION_LINE.findall(block.split("\n[", 1)[0])
            if last:
                found.append(f"{last[-1].strip()} (in the kernel's log)")
        return found
