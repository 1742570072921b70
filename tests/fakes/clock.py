"""The one fake wall clock of the tests: it moves only when the test says so."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["DAY", "START", "FakeClock"]

#: The fake clock's start: 2027-01-15 08:00:00 UTC.
START = 1_800_000_000.0
DAY = 86400.0


class FakeClock:
    """A clock tests move by hand; each call returns the current time and runs ``on_call``."""

    def __init__(self, now: float = START) -> None:
        self.now = now
        self.on_call: Callable[[], None] | None = None

    def __call__(self) -> float:
        if self.on_call is not None:
            self.on_call()
        return self.now

    def advance(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now
