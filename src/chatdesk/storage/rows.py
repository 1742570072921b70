"""Rows to models: the columns the chat tables are read with, and their mapping.

Shared by the async repository and the synchronous start-up snapshot, so it imports neither
asyncio nor aiosqlite.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

from chatdesk.core.models import Conversation, Message, MessageStatus, Role, ToolCall, Usage

log = logging.getLogger(__name__)

CONVERSATION_COLUMNS = (
    "id, title, title_is_default, created_at, updated_at, pinned, model, preset_id,"
    " active_leaf_id, summary"
)
MESSAGE_COLUMNS = (
    "id, conversation_id, parent_id, role, content, reasoning, status, model, prompt_tokens,"
    " completion_tokens, cost, error, tool_calls, tool_call_id, generation_id, created_at"
)
#: Pinned first, then most recently active.
CONVERSATION_ORDER = "ORDER BY pinned DESC, updated_at DESC, id DESC"
#: The end of a conversation's active path (:conv): its active leaf, or when that is unset or
#: deleted, its newest message.
LEAF_SQL = """
SELECT coalesce(
    (SELECT m.id FROM conversations AS c JOIN messages AS m ON m.id = c.active_leaf_id
     WHERE c.id = :conv AND m.deleted_at IS NULL),
    (SELECT max(id) FROM messages WHERE conversation_id = :conv AND deleted_at IS NULL)
)"""
#: Walks up the active path of :conv from its leaf, or from the parent of :before when that is
#: not NULL, at most :limit steps (-1: to the root; the walk ends on a NULL ``pid``).
#: ``messages_tree`` (id, parent_id) makes each step a lookup in a narrow index; the step is a
#: subquery, not a join, which SQLite would prepare with a Bloom filter over the whole index.
PATH_WALK_CTE = f"""
WITH RECURSIVE path(pid, n) AS (
    SELECT CASE WHEN :before IS NULL THEN ({LEAF_SQL})
           ELSE (SELECT parent_id FROM messages WHERE id = :before) END, 1
    UNION ALL
    SELECT (SELECT m.parent_id FROM messages AS m INDEXED BY messages_tree WHERE m.id = path.pid),
           path.n + 1
    FROM path WHERE path.pid IS NOT NULL AND (:limit < 0 OR path.n < :limit)
)"""
#: The last :limit messages of the active path of :conv before message :before (NULL: the
#: leaf and before it), newest first (reverse them). Ids increase along a path. CROSS JOIN
#: keeps the walk outside: the planner may otherwise scan the whole table in id order.
LAST_MESSAGES_SQL = (
    f"{PATH_WALK_CTE} SELECT {MESSAGE_COLUMNS} FROM path CROSS JOIN messages"
    " ON messages.id = path.pid ORDER BY path.n"
)
#: The ids of the active path of :conv, comma-separated, leaf first (one row: fast).
PATH_IDS_SQL = f"{PATH_WALK_CTE} SELECT group_concat(pid) FROM path WHERE pid IS NOT NULL"
#: The newest non-deleted descendant of :id (or :id itself): a leaf.
NEWEST_LEAF_SQL = """
WITH RECURSIVE below(id) AS (
    SELECT id FROM messages WHERE id = :id AND deleted_at IS NULL
    UNION ALL
    SELECT m.id FROM messages AS m JOIN below ON m.parent_id = below.id
    WHERE m.deleted_at IS NULL
)
SELECT max(id) FROM below"""
#: A conversation's messages, and the sampling MCP servers asked for in it (their cost counts).
USAGE_SQL = (
    "SELECT coalesce(sum(p), 0), coalesce(sum(c), 0), coalesce(sum(t), 0), sum(cost),"
    " coalesce(sum(cached), 0), coalesce(sum(reasoning), 0) FROM ("
    " SELECT prompt_tokens AS p, completion_tokens AS c, total_tokens AS t, cost,"
    " cached_tokens AS cached, reasoning_tokens AS reasoning FROM messages"
    " WHERE conversation_id = :id AND deleted_at IS NULL"
    " UNION ALL SELECT prompt_tokens, completion_tokens,"
    " coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0), cost, 0, 0"
    " FROM server_requests WHERE conversation_id = :id AND kind = 'sampling')"
)


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
        active_leaf_id=row["active_leaf_id"],
        summary=row["summary"],
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


def path_page_params(
    conversation_id: int, before_id: int | None, limit: int | None
) -> dict[str, int | None]:
    """LAST_MESSAGES_SQL's (and PATH_IDS_SQL's) parameters (``limit`` None: the whole path;
    callers skip the query for a limit below 1)."""
    return {"conv": conversation_id, "before": before_id, "limit": -1 if limit is None else limit}


def siblings_query(
    conversation_id: int, messages: Sequence[Message]
) -> tuple[str, list[Any]] | None:
    """SQL (and parameters) for the (parent_id, id) rows of the children of ``messages``'
    parents, the conversation's roots included when a message is one; None when ``messages``
    is empty. Each part reads an index (``messages_parent``, ``messages_roots``)."""
    if not messages:
        return None
    parents = sorted({m.parent_id for m in messages if m.parent_id is not None})
    parts = []
    params: list[Any] = []
    if parents:
        parts.append(
            "SELECT parent_id, id FROM messages"
            f" WHERE parent_id IN ({', '.join('?' * len(parents))}) AND deleted_at IS NULL"
        )
        params.extend(parents)
    if any(m.parent_id is None for m in messages):
        parts.append(
            "SELECT parent_id, id FROM messages"
            " WHERE conversation_id = ? AND parent_id IS NULL AND deleted_at IS NULL"
        )
        params.append(conversation_id)
    return " UNION ALL ".join(parts) + " ORDER BY 2", params


def with_siblings(messages: Sequence[Message], rows: Sequence[Sequence[Any]]) -> list[Message]:
    """``messages`` with ``sibling_ids`` from the (parent_id, id) rows of ``siblings_query``."""
    children: dict[int | None, list[int]] = {}
    for parent, child in rows:
        children.setdefault(parent, []).append(int(child))
    return [
        dataclasses.replace(m, sibling_ids=tuple(children.get(m.parent_id, (m.id,))))
        for m in messages
    ]
