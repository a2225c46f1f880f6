"""A Jupyter server extension: kernel websockets send each message at once (TCP_NODELAY).

Tornado leaves Nagle's algorithm on for websockets and jupyter_server does not turn it
off, so when the kernel answers a widget click with three small messages (busy, the
widget's new state, idle) the second waits in the server for the browser's delayed TCP
acknowledgement of the first: about 30-40 ms of every click. Measured with
``python -m raftlib.bench_widget --browser`` (README, Speed). ``make lab`` and the test
and benchmark launcher (:mod:`raftlib.labserver`) enable it with
``--ServerApp.jpserver_extensions=raftlib.jupyter_nodelay=True``.
"""

from __future__ import annotations

from typing import Any


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "raftlib.jupyter_nodelay"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    if getattr(KernelWebsocketHandler.open, "raft_nodelay", False):
        return
    opened = KernelWebsocketHandler.open

    async def open_without_delay(self: KernelWebsocketHandler, *args: Any, **kwargs: Any) -> None:
        self.set_nodelay(True)
        await opened(self, *args, **kwargs)

    open_without_delay.raft_nodelay = True  # type: ignore[attr-defined]
    KernelWebsocketHandler.open = open_without_delay  # type: ignore[method-assign]
    serverapp.log.info("raftlib: kernel websockets send without delay (TCP_NODELAY)")
