"""The small painted parts of a tool-call card: its glyphs, the elided preview, the rounded
well and the read-only text of the arguments and the result."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHideEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QShowEvent,
    QTextOption,
    QWheelEvent,
)
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QTextEdit, QWidget

from chatdesk.ui.kit.colors import mix

__all__ = ["DetailText", "ElidedLabel", "Glyph", "Inset"]


class Glyph(QWidget):
    """A 14 px mark: chevron (open/closed), spinner, check, cross, denied or dash."""

    SIZE = 14

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(self.SIZE, self.SIZE)
        self.kind = kind
        self.color = QColor("gray")
        self._angle = 0
        self._timer = QTimer(self)
        self._timer.setInterval(90)
        self._timer.timeout.connect(self._spin)

    def set_kind(self, kind: str, color: QColor) -> None:
        self.kind, self.color = kind, color
        self._sync_timer()
        self.update()

    def showEvent(self, e: QShowEvent) -> None:
        super().showEvent(e)
        self._sync_timer()

    def hideEvent(self, e: QHideEvent) -> None:
        super().hideEvent(e)
        self._timer.stop()

    def _sync_timer(self) -> None:
        if self.kind == "spinner" and self.isVisible():
            self._timer.start()
        else:
            self._timer.stop()

    def _spin(self) -> None:
        self._angle = (self._angle + 30) % 360
        self.update()

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(self.width() / 16.0, self.height() / 16.0)
        pen = QPen(self.color, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        path = QPainterPath()
        if self.kind == "closed":
            path.moveTo(6, 4)
            path.lineTo(10, 8)
            path.lineTo(6, 12)
        elif self.kind == "open":
            path.moveTo(4, 6)
            path.lineTo(8, 10)
            path.lineTo(12, 6)
        elif self.kind == "check":
            path.moveTo(3.5, 8.5)
            path.lineTo(6.8, 11.8)
            path.lineTo(12.8, 4.8)
        elif self.kind == "cross":
            path.moveTo(4.5, 4.5)
            path.lineTo(11.5, 11.5)
            path.moveTo(11.5, 4.5)
            path.lineTo(4.5, 11.5)
        elif self.kind == "denied":
            p.drawEllipse(QRectF(2.5, 2.5, 11, 11))
            path.moveTo(4.6, 11.4)
            path.lineTo(11.4, 4.6)
        elif self.kind == "dash":
            path.moveTo(4.5, 8)
            path.lineTo(11.5, 8)
        elif self.kind == "spinner":
            faint = QColor(self.color)
            faint.setAlphaF(0.25)
            p.setPen(QPen(faint, 1.8))
            p.drawEllipse(QRectF(3, 3, 10, 10))
            p.setPen(QPen(self.color, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            p.drawArc(QRectF(3, 3, 10, 10), -self._angle * 16, 100 * 16)
        p.drawPath(path)


class ElidedLabel(QLabel):
    """One line of muted text that ends in "…" when it does not fit (the collapsed preview)."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = text
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def paintEvent(self, e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        text = QFontMetrics(self.font()).elidedText(
            self._full, Qt.TextElideMode.ElideRight, self.width()
        )
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        p.drawText(self.rect(), int(align), text)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.update()


class Inset(QFrame):
    """The rounded well the arguments and the result sit in (the view's base colour)."""

    def paintEvent(self, e: QPaintEvent) -> None:
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(mix(base, pal.color(QPalette.ColorRole.Text), 0.12), 1))
        p.setBrush(base)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)


class DetailText(QTextEdit):
    """Read-only, selectable plain text as tall as its content up to ``max_lines``, then it
    scrolls. Wheel turns go to the chat view unless there is something to scroll here."""

    def __init__(self, text: str, max_lines: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._max_lines = max_lines
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setTabChangesFocus(True)  # Tab reaches it (to select and copy) and moves on
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.viewport().setAutoFillBackground(False)
        doc = self.document()
        doc.setUndoRedoEnabled(False)
        doc.setDocumentMargin(2)
        doc.documentLayout().documentSizeChanged.connect(self._fit)
        self.setPlainText(text)

    def set_text(self, text: str) -> None:
        if text != self.toPlainText():
            self.setPlainText(text)

    def wheelEvent(self, e: QWheelEvent) -> None:
        bar = self.verticalScrollBar()
        if bar.maximum() <= bar.minimum():
            e.ignore()  # nothing to scroll here: the chat view scrolls
        else:
            super().wheelEvent(e)

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.FontChange:
            self._fit()

    def _fit(self) -> None:
        content = math.ceil(self.document().size().height())
        cap = self._max_lines * QFontMetrics(self.font()).lineSpacing() + 4
        self.setFixedHeight(max(min(content, cap), 1) + 2 * self.frameWidth())
