"""ApprovalCards: each waiting request's card, in the conversation that asked.

Cards stay with their conversation when the user leaves it and come back with it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from chatdesk.ui.tools.approval_card import ApprovalCard
from chatdesk.ui.tools.qt_approver import CANCELLED, PendingApproval, QtApprover

__all__ = ["ApprovalCards", "InlineHost"]


class InlineHost(Protocol):
    """Where cards are shown: the chat view's inline widgets at the end of the conversation."""

    def add_inline(self, widget: QWidget) -> None: ...

    def remove_inline(self, widget: QWidget) -> None: ...


class ApprovalCards(QObject):
    """Shows each request's card in the conversation that asked; others wait for it.

    ``current`` gives the conversation on screen. Call :meth:`show_for` after the view shows a
    conversation, so its waiting cards come back. ``waitingElsewhere`` fires for a request of
    a conversation that is not on screen (for a notice that names it).
    """

    waitingElsewhere = Signal(object)  # PendingApproval

    def __init__(
        self,
        approver: QtApprover,
        view: InlineHost,
        current: Callable[[], int | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._approver = approver
        self._view = view
        self._current = current
        self._cards: dict[int, ApprovalCard] = {}
        approver.requested.connect(self._requested)
        approver.finished.connect(self._finished)

    def card(self, approval_id: int) -> ApprovalCard | None:
        """The card on screen for a request, if any."""
        card = self._cards.get(approval_id)
        return card if card is not None and shiboken6.isValid(card) else None

    def show_for(self, conversation_id: int | None) -> None:
        """Show (again) the cards of every request of ``conversation_id`` still waiting."""
        for pending in self._approver.pending(conversation_id):
            old = self._cards.pop(pending.approval_id, None)
            if old is not None and shiboken6.isValid(old):
                self._view.remove_inline(old)
            self._show(pending)

    def _requested(self, pending: PendingApproval) -> None:
        if pending.request.conversation_id == self._current():
            self._show(pending)
        else:
            self.waitingElsewhere.emit(pending)

    def _show(self, pending: PendingApproval) -> None:
        card = ApprovalCard(pending.request)
        card.decided.connect(lambda d, i=pending.approval_id: self._approver.decide(i, d))
        self._cards[pending.approval_id] = card
        self._view.add_inline(card)

    def _finished(self, approval_id: int, outcome: str) -> None:
        card = self._cards.pop(approval_id, None)
        if card is None or not shiboken6.isValid(card):
            return
        if outcome == CANCELLED:
            card.withdraw()
        self._view.remove_inline(card)
