"""The read-only rich-text body of a message (also used for its reasoning)."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette, QWheelEvent
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget

from chatdesk.ui.rendering.markdown import COPY_CODE_SCHEME

__all__ = ["MessageBody"]

_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


class MessageBody(QTextBrowser):
    """Read-only rich text exactly as tall as its content; wheel events go to the chat view."""

    copyCodeRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBody")
        self.setReadOnly(True)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        self.setAutoFillBackground(False)
        doc = self.document()
        doc.setDocumentMargin(0)
        doc.setUndoRedoEnabled(False)
        doc.setIndentWidth(22)
        self._height = -1
        doc.documentLayout().documentSizeChanged.connect(self._fit)
        self.anchorClicked.connect(self._on_anchor)
        self._apply_palette()
        self._fit()

    def sizeHint(self) -> QSize:
        """Width is the layout's business; height is the document's."""
        return QSize(super().sizeHint().width(), max(self._height, 1))

    def minimumSizeHint(self) -> QSize:
        """Narrow enough for any window."""
        return QSize(40, max(self._height, 1))

    def wheelEvent(self, e: QWheelEvent) -> None:
        """Let the chat view scroll."""
        e.ignore()

    def changeEvent(self, e: QEvent) -> None:
        """Keep the transparent background when the palette changes."""
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange and not self._applying:
            self._apply_palette()

    _applying = False

    def _apply_palette(self) -> None:
        self._applying = True
        try:
            pal = self.palette()
            pal.setColor(QPalette.ColorRole.Base, Qt.GlobalColor.transparent)
            self.setPalette(pal)
        finally:
            self._applying = False

    def _fit(self) -> None:
        h = math.ceil(self.document().size().height())
        if h != self._height:
            self._height = h
            self.setFixedHeight(max(h, 1))

    def _on_anchor(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme == COPY_CODE_SCHEME:
            try:
                self.copyCodeRequested.emit(int(url.path()))
            except ValueError:
                return
        elif scheme in _SAFE_SCHEMES:
            QDesktopServices.openUrl(url)
