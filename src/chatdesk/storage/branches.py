"""The message tree of ``ChatRepository``: active paths, switching, deleting and copying
branches, and compaction summaries.

A conversation's messages form a tree through ``parent_id``; the conversation shows the path
that ends at its ``active_leaf_id``. A child's id is always above its parent's, so the ids of
a path increase and the newest descendant of a message is a leaf. Deleting a branch only marks
it (``deleted_at``) so Undo can bring it back; ``purge_deleted`` removes marked rows for good.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from chatdesk.core.models import Conversation, Message, Summary
from chatdesk.storage import db
from chatdesk.storage.rows import (
    CONVERSATION_COLUMNS,
    LEAF_SQL,
    MESSAGE_COLUMNS,
    NEWEST_LEAF_SQL,
    PATH_IDS_SQL,
    conversation_from_row,
    message_from_row,
    path_page_params,
    siblings_query,
    with_siblings,
)

if TYPE_CHECKING:
    import aiosqlite

T = TypeVar("T")

SUMMARY_COLUMNS = "id, conversation_id, through_id, content, created_at, model"

#: The message :id and everything under it (deleted or not).
_SUBTREE_SQL = """
WITH RECURSIVE below(id) AS (
    SELECT id FROM messages WHERE id = :id
    UNION ALL
    SELECT m.id FROM messages AS m JOIN below ON m.parent_id = below.id
)
SELECT id FROM below"""


@dataclass(frozen=True, slots=True)
class BranchDeletion:
    """A branch marked deleted: what ``restore_branch`` needs to bring it back."""

    conversation_id: int
    message_ids: tuple[int, ...]
    previous_leaf: int | None
    new_leaf: int | None


def _summary(row: sqlite3.Row) -> Summary:
    return Summary(
        id=row["id"],
        conversation_id=row["conversation_id"],
        through_id=row["through_id"],
        content=row["content"],
        created_at=row["created_at"],
        model=row["model"],
    )


async def _scalar(conn: aiosqlite.Connection, sql: str, params: Any) -> Any:
    rows = list(await conn.execute_fetchall(sql, params))
    return rows[0][0] if rows else None


class BranchStore:
    """The tree half of ``ChatRepository`` (which provides ``read``, ``write`` and ``now``)."""

    if TYPE_CHECKING:

        async def read(
            self, action: str, sql: str, params: Sequence[Any] | dict[str, Any] = ()
        ) -> list[sqlite3.Row]: ...

        async def write(
            self, action: str, op: Callable[[aiosqlite.Connection], Awaitable[T]]
        ) -> T: ...

        def now(self) -> float: ...

    # -- reading paths ---------------------------------------------------------------------

    async def active_path_ids(self, conversation_id: int) -> list[int]:
        """The ids of the conversation's active path, root first."""
        params = path_page_params(conversation_id, None, None)
        rows = await self.read("load the conversation's branch", PATH_IDS_SQL, params)
        text = rows[0][0] if rows else None
        return [int(i) for i in reversed(text.split(","))] if text else []

    async def add_siblings(self, conversation_id: int, messages: list[Message]) -> list[Message]:
        """``messages`` (of one conversation) with their ``sibling_ids``."""
        rows: list[sqlite3.Row] = []
        for start in range(0, len(messages), db.ID_CHUNK):
            query = siblings_query(conversation_id, messages[start : start + db.ID_CHUNK])
            if query is not None:
                rows.extend(await self.read("load the alternatives", *query))
        return with_siblings(messages, list(dict.fromkeys((r[0], r[1]) for r in rows)))

    async def all_messages(self, conversation_id: int) -> list[Message]:
        """Every message of every branch (not those deleted), by id."""
        rows = await self.read(
            "load the messages",
            f"SELECT {MESSAGE_COLUMNS} FROM messages"
            " WHERE conversation_id = ? AND deleted_at IS NULL ORDER BY id",
            (conversation_id,),
        )
        return [message_from_row(row) for row in rows]

    async def count_messages(self, conversation_id: int) -> int:
        """How many messages a conversation holds, on every branch."""
        rows = await self.read(
            "count the messages",
            "SELECT count(*) FROM messages WHERE conversation_id = ? AND deleted_at IS NULL",
            (conversation_id,),
        )
        return int(rows[0][0])

    # -- changing the active path ----------------------------------------------------------

    async def set_active_leaf(self, conversation_id: int, leaf_id: int | None) -> None:
        """Make the path ending at ``leaf_id`` the one shown (None: the newest message's)."""

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "UPDATE conversations SET active_leaf_id = ? WHERE id = ?",
                (leaf_id, conversation_id),
            )

        await self.write("switch branch", op)

    async def switch_branch(self, message_id: int) -> Conversation | None:
        """Show the branch through ``message_id``: the active leaf becomes its newest
        descendant. Returns the conversation, or None when the message is gone."""

        async def op(conn: aiosqlite.Connection) -> list[sqlite3.Row]:
            conversation_id = await _scalar(
                conn,
                "SELECT conversation_id FROM messages WHERE id = ? AND deleted_at IS NULL",
                (message_id,),
            )
            if conversation_id is None:
                return []
            leaf = await _scalar(conn, NEWEST_LEAF_SQL, {"id": message_id})
            return list(
                await conn.execute_fetchall(
                    "UPDATE conversations SET active_leaf_id = ? WHERE id = ?"
                    f" RETURNING {CONVERSATION_COLUMNS}",
                    (leaf, conversation_id),
                )
            )

        rows = await self.write("switch branch", op)
        return conversation_from_row(rows[0]) if rows else None

    # -- deleting --------------------------------------------------------------------------

    async def delete_branch(self, message_id: int) -> BranchDeletion:
        """Mark ``message_id`` and everything under it deleted (``restore_branch`` undoes it).
        When the shown path ran through it, the nearest alternative is shown instead (the one
        before it, else after it), or else the path up to its parent."""
        now = self.now()

        async def op(conn: aiosqlite.Connection) -> BranchDeletion:
            async def body() -> BranchDeletion:
                rows = list(
                    await conn.execute_fetchall(
                        "SELECT conversation_id, parent_id FROM messages"
                        " WHERE id = ? AND deleted_at IS NULL",
                        (message_id,),
                    )
                )
                if not rows:
                    return BranchDeletion(0, (), None, None)
                conversation_id, parent_id = rows[0]
                subtree = await conn.execute_fetchall(_SUBTREE_SQL, {"id": message_id})
                ids = [int(r[0]) for r in subtree]
                live = {
                    int(r[0])
                    for chunk in db.id_chunks(ids)
                    for r in await conn.execute_fetchall(
                        f"SELECT id FROM messages WHERE deleted_at IS NULL"
                        f" AND id IN ({db.placeholders(chunk)})",
                        chunk,
                    )
                }
                leaf = await _scalar(conn, LEAF_SQL, {"conv": conversation_id})
                new_leaf = leaf
                if leaf in live:
                    new_leaf = await self._leaf_after_removal(
                        conn, conversation_id, message_id, parent_id
                    )
                for chunk in db.id_chunks(sorted(live)):
                    await conn.execute(
                        "UPDATE messages SET deleted_at = ?"
                        f" WHERE id IN ({db.placeholders(chunk)})",
                        (now, *chunk),
                    )
                await conn.execute(
                    "UPDATE conversations SET active_leaf_id = ? WHERE id = ?",
                    (new_leaf, conversation_id),
                )
                return BranchDeletion(conversation_id, tuple(sorted(live)), leaf, new_leaf)

            return await db.transaction(conn, body)

        return await self.write("delete the branch", op)

    @staticmethod
    async def _leaf_after_removal(
        conn: aiosqlite.Connection, conversation_id: int, message_id: int, parent_id: int | None
    ) -> int | None:
        """The leaf to show once ``message_id``'s branch is gone: under the nearest sibling."""
        siblings = [
            int(r[0])
            for r in await conn.execute_fetchall(
                "SELECT id FROM messages WHERE conversation_id = ? AND deleted_at IS NULL"
                " AND id != ? AND parent_id IS ? ORDER BY id",
                (conversation_id, message_id, parent_id),
            )
        ]
        if not siblings:
            return parent_id
        before = [s for s in siblings if s < message_id]
        nearest = before[-1] if before else siblings[0]
        leaf = await _scalar(conn, NEWEST_LEAF_SQL, {"id": nearest})
        return int(leaf) if leaf is not None else nearest

    async def restore_branch(self, deletion: BranchDeletion) -> None:
        """Undo ``delete_branch``: the branch is back and shown as before."""
        if not deletion.message_ids:
            return

        async def op(conn: aiosqlite.Connection) -> None:
            async def body() -> None:
                for chunk in db.id_chunks(deletion.message_ids):
                    await conn.execute(
                        f"UPDATE messages SET deleted_at = NULL"
                        f" WHERE id IN ({db.placeholders(chunk)})",
                        chunk,
                    )
                await conn.execute(
                    "UPDATE conversations SET active_leaf_id = ? WHERE id = ?",
                    (deletion.previous_leaf, deletion.conversation_id),
                )

            await db.transaction(conn, body)

        await self.write("restore the branch", op)

    async def purge_deleted(self) -> int:
        """Remove branches marked deleted for good; returns how many messages went."""

        async def op(conn: aiosqlite.Connection) -> int:
            cursor = await conn.execute("DELETE FROM messages WHERE deleted_at IS NOT NULL")
            return cursor.rowcount

        return await self.write("remove deleted branches", op)

    async def discard_branch(self, message_id: int, *, new_leaf: int | None = None) -> int:
        """Delete ``message_id`` and everything under it for good; an active leaf among them
        becomes ``new_leaf``, or else the message's parent. Returns how many messages went."""

        async def op(conn: aiosqlite.Connection) -> int:
            async def body() -> int:
                rows = list(
                    await conn.execute_fetchall(
                        "SELECT conversation_id, parent_id FROM messages WHERE id = ?",
                        (message_id,),
                    )
                )
                if not rows:
                    return 0
                conversation_id, parent_id = rows[0]
                ids = [
                    int(r[0]) for r in await conn.execute_fetchall(_SUBTREE_SQL, {"id": message_id})
                ]
                leaf = await _scalar(
                    conn,
                    "SELECT active_leaf_id FROM conversations WHERE id = ?",
                    (conversation_id,),
                )
                removed = 0
                for chunk in db.id_chunks(sorted(ids, reverse=True)):
                    cursor = await conn.execute(
                        f"DELETE FROM messages WHERE id IN ({db.placeholders(chunk)})", chunk
                    )
                    removed += cursor.rowcount
                if leaf is None or leaf in ids:
                    await conn.execute(
                        "UPDATE conversations SET active_leaf_id = ? WHERE id = ?",
                        (new_leaf if new_leaf is not None else parent_id, conversation_id),
                    )
                return removed

            return await db.transaction(conn, body)

        return await self.write("delete the messages", op)

    # -- copying ---------------------------------------------------------------------------

    async def copy_path(self, conversation_id: int, through_id: int, *, title: str) -> Conversation:
        """A new conversation holding copies of the path up to ``through_id`` (its files and
        recorded tool calls too), shown up to that copy."""
        now = self.now()

        async def op(conn: aiosqlite.Connection) -> list[sqlite3.Row]:
            async def body() -> list[sqlite3.Row]:
                source = list(
                    await conn.execute_fetchall(
                        "SELECT model, preset_id FROM conversations WHERE id = ?",
                        (conversation_id,),
                    )
                )
                ids = [
                    int(r[0])
                    for r in await conn.execute_fetchall(
                        "WITH RECURSIVE up(id) AS (SELECT id FROM messages WHERE id = :id"
                        " AND conversation_id = :conv UNION ALL SELECT m.parent_id FROM messages"
                        " AS m JOIN up ON m.id = up.id WHERE m.parent_id IS NOT NULL)"
                        " SELECT id FROM up ORDER BY id",
                        {"id": through_id, "conv": conversation_id},
                    )
                ]
                if not source or not ids:
                    raise sqlite3.IntegrityError("the message is not in this conversation")
                model, preset_id = source[0]
                new_conv = int(
                    await _scalar(
                        conn,
                        "INSERT INTO conversations (title, title_is_default, created_at,"
                        " updated_at, model, preset_id) VALUES (?, 0, ?, ?, ?, ?) RETURNING id",
                        (title, now, now, model, preset_id),
                    )
                )
                parent: int | None = None
                for old in ids:
                    parent = await self._copy_message(conn, old, new_conv, parent)
                return list(
                    await conn.execute_fetchall(
                        "UPDATE conversations SET active_leaf_id = ? WHERE id = ?"
                        f" RETURNING {CONVERSATION_COLUMNS}",
                        (parent, new_conv),
                    )
                )

            return await db.transaction(conn, body)

        rows = await self.write("branch off into a new chat", op)
        return conversation_from_row(rows[0])

    @staticmethod
    async def _copy_message(
        conn: aiosqlite.Connection, old: int, conversation_id: int, parent: int | None
    ) -> int:
        """Copy message ``old`` (its tool calls and files too) under ``parent``."""
        new = int(
            await _scalar(
                conn,
                "INSERT INTO messages (conversation_id, parent_id, role, content, reasoning,"
                " status, model, prompt_tokens, completion_tokens, total_tokens, cached_tokens,"
                " reasoning_tokens, cost, error, tool_calls, tool_call_id, generation_id,"
                " created_at, updated_at)"
                " SELECT ?, ?, role, content, reasoning, status, model, prompt_tokens,"
                " completion_tokens, total_tokens, cached_tokens, reasoning_tokens, cost, error,"
                " tool_calls, tool_call_id, generation_id, created_at, updated_at"
                " FROM messages WHERE id = ? RETURNING id",
                (conversation_id, parent, old),
            )
        )
        await conn.execute(
            "INSERT INTO tool_calls (message_id, call_id, server_id, tool_name, arguments,"
            " result, error, status, started_at, duration_ms)"
            " SELECT ?, call_id, server_id, tool_name, arguments, result, error, status,"
            " started_at, duration_ms FROM tool_calls WHERE message_id = ? ORDER BY id",
            (new, old),
        )
        await conn.execute(
            "INSERT INTO attachments (message_id, conversation_id, filename, mime_type,"
            " size_bytes, sha256, backend, blob_key, signed_url, signed_url_expires_at,"
            " created_at, last_used_at)"
            " SELECT ?, ?, filename, mime_type, size_bytes, sha256, backend, blob_key,"
            " signed_url, signed_url_expires_at, created_at, last_used_at"
            " FROM attachments WHERE message_id = ? ORDER BY id",
            (new, conversation_id, old),
        )
        return new

    # -- summaries -------------------------------------------------------------------------

    async def summaries(self, conversation_id: int) -> list[Summary]:
        """The conversation's compaction summaries, oldest first."""
        rows = await self.read(
            "load the summaries",
            f"SELECT {SUMMARY_COLUMNS} FROM summaries WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        return [_summary(row) for row in rows]

    async def add_summary(
        self, conversation_id: int, through_id: int, content: str, *, model: str | None = None
    ) -> Summary:
        """Store a summary standing for the path up to ``through_id``."""
        now = self.now()

        async def op(conn: aiosqlite.Connection) -> list[sqlite3.Row]:
            return list(
                await conn.execute_fetchall(
                    "INSERT INTO summaries (conversation_id, through_id, content, model,"
                    f" created_at) VALUES (?, ?, ?, ?, ?) RETURNING {SUMMARY_COLUMNS}",
                    (conversation_id, through_id, content, model, now),
                )
            )

        rows = await self.write("save the summary", op)
        return _summary(rows[0])

    async def delete_summary(self, summary_id: int) -> None:
        """Remove a summary: requests carry the messages it stood for again."""

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute("DELETE FROM summaries WHERE id = ?", (summary_id,))

        await self.write("remove the summary", op)

    async def set_conversation_summary(self, conversation_id: int, summary: str) -> None:
        """The conversation's one-paragraph summary."""

        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "UPDATE conversations SET summary = ? WHERE id = ?", (summary, conversation_id)
            )

        await self.write("save the chat's summary", op)
