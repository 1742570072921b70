"""ToolRound: one round of the model's tool calls, run in parallel, reported and stored.

Each call is reported as it finishes (``ToolCallFinished``); once all are done, the round is
recorded in the ledger in one transaction (``tool_calls``: each call's status ``ok``,
``error`` or ``denied``, who let it run, how long the tool ran) and the results are stored as
``tool`` messages in the order the model asked for them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence

from chatdesk.core.events import ToolCallFinished, ToolCallStarted, TurnEvent
from chatdesk.core.models import MessageStatus, ToolCall
from chatdesk.core.ports import ConversationStore, ToolCallRecord, ToolHost, ToolResult

log = logging.getLogger(__name__)
clog = logging.getLogger("chatdesk.conversation")

#: Tool results longer than this many characters are cut, with a note to the model.
MAX_TOOL_RESULT_CHARS = 100_000


class ToolRound:
    """Runs the calls of one assistant message over ``tools`` and stores them in ``store``."""

    def __init__(
        self, store: ConversationStore, tools: ToolHost, clock: Callable[[], float]
    ) -> None:
        self._store = store
        self._tools = tools
        self._clock = clock

    async def run(
        self, conversation_id: int, message_id: int, calls: Sequence[ToolCall]
    ) -> AsyncIterator[TurnEvent]:
        """Run the calls in parallel; yield each as it finishes; store results in call order."""
        for call in calls:
            yield ToolCallStarted(call)
        tasks = [asyncio.ensure_future(self._call(call, conversation_id)) for call in calls]
        # The round's ledger entries are written in one transaction, before the results.
        records: list[ToolCallRecord] = []
        try:
            for next_done in asyncio.as_completed(tasks):
                call, result, started, duration = await next_done
                error = result.content if result.is_error else None
                yield ToolCallFinished(call, result.content, error, duration, result.denied)
                status = tool_status(result)
                records.append(
                    ToolCallRecord(
                        call,
                        server_id=result.server_id,
                        result=None if result.is_error else result.content,
                        error=error,
                        status=status,
                        started_at=started,
                        duration_ms=duration * 1000,
                        decision=result.decision,
                    )
                )
                clog.info(
                    "tool %s: %s in %.3fs",
                    call.name,
                    status,
                    duration,
                    extra={"conversation_id": conversation_id},
                )
        finally:
            for task in tasks:
                task.cancel()
        await self._store.record_tool_calls(message_id, records)
        for task in tasks:
            call, result, _, _ = task.result()
            await self._store.append_message(
                conversation_id,
                "tool",
                result.content,
                tool_call_id=call.id,
                status=MessageStatus.ERROR if result.is_error else MessageStatus.COMPLETE,
            )

    async def _call(
        self, call: ToolCall, conversation_id: int
    ) -> tuple[ToolCall, ToolResult, float, float]:
        """The call's result, when it was asked for (wall clock) and how long the tool ran:
        the host's own measure when it gives one (approval waits left out), else the whole
        call's."""
        started_wall = time.time()
        started = self._clock()
        try:
            result = await self._tools.call_tool(call, conversation_id=conversation_id)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("tool %s raised %r", call.name, exc)
            result = ToolResult(f"The tool failed: {exc}", is_error=True)
        if len(result.content) > MAX_TOOL_RESULT_CHARS:
            cut = result.content[:MAX_TOOL_RESULT_CHARS]
            note = f"\n\n[Result truncated: {len(result.content):,} characters, first "
            note += f"{MAX_TOOL_RESULT_CHARS:,} shown.]"
            result = dataclasses.replace(result, content=cut + note)
        elapsed = self._clock() - started
        duration = result.duration_s if result.duration_s is not None else elapsed
        return call, result, started_wall, duration


def tool_status(result: ToolResult) -> str:
    """The stored status of a tool call (``tool_calls.status``): error, denied or ok."""
    if result.is_error:
        return "error"
    return "denied" if result.denied else "ok"
