"""Banner: a one-line notice above the composer."""

from __future__ import annotations

from collections.abc import Callable

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
        self.action = QPushButton(self)
        self.action.setObjectName("bannerAction")
        self.action.clicked.connect(self._act)
        self.action.hide()
        self._on_action: Callable[[], None] | None = None
        close = QPushButton("✕", self)
        close.setObjectName("bannerClose")
        close.setAccessibleName("Dismiss notice")
        close.setFlat(True)
        close.setFixedWidth(28)
        close.clicked.connect(self.hide)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 6, 6)
        row.addWidget(self.label, 1)
        row.addWidget(self.action)
        row.addWidget(close)
        self.hide()

    def show_text(
        self, level: str, text: str, action: tuple[str, Callable[[], None]] | None = None
    ) -> None:
        """Show ``text``; ``action`` (label, what it does) adds a button that also dismisses."""
        icon = {"error": "⛔", "warning": "⚠", "info": "ℹ"}.get(level, "ℹ")
        self.label.setText(f"{icon}  {text}")
        self._on_action = action[1] if action else None
        self.action.setText(action[0] if action else "")
        self.action.setVisible(action is not None)
        self.setProperty("level", level)
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()

    def _act(self) -> None:
        act, self._on_action = self._on_action, None
        self.hide()
        if act is not None:
            act()
