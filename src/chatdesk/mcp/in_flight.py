"""Tool calls in flight, by server: whose conversation a server's request belongs to, and
call deadlines that stop counting while the user answers that server's card.

A server asks for sampling or elicitation in the middle of one of its tool calls; the card
goes to the conversation of that call (else to the one on screen). The call's timeout is the
server's, not the user's: while a card of that server waits, the call's deadline is held and
starts again, whole, once the card is answered. No Qt, no mcp SDK.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field

__all__ = ["InFlightCalls"]


@dataclass
class _Call:
    server_id: str
    conversation_id: int | None
    timeout_s: float
    deadline: asyncio.Timeout | None = None
    #: How long the user's cards held the call (left out of its duration).
    held_s: float = 0.0
    held_since: float | None = None
    abandon: list[Callable[[], None]] = field(default_factory=list)


class InFlightCalls:
    """Which tool calls run on which server, for whom; see the module docstring."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._calls: dict[int, _Call] = {}
        self._held: dict[str, int] = {}  # server id -> cards of it waiting for the user
        self._context: dict[int, int | None] = {}  # task id -> conversation of its call

    @contextlib.asynccontextmanager
    async def call(
        self, server_id: str, conversation_id: int | None, timeout_s: float
    ) -> AsyncIterator[_Call]:
        """Run a call to ``server_id`` within ``timeout_s`` (held while its cards wait); the
        handle's ``held_s`` says how long they held it. Raises ``TimeoutError`` when the
        deadline passes."""
        number = next(self._ids)
        entry = _Call(server_id, conversation_id, timeout_s)
        if self._held.get(server_id):
            entry.held_since = asyncio.get_running_loop().time()
        self._calls[number] = entry
        task = asyncio.current_task()
        try:
            async with asyncio.timeout(None if self._held.get(server_id) else timeout_s) as cm:
                entry.deadline = cm
                if task is not None:
                    self._context[id(task)] = conversation_id
                yield entry
        finally:
            del self._calls[number]
            if task is not None:
                self._context.pop(id(task), None)
            if not any(c.server_id == server_id for c in self._calls.values()):
                for abandon in entry.abandon:  # nobody waits for these answers any more
                    abandon()

    def conversation_of(self, server_id: str) -> int | _Unknown | None:
        """The conversation of the newest call in flight to ``server_id`` (UNKNOWN if none)."""
        task = asyncio.current_task()
        if task is not None and id(task) in self._context:  # asked from inside the call
            return self._context[id(task)]
        for entry in reversed(self._calls.values()):
            if entry.server_id == server_id:
                return entry.conversation_id
        return UNKNOWN

    @contextlib.contextmanager
    def waiting_for_user(
        self, server_id: str, abandon: Callable[[], None] | None = None
    ) -> Iterator[None]:
        """Hold the deadlines of ``server_id``'s calls while a card of it waits; when the
        last of them ends meanwhile, ``abandon`` runs (the answer would reach nobody)."""
        calls = [c for c in self._calls.values() if c.server_id == server_id]
        self._held[server_id] = self._held.get(server_id, 0) + 1
        loop = asyncio.get_running_loop()
        for entry in calls:
            if entry.held_since is None:
                entry.held_since = loop.time()
            if abandon is not None:
                entry.abandon.append(abandon)
            if entry.deadline is not None:
                entry.deadline.reschedule(None)
        try:
            yield
        finally:
            self._held[server_id] -= 1
            if not self._held[server_id]:
                del self._held[server_id]
            for entry in calls:
                if abandon is not None and abandon in entry.abandon:
                    entry.abandon.remove(abandon)
                if server_id not in self._held and entry.held_since is not None:
                    entry.held_s += loop.time() - entry.held_since
                    entry.held_since = None
                if entry.deadline is not None and server_id not in self._held:
                    with contextlib.suppress(RuntimeError):  # the call has ended
                        entry.deadline.reschedule(loop.time() + entry.timeout_s)


class _Unknown:
    """No call of the server is in flight: the caller picks the conversation."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
