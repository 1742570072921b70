"""What the ledger keeps of a server's request to us (sampling, elicitation)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

__all__ = ["Record", "ServerRequestRecord"]


@dataclass(frozen=True, slots=True)
class ServerRequestRecord:
    """One sampling or elicitation request and how it ended."""

    kind: str  # sampling | elicitation
    conversation_id: int | None
    server_id: str
    request: str  # JSON of what the server asked (no answer content for elicitation)
    status: str  # ok, denied, declined, cancelled, withheld, error
    decision: str  # policy, once, edited, denied, accept, decline, cancel
    model: str = ""
    result_chars: int | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost: float | None = None
    error: str | None = None
    started_at: float = 0.0
    duration_ms: float | None = None


Record = Callable[[ServerRequestRecord], Awaitable[None]]
