"""A message's branch row: its navigator, and Edit, Branch off and Delete on hover."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QToolButton, QWidget

from chatdesk.ui.chat.message_parts.branch_navigator import BranchNavigator
from chatdesk.ui.kit.flat_button import flat_button
from chatdesk.ui.kit.icons import icon

__all__ = ["BranchBar"]


class BranchBar(QWidget):
    """Navigator always (when there are alternatives); the actions while hovered or focused.

    Hidden actions keep their room, so nothing below moves when the pointer comes by."""

    editClicked = Signal()
    branchOffClicked = Signal()
    deleteClicked = Signal()

    def __init__(self, *, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("branchBar")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        self.navigator = BranchNavigator(self)
        self.switchTo = self.navigator.switchTo
        self.edit_button: QToolButton | None = None
        buttons: list[QToolButton] = []
        if editable:
            self.edit_button = flat_button(self, "Edit", "Edit (E)", "editMessageButton")
            self.edit_button.clicked.connect(self.editClicked)
            buttons.append(self.edit_button)
        self.branch_button = flat_button(
            self, "Branch off", "Branch off into a new chat (B)", "branchOffButton"
        )
        self.branch_button.clicked.connect(self.branchOffClicked)
        self.delete_button = flat_button(
            self, "Delete", "Delete this branch (Delete)", "deleteBranchButton"
        )
        self.delete_button.clicked.connect(self.deleteClicked)
        buttons += [self.branch_button, self.delete_button]
        self._actions = buttons
        for button in buttons:
            policy = button.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            button.setSizePolicy(policy)
            row.addWidget(button)
            button.hide()
        row.addWidget(self.navigator)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)

    @property
    def actions_visible(self) -> bool:
        """Whether Edit / Branch off / Delete show (hover or focus)."""
        return not self._actions[0].isHidden()

    def set_actions_visible(self, visible: bool) -> None:
        """Show the actions (hover, focus) or hide them, keeping their room."""
        for button in self._actions:
            button.setVisible(visible)

    def set_siblings(self, sibling_ids: Sequence[int], current_id: int) -> None:
        """See ``BranchNavigator.set_siblings``."""
        self.navigator.set_siblings(sibling_ids, current_id)

    def restyle(self, small: QFont, muted: QColor) -> None:
        """Muted icons and text."""
        self.navigator.restyle(small, muted)
        if self.edit_button is not None:
            self.edit_button.setIcon(icon("edit", muted))
        self.branch_button.setIcon(icon("branch", muted))
        self.delete_button.setIcon(icon("delete", muted))
