"""Compaction: summarise the oldest turns of the active path so the conversation fits.

A summary is stored on its own (``Summary``), covering the path up to its ``through_id``;
requests send it instead of those messages, which stay stored and searchable. Deleting the
summary undoes the compaction. The conversation's one-paragraph summary (the sidebar tooltip,
exports) is refreshed after each compaction and on demand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from chatdesk.core import context
from chatdesk.core.models import ChatRequest, Message, RequestMessage, Summary, TurnConfig
from chatdesk.core.ports import ChatProvider, ConversationStore
from chatdesk.errors import ChatdeskError, InputError

log = logging.getLogger(__name__)

#: The newest user turns (a question and what answered it) kept word for word.
KEEP_TURNS = 2
#: Characters of one message put in the text to summarise.
MESSAGE_CHARS = 6000
SUMMARY_TIMEOUT_S = 120.0

COMPACT_INSTRUCTION = (
    "You compress the earlier part of a conversation between a user and an AI assistant so "
    "it can continue without it. Write a faithful, dense summary in the conversation's "
    "language: the user's goals, questions and preferences, facts and decisions established, "
    "code, names, numbers and file names that matter, tool results that matter, and what was "
    "left open. Use short paragraphs or bullet points. Do not add anything that was not said."
)
OVERVIEW_INSTRUCTION = (
    "Summarise this conversation between a user and an AI assistant in one short paragraph "
    "(at most three sentences), in the conversation's language: what it is about and where it "
    "stands. Reply with the paragraph only."
)


def messages_to_compact(
    path: Sequence[Message], current: Summary | None, keep_turns: int = KEEP_TURNS
) -> list[Message]:
    """The path's messages a new summary would cover: those after ``current`` and before the
    last ``keep_turns`` user messages; empty when nothing is old enough."""
    start = 0
    if current is not None:
        start = next((i + 1 for i, m in enumerate(path) if m.id == current.through_id), 0)
    users = [i for i in range(start, len(path)) if path[i].role == "user"]
    if len(users) <= keep_turns:
        return []
    end = users[-keep_turns] if keep_turns > 0 else len(path)
    return list(path[start:end])


def transcript(messages: Sequence[Message], previous: Summary | None = None) -> str:
    """The text a summary is asked for: the earlier summary, then each message by role."""
    blocks: list[str] = []
    if previous is not None:
        blocks.append(f"[Summary of what came before]\n{previous.content.strip()}")
    for message in messages:
        text = message.content.strip()
        if message.role == "tool":
            label = "Tool result"
        elif message.role == "assistant":
            label = "Assistant"
            calls = ", ".join(call.name for call in message.tool_calls)
            if calls:
                text = f"{text}\n(called tools: {calls})".strip()
        else:
            label = message.role.capitalize()
        if not text:
            continue
        if len(text) > MESSAGE_CHARS:
            text = text[:MESSAGE_CHARS] + " […]"
        blocks.append(f"[{label}]\n{text}")
    return "\n\n".join(blocks)


class Compactor:
    """Makes compaction summaries and conversation overviews with non-streamed requests."""

    def __init__(self, store: ConversationStore, provider: ChatProvider) -> None:
        self._store = store
        self._provider = provider

    async def compact(
        self, conversation_id: int, config: TurnConfig, *, keep_turns: int = KEEP_TURNS
    ) -> Summary:
        """Summarise the oldest turns of the active path and store the summary.

        Raises ``InputError`` when nothing is old enough, ``ChatdeskError`` when the request
        fails; the conversation is then as it was.
        """
        path = await self._store.list_messages(conversation_id)
        current = context.applicable_summary(await self._store.summaries(conversation_id), path)
        covered = messages_to_compact(path, current, keep_turns)
        if not covered:
            raise InputError(
                "There is nothing to summarise yet: the newest questions are always kept."
            )
        text = await self._ask(config, COMPACT_INSTRUCTION, transcript(covered, current), 2048)
        summary = await self._store.add_summary(
            conversation_id, covered[-1].id, text, model=config.model
        )
        try:
            await self.refresh_overview(conversation_id, config)
        except ChatdeskError as exc:  # the compaction itself worked
            log.info("conversation summary not refreshed: %s", exc)
        return summary

    async def refresh_overview(self, conversation_id: int, config: TurnConfig) -> str:
        """Write the conversation's one-paragraph summary anew (from the active path)."""
        path = await self._store.list_messages(conversation_id)
        if not path:
            raise InputError("This conversation has no messages to summarise.")
        current = context.applicable_summary(await self._store.summaries(conversation_id), path)
        rest = [m for m in path if current is None or m.id > current.through_id]
        text = await self._ask(config, OVERVIEW_INSTRUCTION, transcript(rest, current), 256)
        await self._store.set_conversation_summary(conversation_id, text)
        return text

    async def _ask(self, config: TurnConfig, instruction: str, text: str, max_tokens: int) -> str:
        request = ChatRequest(
            model=config.model,
            messages=(RequestMessage("system", instruction), RequestMessage("user", text)),
            parameters={"max_tokens": max_tokens, "temperature": 0.2},
            provider_routing=dict(config.provider_routing),
            stream=False,
        )
        try:
            async with asyncio.timeout(SUMMARY_TIMEOUT_S):
                answer = (await self._provider.complete(request)).strip()
        except TimeoutError as exc:
            raise ChatdeskError(
                f"The summary took longer than {SUMMARY_TIMEOUT_S:.0f} seconds; try again."
            ) from exc
        if not answer:
            raise ChatdeskError("The model returned an empty summary; nothing was changed.")
        return answer
