"""A rounded card painted from the palette (tool calls, errors, approvals, attachments)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFocusEvent, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QWidget

from chatdesk.ui.kit.colors import ERROR_RED, is_dark, mix
from chatdesk.ui.kit.icons import icon

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

    def header(self, text: str, name: str, glyph: str = "tool") -> tuple[QHBoxLayout, QLabel]:
        """A row with a glyph and a bold, wrapping, plain-text title (``name`` its object
        name); the caller adds more to the row and the row to its layout."""
        row = QHBoxLayout()
        row.setSpacing(8)
        mark = QLabel(self)
        mark.setPixmap(icon(glyph, self.palette().color(QPalette.ColorRole.Text), 16).pixmap(16))
        row.addWidget(mark)
        title = QLabel(text, self)
        title.setObjectName(name)
        title.setTextFormat(Qt.TextFormat.PlainText)
        font = title.font()
        font.setBold(True)
        title.setFont(font)
        title.setWordWrap(True)
        row.addWidget(title, 1)
        return row, title

    def give_up_focus(self) -> None:
        """Answered: the keys typed next belong to the composer, not to a card that is going
        (the window's FocusHome takes focus that nobody holds back to the composer)."""
        focused = QApplication.focusWidget()
        if focused is not None and (focused is self or self.isAncestorOf(focused)):
            focused.clearFocus()

    def focusInEvent(self, e: QFocusEvent) -> None:
        super().focusInEvent(e)
        self.update()

    def focusOutEvent(self, e: QFocusEvent) -> None:
        super().focusOutEvent(e)
        self.update()
