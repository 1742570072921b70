"""Helpers shared by the storage tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

#: The fake clock's start: 2027-01-15 08:00:00 UTC.
START = 1_800_000_000.0


class FakeClock:
    """A clock tests move by hand; each call returns the current time."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


def query(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Run one statement on a fresh plain sqlite3 connection and return its rows."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        return [tuple(row) for row in conn.execute(sql, params)]
    finally:
        conn.close()
