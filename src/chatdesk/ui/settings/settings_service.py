"""SettingsService: ``settings.json`` written off the UI thread, and the API key tested.

The ``StoreService`` pattern: the settings dialog asks by signal (``testKeyRequested``) and
the app's settings flow calls ``save`` / ``test_key``; the work runs through ``TaskRunner``
and comes back as ``saved``, ``keyTested`` or ``failed``.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from chatdesk.errors import ChatdeskError
from chatdesk.settings import Settings, SettingsStore
from chatdesk.ui.kit.store_service import StoreService
from chatdesk.ui.kit.task_runner import TaskRunner

log = logging.getLogger(__name__)


class SettingsService(StoreService):
    """Saves settings in a worker thread (one save at a time, in order) and probes keys."""

    saved = Signal(object)  # the Settings just written
    keyTested = Signal(bool, str)  # whether the key works, and what the server said

    def __init__(
        self, store: SettingsStore, runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(runner, parent)
        self.store = store

    def save(self, settings: Settings, *, quiet: bool = False) -> None:
        """Write ``settings``; a failure is ``failed`` (only logged when ``quiet``)."""
        self._spawn(self._save(settings, quiet), "save-settings")

    def test_key(self, key: str | None, base_url: str) -> None:
        """Ask ``base_url`` whether ``key`` works (the last test asked wins)."""
        self._runner.spawn(self._test_key(key, base_url), key="test-key")

    async def _save(self, settings: Settings, quiet: bool) -> None:
        try:
            await self.off_loop(self.store.save, settings)
        except OSError as exc:
            if quiet:
                log.warning("could not save the theme: %s", exc)
            else:
                self.failed.emit(f"Could not save settings: {exc}")
            return
        self.saved.emit(settings)

    async def _test_key(self, key: str | None, base_url: str) -> None:
        from chatdesk.providers.openrouter import OpenRouterClient

        probe = OpenRouterClient(base_url, key, max_attempts=1)
        try:
            info = await probe.check_key()
        except ChatdeskError as exc:
            self.keyTested.emit(False, exc.user_message)
        else:
            self.keyTested.emit(True, info.describe())
        finally:
            await probe.aclose()
