"""Thumbnails of a sent message's files, opened with a click."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from chatdesk.attachments.views import AttachmentView
from chatdesk.ui.chat.attachment_strip import AttachmentStrip

pytestmark = pytest.mark.gui

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    png = tmp_path / "photo.png"
    image = QImage(64, 40, QImage.Format.Format_RGB32)
    image.fill(QColor(20, 120, 200))
    assert image.save(str(png), "PNG")  # type: ignore[call-overload]
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(PDF)
    return png, pdf


def test_the_strip_shows_thumbnails_and_opens_files(qtbot: QtBot, tmp_path: Path) -> None:
    png, pdf = _files(tmp_path)
    opened: list[QUrl] = []
    strip = AttachmentStrip(opener=lambda url: opened.append(url) or True)
    qtbot.addWidget(strip)
    strip.set_views(
        [
            AttachmentView(1, "photo.png", "image/png", png.stat().st_size, "image", path=png),
            AttachmentView(2, "paper.pdf", "application/pdf", len(PDF), "pdf", path=pdf),
            AttachmentView(
                3, "remote.png", "image/png", 10, "image", url="https://b.example/o?sig=1"
            ),
            AttachmentView(4, "lost.txt", "text/plain", 3, "text"),
        ]
    )
    buttons = strip.buttons()
    assert not strip.isHidden() and len(buttons) == 4
    assert not buttons[0].icon().isNull() and buttons[0].text() == "photo.png"
    assert buttons[1].text() == "PDF\npaper.pdf"

    with qtbot.waitSignal(strip.opened) as signal:
        qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert signal.args == [1]
    qtbot.mouseClick(buttons[2], Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(png)), QUrl("https://b.example/o?sig=1")]
    with qtbot.waitSignal(strip.openRequested) as needed:  # no link yet: ask for one
        qtbot.mouseClick(buttons[3], Qt.MouseButton.LeftButton)
    assert needed.args == [4] and len(opened) == 2

    strip.set_views([])
    assert strip.isHidden() and strip.buttons() == []
