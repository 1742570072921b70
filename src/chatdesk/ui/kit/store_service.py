"""StoreService: the one pattern for a dialog that edits a stored list (or a stored record).

* The **dialog** never awaits and never touches a file: it calls the service's plain methods
  (``add``, ``update``, ``delete``, ``move``, ``save``…) and shows what comes back.
* The **service** (a subclass) runs the storage work as a coroutine through the app's
  ``TaskRunner``; file writes go to a worker thread (``off_loop``, one at a time, in order).
* Results come back as **signals**: the new list (each service names its own, e.g.
  ``presetsChanged``), ``done(text)`` for a confirmation and ``failed(text)`` with a message
  fit for the user. The app's flows connect the same signals to the window (status bar,
  banner, the menus and chips that show the list).

Followed by ``PresetManager`` (presets, in the database), ``SuggestionsService``
(suggestions.json), ``ServersService`` (mcp_servers.json and the running servers) and
``SettingsService`` (settings.json). Importing this module loads neither asyncio nor any store.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from chatdesk.ui.kit.task_runner import TaskRunner

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")


class StoreService(QObject):
    """Base of the store services: runs work through the runner, files off the loop."""

    done = Signal(str)  # a confirmation for the status bar or the dialog
    failed = Signal(str)  # what went wrong, fit for the user

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._lock: asyncio.Lock | None = None  # made on the loop, on first use

    def _spawn(self, work: Coroutine[Any, Any, None], name: str | None = None) -> None:
        """Run ``work`` in the background (its ChatdeskError reaches ``runner.failed``); the
        app's shutdown lets it finish, so a save asked for is never lost at quit."""
        self._runner.spawn(work, name=name, finish=True)

    async def off_loop(self, call: Callable[..., T], *args: Any) -> T:
        """Run a blocking storage call in a worker thread; calls of one service never overlap
        and keep the order they were asked in."""
        import asyncio

        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            return await asyncio.to_thread(call, *args)
