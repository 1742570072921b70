"""Shared by the chat tests: stored messages made in one line."""

from __future__ import annotations

from chatdesk.core.models import Message, MessageStatus, Role


def msg(
    mid: int,
    role: Role,
    content: str,
    *,
    status: MessageStatus = MessageStatus.COMPLETE,
    **kw: object,
) -> Message:
    """Message ``mid`` of conversation 1, stamped ``mid`` seconds after a fixed time."""
    return Message(mid, 1, role, content, 1_700_000_000.0 + mid, status, **kw)  # type: ignore[arg-type]
