"""Read conversations out of the chat database for export, whole (every branch) and with what
belongs to them, as plain dicts in the shape of the JSON export (``docs/export-format.md``).

No secret ever leaves: signed URLs and storage keys of attachments stay in the database.
"""

from __future__ import annotations

import base64
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.storage.db import id_chunks, placeholders

__all__ = ["ExportedChat", "chat_ids", "read_chats"]

_CONVERSATION_SQL = (
    "SELECT c.id, c.title, c.title_is_default, c.created_at, c.updated_at, c.pinned, c.model,"
    " p.name, c.summary, c.active_leaf_id FROM conversations AS c"
    " LEFT JOIN presets AS p ON p.id = c.preset_id WHERE c.id IN"
)
_MESSAGE_SQL = (
    "SELECT id, parent_id, role, content, reasoning, status, model, prompt_tokens,"
    " completion_tokens, total_tokens, cached_tokens, reasoning_tokens, cost, error, tool_calls,"
    " tool_call_id, generation_id, created_at, updated_at FROM messages"
    " WHERE conversation_id = ? AND deleted_at IS NULL ORDER BY id"
)
_USAGE_KEYS = (
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cached_tokens",
    "reasoning_tokens",
    "cost",
)

#: A conversation as exported: the JSON object of ``docs/export-format.md``.
ExportedChat = dict[str, Any]


def chat_ids(conn: sqlite3.Connection, ids: Sequence[int] | None = None) -> list[int]:
    """``ids`` that exist (all conversations when None), newest activity first."""
    rows = conn.execute("SELECT id FROM conversations ORDER BY updated_at DESC, id DESC")
    found = [int(r[0]) for r in rows]
    if ids is None:
        return found
    wanted = set(ids)
    return [i for i in found if i in wanted]


def _tool_calls(text: str | None) -> list[dict[str, Any]]:
    import json

    if not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        return []
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _message(row: sqlite3.Row) -> dict[str, Any]:
    usage = {k: row[k] for k in _USAGE_KEYS if row[k] is not None}
    out: dict[str, Any] = {
        "id": row["id"],
        "parent_id": row["parent_id"],
        "role": row["role"],
        "content": row["content"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "status": row["status"],
    }
    for key in ("reasoning", "model", "error", "tool_call_id", "generation_id"):
        if row[key]:
            out[key] = row[key]
    if usage:
        out["usage"] = usage
    calls = _tool_calls(row["tool_calls"])
    if calls:
        out["tool_calls"] = calls
    return out


def _by_message(conn: sqlite3.Connection, sql: str, ids: list[int]) -> dict[int, list[sqlite3.Row]]:
    found: dict[int, list[sqlite3.Row]] = {}
    for chunk in id_chunks(ids):
        for row in conn.execute(f"{sql} ({placeholders(chunk)}) ORDER BY id", chunk):
            found.setdefault(int(row["message_id"]), []).append(row)
    return found


def read_chats(
    conn: sqlite3.Connection,
    ids: Sequence[int],
    *,
    origin: str,
    blobs: LocalBlobStore | None = None,
) -> Iterator[ExportedChat]:
    """Each conversation of ``ids`` in export shape (files' bytes included when ``blobs``)."""
    conn.row_factory = sqlite3.Row
    for chunk in id_chunks(ids, 200):
        rows = {
            int(r["id"]): r
            for r in conn.execute(f"{_CONVERSATION_SQL} ({placeholders(chunk)})", chunk)
        }
        for conversation_id in chunk:
            if conversation_id in rows:
                yield _chat(conn, rows[conversation_id], origin, blobs)


def _chat(
    conn: sqlite3.Connection, row: sqlite3.Row, origin: str, blobs: LocalBlobStore | None
) -> ExportedChat:
    conversation_id = int(row["id"])
    messages = [_message(m) for m in conn.execute(_MESSAGE_SQL, (conversation_id,))]
    ids = [m["id"] for m in messages]
    runs = _by_message(
        conn,
        "SELECT message_id, call_id, server_id, tool_name, arguments, result, error, status,"
        " started_at, duration_ms FROM tool_calls WHERE message_id IN",
        [m["id"] for m in messages if m.get("tool_calls")],
    )
    files = _by_message(
        conn,
        "SELECT message_id, filename, mime_type, size_bytes, sha256, backend, blob_key"
        " FROM attachments WHERE message_id IN",
        [m["id"] for m in messages if m["role"] == "user"],
    )
    for message in messages:
        if message["id"] in runs:
            message["tool_runs"] = [
                {k: r[k] for k in r.keys() if k != "message_id"}  # noqa: SIM118 - a Row
                for r in runs[message["id"]]
            ]
        if message["id"] in files:
            message["attachments"] = [_file(f, blobs) for f in files[message["id"]]]
    known = set(ids)
    summaries = [
        {"through_id": s[0], "content": s[1], "model": s[2], "created_at": s[3]}
        for s in conn.execute(
            "SELECT through_id, content, model, created_at FROM summaries"
            " WHERE conversation_id = ? ORDER BY id",
            (conversation_id,),
        )
        if s[0] in known
    ]
    sources = [
        [s[0], s[1]]
        for s in conn.execute(
            "SELECT source, source_id FROM import_sources WHERE conversation_id = ?",
            (conversation_id,),
        )
    ]
    leaf = row["active_leaf_id"]
    return {
        "id": conversation_id,
        "origin": origin,
        "title": row["title"],
        "title_is_default": bool(row["title_is_default"]),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "pinned": bool(row["pinned"]),
        "model": row["model"],
        "preset": row["name"],
        "summary": row["summary"],
        "active_leaf_id": leaf if leaf in known else (ids[-1] if ids else None),
        "sources": sources,
        "summaries": summaries,
        "messages": messages,
    }


def _file(row: sqlite3.Row, blobs: LocalBlobStore | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "filename": row["filename"],
        "mime_type": row["mime_type"],
        "size_bytes": row["size_bytes"],
        "sha256": row["sha256"],
    }
    if blobs is not None and row["backend"] == "local":
        try:
            out["data_base64"] = base64.b64encode(blobs.path(row["blob_key"]).read_bytes()).decode()
        except (OSError, ValueError):
            out["missing"] = True
    return out
