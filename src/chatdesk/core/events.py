"""Typed events.

Two families share some classes:

* ``StreamEvent``: what a provider's stream yields to the orchestrator (text, reasoning,
  finished tool calls, finish reason, usage).
* ``TurnEvent``: what ``ChatOrchestrator`` yields to its caller (the UI controller) for a turn.
"""

from __future__ import annotations

from dataclasses import dataclass

from chatdesk.core.models import Message, ToolCall, Usage
from chatdesk.errors import ChatdeskError


@dataclass(frozen=True, slots=True)
class StreamStarted:
    """The server accepted the request; ``generation_id`` from X-Generation-Id or the chunk id."""

    generation_id: str | None = None
    model: str | None = None


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer's visible text."""

    text: str


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A piece of the model's reasoning text."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallsRequested:
    """The model finished asking for these calls (arguments accumulated by index)."""

    calls: tuple[ToolCall, ...]


@dataclass(frozen=True, slots=True)
class Finished:
    """The choice ended: ``reason`` is stop, length, tool_calls, content_filter, ..."""

    reason: str


@dataclass(frozen=True, slots=True)
class UsageReported:
    """Token counts and cost, from the final chunk."""

    usage: Usage


@dataclass(frozen=True, slots=True)
class RetryScheduled:
    """Nothing was streamed yet and the request failed in a way worth another try (a rate
    limit, a server error, no connection): the next try starts in ``delay_s`` seconds."""

    delay_s: float
    reason: str  # what went wrong, for the user


StreamEvent = (
    StreamStarted
    | TextDelta
    | ReasoningDelta
    | ToolCallsRequested
    | Finished
    | UsageReported
    | RetryScheduled
)


# --- turn events (orchestrator -> UI) ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TurnStarted:
    """A turn began: the user message is stored and the assistant placeholder exists.

    The new messages hang under ``after_id`` (None: they start a new root): a view shows the
    path up to it, then them. After an edit or a regeneration, what followed ``after_id`` before
    is another branch now."""

    conversation_id: int
    user_message: Message | None
    assistant_message_id: int
    model: str
    after_id: int | None = None


@dataclass(frozen=True, slots=True)
class AssistantContinued:
    """After a tool round: ``previous`` (the message that called tools) is complete, and the
    answer continues in a new assistant message ``message_id``."""

    previous: Message
    message_id: int


@dataclass(frozen=True, slots=True)
class ToolCallStarted:
    """A tool call is about to run."""

    call: ToolCall
    server_id: str | None = None


@dataclass(frozen=True, slots=True)
class ToolCallFinished:
    """A tool call ended (``error`` is None on success; ``denied``: the user refused it, and
    it never ran). ``duration_s`` is the tool's own run time, not the wait for approval."""

    call: ToolCall
    result: str
    error: str | None
    duration_s: float
    denied: bool = False


@dataclass(frozen=True, slots=True)
class TurnDone:
    """The assistant message is complete and stored. After a retry, ``replaced`` is the id of
    the failed, empty answer it replaced (deleted only now that the new one succeeded)."""

    message: Message
    replaced: int | None = None


@dataclass(frozen=True, slots=True)
class TurnCancelled:
    """The user stopped the turn; the partial text is stored with status cancelled."""

    message: Message


@dataclass(frozen=True, slots=True)
class TurnFailed:
    """The turn failed; ``message`` holds the partial text (status error), if one was stored.
    ``kept_previous``: a regeneration failed before any text came, and was taken back: the
    answer it was to replace is shown again."""

    error: ChatdeskError
    message: Message | None
    kept_previous: bool = False


@dataclass(frozen=True, slots=True)
class TitleChanged:
    """The conversation got its generated title."""

    conversation_id: int
    title: str


TurnEvent = (
    TurnStarted
    | AssistantContinued
    | TextDelta
    | ReasoningDelta
    | ToolCallStarted
    | ToolCallFinished
    | UsageReported
    | RetryScheduled
    | TurnDone
    | TurnCancelled
    | TurnFailed
    | TitleChanged
)
