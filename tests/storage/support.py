"""Helpers shared by the storage tests."""

from __future__ import annotations

from pathlib import Path

from fakes.sqlite import query

__all__ = ["old_chat", "query"]


def old_chat(
    path: Path, contents: list[tuple[str, str]], title: str = "Old"
) -> tuple[int, list[int]]:
    """A conversation written as an older chatdesk wrote it (the columns of migration 1, no
    parents): for databases made with older migrations. Returns its id and message ids."""
    query(
        path,
        "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, 1, 1)",
        (title,),
    )
    conv = _int(query(path, "SELECT max(id) FROM conversations")[0][0])
    ids = []
    for role, content in contents:
        query(
            path,
            "INSERT INTO messages (conversation_id, role, content, created_at, updated_at)"
            " VALUES (?, ?, ?, 1, 1)",
            (conv, role, content),
        )
        ids.append(_int(query(path, "SELECT max(id) FROM messages")[0][0]))
    return conv, ids


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value
