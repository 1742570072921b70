"""QtServerAsker: what the core awaits when a server asks for sampling or elicitation.

Each question emits ``asked`` with a :class:`PendingAsk` and waits on a future; the card's
buttons (or Enter / Esc) answer it through :meth:`QtServerAsker.answer`. A sampling request
asks twice: allow (maybe edited), then send the model's answer back. Widgets never await.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from chatdesk.mcp.elicitation import ElicitationAnswer, ElicitationRequest
from chatdesk.mcp.sampling import SamplingAnswer, SamplingEdit, SamplingRequest

__all__ = ["PendingAsk", "QtServerAsker"]


@dataclass(frozen=True, slots=True)
class PendingAsk:
    """A question waiting for the user: ``request`` is a SamplingRequest or an
    ElicitationRequest; ``ask_id`` is what :meth:`QtServerAsker.answer` takes."""

    ask_id: int
    request: SamplingRequest | ElicitationRequest
    answer: SamplingAnswer | None = None  # a sampling's answer, waiting to be sent

    @property
    def conversation_id(self) -> int | None:
        return self.request.conversation_id


class QtServerAsker(QObject):
    """Implements ``SamplingAsker`` and ``ElicitationAsker`` for the inline cards."""

    asked = Signal(object)  # PendingAsk: a new card
    reviewing = Signal(int, object)  # ask id, SamplingAnswer: the card shows the answer
    failed = Signal(int, str)  # ask id, why the model did not answer
    shown = Signal(object, object)  # SamplingRequest, SamplingAnswer: allowed by policy
    finished = Signal(int, bool)  # ask id, whether it was withdrawn (not answered)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[PendingAsk, asyncio.Future[Any]]] = {}
        self._sampling_cards: dict[int, int] = {}  # sampling request id -> ask id

    # --- the core's side ------------------------------------------------------------------

    async def allow_sampling(self, request: SamplingRequest) -> SamplingEdit | None:
        pending = PendingAsk(next(self._ids), request)
        self._sampling_cards[request.id] = pending.ask_id
        answer: SamplingEdit | None = await self._wait(pending, emit=self.asked)
        if answer is None:
            self._close(pending.ask_id)
        return answer

    async def review_sampling(self, request: SamplingRequest, answer: SamplingAnswer) -> bool:
        ask_id = self._sampling_cards.get(request.id)
        if ask_id is None:  # allowed by policy: shown, sent at once
            self.shown.emit(request, answer)
            return True
        pending = PendingAsk(ask_id, request, answer)
        send: bool = await self._wait(pending, emit=None)
        self._close(ask_id)
        return send

    def sampling_shown(self, request: SamplingRequest, answer: SamplingAnswer) -> None:
        self.shown.emit(request, answer)

    def sampling_failed(self, request: SamplingRequest, message: str) -> None:
        ask_id = self._sampling_cards.pop(request.id, None)
        if ask_id is not None:
            self.failed.emit(ask_id, message)

    async def elicit(self, request: ElicitationRequest) -> ElicitationAnswer:
        pending = PendingAsk(next(self._ids), request)
        answer: ElicitationAnswer = await self._wait(pending, emit=self.asked)
        self._close(pending.ask_id)
        return answer

    async def _wait(self, pending: PendingAsk, *, emit: Any) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[pending.ask_id] = (pending, future)
        if emit is not None:
            emit.emit(pending)
        else:
            self.reviewing.emit(pending.ask_id, pending.answer)
        try:
            return await future
        except asyncio.CancelledError:
            self._close(pending.ask_id, withdrawn=True)
            raise
        finally:
            self._pending.pop(pending.ask_id, None)

    def _close(self, ask_id: int, *, withdrawn: bool = False) -> None:
        for request_id, card in list(self._sampling_cards.items()):
            if card == ask_id:
                del self._sampling_cards[request_id]
        self.finished.emit(ask_id, withdrawn)

    # --- the cards' side -------------------------------------------------------------------

    def answer(self, ask_id: int, value: object) -> bool:
        """Answer a waiting question; False when nothing waits under ``ask_id``."""
        entry = self._pending.get(ask_id)
        if entry is None or entry[1].done():
            return False
        entry[1].set_result(value)
        return True

    def pending(self, conversation_id: int | None) -> list[PendingAsk]:
        """Questions of ``conversation_id`` still waiting (for cards shown again)."""
        return [p for p, _ in self._pending.values() if p.conversation_id == conversation_id]

    def waiting(self, ask_id: int) -> bool:
        return ask_id in self._pending
