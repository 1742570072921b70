"""Helpers shared by the storage tests."""

from __future__ import annotations

from fakes.sqlite import query

__all__ = ["START", "FakeClock", "query"]

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
