"""A small round badge with an initial, tinted by the palette's highlight."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

__all__ = ["Avatar"]


class Avatar(QWidget):
    """A small round badge with an initial, tinted by the palette's highlight."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.set_text(text)
        self.setFixedSize(22, 22)

    def set_text(self, text: str) -> None:
        """Show the first letter of ``text``."""
        self._text = text[:1].upper() or "A"
        self.update()

    def paintEvent(self, e: QPaintEvent) -> None:
        pal = self.palette()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(pal.color(QPalette.ColorRole.Highlight))
        p.drawEllipse(QRectF(self.rect()))
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(max(self.font().pointSizeF() * 0.78, 6.0))
        p.setFont(font)
        p.setPen(pal.color(QPalette.ColorRole.HighlightedText))
        p.drawText(QRectF(self.rect()), Qt.AlignmentFlag.AlignCenter, self._text)
