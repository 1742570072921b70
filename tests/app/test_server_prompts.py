"""A server's prompts in the "/" menu: chosen with the keyboard, their arguments asked inline,
the filled-in text in the composer, and typing goes straight on there."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_support import until_offered, use_toy_server
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from chatdesk.ui.tools.prompt_card import PromptCard
from fakes.openrouter import FakeOpenRouter
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


async def test_a_prompt_from_the_slash_menu_fills_the_composer(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    use_toy_server(data_dir)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None
        assert app.mcp is not None
        await until_offered(app, app.mcp.aggregator.prompts)
        window = app.window
        edit = window.composer.edit
        edit.setFocus()

        QTest.keyClicks(edit, "/rev")
        assert window.slash_popup.shown() == ["Review my code", "Review code — toy"]
        QTest.keyClick(edit, Qt.Key.Key_Down)
        QTest.keyClick(edit, Qt.Key.Key_Return)
        card = window.chat_view.findChild(PromptCard)
        assert card is not None and window.composer.text() == ""
        code = card.fields["code"]
        assert QApplication.focusWidget() is code
        QTest.keyClick(code, Qt.Key.Key_Return)  # the required argument is empty
        assert card.problem.text() == "Please fill in code." and card.open
        QTest.keyClicks(code, "x = 1")
        filled = SignalWaiter(edit.textChanged)
        QTest.keyClick(code, Qt.Key.Key_Return)
        await filled.wait()
        await app.runner.wait_idle()
        assert window.composer.text() == "Please review this python code from t:\n\nx = 1"
        assert QApplication.focusWidget() is edit
        QTest.keyClicks(QApplication.focusWidget(), " Thanks")
        assert window.composer.text().endswith("x = 1 Thanks")

        # No arguments: straight in. Esc on a card puts everything back as it was.
        window.composer.set_text("")
        QTest.keyClicks(edit, "/greet")
        filled = SignalWaiter(edit.textChanged)
        QTest.keyClick(edit, Qt.Key.Key_Tab)
        await filled.wait(2)
        await app.runner.wait_idle()
        assert window.composer.text() == "Hello from t!"
        window.composer.set_text("")
        QTest.keyClicks(edit, "/review c")
        assert window.slash_popup.shown() == ["Review code — toy"]
        QTest.keyClick(edit, Qt.Key.Key_Return)
        card = window.chat_view.findChild(PromptCard)
        assert card is not None
        QTest.keyClick(card.fields["code"], Qt.Key.Key_Escape)
        assert window.chat_view.findChild(PromptCard) is None or not card.open
        assert QApplication.focusWidget() is edit
