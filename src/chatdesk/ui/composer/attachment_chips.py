"""The files chosen for the next message, as chips in the composer.

``AttachmentChips`` holds them (a chip each: thumbnail or type badge, name, size, remove).
Files are checked when added (``chatdesk.attachments``: type by content, size limits) so a
refusal shows at once through ``rejected``; the service checks them again when the message is
sent. ``DropPasteHelper`` (drop_paste_helper) feeds it from drops on the window and Ctrl+V in
the composer; a sent message's files show in ``ui.chat.attachment_strip``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QMimeData, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QSizePolicy, QWidget

from chatdesk.attachments.errors import AttachmentRejected
from chatdesk.attachments.validate import (
    Limits,
    PendingFile,
    check_bytes,
    check_message,
    read_and_check,
)
from chatdesk.ui.composer.attachment_chip import CHIP_THUMB, AttachmentChip

__all__ = ["AttachmentChips"]


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
