"""The "Thinking…" line of an answer that has not started, or why its retry waits."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QLabel, QWidget

__all__ = ["ThinkingIndicator"]


class ThinkingIndicator(QLabel):
    """Says "Thinking" with counting dots while running; a retry's countdown replaces it."""

    #: "Thinking" and its dots, on each step that shows no retry countdown.
    stepped = Signal(str)

    INTERVAL_MS = 420

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Thinking", parent)
        self.setObjectName("thinkingIndicator")
        self.setAccessibleName("Thinking")
        self.hide()
        self._timer: QTimer | None = None  # made when first started
        self._retry: tuple[float, str] | None = None  # (monotonic deadline, why) of a retry
        self._step = 0

    @property
    def active(self) -> bool:
        """True from ``start`` until ``stop``."""
        return self._timer is not None and self._timer.isActive()

    def start(self) -> None:
        """Count the dots (showing is the caller's choice)."""
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.setInterval(self.INTERVAL_MS)
            self._timer.timeout.connect(self._tick)
        self._timer.start()

    def stop(self) -> None:
        """Stop counting and hide; a retry countdown is forgotten."""
        self._retry = None
        if self._timer is not None:
            self._timer.stop()
        self.hide()

    def show_retry(self, delay_s: float, reason: str) -> None:
        """The request is tried again in ``delay_s`` seconds: say why, counting down (only
        while running)."""
        if not self.active:
            return
        self._retry = (time.monotonic() + delay_s, reason)
        self.show()
        self._tick()

    def restyle(self, small: QFont, muted: QColor) -> None:
        """Small italic text in the muted colour."""
        self.setFont(small)
        lp = self.palette()
        lp.setColor(QPalette.ColorRole.WindowText, muted)
        lp.setColor(QPalette.ColorRole.Text, muted)
        self.setPalette(lp)
        italic = QFont(small)
        italic.setItalic(True)
        self.setFont(italic)

    def _tick(self) -> None:
        self._step = (self._step + 1) % 4
        dots = "." * self._step
        if self._retry is not None:
            deadline, reason = self._retry
            left = deadline - time.monotonic()
            if left > 0.5:
                self.setText(f"{reason}. Trying again in {left:.0f} s{dots}")
                return
            self._retry = None
        self.setText("Thinking" + dots)
        self.stepped.emit("Thinking" + dots)
