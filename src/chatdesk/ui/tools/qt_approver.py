"""QtApprover: the approver the core awaits, answered from the UI.

``QtApprover`` is the async approver callback given to ``ApprovingToolHost``: it emits
``requested`` and waits on a future; a card's buttons (or Enter / Esc) resolve it through
``QtApprover.decide``. Widgets never await.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from chatdesk.mcp.approvals import ApprovalRequest, Decision

__all__ = ["CANCELLED", "PendingApproval", "QtApprover"]


CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class PendingApproval:
    """A request waiting for the user, with the id ``QtApprover.decide`` takes."""

    approval_id: int
    request: ApprovalRequest


class QtApprover(QObject):
    """The approver the core awaits: one future per request, resolved from the UI."""

    requested = Signal(object)  # PendingApproval
    finished = Signal(int, str)  # approval id, Decision value or "cancelled"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[PendingApproval, asyncio.Future[Decision]]] = {}

    async def __call__(self, request: ApprovalRequest) -> Decision:
        """Ask the user; returns their decision. Cancelling withdraws the card."""
        pending = PendingApproval(next(self._ids), request)
        future: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        self._pending[pending.approval_id] = (pending, future)
        self.requested.emit(pending)
        try:
            decision = await future
        finally:
            self._pending.pop(pending.approval_id, None)
            if not future.done() or future.cancelled():
                future.cancel()
                self.finished.emit(pending.approval_id, CANCELLED)
        self.finished.emit(pending.approval_id, decision.value)
        return decision

    def decide(self, approval_id: int, decision: Decision) -> bool:
        """Answer a pending request; False when it is no longer pending."""
        entry = self._pending.get(approval_id)
        if entry is None or entry[1].done():
            return False
        entry[1].set_result(decision)
        return True

    def pending(
        self, conversation_id: int | None = None, *, every: bool = False
    ) -> list[PendingApproval]:
        """Requests still waiting: of one conversation, or ``every`` one."""
        return [
            p
            for p, _ in self._pending.values()
            if every or p.request.conversation_id == conversation_id
        ]
