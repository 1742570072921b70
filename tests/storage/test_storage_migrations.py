"""Migrations: applied once, recorded, backed up before an upgrade, rolled back on failure."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from chatdesk.errors import StorageError
from chatdesk.storage import ChatRepository
from chatdesk.storage.migrations import MIGRATIONS, Migration
from fakes.clock import START, FakeClock

from .support import old_chat, query

LAST = MIGRATIONS[-1].number
NEXT = LAST + 1  # the number of a test's own migration
SHIPPED = [(m.number, m.name, START) for m in MIGRATIONS]
ADD_NOTES = Migration(
    NEXT, "conversation notes", "ALTER TABLE conversations ADD COLUMN notes TEXT;"
)


def ledger(path: Path) -> list[tuple[object, ...]]:
    return query(path, "SELECT number, name, applied_at FROM schema_migrations ORDER BY 1")


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + ".bak-*"))


async def test_fresh_database_is_migrated_and_recorded(db_path: Path, clock: FakeClock) -> None:
    repo = await ChatRepository.open(db_path, clock=clock)
    await repo.close()

    assert ledger(db_path) == SHIPPED
    assert backups(db_path) == []  # nothing worth backing up yet
    names = {row[0] for row in query(db_path, "SELECT name FROM sqlite_master")}
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
    assert {"conversations", "messages", "tool_calls", "attachments", "presets"} <= names
    assert {"messages_fts", "messages_fts_insert", "messages_fts_delete"} <= names
    assert {"messages_fts_update", "messages_conversation", "attachments_sha256"} <= names
    assert {"render_cache", "render_cache_stale"} <= names


async def test_reopening_does_not_rerun_migrations(db_path: Path, clock: FakeClock) -> None:
    repo = await ChatRepository.open(db_path, clock=clock)
    conversation = await repo.create_conversation("kept")
    await repo.close()

    clock.advance(3600)
    repo = await ChatRepository.open(db_path, clock=clock)
    assert await repo.get_conversation(conversation.id) == conversation
    await repo.close()

    assert ledger(db_path) == SHIPPED
    assert backups(db_path) == []


async def test_pending_migration_backs_up_the_existing_file(
    db_path: Path, clock: FakeClock
) -> None:
    repo = await ChatRepository.open(db_path, clock=clock)
    conversation = await repo.create_conversation("precious")
    await repo.append_message(conversation.id, "user", "do not lose me")
    await repo.close()

    clock.advance(60)
    repo = await ChatRepository.open(db_path, migrations=[*MIGRATIONS, ADD_NOTES], clock=clock)
    assert await repo.count_messages(conversation.id) == 1
    await repo.close()

    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(START + 60))
    assert backups(db_path) == [db_path.with_name(f"chatdesk.db.bak-{LAST}-to-{NEXT}-{stamp}")]
    assert [row[0] for row in ledger(db_path)] == [*range(1, LAST + 1), NEXT]
    assert [row[0] for row in ledger(backups(db_path)[0])] == [*range(1, LAST + 1)]
    backup = backups(db_path)[0]
    assert query(backup, "SELECT content FROM messages") == [("do not lose me",)]
    assert "notes" not in {row[1] for row in query(backup, "PRAGMA table_info(conversations)")}
    assert "notes" in {row[1] for row in query(db_path, "PRAGMA table_info(conversations)")}


async def test_two_backups_in_the_same_second_do_not_collide(
    db_path: Path, clock: FakeClock
) -> None:
    repo = await ChatRepository.open(db_path, clock=clock)
    await repo.create_conversation()
    await repo.close()
    query(db_path, "DELETE FROM schema_migrations WHERE number = 1")
    query(db_path, "DROP TABLE attachments")  # re-running migration 1 now fails

    with pytest.raises(StorageError):
        await ChatRepository.open(db_path, clock=clock)
    with pytest.raises(StorageError):
        await ChatRepository.open(db_path, clock=clock)
    assert len(backups(db_path)) == 2


async def test_failed_migration_rolls_back_and_keeps_the_data(
    db_path: Path, clock: FakeClock
) -> None:
    repo = await ChatRepository.open(db_path, clock=clock)
    conversation = await repo.create_conversation("survivor")
    await repo.close()

    broken = Migration(NEXT, "broken", "CREATE TABLE half_done (x); SELECT * FROM no_such_table;")
    with pytest.raises(StorageError, match="Could not prepare the chat database"):
        await ChatRepository.open(db_path, migrations=[*MIGRATIONS, broken], clock=clock)

    assert [row[0] for row in ledger(db_path)] == [*range(1, LAST + 1)]
    repo = await ChatRepository.open(db_path, clock=clock)
    assert await repo.get_conversation(conversation.id) == conversation
    await repo.close()
    assert query(db_path, "SELECT name FROM sqlite_master WHERE name = 'half_done'") == []


async def test_table_rebuild_migration_does_not_cascade_deletes(
    db_path: Path, clock: FakeClock
) -> None:
    """Migrations run with foreign keys off, so rebuilding a parent table keeps its children."""
    repo = await ChatRepository.open(db_path, clock=clock)
    conversation = await repo.create_conversation("parent")
    await repo.append_message(conversation.id, "user", "child row")
    await repo.close()

    rebuild = Migration(
        NEXT,
        "rebuild conversations",
        """
        CREATE TABLE conversations_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL,
            title_is_default INTEGER NOT NULL DEFAULT 1, created_at REAL NOT NULL,
            updated_at REAL NOT NULL, pinned INTEGER NOT NULL DEFAULT 0, model TEXT,
            preset_id INTEGER REFERENCES presets (id) ON DELETE SET NULL,
            active_leaf_id INTEGER REFERENCES messages (id) ON DELETE SET NULL,
            summary TEXT NOT NULL DEFAULT '', archived INTEGER
        );
        INSERT INTO conversations_new SELECT *, 0 FROM conversations;
        DROP TABLE conversations;
        ALTER TABLE conversations_new RENAME TO conversations;
        """,
    )
    repo = await ChatRepository.open(db_path, migrations=[*MIGRATIONS, rebuild], clock=clock)
    assert [m.content for m in await repo.list_messages(conversation.id)] == ["child row"]
    await repo.delete_conversation(conversation.id)  # foreign keys are back on afterwards
    assert await repo.count_messages(conversation.id) == 0
    await repo.close()


async def test_migration_leaving_broken_references_is_rolled_back(
    db_path: Path, clock: FakeClock
) -> None:
    repo = await ChatRepository.open(db_path, clock=clock)
    await repo.close()
    orphan = Migration(
        NEXT,
        "orphan",
        "INSERT INTO messages (conversation_id, role, created_at, updated_at)"
        " VALUES (999, 'user', 0, 0);",
    )

    with pytest.raises(StorageError, match="left 1 broken references"):
        await ChatRepository.open(db_path, migrations=[*MIGRATIONS, orphan], clock=clock)

    assert [row[0] for row in ledger(db_path)] == [*range(1, LAST + 1)]
    assert query(db_path, "SELECT count(*) FROM messages") == [(0,)]


async def test_database_from_a_newer_version_is_refused(db_path: Path, clock: FakeClock) -> None:
    repo = await ChatRepository.open(db_path, clock=clock)
    await repo.close()
    query(db_path, "INSERT INTO schema_migrations VALUES (99, 'future', 0)")

    with pytest.raises(StorageError, match="newer version of chatdesk") as info:
        await ChatRepository.open(db_path, clock=clock)
    assert str(db_path) in str(info.value)
    assert backups(db_path) == []


@pytest.mark.parametrize(
    "migrations",
    [
        [Migration(2, "b", ""), Migration(1, "a", "")],
        [Migration(1, "a", ""), Migration(1, "again", "")],
        [Migration(0, "zero", "")],
    ],
)
async def test_migration_list_must_be_increasing(
    db_path: Path, migrations: list[Migration]
) -> None:
    with pytest.raises(ValueError, match="increasing"):
        await ChatRepository.open(db_path, migrations=migrations)


async def test_injected_plain_tuples_are_accepted(db_path: Path, clock: FakeClock) -> None:
    plain = [tuple(m) for m in MIGRATIONS] + [(NEXT, "notes", ADD_NOTES.sql)]
    repo = await ChatRepository.open(db_path, migrations=plain, clock=clock)
    await repo.close()
    assert [row[:2] for row in ledger(db_path)] == [*(r[:2] for r in SHIPPED), (NEXT, "notes")]


async def test_denied_calls_recorded_as_ok_before_version_3_become_denied(
    db_path: Path, clock: FakeClock
) -> None:
    repo = await ChatRepository.open(db_path, migrations=MIGRATIONS[:2], clock=clock)
    await repo.close()
    _conv, (message_id,) = old_chat(db_path, [("assistant", "")], "tools")
    denial = "The user denied this call of files__delete; it did not run. Do not call it again."
    for call_id, result, status in [
        ("denied", denial, "ok"),
        ("done", "42", "ok"),
        ("failed", "boom", "error"),
        ("quoted", f"A tool may say: {denial}", "ok"),
    ]:
        query(
            db_path,
            "INSERT INTO tool_calls (message_id, call_id, tool_name, result, status, started_at)"
            " VALUES (?, ?, 'x__y', ?, ?, 0)",
            (message_id, call_id, result, status),
        )

    repo = await ChatRepository.open(db_path, clock=clock)
    runs = await repo.tool_runs([message_id])
    await repo.close()
    assert runs == {
        "denied": (False, None, True),
        "done": (False, None, False),
        "failed": (True, None, False),
        "quoted": (False, None, False),
    }
