"""SuggestionChips: a row of buttons for an empty chat, one per suggestion, and "Edit
suggestions…". The "/" menu is ``SlashPopup``; the dialog ``SuggestionsDialog``."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from chatdesk.core.suggestions import Suggestion
from chatdesk.ui.kit.formatting import preview

ID_ROLE = Qt.ItemDataRole.UserRole
CHIP_COLUMNS = 4  # chips per centred row


class SuggestionChips(QWidget):
    """Chips for an empty conversation; a click (or Enter on a focused chip) picks one."""

    suggestionChosen = Signal(str)  # the template text
    manageRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("suggestionChips")
        # On the chat's own background, so the chips read as part of the empty conversation.
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        # Rounded chips drawn from the palette, so light and dark themes both suit them.
        self.setStyleSheet(
            "QPushButton#suggestionChip { border: 1px solid palette(mid); border-radius: 12px;"
            " padding: 6px 14px; background: palette(base); }"
            "QPushButton#suggestionChip:hover, QPushButton#suggestionChip:focus"
            " { border-color: palette(highlight); }"
            "QPushButton#editSuggestionsButton { border: none; padding: 6px 8px;"
            " color: palette(placeholder-text); }"
            "QPushButton#editSuggestionsButton:hover { color: palette(highlight); }"
        )
        self.manage_button = QPushButton("Edit suggestions…", self)
        self.manage_button.setObjectName("editSuggestionsButton")
        self.manage_button.setFlat(True)
        self.manage_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.manage_button.clicked.connect(self.manageRequested)
        self._rows = QVBoxLayout(self)
        self._rows.setContentsMargins(24, 4, 24, 8)
        self._rows.setSpacing(8)
        self.chips: list[QPushButton] = []

    def set_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        """Show one chip per suggestion, in order, in centred rows; "Edit suggestions…" last."""
        for chip in self.chips:
            chip.deleteLater()
        self.chips = []
        while (item := self._rows.takeAt(0)) is not None:
            row = item.layout()
            while row is not None and row.takeAt(0) is not None:
                pass
        for suggestion in suggestions:
            chip = QPushButton(suggestion.title, self)
            chip.setObjectName("suggestionChip")
            chip.setAccessibleName(f"Suggestion: {suggestion.title}")
            chip.setToolTip(preview(suggestion.text))
            chip.setAutoDefault(False)
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.clicked.connect(lambda _c=False, text=suggestion.text: self._chosen(text))
            self.chips.append(chip)
        widgets: list[QWidget] = [*self.chips, self.manage_button]
        for start in range(0, len(widgets), CHIP_COLUMNS):
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addStretch(1)
            for widget in widgets[start : start + CHIP_COLUMNS]:
                row.addWidget(widget)
            row.addStretch(1)
            self._rows.addLayout(row)

    def _chosen(self, text: str) -> None:
        self.suggestionChosen.emit(text)
