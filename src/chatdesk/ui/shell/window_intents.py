"""WindowIntents: the main window's intents for the cards of MCP tools and servers and for the
first run (a mixin of ``MainWindow``; the flows call these, never the widgets behind them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from chatdesk.ui.shell.approval_notices import ApprovalNotices

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStackedWidget, QStatusBar, QWidget

    from chatdesk.providers.local_servers import LocalServer
    from chatdesk.ui.chat.chat_view import ChatView
    from chatdesk.ui.composer.composer import Composer
    from chatdesk.ui.shell.first_run_panel import FirstRunPanel
    from chatdesk.ui.tools.approval_cards import ApprovalCards
    from chatdesk.ui.tools.qt_approver import QtApprover
    from chatdesk.ui.tools.qt_server_asker import QtServerAsker
    from chatdesk.ui.tools.server_ask_cards import ServerAskCards

__all__ = ["WindowIntents"]


class WindowIntents:
    """See the module docstring."""

    if TYPE_CHECKING:
        chat_view: ChatView
        composer: Composer
        first_run: FirstRunPanel
        stack: QStackedWidget
        chat_area: QWidget
        approval_cards: ApprovalCards | None

        def _open_id(self) -> int | None: ...

        def statusBar(self) -> QStatusBar: ...

        def notify(self, level: str, text: str) -> None: ...

    def attach_approver(self, approver: QtApprover) -> None:
        """Approval cards inline in the conversation that asked (once MCP is up)."""
        from chatdesk.ui.tools.approval_cards import ApprovalCards  # pydantic: not at start-up

        parent = self.chat_view.window()  # the main window
        self.approval_cards = ApprovalCards(approver, self.chat_view, self._open_id, parent)
        ApprovalNotices(approver, self.approval_cards, self.statusBar(), self.notify)

    def attach_server_asker(self, asker: QtServerAsker) -> ServerAskCards:
        """Sampling and elicitation cards inline in the conversation they belong to."""
        from chatdesk.ui.tools.server_ask_cards import ServerAskCards

        return ServerAskCards.install(asker, self)

    def offer_local_servers(self, servers: Sequence[LocalServer]) -> None:
        """First run: a button for each OpenAI-compatible server found on this computer."""
        self.first_run.offer_local(servers)

    def first_run_problem(self, text: str) -> None:
        """Say in the welcome panel why the key could not be saved."""
        self.first_run.show_problem(text)

    def show_first_run(self, show: bool) -> None:
        """Swap the chat for the welcome panel (no API key yet), or back."""
        self.stack.setCurrentWidget(self.first_run if show else self.chat_area)
        if show:
            self.first_run.key_edit.setFocus()
        else:
            self.composer.edit.setFocus()
