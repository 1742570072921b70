"""The conversation a tool call belongs to, for callers that cannot pass it along.

Tiny on purpose (no pydantic, no mcp SDK): the controller may import it at start-up.
``asyncio`` tasks copy the context they are created in, so the orchestrator's parallel tool
calls started inside ``conversation_scope(id)`` all see ``id``.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

current_conversation: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "chatdesk_current_conversation", default=None
)


@contextlib.contextmanager
def conversation_scope(conversation_id: int | None) -> Iterator[None]:
    """Tool calls started inside (and in tasks created inside) belong to ``conversation_id``."""
    token = current_conversation.set(conversation_id)
    try:
        yield
    finally:
        current_conversation.reset(token)
