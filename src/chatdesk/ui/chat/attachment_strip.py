"""Thumbnails of a sent message's files; a click opens the file (or its signed link) with
the desktop's default application."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from chatdesk.attachments.names import human_size
from chatdesk.attachments.views import AttachmentView
from chatdesk.ui.kit.thumbnail import badge, thumbnail

__all__ = ["STRIP_THUMB", "AttachmentStrip"]

STRIP_THUMB = 96


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
            button.setText(f"{badge(view.mime_type)}\n{view.filename}")
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
