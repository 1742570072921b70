"""Full-text search: kept in sync by triggers, ranked, and safe against any typed text."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk.core.models import MessageStatus
from chatdesk.storage import ChatRepository
from chatdesk.storage.search import HIGHLIGHT_END, HIGHLIGHT_START, fts_query
from fakes.clock import START

from .support import query

HOSTILE = [
    '"',
    '""',
    '"unbalanced',
    "AND",
    "OR",
    "NOT",
    "a AND",
    "AND b",
    "foo*",
    "*",
    "NEAR(",
    "NEAR(a b, 2)",
    "a:b",
    "content:kiwi",
    "messages_fts:kiwi",
    "",
    "   ",
    "(",
    ")",
    "^kiwi",
    "-kiwi",
    "+",
    "'",
    "\\",
    "\x00",
    "😀",
    "_",
    "kiwi OR",
    "{content}: kiwi",
    "kiwi" * 300,
    " ".join(["kiwi"] * 1000),
    "-".join(["kiwi"] * 1000),
]


def integrity_check(path: Path) -> None:
    query(path, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")


async def test_finds_a_new_message_with_highlighted_snippet(repo: ChatRepository) -> None:
    conversation = await repo.create_conversation("Fruit talk")
    await repo.append_message(conversation.id, "user", "Do you like mangoes?")
    message = await repo.append_message(conversation.id, "assistant", "I love the ripe kiwi fruit")

    hits = await repo.search("kiwi")

    assert len(hits) == 1
    hit = hits[0]
    assert (hit.message_id, hit.conversation_id, hit.conversation_title) == (
        message.id,
        conversation.id,
        "Fruit talk",
    )
    assert (hit.role, hit.created_at) == ("assistant", START)
    assert f"{HIGHLIGHT_START}kiwi{HIGHLIGHT_END}" in hit.snippet
    assert hit.plain_snippet == "I love the ripe kiwi fruit"


async def test_streaming_updates_replace_the_indexed_words(
    repo: ChatRepository, db_path: Path
) -> None:
    conversation = await repo.create_conversation()
    message = await repo.append_message(
        conversation.id, "assistant", "", status=MessageStatus.STREAMING
    )
    text = ""
    for word in ("alpha", "beta", "gamma"):
        text += f" {word}"
        await repo.update_message(message.id, content=text)
    await repo.update_message(message.id, status=MessageStatus.COMPLETE)  # no content change
    assert [h.message_id for h in await repo.search("alpha gamma")] == [message.id]

    await repo.update_message(message.id, content="omega only")

    assert await repo.search("alpha") == []
    assert await repo.search("gamma") == []
    assert [h.message_id for h in await repo.search("omega")] == [message.id]
    integrity_check(db_path)


async def test_deleted_messages_and_conversations_leave_the_index(
    repo: ChatRepository, db_path: Path
) -> None:
    first = await repo.create_conversation()
    second = await repo.create_conversation()
    keep = await repo.append_message(first.id, "user", "walrus one")
    drop = await repo.append_message(first.id, "assistant", "walrus two")
    other = await repo.append_message(second.id, "user", "walrus three")

    await repo.delete_branch(drop.id)  # marked for Undo: not found any more
    assert {h.message_id for h in await repo.search("walrus")} == {keep.id, other.id}
    await repo.purge_deleted()
    assert {h.message_id for h in await repo.search("walrus")} == {keep.id, other.id}

    await repo.delete_conversation(second.id)
    assert [h.message_id for h in await repo.search("walrus")] == [keep.id]

    await repo.delete_conversation(first.id)
    assert await repo.search("walrus") == []
    assert query(db_path, "SELECT count(*) FROM messages_fts") == [(0,)]
    integrity_check(db_path)


async def test_all_words_must_match_and_the_last_one_may_be_a_prefix(
    repo: ChatRepository,
) -> None:
    conversation = await repo.create_conversation()
    both = await repo.append_message(conversation.id, "user", "apple and banana smoothie")
    await repo.append_message(conversation.id, "user", "apple pie")
    await repo.append_message(conversation.id, "user", "banana bread")

    async def found(text: str) -> list[int]:
        return [h.message_id for h in await repo.search(text)]

    assert await found("apple banana") == [both.id]
    assert await found("banana APPLE") == [both.id]
    assert await found("apple smoo") == [both.id]  # typing in progress: prefix
    assert await found("apple smoo ") == []  # a finished word is matched whole
    assert await found("smoothies") == []
    assert len(await found("ban")) == 2
    assert await found("ba") == []  # too short to expand
    assert await found('"apple" AND banana') == [both.id]  # operators are words ...
    assert await found("and") == [both.id]  # ... and "and" is found as text


async def test_diacritics_and_case_are_ignored(repo: ChatRepository) -> None:
    conversation = await repo.create_conversation()
    message = await repo.append_message(conversation.id, "user", "Un CAFÉ crème à Zürich")

    for text in ("cafe", "Café", "creme", "zurich", "ZÜRICH"):
        assert [h.message_id for h in await repo.search(text)] == [message.id], text


async def test_results_are_ranked_and_limited(repo: ChatRepository) -> None:
    conversation = await repo.create_conversation()
    weak = await repo.append_message(conversation.id, "user", "otter " + "filler words here " * 10)
    strong = await repo.append_message(conversation.id, "user", "otter otter otter")
    for index in range(5):
        await repo.append_message(conversation.id, "user", f"otter number {index} " * 5)

    hits = await repo.search("otter")
    assert hits[0].message_id == strong.id
    assert hits[-1].message_id == weak.id
    assert len(await repo.search("otter", limit=3)) == 3
    assert await repo.search("otter", limit=0) == []


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_input_never_raises(repo: ChatRepository, text: str) -> None:
    conversation = await repo.create_conversation()
    await repo.append_message(conversation.id, "user", "kiwi NEAR content a b foo AND OR NOT")

    hits = await repo.search(text)

    assert isinstance(hits, list)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kiwi", '"kiwi"*'),
        ("kiwi ", '"kiwi"'),
        ("hi", '"hi"'),
        ('say "hi" now', '"say" """hi""" "now"*'),
        ("a:b NEAR(", '"a:b" "NEAR("*'),
        ("AND OR", '"AND" "OR"'),
        ("... !!! kiwi", '"kiwi"*'),
        ("", None),
        ("  * ( ) ", None),
    ],
)
def test_fts_query_quotes_every_chunk(text: str, expected: str | None) -> None:
    assert fts_query(text) == expected
