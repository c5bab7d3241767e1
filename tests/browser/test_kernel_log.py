"""The kernel-error collector of the browser tests, on frames and log lines made here (no
browser needed): the failure messages of the widget checks quote what it finds."""
import json

import pytest

from kernel_log import KernelLog, decode_frame


class _Page:
    """Stands in for a Playwright page: KernelLog only subscribes to its websockets."""

    def on(self, event, handler):
        assert event == "websocket"


def _message(msg_type, content, parent_type):
    return {"header": {"msg_type": msg_type, "msg_id": "1"},
            "parent_header": {"msg_type": parent_type}, "metadata": {}, "content": content}


ERROR = {"ename": "RuntimeError", "evalue": "next broken", "traceback": []}


def test_decodes_the_binary_protocol_as_the_server_encodes_it():
    connection = pytest.importorskip("jupyter_server.services.kernels.connection.base")
    msg = _message("error", ERROR, "comm_msg")
    frame = connection.serialize_msg_to_ws_v1(msg, "iopub", pack=lambda d: json.dumps(d).encode())
    channel, header, parent, content = decode_frame(frame)
    assert (channel, header["msg_type"], parent["msg_type"]) == ("iopub", "error", "comm_msg")
    assert content == ERROR


def test_decodes_the_json_protocol_and_ignores_other_frames():
    msg = dict(_message("stream", {"name": "stdout", "text": "hi"}, "execute_request"),
               channel="iopub")
    assert decode_frame(json.dumps(msg))[0] == "iopub"
    assert decode_frame(b"\x01") is None and decode_frame("not json") is None


def test_lists_iopub_errors_and_logged_handler_exceptions_since_a_mark(tmp_path):
    server_log = tmp_path / "server.log"
    server_log.write_text("[I 12:00 ServerApp] Kernel started\n")
    log = KernelLog(_Page(), server_log)
    log._frame(json.dumps(dict(_message("error", ERROR, "execute_request"), channel="iopub")))
    mark = log.mark()
    log._frame(json.dumps(dict(_message("error", ERROR, "comm_msg"), channel="iopub")))
    with open(server_log, "a") as f:  # what ipykernel logs when a comm handler raises
        f.write("[IPKernelApp] ERROR | Exception in comm_msg for 0a1b\nTraceback (most recent "
                "call last):\n  File \"x.py\", line 1, in f\nValueError: slider broken\n"
                "[I 12:01 ServerApp] Saving file\nKeyError: 'not after a handler failure'\n")
    assert log.since(mark) == ["RuntimeError: next broken (in a widget callback)",
                               "ValueError: slider broken (in the kernel's log)"]
    assert log.since((0, 0), "a cell") == ["RuntimeError: next broken (in a cell)"]
