"""Backups of the chat database: SQLite's online backup API (the app keeps writing while it
copies), into ``backups/`` in the data dir, the newest ``keep`` kept; restore, which first
backs up what it replaces and never touches the current data when the backup is unusable;
and the start-up health check (``PRAGMA quick_check``).

A backup is a standalone SQLite file (rollback journal, not WAL) that chatdesk can open as
its database on any machine.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from chatdesk.errors import ChatdeskError
from chatdesk.history.database import LATEST_SCHEMA, open_database, schema_level
from chatdesk.storage import db

__all__ = [
    "DAY",
    "BackupError",
    "BackupInfo",
    "backup_due",
    "backups_dir",
    "check_database",
    "check_due",
    "inspect_backup",
    "list_backups",
    "make_backup",
    "mark_checked",
    "move_aside",
    "prune_backups",
    "restore_backup",
]

DAY = 24 * 3600.0
_NAME = re.compile(r"^chatdesk-(\d{8}-\d{6})(?:-([a-z-]+))?(?:-\d+)?\.db$")


class BackupError(ChatdeskError):
    """A backup could not be made, read or restored; the message names the file."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup file and what it holds."""

    path: Path
    created_at: float
    size_bytes: int
    chats: int
    messages: int
    kind: str  # "daily", "manual", "before-restore", or "" for a file chosen by hand


def backups_dir(data_dir: Path) -> Path:
    """Where backups go: ``<data dir>/backups``."""
    return data_dir / "backups"


def _stamp_of(path: Path) -> tuple[float, str] | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    try:
        created = time.mktime(time.strptime(match.group(1), "%Y%m%d-%H%M%S"))
    except ValueError:
        return None
    return created, match.group(2) or ""


def _target(folder: Path, kind: str, now: float) -> Path:
    base = f"chatdesk-{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{kind}"
    target = folder / f"{base}.db"
    number = 2
    while target.exists():
        target = folder / f"{base}-{number}.db"
        number += 1
    return target


def make_backup(
    db_path: Path, target: Path | None = None, *, kind: str = "manual", now: float | None = None
) -> Path:
    """Copy the database at ``db_path`` to ``target`` (default: a new file in ``backups/``)
    with the online backup API; returns the file. Raises ``BackupError``."""
    if not db_path.is_file():
        raise BackupError(f"There is no chat database at {db_path} to back up.")
    stamp = time.time() if now is None else now
    if target is None:
        target = _target(backups_dir(db_path.parent), kind, stamp)
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(
            f"{db_path.as_uri()}?mode=ro", uri=True, timeout=db.BUSY_TIMEOUT_MS / 1000
        )
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # one step: a consistent snapshot; writers are not blocked
                copy.execute("PRAGMA journal_mode = DELETE")  # a standalone file, not WAL
            finally:
                copy.close()
        finally:
            source.close()
        partial.replace(target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        reason = db.describe(exc) if isinstance(exc, sqlite3.Error) else (exc.strerror or str(exc))
        raise BackupError(f"Could not back up the chats to {target}: {reason}.") from exc
    return target


def inspect_backup(path: Path, *, thorough: bool = True) -> BackupInfo:
    """What the backup at ``path`` holds; raises ``BackupError`` (naming it) when it is not a
    chatdesk database this version can restore (``thorough``: also ``PRAGMA quick_check``)."""
    if not path.is_file():
        raise BackupError(f"{path} does not exist.")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path} is not a chatdesk backup (not an SQLite database).")
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            level = schema_level(conn)
            if (
                level is None
                or not conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'conversations'"
                ).fetchone()
            ):
                raise BackupError(f"{path} is an SQLite database but not a chatdesk backup.")
            if level > LATEST_SCHEMA:
                raise BackupError(
                    f"{path} was made by a newer version of chatdesk (schema {level}; this "
                    f"version knows up to {LATEST_SCHEMA}). Update chatdesk to restore it."
                )
            if thorough:
                problems = [r[0] for r in conn.execute("PRAGMA quick_check(3)")]
                if problems != ["ok"]:
                    raise BackupError(f"{path} is damaged ({'; '.join(problems)}).")
            chats = int(conn.execute("SELECT count(*) FROM conversations").fetchone()[0])
            messages = int(conn.execute("SELECT count(*) FROM messages").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be read as a backup: {db.describe(exc)}.") from exc
    stamp = _stamp_of(path)
    created, kind = stamp if stamp else (path.stat().st_mtime, "")
    return BackupInfo(path, created, path.stat().st_size, chats, messages, kind)


def list_backups(data_dir: Path) -> list[BackupInfo]:
    """The usable backups in ``backups/``, newest first (unreadable files are left out)."""
    found: list[BackupInfo] = []
    folder = backups_dir(data_dir)
    for path in folder.glob("chatdesk-*.db") if folder.is_dir() else ():
        with contextlib.suppress(BackupError, OSError):
            found.append(inspect_backup(path, thorough=False))
    found.sort(key=lambda b: (b.created_at, b.path.name), reverse=True)
    return found


def prune_backups(data_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``backups/``; returns the deleted files."""
    folder = backups_dir(data_dir)
    dated = [(s[0], p) for p in folder.glob("chatdesk-*.db") if (s := _stamp_of(p))]
    dated.sort(key=lambda item: (item[0], item[1].name), reverse=True)
    removed: list[Path] = []
    for _, path in dated[max(keep, 1) :]:
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def backup_due(data_dir: Path, now: float, interval: float = DAY) -> bool:
    """Whether the newest automatic or manual backup is older than ``interval``."""
    folder = backups_dir(data_dir)
    stamps = [
        s[0]
        for p in folder.glob("chatdesk-*.db")
        if (s := _stamp_of(p)) and s[1] != "before-restore"
    ]
    return not stamps or now - max(stamps) >= interval


def restore_backup(db_path: Path, backup: Path) -> Path:
    """Replace the chats in ``db_path`` with those of ``backup``; returns the backup made of
    the replaced data first. The app may keep the database open: it sees the restored data on
    its next read. Raises ``BackupError`` and changes nothing when the backup is unusable."""
    inspect_backup(backup)
    work = db_path.with_name(f".restore-{int(time.time() * 1000)}.db")
    try:
        shutil.copyfile(backup, work)
        open_database(work).close()  # brings an older backup up to this version's schema
        safety = make_backup(db_path, kind="before-restore") if db_path.is_file() else work
        source = sqlite3.connect(work)
        try:
            target = sqlite3.connect(db_path, timeout=db.BUSY_TIMEOUT_MS / 1000)
            try:
                source.backup(target)
                target.execute("PRAGMA journal_mode = WAL")
            finally:
                target.close()
        finally:
            source.close()
    except (sqlite3.Error, OSError) as exc:
        reason = db.describe(exc) if isinstance(exc, sqlite3.Error) else (exc.strerror or str(exc))
        raise BackupError(f"Could not restore {backup}: {reason}.") from exc
    except ChatdeskError as exc:
        raise BackupError(f"Could not restore {backup}: {exc.user_message}") from exc
    finally:
        for leftover in work.parent.glob(work.name + "*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return safety


def check_database(db_path: Path) -> str | None:
    """None when the database at ``db_path`` is healthy (or absent), else what is wrong."""
    if not db_path.is_file():
        return None
    try:
        conn = sqlite3.connect(db_path, timeout=db.BUSY_TIMEOUT_MS / 1000)
        try:
            problems = [str(r[0]) for r in conn.execute("PRAGMA quick_check(3)")]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return db.describe(exc)
    return None if problems == ["ok"] else "; ".join(problems)


def _stamp(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.checked")


def check_due(db_path: Path, now: float, every: float = 7 * DAY) -> bool:
    """Whether the start-up check should run: the last run did not close the database (its WAL
    is left over), or the last check is older than ``every`` (it reads the whole file: ~2 s
    for 600 MB, so not at every start)."""
    if not db_path.is_file():
        return False
    wal = db_path.with_name(db_path.name + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        return True
    stamp = _stamp(db_path)
    return not stamp.is_file() or now - stamp.stat().st_mtime >= every


def mark_checked(db_path: Path) -> None:
    """Remember that the database passed its check now."""
    stamp = _stamp(db_path)
    stamp.touch()
    os.utime(stamp)


def move_aside(db_path: Path, now: float | None = None) -> Path:
    """Rename a damaged database (and its WAL files) to ``<name>.damaged-<time>``."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    target = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        part = db_path.with_name(db_path.name + suffix)
        if part.exists():
            part.replace(target.with_name(target.name + suffix))
    return target
