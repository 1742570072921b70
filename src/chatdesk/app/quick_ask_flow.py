"""QuickAskFlow: the quick-ask window (``chatdesk --quick``, the tray) over the main chat.

A question asked there starts a new chat in the app (the main window's unsent text stays with
its own chat) and the answer streams into the small window; Ctrl+Enter brings the main window
forward on that chat.
"""

from __future__ import annotations

from chatdesk.app.flow import Flow
from chatdesk.core.models import Message
from chatdesk.ui.shell.quick_ask import QuickAskWindow

__all__ = ["QuickAskFlow"]


class QuickAskFlow(Flow):
    """The window is made on first use."""

    quick: QuickAskWindow | None = None
    _asking: int | None = None  # the conversation whose answer the window follows
    _live: int | None = None  # the answer's message id

    def open(self) -> None:
        if self.quick is None:
            quick = self.quick = QuickAskWindow()
            quick.setWindowIcon(self._window.windowIcon())
            quick.askRequested.connect(self._ask)
            quick.continueRequested.connect(self._continue)
            chat = self._controller
            chat.assistantStarted.connect(self._started)
            chat.streamDelta.connect(self._delta)
            chat.messageFinished.connect(self._finished)
            chat.turnFailed.connect(self._failed)
        self.quick.present()

    def close(self) -> None:
        if self.quick is not None:
            self.quick.close()
            self.quick.deleteLater()
            self.quick = None

    def _ask(self, text: str) -> None:
        assert self.quick is not None
        chat = self._controller
        if chat.busy:
            self.quick.refused("chatdesk is still answering in the main window; ask again soon.")
            return
        chat.new_conversation()
        self._window.drafts.keep_aside()
        if not chat.send(text):
            self.quick.refused("The question could not be sent; it is still in the field.")
            return
        self._asking, self._live = -1, None  # the chat gets its id as it is stored
        self.quick.taken(text)

    def _started(self, message_id: int, _model: str) -> None:
        if self._asking is not None and self._live is None:
            self._live = message_id
            self._asking = self._controller.conversation_id

    def _delta(self, message_id: int, text: str, _reasoning: str) -> None:
        if self.quick is not None and message_id == self._live:
            self.quick.append(text)

    def _finished(self, message: Message) -> None:
        if self.quick is None or message.id != self._live:
            return
        from chatdesk.ui.rendering.markdown import render_markdown

        self.quick.finish(render_markdown(message.content, dark=self._ctx.dark))
        self._live = None

    def _failed(self, message_id: object, text: str, _kind: str, _message: object) -> None:
        if self.quick is not None and self._live is not None and message_id == self._live:
            self.quick.failed(text)
            self._live = None

    def _continue(self) -> None:
        """Ctrl+Enter: the main window, on the chat asked in."""
        window = self._window
        if self.quick is not None:
            self.quick.hide()
        target = self._asking
        if target not in (None, -1) and self._controller.conversation_id != target:
            self._controller.open_conversation(target)
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
        window.focus_composer()
