"""Shared by the app's branch tests: an answering fake, what the view shows, asking by keys."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from chatdesk.app.root import ChatdeskApp
from fakes.openrouter import RecordedRequest, Reply
from qtapp import SignalWaiter


def answer_to_last_question(request: RecordedRequest) -> Reply:
    """Streams "An answer to <the last question>."; non-streamed requests get a title."""
    body = request.json or {}
    if not body.get("stream"):
        return Reply.completion("A title")
    user = [m for m in body["messages"] if m["role"] == "user"]
    return Reply.stream(f"An answer to {user[-1]['content']}.")


def shown(app: ChatdeskApp) -> list[str]:
    """The texts of the messages the chat view shows, top to bottom."""
    assert app.window is not None
    return [w.source for w in app.window.chat_view.message_widgets()]


async def ask(app: ChatdeskApp, *questions: str) -> None:
    """Type each question into the composer and press Enter; wait for each answer."""
    assert app.window is not None and app.controller is not None
    for text in questions:
        finished = SignalWaiter(app.controller.messageFinished)
        edit = app.window.composer.edit
        edit.setFocus()
        QTest.keyClicks(edit, text)
        QTest.keyClick(edit, Qt.Key.Key_Return)
        await finished.wait()
        await app.runner.wait_idle()
