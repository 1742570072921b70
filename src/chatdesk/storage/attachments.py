"""AttachmentStore: the ``attachments`` table (file metadata; the bytes live in blob stores).

Shares the chat database connection and its write lock through ``ChatRepository``'s public
``read``/``write``/``execute``. A row with ``message_id`` NULL is waiting to be sent, or its
message was deleted (the foreign key sets it NULL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import aiosqlite

from chatdesk.core.models import Attachment
from chatdesk.storage.db import ID_CHUNK, id_chunks, placeholders
from chatdesk.storage.repository import ChatRepository

__all__ = ["ATTACHMENT_COLUMNS", "AttachmentStore"]

ATTACHMENT_COLUMNS = (
    "id, message_id, conversation_id, filename, mime_type, size_bytes, sha256, backend,"
    " blob_key, signed_url, signed_url_expires_at, created_at, last_used_at"
)


def _attachment(row: sqlite3.Row) -> Attachment:
    return Attachment(
        id=row["id"],
        filename=row["filename"],
        mime_type=row["mime_type"],
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        backend=row["backend"],
        blob_key=row["blob_key"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
        message_id=row["message_id"],
        conversation_id=row["conversation_id"],
        signed_url=row["signed_url"],
        signed_url_expires_at=row["signed_url_expires_at"],
    )


class AttachmentStore:
    """Async access to the attachments table."""

    def __init__(self, repository: ChatRepository) -> None:
        self._repo = repository

    def now(self) -> float:
        return self._repo.now()

    async def insert(
        self,
        *,
        filename: str,
        mime_type: str,
        size_bytes: int,
        sha256: str,
        backend: str,
        blob_key: str,
        now: float | None = None,
    ) -> Attachment:
        """A new row, not yet linked to a message."""
        stamp = self._repo.now() if now is None else now

        async def op(conn: aiosqlite.Connection) -> list[sqlite3.Row]:
            return list(
                await conn.execute_fetchall(
                    "INSERT INTO attachments (filename, mime_type, size_bytes, sha256, backend,"
                    " blob_key, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                    f" RETURNING {ATTACHMENT_COLUMNS}",
                    (filename, mime_type, size_bytes, sha256, backend, blob_key, stamp, stamp),
                )
            )

        rows = await self._repo.write("save the attachment", op)
        return _attachment(rows[0])

    async def get_many(self, ids: Sequence[int]) -> list[Attachment]:
        """The rows with these ids, in id order (missing ids are left out)."""
        found: list[Attachment] = []
        for chunk in id_chunks(ids):
            rows = await self._repo.read(
                "load the attachments",
                f"SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id IN ({placeholders(chunk)})",
                chunk,
            )
            found.extend(_attachment(r) for r in rows)
        return sorted(found, key=lambda a: a.id)

    async def for_messages(self, message_ids: Sequence[int]) -> dict[int, list[Attachment]]:
        """Attachments by message id, each list in the order they were added."""
        out: dict[int, list[Attachment]] = {}
        for chunk in id_chunks(message_ids):
            rows = await self._repo.read(
                "load the attachments",
                f"SELECT {ATTACHMENT_COLUMNS} FROM attachments"
                f" WHERE message_id IN ({placeholders(chunk)}) ORDER BY id",
                chunk,
            )
            for row in rows:
                out.setdefault(row["message_id"], []).append(_attachment(row))
        return out

    async def for_conversation(self, conversation_id: int) -> list[Attachment]:
        rows = await self._repo.read(
            "load the attachments",
            f"SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [_attachment(r) for r in rows]

    async def link(self, ids: Sequence[int], message_id: int, conversation_id: int) -> int:
        """Attach the rows to a message (and its conversation); returns how many changed."""
        changed = 0
        for chunk in id_chunks(ids):
            changed += await self._repo.execute(
                "link the attachments to the message",
                "UPDATE attachments SET message_id = ?, conversation_id = ?"
                f" WHERE id IN ({placeholders(chunk)})",
                (message_id, conversation_id, *chunk),
            )
        return changed

    async def touch(self, ids: Sequence[int], now: float) -> None:
        """Mark the rows used at ``now`` (retention counts from the last use)."""
        for chunk in id_chunks(ids):
            await self._repo.execute(
                "mark the attachments as used",
                f"UPDATE attachments SET last_used_at = ? WHERE id IN ({placeholders(chunk)})"
                " AND last_used_at < ?",
                (now, *chunk, now),
            )

    async def set_signed_url(self, attachment_id: int, url: str, expires_at: float) -> None:
        await self._repo.execute(
            "save the attachment's link",
            "UPDATE attachments SET signed_url = ?, signed_url_expires_at = ? WHERE id = ?",
            (url, expires_at, attachment_id),
        )

    async def unused(
        self,
        *,
        orphans_before: float,
        linked_before: float | None,
        limit: int,
        after: tuple[float, int] | None = None,
    ) -> list[Attachment]:
        """Rows to reap, oldest use first: rows without a message (never sent, or the message
        was deleted) last used before ``orphans_before``, and any row last used before
        ``linked_before`` (None: linked rows are kept). ``after`` continues from the
        (last_used_at, id) of the previous page."""
        where = "(message_id IS NULL AND last_used_at < ?)"
        params: list[Any] = [orphans_before]
        if linked_before is not None:
            where = f"({where} OR last_used_at < ?)"
            params.append(linked_before)
        if after is not None:
            where += " AND (last_used_at, id) > (?, ?)"
            params.extend(after)
        rows = await self._repo.read(
            "find unused attachments",
            f"SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE {where}"
            " ORDER BY last_used_at, id LIMIT ?",
            (*params, max(limit, 0)),
        )
        return [_attachment(r) for r in rows]

    async def blobs_only_in(self, ids: Sequence[int]) -> set[tuple[str, str]]:
        """(backend, blob_key) pairs that no row outside ``ids`` uses: deleting these rows
        leaves those blobs unused."""
        chunk = list(dict.fromkeys(ids))
        if not chunk:
            return set()
        if len(chunk) > ID_CHUNK:
            raise ValueError(f"at most {ID_CHUNK} ids at a time")
        marks = placeholders(chunk)
        rows = await self._repo.read(
            "find unused attachment files",
            "SELECT DISTINCT a.backend, a.blob_key FROM attachments AS a"
            f" WHERE a.id IN ({marks}) AND NOT EXISTS (SELECT 1 FROM attachments AS b"
            " WHERE b.sha256 = a.sha256 AND b.backend = a.backend AND b.blob_key = a.blob_key"
            f" AND b.id NOT IN ({marks}))",
            (*chunk, *chunk),
        )
        return {(str(r[0]), str(r[1])) for r in rows}

    async def delete(self, ids: Sequence[int]) -> int:
        """Delete rows; returns how many."""
        deleted = 0
        for chunk in id_chunks(ids):
            deleted += await self._repo.execute(
                "delete the attachments",
                f"DELETE FROM attachments WHERE id IN ({placeholders(chunk)})",
                chunk,
            )
        return deleted
