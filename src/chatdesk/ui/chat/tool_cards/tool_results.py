"""What the chat view knows of the shown conversation's tool calls, without Qt: each call's
tool name and outcome, learned from stored messages, live events and the recorded runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from chatdesk.core.models import Message, ToolCall
from chatdesk.ui.chat.tool_cards.tool_outcome import (
    ToolOutcome,
    ToolRun,
    finished_outcome,
    stored_outcome,
    with_run,
)

__all__ = ["ToolResults"]


class ToolResults:
    """Call id -> exposed tool name (``names``) and call id -> outcome (``outcomes``)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.outcomes: dict[str, ToolOutcome] = {}

    def clear(self) -> None:
        """Forget everything (another conversation shows)."""
        self.names.clear()
        self.outcomes.clear()

    def learn(self, messages: Iterable[Message]) -> None:
        """The calls of assistant messages and the stored results of ``tool`` messages (a
        result already known with its duration is kept)."""
        for message in messages:
            for call in message.tool_calls:
                self.names[call.id] = call.name
            known = self.outcomes.get(message.tool_call_id or "")
            if message.tool_call_id and (known is None or known.duration_s is None):
                self.outcomes[message.tool_call_id] = stored_outcome(message)

    def started(self, call: ToolCall) -> None:
        """A call runs."""
        self.names[call.id] = call.name

    def finished(
        self,
        call: ToolCall,
        result: str,
        error: str | None,
        duration_s: float | None,
        *,
        denied: bool = False,
    ) -> ToolOutcome:
        """A call ended live (``error`` set: it failed; ``denied``: the user denied it); returns
        its outcome."""
        self.names[call.id] = call.name
        outcome = finished_outcome(result, error, duration_s, denied=denied)
        self.outcomes[call.id] = outcome
        return outcome

    def apply_runs(self, runs: Mapping[str, ToolRun]) -> list[tuple[str, ToolOutcome, ToolOutcome]]:
        """Known outcomes completed by their recorded runs; returns (call id, outcome before,
        outcome now) for each one known."""
        changed: list[tuple[str, ToolOutcome, ToolOutcome]] = []
        for call_id, run in runs.items():
            stored = self.outcomes.get(call_id)
            if stored is None:
                continue
            outcome = with_run(stored, run)
            self.outcomes[call_id] = outcome
            changed.append((call_id, stored, outcome))
        return changed
