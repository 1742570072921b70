"""Banner: a one-line notice above the composer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QWidget):
    """A one-line notice above the composer (warnings, errors not tied to a message)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel(self)
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("✕", self)
        close.setObjectName("bannerClose")
        close.setAccessibleName("Dismiss notice")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 6, 6)
        row.addWidget(self.label, 1)
        row.addWidget(close)
        self.hide()

    def show_text(self, level: str, text: str) -> None:
        icon = {"error": "⛔", "warning": "⚠", "info": "ℹ"}.get(level, "ℹ")
        self.label.setText(f"{icon}  {text}")
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
