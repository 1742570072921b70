"""TurnDriver: runs a turn's events (a send or a regeneration) into the controller's signals.

The rules (whose turn, shown live or not, what goes back to the composer) are in
``TurnState``; the task that runs a turn, the flush timer and the signals belong to the
controller. The view sees the open conversation's turn only. Text deltas wait in the state's
buffer until the controller's timer fires, so the view repaints at most once per interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chatdesk.core.models import Attachment, TurnConfig, Usage
from chatdesk.core.turn_state import SendProgress
from chatdesk.errors import ChatdeskError, InputError

if TYPE_CHECKING:
    from PySide6.QtCore import QTimer

    from chatdesk.attachments.validate import PendingFile
    from chatdesk.core.events import (
        AssistantContinued,
        ReasoningDelta,
        RetryScheduled,
        TextDelta,
        TitleChanged,
        ToolCallFinished,
        ToolCallStarted,
        TurnDone,
        TurnEvent,
        TurnFailed,
        TurnStarted,
    )
    from chatdesk.core.turn_state import TurnState
    from chatdesk.ui.chat.chat_controller import ChatController
    from chatdesk.ui.kit.task_runner import TaskRunner

log = logging.getLogger(__name__)


class TurnDriver:
    """Runs turns for ``controller``: its signals tell the view; ``timer`` paces the deltas."""

    def __init__(
        self,
        controller: ChatController,
        state: TurnState,
        timer: QTimer,
        runner: TaskRunner,
        turn_config: Callable[[str], TurnConfig],
    ) -> None:
        self._controller = controller
        self._state = state
        self._timer = timer
        self._runner = runner
        self._turn_config = turn_config
        self._handlers: dict[type[TurnEvent], Callable[[Any], None]] | None = None

    def set_active(self, active: bool) -> None:
        """Mark the answer streaming or not (``busyChanged`` when that changes)."""
        if self._state.set_active(active):
            self._controller.busyChanged.emit(active)

    def give_back(self, text: str) -> None:
        """The text was not stored: put it back in the composer; Retry (-1) resends it."""
        self._state.give_back(text)
        self._controller.draftRestored.emit(text)

    async def send(self, sent: SendProgress, files: list[PendingFile]) -> None:
        """Send ``sent.text`` in the open conversation (created first when new) and stream the
        answer; what was not stored goes back to the composer. ``sent`` is this send's own
        record (its title may still be on its way when the next send starts)."""
        import asyncio  # loaded by now; not at import time (see app.main)

        chat = self._controller
        repo = await chat.db()
        text = sent.text
        attachments: list[Attachment] = []
        try:
            if files:
                if chat.attachments is None:
                    raise InputError("Attachments are not available yet; try again in a moment.")
                attachments = await chat.attachments.add(
                    files, model=chat.model, info=chat.model_info(chat.model)
                )
            opening = self._runner.running("open")
            if opening is not None:  # the user clicked another chat and pressed Enter at once
                await asyncio.wait([opening])
            conversation = chat.conversation
            if conversation is None:
                conversation = await repo.create_conversation(
                    model=chat.model, preset_id=chat.preset.id if chat.preset else None
                )
                chat.conversation = conversation
                chat.conversationStored.emit(conversation.id)
                chat.conversationOpened.emit(conversation, [], False)
                await chat.reload_conversations()
            self._state.follow(conversation.id)
            events = chat.orchestrator.send(
                conversation.id, text, self._turn_config(chat.model), attachments
            )
            await self._consume(conversation.id, events, sent)
            if not sent.user_stored:  # the turn failed before the message was saved
                await self._give_back_files(text, files, attachments)
        except ChatdeskError as exc:
            if not sent.user_stored:
                await self._give_back_files(text, files, attachments)
            chat.turnFailed.emit(None, exc.user_message, exc.kind, None)

    async def _give_back_files(
        self, text: str, files: list[PendingFile], attachments: list[Attachment]
    ) -> None:
        """Nothing was stored: the text and the files go back to the composer."""
        self.give_back(text)
        if files:
            self._controller.filesRestored.emit(files)
        service = self._controller.attachments
        if attachments and service is not None:
            try:
                await service.discard(attachments)
            except ChatdeskError as exc:  # the reaper removes what is left
                log.warning("could not discard unsent attachments: %s", exc.detail or exc)

    async def regenerate(
        self,
        conversation_id: int,
        message_id: int | None,
        config: TurnConfig | None = None,
        *,
        remember_model: bool = True,
    ) -> None:
        """Answer again from the user message at or before ``message_id`` (with ``config``:
        another model or preset for this answer)."""
        self._state.follow(conversation_id)
        chat = self._controller
        events = chat.orchestrator.regenerate(
            conversation_id,
            config or self._turn_config(chat.model),
            message_id,
            remember_model=remember_model,
        )
        await self._consume(conversation_id, events, branching=True)

    async def edit(self, conversation_id: int, message_id: int, sent: SendProgress) -> None:
        """Ask message ``message_id`` again as ``sent.text`` on a new branch; text that was
        not stored goes back to the composer."""
        self._state.follow(conversation_id)
        chat = self._controller
        try:
            events = chat.orchestrator.edit(
                conversation_id, message_id, sent.text, self._turn_config(chat.model)
            )
            await self._consume(conversation_id, events, sent, branching=True)
        except ChatdeskError as exc:
            chat.turnFailed.emit(None, exc.user_message, exc.kind, None)
        if not sent.user_stored:
            self.give_back(sent.text)

    async def _consume(
        self,
        conversation_id: int,
        events: Any,
        sent: SendProgress | None = None,
        *,
        branching: bool = False,
    ) -> None:
        """Turn the events into signals; ``sent`` learns when this send's message is stored.
        ``branching`` (an edit or a regeneration): the path is shown anew when it ends, with
        the new alternative counted in its navigator."""
        import asyncio  # loaded by now; not at import time (see app.main)

        from chatdesk.core.events import TurnDone, TurnFailed, TurnStarted, UsageReported

        chat = self._controller
        repo = await chat.db()
        handlers = self.handlers()
        last_usage: Usage | None = None
        try:
            async for event in events:
                kind = type(event)
                handler = handlers.get(kind)
                if handler is not None:
                    handler(event)
                if kind is UsageReported:
                    last_usage = event.usage
                elif kind is TurnStarted:
                    if sent is not None and event.user_message is not None:
                        sent.user_stored = True
                elif kind is TurnDone or kind is TurnFailed:
                    if branching and self.viewing():
                        await chat.branches.reload_path(conversation_id)
                    await self._turn_over(conversation_id, last_usage)
        except asyncio.CancelledError:
            if not chat.owns_turn(asyncio.current_task()):
                raise  # an earlier turn's title, stopped: the answer streaming now is another's
            self.flush()
            message_id = self._state.stream_over()
            if message_id is not None and self.viewing():
                stopped = await repo.get_message(message_id)
                if stopped is not None:
                    chat.messageFinished.emit(stopped)
            elif chat.conversation_id == conversation_id:
                await chat.load_conversation(conversation_id)
            raise

    async def _turn_over(self, conversation_id: int, last_usage: Usage | None) -> None:
        """The answer is complete or failed (a title may still follow)."""
        chat = self._controller
        repo = await chat.db()
        self._state.stream_over()
        self.set_active(False)
        if chat.conversation_id == conversation_id:
            if not self._state.live:  # came back while it streamed: show what is stored
                await chat.load_conversation(conversation_id)
            chat.usageChanged.emit(last_usage, await repo.conversation_usage(conversation_id))
            await chat.branches.path_shown(conversation_id, after_turn=True)
        await chat.reload_conversations()

    def handlers(self) -> dict[type[TurnEvent], Callable[[Any], None]]:
        """The handler of each kind of event (built on the first turn: the events module is
        imported after the first paint)."""
        if self._handlers is None:
            from chatdesk.core import events as ev

            self._handlers = {
                ev.TextDelta: self._on_text,
                ev.ReasoningDelta: self._on_reasoning,
                ev.TurnStarted: self._on_turn_started,
                ev.AssistantContinued: self._on_continued,
                ev.TurnDone: self._on_done,
                ev.TurnFailed: self._on_failed,
                ev.ToolCallStarted: self._on_tool_started,
                ev.ToolCallFinished: self._on_tool_finished,
                ev.TitleChanged: self._on_title,
                ev.RetryScheduled: self._on_retry,
            }
        return self._handlers

    def viewing(self) -> bool:
        """Does the open view show the turn live?"""
        return self._state.viewing(self._controller.conversation_id)

    def flush(self) -> None:
        """Send the buffered deltas to the view now."""
        self._timer.stop()
        chunk = self._state.take_buffered()
        if chunk is not None and (message_id := self._live_message()) is not None:
            self._controller.streamDelta.emit(message_id, *chunk)

    def _live_message(self) -> int | None:
        """The streaming message's id while the view shows the turn live, else None."""
        return self._state.streaming_id if self.viewing() else None

    def _on_text(self, event: TextDelta) -> None:
        self._state.text(event.text)
        if not self._timer.isActive():
            self._timer.start()

    def _on_reasoning(self, event: ReasoningDelta) -> None:
        self._state.reasoning(event.text)
        if not self._timer.isActive():
            self._timer.start()

    def _on_turn_started(self, event: TurnStarted) -> None:
        view = self.viewing()
        user = event.user_message
        self._state.answer_started(event.assistant_message_id, event.model)
        if view:
            self._controller.branchStarted.emit(event.after_id)
            if user is not None:
                self._controller.userMessageAdded.emit(user)
            self._controller.assistantStarted.emit(event.assistant_message_id, event.model)

    def _on_continued(self, event: AssistantContinued) -> None:
        self.flush()
        self._state.continued(event.message_id)
        if self.viewing():
            self._controller.messageFinished.emit(event.previous)
            self._controller.assistantStarted.emit(event.message_id, event.previous.model or "")

    def _on_done(self, event: TurnDone) -> None:
        self.flush()
        if self.viewing():
            self._controller.messageFinished.emit(event.message)

    def _on_failed(self, event: TurnFailed) -> None:
        self.flush()
        self._state.stream_over()
        message_id = event.message.id if event.message else None
        if event.kept_previous:
            self._controller.notice.emit(
                "error",
                f"Could not answer again: {event.error.user_message} The previous answer is kept.",
            )
        elif self.viewing() or self._state.conversation_id is None:
            error = event.error
            self._controller.turnFailed.emit(
                message_id, error.user_message, error.kind, event.message
            )
        else:
            self._controller.notice.emit(
                "error", f"An answer in another chat failed: {event.error}"
            )

    def _on_tool_started(self, event: ToolCallStarted) -> None:
        self.flush()
        self._controller.toolActivity.emit(f"Running tool {event.call.name}…")
        if (message_id := self._live_message()) is not None:
            self._controller.toolCallStarted.emit(message_id, event.call)

    def _on_tool_finished(self, event: ToolCallFinished) -> None:
        self._controller.toolActivity.emit("")
        if (message_id := self._live_message()) is not None:
            self._controller.toolCallFinished.emit(
                message_id, event.call, event.result, event.error, event.duration_s, event.denied
            )

    def _on_retry(self, event: RetryScheduled) -> None:
        if (message_id := self._live_message()) is not None:
            self._controller.retryScheduled.emit(message_id, event.delay_s, event.reason)

    def _on_title(self, event: TitleChanged) -> None:
        controller = self._controller
        conversation = controller.conversation
        if conversation is not None and conversation.id == event.conversation_id:
            controller.conversation = replace(
                conversation, title=event.title, title_is_default=False
            )
        controller.titleChanged.emit(event.conversation_id, event.title)
        controller.refresh_conversations()
