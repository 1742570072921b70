"""ChatdeskApp: builds the services, the window and the flows for one run, starts them, shuts
them down.

``chatdesk.app.main`` makes the QApplication; ``ChatdeskApp.show_window()`` builds settings,
secrets, logs, controller, window and flows and shows the last conversation from a synchronous
snapshot of the database, and the window paints before asyncio is even imported. Then the
qasync loop starts and ``ChatdeskApp.start()`` opens the repository (migrations, recovery) and
hands it over; the provider and orchestrator are built on first use. ``ChatdeskApp.shutdown()``
takes everything down in order (stop the stream, flush the database, close the HTTP client) on
window close, Ctrl+Q, SIGTERM or SIGINT.

The flows: ``SettingsFlow`` (settings, key, theme), ``PresetsFlow`` (presets, suggestions, the
turn's settings), ``ToolsFlow`` (MCP) and ``MediaFlow`` (attachments, dictation).
"""

from __future__ import annotations

import linecache
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from chatdesk import __version__, paths
from chatdesk.app.backend import Backend
from chatdesk.app.context import AppContext
from chatdesk.app.media_flow import MediaFlow
from chatdesk.app.presets_flow import PresetsFlow
from chatdesk.app.settings_flow import SettingsFlow
from chatdesk.app.tools_flow import ToolsFlow
from chatdesk.core.model_catalogue import ModelCatalogue
from chatdesk.core.models import TurnConfig
from chatdesk.errors import StorageError
from chatdesk.logs import setup_logging, teardown_logging
from chatdesk.mcp.host import DeferredToolHost
from chatdesk.secrets import SecretStore
from chatdesk.settings import SettingsStore
from chatdesk.storage.snapshot import StartSnapshot, read_snapshot
from chatdesk.ui.chat.chat_controller import FIRST_PAGE, ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.kit.theme import apply_theme
from chatdesk.ui.presets.preset_manager import PresetManager
from chatdesk.ui.rendering.markdown import render_key
from chatdesk.ui.rendering.start_renders import StartRenders
from chatdesk.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio

    from chatdesk.app.activity_flow import ActivityFlow
    from chatdesk.app.history_flow import HistoryFlow
    from chatdesk.app.quick_ask_flow import QuickAskFlow
    from chatdesk.app.single_instance import InstanceServer
    from chatdesk.app.tray_flow import TrayFlow
    from chatdesk.core.orchestrator import ChatOrchestrator
    from chatdesk.core.ports import ChatProvider
    from chatdesk.mcp.service import MCPService
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.ui.composer.suggestions_service import SuggestionsService
    from chatdesk.ui.dictation.dictation_controller import DictationController

log = logging.getLogger(__name__)


class ChatdeskApp:
    """Owns the services, the window and the flows for one run of the app."""

    def __init__(self, qapp: QApplication, data_dir: Path | None = None) -> None:
        self.qapp = qapp
        self.data_dir = data_dir or paths.data_dir()
        self.quit_event: asyncio.Event | None = None  # made by start(), on the running loop
        self._quit_requested = False
        self.ctx: AppContext | None = None  # made by show_window()
        self.window: MainWindow | None = None
        self.controller: ChatController | None = None
        self.repository: ChatRepository | None = None
        self.runner = TaskRunner()
        #: Presets; the store comes with the database, after the first paint.
        self.presets = PresetManager(None, self.runner, secrets=self._known_secrets)
        self._log_handlers: list[logging.Handler] = []
        self._snapshot = StartSnapshot()
        self.renders = StartRenders()
        #: Tools: nothing offered until the MCP service is up (see ToolsFlow).
        self.tool_host = DeferredToolHost()
        self.settings_flow: SettingsFlow | None = None
        self.presets_flow: PresetsFlow | None = None
        self.tools: ToolsFlow | None = None
        self.media: MediaFlow | None = None
        self.history: HistoryFlow | None = None
        self.activity: ActivityFlow | None = None  # made when Tools › Tool activity is first used
        self.backend: Backend | None = None
        self.instance: InstanceServer | None = None  # listens for later launches
        self.tray: TrayFlow | None = None  # after the first paint, where there is a tray
        self._quick_ask: QuickAskFlow | None = None  # made on first use
        #: The model list, shared by the orchestrator and the window (loaded after the paint).
        self.catalogue = ModelCatalogue(self._model_source)
        self._shut_down = False

    def request_quit(self) -> None:
        """Ask ``run`` to shut down (window close, Ctrl+Q, a signal)."""
        self._quit_requested = True
        if self.quit_event is not None:
            self.quit_event.set()

    @property
    def quick_ask(self) -> QuickAskFlow | None:
        """The quick-ask window's flow (made on first use, once the window exists)."""
        if self._quick_ask is None and self.ctx and self.window and self.controller:
            from chatdesk.app.quick_ask_flow import QuickAskFlow

            self._quick_ask = QuickAskFlow(self.ctx, self.window, self.controller, self.runner)
        return self._quick_ask

    @property
    def quit_requested(self) -> bool:
        """Whether a quit was asked for (window, Ctrl+Q, the tray, a signal)."""
        return self._quit_requested

    # -- what the flows hold, for the callers and tests that ask the app ------------------

    @property
    def dark(self) -> bool:
        return self.ctx.dark if self.ctx is not None else False

    @property
    def suggestions(self) -> SuggestionsService | None:
        return self.presets_flow.suggestions if self.presets_flow is not None else None

    @property
    def dictation(self) -> DictationController | None:
        return self.media.dictation if self.media is not None else None

    @property
    def mcp(self) -> MCPService | None:
        return self.tools.mcp if self.tools is not None else None

    # -- start ---------------------------------------------------------------------------

    def show_window(self) -> None:
        """Build the window and show the last conversation from a synchronous snapshot.

        Needs no event loop: ``main`` paints the window before it imports asyncio and qasync.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        settings_store = SettingsStore(paths.settings_file(self.data_dir))
        settings = settings_store.load()
        secrets = SecretStore()
        ctx = self.ctx = AppContext(self.data_dir, settings_store, settings, secrets)
        self._log_handlers = setup_logging(
            paths.logs_dir(self.data_dir), settings.log_level, secrets.known_values
        )
        log.info("chatdesk %s starting, data dir %s", __version__, self.data_dir)
        ctx.dark = apply_theme(self.qapp, settings.theme)

        controller = self.controller = ChatController(
            None,
            self._build_backend,
            self.runner,
            self._turn_config,
            settings.default_model,
            presets=self.presets,
            catalogue=self.catalogue,
        )
        controller.branches.auto_compact_percent = settings.auto_compact_percent
        state = QSettings(str(self.data_dir / "window-state.ini"), QSettings.Format.IniFormat)
        window = self.window = MainWindow(
            controller,
            state,
            data_dir=str(self.data_dir),
            logs_dir=str(paths.logs_dir(self.data_dir)),
            theme=settings.theme,
        )
        window.set_dark(ctx.dark)
        self._build_flows(ctx, window, controller)

        self._snapshot = read_snapshot(
            paths.database_file(self.data_dir),
            window.last_conversation(),
            FIRST_PAGE,
            render_key(ctx.dark),
        )
        self.renders.use(self._snapshot, ctx.dark)  # painted without the Markdown parser
        controller.show_snapshot(self._snapshot)
        window.show_first_run(ctx.needs_key())
        _drop_source_cache()
        window.show()

    def _listen_for_launches(self) -> None:
        """Later launches on this data dir hand their command to this app (one per data dir;
        the launcher's instance lock keeps a second app out until this listens)."""
        from chatdesk.app.launch_commands import carry_out
        from chatdesk.app.single_instance import InstanceServer, instance_name

        self.instance = InstanceServer(instance_name(self.data_dir), self.qapp)
        if self.instance.listen():
            self.instance.commandReceived.connect(lambda command: carry_out(self, command))

    def _build_flows(self, ctx: AppContext, window: MainWindow, controller: ChatController) -> None:
        """Make the flows and connect the window's requests to them."""
        self.backend = Backend(ctx)
        media = self.media = MediaFlow(ctx, window, controller, self.runner)
        tools = self.tools = ToolsFlow(
            ctx,
            window,
            controller,
            self.runner,
            self.tool_host,
            stopping=lambda: self._shut_down,
            provider=self._model_source,
            catalogue=self.catalogue,
            repository=lambda: self.repository,
        )
        presets = self.presets_flow = PresetsFlow(
            ctx, window, controller, self.presets, self.runner, server_ids=tools.server_ids
        )
        settings = self.settings_flow = SettingsFlow(
            ctx, self.qapp, window, controller, self.runner, self.backend, media
        )
        window.quitRequested.connect(self.request_quit)
        window.settingsRequested.connect(settings.open_settings)
        window.mcpServersRequested.connect(tools.open_servers_dialog)
        window.toolActivityRequested.connect(self.open_tool_activity)
        controller.presetChanged.connect(tools.apply_preset)
        window.themeRequested.connect(settings.set_theme)
        window.keySubmitted.connect(settings.save_first_key)
        window.localServerChosen.connect(settings.use_local_server)
        window.savePresetRequested.connect(presets.save_current)
        window.managePresetsRequested.connect(presets.manage_presets)
        window.suggestionsRequested.connect(presets.manage_suggestions)
        self.presets.presetsChanged.connect(window.set_presets)
        self.presets.done.connect(lambda text: window.status(text, 5000))
        self.presets.failed.connect(self._show_error)
        self.runner.failed.connect(self._show_error)

    def wait_for_first_paint(self, timeout_ms: int = 2000) -> None:
        """Run Qt alone until the window has painted (user input waits for the real loop)."""
        window = self.window
        if window is None or window.painted:
            return
        waiting = QEventLoop()
        window.firstPainted.connect(waiting.quit)
        QTimer.singleShot(timeout_ms, waiting, waiting.quit)
        waiting.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        window.firstPainted.disconnect(waiting.quit)

    async def start(self) -> None:
        """Open the database and hand it to the controller (``show_window`` first if needed)."""
        import asyncio

        from chatdesk.storage.repository import ChatRepository

        self.quit_event = asyncio.Event()
        if self._quit_requested:
            self.quit_event.set()
        if self.window is None:
            self.show_window()
        window, controller, ctx = self.window, self.controller, self.ctx
        assert window is not None and controller is not None and ctx is not None
        assert self.presets_flow is not None and self.media is not None

        from chatdesk.app.history_flow import HistoryFlow  # after the first paint

        self.history = HistoryFlow(
            ctx, window, controller, self.runner, after_restore=self._after_restore
        )
        damaged = await self.history.check_at_start()
        try:
            self.repository = await ChatRepository.open(paths.database_file(self.data_dir))
        except StorageError:
            damaged = await self.history.check_at_start(force=True)  # damaged since the check?
            if damaged is None:
                raise
            self.repository = await ChatRepository.open(paths.database_file(self.data_dir))
        interrupted = await self.repository.recover_interrupted()
        await self.repository.purge_deleted()  # branches deleted last time, past their Undo
        controller.attach_repository(self.repository)
        await self.presets_flow.load(self.repository)
        problems = [*ctx.settings_store.problems]
        shown = [m for m in self._snapshot.messages if m.role == "user"]
        await self.media.start_attachments(self.repository, shown, problems)
        if not self._snapshot.complete or interrupted:
            last = window.last_conversation()
            if last is not None and await self.repository.get_conversation(last) is not None:
                await controller.load_conversation(last)
            else:
                controller.new_conversation()
            await controller.reload_conversations()
        elif controller.conversation_id is not None:  # the snapshot shows it: meter, summary
            await controller.branches.path_shown(controller.conversation_id)

        if not ctx.secrets.get("openrouter") and ctx.secrets.problem:
            problems.append(ctx.secrets.problem)
        if interrupted:
            problems.append(
                f"{interrupted} answer(s) were interrupted when chatdesk last closed; "
                "their partial text was kept."
            )
        if problems:
            window.notify("warning", " ".join(problems))
        if damaged is not None:
            self.history.offer_recovery(*damaged)
        if window.painted:
            self._after_first_paint()
        else:
            window.firstPainted.connect(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """Work that can wait until the window is on screen (network, heavy imports)."""
        log.info("window painted")
        self._listen_for_launches()  # QtNetwork is not needed for the paint
        self._start_tray()
        if self.ctx is not None and self.ctx.needs_key() and self.settings_flow is not None:
            self.runner.spawn(self.settings_flow.offer_local_servers(), key="local-servers")
        assert self.media is not None and self.tools is not None
        self.media.start_dictation()
        assert self.controller is not None
        self.controller.load_models()
        self.media.start_reaper()
        self.runner.spawn(self.tools.start(_drop_source_cache), key="mcp-start")
        if self.history is not None:
            self.history.start()

    def _start_tray(self) -> None:
        """The tray icon, where the desktop has a tray."""
        from chatdesk.app.launch_commands import carry_out
        from chatdesk.app.tray_flow import TrayFlow

        assert self.ctx is not None and self.window is not None and self.controller is not None
        self.tray = TrayFlow(
            self.ctx,
            self.window,
            self.controller,
            self.runner,
            carry_out=lambda command: carry_out(self, command),
            quit_app=self.request_quit,
        )
        if self.settings_flow is not None:
            self.settings_flow.applied.append(self.tray.apply_settings)

    def open_tool_activity(self) -> None:
        """Tools › Tool activity (its flow and window load on first use)."""
        from chatdesk.app.activity_flow import ActivityFlow

        if self.activity is None:
            assert self.ctx is not None and self.window is not None and self.tools is not None
            assert self.controller is not None
            self.activity = ActivityFlow(
                self.ctx, self.window, self.controller, self.runner, self.tools, self.presets
            )
        self.activity.open()

    async def _after_restore(self) -> None:
        """The database now holds a backup's chats: show them."""
        assert self.controller is not None and self.presets_flow is not None
        controller, repository = self.controller, self.repository
        assert repository is not None
        await self.presets_flow.load(repository)
        await controller.reload_conversations()
        current = controller.conversation_id
        if current is not None and await repository.get_conversation(current) is not None:
            await controller.load_conversation(current)
        else:
            controller.new_conversation()

    # -- what the controller asks of the app ---------------------------------------------

    def _build_backend(self) -> tuple[ChatOrchestrator, ChatProvider]:
        assert self.backend is not None and self.repository is not None
        assert self.media is not None and self.tools is not None
        return self.backend.build(
            self.repository, self.media.attachments, self.tools.preset_tools, self.catalogue.info
        )

    def _model_source(self) -> ChatProvider:
        """Where the catalogue lists models from: the client alone, not the orchestrator."""
        assert self.backend is not None
        return self.backend.client()

    def _turn_config(self, model: str) -> TurnConfig:
        assert self.presets_flow is not None
        return self.presets_flow.turn_config(model)

    def _known_secrets(self) -> list[str]:
        return list(self.ctx.secrets.known_values()) if self.ctx is not None else []

    def _show_error(self, text: str) -> None:
        if self.window is not None:
            self.window.notify("error", text)

    # -- stop ----------------------------------------------------------------------------

    async def shutdown(self) -> None:
        """Stop streams, flush the database and close clients; safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        log.info("shutting down")
        if self.window is not None:
            if not self.window.close_accepted:
                self.window.save_state()
            self.window.hide()
        if self.instance is not None:
            self.instance.close()
        if self.tray is not None and self.tray.tray is not None:
            self.tray.tray.hide()
        if self._quick_ask is not None:
            self._quick_ask.close()
        if self.history is not None:
            self.history.stop()
        if self.controller is not None:
            await self.controller.shutdown()
        if self.media is not None:
            await self.media.stop_dictation()
        if self.tools is not None:
            await self.tools.aclose()  # every server process is gone on return
        if self.media is not None:
            await self.media.stop_reaper()
        await self.runner.shutdown()
        if self.backend is not None:
            await self.backend.aclose()
        if self.repository is not None:
            conversation_id = self.controller.conversation_id if self.controller else None
            await self.renders.save(self.repository, conversation_id, FIRST_PAGE, self.dark)
            await self.repository.close()
        teardown_logging(self._log_handlers)
        self._log_handlers = []
        if self.window is not None:
            self.window.deleteLater()
            self.window = None


def _drop_source_cache() -> None:
    """Empty ``linecache``: PySide6's import hook reads the source of every module imported
    after it (to look for ``__feature__``), and the cache would keep megabytes of it alive."""
    linecache.clearcache()
