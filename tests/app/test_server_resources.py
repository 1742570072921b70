"""'+' › From a server…: a server's resources listed and searched, a chosen one (a template
filled in) attached to the message as a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp_support import until_offered, use_toy_server
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QInputDialog

from chatdesk.ui.tools.resource_picker import ResourcePicker
from fakes.openrouter import FakeOpenRouter
from qtapp import SignalWaiter, started_app

pytestmark = pytest.mark.gui


async def test_a_server_resource_becomes_an_attachment(
    qapp: QApplication,
    app_env: FakeOpenRouter,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_toy_server(data_dir)
    async with started_app(qapp, data_dir) as app:
        assert app.window is not None
        assert app.mcp is not None
        await until_offered(app, app.mcp.aggregator.resources)
        window = app.window
        assert window.composer._server_files  # "+" is a menu now
        chips = window.composer.chips
        assert chips is not None
        added = SignalWaiter(chips.changed)

        window.composer.resourcesRequested.emit()  # "+" › From a server…
        picker = window.findChild(ResourcePicker)
        assert picker is not None and picker.list.count() == 3
        QTest.keyClicks(picker.search, "team")
        assert picker.list.count() == 1
        QTest.keyClick(picker.search, Qt.Key.Key_Return)
        await added.wait()
        await app.runner.wait_idle()
        assert [f.name for f in chips.files()] == ["notes.txt"]

        monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_k: ("toy://greeting/Ada", True))
        window.composer.resourcesRequested.emit()
        picker = next(p for p in window.findChildren(ResourcePicker) if p.isVisible())
        QTest.keyClicks(picker.search, "greeting")
        QTest.keyClick(picker.search, Qt.Key.Key_Return)
        await added.wait(2)
        await app.runner.wait_idle()
        files = chips.files()
        assert [f.name for f in files] == ["notes.txt", "greeting.txt"]
        assert files[1].data == b"Hello, Ada, from t."
        assert window.focusWidget() is window.composer.edit  # where keys go once it is active
