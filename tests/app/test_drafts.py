"""Each chat keeps its own unsent text: leaving a chat keeps what was typed there, a new chat
starts empty, coming back brings it back, and a restart (or a crash) loses none of it. Text
typed while a new chat is being stored stays where it was typed."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from chatdesk.app.root import ChatdeskApp
from fakes.openrouter import FakeOpenRouter
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


async def _until_idle(app: ChatdeskApp) -> None:
    assert app.controller is not None
    idle = SignalWaiter(app.controller.busyChanged)
    while app.controller.busy:
        await idle.wait(len(idle.values) + 1)
    await app.runner.wait_idle()


def _sent(fake: FakeOpenRouter) -> list[str]:
    return [
        [m for m in r.json["messages"] if m["role"] == "user"][-1]["content"]
        for r in fake.requests_to()
        if r.json.get("stream")
    ]


async def test_each_chat_keeps_its_own_unsent_text_through_a_restart(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        window, edit = app.window, app.window.composer.edit
        edit.setFocus()
        QTest.keyClicks(edit, "first question")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        QTest.keyClicks(edit, "typed while it is stored")  # before the chat has its id
        await _until_idle(app)
        first = app.controller.conversation_id
        assert first is not None
        assert window.composer.text() == "typed while it is stored"

        # A new chat starts empty; what is sent there is exactly what was typed there.
        QTest.keySequence(window, "Ctrl+N")
        assert window.composer.text() == ""
        edit.setFocus()
        QTest.keyClicks(edit, "second chat")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        await _until_idle(app)
        second = app.controller.conversation_id
        assert second not in (None, first)
        assert _sent(app_env) == ["first question", "second chat"]
        QTest.keyClicks(edit, "half a thought")

        # Back to the first chat: its own text; and back again: the other's.
        opened = SignalWaiter(app.controller.conversationOpened)
        app.controller.open_conversation(first)
        await opened.wait()
        assert window.composer.text() == "typed while it is stored"
        QTest.keyClicks(edit, ", more")
        app.controller.open_conversation(second)  # type: ignore[arg-type]
        await opened.wait(2)
        assert window.composer.text() == "half a thought"
        app.controller.open_conversation(first)
        await opened.wait(3)
        assert app.window.drafts.waiting() == {second: "half a thought"}

    # Written as typed (a crash keeps it), and all of it back after a restart.
    state = QSettings(str(data_dir / "window-state.ini"), QSettings.Format.IniFormat)
    assert "half a thought" in str(state.value("session/drafts"))
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        assert app.controller.conversation_id == first
        assert app.window.composer.text() == "typed while it is stored, more"
        opened = SignalWaiter(app.controller.conversationOpened)
        app.controller.open_conversation(second)  # type: ignore[arg-type]
        await opened.wait()
        assert app.window.composer.text() == "half a thought"
        QTest.keySequence(app.window, "Ctrl+N")
        assert app.window.composer.text() == ""


async def test_enter_while_another_chat_streams_keeps_the_text_and_says_why(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    from fakes.openrouter import Gate, Reply

    gate = Gate()
    app_env.enqueue(Reply.stream("A long answer.", hold_first=gate))
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        window, edit = app.window, app.window.composer.edit
        edit.setFocus()
        started = SignalWaiter(app.controller.assistantStarted)
        QTest.keyClicks(edit, "first question")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        await started.wait()
        QTest.keySequence(window, "Ctrl+N")
        edit.setFocus()
        QTest.keyClicks(edit, "second question")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        assert window.composer.text() == "second question"  # not lost, not sent
        assert window.statusBar().currentMessage().startswith("An answer is still coming")
        gate.set()
        await _until_idle(app)
        QTest.keyClick(edit, Qt.Key.Key_Return)  # now it goes
        await _until_idle(app)
        assert _sent(app_env) == ["first question", "second question"]


async def test_a_new_chat_starts_empty_and_what_was_begun_waits_beside_it(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        window, edit = app.window, app.window.composer.edit
        edit.setFocus()
        QTest.keyClicks(edit, "first question")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        await _until_idle(app)
        QTest.keySequence(window, "Ctrl+N")
        edit.setFocus()
        QTest.keyClicks(edit, "begun, then left")
        opened = SignalWaiter(app.controller.conversationOpened)
        app.controller.open_conversation(app.controller.conversation_id or 1)
        await opened.wait()

        # Ctrl+N, then typing at once: the new chat's text is only what is typed now.
        QTest.keySequence(window, "Ctrl+N")
        edit.setFocus()
        assert window.composer.text() == ""
        assert window.unsent_drafts.waiting == ["begun, then left"]
        QTest.keyClicks(edit, "a fresh question")
        QTest.keyClick(edit, Qt.Key.Key_Return)
        await _until_idle(app)
        assert _sent(app_env)[-1] == "a fresh question"
        assert window.unsent_drafts.waiting == ["begun, then left"]  # still there to insert
