"""A rounded card painted from the palette (tool calls, errors, approvals, attachments)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFocusEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QWidget

from chatdesk.ui.kit.colors import ERROR_RED, is_dark, mix

__all__ = ["Card"]


class Card(QFrame):
    """A rounded card: ``tone`` picks its colours (``tool``, ``error``). A card that takes the
    keyboard focus shows a highlight ring while it has it."""

    def __init__(self, tone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tone = tone

    def paintEvent(self, e: QPaintEvent) -> None:
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        if self._tone == "error":
            fill = mix(base, ERROR_RED, 0.16 if is_dark(pal) else 0.07)
            border = mix(base, ERROR_RED, 0.55 if is_dark(pal) else 0.35)
        else:
            fill = mix(base, text, 0.05)
            border = mix(base, text, 0.14)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(border, 1))
        p.setBrush(fill)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 10, 10)
        if self.hasFocus():
            p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 2))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 10, 10)

    def focusInEvent(self, e: QFocusEvent) -> None:
        super().focusInEvent(e)
        self.update()

    def focusOutEvent(self, e: QFocusEvent) -> None:
        super().focusOutEvent(e)
        self.update()
