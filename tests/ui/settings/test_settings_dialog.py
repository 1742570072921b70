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


async def test_automatic_summaries_are_set_in_the_dialog_and_summarise_a_full_chat(
    running_app: ChatdeskApp, app_env: FakeOpenRouter, data_dir: Path
) -> None:
    controller, window = running_app.controller, running_app.window
    assert controller is not None and window is not None
    dialog = _open(running_app)
    assert dialog.auto_compact.currentText() == "Off"
    dialog.auto_compact.setCurrentIndex(dialog.auto_compact.findData(80))
    _save(dialog)
    await running_app.runner.wait_idle()
    assert json.loads((data_dir / "settings.json").read_text())["auto_compact_percent"] == 80
    assert controller.branches.auto_compact_percent == 80

    # A model with a small context: the provider says the third answer's prompt filled it past
    # 80%, and the chat is summarised.
    app_env.models = [{"id": "tiny/model", "name": "Tiny", "context_length": 300}]
    controller.load_models(refresh=True)
    await running_app.runner.wait_idle()
    controller.set_model("tiny/model")
    paths = SignalWaiter(controller.branches.pathChanged)
    notices = SignalWaiter(controller.notice)
    for n in range(3):
        used = {"prompt_tokens": 100 * (n + 1), "completion_tokens": 20, "total_tokens": 0}
        app_env.enqueue(Reply.stream(f"Answer {n}.", usage=used))
        if n == 2:  # then the summary and the chat's overview, asked for after this answer
            app_env.enqueue(
                Reply.completion("They asked three questions."), Reply.completion("Q&A.")
            )
        finished = SignalWaiter(controller.messageFinished)
        QTest.keyClicks(window.composer.edit, f"question {n}")
        QTest.keyClick(window.composer.edit, Qt.Key.Key_Return)
        await finished.wait()
        await running_app.runner.wait_idle()
    await paths.wait()
    await running_app.runner.wait_idle()
    assert any("automatically" in text for _level, text in notices.values)
    assert running_app.repository is not None and controller.conversation_id is not None
    assert len(await running_app.repository.summaries(controller.conversation_id)) == 1
