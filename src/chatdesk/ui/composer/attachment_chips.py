"""Attachments in the UI: chips in the composer, drop and paste, thumbnails on messages.

``AttachmentChips`` holds the files chosen for the next message (a chip each: thumbnail or
type badge, name, size, remove). Files are checked when added (``chatdesk.attachments``:
type by content, size limits) so a refusal shows at once through ``rejected``; the service
checks them again when the message is sent. ``DropPasteHelper`` feeds it from drops on the
window and Ctrl+V in the composer. ``AttachmentStrip`` shows a sent message's files; a click
opens the file (or its signed link) with the desktop's default application.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QMimeData, QObject, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QImageReader,
    QKeyEvent,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.attachments.errors import AttachmentRejected
from chatdesk.attachments.names import human_size
from chatdesk.attachments.validate import (
    CheckedFile,
    Limits,
    PendingFile,
    check_bytes,
    check_message,
    read_and_check,
)
from chatdesk.attachments.views import AttachmentView
from chatdesk.ui.kit.card import Card

__all__ = ["AttachmentChips", "AttachmentStrip", "DropPasteHelper", "install_drop_and_paste"]

CHIP_THUMB = 36
STRIP_THUMB = 96
_BADGES = {"application/pdf": "PDF", "text/markdown": "MD", "text/csv": "CSV"}


def _badge(mime_type: str) -> str:
    if mime_type in _BADGES:
        return _BADGES[mime_type]
    if mime_type == "application/json":
        return "JSON"
    return "IMG" if mime_type.startswith("image/") else "TXT"


def thumbnail(source: Path | bytes, size: int) -> QPixmap | None:
    """A pixmap at most ``size`` pixels square, decoded at that size (cheap for big photos)."""
    buffer: QBuffer | None = None
    if isinstance(source, bytes):
        buffer = QBuffer()
        buffer.setData(QByteArray(source))
        buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
    else:
        reader = QImageReader(str(source))
    reader.setAutoTransform(True)
    full = reader.size()
    if full.isValid() and (full.width() > size or full.height() > size):
        reader.setScaledSize(full.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if buffer is not None:
        buffer.close()
    return None if image.isNull() else QPixmap.fromImage(image)


class AttachmentChip(Card):
    """One file in the composer."""

    removeRequested = Signal(object)  # the chip

    def __init__(self, pending: PendingFile, checked: CheckedFile, parent: QWidget | None = None):
        super().__init__("tool", parent)
        self.setObjectName("attachmentChip")
        self.pending = pending
        self.size_bytes = checked.size
        self.mime_type = checked.mime_type
        self.thumb = QLabel(self)
        self.thumb.setObjectName("attachmentThumb")
        self.thumb.setFixedSize(CHIP_THUMB, CHIP_THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        pixmap = None
        if checked.mime_type.startswith("image/"):
            pixmap = thumbnail(pending.path or checked.data, CHIP_THUMB)
        if pixmap is not None:
            self.thumb.setPixmap(pixmap)
        else:
            self.thumb.setText(_badge(checked.mime_type))
        self.name_label = QLabel(checked.filename, self)
        self.name_label.setObjectName("attachmentName")
        self.name_label.setMaximumWidth(180)
        self.name_label.setToolTip(str(pending.path or checked.filename))
        self.size_label = QLabel(human_size(checked.size), self)
        self.size_label.setObjectName("attachmentSize")
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("removeAttachment")
        self.remove_button.setText("✕")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setAccessibleName(f"Remove {checked.filename}")
        self.remove_button.setToolTip(f"Remove {checked.filename}")
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self))

        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.name_label)
        text.addWidget(self.size_label)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 2, 4)
        row.setSpacing(6)
        row.addWidget(self.thumb)
        row.addLayout(text)
        row.addWidget(self.remove_button)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    @property
    def filename(self) -> str:
        return self.name_label.text()


class AttachmentChips(QScrollArea):
    """The files waiting to be sent; hidden while empty."""

    #: A file was refused: the message names each file and why.
    rejected = Signal(str)
    #: How many files are attached now.
    changed = Signal(int)

    def __init__(self, limits: Limits | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentChips")
        self.setAccessibleName("Attached files")
        self.limits = limits or Limits()
        self._pasted = 0
        self._chips: list[AttachmentChip] = []
        self._inner = QWidget(self)
        self._row = QHBoxLayout(self._inner)
        self._row.setContentsMargins(12, 6, 12, 0)
        self._row.setSpacing(6)
        self._row.addStretch(1)
        self.setWidget(self._inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(CHIP_THUMB + 40)
        self.hide()

    # --- adding -----------------------------------------------------------------------------

    def add_files(self, paths: Iterable[str | os.PathLike[str]]) -> int:
        """Check and add files from disk; returns how many were added (refusals -> rejected)."""
        known = {c.pending.path for c in self.chips() if c.pending.path is not None}
        items = []
        for raw in paths:
            path = Path(raw)
            if path in known:
                continue
            known.add(path)
            items.append(PendingFile.from_path(path))
        return self._add(items)

    def add_image(self, image: QImage, name: str | None = None) -> bool:
        """Add an image from the clipboard as a PNG file."""
        if image.isNull():
            self.rejected.emit("The pasted image was empty.")
            return False
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QBuffer.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; PySide6 wants str
        buffer.close()
        self._pasted += 1
        label = name or f"pasted-image-{self._pasted}.png"
        return self._add([PendingFile(label, data=bytes(data.data()))]) == 1

    def add_pending(self, items: Sequence[PendingFile]) -> int:
        """Add files again (e.g. a draft given back after a failed send)."""
        known = {c.pending.path for c in self.chips() if c.pending.path is not None}
        return self._add([i for i in items if i.path is None or i.path not in known])

    def add_mime_data(self, mime: QMimeData) -> bool:
        """Files (local URLs) or an image from a drop or the clipboard; False if neither."""
        files = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        if files:
            self.add_files(files)
            return True
        if mime.hasImage():
            image = mime.imageData()
            self.add_image(image if isinstance(image, QImage) else QImage(image))
            return True
        return False

    def _add(self, items: Sequence[PendingFile]) -> int:
        problems: list[str] = []
        sizes = [(c.filename, c.size_bytes) for c in self.chips()]
        added = 0
        for item in items:
            try:
                if item.data is not None:
                    checked = check_bytes(item.name, item.data, self.limits)
                else:
                    checked = read_and_check(item, self.limits)
                check_message([*sizes, (checked.filename, checked.size)], self.limits)
            except AttachmentRejected as exc:
                problems.extend(r.text() for r in exc.rejections)
                continue
            sizes.append((checked.filename, checked.size))
            chip = AttachmentChip(item, checked, self._inner)
            chip.removeRequested.connect(self._remove)
            self._row.insertWidget(self._row.count() - 1, chip)
            self._chips.append(chip)
            added += 1
        if added:
            self._changed()
        if problems:
            self.rejected.emit("\n".join(problems))
        return added

    # --- reading and clearing ---------------------------------------------------------------

    def chips(self) -> list[AttachmentChip]:
        return list(self._chips)

    def files(self) -> list[PendingFile]:
        """The files to send, in the order they were added."""
        return [c.pending for c in self.chips()]

    def count(self) -> int:
        return len(self.chips())

    def clear(self) -> None:
        for chip in self.chips():
            self._drop(chip)
        self._changed()

    def _remove(self, chip: AttachmentChip) -> None:
        self._drop(chip)
        self._changed()

    def _drop(self, chip: AttachmentChip) -> None:
        if chip in self._chips:
            self._chips.remove(chip)
        self._row.removeWidget(chip)
        chip.hide()
        chip.deleteLater()

    def _changed(self) -> None:
        count = self.count()
        self.setVisible(count > 0)
        self.changed.emit(count)


class DropPasteHelper(QObject):
    """Event filter: drops of files or images on ``drop_targets`` and Ctrl+V in
    ``paste_targets`` go to the chips; anything else (text) is left to the widget."""

    def __init__(
        self,
        chips: AttachmentChips,
        drop_targets: Sequence[QWidget],
        paste_targets: Sequence[QWidget] = (),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent or chips)
        self.chips = chips
        self._drop_targets = list(drop_targets)
        self._paste_targets = list(paste_targets)
        for widget in self._drop_targets:
            widget.setAcceptDrops(True)
            widget.installEventFilter(self)
        for widget in self._paste_targets:
            if widget not in self._drop_targets:
                widget.installEventFilter(self)

    @staticmethod
    def wanted(mime: QMimeData | None) -> bool:
        """Whether a drop or paste holds local files or an image."""
        if mime is None:
            return False
        return mime.hasImage() or any(url.isLocalFile() for url in mime.urls())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            assert isinstance(event, QDragEnterEvent | QDropEvent)
            if watched in self._drop_targets and self.wanted(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            assert isinstance(event, QDropEvent)
            if watched in self._drop_targets and self.wanted(event.mimeData()):
                self.chips.add_mime_data(event.mimeData())
                event.acceptProposedAction()
                return True
        elif kind in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if watched in self._paste_targets and event.matches(QKeySequence.StandardKey.Paste):
                mime = QGuiApplication.clipboard().mimeData()
                if self.wanted(mime):
                    if kind == QEvent.Type.KeyPress:
                        assert mime is not None
                        self.chips.add_mime_data(mime)
                    event.accept()
                    return True
        return super().eventFilter(watched, event)


def install_drop_and_paste(
    window: QWidget, edit: QPlainTextEdit, chips: AttachmentChips
) -> DropPasteHelper:
    """Drops anywhere on ``window`` (the composer's text field included) and Ctrl+V in
    ``edit`` attach files and images to ``chips``."""
    return DropPasteHelper(chips, [window, edit, edit.viewport()], [edit], parent=window)


class AttachmentStrip(QWidget):
    """Thumbnails of a message's files; a click opens one (``opened`` carries its id).

    A view with neither a path nor a link (a GCS file whose cached link expired) emits
    ``openRequested(id)``: resolve it with ``AttachmentService.views`` and call ``open``.
    """

    opened = Signal(int)
    openRequested = Signal(int)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        opener: Callable[[QUrl], bool] = QDesktopServices.openUrl,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentStrip")
        self._opener = opener
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 4, 0, 4)
        self._row.setSpacing(8)
        self._row.addStretch(1)
        self._end_aligned = False
        self.views: list[AttachmentView] = []
        self._buttons: list[QToolButton] = []
        self.hide()

    def set_views(self, views: Sequence[AttachmentView]) -> None:
        for button in self._buttons:
            self._row.removeWidget(button)
            button.deleteLater()
        self.views = list(views)
        self._buttons = [self._button(view) for view in self.views]
        for button in self._buttons:
            at = self._row.count() if self._end_aligned else self._row.count() - 1
            self._row.insertWidget(at, button)
        self.setVisible(bool(self.views))

    def align_end(self) -> None:
        """Thumbnails on the right (under a user's bubble): the stretch goes first."""
        if not self._end_aligned:
            self._end_aligned = True
            self._row.takeAt(self._row.count() - 1)  # the trailing stretch
            self._row.insertStretch(0, 1)

    def buttons(self) -> list[QToolButton]:
        return list(self._buttons)

    def _button(self, view: AttachmentView) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName("attachmentThumb")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        button.setAutoRaise(True)
        pixmap = thumbnail(view.path, STRIP_THUMB) if view.kind == "image" and view.path else None
        if pixmap is not None:
            button.setIcon(pixmap)
            button.setIconSize(QSize(STRIP_THUMB, STRIP_THUMB))
            button.setText(view.filename)
        else:
            button.setText(f"{_badge(view.mime_type)}\n{view.filename}")
        button.setToolTip(f"{view.filename} · {human_size(view.size_bytes)} · click to open")
        button.setAccessibleName(f"Open {view.filename}")
        button.clicked.connect(lambda: self.open(view))
        return button

    def open(self, view: AttachmentView) -> bool:
        """Open the file with the desktop's default application (or the link in a browser)."""
        if view.path is not None:
            url = QUrl.fromLocalFile(str(view.path))
        elif view.url:
            url = QUrl(view.url)
        else:
            self.openRequested.emit(view.id)
            return False
        self.opened.emit(view.id)
        return bool(self._opener(url))
