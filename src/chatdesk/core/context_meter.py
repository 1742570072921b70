"""How full the model's context window is with the active path (the composer's meter).

An estimate (``context.estimate_tokens``), corrected by what the provider reported: the newest
answer's ``prompt_tokens`` plus its own length counts everything up to it exactly, so only the
messages after it are estimated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatdesk.core import context
from chatdesk.core.models import Message, MessageStatus, Summary

#: The meter warns from this share of the context window on.
WARN_FRACTION = 0.8


@dataclass(frozen=True, slots=True)
class ContextUse:
    """Estimated tokens the next request carries, against the model's context length."""

    tokens: int
    limit: int | None = None

    @property
    def fraction(self) -> float | None:
        """Share of the window used (None when the limit is unknown)."""
        return self.tokens / self.limit if self.limit else None

    @property
    def warn(self) -> bool:
        """Past WARN_FRACTION of the window."""
        fraction = self.fraction
        return fraction is not None and fraction >= WARN_FRACTION


def context_use(
    path: Sequence[Message],
    summaries: Sequence[Summary],
    system_prompt: str,
    limit: int | None,
) -> ContextUse:
    """The tokens of a request built from ``path`` now (summary and system prompt included)."""
    summary = context.applicable_summary(summaries, path)
    kept = [m for m in path if summary is None or m.id > summary.through_id]
    measured = _measured_at(kept, summary)
    if measured is not None:
        index, answer = measured
        base = (answer.prompt_tokens or 0) + (answer.completion_tokens or 0)
        rest = context.to_request_messages(kept[index + 1 :])
        return ContextUse(base + sum(context.message_tokens(m) for m in rest), limit)
    system = context.system_message(system_prompt, summary)
    messages = context.to_request_messages(kept)
    if system is not None:
        messages.insert(0, system)
    return ContextUse(sum(context.message_tokens(m) for m in messages), limit)


def _measured_at(path: Sequence[Message], summary: Summary | None) -> tuple[int, Message] | None:
    """The newest complete answer whose prompt size the provider reported, sent with the
    summary in force now (an answer older than the summary was measured without it)."""
    for index in range(len(path) - 1, -1, -1):
        message = path[index]
        if (
            message.role == "assistant"
            and message.status is MessageStatus.COMPLETE
            and message.prompt_tokens
        ):
            if summary is not None and message.created_at < summary.created_at:
                return None
            return index, message
    return None
