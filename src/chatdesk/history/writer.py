"""Write imported conversations into the chat database: one transaction each, remembered by
source id so the same conversation is never imported twice.

Works on a plain ``sqlite3`` connection in autocommit mode (``isolation_level=None``), from a
worker thread or the command line; the app's own connection keeps working (WAL).
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.attachments.sniff import NotSupported, sniff
from chatdesk.history.model import ImportedConversation, ImportedMessage, Skip
from chatdesk.storage.rows import dump_tool_calls

__all__ = ["MAX_MESSAGE_CHARS", "ConversationWriter", "Written", "database_id"]

#: A message longer than this is not a chat message: its conversation is skipped.
MAX_MESSAGE_CHARS = 8 * 1024 * 1024

_MESSAGE_SQL = (
    "INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning, status,"
    " model, prompt_tokens, completion_tokens, total_tokens, cached_tokens, reasoning_tokens,"
    " cost, error, tool_calls, tool_call_id, generation_id, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_NEXT_ID_SQL = (
    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0),"
    " coalesce((SELECT max(id) FROM messages), 0)) + 1"
)


@dataclass(frozen=True, slots=True)
class Written:
    """A conversation written: its id and how many messages and files it got."""

    conversation_id: int
    messages: int
    files: int


def database_id(conn: sqlite3.Connection) -> str:
    """The random id of this database (``meta``), which names it in exports."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()
    return str(row[0]) if row else ""


def _usage(message: ImportedMessage, key: str) -> Any:
    value = message.usage.get(key)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


class ConversationWriter:
    """Writes ``ImportedConversation``s; ``blobs`` stores their files (None: files dropped)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        blobs: LocalBlobStore | None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._conn = conn
        self._blobs = blobs
        self._clock = clock
        self.own_source = f"chatdesk:{database_id(conn)}"

    def already_imported(self, conversation: ImportedConversation) -> bool:
        """Whether this conversation (by any of its source ids) is already in the database."""
        names = [(conversation.source, conversation.source_id), *conversation.aliases]
        for source, source_id in names:
            if source == self.own_source and source_id.isdigit():
                found = self._conn.execute(
                    "SELECT 1 FROM conversations WHERE id = ?", (int(source_id),)
                ).fetchone()
            else:
                found = self._conn.execute(
                    "SELECT 1 FROM import_sources WHERE source = ? AND source_id = ?",
                    (source, source_id),
                ).fetchone()
            if found:
                return True
        return False

    def write(self, conversation: ImportedConversation) -> Written:
        """Insert ``conversation`` in one transaction; raises ``Skip`` (nothing written) for a
        message too long to keep."""
        for message in conversation.messages:
            if len(message.content) > MAX_MESSAGE_CHARS:
                size = len(message.content.encode()) / (1024 * 1024)
                limit = MAX_MESSAGE_CHARS // (1024 * 1024)
                raise Skip(f"one message is {size:.1f} MB, more than the {limit} MB a chat keeps")
        stored = self._store_files(conversation)
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            written = self._insert(conversation, stored)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return written

    def _store_files(self, conversation: ImportedConversation) -> dict[int, list[tuple[Any, ...]]]:
        """Blob files first (outside the transaction); the attachment rows by message index."""
        rows: dict[int, list[tuple[Any, ...]]] = {}
        if self._blobs is None:
            return rows
        now = self._clock()
        for index, message in enumerate(conversation.messages):
            for file in message.files:
                if file.data is None:
                    continue
                try:
                    found = sniff(file.data, file.filename)
                except NotSupported:
                    continue
                digest = hashlib.sha256(file.data).hexdigest()
                key = self._blobs.key_for(digest, found.blob_ext)
                self._blobs.put_now(key, file.data)
                rows.setdefault(index, []).append(
                    (file.filename, found.mime_type, len(file.data), digest, "local", key, now, now)
                )
        return rows

    def _insert(
        self, conversation: ImportedConversation, files: dict[int, list[tuple[Any, ...]]]
    ) -> Written:
        conn = self._conn
        now = self._clock()
        (conversation_id,) = conn.execute(
            "INSERT INTO conversations (title, title_is_default, created_at, updated_at, pinned,"
            " model, summary) VALUES (?, 0, ?, ?, ?, ?, ?) RETURNING id",
            (
                conversation.title,
                conversation.created_at,
                conversation.updated_at,
                int(conversation.pinned),
                conversation.model,
                conversation.summary,
            ),
        ).fetchone()
        first = int(conn.execute(_NEXT_ID_SQL).fetchone()[0])
        ids = {m.key: first + i for i, m in enumerate(conversation.messages)}

        def rows() -> Iterator[tuple[Any, ...]]:
            for i, m in enumerate(conversation.messages):
                yield (
                    first + i,
                    conversation_id,
                    ids.get(m.parent) if m.parent is not None else None,
                    m.role,
                    m.content,
                    m.reasoning,
                    m.status.value,
                    m.model,
                    _usage(m, "prompt_tokens"),
                    _usage(m, "completion_tokens"),
                    _usage(m, "total_tokens"),
                    _usage(m, "cached_tokens"),
                    _usage(m, "reasoning_tokens"),
                    _usage(m, "cost"),
                    m.error,
                    dump_tool_calls(m.tool_calls),
                    m.tool_call_id,
                    m.generation_id,
                    m.created_at,
                    m.updated_at if m.updated_at is not None else m.created_at,
                )

        conn.executemany(_MESSAGE_SQL, rows())
        leaf = ids.get(conversation.active) if conversation.active is not None else None
        conn.execute(
            "UPDATE conversations SET active_leaf_id = ? WHERE id = ?",
            (leaf if leaf is not None else first + len(conversation.messages) - 1, conversation_id),
        )
        sources = {(conversation.source, conversation.source_id), *conversation.aliases}
        conn.executemany(
            "INSERT OR IGNORE INTO import_sources (source, source_id, conversation_id,"
            " imported_at) VALUES (?, ?, ?, ?)",
            [(s, i, conversation_id, now) for s, i in sources if s != self.own_source],
        )
        self._insert_extras(conversation, conversation_id, ids, files)
        count = sum(len(v) for v in files.values())
        return Written(conversation_id, len(conversation.messages), count)

    def _insert_extras(
        self,
        conversation: ImportedConversation,
        conversation_id: int,
        ids: dict[str, int],
        files: dict[int, list[tuple[Any, ...]]],
    ) -> None:
        conn = self._conn
        conn.executemany(
            "INSERT INTO summaries (conversation_id, through_id, content, model, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            [
                (conversation_id, ids[s.through], s.content, s.model, s.created_at)
                for s in conversation.summaries
                if s.through in ids
            ],
        )
        records = [
            (
                ids[m.key],
                r.call_id,
                r.server_id,
                r.tool_name,
                r.arguments,
                r.result,
                r.error,
                r.status,
                r.started_at or m.created_at,
                r.duration_ms,
            )
            for m in conversation.messages
            for r in m.tool_records
        ]
        conn.executemany(
            "INSERT INTO tool_calls (message_id, call_id, server_id, tool_name, arguments, result,"
            " error, status, started_at, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            records,
        )
        conn.executemany(
            "INSERT INTO attachments (message_id, conversation_id, filename, mime_type,"
            " size_bytes, sha256, backend, blob_key, created_at, last_used_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (ids[conversation.messages[index].key], conversation_id, *row)
                for index, row_list in files.items()
                for row in row_list
            ],
        )
