"""A user's message: its plain-text body in a tinted bubble as wide as the text needs."""

from __future__ import annotations

import math

from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from chatdesk.ui.chat.message_parts.message_body import MessageBody
from chatdesk.ui.kit.bubble import Bubble

__all__ = ["UserBubble"]


class UserBubble(Bubble):
    """The bubble around ``body``; ``fit`` sizes it to its text, up to a share of the width."""

    SHARE = 0.82  # widest a user bubble gets, as a share of the message width

    def __init__(self, body: MessageBody, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._body = body
        self._ideal_width = -1.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 9, 14, 9)
        layout.addWidget(body)

    def forget_width(self) -> None:
        """The text or its font changed: measure again at the next ``fit``."""
        self._ideal_width = -1.0

    def fit(self, message_width: int, text: str) -> None:
        """As wide as the longest line of ``text``, up to a share of ``message_width``."""
        layout = self.layout()
        margins = layout.contentsMargins() if layout is not None else None
        pad = margins.left() + margins.right() if margins is not None else 0
        limit = max(int(message_width * self.SHARE), 120)
        if self._ideal_width < 0:
            metrics = QFontMetricsF(self._body.font())
            lines = text.splitlines() or [""]
            self._ideal_width = max(metrics.horizontalAdvance(line) for line in lines[:400]) + 2
        width = min(limit, math.ceil(self._ideal_width) + pad)
        if self.width() != width:
            self.setFixedWidth(width)
