"""ChatOrchestrator: build the request, stream it, run tools, repeat, and persist all of it.

A turn is an async generator of ``TurnEvent``. The user message is stored before the request
leaves; the assistant message is created at once (status ``streaming``) and its text is written
at most every ``persist_interval_s`` while it streams, so a killed process loses at most that
much. To stop a turn, cancel the task that iterates it: the partial answer is stored with status
``cancelled`` before the ``CancelledError`` propagates.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from chatdesk.core.events import (
    AssistantContinued,
    Finished,
    ReasoningDelta,
    RetryScheduled,
    StreamStarted,
    TextDelta,
    TitleChanged,
    ToolCallsRequested,
    TurnDone,
    TurnEvent,
    TurnFailed,
    TurnStarted,
    UsageReported,
)
from chatdesk.core.models import (
    Attachment,
    ChatRequest,
    Message,
    MessageStatus,
    ModelInfo,
    ToolCall,
    TurnConfig,
    Usage,
)
from chatdesk.core.ports import (
    AFTER_LEAF,
    AttachmentResolver,
    ChatProvider,
    ConversationStore,
    NoTools,
    ToolHost,
)
from chatdesk.core.request_builder import HISTORY_LIMIT, RequestBuilder, TurnParts
from chatdesk.core.title_writer import TitleWriter
from chatdesk.core.tool_round import ToolRound
from chatdesk.errors import ChatdeskError, InputError

log = logging.getLogger(__name__)
clog = logging.getLogger("chatdesk.conversation")


def _empty_failure(message: Message) -> bool:
    """An answer that failed or stopped before saying anything (a retry replaces it)."""
    return (
        message.role == "assistant"
        and message.status in (MessageStatus.ERROR, MessageStatus.CANCELLED)
        and not message.content.strip()
        and not message.tool_calls
    )


@dataclass(slots=True)
class _Round:
    """What one streamed completion produced."""

    parts: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    calls: tuple[ToolCall, ...] = ()
    finish_reason: str | None = None
    usage: Usage | None = None
    generation_id: str | None = None
    served_model: str | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


class ChatOrchestrator:
    """Runs chat turns over a provider, a tool host and a conversation store."""

    def __init__(
        self,
        store: ConversationStore,
        provider: ChatProvider,
        *,
        tools: ToolHost | None = None,
        model_info: Callable[[str], ModelInfo | None] = lambda _model: None,
        persist_interval_s: float = 0.25,
        max_tool_rounds: int = 10,
        clock: Callable[[], float] = time.monotonic,
        attachments: AttachmentResolver | None = None,
    ) -> None:
        """``model_info`` looks a model's limits up: the app passes the shared catalogue's
        (``ModelCatalogue.info``), which the UI's model picker shows too."""
        self._store = store
        self._attachments = attachments
        self._provider = provider
        self._tools: ToolHost = tools if tools is not None else NoTools()
        self._tool_round = ToolRound(store, self._tools, clock)
        self._model_info = model_info
        self._persist_interval = persist_interval_s
        self._max_tool_rounds = max_tool_rounds
        self._clock = clock
        self._requests = RequestBuilder(store, self._tools, model_info, attachments)
        self._titles = TitleWriter(store, provider)

    # -- public API ----------------------------------------------------------------------

    async def send(
        self,
        conversation_id: int,
        text: str,
        config: TurnConfig,
        attachments: Sequence[Attachment] = (),
    ) -> AsyncIterator[TurnEvent]:
        """Store ``text`` (and link ``attachments``) as the user's message at the end of the
        active path and stream the answer.

        Files the model cannot take fail the turn before anything is stored or sent.
        """
        if not text.strip() and not attachments:
            yield TurnFailed(InputError("Type a message first."), None)
            return
        try:
            if attachments:
                if self._attachments is None:
                    raise InputError("Attachments are not available in this setup.")
                info = self._model_info(config.model)
                await self._attachments.check(attachments, config.model, info)
            user = await self._store.append_message(conversation_id, "user", text)
        except ChatdeskError as exc:
            yield TurnFailed(exc, None)
            return
        if attachments and self._attachments is not None:
            try:
                linked = await self._attachments.attach(user, attachments)
            except ChatdeskError as exc:  # take the message back: the draft returns whole
                with contextlib.suppress(ChatdeskError):
                    await self._store.discard_branch(user.id)
                yield TurnFailed(exc, None)
                return
            user = dataclasses.replace(user, attachments=linked)
        topic = text if text.strip() else " ".join(a.filename for a in attachments)
        async for event in self._turn(conversation_id, config, user, first_text=topic):
            yield event

    async def edit(
        self, conversation_id: int, message_id: int, text: str, config: TurnConfig
    ) -> AsyncIterator[TurnEvent]:
        """Ask the user's message ``message_id`` again as ``text``: a new sibling of it (with its
        files) that starts a new branch, answered at once. The old branch stays as it was."""
        if not text.strip():
            yield TurnFailed(InputError("An edited message cannot be empty."), None)
            return
        try:
            old = await self._store.get_message(message_id)
            if old is None or old.conversation_id != conversation_id or old.role != "user":
                raise InputError("That message can no longer be edited: it was deleted.")
            user = await self._store.append_message(
                conversation_id, "user", text, parent_id=old.parent_id
            )
            if self._attachments is not None:
                files = await self._attachments.copy(old.id, user)
                user = dataclasses.replace(user, attachments=files)
        except ChatdeskError as exc:
            yield TurnFailed(exc, None)
            return
        async for event in self._turn(conversation_id, config, user, first_text=text):
            yield event

    async def regenerate(
        self,
        conversation_id: int,
        config: TurnConfig,
        from_message_id: int | None = None,
        *,
        remember_model: bool = True,
    ) -> AsyncIterator[TurnEvent]:
        """Answer the user message at or before ``from_message_id`` on the active path (default:
        the last one) again, as a new sibling of the answer that followed it. Also serves
        "Retry". The old answer stays as another branch, except an empty failed one, which the
        new answer replaces once it is complete. A retry that fails before any text came is taken
        back, and the old answer is shown again. ``remember_model`` False: the conversation
        keeps its model (a one-off "answer with another model")."""
        try:
            conversation = await self._store.get_conversation(conversation_id)
            path = await self._store.list_messages(conversation_id, limit=HISTORY_LIMIT)
            if from_message_id is not None and all(m.id != from_message_id for m in path):
                raise InputError("That message is not on the branch shown.")
            users = [
                i
                for i, m in enumerate(path)
                if m.role == "user" and (from_message_id is None or m.id <= from_message_id)
            ]
            if not users or conversation is None:
                raise InputError("There is no message to answer again.")
        except ChatdeskError as exc:
            yield TurnFailed(exc, None)
            return
        anchor = path[users[-1]]
        following = path[users[-1] + 1] if users[-1] + 1 < len(path) else None
        replaced = following.id if following is not None and _empty_failure(following) else None
        async for event in self._turn(
            conversation_id,
            config,
            None,
            first_text=anchor.content,
            after=anchor.id,
            previous_leaf=conversation.active_leaf_id,
            replaced=replaced,
            remember_model=remember_model,
        ):
            yield event

    # -- the turn ------------------------------------------------------------------------

    async def _turn(
        self,
        conversation_id: int,
        config: TurnConfig,
        user: Message | None,
        *,
        first_text: str,
        after: int | None = None,
        previous_leaf: int | None = None,
        replaced: int | None = None,
        remember_model: bool = True,
    ) -> AsyncIterator[TurnEvent]:
        """Stream the answer under ``user`` (or, for a regeneration, under message ``after``)."""
        try:
            conversation = await self._store.get_conversation(conversation_id)
            if conversation is None:
                yield TurnFailed(InputError("This conversation no longer exists."), None)
                return
            changed = (
                conversation.model != config.model or conversation.preset_id != config.preset_id
            )
            if changed and remember_model:
                await self._store.set_conversation_model(
                    conversation_id, config.model, config.preset_id
                )
            parent = user.id if user is not None else after
            assistant = await self._new_assistant(conversation_id, config, parent)
        except ChatdeskError as exc:
            yield TurnFailed(exc, None)
            return
        after_id = user.parent_id if user is not None else after
        yield TurnStarted(conversation_id, user, assistant.id, config.model, after_id)

        rounds = 0
        state = _Round()
        attached = TurnParts()
        current_done = False  # the current assistant message is already stored complete
        try:
            while True:
                state = _Round()
                offer_tools = rounds < self._max_tool_rounds
                request = await self._requests.build(conversation_id, config, offer_tools, attached)
                async for event in self._stream(conversation_id, assistant.id, request, state):
                    yield event
                run_tools = bool(state.calls) and offer_tools
                await self._store.update_message(
                    assistant.id,
                    content=state.text,
                    reasoning="".join(state.reasoning),
                    status=MessageStatus.COMPLETE,
                    usage=state.usage,
                    model=state.served_model or config.model,
                    generation_id=state.generation_id,
                    tool_calls=state.calls if run_tools else None,
                )
                current_done = True
                if run_tools:
                    async for event in self._tool_round.run(
                        conversation_id, assistant.id, state.calls
                    ):
                        yield event
                    rounds += 1
                    previous = assistant.id
                    assistant = await self._new_assistant(conversation_id, config)
                    current_done = False
                    done_previous = await self._store.get_message(previous)
                    if done_previous is not None:
                        yield AssistantContinued(done_previous, assistant.id)
                    continue
                if replaced is not None:
                    await self._store.discard_branch(replaced, new_leaf=assistant.id)
                done = await self._store.get_message(assistant.id)
                if done is not None:
                    yield TurnDone(done, replaced)
                break
        except asyncio.CancelledError:
            if not current_done:
                await self._finish_partial(assistant.id, state, MessageStatus.CANCELLED, None)
            clog.info("turn cancelled", extra={"conversation_id": conversation_id})
            raise
        except Exception as exc:
            if not isinstance(exc, ChatdeskError):  # never let a bug kill the app
                log.exception("unexpected error in a chat turn")
                exc = ChatdeskError(f"Something went wrong: {exc}", detail=repr(exc))
            if user is None and rounds == 0 and not state.text and not state.reasoning:
                yield await self._taken_back(conversation_id, assistant.id, previous_leaf, exc)
            else:
                yield await self._failed(conversation_id, assistant.id, state, exc)
            return

        if config.generate_titles:
            title = await self._titles.maybe_title(conversation_id, config, first_text, state.text)
            if title is not None:
                yield TitleChanged(conversation_id, title)

    async def _new_assistant(
        self, conversation_id: int, config: TurnConfig, parent: int | None = None
    ) -> Message:
        """A streaming answer under ``parent`` (default: the end of the active path)."""
        return await self._store.append_message(
            conversation_id,
            "assistant",
            "",
            status=MessageStatus.STREAMING,
            model=config.model,
            parent_id=AFTER_LEAF if parent is None else parent,
        )

    async def _stream(
        self, conversation_id: int, message_id: int, request: ChatRequest, state: _Round
    ) -> AsyncIterator[TurnEvent]:
        """One streamed completion; persists text every ``persist_interval_s``."""
        started = self._clock()
        last_save = started
        first_token_at: float | None = None
        interval = self._persist_interval
        clock = self._clock
        parts = state.parts
        async with contextlib.aclosing(self._provider.stream_chat(request)) as stream:
            async for event in stream:
                if isinstance(event, TextDelta | ReasoningDelta):
                    if isinstance(event, TextDelta):
                        parts.append(event.text)
                        if first_token_at is None:
                            first_token_at = clock()
                    else:
                        state.reasoning.append(event.text)
                    yield event
                    now = clock()
                    if now - last_save >= interval:  # answer and reasoning: both are streamed
                        last_save = now
                        await self._store.update_message(
                            message_id, content="".join(parts), reasoning="".join(state.reasoning)
                        )
                elif isinstance(event, ToolCallsRequested):
                    state.calls = event.calls
                elif isinstance(event, Finished):
                    state.finish_reason = event.reason
                elif isinstance(event, UsageReported):
                    state.usage = event.usage
                    yield event
                elif isinstance(event, StreamStarted):
                    state.generation_id = event.generation_id
                    state.served_model = event.model
                elif isinstance(event, RetryScheduled):
                    yield event
        clog.debug(
            "stream done: model=%s finish=%s chars=%d first_token=%.3fs total=%.3fs usage=%s",
            state.served_model or request.model,
            state.finish_reason,
            sum(len(p) for p in parts),
            (first_token_at - started) if first_token_at is not None else -1.0,
            clock() - started,
            state.usage,
            extra={"conversation_id": conversation_id},
        )

    # -- endings -------------------------------------------------------------------------

    async def _finish_partial(
        self, message_id: int, state: _Round, status: MessageStatus, error: str | None
    ) -> Message | None:
        """Store the partial answer with its final status; never raises."""
        try:
            await self._store.update_message(
                message_id,
                content=state.text,
                reasoning="".join(state.reasoning),
                status=status,
                usage=state.usage,
                error=error,
            )
            return await self._store.get_message(message_id)
        except Exception:
            log.exception("could not store the partial answer %s", message_id)
            return None

    async def _failed(
        self, conversation_id: int, message_id: int, state: _Round, error: ChatdeskError
    ) -> TurnFailed:
        clog.warning(
            "turn failed: %s (%s)",
            error.user_message,
            error.detail or type(error).__name__,
            extra={"conversation_id": conversation_id},
        )
        message = await self._finish_partial(
            message_id, state, MessageStatus.ERROR, error.user_message
        )
        return TurnFailed(error, message)

    async def _taken_back(
        self,
        conversation_id: int,
        message_id: int,
        previous_leaf: int | None,
        error: ChatdeskError,
    ) -> TurnFailed:
        """A regeneration failed before any text: remove it; the old answer is active again."""
        clog.warning(
            "answer again failed: %s (%s)",
            error.user_message,
            error.detail or type(error).__name__,
            extra={"conversation_id": conversation_id},
        )
        try:
            await self._store.discard_branch(message_id, new_leaf=previous_leaf)
        except ChatdeskError:
            log.exception("could not take back the failed answer %s", message_id)
            return TurnFailed(
                error,
                await self._finish_partial(
                    message_id, _Round(), MessageStatus.ERROR, error.user_message
                ),
            )
        return TurnFailed(error, None, kept_previous=True)
