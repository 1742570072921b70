"""The settings dialog, driven in the running app against the fake OpenRouter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from chatdesk.app.root import ChatdeskApp
from chatdesk.ui.settings.settings_dialog import SettingsDialog
from fakes.openrouter import FakeOpenRouter, Reply
from qtapp import Launch, SignalWaiter

pytestmark = pytest.mark.gui


def _open(app: ChatdeskApp) -> SettingsDialog:
    assert app.window is not None
    QTest.keySequence(app.window, "Ctrl+,")
    dialog = app.window.findChild(SettingsDialog, "settingsDialog")
    assert dialog is not None and dialog.isVisible()
    return dialog


def _save(dialog: SettingsDialog) -> None:
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None
    save = buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)


async def test_saved_settings_apply_to_the_next_turn_and_the_file(
    running_app: ChatdeskApp, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    dialog = _open(running_app)
    assert not dialog.base_url.isEnabled()  # set by OPENROUTER_BASE_URL
    assert "environment" in dialog.key_edit.placeholderText()
    dialog.system_prompt.setPlainText("Answer like a pirate.")
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    _save(dialog)
    assert not dialog.isVisible()
    await running_app.runner.wait_idle()  # settings.json is written off the UI thread
    saved = json.loads((data_dir / "settings.json").read_text())
    assert saved["system_prompt"] == "Answer like a pirate." and saved["theme"] == "dark"
    assert "openrouter_base_url" not in saved or "127.0.0.1" not in saved["openrouter_base_url"]
    window_colour = QApplication.palette().color(QPalette.ColorRole.Window)
    assert window_colour.lightness() < 128

    assert running_app.controller is not None
    finished = SignalWaiter(running_app.controller.messageFinished)
    QTest.keyClicks(running_app.window.composer.edit, "ahoy?")  # type: ignore[union-attr]
    QTest.keyClick(running_app.window.composer.edit, Qt.Key.Key_Return)  # type: ignore[union-attr]
    await finished.wait()
    body = app_env.requests_to()[-1].json
    assert body is not None
    assert body["messages"][0] == {"role": "system", "content": "Answer like a pirate."}


async def test_test_key_reports_the_key_and_a_rejected_one(
    running_app: ChatdeskApp, app_env: FakeOpenRouter
) -> None:
    dialog = _open(running_app)
    app_env.key_info = {"label": "laptop", "usage": 1.25, "limit": 10.0}
    app_env.enqueue(Reply.error(401, "Invalid key"), path="/key")
    QTest.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    await running_app.runner.wait_idle()
    assert dialog.key_status.text().startswith("✗")
    assert "key" in dialog.key_status.text().lower()
    QTest.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    await running_app.runner.wait_idle()
    assert dialog.key_status.text() == "✓ Key works (laptop): $1.25 used of $10.00"
    sent = app_env.requests_to("/key")[-1]
    assert sent.headers["authorization"] == "Bearer sk-or-v1-testkey-0123456789"
    dialog.reject()


async def test_an_invalid_value_keeps_the_dialog_open_and_says_why(
    launch: Launch, fake_openrouter: FakeOpenRouter, data_dir: Path
) -> None:
    async with launch() as app:  # no OPENROUTER_BASE_URL: editable
        dialog = _open(app)
        assert dialog.base_url.isEnabled()
        dialog.base_url.setText("ftp://example.invalid")
        _save(dialog)
        assert dialog.isVisible()
        assert dialog.error.isVisible() and "http" in dialog.error.text()
        assert not (data_dir / "settings.json").exists()
        dialog.base_url.setText(fake_openrouter.base_url)
        _save(dialog)
        assert not dialog.isVisible()
        await app.runner.wait_idle()
        saved = json.loads((data_dir / "settings.json").read_text())
        assert saved["openrouter_base_url"] == fake_openrouter.base_url
        assert app.window is not None
        assert app.window.stack.currentWidget() is not app.window.first_run  # local: no key
