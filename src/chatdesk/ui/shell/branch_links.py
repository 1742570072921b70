"""BranchLinks: the window's branch wiring: the chat view's edit, navigator, regenerate,
branch-off and delete actions, the Chat menu, the context meter and the Undo banner.

Slots are methods, not lambdas: the controller outlives the window, and only a method's
connection is dropped when its receiver is destroyed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from chatdesk.core.models import Message, Summary

if TYPE_CHECKING:
    from chatdesk.core.context_meter import ContextUse
    from chatdesk.storage.branches import BranchDeletion
    from chatdesk.ui.chat.message_widget import MessageWidget
    from chatdesk.ui.shell.main_window import MainWindow


class BranchLinks(QObject):
    """Connects the window's widgets to ``window.controller.branches``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        chat = window.controller
        branches = chat.branches
        view = window.chat_view
        self._deletion: BranchDeletion | None = None

        view.editSaved.connect(self._edited)
        view.editClosed.connect(window.focus_composer)
        view.switchTo.connect(branches.switch_to)
        view.regenerateRequested.connect(branches.regenerate)
        view.branchOffRequested.connect(branches.branch_off)
        view.deleteBranchRequested.connect(branches.delete)
        view.undoSummaryRequested.connect(branches.undo_summary)
        view.set_regenerate_choices(self._model_choices, self._preset_choices)
        window.composer.editLastRequested.connect(self.edit_last)
        window.menus.chatActionRequested.connect(self.chat_action)

        chat.branchStarted.connect(self._branch_started)
        branches.pathChanged.connect(self._path_changed)
        branches.summaryChanged.connect(self._summary_changed)
        branches.contextChanged.connect(self._context_changed)
        branches.branchDeleted.connect(self._branch_deleted)
        branches.compactingChanged.connect(self._compacting)

    def _edited(self, message_id: int, text: str) -> None:
        """An edited question goes out; the keys go back to the composer for the next one."""
        self._window.controller.branches.edit(message_id, text)
        self._window.focus_composer()

    # -- choices for "answer again with …" ---------------------------------------------------

    def _model_choices(self) -> list[tuple[str, str]]:
        chat = self._window.controller
        return [(m.id, m.name or m.id) for m in chat.models] or [(chat.model, chat.model)]

    def _preset_choices(self) -> list[tuple[int, str]]:
        presets = self._window.controller.presets
        if presets is None:
            return []
        return [(p.id, p.name) for p in presets.presets if p.id is not None]

    # -- the Chat menu -----------------------------------------------------------------------

    def chat_action(self, key: str) -> None:
        """One of the Chat menu's actions (see ``MainMenus.chatActionRequested``)."""
        branches = self._window.controller.branches
        if key == "edit":
            self.edit_last()
        elif key == "regenerate":
            target = self._focused() or self._last_answer()
            if target is None:
                self._window.notify("info", "There is no answer to give again yet.")
            else:
                branches.regenerate(target.message_id)
        elif key in ("previous", "next"):
            self.step_alternative(-1 if key == "previous" else 1)
        elif key == "summarise":
            branches.summarise()
        elif key == "overview":
            branches.refresh_overview()

    def edit_last(self) -> None:
        """Edit the last question shown (Up in the empty composer)."""
        if not self._window.chat_view.edit_last_user_message():
            self._window.status("There is no question of yours to edit here yet.", 4000)

    def step_alternative(self, step: int) -> None:
        """Show the previous (-1) or next (+1) alternative of the focused message, or of the
        last message shown that has alternatives."""
        target = self._focused()
        if target is None or len(target.sibling_ids) < 2:
            widgets = self._window.chat_view.message_widgets()
            target = next((w for w in reversed(widgets) if len(w.sibling_ids) > 1), None)
        if target is None:
            self._window.status("No message here has alternatives.", 4000)
            return
        siblings = target.sibling_ids
        index = siblings.index(target.message_id) + step
        if 0 <= index < len(siblings):
            self._window.controller.branches.switch_to(siblings[index])

    def _focused(self) -> MessageWidget | None:
        """The message widget that holds the keyboard focus, if any."""
        from chatdesk.ui.chat.message_widget import MessageWidget

        widget = QApplication.focusWidget()
        while widget is not None and not isinstance(widget, MessageWidget):
            widget = widget.parentWidget()
        return widget

    def _last_answer(self) -> MessageWidget | None:
        widgets = self._window.chat_view.message_widgets()
        return next((w for w in reversed(widgets) if w.role == "assistant"), None)

    # -- what the controller says ------------------------------------------------------------

    def _branch_started(self, after_id: int | None) -> None:
        self._window.chat_view.truncate_after(after_id)

    def _path_changed(self, messages: list[Message], has_older: bool) -> None:
        self._window.chat_view.show_path(messages, has_older=has_older)

    def _summary_changed(self, summary: Summary | None) -> None:
        self._window.chat_view.show_summary(summary)

    def _context_changed(self, use: ContextUse) -> None:
        self._window.composer.context_meter.set_usage(use.tokens, use.limit)

    def _branch_deleted(self, deletion: BranchDeletion) -> None:
        self._deletion = deletion
        count = len(deletion.message_ids)
        what = "1 message" if count == 1 else f"{count} messages"
        self._window.banner.show_text(
            "info", f"Branch deleted ({what}).", ("Undo", self._undo_delete)
        )

    def _undo_delete(self) -> None:
        deletion, self._deletion = self._deletion, None
        if deletion is not None:
            self._window.controller.branches.undo_delete(deletion)

    def _compacting(self, busy: bool) -> None:
        if busy:
            self._window.status("Summarising earlier messages…")
        else:
            self._window.statusBar().clearMessage()
