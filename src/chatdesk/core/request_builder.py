"""The request of one round of a turn: the active path as wire messages, trimmed to fit.

The newest compaction summary stands in for the messages it covers (in the system message);
attachment parts are built once per turn (``TurnParts``) and reused by its tool rounds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from chatdesk.core import context
from chatdesk.core.models import ChatRequest, ContentPart, ModelInfo, TurnConfig
from chatdesk.core.ports import AttachmentResolver, ConversationStore, ToolHost

clog = logging.getLogger("chatdesk.conversation")

#: The newest messages of the active path a request is built from (before trimming).
HISTORY_LIMIT = 1000


@dataclass(slots=True)
class TurnParts:
    """Attachment parts of the turn's user messages, by message id, built once per turn.

    Tool rounds add only assistant and tool messages, so each round reuses these instead of
    reading, encoding and touching every file again.
    """

    parts: dict[int, tuple[ContentPart, ...]] = field(default_factory=dict)
    resolved: set[int] = field(default_factory=set)  # user message ids already looked at


class RequestBuilder:
    """Builds each round's ``ChatRequest`` for the orchestrator."""

    def __init__(
        self,
        store: ConversationStore,
        tools: ToolHost,
        model_info: Callable[[str], ModelInfo | None],
        attachments: AttachmentResolver | None,
    ) -> None:
        self._store = store
        self._tools = tools
        self._model_info = model_info
        self._attachments = attachments

    async def build(
        self,
        conversation_id: int,
        config: TurnConfig,
        offer_tools: bool,
        attached: TurnParts,
    ) -> ChatRequest:
        """The active path (after its newest summary, which stands in for what it covers)."""
        history = await self._store.list_messages(conversation_id, limit=HISTORY_LIMIT)
        summary = context.applicable_summary(await self._store.summaries(conversation_id), history)
        if summary is not None:
            history = [m for m in history if m.id > summary.through_id]
        info = self._model_info(config.model)
        parts = None
        if self._attachments is not None:
            users = [m for m in history if m.role == "user" and m.id not in attached.resolved]
            if users:  # only the first round of a turn has any
                attached.parts.update(await self._attachments.parts_for(users, config.model, info))
                attached.resolved.update(m.id for m in users)
            parts = attached.parts
        messages = context.to_request_messages(history, parts)
        system = context.system_message(config.system_prompt, summary)
        tools = tuple(self._tools.tool_specs()) if offer_tools else ()
        budget: int | None = None
        if info is not None and info.context_length:
            reserve = context.answer_reserve(
                config.parameters.get("max_tokens"), info.max_completion_tokens
            )
            budget = max(info.context_length - reserve, 256)
        tool_tokens = sum(
            context.estimate_tokens(json.dumps(t.parameters)) + context.estimate_tokens(t.name)
            for t in tools
        )
        kept, dropped = context.trim_to_budget(system, messages, budget, fixed_tokens=tool_tokens)
        clog.info(
            "request: model=%s messages=%d dropped=%d tools=%d params=%s routing=%s",
            config.model,
            len(kept),
            dropped,
            len(tools),
            sorted(config.parameters),
            dict(config.provider_routing),
            extra={"conversation_id": conversation_id},
        )
        return ChatRequest(
            model=config.model,
            messages=tuple(kept),
            parameters=dict(config.parameters),
            tools=tools,
            provider_routing=dict(config.provider_routing),
            reasoning=dict(config.reasoning),
        )
