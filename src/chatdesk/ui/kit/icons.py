"""Small line icons drawn in code with QPainter, in any colour (no image files)."""

from __future__ import annotations

import math
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

__all__ = ["icon"]


def icon(name: str, color: QColor, size: int = 16) -> QIcon:
    """A small line icon drawn with QPainter: copy, check, retry, tool, warning, settings,
    attach (a plus), edit (a pencil), branch (a fork), delete (a bin), left and right
    (chevrons). Each name, colour and size is drawn once (every message shows some)."""
    return _drawn(name, color.rgba(), size)


@lru_cache(maxsize=128)
def _drawn(name: str, rgba: int, size: int) -> QIcon:
    color = QColor.fromRgba(rgba)
    ratio = 2.0
    pix = QPixmap(int(size * ratio), int(size * ratio))
    pix.setDevicePixelRatio(ratio)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 16.0
    p.scale(s, s)
    pen = QPen(
        color, 1.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
    )
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if name == "copy":
        p.drawRoundedRect(QRectF(5.5, 5.5, 8, 8.5), 1.8, 1.8)
        path = QPainterPath()
        path.moveTo(3.5, 10.5)
        path.lineTo(2.8, 10.5)
        path.quadTo(2.5, 10.5, 2.5, 9.5)
        path.lineTo(2.5, 3.5)
        path.quadTo(2.5, 2.5, 3.5, 2.5)
        path.lineTo(9.0, 2.5)
        path.quadTo(10.0, 2.5, 10.0, 3.5)
        p.drawPath(path)
    elif name == "check":
        path = QPainterPath()
        path.moveTo(3.0, 8.5)
        path.lineTo(6.5, 12.0)
        path.lineTo(13.0, 4.5)
        p.drawPath(path)
    elif name == "retry":
        p.drawArc(QRectF(3, 3, 10, 10), 60 * 16, 290 * 16)
        path = QPainterPath()
        path.moveTo(13.6, 2.6)
        path.lineTo(13.2, 6.4)
        path.lineTo(9.4, 5.8)
        p.drawPath(path)
    elif name == "tool":
        p.setPen(QPen(color, 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(3.2, 12.8), QPointF(8.2, 7.8))
        p.setPen(pen)
        p.drawArc(QRectF(7.2, 2.2, 6.6, 6.6), 110 * 16, 300 * 16)
    elif name == "warning":
        p.drawEllipse(QRectF(2, 2, 12, 12))
        p.drawLine(QPointF(8, 5), QPointF(8, 8.8))
        p.drawPoint(QPointF(8, 11.2))
    elif name == "settings":
        p.drawEllipse(QRectF(5.5, 5.5, 5, 5))
        for i in range(8):
            a = math.radians(i * 45)
            p.drawLine(
                QPointF(8 + 4.6 * math.cos(a), 8 + 4.6 * math.sin(a)),
                QPointF(8 + 6.2 * math.cos(a), 8 + 6.2 * math.sin(a)),
            )
    elif name == "attach":  # a plus: add files
        p.setPen(QPen(color, 1.6, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(8, 3), QPointF(8, 13))
        p.drawLine(QPointF(3, 8), QPointF(13, 8))
    elif name == "edit":  # a pencil
        path = QPainterPath()
        path.moveTo(3.0, 13.0)
        path.lineTo(3.6, 10.2)
        path.lineTo(10.8, 3.0)
        path.lineTo(13.0, 5.2)
        path.lineTo(5.8, 12.4)
        path.closeSubpath()
        p.drawPath(path)
        p.drawLine(QPointF(9.4, 4.4), QPointF(11.6, 6.6))
    elif name == "branch":  # a fork: a trunk and a branch leaving it
        p.drawLine(QPointF(5, 2.5), QPointF(5, 13.5))
        path = QPainterPath()
        path.moveTo(5, 10.5)
        path.cubicTo(5, 7.5, 11, 8, 11, 4.5)
        p.drawPath(path)
        p.drawEllipse(QRectF(9.4, 2.0, 3.2, 3.2))
    elif name == "delete":  # a bin
        p.drawLine(QPointF(2.5, 4.5), QPointF(13.5, 4.5))
        p.drawLine(QPointF(6.2, 4.5), QPointF(6.6, 2.5))
        p.drawLine(QPointF(6.6, 2.5), QPointF(9.4, 2.5))
        p.drawLine(QPointF(9.4, 2.5), QPointF(9.8, 4.5))
        path = QPainterPath()
        path.moveTo(4.0, 4.5)
        path.lineTo(4.8, 13.5)
        path.lineTo(11.2, 13.5)
        path.lineTo(12.0, 4.5)
        p.drawPath(path)
    elif name in ("left", "right"):  # chevrons
        x0, x1 = (10.0, 6.0) if name == "left" else (6.0, 10.0)
        path = QPainterPath()
        path.moveTo(x0, 3.5)
        path.lineTo(x1, 8.0)
        path.lineTo(x0, 12.5)
        p.drawPath(path)
    p.end()
    return QIcon(pix)
