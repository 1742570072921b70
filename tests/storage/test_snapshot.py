"""The synchronous start-up snapshot reads what the window shows first, and never raises."""

from __future__ import annotations

from pathlib import Path

from chatdesk.storage import ChatRepository
from chatdesk.storage.snapshot import read_snapshot
from fakes.clock import FakeClock


async def _make(db_path: Path, clock: FakeClock, count: int) -> tuple[int, int]:
    repo = await ChatRepository.open(db_path, clock=clock)
    first = await repo.create_conversation("First")
    clock.advance(10)
    second = await repo.create_conversation("Second")
    await repo.import_messages(second.id, [("user", f"m{i}") for i in range(count)])
    await repo.close()
    return first.id, second.id


async def test_the_snapshot_holds_the_list_and_the_newest_page(
    db_path: Path, clock: FakeClock
) -> None:
    first, second = await _make(db_path, clock, 12)
    snap = read_snapshot(db_path, second, 8)
    assert snap.complete
    assert [c.id for c in snap.conversations] == [second, first]  # newest first
    assert snap.conversation is not None and snap.conversation.id == second
    assert [m.content for m in snap.messages] == [f"m{i}" for i in range(4, 12)]
    assert snap.has_older

    whole = read_snapshot(db_path, second, 12)
    assert len(whole.messages) == 12 and not whole.has_older


async def test_the_snapshot_agrees_with_the_repository(db_path: Path, clock: FakeClock) -> None:
    _, second = await _make(db_path, clock, 5)
    repo = await ChatRepository.open(db_path, clock=clock)
    try:
        expected_messages = await repo.list_messages(second, limit=8)
        expected_list = await repo.list_conversations()
        expected_usage = await repo.conversation_usage(second)
    finally:
        await repo.close()
    snap = read_snapshot(db_path, second, 8)
    assert snap.messages == expected_messages
    assert snap.conversations == expected_list
    assert snap.usage == expected_usage


async def test_a_gone_conversation_gives_the_list_only(db_path: Path, clock: FakeClock) -> None:
    await _make(db_path, clock, 3)
    snap = read_snapshot(db_path, 999, 8)
    assert snap.complete and snap.conversation is None and len(snap.conversations) == 2


def test_no_database_yet_is_an_empty_but_complete_snapshot(db_path: Path) -> None:
    snap = read_snapshot(db_path, 1, 8)
    assert snap.complete and snap.conversations == [] and snap.conversation is None
    assert not db_path.exists()  # reading never creates the file


def test_a_damaged_file_gives_an_incomplete_snapshot(db_path: Path) -> None:
    db_path.write_bytes(b"this is not a database" * 100)
    snap = read_snapshot(db_path, 1, 8)
    assert not snap.complete and snap.conversations == []


async def test_a_database_left_open_by_a_killed_process_is_read(
    db_path: Path, clock: FakeClock
) -> None:
    """WAL and shm files still on disk (no clean close): the snapshot sees the rows."""
    repo = await ChatRepository.open(db_path, clock=clock)
    conv = await repo.create_conversation("Open")
    await repo.append_message(conv.id, "user", "kept")
    try:
        snap = read_snapshot(db_path, conv.id, 8)
    finally:
        await repo.close()
    assert [m.content for m in snap.messages] == ["kept"]
