"""What a tool-call card shows, decided without Qt: the status rules and the call's text.

A denied call is known by its flag: live on the result, stored with the call's run.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass

from chatdesk.core.models import Message, MessageStatus

__all__ = [
    "ToolOutcome",
    "ToolRun",
    "ToolStatus",
    "finished_outcome",
    "pretty_arguments",
    "split_tool_name",
    "stored_outcome",
    "with_run",
]


class ToolStatus(enum.StrEnum):
    """What a card says about its call."""

    RUNNING = "running…"
    DONE = "done"
    FAILED = "failed"
    DENIED = "denied"
    NO_RESULT = "no result"  # stored without a result (stopped, or the app closed meanwhile)


@dataclass(frozen=True, slots=True)
class ToolOutcome:
    """A call's state, result text and duration in seconds (None when unknown)."""

    status: ToolStatus
    result: str = ""
    duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class ToolRun:
    """What the database recorded about an executed call (its ``tool_calls`` row)."""

    failed: bool
    duration_s: float | None = None
    denied: bool = False


def with_run(outcome: ToolOutcome, run: ToolRun) -> ToolOutcome:
    """A stored result's outcome completed by its recorded run (failed, denied, duration)."""
    if outcome.status in (ToolStatus.RUNNING, ToolStatus.NO_RESULT):
        return outcome
    status = outcome.status
    if run.failed:
        status = ToolStatus.FAILED
    elif run.denied:
        status = ToolStatus.DENIED
    return ToolOutcome(status, outcome.result, run.duration_s)


def finished_outcome(
    result: str, error: str | None, duration_s: float | None, *, denied: bool = False
) -> ToolOutcome:
    """The outcome of a call that ended live (``error`` set: it failed; ``denied``: the user
    denied it, as its result's flag says)."""
    if error is not None:
        return ToolOutcome(ToolStatus.FAILED, result or error, duration_s)
    if denied:
        return ToolOutcome(ToolStatus.DENIED, result, duration_s)
    return ToolOutcome(ToolStatus.DONE, result, duration_s)


def stored_outcome(message: Message) -> ToolOutcome:
    """The outcome a stored ``tool`` message tells (done or failed; messages carry no duration).
    Whether the user denied it is recorded with the call's run (:func:`with_run`)."""
    failed = message.status is MessageStatus.ERROR or bool(message.error)
    error = (message.error or "") if failed else None
    return finished_outcome(message.content, error, None)


def split_tool_name(exposed: str) -> tuple[str, str]:
    """``("calculate", "calculator")`` for ``calculator__calculate``; no server: ``(name, "")``."""
    server, sep, tool = exposed.partition("__")
    if sep and server and tool:
        return tool, server
    return exposed, ""


def pretty_arguments(arguments: str) -> str:
    """The arguments as indented JSON; text that is not JSON comes back as it is."""
    if not arguments.strip():
        return "{}"
    try:
        value = json.loads(arguments)
    except ValueError:
        return arguments
    return json.dumps(value, indent=2, ensure_ascii=False)
