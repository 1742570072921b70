"""BranchActions: a message's edit, alternatives and branch actions, mixed into MessageWidget.

A user's message gets a row under its bubble (navigator; Edit, Branch off, Delete on hover);
an answer gets the same in its footer, and "Answer again" with its menu. On a focused message
(Tab reaches messages): E or F2 edits, R answers again, B branches off, Delete deletes the
branch (Alt+Left / Alt+Right are the window's, see ``ui/shell/branch_links.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFocusEvent, QFont, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from chatdesk.ui.chat.message_parts.branch_bar import BranchBar
from chatdesk.ui.chat.message_parts.message_editor import MessageEditor

if TYPE_CHECKING:
    from chatdesk.core.models import Role
    from chatdesk.ui.chat.message_parts.message_footer import MessageFooter
    from chatdesk.ui.chat.message_parts.user_bubble import UserBubble
    from chatdesk.ui.chat.regenerate_menu import RegenerateChoices

__all__ = ["BranchActions"]


class BranchActions:
    """The branch half of ``MessageWidget`` (which provides the attributes below)."""

    if TYPE_CHECKING:
        _id: int
        _role: Role
        _layout: QVBoxLayout
        _bubble: UserBubble | None
        _bubble_row: QHBoxLayout
        _footer: MessageFooter
        copy_button: QToolButton
        regenerate_button: QToolButton
        editSaved: Any
        editClosed: Any
        switchTo: Any
        regenerateRequested: Any
        branchOffRequested: Any
        deleteBranchRequested: Any

        @property
        def source(self) -> str: ...

        def setFocusPolicy(self, policy: Qt.FocusPolicy) -> None: ...

        def hasFocus(self) -> bool: ...

        def underMouse(self) -> bool: ...

    #: Where "Answer again with …" finds models and presets (set by the chat view).
    regenerate_choices: Callable[[], RegenerateChoices | None] = staticmethod(lambda: None)

    def _init_branch_actions(self) -> None:
        """Set up the branch actions (call once the footer and bubble exist). The branch row
        itself is built when first needed (alternatives, hover, focus): most messages of a
        long chat never need it, and each costs a few buttons."""
        widget = self._as_widget()
        self.sibling_ids: tuple[int, ...] = ()
        self.editor: MessageEditor | None = None
        self._branch_bar: BranchBar | None = None
        self._branch_style: tuple[QFont, QColor] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        if self._role != "user":
            from chatdesk.ui.chat.regenerate_menu import RegenerateMenu

            menu = RegenerateMenu(lambda: self.regenerate_choices(), widget)
            menu.chosen.connect(lambda choice: self.regenerateRequested.emit(self._id, choice))
            self.regenerate_button.setMenu(menu)
            self.regenerate_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
            self.regenerate_button.clicked.connect(
                lambda: self.regenerateRequested.emit(self._id, None)
            )

    @property
    def branch_bar(self) -> BranchBar:
        """The navigator and the Edit / Branch off / Delete buttons (built on first use)."""
        if self._branch_bar is None:
            bar = self._branch_bar = BranchBar(
                editable=self._role == "user", parent=self._as_widget()
            )
            bar.switchTo.connect(self.switchTo)
            bar.editClicked.connect(self.begin_edit)
            bar.branchOffClicked.connect(lambda: self.branchOffRequested.emit(self._id))
            bar.deleteClicked.connect(lambda: self.deleteBranchRequested.emit(self._id))
            if self._role == "user":  # beside the bubble, before its copy button: no extra height
                self._bubble_row.insertWidget(1, bar, 0, Qt.AlignmentFlag.AlignBottom)
            else:
                self._footer.add_branch_bar(bar)
            if self._branch_style is not None:
                bar.restyle(*self._branch_style)
            bar.set_siblings(self.sibling_ids or (self._id,), self._id)
            bar.setVisible(self.editor is None)
        return self._branch_bar

    def _as_widget(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self

    # -- alternatives --------------------------------------------------------------------

    def set_siblings(self, sibling_ids: Sequence[int]) -> None:
        """This message's alternatives (its own id among them)."""
        self.sibling_ids = tuple(sibling_ids)
        if self._branch_bar is not None or len(self.sibling_ids) > 1:
            self.branch_bar.set_siblings(self.sibling_ids, self._id)

    @property
    def navigator_position(self) -> tuple[int, int]:
        """(position, count) shown by the navigator (count 1: no alternatives)."""
        if self._branch_bar is None:
            return 1, max(len(self.sibling_ids), 1)
        return self._branch_bar.navigator.position

    # -- editing -------------------------------------------------------------------------

    @property
    def editing(self) -> bool:
        """The question is open for editing."""
        return self.editor is not None

    def begin_edit(self) -> None:
        """Open the question for editing in place, focused, the cursor at its end."""
        if self._role != "user" or self._bubble is None:
            return
        if self.editor is None:
            editor = self.editor = MessageEditor(self.source, self._as_widget())
            editor.saved.connect(self._edit_saved)
            editor.cancelled.connect(self._edit_cancelled)
            self._layout.insertWidget(self._layout.indexOf(self._bubble_anchor()), editor)
            self._bubble.hide()
            self.copy_button.hide()
            if self._branch_bar is not None:
                self._branch_bar.hide()
        self.editor.start()

    def _bubble_anchor(self) -> QWidget:
        """The widget the editor goes above (the first thing after the bubble row)."""
        return self._footer

    def _edit_saved(self, text: str) -> None:
        self.end_edit()
        if text != self.source:
            self.editSaved.emit(self._id, text)
        else:
            self.editClosed.emit()  # unchanged: nothing to ask again

    def _edit_cancelled(self) -> None:
        self.end_edit()
        self.editClosed.emit()

    def end_edit(self) -> None:
        """Close the editor; the question shows as it was."""
        editor, self.editor = self.editor, None
        if editor is None:
            return
        self._layout.removeWidget(editor)
        editor.hide()
        editor.deleteLater()
        if self._bubble is not None:
            self._bubble.show()
        self.copy_button.show()
        if self._branch_bar is not None:
            self._branch_bar.show()

    # -- keys and hover ------------------------------------------------------------------

    def handle_branch_key(self, event: QKeyEvent) -> bool:
        """A key on the focused message; True when it was one of the branch keys."""
        key = event.key()
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if key in (Qt.Key.Key_E, Qt.Key.Key_F2) and self._role == "user":
            self.begin_edit()
        elif key == Qt.Key.Key_R and self._role == "assistant":
            self.regenerateRequested.emit(self._id, None)
        elif key == Qt.Key.Key_B:
            self.branchOffRequested.emit(self._id)
        elif key == Qt.Key.Key_Delete:
            self.deleteBranchRequested.emit(self._id)
        else:
            return False
        return True

    def hover_changed(self, event: QEvent) -> None:
        """Show the actions while the pointer is over the message or it has the focus."""
        if event.type() in (QEvent.Type.Enter, QEvent.Type.FocusIn):
            self.branch_bar.set_actions_visible(True)
        elif self._branch_bar is not None and event.type() in (
            QEvent.Type.Leave,
            QEvent.Type.FocusOut,
        ):
            self._branch_bar.set_actions_visible(self.hasFocus() or self.underMouse())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.handle_branch_key(event):
            super().keyPressEvent(event)  # type: ignore[misc]

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)  # type: ignore[misc]
        self.hover_changed(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)  # type: ignore[misc]
        self.hover_changed(event)

    def enterEvent(self, event: QEvent) -> None:
        super().enterEvent(event)  # type: ignore[misc]
        self.hover_changed(event)

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)  # type: ignore[misc]
        self.hover_changed(event)

    def restyle_branch(self, small: QFont, muted: QColor) -> None:
        """Fonts and colours of the branch row (kept for when it is built)."""
        self._branch_style = (small, muted)
        if self._branch_bar is not None:
            self._branch_bar.restyle(small, muted)
