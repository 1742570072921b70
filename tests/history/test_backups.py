"""Backups: made while the database is in use, kept to a number, restored (and refused)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from samples import chatgpt_conversations, write_json

from chatdesk.history.backups import (
    BackupError,
    backup_due,
    check_database,
    check_due,
    inspect_backup,
    list_backups,
    make_backup,
    mark_checked,
    move_aside,
    prune_backups,
    restore_backup,
)
from chatdesk.history.importer import import_file
from chatdesk.storage.migrations import MIGRATIONS
from chatdesk.storage.repository import ChatRepository


@pytest.fixture
def db_path(data_dir: Path, tmp_path: Path) -> Path:
    path = data_dir / "chatdesk.db"
    import_file(path, write_json(tmp_path / "conversations.json", chatgpt_conversations()))
    return path


def scribble(data: bytearray) -> None:
    """Damage every page after the first (their b-tree headers)."""
    for offset in range(4096, len(data), 4096):
        data[offset : offset + 12] = b"\xa5" * 12


def titles(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT title FROM conversations ORDER BY title")]
    finally:
        conn.close()


def delete_chat(db_path: Path, title: str) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM conversations WHERE title = ?", (title,))
    conn.commit()
    conn.close()


def test_backup_delete_restore_brings_the_chat_back(db_path: Path, data_dir: Path) -> None:
    backup = make_backup(db_path)
    info = inspect_backup(backup)
    assert (info.chats, info.messages, info.kind) == (3, 20, "manual")
    assert backup.parent == data_dir / "backups"
    assert not Path(f"{backup}-wal").exists()  # a standalone file
    delete_chat(db_path, "Paris trip")

    safety = restore_backup(db_path, backup)

    assert titles(db_path) == ["Data analysis", "Messy", "Paris trip"]
    assert inspect_backup(safety).chats == 2 and safety.name.endswith("-before-restore.db")
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute(
        "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'Montmartre'"
    ).fetchone() == (1,)
    conn.close()


async def test_restore_while_the_app_holds_the_database_open(db_path: Path) -> None:
    repo = await ChatRepository.open(db_path)
    try:
        backup = await asyncio.to_thread(make_backup, db_path)
        before = await repo.data_version()
        await repo.delete_conversation((await repo.list_conversations())[0].id)
        await asyncio.to_thread(restore_backup, db_path, backup)
        assert await repo.data_version() != before  # how the app notices
        assert len(await repo.list_conversations()) == 3
        assert [h.conversation_title for h in await repo.search("Montmartre")] == ["Paris trip"]
    finally:
        await repo.close()


def test_a_backup_from_an_older_version_is_upgraded_on_restore(
    db_path: Path, tmp_path: Path
) -> None:
    async def old_database(path: Path) -> None:
        repo = await ChatRepository.open(path, migrations=MIGRATIONS[:4])
        conversation = await repo.create_conversation("From last year")
        await repo.append_message(conversation.id, "user", "an old question")
        await repo.close()

    old = tmp_path / "old.db"
    asyncio.run(old_database(old))

    restore_backup(db_path, old)

    assert titles(db_path) == ["From last year"]
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT max(number) FROM schema_migrations").fetchone()[0] == len(
        MIGRATIONS
    )
    conn.close()


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p.write_text("hello"), "is not a chatdesk backup (not an SQLite database)"),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE notes (x)").connection.commit(),
            "is an SQLite database but not a chatdesk backup",
        ),
        ("newer", "was made by a newer version of chatdesk"),
        ("damaged", "damaged"),
    ],
)
def test_an_unusable_backup_changes_nothing(
    db_path: Path, tmp_path: Path, make: object, problem: str
) -> None:
    bad = tmp_path / "bad.db"
    if make == "newer":
        bad.write_bytes(make_backup(db_path, tmp_path / "copy.db").read_bytes())
        conn = sqlite3.connect(bad)
        conn.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)")
        conn.commit()
        conn.close()
    elif make == "damaged":
        data = bytearray(make_backup(db_path, tmp_path / "copy.db").read_bytes())
        scribble(data)
        bad.write_bytes(bytes(data))
    else:
        make(bad)  # type: ignore[operator]
    before = db_path.read_bytes()

    with pytest.raises(BackupError) as caught:
        restore_backup(db_path, bad)

    assert str(bad) in caught.value.user_message and problem in caught.value.user_message
    assert titles(db_path) == ["Data analysis", "Messy", "Paris trip"]
    assert db_path.read_bytes() == before


def test_keep_the_newest_n_and_know_when_one_is_due(db_path: Path, data_dir: Path) -> None:
    day = 24 * 3600
    start = time.time() - 10 * day
    made = [make_backup(db_path, kind="daily", now=start + n * day) for n in range(5)]
    assert [b.path for b in list_backups(data_dir)] == made[::-1]
    assert not backup_due(data_dir, start + 4.5 * day)
    assert backup_due(data_dir, start + 5 * day)

    removed = prune_backups(data_dir, 3)

    assert removed == made[:2][::-1]
    assert [b.path for b in list_backups(data_dir)] == made[2:][::-1]


def test_a_damaged_database_is_found_and_moved_aside(db_path: Path) -> None:
    assert check_database(db_path) is None
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db_path.read_bytes())
    scribble(data)
    db_path.write_bytes(bytes(data))

    problem = check_database(db_path)

    assert problem is not None
    moved = move_aside(db_path)
    assert not db_path.exists() and moved.exists() and ".damaged-" in moved.name


def test_the_start_up_check_runs_after_a_crash_or_once_a_week(db_path: Path) -> None:
    now = time.time()
    wal = Path(f"{db_path}-wal")
    wal.unlink(missing_ok=True)
    assert check_due(db_path, now)  # never checked
    mark_checked(db_path)
    assert not check_due(db_path, now)
    assert check_due(db_path, now + 8 * 24 * 3600)  # a week later
    wal.write_bytes(b"x" * 100)  # the last run did not close the database
    assert check_due(db_path, now)
    assert not check_due(db_path.with_name("missing.db"), now)
