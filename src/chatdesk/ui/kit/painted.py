"""Palette-derived colours and the small painted widgets of a message.

Nothing here holds a colour of its own except the error red: every fill and border is mixed
from the widget's palette when it paints, so a theme switch needs no restyling.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFocusEvent, QFont, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QWidget

__all__ = [
    "ERROR_RED",
    "Avatar",
    "Bubble",
    "Card",
    "ReasoningPane",
    "is_dark",
    "mix",
    "muted_color",
]

ERROR_RED = QColor("#d1242f")


def mix(a: QColor, b: QColor, t: float) -> QColor:
    """``a`` moved a share ``t`` towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * t,
        a.greenF() + (b.greenF() - a.greenF()) * t,
        a.blueF() + (b.blueF() - a.blueF()) * t,
        1.0,
    )


def muted_color(palette: QPalette) -> QColor:
    """Secondary text: the text colour moved towards the background."""
    return mix(palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base), 0.42)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5


class Bubble(QFrame):
    """The tinted rounded background of a user message."""

    def paintEvent(self, e: QPaintEvent) -> None:
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        tint = mix(base, pal.color(QPalette.ColorRole.Highlight), 0.16 if is_dark(pal) else 0.10)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(tint)
        p.drawRoundedRect(QRectF(self.rect()), 16, 16)


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


class ReasoningPane(QFrame):
    """Reasoning text behind a thin bar on the left."""

    def paintEvent(self, e: QPaintEvent) -> None:
        pal = self.palette()
        color = mix(pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text), 0.18)
        p = QPainter(self)
        p.fillRect(QRectF(1, 2, 2, self.height() - 4), color)


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
