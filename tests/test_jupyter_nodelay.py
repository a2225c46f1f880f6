"""The server extension that turns Nagle's algorithm off on kernel websockets (each small
message, such as a widget's new state, leaves the Jupyter server at once)."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

from raftlib import jupyter_nodelay


class _Handler:
    """Stands in for a handler: records set_nodelay, then the original open runs."""

    def __init__(self) -> None:
        self.calls: list[object] = []

    def set_nodelay(self, value: bool) -> None:
        self.calls.append(("nodelay", value))


def test_kernel_websockets_open_with_nodelay():
    original = KernelWebsocketHandler.open

    async def fake_open(self, *args, **kwargs):
        self.calls.append("open")

    KernelWebsocketHandler.open = fake_open
    try:
        app = SimpleNamespace(log=logging.getLogger("test"))
        assert jupyter_nodelay._jupyter_server_extension_points() == [
            {"module": "raftlib.jupyter_nodelay"}]
        jupyter_nodelay._load_jupyter_server_extension(app)
        jupyter_nodelay._load_jupyter_server_extension(app)  # loading twice wraps once
        handler = _Handler()
        asyncio.run(KernelWebsocketHandler.open(handler, "kernel-id"))
        assert handler.calls == [("nodelay", True), "open"]
    finally:
        KernelWebsocketHandler.open = original
