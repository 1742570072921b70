"""Look into a test's SQLite file from outside the app, with the standard sqlite3 module."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def query(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run one statement on a fresh plain sqlite3 connection and return its rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        return [tuple(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()
