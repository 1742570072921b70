"""AttachmentStore: rows of the attachments table through the repository's connection."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk.errors import StorageError
from chatdesk.storage import ChatRepository
from chatdesk.storage.attachments import AttachmentStore
from fakes.clock import START, FakeClock

from .support import query

SHA_A = "a" * 64
SHA_B = "b" * 64


async def _add(store: AttachmentStore, name: str, sha: str = SHA_A, backend: str = "local") -> int:
    row = await store.insert(
        filename=name,
        mime_type="text/plain",
        size_bytes=5,
        sha256=sha,
        backend=backend,
        blob_key=f"{sha[:2]}/{sha}.txt",
    )
    return row.id


async def test_insert_returns_the_row_waiting_for_a_message(
    repo: ChatRepository, clock: FakeClock
) -> None:
    store = AttachmentStore(repo)
    row = await store.insert(
        filename="notes.txt",
        mime_type="text/plain",
        size_bytes=5,
        sha256=SHA_A,
        backend="local",
        blob_key=f"aa/{SHA_A}.txt",
    )
    assert row.filename == "notes.txt" and row.kind == "text"
    assert row.message_id is None and row.conversation_id is None
    assert row.created_at == row.last_used_at == START
    assert (await store.get_many([row.id, 999])) == [row]


async def test_link_touch_and_lookups(repo: ChatRepository, clock: FakeClock) -> None:
    store = AttachmentStore(repo)
    conv = await repo.create_conversation()
    message = await repo.append_message(conv.id, "user", "see files")
    first = await _add(store, "one.txt")
    second = await _add(store, "two.txt", SHA_B)
    assert await store.link([first, second], message.id, conv.id) == 2

    by_message = await store.for_messages([message.id, 12345])
    assert [a.filename for a in by_message[message.id]] == ["one.txt", "two.txt"]
    assert [a.id for a in await store.for_conversation(conv.id)] == [first, second]

    clock.advance(100)
    await store.touch([first], clock.now)
    await store.touch([first], clock.now - 50)  # never moves back
    rows = {a.id: a for a in await store.get_many([first, second])}
    assert rows[first].last_used_at == START + 100
    assert rows[second].last_used_at == START

    await store.set_signed_url(second, "https://signed/two", START + 3600)
    (two,) = await store.get_many([second])
    assert (two.signed_url, two.signed_url_expires_at) == ("https://signed/two", START + 3600)


async def test_deleting_the_message_leaves_an_orphan_row(
    repo: ChatRepository, db_path: Path
) -> None:
    store = AttachmentStore(repo)
    conv = await repo.create_conversation()
    message = await repo.append_message(conv.id, "user", "x")
    row = await _add(store, "one.txt")
    await store.link([row], message.id, conv.id)
    await repo.delete_conversation(conv.id)
    assert query(db_path, "SELECT message_id, conversation_id FROM attachments") == [(None, None)]


async def test_unused_pages_through_orphans_and_expired_rows(
    repo: ChatRepository, clock: FakeClock
) -> None:
    store = AttachmentStore(repo)
    conv = await repo.create_conversation()
    message = await repo.append_message(conv.id, "user", "x")
    orphan = await _add(store, "orphan.txt")
    linked = await _add(store, "linked.txt", SHA_B)
    await store.link([linked], message.id, conv.id)
    clock.advance(10)
    fresh = await _add(store, "fresh.txt")

    only_orphans = await store.unused(orphans_before=START + 5, linked_before=None, limit=10)
    assert [a.id for a in only_orphans] == [orphan]
    both = await store.unused(orphans_before=START + 5, linked_before=START + 5, limit=10)
    assert [a.id for a in both] == [orphan, linked]
    page = await store.unused(orphans_before=START + 20, linked_before=START + 20, limit=2)
    assert [a.id for a in page] == [orphan, linked]
    after = (page[-1].last_used_at, page[-1].id)
    rest = await store.unused(
        orphans_before=START + 20, linked_before=START + 20, limit=2, after=after
    )
    assert [a.id for a in rest] == [fresh]


async def _blob_in_use(repo: ChatRepository, backend: str, blob_key: str, sha256: str) -> bool:
    rows = await repo.read(
        "look up an attachment file",
        "SELECT 1 FROM attachments WHERE sha256 = ? AND backend = ? AND blob_key = ? LIMIT 1",
        (sha256, backend, blob_key),
    )
    return bool(rows)


async def test_blobs_only_in_counts_other_rows_sharing_a_blob(repo: ChatRepository) -> None:
    store = AttachmentStore(repo)
    first = await _add(store, "a.txt")
    second = await _add(store, "a-again.txt")  # same content: same blob
    other = await _add(store, "b.txt", SHA_B)
    gcs = await _add(store, "a-in-gcs.txt", backend="gcs")  # same sha, another store

    assert await store.blobs_only_in([first]) == set()  # second still uses it
    assert await store.blobs_only_in([first, second]) == {("local", f"aa/{SHA_A}.txt")}
    assert await store.blobs_only_in([other, gcs]) == {
        ("local", f"bb/{SHA_B}.txt"),
        ("gcs", f"aa/{SHA_A}.txt"),
    }
    assert await _blob_in_use(repo, "local", f"aa/{SHA_A}.txt", SHA_A)
    assert await store.delete([first, second]) == 2
    assert not await _blob_in_use(repo, "local", f"aa/{SHA_A}.txt", SHA_A)
    with pytest.raises(ValueError, match="at most"):
        await store.blobs_only_in(list(range(1, 600)))


async def test_many_ids_are_chunked(repo: ChatRepository) -> None:
    store = AttachmentStore(repo)
    ids = [await _add(store, f"f{i}.txt") for i in range(3)]
    assert len(await store.get_many(ids * 400)) == 3
    assert await store.delete(ids * 400) == 3


async def test_a_closed_database_gives_a_storage_error(repo: ChatRepository) -> None:
    store = AttachmentStore(repo)
    await repo.close()
    with pytest.raises(StorageError, match="Could not save the attachment: the chat database is"):
        await _add(store, "late.txt")
