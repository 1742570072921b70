"""The quick-ask window: a question typed there (Enter) starts a new chat and its answer
streams into the small window; the main window's unsent text stays with its own chat;
Ctrl+Enter continues in the main window; Esc hides; a busy app keeps the question."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from chatdesk.app.command_line import Command
from chatdesk.app.launch_commands import carry_out
from fakes.openrouter import FakeOpenRouter, Gate, Reply
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


async def test_ask_quickly_then_continue_in_the_main_window(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    gate = Gate()
    app_env.enqueue(Reply.stream("Green tea: **80 °C**, two minutes.", hold_first=gate))
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        assert app.quick_ask is not None
        window, chat = app.window, app.controller
        window.composer.edit.setFocus()
        QTest.keyClicks(window.composer.edit, "a draft in the main window")
        before = chat.conversation_id

        carry_out(app, Command("quick"))  # chatdesk --quick, or the tray
        quick = app.quick_ask.quick
        assert quick is not None and quick.isVisible()
        QTest.keyClicks(quick.field, "How hot for green tea?")
        started = SignalWaiter(chat.assistantStarted)
        QTest.keyClick(quick.field, Qt.Key.Key_Return)
        assert quick.field.toPlainText() == "" and quick.answer.isVisible()
        assert quick.question.text() == "How hot for green tea?"
        await started.wait()

        # Another question while this one streams is kept in the field, with why.
        QTest.keyClicks(quick.field, "and black tea?")
        QTest.keyClick(quick.field, Qt.Key.Key_Return)
        assert quick.field.toPlainText() == "and black tea?"
        assert "still answering" in quick.answer.toPlainText()

        finished = SignalWaiter(chat.messageFinished)
        gate.set()
        (message,) = await finished.wait(limit_s=30)
        assert message.content == "Green tea: **80 °C**, two minutes."
        assert "80 °C" in quick.answer.toPlainText() and "**" not in quick.answer.toPlainText()
        asked = chat.conversation_id
        assert asked is not None and asked != before
        sent = app_env.requests_to()[-1].json["messages"][-1]["content"]
        assert sent == "How hot for green tea?"

        # Ctrl+Enter: the main window on that chat; the main draft waits with its own chat.
        QTest.keyClick(quick.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert not quick.isVisible() and window.isVisible()
        assert chat.conversation_id == asked
        assert window.composer.text() == ""
        assert window.drafts.waiting() == {None: "a draft in the main window"}  # next Ctrl+N

        carry_out(app, Command("quick"))
        assert quick.isVisible()
        QTest.keyClick(quick.field, Qt.Key.Key_Escape)
        assert not quick.isVisible()
