"""Open the SQLite database through aiosqlite, and turn SQLite errors into ``StorageError``.

One file (``chatdesk.db`` in the data dir), WAL journal, ``synchronous=NORMAL`` (a crash may
lose the last commits but never corrupts), foreign keys on, a busy timeout for a second
process. The connection runs in autocommit mode: each statement commits at once unless the
caller opened a transaction with ``BEGIN``. asyncio and aiosqlite load on ``connect``, so
the synchronous start-up readers may use the SQL helpers here.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sized
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from chatdesk.errors import StorageError

if TYPE_CHECKING:  # loaded by connect(): not before the first paint
    import aiosqlite

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
#: Keep the WAL file from staying huge after a big import (bytes).
JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024

PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}",
)

#: Ids bound in one statement (SQLite allows 32766 variables; 999 before 3.32).
ID_CHUNK = 500

#: Reasons fit for a user, by SQLite error name (extended names first, then primary codes).
_REASONS = {
    "SQLITE_CONSTRAINT_FOREIGNKEY": "it refers to a conversation or message that no longer exists",
    "SQLITE_FULL": "the disk is full",
    "SQLITE_READONLY": "the database file is read-only",
    "SQLITE_BUSY": "the database is locked by another program (is chatdesk running twice?)",
    "SQLITE_LOCKED": "the database is locked",
    "SQLITE_CORRUPT": "the database file is damaged",
    "SQLITE_NOTADB": "the file is not a chatdesk database, or it is damaged",
    "SQLITE_IOERR": "the disk could not be read or written",
    "SQLITE_CANTOPEN": "the database file cannot be opened",
    "SQLITE_PERM": "permission was denied",
    "SQLITE_AUTH": "permission was denied",
    "SQLITE_NOMEM": "the computer ran out of memory",
    "SQLITE_TOOBIG": "the text is too large to store",
    "SQLITE_CONSTRAINT": "the data broke a database rule",
}


def id_chunks(ids: Iterable[int], size: int = ID_CHUNK) -> Iterator[list[int]]:
    """``ids`` without repeats, in order, in lists of at most ``size``."""
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), size):
        yield unique[start : start + size]


def placeholders(values: Sized) -> str:
    """One ``?`` per value, comma-separated, for ``IN (...)``."""
    return ", ".join("?" * len(values))


def describe(exc: BaseException) -> str:
    """A short reason for ``exc`` fit for a user, followed by SQLite's own words."""
    name = getattr(exc, "sqlite_errorname", None)
    reason = None
    if isinstance(name, str):
        primary = "_".join(name.split("_")[:2])
        reason = _REASONS.get(name) or _REASONS.get(primary)
    text = str(exc) or type(exc).__name__
    return f"{reason} ({text})" if reason else text


@contextlib.contextmanager
def storage_errors(action: str) -> Iterator[None]:
    """Re-raise ``sqlite3.Error`` as ``StorageError("Could not <action>: <reason>")``."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StorageError(f"Could not {action}: {describe(exc)}.", detail=repr(exc)) from exc


def _casefold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _prepare(path: Path) -> None:
    """Create the folder; raise ``sqlite3.Error`` unless ``path`` opens as a SQLite database.

    Probing with plain sqlite3 first matters: when ``aiosqlite.connect`` itself fails, its
    worker thread outlives the call and may report to an event loop that has since closed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    probe = sqlite3.connect(path)
    try:
        probe.execute("SELECT count(*) FROM sqlite_master").fetchall()
    finally:
        probe.close()


async def connect(path: Path) -> aiosqlite.Connection:
    """Open (creating if needed) the database at ``path`` and set its pragmas.

    Raises ``StorageError`` naming the file when it cannot be opened or is not a database.
    """
    import asyncio

    import aiosqlite

    conn: aiosqlite.Connection | None = None
    try:
        await asyncio.to_thread(_prepare, path)
        conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.row_factory = aiosqlite.Row
        for pragma in PRAGMAS:
            rows = list(await conn.execute_fetchall(pragma))
            if pragma.startswith("PRAGMA journal_mode") and rows and rows[0][0] != "wal":
                log.warning(
                    "SQLite kept journal mode %r for %s (WAL unavailable)", rows[0][0], path
                )
        await conn.create_function("chatdesk_casefold", 1, _casefold, deterministic=True)
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                await conn.close()
        reason = describe(exc) if isinstance(exc, sqlite3.Error) else str(exc)
        raise StorageError(
            f"Could not open the chat database {path}: {reason}.", detail=repr(exc)
        ) from exc
    return conn


async def transaction(conn: aiosqlite.Connection, body: Callable[[], Awaitable[T]]) -> T:
    """Run ``body`` inside BEGIN IMMEDIATE ... COMMIT; roll back if anything fails."""
    await conn.execute("BEGIN IMMEDIATE")
    try:
        result = await body()
        await conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite rolls back by itself on some errors (disk full)
            try:
                await conn.execute("ROLLBACK")
            except sqlite3.Error:
                log.exception("ROLLBACK failed")
        raise
    return result
