"""Flow: what every flow of the app holds — the context, the window, the chat controller and
the task runner. Each flow (settings, presets, tools, media, history, tool activity) adds its
own collaborators."""

from __future__ import annotations

from chatdesk.app.context import AppContext
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.shell.main_window import MainWindow

__all__ = ["Flow"]


class Flow:
    """The base of the app's flows."""

    def __init__(
        self, ctx: AppContext, window: MainWindow, controller: ChatController, runner: TaskRunner
    ) -> None:
        self._ctx = ctx
        self._window = window
        self._controller = controller
        self._runner = runner
