"""ChatRepository: conversations, messages, tool calls and full-text search in SQLite.

Plain asyncio, no Qt. Every write commits before the call returns (autocommit, or one short
``BEGIN IMMEDIATE`` transaction), so a killed process loses at most the write in flight.
Writes are serialised by a lock and shielded from cancellation: a caller cancelled mid-write
gets ``CancelledError`` while the write still completes (or rolls back) as a whole.
Ids that do not exist are ignored by the updating methods. SQLite failures surface as
``StorageError`` with a message fit for the user. The search query, its SQL and SearchHit
live in chatdesk.storage.search; SearchHit is re-exported here.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import aiosqlite

from chatdesk.core.models import Conversation, Message, MessageStatus, Role, ToolCall, Usage
from chatdesk.core.ports import AFTER_LEAF
from chatdesk.errors import StorageError
from chatdesk.storage import db
from chatdesk.storage.branches import BranchDeletion, BranchStore
from chatdesk.storage.ledger import LedgerStore
from chatdesk.storage.migrations import MIGRATIONS, migrate
from chatdesk.storage.rows import (
    CONVERSATION_COLUMNS,
    CONVERSATION_ORDER,
    LAST_MESSAGES_SQL,
    LEAF_SQL,
    MESSAGE_COLUMNS,
    USAGE_SQL,
    conversation_from_row,
    dump_tool_calls,
    message_from_row,
    path_page_params,
    usage_from_row,
)
from chatdesk.storage.search import SearchHit, SearchStore

__all__ = [
    "INTERRUPTED_ERROR",
    "MESSAGE_COLUMNS",
    "BranchDeletion",
    "ChatRepository",
    "SearchHit",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

INTERRUPTED_ERROR = "Interrupted: chatdesk was closed while this answer streamed"


def _log_orphan_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and (exc := task.exception()) is not None:
        log.error("A write whose caller was cancelled failed: %s", exc)


class ChatRepository(BranchStore, SearchStore, LedgerStore):
    """Async access to the chat database. Create with ``await ChatRepository.open(path)``.

    The tree operations (paths, switching, deleting and copying branches, summaries) come
    from ``BranchStore`` (chatdesk.storage.branches), full-text search from ``SearchStore``
    (chatdesk.storage.search), the ledger of tool calls from ``LedgerStore``."""

    def __init__(
        self, conn: aiosqlite.Connection, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._conn: aiosqlite.Connection | None = conn
        self._clock = clock
        self._write_lock = asyncio.Lock()
        self._writes: set[asyncio.Future[Any]] = set()

    # --- lifecycle ------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        migrations: Sequence[tuple[int, str, str]] = MIGRATIONS,
        clock: Callable[[], float] = time.time,
    ) -> ChatRepository:
        """Connect to ``path``, back it up if a migration is pending, migrate, and return."""
        conn = await db.connect(path)
        try:
            await migrate(conn, path, migrations, clock=clock)
        except (sqlite3.Error, OSError) as exc:
            await conn.close()
            reason = db.describe(exc) if isinstance(exc, sqlite3.Error) else str(exc)
            raise StorageError(
                f"Could not prepare the chat database {path}: {reason}.", detail=repr(exc)
            ) from exc
        except BaseException:
            await conn.close()
            raise
        return cls(conn, clock=clock)

    @property
    def closed(self) -> bool:
        """Whether ``close`` was called."""
        return self._conn is None

    async def close(self) -> None:
        """Finish pending writes, checkpoint the WAL and close. Calling it again does nothing."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if self._writes:
                await asyncio.gather(*self._writes, return_exceptions=True)
            with db.storage_errors("close the chat database"):
                await conn.execute_fetchall("PRAGMA optimize")
                await conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            await conn.close()

    # --- plumbing -------------------------------------------------------------------------

    def _connection(self, action: str) -> aiosqlite.Connection:
        if self._conn is None:
            raise StorageError(f"Could not {action}: the chat database is closed.")
        return self._conn

    # Stores of other tables (presets, attachments) share this connection and its write lock.

    async def read(
        self, action: str, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> list[sqlite3.Row]:
        """Rows of one query; ``action`` names it in error messages ("load the presets")."""
        conn = self._connection(action)
        with db.storage_errors(action):
            return list(await conn.execute_fetchall(sql, params))

    async def write(self, action: str, op: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run ``op`` under the write lock; it finishes even if the caller is cancelled."""
        conn = self._connection(action)

        async def locked() -> T:
            async with self._write_lock:
                with db.storage_errors(action):
                    return await op(conn)

        task = asyncio.ensure_future(locked())
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(_log_orphan_failure)
            raise

    def now(self) -> float:
        """The repository's clock (injected in tests)."""
        return self._clock()

    async def execute(self, action: str, sql: str, params: Sequence[Any] = ()) -> int:
        """One autocommitted statement; returns the number of changed rows."""

        async def op(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

        return await self.write(action, op)

    # --- conversations --------------------------------------------------------------------

    async def create_conversation(
        self, title: str = "New chat", *, model: str | None = None, preset_id: int | None = None
    ) -> Conversation:
        """Create an empty conversation (its title still marked as the default)."""
        now = self._clock()

        async def op(conn: aiosqlite.Connection) -> list[sqlite3.Row]:
            return list(
                await conn.execute_fetchall(
                    "INSERT INTO conversations (title, title_is_default, created_at, updated_at,"
                    " model, preset_id) VALUES (?, 1, ?, ?, ?, ?)"
                    f" RETURNING {CONVERSATION_COLUMNS}",
                    (title, now, now, model, preset_id),
                )
            )

        rows = await self.write("create the conversation", op)
        return conversation_from_row(rows[0])

    async def get_conversation(self, conversation_id: int) -> Conversation | None:
        """The conversation, or None when it does not exist."""
        rows = await self.read(
            "load the conversation",
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?",
            (conversation_id,),
        )
        return conversation_from_row(rows[0]) if rows else None

    async def list_conversations(
        self, *, title_filter: str | None = None, limit: int | None = None
    ) -> list[Conversation]:
        """Pinned first, then most recently active; ``title_filter`` is a caseless substring."""
        needle = (title_filter or "").strip().casefold()
        where, params = "", []
        if needle:
            where, params = "WHERE instr(chatdesk_casefold(title), ?) > 0", [needle]
        rows = await self.read(
            "load the conversations",
            f"SELECT {CONVERSATION_COLUMNS} FROM conversations {where}"
            f" {CONVERSATION_ORDER} LIMIT ?",
            (*params, -1 if limit is None else max(limit, 0)),
        )
        return [conversation_from_row(row) for row in rows]

    async def rename_conversation(
        self, conversation_id: int, title: str, *, generated: bool = False
    ) -> bool:
        """Set the title; a ``generated`` one never replaces a title the user chose.

        Returns whether the title was set (False for a missing conversation too).
        """
        sql = "UPDATE conversations SET title = ?, title_is_default = 0 WHERE id = ?"
        if generated:
            sql += " AND title_is_default = 1"
        return await self.execute("rename the conversation", sql, (title, conversation_id)) > 0

    async def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        """Pin or unpin a conversation."""
        await self.execute(
            "pin the conversation",
            "UPDATE conversations SET pinned = ? WHERE id = ?",
            (int(pinned), conversation_id),
        )

    async def set_conversation_model(
        self, conversation_id: int, model: str | None, preset_id: int | None = None
    ) -> None:
        """Remember the model (and preset, None to clear) a conversation uses."""
        await self.execute(
            "save the conversation's model",
            "UPDATE conversations SET model = ?, preset_id = ? WHERE id = ?",
            (model, preset_id, conversation_id),
        )

    async def delete_conversation(self, conversation_id: int) -> None:
        """Delete a conversation with its messages, tool calls and search entries."""
        await self.execute(
            "delete the conversation", "DELETE FROM conversations WHERE id = ?", (conversation_id,)
        )

    # --- messages -------------------------------------------------------------------------

    async def append_message(
        self,
        conversation_id: int,
        role: Role,
        content: str,
        *,
        status: MessageStatus = MessageStatus.COMPLETE,
        model: str | None = None,
        parent_id: int | Literal["leaf"] | None = AFTER_LEAF,
        reasoning: str = "",
        tool_calls: Sequence[ToolCall] = (),
        tool_call_id: str | None = None,
    ) -> Message:
        """Add a message under ``parent_id`` (default: after the active leaf; None: a new
        root), make it the active leaf and mark the conversation active."""
        now = self._clock()
        params = (
            conversation_id,
            role,
            content,
            reasoning,
            MessageStatus(status).value,
            model,
            dump_tool_calls(tool_calls),
            tool_call_id,
            now,
            now,
        )

        async def op(conn: aiosqlite.Connection) -> list[sqlite3.Row]:
            async def body() -> list[sqlite3.Row]:
                parent = parent_id
                if parent == AFTER_LEAF:
                    leaf = list(await conn.execute_fetchall(LEAF_SQL, {"conv": conversation_id}))
                    parent = leaf[0][0] if leaf else None
                rows = list(
                    await conn.execute_fetchall(
                        "INSERT INTO messages (conversation_id, role, content, reasoning, status,"
                        " model, tool_calls, tool_call_id, created_at, updated_at, parent_id)"
                        f" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {MESSAGE_COLUMNS}",
                        (*params, parent),
                    )
                )
                await conn.execute(
                    "UPDATE conversations SET updated_at = ?, active_leaf_id = ? WHERE id = ?",
                    (now, rows[0]["id"], conversation_id),
                )
                return rows

            return await db.transaction(conn, body)

        rows = await self.write("save the message", op)
        return message_from_row(rows[0])

    async def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        reasoning: str | None = None,
        status: MessageStatus | None = None,
        model: str | None = None,
        usage: Usage | None = None,
        error: str | None = None,
        generation_id: str | None = None,
        tool_calls: Sequence[ToolCall] | None = None,
    ) -> None:
        """Change only the fields given (None leaves a field as it is)."""
        changes: dict[str, Any] = {}
        if content is not None:
            changes["content"] = content
        if reasoning is not None:
            changes["reasoning"] = reasoning
        if status is not None:
            changes["status"] = MessageStatus(status).value
        if model is not None:
            changes["model"] = model
        if usage is not None:
            changes.update(
                prompt_tokens=usage.prompt_tokens,
                completion_tokens=usage.completion_tokens,
                total_tokens=usage.total_tokens,
                cached_tokens=usage.cached_tokens,
                reasoning_tokens=usage.reasoning_tokens,
                cost=usage.cost,
            )
        if error is not None:
            changes["error"] = error
        if generation_id is not None:
            changes["generation_id"] = generation_id
        if tool_calls is not None:
            changes["tool_calls"] = dump_tool_calls(tool_calls)
        if not changes:
            return
        changes["updated_at"] = self._clock()
        assignments = ", ".join(f"{column} = ?" for column in changes)
        await self.execute(
            "save the message",
            f"UPDATE messages SET {assignments} WHERE id = ?",
            (*changes.values(), message_id),
        )

    async def get_message(self, message_id: int) -> Message | None:
        """The message, or None when it does not exist."""
        rows = await self.read(
            "load the message",
            f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?",
            (message_id,),
        )
        return message_from_row(rows[0]) if rows else None

    async def list_messages(
        self, conversation_id: int, *, limit: int | None = None, before_id: int | None = None
    ) -> list[Message]:
        """The active path, oldest first, each message with its ``sibling_ids``; with
        ``limit``, only its last ``limit`` messages before ``before_id``."""
        if limit is not None and limit < 1:
            return []
        params = path_page_params(conversation_id, before_id, limit)
        rows = await self.read("load the messages", LAST_MESSAGES_SQL, params)
        rows.reverse()
        return await self.add_siblings(conversation_id, [message_from_row(r) for r in rows])

    async def import_messages(
        self, conversation_id: int, messages: Iterable[tuple[Role, str]]
    ) -> int:
        """Add many complete messages after the active leaf in one transaction; returns how
        many. Ids are given up front (each message's parent is the one before it), so the rows
        go in with one ``executemany``."""
        now = self._clock()

        async def op(conn: aiosqlite.Connection) -> int:
            async def body() -> int:
                leaf = list(await conn.execute_fetchall(LEAF_SQL, {"conv": conversation_id}))
                (row,) = await conn.execute_fetchall(
                    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence"
                    " WHERE name = 'messages'), 0), coalesce(max(id), 0)) + 1 FROM messages"
                )
                first = int(row[0])
                previous = leaf[0][0] if leaf else None
                count = 0

                def rows() -> Iterator[tuple[Any, ...]]:
                    nonlocal count
                    for role, content in messages:
                        parent = previous if count == 0 else first + count - 1
                        yield (first + count, conversation_id, parent, role, content, now, now)
                        count += 1

                await conn.executemany(
                    "INSERT INTO messages (id, conversation_id, parent_id, role, content, status,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'complete', ?, ?)",
                    rows(),
                )
                if count:
                    await conn.execute(
                        "UPDATE conversations SET updated_at = ?, active_leaf_id = ? WHERE id = ?",
                        (now, first + count - 1, conversation_id),
                    )
                return count

            return await db.transaction(conn, body)

        return await self.write("import the messages", op)

    async def recover_interrupted(self) -> int:
        """Mark answers left 'streaming' by a killed app as cancelled; returns how many."""
        return await self.execute(
            "recover interrupted answers",
            "UPDATE messages SET status = 'cancelled', error = ?, updated_at = ?"
            " WHERE status = 'streaming'",
            (INTERRUPTED_ERROR, self._clock()),
        )

    # --- tools and usage ------------------------------------------------------------------

    async def tool_runs(
        self, message_ids: Sequence[int]
    ) -> dict[str, tuple[bool, float | None, bool]]:
        """Call id -> (failed, duration in seconds, denied) of the recorded calls of these
        messages."""
        runs: dict[str, tuple[bool, float | None, bool]] = {}
        sql = "SELECT call_id, status, duration_ms FROM tool_calls WHERE message_id IN"
        for ids in db.id_chunks(message_ids):
            rows = await self.read("load the tool calls", f"{sql} ({db.placeholders(ids)})", ids)
            for call_id, status, ms in rows:
                took = None if ms is None else ms / 1000
                runs[str(call_id)] = (status == "error", took, status == "denied")
        return runs

    async def data_version(self) -> int:
        """SQLite's ``data_version``: changes when another connection (the command line, an
        import in a worker thread) commits to the database."""
        rows = await self.read("check the database for changes", "PRAGMA data_version")
        return int(rows[0][0])

    async def conversation_usage(self, conversation_id: int) -> Usage:
        """Token and cost totals of a conversation (cost None when no message had one)."""
        rows = await self.read("load the conversation's usage", USAGE_SQL, {"id": conversation_id})
        return usage_from_row(rows[0])
