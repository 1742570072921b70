"""The tool-call cards of one message, top to bottom, keyed by call id."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QVBoxLayout, QWidget

from chatdesk.core.models import Message, ToolCall
from chatdesk.ui.chat.tool_cards.tool_card import ToolCard
from chatdesk.ui.chat.tool_cards.tool_outcome import ToolOutcome, ToolStatus, stored_outcome

__all__ = ["ToolCallList"]


class ToolCallList(QWidget):
    """The cards of one message, top to bottom, keyed by call id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("toolCalls")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self._cards: dict[str, ToolCard] = {}

    def cards(self) -> list[ToolCard]:
        return list(self._cards.values())

    def card(self, call_id: str) -> ToolCard | None:
        return self._cards.get(call_id)

    def ensure(self, call: ToolCall, outcome: ToolOutcome | None = None) -> ToolCard:
        """The card of ``call`` (made, running unless ``outcome`` says otherwise, if new)."""
        card = self._cards.get(call.id)
        if card is None:
            card = ToolCard(call, outcome, self)
            self._cards[call.id] = card
            layout = self.layout()
            assert layout is not None
            layout.addWidget(card)
            card.show()
        else:
            card.set_call(call)
            if outcome is not None:
                card.set_outcome(outcome)
        return card

    def sync(self, calls: tuple[ToolCall, ...], results: Mapping[str, ToolOutcome]) -> None:
        """A card per call; a stored result fills a card that has none yet, a card still
        running settles as "no result" (this complete message will get none here)."""
        for call in calls:
            card = self.card(call.id)
            outcome = results.get(call.id)
            if card is None:
                self.ensure(call, outcome or ToolOutcome(ToolStatus.NO_RESULT))
            elif outcome is not None and card.status in (ToolStatus.RUNNING, ToolStatus.NO_RESULT):
                self.ensure(call, outcome)
            else:
                card.set_call(call)
        self.settle()

    def show_stored(
        self,
        message: Message,
        tool_names: Mapping[str, str],
        tool_results: Mapping[str, ToolOutcome],
    ) -> None:
        """The cards of a stored message of tool calls alone: its calls with their results, or
        (a ``tool`` message whose call is not shown) a card of the result's own."""
        if message.role == "tool":
            call_id = message.tool_call_id or ""
            call = ToolCall(call_id, tool_names.get(call_id, ""), "")
            self.ensure(call, stored_outcome(message))
        else:
            self.sync(message.tool_calls, tool_results)

    def settle(self) -> None:
        """The message is complete: a card still running will get no result in this view."""
        for card in self._cards.values():
            if card.status is ToolStatus.RUNNING:
                card.set_outcome(ToolOutcome(ToolStatus.NO_RESULT))

    def restyle(self) -> None:
        for card in self._cards.values():
            card.restyle()
