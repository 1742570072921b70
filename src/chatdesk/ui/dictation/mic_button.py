"""The mic button: a painted microphone, a recording dot and a level meter.

Its own small module so the window can show it at the first paint; the dictation controller
(chatdesk.ui.dictation.dictation_controller) binds to it afterwards.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QToolButton, QWidget

TOGGLE_SHORTCUT = "Ctrl+Shift+D"


class MicButton(QToolButton):
    """The mic button: a painted microphone, a red dot while recording, a level meter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("micButton")
        self.setAccessibleName("Dictate")
        self.setToolTip(f"Dictate ({TOGGLE_SHORTCUT})")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setAutoRaise(True)
        self.setMinimumHeight(30)
        self.state = "idle"
        self.level = 0.0
        self.set_state("idle")

    @property
    def recording(self) -> bool:
        return self.state in ("listening", "stopping")

    def set_state(self, state: str) -> None:
        self.state = state
        self.setProperty("recording", self.recording)
        descriptions = {
            "idle": "Not recording",
            "starting": "Connecting",
            "listening": "Recording",
            "paused": "Paused",
            "stopping": "Finishing",
        }
        self.setAccessibleDescription(descriptions.get(state, state))
        if state in ("idle", "paused"):
            self.level = 0.0
        self.setFixedWidth(36 if state == "idle" else 76)  # the meter only while it runs
        self.update()

    def set_level(self, level: float) -> None:
        # Rise at once, fall gently: a readable meter at 10 updates per second.
        level = max(0.0, min(1.0, level))
        self.level = level if level >= self.level else max(level, self.level * 0.6)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        ink = pal.color(pal.ColorRole.ButtonText)
        red = QColor("#d93025")
        h = self.height()
        cx, top = 18.0, h / 2 - 8
        # The microphone: a capsule, a cradle and a stand.
        p.setPen(QPen(red if self.recording else ink, 1.6))
        if self.recording:
            p.setBrush(red)
        p.drawRoundedRect(QRectF(cx - 3.5, top, 7, 10), 3.5, 3.5)
        p.setBrush(Qt.BrushStyle.NoBrush)
        cradle = QPainterPath()
        cradle.moveTo(cx - 6, top + 6)
        cradle.cubicTo(cx - 6, top + 14, cx + 6, top + 14, cx + 6, top + 6)
        p.drawPath(cradle)
        p.drawLine(int(cx), int(top + 13), int(cx), int(top + 16))
        if self.state != "idle":  # the indicator: red recording, amber paused/connecting
            dot = red if self.recording else QColor("#e0a000")
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(dot)
            p.drawEllipse(QRectF(cx + 6, top - 2, 6, 6))
        # The level meter: a bar to the right of the microphone, while dictation runs.
        if self.state == "idle":
            p.end()
            return
        bar = QRectF(34, h / 2 - 3, self.width() - 42, 6)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(pal.color(pal.ColorRole.Midlight))
        p.drawRoundedRect(bar, 3, 3)
        if self.level > 0:
            p.setBrush(QColor("#1e8e3e") if self.level < 0.85 else red)
            p.drawRoundedRect(QRectF(bar.x(), bar.y(), bar.width() * self.level, 6), 3, 3)
        p.end()
