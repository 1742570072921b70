"""One file chosen for the next message: thumbnail or type badge, name, size and remove."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from chatdesk.attachments.names import human_size
from chatdesk.attachments.validate import CheckedFile, PendingFile
from chatdesk.ui.kit.card import Card
from chatdesk.ui.kit.thumbnail import badge, thumbnail

__all__ = ["CHIP_THUMB", "AttachmentChip"]

CHIP_THUMB = 36


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
            self.thumb.setText(badge(checked.mime_type))
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
