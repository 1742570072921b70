"""Plain ``sqlite3`` connections to the chat database for the history tools, which run in a
worker thread or the command line while the app may have the same file open (WAL)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from chatdesk.errors import StorageError
from chatdesk.storage import db
from chatdesk.storage.migrations import MIGRATIONS, migrate

__all__ = ["LATEST_SCHEMA", "open_database", "schema_level"]

LATEST_SCHEMA = MIGRATIONS[-1].number


def schema_level(conn: sqlite3.Connection) -> int | None:
    """The newest migration recorded in ``conn``; None when it has no chatdesk tables."""
    has = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if not has:
        return None
    row = conn.execute("SELECT max(number) FROM schema_migrations").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


async def _migrate(path: Path) -> None:
    conn = await db.connect(path)
    try:
        await migrate(conn, path)
    finally:
        await conn.close()


def open_database(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """A connection to the chat database at ``path`` (migrated to this version's schema;
    created when missing and ``create``), autocommit, foreign keys on, WAL.

    Raises ``StorageError`` naming the file when it cannot be used.
    """
    if not path.exists() and not create:
        raise StorageError(f"There is no chat database at {path}.")
    with db.storage_errors(f"open the chat database {path}"):
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"Could not create the folder {path.parent}: {exc}.") from exc
        probe = sqlite3.connect(path, timeout=db.BUSY_TIMEOUT_MS / 1000)
        try:
            level = schema_level(probe)
        finally:
            probe.close()
    if level is None or level < LATEST_SCHEMA:
        try:
            asyncio.run(_migrate(path))
        except sqlite3.Error as exc:
            raise StorageError(
                f"Could not prepare the chat database {path}: {db.describe(exc)}."
            ) from exc
    elif level > LATEST_SCHEMA:
        raise StorageError(
            f"The chat database {path} was created by a newer version of chatdesk; "
            "please update chatdesk."
        )
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=db.BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    for pragma in db.PRAGMAS:
        conn.execute(pragma)
    return conn
