"""The frame of the fake servers: an asyncio server on 127.0.0.1, on its own event loop in a
daemon thread, so it answers whatever loop (plain asyncio or qasync) the test runs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Self


class LoopServer:
    """Subclasses open their listening socket in ``_open`` and close it in ``_shutdown``.

    Use as a context manager (or ``start()``/``close()``). Subclasses change their state under
    ``_lock`` and ``notify_all()`` it, so tests can ``wait_until`` a condition holds.
    """

    #: How long ``wait_until`` waits by default.
    wait_timeout_s = 5.0

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Condition()
        self.port = 0

    def wait_until(self, predicate: Callable[[Self], bool], timeout: float | None = None) -> bool:
        """Block until ``predicate(server)`` holds (re-checked on every server event)."""
        limit = self.wait_timeout_s if timeout is None else timeout
        with self._lock:
            return self._lock.wait_for(lambda: predicate(self), limit)

    async def wait_until_async(
        self, predicate: Callable[[Self], bool], timeout_s: float | None = None
    ) -> bool:
        """:meth:`wait_until` for coroutines (waits in a worker thread)."""
        return await asyncio.to_thread(self.wait_until, predicate, timeout_s)

    async def _open(self) -> int:
        """Start listening on 127.0.0.1; return the port."""
        raise NotImplementedError

    async def _shutdown(self) -> None:
        """Stop listening and end the open connections."""
        raise NotImplementedError

    def start(self) -> Self:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name=type(self).__name__, daemon=True
        )
        self._thread.start()
        ready.wait()
        return self

    def _run(self, ready: threading.Event) -> None:
        assert self._loop is not None
        asyncio.set_event_loop(self._loop)
        self.port = self._loop.run_until_complete(self._open())
        ready.set()
        self._loop.run_forever()

    def close(self) -> None:
        if self._loop is None or self._thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
