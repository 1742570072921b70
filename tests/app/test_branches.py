"""Branches as a new user meets them, keyboard only: Up in the empty composer edits the last
question, Enter sends it on a new branch, the navigator goes back and forth, and a restart
shows (and builds on) the branch last chosen. What each request carried is checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from branch_support import answer_to_last_question, shown
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from chatdesk.app.root import ChatdeskApp
from fakes.openrouter import FakeOpenRouter
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


def _streamed(fake: FakeOpenRouter) -> list[list[tuple[str, str]]]:
    """(role, content) of each streamed chat request."""
    out = []
    for request in fake.requests_to():
        body = request.json
        if body and body.get("stream"):
            out.append([(m["role"], m["content"]) for m in body["messages"]])
    return out


async def _idle(app: ChatdeskApp, busy: SignalWaiter) -> None:
    """Until the answer has ended (Send is back)."""
    assert app.controller is not None
    while app.controller.busy or app.runner.running("branch") is not None:
        await busy.wait(len(busy.values) + 1)


async def _ask(app: ChatdeskApp, busy: SignalWaiter, text: str) -> None:
    assert app.window is not None
    edit = app.window.composer.edit
    QTest.keyClicks(edit, text)
    QTest.keyClick(edit, Qt.Key.Key_Return)
    await busy.wait(len(busy.values) + 1)  # busy
    await _idle(app, busy)


async def test_edit_with_up_navigate_and_restart_keyboard_only(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    (data_dir / "settings.json").write_text('{"generate_titles": false}')
    app_env.set_default(answer_to_last_question)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        window, branches = app.window, app.controller.branches
        busy = SignalWaiter(app.controller.busyChanged)
        paths = SignalWaiter(branches.pathChanged)
        window.composer.edit.setFocus()
        for question in ("First question", "Second question", "Third question"):
            await _ask(app, busy, question)

        # Up in the empty composer opens the third question for editing, cursor at its end.
        QTest.keyClick(window.composer.edit, Qt.Key.Key_Up)
        editor = QApplication.focusWidget()
        assert editor is not None and editor is not window.composer.edit
        QTest.keyClicks(editor, ", edited")
        QTest.keyClick(editor, Qt.Key.Key_Return)
        await busy.wait(len(busy.values) + 1)
        await _idle(app, busy)
        await paths.wait(1)

        sent = _streamed(app_env)[-1]
        assert sent == [
            ("user", "First question"),
            ("assistant", "An answer to First question."),
            ("user", "Second question"),
            ("assistant", "An answer to Second question."),
            ("user", "Third question, edited"),
        ]
        edited_path = shown(app)
        assert edited_path[-2:] == [
            "Third question, edited",
            "An answer to Third question, edited.",
        ]
        # The focus is back in the composer for the next question.
        assert QApplication.focusWidget() is window.composer.edit

        # The navigator, by keyboard: back to the original, then forward again.
        QTest.keySequence(window, "Alt+Left")
        await paths.wait(2)
        assert shown(app)[-2:] == ["Third question", "An answer to Third question."]
        QTest.keySequence(window, "Alt+Right")
        await paths.wait(3)
        assert shown(app) == edited_path

    # After a restart the edited branch is the one shown, and the one the next request uses.
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None and app.controller is not None
        assert shown(app)[-2:] == edited_path[-2:]
        busy = SignalWaiter(app.controller.busyChanged)
        app.window.composer.edit.setFocus()
        await _ask(app, busy, "Fourth question")
        assert _streamed(app_env)[-1][-3:] == [
            ("user", "Third question, edited"),
            ("assistant", "An answer to Third question, edited."),
            ("user", "Fourth question"),
        ]
