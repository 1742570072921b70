"""ServerRequestBroker: the sampling and elicitation callbacks each server's client gets.

A request goes to the conversation of the server's tool call in flight (else to the one on
screen); while its card waits, that call's timeout is held; when the call ends first (the
answer was stopped, the server gave up), the card is withdrawn and the server told "cancel".
No Qt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from mcp import types
from mcp.client.session import ClientRequestContext

from chatdesk.mcp.config import ServerConfig
from chatdesk.mcp.elicitation import Elicitor
from chatdesk.mcp.in_flight import UNKNOWN, InFlightCalls
from chatdesk.mcp.sampling import USER_REJECTED, Sampler

__all__ = ["ServerRequestBroker"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class ServerRequestBroker:
    """Implements the aggregator's ``ServerRequests``; see the module docstring."""

    def __init__(
        self,
        in_flight: InFlightCalls,
        current_conversation: Callable[[], int | None],
        *,
        sampler: Sampler | None = None,
        elicitor: Elicitor | None = None,
    ) -> None:
        self._in_flight = in_flight
        self._current = current_conversation
        self.sampler = sampler
        self.elicitor = elicitor

    def client_callbacks(self, server_id: str, config: ServerConfig) -> dict[str, Any]:
        """The callbacks for one server's client (a capability is declared only with its
        callback: a server set to refuse sampling never sees it offered)."""
        options: dict[str, Any] = {}
        if self.sampler is not None and config.sampling != "off":
            automatic = config.sampling == "allow"

            async def sampling(
                context: ClientRequestContext, params: types.CreateMessageRequestParams
            ) -> types.CreateMessageResult | types.ErrorData:
                assert self.sampler is not None
                conversation = self._conversation(server_id)
                work = self.sampler.serve(server_id, conversation, params, automatic=automatic)
                stopped = types.ErrorData(
                    code=USER_REJECTED, message="The request was withdrawn (the call ended)"
                )
                return await self._while_waiting(server_id, work, stopped)

            options["sampling_callback"] = sampling
        if self.elicitor is not None:

            async def elicitation(
                context: ClientRequestContext, params: types.ElicitRequestParams
            ) -> types.ElicitResult | types.ErrorData:
                assert self.elicitor is not None
                conversation = self._conversation(server_id)
                work = self.elicitor.serve(server_id, conversation, params)
                return await self._while_waiting(
                    server_id, work, types.ElicitResult(action="cancel")
                )

            options["elicitation_callback"] = elicitation
        return options

    def _conversation(self, server_id: str) -> int | None:
        found = self._in_flight.conversation_of(server_id)
        return self._current() if found is UNKNOWN else found  # type: ignore[return-value]

    async def _while_waiting(self, server_id: str, work: Coroutine[Any, Any, T], withdrawn: T) -> T:
        """Run ``work`` holding the server's call deadlines; ``withdrawn`` when the call it
        belongs to ends before the user answers."""
        task = asyncio.ensure_future(work)
        try:
            with self._in_flight.waiting_for_user(server_id, abandon=lambda: _cancel(task)):
                await asyncio.wait({task})
        finally:
            if not task.done():
                task.cancel()
        if task.cancelled():
            log.info("MCP server %r: a request was withdrawn (its call ended)", server_id)
            return withdrawn
        return task.result()


def _cancel(task: asyncio.Future[Any]) -> None:
    task.cancel()
