"""How much of the model's context the next request fills: "12.3k / 128k" and a thin bar."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QWidget

from chatdesk.core.context_meter import WARN_FRACTION
from chatdesk.ui.kit.colors import muted_color
from chatdesk.ui.kit.formatting import compact_count

__all__ = ["ContextMeter"]

WARNING = QColor("#d9822b")
NEAR_LIMIT_TIP = (
    "The conversation is near the model's context limit: the oldest messages will be left out"
    " of requests. Chat ▸ Summarise earlier messages (Ctrl+Shift+M) keeps their gist."
)


class ContextMeter(QWidget):
    """Estimated tokens of the next request against the model's context length."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contextMeter")
        self.setAccessibleName("Context used")
        self.tokens = 0
        self.limit: int | None = None
        self.text = ""
        self.hide()

    @property
    def fraction(self) -> float | None:
        """Share of the context used (None: the limit is unknown)."""
        return self.tokens / self.limit if self.limit else None

    @property
    def warning(self) -> bool:
        """Past 80% of the context."""
        fraction = self.fraction
        return fraction is not None and fraction >= WARN_FRACTION

    def set_usage(self, tokens: int, limit: int | None) -> None:
        """Show ``tokens`` (estimated) of ``limit``; hidden with neither."""
        self.tokens, self.limit = max(tokens, 0), limit
        if limit:
            self.text = f"{compact_count(self.tokens)} / {compact_count(limit)}"
            percent = round(100 * self.tokens / limit)
            tip = f"About {self.tokens:,} of the model's {limit:,} tokens of context ({percent}%)."
        else:
            self.text = f"{compact_count(self.tokens)} tokens"
            tip = f"About {self.tokens:,} tokens of context (the model's limit is not known)."
        self.setToolTip(f"{NEAR_LIMIT_TIP}\n\n{tip}" if self.warning else tip)
        self.setAccessibleDescription(self.toolTip())
        self.setVisible(bool(limit) or self.tokens > 0)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = max(metrics.horizontalAdvance(self.text or "000k / 000k") + 4, 64)
        return QSize(width, metrics.height() + 6)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        muted = muted_color(pal)
        colour = WARNING if self.warning else muted
        painter.setPen(colour)
        text_rect = QRectF(0, 0, self.width(), self.height() - 4)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, self.text)
        fraction = self.fraction
        if fraction is None:
            return
        track = QRectF(2, self.height() - 3, self.width() - 4, 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.Mid))
        painter.drawRoundedRect(track, 1, 1)
        painter.setBrush(WARNING if self.warning else pal.color(QPalette.ColorRole.Highlight))
        filled = QRectF(track.x(), track.y(), track.width() * min(fraction, 1.0), track.height())
        painter.drawRoundedRect(filled, 1, 1)
