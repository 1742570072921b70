"""What a tool-call card shows, decided without Qt: the status rules and the call's text.

``stored_outcome`` is the one place that decides a stored result was denied.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass

from chatdesk.core.models import Message, MessageStatus

__all__ = [
    "DENIED_PREFIX",
    "ToolOutcome",
    "ToolRun",
    "ToolStatus",
    "finished_outcome",
    "is_denial",
    "pretty_arguments",
    "split_tool_name",
    "stored_outcome",
    "with_run",
]

#: How a denied call's result begins (chatdesk.mcp.approvals.denied_result).
DENIED_PREFIX = "The user denied this call"


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


def with_run(outcome: ToolOutcome, run: ToolRun) -> ToolOutcome:
    """A stored result's outcome completed by its recorded run (failed, duration)."""
    if outcome.status in (ToolStatus.RUNNING, ToolStatus.NO_RESULT):
        return outcome
    status = ToolStatus.FAILED if run.failed else outcome.status
    return ToolOutcome(status, outcome.result, run.duration_s)


def is_denial(result: str) -> bool:
    """Whether a result's wording says the user denied the call (until results carry a flag)."""
    return result.startswith(DENIED_PREFIX)


def finished_outcome(
    result: str, error: str | None, duration_s: float | None, *, denied: bool | None = None
) -> ToolOutcome:
    """The outcome of a call that ended live (``error`` set: it failed; ``denied``: the user
    denied it, None: judged by the result's wording)."""
    if error is not None:
        return ToolOutcome(ToolStatus.FAILED, result or error, duration_s)
    if is_denial(result) if denied is None else denied:
        return ToolOutcome(ToolStatus.DENIED, result, duration_s)
    return ToolOutcome(ToolStatus.DONE, result, duration_s)


def stored_outcome(message: Message) -> ToolOutcome:
    """The outcome a stored ``tool`` message tells (messages carry no duration). The one place
    that decides a stored result was denied: today by its wording."""
    failed = message.status is MessageStatus.ERROR or bool(message.error)
    error = (message.error or "") if failed else None
    return finished_outcome(message.content, error, None, denied=is_denial(message.content))


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
