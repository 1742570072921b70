"""Conversations: create, list order and filter, rename, pin, model, delete with cascades."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatdesk.core.models import Conversation, ToolCall
from chatdesk.errors import StorageError
from chatdesk.storage import ChatRepository
from fakes.clock import START, FakeClock

from .support import query


async def test_create_and_get(repo: ChatRepository) -> None:
    created = await repo.create_conversation(model="openai/gpt-4o-mini")

    assert created == Conversation(
        id=created.id,
        title="New chat",
        created_at=START,
        updated_at=START,
        pinned=False,
        model="openai/gpt-4o-mini",
        preset_id=None,
        title_is_default=True,
    )
    assert await repo.get_conversation(created.id) == created
    assert await repo.get_conversation(created.id + 1000) is None


async def test_ids_are_never_reused(repo: ChatRepository) -> None:
    first = await repo.create_conversation()
    await repo.delete_conversation(first.id)
    assert (await repo.create_conversation()).id > first.id


async def test_list_puts_pinned_first_then_recent_activity(
    repo: ChatRepository, clock: FakeClock
) -> None:
    old = await repo.create_conversation("old")
    clock.advance()
    middle = await repo.create_conversation("middle")
    clock.advance()
    new = await repo.create_conversation("new")
    clock.advance()
    await repo.set_pinned(middle.id, True)

    assert [c.title for c in await repo.list_conversations()] == ["middle", "new", "old"]

    clock.advance()
    await repo.append_message(old.id, "user", "back to this one")
    assert [c.title for c in await repo.list_conversations()] == ["middle", "old", "new"]
    assert (await repo.list_conversations())[0].pinned is True

    await repo.set_pinned(middle.id, False)
    assert [c.title for c in await repo.list_conversations(limit=2)] == ["old", "new"]
    assert await repo.list_conversations(limit=0) == []
    assert new.id in {c.id for c in await repo.list_conversations()}


async def test_title_filter_is_a_caseless_substring(repo: ChatRepository) -> None:
    for title in ("Über Straße", "Python asyncio", "100% done", "über alles"):
        await repo.create_conversation(title)

    async def titles(text: str | None) -> set[str]:
        return {c.title for c in await repo.list_conversations(title_filter=text)}

    assert await titles("ÜBER") == {"Über Straße", "über alles"}
    assert await titles("STRASSE") == {"Über Straße"}  # casefold: ß == ss
    assert await titles("syncio") == {"Python asyncio"}
    assert await titles("%") == {"100% done"}  # no LIKE wildcards
    assert await titles("_") == set()
    assert len(await titles("  ")) == 4
    assert len(await titles(None)) == 4


async def test_rename_by_user_wins_over_generated_titles(repo: ChatRepository) -> None:
    a = await repo.create_conversation()
    b = await repo.create_conversation()

    assert await repo.rename_conversation(a.id, "Generated title", generated=True) is True
    got = await repo.get_conversation(a.id)
    assert got is not None and (got.title, got.title_is_default) == ("Generated title", False)
    assert await repo.rename_conversation(a.id, "Second guess", generated=True) is False

    assert await repo.rename_conversation(b.id, "Mine") is True
    assert await repo.rename_conversation(b.id, "Generated", generated=True) is False
    got = await repo.get_conversation(b.id)
    assert got is not None and got.title == "Mine"

    assert await repo.rename_conversation(a.id, "User rename") is True
    assert await repo.rename_conversation(9999, "nobody") is False


async def test_model_and_preset(repo: ChatRepository, db_path: Path) -> None:
    conversation = await repo.create_conversation()
    query(
        db_path,
        "INSERT INTO presets (id, name, created_at, updated_at) VALUES (7, 'Coder', 0, 0)",
    )

    await repo.set_conversation_model(conversation.id, "anthropic/claude", preset_id=7)
    got = await repo.get_conversation(conversation.id)
    assert got is not None and (got.model, got.preset_id) == ("anthropic/claude", 7)

    query(db_path, "DELETE FROM presets WHERE id = 7")
    got = await repo.get_conversation(conversation.id)
    assert got is not None and (got.model, got.preset_id) == ("anthropic/claude", None)

    await repo.set_conversation_model(conversation.id, None)
    got = await repo.get_conversation(conversation.id)
    assert got is not None and got.model is None

    with pytest.raises(StorageError, match="no longer exists"):
        await repo.set_conversation_model(conversation.id, "x", preset_id=12345)
    with pytest.raises(StorageError, match="no longer exists"):
        await repo.create_conversation(preset_id=12345)


async def test_preset_names_are_unique_ignoring_case(repo: ChatRepository, db_path: Path) -> None:
    sql = "INSERT INTO presets (name, created_at, updated_at) VALUES (?, 0, 0)"
    query(db_path, sql, ("Writer",))
    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        query(db_path, sql, ("WRITER",))


async def test_delete_cascades_to_messages_tool_calls_and_search(
    repo: ChatRepository, db_path: Path
) -> None:
    doomed = await repo.create_conversation("doomed")
    kept = await repo.create_conversation("kept")
    question = await repo.append_message(doomed.id, "user", "platypus facts please")
    answer = await repo.append_message(doomed.id, "assistant", "platypus lay eggs")
    await repo.record_tool_call(
        answer.id,
        ToolCall("call_1", "search", "{}"),
        server_id="web",
        result="ok",
        error=None,
        status="ok",
        started_at=START,
        duration_ms=12.5,
    )
    await repo.append_message(kept.id, "user", "platypus too")
    query(
        db_path,
        "INSERT INTO attachments (message_id, conversation_id, filename, mime_type, size_bytes,"
        " sha256, backend, blob_key, created_at, last_used_at)"
        " VALUES (?, ?, 'a.png', 'image/png', 3, 'abc', 'local', 'k', 0, 0)",
        (question.id, doomed.id),
    )

    await repo.delete_conversation(doomed.id)

    assert await repo.get_conversation(doomed.id) is None
    assert await repo.list_messages(doomed.id) == []
    assert await repo.get_message(answer.id) is None
    assert query(db_path, "SELECT count(*) FROM tool_calls") == [(0,)]
    # Attachments outlive their message (retention cleans them up later).
    assert query(db_path, "SELECT message_id, conversation_id FROM attachments") == [(None, None)]
    assert [hit.conversation_title for hit in await repo.search("platypus")] == ["kept"]
    await repo.delete_conversation(doomed.id)  # deleting twice is harmless
