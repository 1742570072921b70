"""The tinted rounded background of a user message."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame

from chatdesk.ui.kit.colors import is_dark, mix

__all__ = ["Bubble"]


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
