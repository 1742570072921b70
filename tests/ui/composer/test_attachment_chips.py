"""Attachment chips in the composer, drop and paste."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.attachments.sniff import sniff
from chatdesk.attachments.validate import Limits
from chatdesk.ui.composer.attachment_chips import AttachmentChips
from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.composer.drop_paste_helper import install_drop_and_paste

pytestmark = pytest.mark.gui

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _image(width: int = 64, height: int = 40) -> QImage:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(20, 120, 200))
    return image


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    png = tmp_path / "photo.png"
    assert _image().save(str(png), "PNG")  # type: ignore[call-overload]
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(PDF)
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n")
    return png, pdf, notes


@pytest.fixture
def chips(qtbot: QtBot) -> AttachmentChips:
    widget = AttachmentChips()
    qtbot.addWidget(widget)
    return widget


def test_chips_show_a_thumbnail_or_badge_name_and_size(
    chips: AttachmentChips, qtbot: QtBot, tmp_path: Path
) -> None:
    png, pdf, notes = _files(tmp_path)
    assert chips.isHidden()
    with qtbot.waitSignal(chips.changed) as changed:
        assert chips.add_files([png, pdf, notes]) == 3
    assert changed.args == [3]
    assert not chips.isHidden()
    shown = [(c.filename, c.size_label.text(), c.thumb.text()) for c in chips.chips()]
    assert shown == [
        ("photo.png", chips.chips()[0].size_label.text(), ""),
        ("paper.pdf", f"{len(PDF)} bytes", "PDF"),
        ("notes.md", "8 bytes", "MD"),
    ]
    pixmap = chips.chips()[0].thumb.pixmap()
    assert not pixmap.isNull() and pixmap.width() <= 36
    assert [f.path for f in chips.files()] == [png, pdf, notes]
    assert chips.add_files([png]) == 0  # the same file is not added twice


def test_refused_files_are_reported_by_name_and_reason(
    chips: AttachmentChips, qtbot: QtBot, tmp_path: Path
) -> None:
    exe = tmp_path / "kitten.png"
    exe.write_bytes(b"MZ" + bytes(200))
    big = tmp_path / "movie.pdf"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with qtbot.waitSignal(chips.rejected) as rejected:
        assert chips.add_files([exe, big, empty]) == 0
    assert rejected.args[0].splitlines() == [
        "kitten.png was not attached: it is a Windows program (.exe/.dll), not a supported type "
        "(images (PNG, JPEG, GIF, WebP), PDF documents and text files).",
        "movie.pdf was not attached: it is 50 MB, more than the 10 MB limit.",
        "empty.txt was not attached: it is empty (0 bytes).",
    ]
    assert chips.count() == 0 and chips.isHidden()


def test_the_message_limit_counts_files_already_attached(qtbot: QtBot, tmp_path: Path) -> None:
    chips = AttachmentChips(Limits(max_file_bytes=100, max_message_bytes=150))
    qtbot.addWidget(chips)
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("a" * 100)
    second.write_text("b" * 60)
    chips.add_files([first])
    with qtbot.waitSignal(chips.rejected) as rejected:
        chips.add_files([second])
    assert rejected.args[0].startswith("b.txt was not attached: together with the files before")
    assert [c.filename for c in chips.chips()] == ["a.txt"]


def test_remove_and_clear(chips: AttachmentChips, qtbot: QtBot, tmp_path: Path) -> None:
    chips.add_files(_files(tmp_path))
    with qtbot.waitSignal(chips.changed) as changed:
        qtbot.mouseClick(chips.chips()[1].remove_button, Qt.MouseButton.LeftButton)
    assert changed.args == [2]
    assert [c.filename for c in chips.chips()] == ["photo.png", "notes.md"]
    assert chips.chips()[0].remove_button.accessibleName() == "Remove photo.png"
    chips.clear()
    assert chips.files() == [] and chips.isHidden()


def test_a_draft_given_back_is_added_again(chips: AttachmentChips, tmp_path: Path) -> None:
    chips.add_files(_files(tmp_path)[:1])
    chips.add_image(_image())
    files = chips.files()
    chips.clear()
    assert chips.add_pending(files) == 2
    assert chips.add_pending(files[:1]) == 0  # already there
    assert [c.filename for c in chips.chips()] == ["photo.png", "pasted-image-1.png"]


def test_a_pasted_image_becomes_a_png_file(chips: AttachmentChips) -> None:
    assert chips.add_image(_image())
    assert chips.add_image(_image(10, 10))
    first, second = chips.files()
    assert (first.name, second.name) == ("pasted-image-1.png", "pasted-image-2.png")
    assert first.data is not None and sniff(first.data).mime_type == "image/png"
    assert not chips.add_image(QImage())


class _Window(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.composer = Composer(self)
        self.chips = AttachmentChips(parent=self)
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.addWidget(self.chips)
        column.addWidget(self.composer)
        self.setCentralWidget(body)
        self.helper = install_drop_and_paste(self, self.composer.edit, self.chips)


@pytest.fixture
def window(qtbot: QtBot) -> _Window:
    win = _Window()
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def _drag_enter(target: QWidget, mime: QMimeData) -> bool:
    event = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, event)
    return event.isAccepted()


def _drop(target: QWidget, mime: QMimeData) -> QDropEvent:
    """What a drag and drop delivers: DragEnter (accepted), then Drop."""
    assert _drag_enter(target, mime)
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(target, event)
    return event


def test_files_dropped_on_the_window_or_the_text_field_are_attached(
    window: _Window, tmp_path: Path
) -> None:
    png, pdf, _ = _files(tmp_path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(png))])
    assert _drop(window, mime).isAccepted()
    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile(str(pdf))])
    _drop(window.composer.edit.viewport(), other)
    assert [c.filename for c in window.chips.chips()] == ["photo.png", "paper.pdf"]
    assert window.composer.text() == ""  # the path was not inserted as text
    text = QMimeData()
    text.setText("dragged words")
    assert not _drag_enter(window, text)  # text is not for the chips


def test_ctrl_v_pastes_images_and_copied_files_but_text_stays_text(
    window: _Window, tmp_path: Path
) -> None:
    edit = window.composer.edit
    edit.setFocus()
    clipboard = QGuiApplication.clipboard()

    clipboard.setImage(_image())
    QTest.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [c.filename for c in window.chips.chips()] == ["pasted-image-1.png"]

    _, pdf, _ = _files(tmp_path)
    copied = QMimeData()
    copied.setUrls([QUrl.fromLocalFile(str(pdf))])
    copied.setText(str(pdf))
    clipboard.setMimeData(copied)
    QTest.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert [c.filename for c in window.chips.chips()] == ["pasted-image-1.png", "paper.pdf"]
    assert window.composer.text() == ""

    clipboard.setText("just words")
    QTest.keyClick(edit, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.composer.text() == "just words"
    assert window.chips.count() == 2
