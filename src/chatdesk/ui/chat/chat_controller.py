"""ChatController: the one QObject between the widgets and the core.

Widgets call its plain methods; it runs the core's coroutines through ``TaskRunner`` and turns
their results into signals. Text deltas are coalesced and flushed at most every
``FLUSH_INTERVAL_MS`` so the view repaints at most ~60 times a second whatever the token rate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from chatdesk.core.model_catalogue import ModelCatalogue
from chatdesk.core.models import Conversation, Message, ModelInfo, TurnConfig, Usage, last_usage
from chatdesk.core.turn_state import SendProgress, TurnState
from chatdesk.errors import ChatdeskError
from chatdesk.ui.chat.preset_following import PresetFollowing
from chatdesk.ui.chat.turn_driver import TurnDriver
from chatdesk.ui.kit.task_runner import TaskRunner

# The presets (and, in TurnDriver, the typed turn events) are imported when first needed, after
# the first paint: their ~20 frozen dataclasses cost ~17 ms of start-up that showing a
# conversation does not need.
if TYPE_CHECKING:
    import asyncio

    from chatdesk.attachments.service import AttachmentService
    from chatdesk.attachments.validate import PendingFile
    from chatdesk.core.orchestrator import ChatOrchestrator
    from chatdesk.core.ports import ChatProvider
    from chatdesk.core.presets import Preset
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.storage.snapshot import StartSnapshot
    from chatdesk.ui.presets.preset_manager import PresetManager

log = logging.getLogger(__name__)

FLUSH_INTERVAL_MS = 16
#: Messages shown when a conversation opens (more load at once if they do not fill the view).
FIRST_PAGE = 6
#: Messages per older page, loaded when the user scrolls up.
PAGE_SIZE = 50


class ChatController(QObject, PresetFollowing):
    """Conversation list, the open conversation, and the turn being streamed."""

    conversationsChanged = Signal(object)  # list[Conversation]
    conversationOpened = Signal(
        object, object, bool
    )  # Conversation | None, list[Message], has_older
    olderMessagesLoaded = Signal(object, bool)  # list[Message], has_older
    userMessageAdded = Signal(object)  # Message
    assistantStarted = Signal(int, str)  # message id, model
    streamDelta = Signal(int, str, str)  # message id, text, reasoning
    messageFinished = Signal(object)  # Message (complete or cancelled)
    turnFailed = Signal(object, str, str, object)  # message id | None, text, kind, Message | None
    toolActivity = Signal(str)  # a short status line while tools run
    retryScheduled = Signal(int, float, str)  # message id, seconds until the retry, why
    toolCallStarted = Signal(int, object)  # message id, ToolCall (the open chat's turn only)
    #: message id, ToolCall, result text, error text | None, duration in seconds
    toolCallFinished = Signal(int, object, str, object, float, bool)  # ..., denied
    busyChanged = Signal(bool)
    usageChanged = Signal(object, object)  # last reply Usage | None, conversation Usage
    titleChanged = Signal(int, str)
    modelsChanged = Signal(object)  # list[ModelInfo]
    currentModelChanged = Signal(str)
    conversationStored = Signal(int)  # the new chat on screen was stored with this id
    draftRestored = Signal(str)  # text to put back into the composer
    draftResent = Signal(str)  # a restored draft is being sent again (clear it from the composer)
    notice = Signal(str, str)  # level ("info" | "warning" | "error"), text
    filesRestored = Signal(object)  # list[PendingFile]: files of a send that was not stored
    attachmentReady = Signal(object)  # AttachmentView to open
    toolRunsLoaded = Signal(object)  # dict call id -> ToolRun (status, duration) from storage
    presetChanged = Signal(object)  # the active Preset, or None
    presetApplied = Signal(str)  # a confirmation for the status bar
    modelMissing = Signal(str)  # the chosen preset's model is not in the catalogue
    #: A turn's new messages hang under this message id (None: a new root); the view drops
    #: what it shows after it (an edit or a regeneration starts a new branch there).
    branchStarted = Signal(object)
    #: Scroll to this message and make it glow (the search palette landed on it).
    revealRequested = Signal(int)

    def __init__(
        self,
        repository: ChatRepository | None,
        backend: Callable[[], tuple[ChatOrchestrator, ChatProvider]],
        runner: TaskRunner,
        turn_config: Callable[[str], TurnConfig],
        default_model: str,
        parent: QObject | None = None,
        *,
        presets: PresetManager | None = None,
        catalogue: ModelCatalogue | None = None,
    ) -> None:
        """``backend`` builds the orchestrator and provider on first use (after the first paint:
        the HTTP stack is not needed to show the window). ``repository`` may come later through
        ``attach_repository``: the window first shows a synchronous ``StartSnapshot``.
        ``catalogue`` is the model list shared with the orchestrator (default: one of its own
        over the backend's provider)."""
        super().__init__(parent)
        self._repository = repository
        self._attached: asyncio.Future[None] | None = None  # set when a task waits for it
        self.attachments: AttachmentService | None = None  # files on messages, once open
        self._make_backend = backend
        self._backend: tuple[ChatOrchestrator, ChatProvider] | None = None
        self._runner = runner
        self.model = default_model
        self._presets = presets
        #: The active preset: its settings go with the next turn (None: the defaults).
        self.preset: Preset | None = None
        if presets is not None:
            presets.presetsChanged.connect(self._presets_changed)
        self.conversation: Conversation | None = None
        self.catalogue = catalogue if catalogue is not None else ModelCatalogue(self._provider)
        self.catalogue.subscribe(self.modelsChanged.emit)
        self._oldest_id: int | None = None
        self._filter = ""
        self._turn: asyncio.Task[Any] | None = None
        self._state = TurnState()  # the rules of the turn; the task and the signals stay here
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(FLUSH_INTERVAL_MS)
        self._driver = TurnDriver(self, self._state, self._flush_timer, runner, turn_config)
        self._flush_timer.timeout.connect(self._driver.flush)
        from chatdesk.ui.chat.branch_controller import BranchController

        #: Edit, regenerate, switch, branch off, delete and compaction on the open conversation.
        self.branches = BranchController(self, runner, turn_config)
        self.currentModelChanged.connect(self.branches.update_context)
        self.modelsChanged.connect(self.branches.update_context)

    # -- state ---------------------------------------------------------------------------

    @property
    def orchestrator(self) -> ChatOrchestrator:
        return self._ensure_backend()[0]

    @property
    def provider(self) -> ChatProvider:
        return self._ensure_backend()[1]

    def _ensure_backend(self) -> tuple[ChatOrchestrator, ChatProvider]:
        if self._backend is None:
            self._backend = self._make_backend()
        return self._backend

    @property
    def presets(self) -> PresetManager | None:
        """The saved presets (None in tests without them)."""
        return self._presets

    @property
    def busy(self) -> bool:
        """True while a turn streams (the composer's Send is disabled, Stop enabled)."""
        return self._state.active

    @property
    def conversation_id(self) -> int | None:
        return self.conversation.id if self.conversation else None

    def _provider(self) -> ChatProvider:
        return self.provider

    @property
    def models(self) -> list[ModelInfo]:
        """The model catalogue, sorted by id (empty until loaded)."""
        return self.catalogue.models

    def model_info(self, model_id: str) -> ModelInfo | None:
        """The catalogue entry of ``model_id`` (None when unknown or not loaded yet)."""
        return self.catalogue.info(model_id)

    # -- start -------------------------------------------------------------------------------

    async def db(self) -> ChatRepository:
        """The repository; work asked for in the moment before it opens waits for it."""
        import asyncio

        if self._repository is None:
            if self._attached is None:
                self._attached = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._attached)
        assert self._repository is not None
        return self._repository

    def attach_attachments(self, service: AttachmentService) -> None:
        """The attachment service (files on messages), once the repository is open."""
        self.attachments = service

    def open_attachment(self, attachment_id: int) -> None:
        """Find an attachment's file (or a fresh link) and emit ``attachmentReady``."""
        self._runner.spawn(self._open_attachment(attachment_id))

    async def _open_attachment(self, attachment_id: int) -> None:
        if self.attachments is None:
            return
        views = await self.attachments.views_by_id([attachment_id])
        if views:
            self.attachmentReady.emit(views[0])

    async def _with_files(self, messages: list[Message]) -> list[Message]:
        if self.attachments is None or not messages:
            return messages
        return list(await self.attachments.with_attachments(messages))

    async def emit_tool_runs(self, messages: Sequence[Message]) -> None:
        """Status and duration of the shown messages' tool calls (kept in ``tool_calls``)."""
        from chatdesk.ui.chat.tool_cards.tool_outcome import ToolRun

        repo = await self.db()
        runs = await repo.tool_runs([m.id for m in messages if m.tool_calls])
        if runs:
            self.toolRunsLoaded.emit({k: ToolRun(*run) for k, run in runs.items()})

    def attach_repository(self, repository: ChatRepository) -> None:
        """The repository, once open (the window may already show a snapshot)."""
        self._repository = repository
        if self._attached is not None and not self._attached.done():
            self._attached.set_result(None)

    def show_snapshot(self, snapshot: StartSnapshot) -> None:
        """Show what was read before the event loop existed, as ``load_conversation`` would."""
        self.conversationsChanged.emit(snapshot.conversations)
        if snapshot.conversation is None:
            self.new_conversation()
            return
        self._show(snapshot.conversation, snapshot.messages, snapshot.has_older)
        self.usageChanged.emit(last_usage(snapshot.messages), snapshot.usage)

    @property
    def oldest_shown(self) -> int | None:
        """The oldest message shown (None: none)."""
        return self._oldest_id

    def note_oldest(self, message_id: int | None) -> None:
        """The oldest message shown (older pages load before it)."""
        self._oldest_id = message_id

    def _show(self, conversation: Conversation, messages: list[Message], has_older: bool) -> None:
        """Make ``conversation`` the open one and show ``messages``, its last page."""
        self._state.opened(conversation.id)
        self.conversation = conversation
        self._oldest_id = messages[0].id if messages else None
        if conversation.model and conversation.model != self.model:
            self.set_model(conversation.model)
        self._follow_conversation_preset()
        self.conversationOpened.emit(conversation, messages, has_older)

    async def _page(
        self, repo: ChatRepository, conversation_id: int, size: int, before_id: int | None = None
    ) -> tuple[list[Message], bool]:
        """Up to ``size`` messages before ``before_id`` (default: the last ones), with their
        files, and whether there are older ones."""
        messages = await repo.list_messages(conversation_id, limit=size + 1, before_id=before_id)
        return await self._with_files(messages[-size:]), len(messages) > size

    # -- conversations -------------------------------------------------------------------

    def refresh_conversations(self, filter_text: str | None = None) -> None:
        """Reload the sidebar list, filtered by title and by message text."""
        if filter_text is not None:
            self._filter = filter_text.strip()
        self._runner.spawn(self.reload_conversations(), key="refresh")

    async def reload_conversations(self) -> None:
        """Reload the sidebar list now."""
        repo = await self.db()
        conversations = await repo.list_conversations()
        if self._filter:
            needle = self._filter.casefold()
            hits = {h.conversation_id for h in await repo.search(self._filter, limit=200)}
            conversations = [
                c for c in conversations if needle in c.title.casefold() or c.id in hits
            ]
        self.conversationsChanged.emit(conversations)

    def new_conversation(self) -> None:
        """Show an empty chat; it is stored when its first message is sent."""
        self._state.opened(None)
        self.conversation = None
        self._oldest_id = None
        self.conversationOpened.emit(None, [], False)
        self.usageChanged.emit(None, Usage())

    def open_conversation(self, conversation_id: int) -> None:
        """Show a stored conversation (its last ``PAGE_SIZE`` messages). Found by the sidebar's
        search only on another branch, it opens on the branch of its newest match."""
        if self._filter:
            opening = self.branches.open_search_match(conversation_id, self._filter)
            self._runner.spawn(opening, key="open")
            return
        self._runner.spawn(self.load_conversation(conversation_id), key="open")

    async def load_conversation(self, conversation_id: int, *, reveal: int | None = None) -> None:
        """Load and show a conversation now (``open_conversation`` runs this in the background);
        with ``reveal``, load back to that message of the active path and scroll to it."""
        repo = await self.db()
        conversation = await repo.get_conversation(conversation_id)
        if conversation is None:
            self.notice.emit("warning", "That conversation no longer exists.")
            self.refresh_conversations()
            return
        size = FIRST_PAGE
        if reveal is not None:
            path = await repo.active_path_ids(conversation_id)
            if reveal in path:
                size = max(size, len(path) - path.index(reveal) + 2)
        messages, has_older = await self._page(repo, conversation_id, size)
        self._show(conversation, messages, has_older)
        await self.emit_tool_runs(messages)
        if self._state.needs_reattach(conversation_id):
            self._reattach()
        self.usageChanged.emit(last_usage(messages), await repo.conversation_usage(conversation_id))
        if reveal is not None:
            self.revealRequested.emit(reveal)
        await self.branches.path_shown(conversation_id)

    def load_older(self) -> None:
        """Load the window of messages before the oldest one shown."""
        if self.conversation is None or self._oldest_id is None:
            return
        if self._runner.running("older") is None:
            self._runner.spawn(self._older(self.conversation.id, self._oldest_id), key="older")

    async def _older(self, conversation_id: int, before_id: int) -> None:
        repo = await self.db()
        messages, has_older = await self._page(repo, conversation_id, PAGE_SIZE, before_id)
        if self.conversation_id != conversation_id:
            return
        if messages:
            self._oldest_id = messages[0].id
        self.olderMessagesLoaded.emit(messages, has_older)
        await self.emit_tool_runs(messages)

    def rename_conversation(self, conversation_id: int, title: str) -> None:
        title = " ".join(title.split())
        if not title:
            return
        self._runner.spawn(self._rename(conversation_id, title))

    async def _rename(self, conversation_id: int, title: str) -> None:
        repo = await self.db()
        await repo.rename_conversation(conversation_id, title)
        if self.conversation_id == conversation_id:
            self.conversation = await repo.get_conversation(conversation_id)
        self.titleChanged.emit(conversation_id, title)
        await self.reload_conversations()

    def set_pinned(self, conversation_id: int, pinned: bool) -> None:
        self._runner.spawn(self._pin(conversation_id, pinned))

    async def _pin(self, conversation_id: int, pinned: bool) -> None:
        repo = await self.db()
        await repo.set_pinned(conversation_id, pinned)
        await self.reload_conversations()

    def delete_conversation(self, conversation_id: int) -> None:
        self._runner.spawn(self._delete(conversation_id))

    async def _delete(self, conversation_id: int) -> None:
        import asyncio  # loaded by now; not at import time (see app.main)

        repo = await self.db()
        turn = self._turn
        if turn is not None and not turn.done() and self._state.conversation_id == conversation_id:
            turn.cancel()  # streaming, or writing its title
            await asyncio.wait([turn], timeout=5)
        if self.attachments is not None:  # first, while its messages still name their files
            try:
                await self.attachments.delete_conversation(conversation_id)
            except ChatdeskError as exc:  # the reaper removes what is left
                self.notice.emit("warning", f"Some attached files were kept: {exc.user_message}")
        await repo.delete_conversation(conversation_id)
        if self.conversation_id == conversation_id:
            self.new_conversation()
        await self.reload_conversations()

    # -- models --------------------------------------------------------------------------

    def set_model(self, model_id: str) -> None:
        model_id = model_id.strip()
        if model_id and model_id != self.model:
            self.model = model_id
            self.currentModelChanged.emit(model_id)

    def load_models(self, *, refresh: bool = False) -> None:
        """Fill the model picker from the cached catalogue (fetching it when stale)."""
        self._runner.spawn(self._load_models(refresh), key="models")

    async def _load_models(self, refresh: bool) -> None:
        try:
            await self.catalogue.load(refresh=refresh)  # modelsChanged follows
        except ChatdeskError as exc:
            if refresh or not self.models:
                self.notice.emit("warning", f"Could not load the model list: {exc.user_message}")

    # -- turns ---------------------------------------------------------------------------
    #
    # The rules of the turn (whose it is, whether the view shows it live, what goes back to
    # the composer) are in ``TurnState``; ``TurnDriver`` runs a turn's events into the signals;
    # the task, the flush timer and the signals are here.

    def send(self, text: str, files: Sequence[PendingFile] = ()) -> bool:
        """Send ``text`` and ``files`` in the open conversation (creating it first if new)."""
        if (not text.strip() and not files) or self.busy:
            return False
        sent = SendProgress(text)
        self.start_turn(self._driver.send(sent, list(files)), sent)
        return True

    def retry(self, message_id: int | None = None) -> None:
        """Answer the last user message (at or before ``message_id``) again; for a message that
        was never stored (``message_id`` < 0), send its text again."""
        if self.busy:
            return
        if message_id is not None and message_id < 0:
            draft = self._state.failed_draft
            if draft:
                self.draftResent.emit(draft)
                self.send(draft)
            return
        if self.conversation is None:
            return
        self.start_turn(self._driver.regenerate(self.conversation.id, message_id))

    def stop(self) -> None:
        """Stop the streaming answer; the partial text is kept."""
        if self._state.active and self._turn is not None and not self._turn.done():
            self._turn.cancel()

    @property
    def driver(self) -> TurnDriver:
        """Runs turns' events into this controller's signals."""
        return self._driver

    @property
    def streaming_conversation(self) -> int | None:
        """The conversation whose answer streams now (None when none does)."""
        return self._state.conversation_id if self._state.active else None

    async def stop_and_wait(self) -> None:
        """Stop the streaming answer (its partial text is stored) and wait until it has."""
        import asyncio  # loaded by now; not at import time (see app.main)

        turn = self._turn
        if self._state.active and turn is not None and not turn.done():
            turn.cancel()
            await asyncio.wait([turn], timeout=5)

    def start_turn(self, coro: Any, send: SendProgress | None = None) -> None:
        """Run a turn (a send, an edit or a regeneration): busy until its answer ends."""
        self._state.start(send)
        task = self._runner.spawn(coro, name="turn")
        self._turn = task
        self._driver.set_active(True)
        task.add_done_callback(self._turn_ended)

    def owns_turn(self, task: asyncio.Task[Any] | None) -> bool:
        """Is ``task`` the current turn (not an earlier one still writing its title)?"""
        return task is not None and task is self._turn

    def _turn_ended(self, task: asyncio.Task[Any]) -> None:
        """A turn's task ended (after its title, maybe long after the answer)."""
        if task is not self._turn:
            return
        self._driver.flush()
        unsent = self._state.ended()
        self._driver.set_active(False)
        # Stopped or crashed before the message was saved (even before the task first ran):
        # the text goes back to the composer.
        if unsent is not None and (task.cancelled() or task.exception() is not None):
            self._driver.give_back(unsent)

    def _reattach(self) -> None:
        """The user came back to the conversation that streams: show it live again."""
        shown = self._state.reattach()
        self.assistantStarted.emit(shown.message_id, shown.model)
        self.streamDelta.emit(shown.message_id, shown.text, shown.reasoning)

    async def shutdown(self) -> None:
        """Stop the turn (its partial answer is stored) before the app closes."""
        import asyncio  # loaded by now; not at import time (see app.main)

        if self._turn is not None and not self._turn.done():
            self._turn.cancel()
            await asyncio.wait([self._turn], timeout=5)
