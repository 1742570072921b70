"""TrayFlow: the tray icon and its menu, closing to the tray, and a notification when an
answer finishes while the window is hidden (see ``ui/shell/tray.py``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject

from chatdesk.app.command_line import Command
from chatdesk.app.context import AppContext
from chatdesk.app.flow import Flow
from chatdesk.core.models import Message
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.formatting import preview
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.shell.main_window import MainWindow
from chatdesk.ui.shell.tray import Tray

__all__ = ["TrayFlow"]


class TrayFlow(Flow):
    """Only where the desktop has a tray; without one, closing the window quits as before."""

    def __init__(
        self,
        ctx: AppContext,
        window: MainWindow,
        controller: ChatController,
        runner: TaskRunner,
        *,
        carry_out: Callable[[Command], None],
        quit_app: Callable[[], None],
    ) -> None:
        super().__init__(ctx, window, controller, runner)
        self._carry_out = carry_out
        self.tray: Tray | None = None
        if not Tray.available():
            return
        tray = self.tray = Tray(window.windowIcon(), window)
        tray.newChatRequested.connect(lambda: carry_out(Command("new")))
        tray.quickAskRequested.connect(lambda: carry_out(Command("quick")))
        tray.dictateRequested.connect(lambda: carry_out(Command("dictate")))
        tray.toggleRequested.connect(self.toggle_window)
        tray.quitRequested.connect(quit_app)
        controller.messageFinished.connect(self._finished)
        window.installEventFilter(self._watcher(tray))
        tray.show()
        self.apply_settings()

    def apply_settings(self) -> None:
        """Close to the tray (or not) as the settings say."""
        self._window.close_hides = self.tray is not None and self._ctx.settings.close_to_tray

    def toggle_window(self) -> None:
        if self._window.isVisible() and not self._window.isMinimized():
            self._window.hide()
        else:
            self._carry_out(Command("show"))

    def _finished(self, message: Message) -> None:
        """An answer done while the window is hidden: say so on the desktop."""
        if self.tray is None or self._window.isVisible() or message.role != "assistant":
            return
        self.tray.notify("chatdesk: the answer is ready", preview(message.content, 120))

    def _watcher(self, tray: Tray) -> QObject:
        window = self._window

        class Watcher(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
                    tray.window_shown(window.isVisible())
                return False

        return Watcher(window)
