"""Run coroutines from Qt: widgets call plain methods, results come back as signals.

Every background task goes through ``TaskRunner.spawn``, which keeps a reference (so the task
is not garbage-collected), logs failures, and reports them through ``failed``. "Latest wins"
work (switching conversation, regenerating) passes a ``key``: starting a task with the same key
cancels the previous one.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from chatdesk.errors import ChatdeskError

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)


class TaskRunner(QObject):
    """Owns the app's background tasks."""

    #: A task failed: the message is fit to show the user.
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._keyed: dict[str, asyncio.Task[Any]] = {}
        self._finishing: set[asyncio.Task[Any]] = set()  # to finish, not cancel, at shutdown

    def spawn(
        self,
        coro: Coroutine[Any, Any, Any],
        *,
        key: str | None = None,
        name: str | None = None,
        finish: bool = False,
    ) -> asyncio.Task[Any]:
        """Start ``coro`` on the running loop; with ``key``, cancel that key's previous task.
        ``finish``: a save the user asked for, which shutdown lets finish instead of cancel."""
        import asyncio  # not at import time: the window paints before asyncio is loaded

        if key is not None:
            previous = self._keyed.pop(key, None)
            if previous is not None and not previous.done():
                previous.cancel()
        task = asyncio.ensure_future(coro)
        task.set_name(name or key or getattr(coro, "__qualname__", "task"))
        self._tasks.add(task)
        if finish:
            self._finishing.add(task)
        if key is not None:
            self._keyed[key] = task
        task.add_done_callback(self._done)
        return task

    def running(self, key: str) -> asyncio.Task[Any] | None:
        """The unfinished task started with ``key``, if any."""
        task = self._keyed.get(key)
        return task if task is not None and not task.done() else None

    def cancel(self, key: str) -> bool:
        """Cancel the task of ``key``; True if one was running."""
        task = self.running(key)
        if task is None:
            return False
        task.cancel()
        return True

    async def wait_idle(self) -> None:
        """Wait until every task started so far (and any they start) has finished."""
        import asyncio

        while pending := [t for t in self._tasks if not t.done()]:
            await asyncio.wait(pending)

    async def shutdown(self, grace_s: float = 5.0) -> None:
        """Let the saves finish, then cancel every other task; both waits are bounded."""
        import asyncio

        saves = [t for t in self._finishing if not t.done()]
        if saves:
            await asyncio.wait(saves, timeout=grace_s)
        tasks = [t for t in self._tasks if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        self._finishing.discard(task)
        for key, keyed in list(self._keyed.items()):
            if keyed is task:
                del self._keyed[key]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is None:
            return
        if isinstance(exc, ChatdeskError):
            log.warning("%s failed: %s", task.get_name(), exc.detail or exc.user_message)
            self.failed.emit(exc.user_message)
        else:
            log.error("%s crashed", task.get_name(), exc_info=exc)
            self.failed.emit(f"Something went wrong ({type(exc).__name__}: {exc}).")
