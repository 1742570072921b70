"""``‹ 2 / 3 ›``: which of a message's alternatives is shown, and the way to the others."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

from chatdesk.ui.kit.flat_button import flat_button
from chatdesk.ui.kit.icons import icon

__all__ = ["BranchNavigator"]


class BranchNavigator(QWidget):
    """Previous / position / next among a message's alternatives; hidden without any."""

    #: The id of the alternative to show.
    switchTo = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("branchNavigator")
        self._ids: tuple[int, ...] = ()
        self._index = 0
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.previous_button: QToolButton = flat_button(
            self, "‹", "Previous alternative (Alt+Left)", "branchPrevious"
        )
        self.next_button: QToolButton = flat_button(
            self, "›", "Next alternative (Alt+Right)", "branchNext"
        )
        self.label = QLabel(self)
        self.label.setObjectName("branchPosition")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.addWidget(self.previous_button)
        row.addWidget(self.label)
        row.addWidget(self.next_button)
        self.previous_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.hide()

    @property
    def position(self) -> tuple[int, int]:
        """(1-based position, count) of the alternative shown."""
        return self._index + 1, len(self._ids)

    def set_siblings(self, sibling_ids: Sequence[int], current_id: int) -> None:
        """The message's alternatives (its own id among them); shown when there are two or
        more."""
        self._ids = tuple(sibling_ids)
        self._index = self._ids.index(current_id) if current_id in self._ids else 0
        count = len(self._ids)
        self.label.setText(f"{self._index + 1} / {count}")
        self.label.setAccessibleName(f"Alternative {self._index + 1} of {count}")
        self.previous_button.setEnabled(self._index > 0)
        self.next_button.setEnabled(self._index < count - 1)
        self.setVisible(count > 1)

    def step(self, step: int) -> bool:
        """Ask for the previous (-1) or next (+1) alternative; False when there is none."""
        index = self._index + step
        if len(self._ids) < 2 or not 0 <= index < len(self._ids):
            return False
        self.switchTo.emit(self._ids[index])
        return True

    def restyle(self, small: QFont, muted: QColor) -> None:
        """Small muted text, chevrons in the muted colour."""
        self.label.setFont(small)
        self.label.setStyleSheet(f"color: {muted.name()}; padding: 0 2px;")
        self.previous_button.setIcon(icon("left", muted))
        self.next_button.setIcon(icon("right", muted))
