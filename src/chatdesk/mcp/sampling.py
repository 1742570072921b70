"""MCP sampling: a server asks the model for a completion (``sampling/createMessage``).

:func:`sampling_request` turns what the server sent into a :class:`SamplingRequest` (the
model that will answer — the conversation's, or the catalogue's best match for the server's
``modelPreferences`` hints —, a token limit capped to something sane, the messages as text);
:class:`Sampler` asks the user (unless the server's policy allows it), runs the completion
through the active provider, shows the answer before it goes back, and records it all in the
ledger. No Qt.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from mcp import types

from chatdesk.core.events import Finished, TextDelta, UsageReported
from chatdesk.core.models import (
    ChatRequest,
    ContentPart,
    ModelInfo,
    RequestMessage,
    Role,
    Usage,
)
from chatdesk.core.ports import ChatProvider
from chatdesk.errors import ChatdeskError
from chatdesk.mcp.request_record import Record, ServerRequestRecord

__all__ = [
    "MAX_SAMPLING_TOKENS",
    "SampledMessage",
    "Sampler",
    "SamplingAnswer",
    "SamplingAsker",
    "SamplingEdit",
    "SamplingRequest",
    "choose_model",
    "sampling_request",
]

log = logging.getLogger(__name__)

#: The most tokens a server's request may have the model write (whatever it asks for).
MAX_SAMPLING_TOKENS = 16_384
#: Spec: "User rejected sampling request" uses code -1.
USER_REJECTED = -1


@dataclass(frozen=True, slots=True)
class SampledMessage:
    """One message the server sends to the model, as the card shows it."""

    role: str  # user | assistant
    text: str
    images: tuple[str, ...] = ()  # data: URLs


@dataclass(frozen=True, slots=True)
class SamplingRequest:
    """What a server asks the model, made fit to show and to send."""

    server_id: str
    conversation_id: int | None
    system_prompt: str
    messages: tuple[SampledMessage, ...]
    model: str
    max_tokens: int
    asked_max_tokens: int
    temperature: float | None = None
    stop_sequences: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    #: Things the user should know (a capped limit, context the server asked for, ...).
    notes: tuple[str, ...] = ()
    automatic: bool = False  # the server's policy allows it: the card only shows it
    id: int = 0

    def as_json(self) -> str:
        """What the ledger keeps of the request."""
        return json.dumps(
            {
                "system_prompt": self.system_prompt,
                "messages": [
                    {"role": m.role, "text": m.text, "images": len(m.images)} for m in self.messages
                ],
                "model": self.model,
                "max_tokens": self.max_tokens,
                "asked_max_tokens": self.asked_max_tokens,
                "temperature": self.temperature,
                "hints": list(self.hints),
            },
            ensure_ascii=False,
        )


@dataclass(frozen=True, slots=True)
class SamplingEdit:
    """What the user allowed to be sent (the server's text, or their edit of it)."""

    system_prompt: str
    messages: tuple[SampledMessage, ...]
    edited: bool = False


@dataclass(frozen=True, slots=True)
class SamplingAnswer:
    """The model's answer, before it goes back to the server."""

    text: str
    model: str
    stop_reason: str  # endTurn | maxTokens | stopSequence
    usage: Usage = field(default_factory=Usage)
    duration_s: float = 0.0


class SamplingAsker(Protocol):
    """The UI's side: a card in the conversation."""

    async def allow_sampling(self, request: SamplingRequest) -> SamplingEdit | None:
        """Allow (maybe edited) or deny (None)."""
        ...

    async def review_sampling(self, request: SamplingRequest, answer: SamplingAnswer) -> bool:
        """Show the answer; True sends it to the server."""
        ...

    def sampling_failed(self, request: SamplingRequest, message: str) -> None:
        """The completion failed (the card says why)."""
        ...

    def sampling_shown(self, request: SamplingRequest, answer: SamplingAnswer) -> None:
        """A request the server's policy allowed was answered (and sent back)."""
        ...


class SamplingError(ChatdeskError):
    """A sampling request that cannot be served as sent."""


def choose_model(
    hints: Sequence[str], active: str, catalogue: Sequence[ModelInfo]
) -> tuple[str, str | None]:
    """The model to answer with, and the hint it matched (None: the active model).

    Hints are tried in order: an exact id, an id whose name after the vendor is the hint, then
    ids containing it (the shortest first: "claude-3-sonnet" prefers the plain model to its
    variants)."""
    ids = [m.id for m in catalogue]
    for hint in hints:
        wanted = hint.strip().lower()
        if not wanted:
            continue
        for candidate in ids:
            if candidate.lower() == wanted or candidate.lower().split("/", 1)[-1] == wanted:
                return candidate, hint
        containing = sorted((i for i in ids if wanted in i.lower()), key=len)
        if containing:
            return containing[0], hint
    return active, None


def _messages(params: types.CreateMessageRequestParams) -> tuple[SampledMessage, ...]:
    result = []
    for message in params.messages:
        content = message.content
        blocks = content if isinstance(content, list) else [content]
        texts: list[str] = []
        images: list[str] = []
        for block in blocks:
            if isinstance(block, types.TextContent):
                texts.append(block.text)
            elif isinstance(block, types.ImageContent):
                images.append(f"data:{block.mime_type};base64,{block.data}")
            elif isinstance(block, types.AudioContent):
                texts.append("[audio the model cannot hear]")
            else:
                raise SamplingError(
                    f"the server sent a {getattr(block, 'type', type(block).__name__)!r} block, "
                    "which chatdesk does not send to models"
                )
        result.append(SampledMessage(message.role, "\n".join(texts), tuple(images)))
    if not result:
        raise SamplingError("the server sent no messages")
    return tuple(result)


def sampling_request(
    server_id: str,
    conversation_id: int | None,
    params: types.CreateMessageRequestParams,
    *,
    active_model: str,
    catalogue: Sequence[ModelInfo],
    automatic: bool = False,
) -> SamplingRequest:
    """The request as chatdesk will run it; raises :class:`SamplingError` when it cannot."""
    if params.tools:
        raise SamplingError(
            "the server asked for tool use in sampling, which chatdesk does not offer"
        )
    messages = _messages(params)
    preferences = params.model_preferences
    hints = tuple(h.name for h in (preferences.hints or ()) if h.name) if preferences else ()
    model, matched = choose_model(hints, active_model, catalogue)
    info = next((m for m in catalogue if m.id == model), None)
    limit = MAX_SAMPLING_TOKENS
    if info is not None and info.max_completion_tokens:
        limit = min(limit, info.max_completion_tokens)
    asked = params.max_tokens
    if asked <= 0:
        raise SamplingError(f"the server asked for {asked} tokens")
    notes: list[str] = []
    if asked > limit:
        notes.append(f"The server asked for up to {asked:,} tokens; capped at {limit:,}.")
    if hints and matched is None:
        notes.append(f"No model matches the server's hints ({', '.join(hints)}).")
    if params.include_context not in (None, "none"):
        notes.append("The server asked for context from the chat; none is shared.")
    return SamplingRequest(
        server_id=server_id,
        conversation_id=conversation_id,
        system_prompt=params.system_prompt or "",
        messages=messages,
        model=model,
        max_tokens=min(asked, limit),
        asked_max_tokens=asked,
        temperature=params.temperature,
        stop_sequences=tuple(params.stop_sequences or ()),
        hints=hints,
        notes=tuple(notes),
        automatic=automatic,
    )


def _chat_request(request: SamplingRequest, edit: SamplingEdit) -> ChatRequest:
    messages: list[RequestMessage] = []
    if edit.system_prompt.strip():
        messages.append(RequestMessage("system", edit.system_prompt))
    for message in edit.messages:
        parts = tuple(ContentPart("image_url", url=url) for url in message.images)
        role: Role = "assistant" if message.role == "assistant" else "user"
        messages.append(RequestMessage(role, message.text, parts=parts))
    parameters: dict[str, Any] = {"max_tokens": request.max_tokens}
    if request.temperature is not None:
        parameters["temperature"] = request.temperature
    if request.stop_sequences:
        parameters["stop"] = list(request.stop_sequences)
    return ChatRequest(request.model, tuple(messages), parameters=parameters)


async def complete(
    provider: ChatProvider, request: SamplingRequest, edit: SamplingEdit
) -> SamplingAnswer:
    """Run the completion through the provider (streamed, collected)."""
    started = time.perf_counter()
    text: list[str] = []
    usage = Usage()
    reason = "stop"
    async for event in provider.stream_chat(_chat_request(request, edit)):
        if isinstance(event, TextDelta):
            text.append(event.text)
        elif isinstance(event, UsageReported):
            usage = event.usage
        elif isinstance(event, Finished):
            reason = event.reason
    stop = "maxTokens" if reason == "length" else "endTurn"
    return SamplingAnswer("".join(text), request.model, stop, usage, time.perf_counter() - started)


class Sampler:
    """Serves one server's sampling requests; see the module docstring."""

    def __init__(
        self,
        provider: Callable[[], ChatProvider],
        asker: SamplingAsker | None,
        *,
        active_model: Callable[[int | None], str],
        catalogue: Callable[[], Sequence[ModelInfo]],
        record: Record | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._provider = provider
        self._asker = asker
        self._active_model = active_model
        self._catalogue = catalogue
        self._record = record
        self._clock = clock
        self._ids = 0

    async def serve(
        self,
        server_id: str,
        conversation_id: int | None,
        params: types.CreateMessageRequestParams,
        *,
        automatic: bool,
    ) -> types.CreateMessageResult | types.ErrorData:
        """Answer one request (an error the server understands when it is refused)."""
        started_at = self._clock()
        self._ids += 1
        try:
            request = sampling_request(
                server_id,
                conversation_id,
                params,
                active_model=self._active_model(conversation_id),
                catalogue=self._catalogue(),
                automatic=automatic,
            )
        except SamplingError as exc:
            message = f"chatdesk cannot run this sampling request: {exc.user_message}"
            await self._log(server_id, conversation_id, params, started_at, message)
            return types.ErrorData(code=types.INVALID_PARAMS, message=message)
        request = _with_id(request, self._ids)
        if automatic:
            edit: SamplingEdit | None = SamplingEdit(request.system_prompt, request.messages)
            decision = "policy"
        elif self._asker is None:
            edit, decision = None, "no-one-to-ask"
        else:
            edit = await self._asker.allow_sampling(request)
            decision = "once" if edit is not None and not edit.edited else "edited"
        if edit is None:
            await self._write(request, "denied", "denied", started_at, None, None)
            return types.ErrorData(code=USER_REJECTED, message="User rejected sampling request")
        try:
            answer = await complete(self._provider(), request, edit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            message = exc.user_message if isinstance(exc, ChatdeskError) else str(exc)
            if self._asker is not None:
                self._asker.sampling_failed(request, message)
            await self._write(request, "error", decision, started_at, None, message)
            return types.ErrorData(
                code=types.INTERNAL_ERROR, message=f"The model did not answer: {message}"
            )
        if automatic:  # allowed by the server's policy: shown, sent at once
            send = True
            if self._asker is not None:
                self._asker.sampling_shown(request, answer)
        else:
            assert self._asker is not None
            send = await self._asker.review_sampling(request, answer)
        await self._write(request, "ok" if send else "withheld", decision, started_at, answer, None)
        if not send:
            return types.ErrorData(code=USER_REJECTED, message="User rejected sampling request")
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=answer.text),
            model=answer.model,
            stop_reason=answer.stop_reason,
        )

    async def _write(
        self,
        request: SamplingRequest,
        status: str,
        decision: str,
        started_at: float,
        answer: SamplingAnswer | None,
        error: str | None,
    ) -> None:
        usage = answer.usage if answer is not None else None
        await self._keep(
            ServerRequestRecord(
                kind="sampling",
                conversation_id=request.conversation_id,
                server_id=request.server_id,
                request=request.as_json(),
                status=status,
                decision=decision,
                model=request.model,
                result_chars=len(answer.text) if answer is not None else None,
                prompt_tokens=usage.prompt_tokens if usage is not None else None,
                completion_tokens=usage.completion_tokens if usage is not None else None,
                cost=usage.cost if usage is not None else None,
                error=error,
                started_at=started_at,
                duration_ms=answer.duration_s * 1000 if answer is not None else None,
            )
        )

    async def _keep(self, record: ServerRequestRecord) -> None:
        if self._record is None:
            return
        try:
            await self._record(record)
        except Exception:  # the ledger is a record, not a reason to fail the server
            log.exception("could not record a sampling request")

    async def _log(
        self,
        server_id: str,
        conversation_id: int | None,
        params: types.CreateMessageRequestParams,
        started_at: float,
        error: str,
    ) -> None:
        raw = params.model_dump_json(exclude_none=True)[:100_000]
        await self._keep(
            ServerRequestRecord(
                "sampling",
                conversation_id,
                server_id,
                raw,
                "error",
                "refused",
                error=error,
                started_at=started_at,
            )
        )


def _with_id(request: SamplingRequest, number: int) -> SamplingRequest:
    from dataclasses import replace

    return replace(request, id=number)
