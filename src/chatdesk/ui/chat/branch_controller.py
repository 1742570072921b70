"""BranchController: edit, regenerate, switch branch, branch off, delete a branch, compact.

The open conversation is one path of a message tree (``ChatRepository.list_messages``).
Everything here changes which path is shown, or adds to the tree, and then shows the path anew
(``pathChanged``: the view keeps the shared beginning and rebuilds the rest). An answer that
streams in the conversation is stopped first (its partial text is stored) when the action
would change the path under it; nothing typed is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from chatdesk.core.models import Message, TurnConfig, last_usage
from chatdesk.core.turn_state import SendProgress
from chatdesk.errors import ChatdeskError

if TYPE_CHECKING:
    from chatdesk.core.context_meter import ContextUse
    from chatdesk.storage.branches import BranchDeletion
    from chatdesk.ui.chat.chat_controller import ChatController
    from chatdesk.ui.kit.task_runner import TaskRunner

log = logging.getLogger(__name__)

#: Messages of the path shown after a branch change (more load as the user scrolls up).
PATH_PAGE = 50


class BranchController(QObject):
    """The branch actions of the open conversation; owned by ``ChatController``."""

    pathChanged = Signal(object, bool)  # list[Message] of the active path's end, has_older
    summaryChanged = Signal(object)  # the compaction Summary in force on the path, or None
    contextChanged = Signal(object)  # ContextUse of the active path
    branchDeleted = Signal(object)  # BranchDeletion (for Undo)
    compactingChanged = Signal(bool)  # a summary request is in flight

    def __init__(
        self,
        chat: ChatController,
        runner: TaskRunner,
        turn_config: Callable[[str], TurnConfig],
    ) -> None:
        super().__init__(chat)
        self._chat = chat
        self._runner = runner
        self._turn_config = turn_config
        #: Threshold (percent of the context window) of automatic compaction; 0 = off.
        self.auto_compact_percent = 0
        self._compacting = False

    # -- edit and regenerate -----------------------------------------------------------------

    def edit(self, message_id: int, text: str) -> None:
        """Ask the user's message again as ``text`` on a new branch and stream its answer."""
        if not text.strip() or self._chat.conversation is None:
            return
        conversation_id = self._chat.conversation.id
        self._runner.spawn(self._edit(conversation_id, message_id, text), key="branch")

    async def _edit(self, conversation_id: int, message_id: int, text: str) -> None:
        await self._chat.stop_and_wait()
        if self._chat.conversation_id != conversation_id:
            self._chat.draftRestored.emit(text)  # the user went elsewhere: keep the text
            return
        sent = SendProgress(text)
        self._chat.start_turn(self._chat.driver.edit(conversation_id, message_id, sent), sent)

    def regenerate(self, message_id: int, choice: object = None) -> None:
        """Answer again from the question of ``message_id``: ``choice`` None (the current
        settings), ``("model", id)`` (that model, this once) or ``("preset", id)``."""
        if self._chat.conversation is None:
            return
        config, remember = self._config_for(choice)
        if config is None:
            return
        conversation_id = self._chat.conversation.id
        self._runner.spawn(
            self._regenerate(conversation_id, message_id, config, remember), key="branch"
        )

    def _config_for(self, choice: object) -> tuple[TurnConfig | None, bool]:
        """The settings of a regeneration, and whether the conversation keeps them."""
        if isinstance(choice, tuple) and len(choice) == 2 and choice[0] == "model":
            return self._turn_config(str(choice[1])), False
        if isinstance(choice, tuple) and len(choice) == 2 and choice[0] == "preset":
            chat = self._chat
            chat.apply_preset(int(choice[1]))  # says so itself when the preset is gone
            if chat.preset is None or chat.preset.id != int(choice[1]):
                return None, True
            return self._turn_config(chat.model), True
        return self._turn_config(self._chat.model), True

    async def _regenerate(
        self, conversation_id: int, message_id: int, config: TurnConfig, remember: bool
    ) -> None:
        await self._chat.stop_and_wait()
        if self._chat.conversation_id != conversation_id:
            return
        driver = self._chat.driver
        self._chat.start_turn(
            driver.regenerate(conversation_id, message_id, config, remember_model=remember)
        )

    # -- moving between branches -------------------------------------------------------------

    def switch_to(self, message_id: int) -> None:
        """Show the branch through ``message_id`` (a sibling of a message shown)."""
        conversation_id = self._chat.conversation_id
        if conversation_id is not None:
            self._runner.spawn(self._switch(conversation_id, message_id), key="branch")

    async def _switch(self, conversation_id: int, message_id: int) -> None:
        if self._chat.streaming_conversation == conversation_id:
            await self._chat.stop_and_wait()
        repo = await self._chat.db()
        if await repo.switch_branch(message_id) is None:
            self._chat.notice.emit("warning", "That branch no longer exists.")
        await self.reload_path(conversation_id)

    def open_message(self, message_id: int) -> None:
        """Open the conversation of a message (a search hit) on the branch that holds it."""
        self._runner.spawn(self._open_message(message_id), key="open")

    async def _open_message(self, message_id: int) -> None:
        repo = await self._chat.db()
        message = await repo.get_message(message_id)
        if message is None:
            self._chat.notice.emit("warning", "That message no longer exists.")
            return
        if message_id not in await repo.active_path_ids(message.conversation_id):
            if self._chat.streaming_conversation == message.conversation_id:
                await self._chat.stop_and_wait()  # only to switch the branch it streams on
            await repo.switch_branch(message_id)
        # A tool's answer shows on the card of its call, in the message before it.
        shown = message.parent_id if message.role == "tool" and message.parent_id else message_id
        await self._chat.load_conversation(message.conversation_id, reveal=shown)

    async def open_search_match(self, conversation_id: int, query: str) -> None:
        """Open a conversation the search found; when none of its matches is on the branch it
        shows, on the branch of its newest match."""
        repo = await self._chat.db()
        hits = [
            h for h in await repo.search(query, limit=200) if h.conversation_id == conversation_id
        ]
        if hits and self._chat.streaming_conversation != conversation_id:
            on_path = set(await repo.active_path_ids(conversation_id))
            if not any(h.message_id in on_path for h in hits):
                await repo.switch_branch(max(h.message_id for h in hits))
        await self._chat.load_conversation(conversation_id)

    # -- branch off and delete ---------------------------------------------------------------

    def branch_off(self, message_id: int) -> None:
        """Copy the path up to ``message_id`` into a new chat and open it."""
        conversation = self._chat.conversation
        if conversation is not None:
            self._runner.spawn(self._branch_off(conversation.id, conversation.title, message_id))

    async def _branch_off(self, conversation_id: int, title: str, message_id: int) -> None:
        repo = await self._chat.db()
        try:
            copy = await repo.copy_path(conversation_id, message_id, title=f"{title} (branch)")
        except ChatdeskError as exc:
            self._chat.notice.emit("error", f"Could not branch off: {exc.user_message}")
            return
        await self._chat.load_conversation(copy.id)
        await self._chat.reload_conversations()
        self._chat.notice.emit("info", f"Branched off into “{copy.title}”.")

    def delete(self, message_id: int) -> None:
        """Delete ``message_id`` and everything after it on every branch (Undo brings it back)."""
        conversation_id = self._chat.conversation_id
        if conversation_id is not None:
            self._runner.spawn(self._delete(conversation_id, message_id), key="branch")

    async def _delete(self, conversation_id: int, message_id: int) -> None:
        if self._chat.streaming_conversation == conversation_id:
            await self._chat.stop_and_wait()  # the branch may hold the streaming answer
        repo = await self._chat.db()
        try:
            deletion = await repo.delete_branch(message_id)
        except ChatdeskError as exc:
            self._chat.notice.emit("error", f"Could not delete the branch: {exc.user_message}")
            return
        await self.reload_path(conversation_id)
        self.branchDeleted.emit(deletion)

    def undo_delete(self, deletion: BranchDeletion) -> None:
        """Bring a deleted branch back (until the app closes)."""
        self._runner.spawn(self._undo_delete(deletion), key="branch")

    async def _undo_delete(self, deletion: BranchDeletion) -> None:
        repo = await self._chat.db()
        await repo.restore_branch(deletion)
        if self._chat.conversation_id == deletion.conversation_id:
            await self.reload_path(deletion.conversation_id)

    # -- compaction --------------------------------------------------------------------------

    @property
    def compacting(self) -> bool:
        """A summary is being written."""
        return self._compacting

    def summarise(self) -> None:
        """Summarise the earlier messages of the open conversation (requests send the summary
        instead of them)."""
        conversation_id = self._chat.conversation_id
        if conversation_id is None:
            self._chat.notice.emit("info", "There is nothing to summarise in a new chat.")
            return
        if not self._compacting:
            self._runner.spawn(self._summarise(conversation_id, automatic=False), key="compact")

    async def _summarise(self, conversation_id: int, *, automatic: bool) -> None:
        from chatdesk.core.compaction import Compactor

        self._set_compacting(True)
        try:
            repo = await self._chat.db()
            compactor = Compactor(repo, self._chat.provider)
            await compactor.compact(conversation_id, self._turn_config(self._chat.model))
        except ChatdeskError as exc:
            if automatic and exc.kind == "input":
                return  # nothing old enough yet: try again after a later answer
            self._chat.notice.emit(
                "info" if exc.kind == "input" else "error",
                f"Could not summarise the earlier messages: {exc.user_message}"
                " The conversation is unchanged.",
            )
            return
        finally:
            self._set_compacting(False)
        if self._chat.conversation_id == conversation_id:
            await self.reload_path(conversation_id)
        note = "automatically, to stay within the model's context" if automatic else ""
        self._chat.notice.emit("info", f"Earlier messages were summarised {note}".strip() + ".")
        await self._chat.reload_conversations()

    def _set_compacting(self, on: bool) -> None:
        if on != self._compacting:
            self._compacting = on
            self.compactingChanged.emit(on)

    def undo_summary(self, summary_id: int) -> None:
        """Remove a compaction summary: requests send the original messages again."""
        conversation_id = self._chat.conversation_id
        if conversation_id is not None:
            self._runner.spawn(self._undo_summary(conversation_id, summary_id), key="compact")

    async def _undo_summary(self, conversation_id: int, summary_id: int) -> None:
        repo = await self._chat.db()
        await repo.delete_summary(summary_id)
        await self.reload_path(conversation_id)

    def refresh_overview(self) -> None:
        """Write the open conversation's one-paragraph summary anew."""
        conversation_id = self._chat.conversation_id
        if conversation_id is not None:
            self._runner.spawn(self._refresh_overview(conversation_id), key="overview")

    async def _refresh_overview(self, conversation_id: int) -> None:
        from chatdesk.core.compaction import Compactor

        repo = await self._chat.db()
        try:
            await Compactor(repo, self._chat.provider).refresh_overview(
                conversation_id, self._turn_config(self._chat.model)
            )
        except ChatdeskError as exc:
            self._chat.notice.emit("error", f"Could not summarise the chat: {exc.user_message}")
            return
        self._chat.notice.emit("info", "The chat's summary was updated (see its tooltip).")
        await self._chat.reload_conversations()

    # -- showing the path --------------------------------------------------------------------

    async def reload_path(self, conversation_id: int) -> None:
        """Show the conversation's active path anew (if it is still the open one), as far
        back as the view showed it (at least ``PATH_PAGE`` messages)."""
        chat = self._chat
        repo = await chat.db()
        oldest = chat.oldest_shown
        limit = PATH_PAGE
        while True:
            page = await repo.list_messages(conversation_id, limit=limit + 1)
            has_older = len(page) > limit
            page = page[-limit:]
            ids = {m.id for m in page}
            if oldest is None or oldest in ids or not has_older or page[0].id < oldest:
                break
            limit *= 4  # the view showed more of the path than one page
        if oldest is not None and oldest in ids:
            has_older = has_older or page[0].id < oldest
            page = [m for m in page if m.id >= oldest]
        messages = await self._with_files(page)
        if chat.conversation_id != conversation_id:
            return
        conversation = await repo.get_conversation(conversation_id)
        if conversation is not None:
            chat.conversation = conversation
        chat.note_oldest(messages[0].id if messages else None)
        self.pathChanged.emit(messages, has_older)
        chat.usageChanged.emit(last_usage(messages), await repo.conversation_usage(conversation_id))
        await chat.emit_tool_runs(messages)
        await self.path_shown(conversation_id)

    async def _with_files(self, messages: list[Message]) -> list[Message]:
        service = self._chat.attachments
        return list(await service.with_attachments(messages)) if service else messages

    async def path_shown(self, conversation_id: int, *, after_turn: bool = False) -> None:
        """The path of ``conversation_id`` is on screen: its summary marker and the context
        meter follow; ``after_turn`` (an answer just ended), automatic compaction too when it
        is on and the context is full enough."""
        from chatdesk.core import context
        from chatdesk.core.context_meter import context_use

        chat = self._chat
        repo = await chat.db()
        path = await repo.list_messages(conversation_id, limit=1000)
        summaries = await repo.summaries(conversation_id)
        if chat.conversation_id != conversation_id:
            return
        self.summaryChanged.emit(context.applicable_summary(summaries, path))
        info = chat.model_info(chat.model)
        config = self._turn_config(chat.model)
        use = context_use(
            path, summaries, config.system_prompt, info.context_length if info else None
        )
        self.contextChanged.emit(use)
        if after_turn:
            self._maybe_compact(conversation_id, use)

    def _maybe_compact(self, conversation_id: int, use: ContextUse) -> None:
        percent = self.auto_compact_percent
        fraction = use.fraction
        if (
            percent > 0
            and fraction is not None
            and fraction * 100 >= percent
            and not self._compacting
            and self._chat.streaming_conversation is None
        ):
            self._runner.spawn(self._summarise(conversation_id, automatic=True), key="compact")

    def update_context(self, *_changed: object) -> None:
        """Recount the context meter (the model, or the model list, changed)."""
        conversation_id = self._chat.conversation_id
        if conversation_id is None:
            from chatdesk.core.context_meter import ContextUse

            info = self._chat.model_info(self._chat.model)
            self.contextChanged.emit(ContextUse(0, info.context_length if info else None))
            return
        self._runner.spawn(self.path_shown(conversation_id), key="context")
