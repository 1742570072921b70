"""What the window shows at start, read synchronously before the event loop exists.

The first paint must not wait for asyncio, aiosqlite or the migrations: the sidebar list and
the last conversation's newest messages are read here with the standard ``sqlite3`` module, and
the async repository takes over a moment later. Anything unexpected (no database yet, an older
schema, a locked or damaged file) gives an empty snapshot; the repository then reports it.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from chatdesk.core.models import Conversation, Message, Usage
from chatdesk.storage.render_cache import CachedRender, read_render_cache
from chatdesk.storage.rows import (
    CONVERSATION_COLUMNS,
    CONVERSATION_ORDER,
    LAST_MESSAGES_SQL,
    USAGE_SQL,
    conversation_from_row,
    message_from_row,
    path_page_params,
    siblings_query,
    usage_from_row,
    with_siblings,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StartSnapshot:
    """The sidebar list and, when it still exists, the conversation to reopen."""

    conversations: list[Conversation] = field(default_factory=list)
    conversation: Conversation | None = None
    #: The newest messages of ``conversation``'s active path, oldest first.
    messages: list[Message] = field(default_factory=list)
    has_older: bool = False
    usage: Usage = field(default_factory=Usage)
    #: False when nothing could be read (the repository loads everything instead).
    complete: bool = False
    #: Stored renders of ``messages`` (by message id) made under the requested render key.
    renders: dict[int, CachedRender] = field(default_factory=dict)


def read_snapshot(
    path: Path, conversation_id: int | None, page: int, render_key: str | None = None
) -> StartSnapshot:
    """The start-up view of the database at ``path``; never raises for a bad database. With a
    ``render_key``, the messages' cached renders made under it come too."""
    if not path.is_file():
        return StartSnapshot(complete=True)  # a first run: nothing to show
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0.2)
    except sqlite3.Error as exc:
        log.info("start-up snapshot skipped: %s", exc)
        return StartSnapshot()
    try:
        conn.row_factory = sqlite3.Row
        conversations = [
            conversation_from_row(row)
            for row in conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations {CONVERSATION_ORDER}"
            )
        ]
        current = next((c for c in conversations if c.id == conversation_id), None)
        if current is None:
            return StartSnapshot(conversations, complete=True)
        params = path_page_params(current.id, None, page + 1)
        rows = conn.execute(LAST_MESSAGES_SQL, params).fetchall()
        rows.reverse()
        messages = [message_from_row(row) for row in rows[-page:]] if page > 0 else []
        query = siblings_query(current.id, messages)
        if query is not None:
            messages = with_siblings(messages, conn.execute(*query).fetchall())
        usage = usage_from_row(conn.execute(USAGE_SQL, {"id": current.id}).fetchone())
        renders = _renders(conn, render_key, messages) if render_key else {}
        return StartSnapshot(
            conversations, current, messages, len(rows) > page, usage, True, renders
        )
    except (sqlite3.Error, ValueError, KeyError, IndexError) as exc:
        log.info("start-up snapshot skipped: %s", exc)
        return StartSnapshot()
    finally:
        conn.close()


def _renders(
    conn: sqlite3.Connection, render_key: str, messages: list[Message]
) -> dict[int, CachedRender]:
    """Cached renders of the assistant's messages; none when the cache cannot be read."""
    ids = [m.id for m in messages if m.role == "assistant" and m.content]
    try:
        return read_render_cache(conn, render_key, ids)
    except (sqlite3.Error, ValueError) as exc:  # e.g. a database from before the cache
        log.info("render cache skipped: %s", exc)
        return {}
