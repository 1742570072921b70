"""ApprovalNotices: the status line and notices that go with inline tool-approval cards."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QStatusBar

if TYPE_CHECKING:
    from chatdesk.ui.tools.approval_cards import ApprovalCards
    from chatdesk.ui.tools.qt_approver import PendingApproval, QtApprover


class ApprovalNotices(QObject):
    """Says in the status bar which tool waits for approval, and in the banner when the
    waiting card is in another chat."""

    def __init__(
        self,
        approver: QtApprover,
        cards: ApprovalCards,
        status_bar: QStatusBar,
        notify: Callable[[str, str], None],
    ) -> None:
        super().__init__(cards)
        self._status_bar = status_bar
        self._notify = notify
        cards.waitingElsewhere.connect(self._elsewhere)
        approver.requested.connect(self._requested)
        approver.finished.connect(self._finished)

    def _requested(self, pending: PendingApproval) -> None:
        request = pending.request
        self._status_bar.showMessage(
            f"Waiting for your approval: {request.tool_name} on {request.server_id}"
            " (Enter allows once, Esc denies)"
        )

    def _finished(self, *_args: object) -> None:
        self._status_bar.clearMessage()

    def _elsewhere(self, _pending: object) -> None:
        self._notify("info", "A tool is waiting for your approval in another chat.")
