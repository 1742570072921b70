"""SettingsFlow: the settings dialog (test, forget and save the key, apply the settings), the
key pasted into the welcome panel, and the theme."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from chatdesk.app.backend import Backend
from chatdesk.app.context import AppContext
from chatdesk.app.flow import Flow
from chatdesk.app.media_flow import MediaFlow
from chatdesk.errors import ChatdeskError
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.kit.theme import apply_theme
from chatdesk.ui.settings.settings_service import SettingsService
from chatdesk.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    from chatdesk.providers.local_servers import LocalServer
    from chatdesk.ui.settings.settings_dialog import SettingsDialog


class SettingsFlow(Flow):
    """Applies what the user changes in Settings, the welcome panel or View › Theme."""

    def __init__(
        self,
        ctx: AppContext,
        qapp: QApplication,
        window: MainWindow,
        controller: ChatController,
        runner: TaskRunner,
        backend: Backend,
        media: MediaFlow,
    ) -> None:
        super().__init__(ctx, window, controller, runner)
        self._qapp = qapp
        self._backend = backend
        self._media = media
        #: settings.json is written through it, off the UI thread.
        self.service = SettingsService(ctx.settings_store, runner)
        #: Called after new settings are applied (the tray follows close_to_tray).
        self.applied: list[Callable[[], None]] = []
        self.service.failed.connect(lambda text: window.notify("error", text))

    def open_settings(self) -> None:
        """Show the settings dialog (modal) and apply what the user saved."""
        from chatdesk.ui.settings.settings_dialog import SettingsDialog

        secrets = self._ctx.secrets
        dialog = SettingsDialog(
            self._ctx.settings,
            key_source=secrets.source("openrouter"),
            overridden=self._ctx.settings_store.overridden,
            keyring_problem=secrets.problem if not secrets.keyring_available() else None,
            parent=self._window,
        )
        dialog.testKeyRequested.connect(self._test_key)
        tested = self.service.keyTested
        tested.connect(dialog.show_test_result)

        def closed(*_args: object) -> None:
            with contextlib.suppress(RuntimeError):  # already gone
                tested.disconnect(dialog.show_test_result)

        dialog.finished.connect(closed)
        dialog.forgetKeyRequested.connect(self._forget_key)
        dialog.accepted.connect(lambda: self._apply(dialog))
        self._window.open_dialog(dialog)

    def _test_key(self, key: str, base_url: str) -> None:
        """The key typed (else the stored one) against the URL typed (else the saved one)."""
        self.service.test_key(
            key or self._ctx.secrets.get("openrouter"),
            base_url or self._ctx.settings.openrouter_base_url,
        )

    def _forget_key(self) -> None:
        try:
            self._ctx.secrets.delete("openrouter")
        except ChatdeskError as exc:
            self._window.notify("error", exc.user_message)

    def _apply(self, dialog: SettingsDialog) -> None:
        new = dialog.result_settings
        if new is None:
            return
        if dialog.new_key:
            try:
                self._ctx.secrets.set("openrouter", dialog.new_key)
            except ChatdeskError as exc:
                self._window.notify("error", exc.user_message)
        old = self._ctx.settings
        self._ctx.settings = new
        self._media.set_settings(new)
        self._controller.branches.auto_compact_percent = new.auto_compact_percent
        self.service.save(new)
        if new.openrouter_base_url != old.openrouter_base_url:
            self._backend.set_base_url(new.openrouter_base_url)
            self._controller.load_models(refresh=True)
        if new.default_model != old.default_model and self._controller.conversation is None:
            self._controller.set_model(new.default_model)
        if new.theme != old.theme:
            self.set_theme(new.theme)
        self._window.show_first_run(self._ctx.needs_key())
        for listener in self.applied:
            listener()
        self._window.status("Settings saved", 3000)

    async def offer_local_servers(self) -> None:
        """First run without a key: offer the OpenAI-compatible servers running here."""
        from chatdesk.providers.local_servers import find_local_servers

        found = await find_local_servers()
        if found and self._ctx.needs_key():
            self._window.offer_local_servers(found)

    def use_local_server(self, server: LocalServer) -> None:
        """Chat through a server found on this computer: its URL and first model, saved."""
        new = self._ctx.settings.replace(
            openrouter_base_url=server.base_url, default_model=server.models[0]
        )
        self._ctx.settings = new
        self.service.save(new)
        self._backend.set_base_url(server.base_url)
        self._controller.set_model(server.models[0])
        self._controller.load_models(refresh=True)
        self._window.show_first_run(False)
        self._window.notify("info", "")  # a notice about the old server no longer holds
        self._window.status(f"Chatting through {server.name} at {server.base_url}", 6000)

    def save_first_key(self, key: str) -> None:
        """The key pasted into the welcome panel."""
        secrets = self._ctx.secrets
        try:
            secrets.set("openrouter", key)
        except ChatdeskError as exc:
            if secrets.keyring_available():
                self._window.first_run_problem(exc.user_message)
                return
            # No keyring: use the key for this session rather than leave the user stuck.
            secrets.set_for_session("openrouter", key)
            self._window.notify(
                "warning",
                "No system keyring is available, so your key is used for this session only. "
                "To keep it, set OPENROUTER_API_KEY in your environment.",
            )
        else:
            self._window.status("Key saved in your system keyring", 4000)
        self._window.show_first_run(False)
        self._controller.load_models(refresh=True)

    def set_theme(self, theme: str) -> None:
        """View › Theme, or a theme saved in Settings: apply it and remember it."""
        self._ctx.dark = apply_theme(self._qapp, theme)
        self._window.set_dark(self._ctx.dark)
        if self._ctx.settings.theme != theme:
            # A new record: the one being written off the loop never changes under the writer.
            self._ctx.settings = dataclasses.replace(self._ctx.settings, theme=theme)
            self.service.save(self._ctx.settings, quiet=True)
