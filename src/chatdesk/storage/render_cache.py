"""The render cache: HTML of the newest answers of the conversation open at the last quit.

The next start shows them from here (read with the start-up snapshot) before the Markdown
parser has even loaded. Each row belongs to its message: deleting the message, or changing its
text, drops the row (foreign key, trigger). A row made by another renderer or for the other
palette (``render_key``) is ignored. The whole table is rewritten at every quit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from chatdesk.storage import db

if TYPE_CHECKING:
    import aiosqlite

    from chatdesk.storage.repository import ChatRepository


class CachedRender(NamedTuple):
    """A message's rendered HTML and the code blocks its ``copy-code:<n>`` links copy."""

    message_id: int
    html: str
    code_blocks: tuple[str, ...]


def read_render_cache(
    conn: sqlite3.Connection, render_key: str, message_ids: Iterable[int]
) -> dict[int, CachedRender]:
    """The cached renders of ``message_ids`` made under ``render_key`` (synchronous: start-up)."""
    ids = list(message_ids)
    if not ids:
        return {}
    marks = db.placeholders(ids)
    rows = conn.execute(
        "SELECT message_id, html, code_blocks FROM render_cache"
        f" WHERE render_key = ? AND message_id IN ({marks})",
        (render_key, *ids),
    ).fetchall()
    found: dict[int, CachedRender] = {}
    for message_id, html, codes in rows:
        blocks = json.loads(codes)
        if isinstance(blocks, list) and all(isinstance(b, str) for b in blocks):
            found[message_id] = CachedRender(message_id, html, tuple(blocks))
    return found


async def save_render_cache(
    repo: ChatRepository, render_key: str, renders: Sequence[CachedRender]
) -> None:
    """Replace the cache with ``renders`` (of messages that still exist)."""

    async def body(conn: aiosqlite.Connection) -> None:
        await conn.execute("DELETE FROM render_cache")
        await conn.executemany(
            "INSERT INTO render_cache (message_id, render_key, html, code_blocks)"
            " SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM messages WHERE id = ?)",
            [
                (r.message_id, render_key, r.html, json.dumps(r.code_blocks), r.message_id)
                for r in renders
            ],
        )

    async def op(conn: aiosqlite.Connection) -> None:
        await db.transaction(conn, lambda: body(conn))

    await repo.write("save the render cache", op)
