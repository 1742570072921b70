"""Titling a new conversation: a short non-streamed request, or its first words."""

from __future__ import annotations

import asyncio
import logging

from chatdesk.core import titles
from chatdesk.core.models import ChatRequest, RequestMessage, TurnConfig
from chatdesk.core.ports import ChatProvider, ConversationStore
from chatdesk.errors import ChatdeskError

log = logging.getLogger(__name__)

TITLE_TIMEOUT_S = 30.0


class TitleWriter:
    """Titles conversations that still have the default title (one request per chat at a
    time)."""

    def __init__(self, store: ConversationStore, provider: ChatProvider) -> None:
        self._store = store
        self._provider = provider
        self._titling: set[int] = set()  # conversations whose title request is in flight

    async def maybe_title(
        self, conversation_id: int, config: TurnConfig, user_text: str, answer: str
    ) -> str | None:
        """Title a conversation that still has the default title; falls back to first words."""
        try:
            conversation = await self._store.get_conversation(conversation_id)
        except ChatdeskError:
            return None
        if (
            conversation is None
            or not conversation.title_is_default
            or conversation_id in self._titling
        ):
            return None
        self._titling.add(conversation_id)
        try:
            return await self._title(conversation_id, config, user_text, answer)
        finally:
            self._titling.discard(conversation_id)

    async def _title(
        self, conversation_id: int, config: TurnConfig, user_text: str, answer: str
    ) -> str | None:
        title = ""
        request = ChatRequest(
            model=config.title_model or config.model,
            messages=(
                RequestMessage("system", titles.TITLE_INSTRUCTION),
                RequestMessage("user", titles.title_prompt(user_text, answer)),
            ),
            parameters={"max_tokens": 32, "temperature": 0.2},
            stream=False,
        )
        try:
            async with asyncio.timeout(TITLE_TIMEOUT_S):
                title = titles.clean_title(await self._provider.complete(request))
        except (ChatdeskError, TimeoutError) as exc:
            log.info("title request failed, using the first words: %s", exc)
        if not title:
            title = titles.fallback_title(user_text)
        try:
            applied = await self._store.rename_conversation(conversation_id, title, generated=True)
        except ChatdeskError:
            return None
        return title if applied is not False else None
