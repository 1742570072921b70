"""An inline error card with Retry (and Open settings when the API key is at fault)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from chatdesk.ui.kit.card import Card
from chatdesk.ui.kit.colors import ERROR_RED, is_dark, mix
from chatdesk.ui.kit.icons import icon

__all__ = ["ErrorCard"]


class ErrorCard(Card):
    """An inline error with a Retry button, and Open settings for ``kind == "auth"``."""

    retryClicked = Signal()
    openSettingsClicked = Signal()

    def __init__(self, text: str, kind: str, parent: QWidget | None = None) -> None:
        super().__init__("error", parent)
        self.setObjectName("errorCard")
        self.setAccessibleName("Error")
        self.kind = kind
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 10, 10, 10)
        row.setSpacing(10)
        self._icon = QLabel(self)
        self._icon.setFixedSize(18, 18)
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignVCenter)
        self.label = QLabel(text, self)
        self.label.setObjectName("errorText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row.addWidget(self.label, 1)
        self.settings_button: QPushButton | None = None
        if kind == "auth":
            self.settings_button = QPushButton("Open settings", self)
            self.settings_button.setObjectName("openSettingsButton")
            self.settings_button.setAccessibleName("Open settings")
            self.settings_button.clicked.connect(self.openSettingsClicked)
            row.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setObjectName("retryButton")
        self.retry_button.setAccessibleName("Retry")
        self.retry_button.clicked.connect(self.retryClicked)
        row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._refresh_icons()

    def resizeEvent(self, e: QResizeEvent) -> None:
        """Keep the card as tall as its wrapped text needs, no taller."""
        super().resizeEvent(e)
        height = self.label.heightForWidth(self.label.width())
        if height > 0 and height != self.label.maximumHeight():
            self.label.setFixedHeight(height)

    def changeEvent(self, e: QEvent) -> None:
        """Redraw the icons in the new palette."""
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange:
            self._refresh_icons()

    def _refresh_icons(self) -> None:
        red = mix(ERROR_RED, QColor("white"), 0.25) if is_dark(self.palette()) else ERROR_RED
        self._icon.setPixmap(icon("warning", red, 18).pixmap(18, 18))
        self.retry_button.setIcon(
            icon("retry", self.palette().color(QPalette.ColorRole.ButtonText))
        )
