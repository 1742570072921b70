"""ServerAskCards: sampling and elicitation cards, each in the conversation it belongs to.

A card of a conversation not on screen waits (the status bar names it) and appears when the
user opens that conversation; an answered card leaves the chat (the tool's own card shows
what came of it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from chatdesk.mcp.elicitation import ElicitationRequest
from chatdesk.mcp.sampling import SamplingAnswer, SamplingRequest
from chatdesk.ui.tools.approval_cards import InlineHost
from chatdesk.ui.tools.elicitation_card import ElicitationCard
from chatdesk.ui.tools.qt_server_asker import PendingAsk, QtServerAsker
from chatdesk.ui.tools.sampling_card import SamplingCard

__all__ = ["ServerAskCards"]

Card = SamplingCard | ElicitationCard


class ServerAskCards(QObject):
    """See the module docstring. ``status`` gets a line for the status bar ("" clears it)."""

    waitingElsewhere = Signal(object)  # PendingAsk

    def __init__(
        self,
        asker: QtServerAsker,
        view: InlineHost,
        current: Callable[[], int | None],
        status: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._asker = asker
        self._view = view
        self._current = current
        self._status = status
        self._cards: dict[int, Card] = {}
        asker.asked.connect(self._asked)
        asker.reviewing.connect(self._reviewing)
        asker.failed.connect(self._failed)
        asker.finished.connect(self._finished)
        asker.shown.connect(self._shown)

    @classmethod
    def install(cls, asker: QtServerAsker, window: Any) -> ServerAskCards:
        """Cards in ``window``'s chat view, shown again with their conversation, the status
        bar and a notice for a card waiting in another chat."""
        chat = window.controller
        cards = cls(
            asker,
            window.chat_view,
            lambda: chat.conversation_id,
            lambda text: window.status(text, 0 if text else 1),
            window,
        )
        chat.conversationOpened.connect(
            lambda conversation, *_: cards.show_for(conversation.id if conversation else None)
        )
        cards.waitingElsewhere.connect(
            lambda _p: window.notify("info", "An MCP server is waiting for you in another chat.")
        )
        return cards

    def card(self, ask_id: int) -> Card | None:
        card = self._cards.get(ask_id)
        return card if card is not None and shiboken6.isValid(card) else None

    def show_for(self, conversation_id: int | None) -> None:
        """Show again the cards of ``conversation_id`` that still wait for the user."""
        for pending in self._asker.pending(conversation_id):
            old = self._cards.pop(pending.ask_id, None)
            if old is not None and shiboken6.isValid(old):
                self._view.remove_inline(old)
            card = self._show(pending)
            if isinstance(card, SamplingCard) and pending.answer is not None:
                card.show_answer(pending.answer)

    def _asked(self, pending: PendingAsk) -> None:
        request = pending.request
        what = "a completion" if isinstance(request, SamplingRequest) else "your input"
        if pending.conversation_id == self._current():
            self._show(pending)
            keys = "Enter allows, Esc denies" if what == "a completion" else "Esc cancels"
            self._status(f"{request.server_id} asks for {what} ({keys})")
        else:
            self._status(f"{request.server_id} asks for {what} in another chat")
            self.waitingElsewhere.emit(pending)

    def _show(self, pending: PendingAsk) -> Card:
        request = pending.request
        card: Card
        if isinstance(request, SamplingRequest):
            card = SamplingCard(request)
            card.allowed.connect(lambda edit, i=pending.ask_id: self._asker.answer(i, edit))
            card.sent.connect(lambda send, i=pending.ask_id: self._asker.answer(i, send))
        else:
            assert isinstance(request, ElicitationRequest)
            card = ElicitationCard(request)
            card.answered.connect(lambda a, i=pending.ask_id: self._asker.answer(i, a))
        self._cards[pending.ask_id] = card
        self._view.add_inline(card)
        return card

    def _reviewing(self, ask_id: int, answer: SamplingAnswer) -> None:
        card = self.card(ask_id)
        if isinstance(card, SamplingCard):
            card.show_answer(answer)
            self._status(f"Send the answer to {card.request.server_id}? (Enter sends)")

    def _failed(self, ask_id: int, message: str) -> None:
        card = self.card(ask_id)
        if isinstance(card, SamplingCard):
            card.failed(message)

    def _finished(self, ask_id: int, withdrawn: bool) -> None:
        self._status("")
        card = self._cards.pop(ask_id, None)
        if card is None or not shiboken6.isValid(card):
            return
        if withdrawn:
            card.withdraw()
        self._view.remove_inline(card)
        card.deleteLater()

    def _shown(self, request: SamplingRequest, answer: SamplingAnswer) -> None:
        self._status(
            f"{request.server_id} had {answer.model} answer a request (allowed by its policy)"
        )
