"""Failures become StorageError; concurrent, cancelled and killed writers keep the data whole."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chatdesk.core.models import MessageStatus
from chatdesk.errors import StorageError
from chatdesk.storage import ChatRepository
from chatdesk.storage.repository import INTERRUPTED_ERROR
from fakes.clock import FakeClock


@pytest.fixture
def garbage_file(db_path: Path) -> Path:
    db_path.write_bytes(b"this is not a database, just some garbage bytes\n" * 200)
    return db_path


@pytest.fixture
def directory_in_the_way(db_path: Path) -> Path:
    db_path.mkdir()
    return db_path


async def test_corrupt_file_gives_a_clear_error_naming_it(garbage_file: Path) -> None:
    db_path = garbage_file
    with pytest.raises(StorageError) as info:
        await ChatRepository.open(db_path)

    message = str(info.value)
    assert str(db_path) in message
    assert "not a chatdesk database, or it is damaged" in message
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)


async def test_unopenable_path_gives_a_storage_error(directory_in_the_way: Path) -> None:
    db_path = directory_in_the_way
    with pytest.raises(StorageError, match="Could not open the chat database") as info:
        await ChatRepository.open(db_path)
    assert str(db_path) in str(info.value)


async def test_missing_parent_folders_are_created(data_dir: Path) -> None:
    repo = await ChatRepository.open(data_dir / "deep" / "er" / "chatdesk.db")
    await repo.close()
    assert (data_dir / "deep" / "er" / "chatdesk.db").is_file()


async def test_closed_repository_refuses_calls_and_close_is_idempotent(db_path: Path) -> None:
    repo = await ChatRepository.open(db_path)
    assert not repo.closed
    await repo.close()
    await repo.close()

    assert repo.closed
    with pytest.raises(StorageError, match=r"Could not load the conversations: .* closed"):
        await repo.list_conversations()
    with pytest.raises(StorageError, match="closed"):
        await repo.create_conversation()


async def test_foreign_keys_are_enforced(repo: ChatRepository) -> None:
    with pytest.raises(StorageError) as info:
        await repo.append_message(424242, "user", "orphan")
    assert str(info.value).startswith("Could not save the message: it refers to a conversation")
    assert "FOREIGN KEY constraint failed" in str(info.value)
    assert await repo.count_messages(424242) == 0

    conversation = await repo.create_conversation()
    with pytest.raises(StorageError, match="no longer exists"):
        await repo.append_message(conversation.id, "user", "x", parent_id=999)


async def test_check_constraints_are_enforced(repo: ChatRepository) -> None:
    conversation = await repo.create_conversation()
    with pytest.raises(StorageError, match="CHECK constraint failed"):
        await repo.append_message(conversation.id, "robot", "beep")  # type: ignore[arg-type]


async def test_disk_full_is_reported_in_plain_words(repo: ChatRepository) -> None:
    conversation = await repo.create_conversation()
    conn = repo._conn
    assert conn is not None
    [(pages,)] = await conn.execute_fetchall("PRAGMA page_count")
    await conn.execute_fetchall(f"PRAGMA max_page_count = {pages}")

    with pytest.raises(StorageError) as info:
        await repo.append_message(conversation.id, "user", "x" * 1_000_000)

    assert str(info.value).startswith("Could not save the message: the disk is full (")
    assert info.value.kind == "storage"
    await conn.execute_fetchall("PRAGMA max_page_count = 1073741823")
    await repo.append_message(conversation.id, "user", "there is room again")
    assert await repo.count_messages(conversation.id) == 1


async def test_concurrent_writes_are_serialised(repo: ChatRepository) -> None:
    conversation = await repo.create_conversation()

    messages = await asyncio.gather(
        *(repo.append_message(conversation.id, "user", f"m{i}") for i in range(30)),
        repo.import_messages(conversation.id, [("user", "bulk")] * 20),
    )

    assert len({m.id for m in messages[:30]}) == 30
    assert await repo.count_messages(conversation.id) == 50


async def test_a_cancelled_caller_does_not_tear_a_write(db_path: Path, clock: FakeClock) -> None:
    repo = await ChatRepository.open(db_path, clock=clock)
    conversation = await repo.create_conversation()

    task = asyncio.create_task(repo.append_message(conversation.id, "user", "cancel me"))
    await asyncio.sleep(0)  # the write has started
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await repo.append_message(conversation.id, "user", "next")
    late = asyncio.create_task(repo.append_message(conversation.id, "user", "late"))
    await asyncio.sleep(0)
    late.cancel()
    await repo.close()  # waits for the write still in flight

    repo = await ChatRepository.open(db_path, clock=clock)
    contents = [m.content for m in await repo.list_messages(conversation.id)]
    await repo.close()
    assert contents == ["cancel me", "next", "late"]


async def test_a_failed_write_of_a_cancelled_caller_is_logged(
    repo: ChatRepository, caplog: pytest.LogCaptureFixture
) -> None:
    task = asyncio.create_task(repo.append_message(31337, "user", "orphan"))
    await asyncio.sleep(0)
    task.cancel()
    with caplog.at_level(logging.ERROR):
        with pytest.raises(asyncio.CancelledError):
            await task
        await repo.create_conversation()  # writes are serialised: the failed one has ended
        await asyncio.sleep(0)  # its done-callbacks run
    assert "caller was cancelled failed: Could not save the message" in caplog.text


_CHILD = textwrap.dedent(
    """
    import asyncio, os, sys
    from pathlib import Path
    from chatdesk.core.models import MessageStatus
    from chatdesk.storage import ChatRepository

    async def main():
        repo = await ChatRepository.open(Path(sys.argv[1]))
        conversation = await repo.create_conversation("survives a kill")
        await repo.append_message(conversation.id, "user", "question")
        answer = await repo.append_message(
            conversation.id, "assistant", "", status=MessageStatus.STREAMING
        )
        await repo.update_message(answer.id, content="partial answer")
        os._exit(0)  # killed: no close, no checkpoint

    asyncio.run(main())
    """
)


def test_a_killed_process_keeps_committed_writes(db_path: Path) -> None:
    subprocess.run([sys.executable, "-c", _CHILD, str(db_path)], check=True, timeout=60)

    async def reopen() -> None:
        repo = await ChatRepository.open(db_path)
        try:
            [conversation] = await repo.list_conversations()
            assert conversation.title == "survives a kill"
            assert await repo.recover_interrupted() == 1
            question, answer = await repo.list_messages(conversation.id)
            assert (question.content, answer.content) == ("question", "partial answer")
            assert (answer.status, answer.error) == (MessageStatus.CANCELLED, INTERRUPTED_ERROR)
            assert [h.message_id for h in await repo.search("partial")] == [answer.id]
        finally:
            await repo.close()

    asyncio.run(reopen())
