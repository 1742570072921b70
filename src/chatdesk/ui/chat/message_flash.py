"""MessageFlash: a message the search palette landed on glows for a moment, so the eye finds it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

__all__ = ["MessageFlash"]


class MessageFlash(QWidget):
    """A highlight drawn over ``target`` for ``duration_ms``, then gone (clicks pass through)."""

    MARGIN = 8  # px around the message, so the glow does not touch its text

    def __init__(self, target: QWidget, duration_ms: int = 2600) -> None:
        parent = target.parentWidget()
        super().__init__(parent if parent is not None else target)
        self.setObjectName("messageFlash")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self._target = target
        self._place()
        target.installEventFilter(self)
        target.destroyed.connect(self.deleteLater)
        self.show()
        self.raise_()
        QTimer.singleShot(duration_ms, self, self.deleteLater)

    def _place(self) -> None:
        target, m = self._target, self.MARGIN
        if self.parentWidget() is target:
            self.setGeometry(target.rect())
        else:
            self.setGeometry(target.geometry().adjusted(-m, -m // 2, m, m // 2))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self._place()
        return super().eventFilter(watched, event)

    def paintEvent(self, event: QPaintEvent) -> None:
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        fill = QColor(accent)
        fill.setAlphaF(0.12)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(accent, 2))
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 10, 10)
