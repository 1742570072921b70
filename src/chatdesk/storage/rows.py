"""Rows to models: the columns the chat tables are read with, and their mapping.

Shared by the async repository and the synchronous start-up snapshot, so it imports neither
asyncio nor aiosqlite.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Sequence
from typing import cast

from chatdesk.core.models import Conversation, Message, MessageStatus, Role, ToolCall, Usage

log = logging.getLogger(__name__)

CONVERSATION_COLUMNS = (
    "id, title, title_is_default, created_at, updated_at, pinned, model, preset_id"
)
MESSAGE_COLUMNS = (
    "id, conversation_id, parent_id, role, content, reasoning, status, model, prompt_tokens,"
    " completion_tokens, cost, error, tool_calls, tool_call_id, generation_id, created_at"
)
#: Pinned first, then most recently active.
CONVERSATION_ORDER = "ORDER BY pinned DESC, updated_at DESC, id DESC"
#: The last messages of a conversation before an id, newest first (reverse them).
LAST_MESSAGES_SQL = (
    f"SELECT {MESSAGE_COLUMNS} FROM messages"
    " WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
)
USAGE_SQL = (
    "SELECT coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0),"
    " coalesce(sum(total_tokens), 0), sum(cost), coalesce(sum(cached_tokens), 0),"
    " coalesce(sum(reasoning_tokens), 0) FROM messages WHERE conversation_id = ?"
)
#: Larger than any rowid: "no upper bound" for message windows.
NO_BOUND = 2**63 - 1


def dump_tool_calls(calls: Sequence[ToolCall]) -> str | None:
    """The JSON stored in ``messages.tool_calls``; None when there are none."""
    if not calls:
        return None
    items = [{"id": c.id, "name": c.name, "arguments": c.arguments} for c in calls]
    return json.dumps(items, ensure_ascii=False, separators=(",", ":"))


def load_tool_calls(text: str | None, message_id: int) -> tuple[ToolCall, ...]:
    """Tool calls from ``messages.tool_calls``; unreadable JSON is logged and ignored."""
    if not text:
        return ()
    try:
        items = json.loads(text)
        return tuple(ToolCall(str(i["id"]), str(i["name"]), str(i["arguments"])) for i in items)
    except (ValueError, TypeError, KeyError):
        log.warning("Ignoring unreadable tool_calls of message %d", message_id)
        return ()


def conversation_from_row(row: sqlite3.Row) -> Conversation:
    """A row of ``CONVERSATION_COLUMNS``."""
    return Conversation(
        id=row["id"],
        title=row["title"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        pinned=bool(row["pinned"]),
        model=row["model"],
        preset_id=row["preset_id"],
        title_is_default=bool(row["title_is_default"]),
    )


def message_from_row(row: sqlite3.Row) -> Message:
    """A row of ``MESSAGE_COLUMNS``."""
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        role=cast(Role, row["role"]),
        content=row["content"],
        created_at=row["created_at"],
        status=MessageStatus(row["status"]),
        model=row["model"],
        reasoning=row["reasoning"],
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        cost=row["cost"],
        error=row["error"],
        parent_id=row["parent_id"],
        tool_calls=load_tool_calls(row["tool_calls"], row["id"]),
        tool_call_id=row["tool_call_id"],
        generation_id=row["generation_id"],
    )


def usage_from_row(row: Sequence[object]) -> Usage:
    """The one row of ``USAGE_SQL``."""
    prompt, completion, total, cost, cached, reasoning = row
    return Usage(
        prompt_tokens=int(cast(int, prompt)),
        completion_tokens=int(cast(int, completion)),
        total_tokens=int(cast(int, total)),
        cost=None if cost is None else float(cast(float, cost)),
        cached_tokens=int(cast(int, cached)),
        reasoning_tokens=int(cast(int, reasoning)),
    )
