"""ChatdeskApp: builds the services and the window for one run, starts them, shuts them down.

``chatdesk.app.main`` makes the QApplication; ``ChatdeskApp.show_window()`` builds settings,
secrets, logs, controller and window and shows the last conversation from a synchronous
snapshot of the database, and the window paints before asyncio is even imported. Then the
qasync loop starts and ``ChatdeskApp.start()`` opens the repository (migrations, recovery) and
hands it over; the provider and orchestrator are built on first use. ``ChatdeskApp.shutdown()``
takes everything down in order (stop the stream, flush the database, close the HTTP client) on
window close, Ctrl+Q, SIGTERM or SIGINT.
"""

from __future__ import annotations

import linecache
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from chatdesk import __version__, paths
from chatdesk.core.models import TurnConfig
from chatdesk.core.preset_tools import PresetToolHost
from chatdesk.errors import ChatdeskError, ConfigError
from chatdesk.logs import setup_logging, teardown_logging
from chatdesk.mcp.host import DeferredToolHost
from chatdesk.secrets import SecretStore
from chatdesk.settings import OPENROUTER_BASE_URL, SettingsStore
from chatdesk.storage.snapshot import StartSnapshot, read_snapshot
from chatdesk.ui.chat.chat_controller import FIRST_PAGE, ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.kit.theme import apply_theme
from chatdesk.ui.presets.presets_menu import PresetManager
from chatdesk.ui.rendering.markdown import render_key
from chatdesk.ui.rendering.start_renders import StartRenders
from chatdesk.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    import asyncio

    from chatdesk.attachments.service import AttachmentService
    from chatdesk.core.dictation import AudioSource, Transcriber
    from chatdesk.core.orchestrator import ChatOrchestrator
    from chatdesk.core.ports import ChatProvider
    from chatdesk.core.presets import Preset
    from chatdesk.mcp.service import MCPService
    from chatdesk.mcp.status import ServerStatus
    from chatdesk.providers.openrouter import OpenRouterClient
    from chatdesk.speech.settings import DictationSettings
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.storage.suggestions import SuggestionStore
    from chatdesk.ui.dictation.dictation_controller import DictationController
    from chatdesk.ui.settings.settings_dialog import SettingsDialog

log = logging.getLogger(__name__)


class ChatdeskApp:
    """Owns the services and the window for one run of the app."""

    def __init__(self, qapp: QApplication, data_dir: Path | None = None) -> None:
        self.qapp = qapp
        self.data_dir = data_dir or paths.data_dir()
        self.quit_event: asyncio.Event | None = None  # made by start(), on the running loop
        self._quit_requested = False
        self.window: MainWindow | None = None
        self.controller: ChatController | None = None
        self.repository: ChatRepository | None = None
        self.provider: OpenRouterClient | None = None  # built on first use
        self.runner = TaskRunner()
        #: Presets; the store comes with the database, after the first paint.
        self.presets = PresetManager(None, self.runner, secrets=lambda: self.secrets.known_values())
        self.suggestions: SuggestionStore | None = None
        self._log_handlers: list[logging.Handler] = []
        self._snapshot = StartSnapshot()
        self.renders = StartRenders()
        self.attachments: AttachmentService | None = None  # made by start()
        self._reaper: asyncio.Future[None] | None = None  # retention of attachments
        self._reaper_stop: asyncio.Event | None = None
        # Tools: nothing offered until the MCP service is up (after the first paint); the
        # active preset narrows the set (PresetToolHost) and approvals wrap every call.
        self.tool_host = DeferredToolHost()
        self.preset_tools = PresetToolHost(self.tool_host, self._server_of_tool)
        self.mcp: MCPService | None = None
        self.dictation: DictationController | None = None
        self._shut_down = False

    def request_quit(self) -> None:
        """Ask ``run`` to shut down (window close, Ctrl+Q, a signal)."""
        self._quit_requested = True
        if self.quit_event is not None:
            self.quit_event.set()

    # -- start ---------------------------------------------------------------------------

    def show_window(self) -> None:
        """Build the window and show the last conversation from a synchronous snapshot.

        Needs no event loop: ``main`` paints the window before it imports asyncio and qasync.
        """
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings_store = SettingsStore(paths.settings_file(self.data_dir))
        self.settings = self.settings_store.load()
        self.secrets = SecretStore()
        self._log_handlers = setup_logging(
            paths.logs_dir(self.data_dir), self.settings.log_level, self.secrets.known_values
        )
        log.info("chatdesk %s starting, data dir %s", __version__, self.data_dir)
        self.dark = apply_theme(self.qapp, self.settings.theme)

        self.controller = ChatController(
            None,
            self._build_backend,
            self.runner,
            self._turn_config,
            self.settings.default_model,
            presets=self.presets,
        )
        state = QSettings(str(self.data_dir / "window-state.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(
            self.controller,
            state,
            data_dir=str(self.data_dir),
            logs_dir=str(paths.logs_dir(self.data_dir)),
            theme=self.settings.theme,
        )
        self.window.chat_view.set_dark(self.dark)
        self.window.quitRequested.connect(self.request_quit)
        self.window.settingsRequested.connect(self.open_settings)
        self.window.mcpServersRequested.connect(self.open_mcp_servers)
        self.controller.presetChanged.connect(self._apply_preset_tools)
        self.window.themeRequested.connect(self.set_theme)
        self.window.keySubmitted.connect(self.save_first_key)
        self.window.savePresetRequested.connect(self.save_current_preset)
        self.window.managePresetsRequested.connect(self.manage_presets)
        self.window.suggestionsRequested.connect(self.manage_suggestions)
        self.presets.presetsChanged.connect(self.window.set_presets)
        self.presets.done.connect(lambda text: self._status(text))
        self.presets.failed.connect(self._show_error)
        self.runner.failed.connect(self._show_error)

        self._snapshot = read_snapshot(
            paths.database_file(self.data_dir),
            self.window.last_conversation(),
            FIRST_PAGE,
            render_key(self.dark),
        )
        self.renders.use(self._snapshot, self.dark)  # painted without the Markdown parser
        self.controller.show_snapshot(self._snapshot)
        self.window.show_first_run(self._needs_key())
        _drop_source_cache()
        self.window.show()

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
        assert self.window is not None and self.controller is not None

        self.repository = await ChatRepository.open(paths.database_file(self.data_dir))
        interrupted = await self.repository.recover_interrupted()
        self.controller.attach_repository(self.repository)
        await self._load_presets()
        problems = [*self.settings_store.problems]
        await self._start_attachments(problems)
        if not self._snapshot.complete or interrupted:
            last = self.window.last_conversation()
            if last is not None and await self.repository.get_conversation(last) is not None:
                await self.controller.load_conversation(last)
            else:
                self.controller.new_conversation()
            await self.controller.reload_conversations()

        if not self.secrets.get("openrouter") and self.secrets.problem:
            problems.append(self.secrets.problem)
        if interrupted:
            problems.append(
                f"{interrupted} answer(s) were interrupted when chatdesk last closed; "
                "their partial text was kept."
            )
        if problems:
            self.window.banner.show_text("warning", " ".join(problems))
        if self.window.painted:
            self._after_first_paint()
        else:
            self.window.firstPainted.connect(self._after_first_paint)

    async def _start_attachments(self, problems: list[str]) -> None:
        """The attachment store (local or GCS); the files of the messages already shown."""
        from chatdesk.attachments.config import AttachmentsConfig
        from chatdesk.attachments.factory import build_attachment_service

        assert self.repository is not None and self.controller is not None
        assert self.window is not None
        try:
            config = AttachmentsConfig.from_settings(self.settings)
        except ConfigError as exc:
            config = AttachmentsConfig()
            problems.append(exc.user_message)
        self.attachments, more = build_attachment_service(
            config,
            self.repository,
            self.data_dir,
            server_parses_pdfs=self._is_openrouter,
        )
        problems.extend(more)
        self.controller.attach_attachments(self.attachments)
        self.window.enable_attachments(self.attachments.limits)
        self.window.chat_view.attachment_views = self.attachments.views_now
        shown = [m for m in self._snapshot.messages if m.role == "user"]
        if shown:
            with_files = await self.attachments.with_attachments(shown)
            self.window.chat_view.show_attachments([m for m in with_files if m.attachments])

    def _is_openrouter(self) -> bool:
        return self.settings.openrouter_base_url.rstrip("/") == OPENROUTER_BASE_URL

    async def _load_presets(self) -> None:
        """Presets (seeded on first run) and suggestions; the open chat gets its preset back."""
        from chatdesk.storage.presets import SEED_MARKER, PresetStore, seed_first_run
        from chatdesk.storage.suggestions import FILE_NAME, SuggestionStore

        assert self.repository is not None and self.window is not None
        store = PresetStore(self.repository)
        await seed_first_run(
            store, paths.defaults_dir() / "presets.json", self.data_dir / SEED_MARKER
        )
        self.presets.attach_store(store)
        await self.presets.load()
        self.suggestions = SuggestionStore(
            self.data_dir / FILE_NAME, paths.defaults_dir() / "suggestions.json"
        )
        self.window.set_suggestions(self.suggestions.load())
        if self.suggestions.problems:
            self.window.banner.show_text("warning", " ".join(self.suggestions.problems))

    def _build_backend(self) -> tuple[ChatOrchestrator, ChatProvider]:
        """The provider and orchestrator; built on first use, after the first paint, because
        importing the HTTP stack (httpx, ssl) costs ~40 ms and ~11 MB."""
        from chatdesk.core.orchestrator import ChatOrchestrator
        from chatdesk.providers.openrouter import OpenRouterClient

        self.provider = OpenRouterClient(
            self.settings.openrouter_base_url,
            lambda: self.secrets.get("openrouter"),
            read_timeout=self.settings.request_timeout_s,
            models_cache=paths.cache_dir(self.data_dir) / "models.json",
            models_ttl_s=self.settings.models_cache_ttl_s,
        )
        assert self.repository is not None
        controller = self.controller
        orchestrator = ChatOrchestrator(
            self.repository,
            self.provider,
            model_info=lambda model: controller.model_info(model) if controller else None,
            attachments=self.attachments,
            tools=self.preset_tools,
        )
        return orchestrator, self.provider

    def _start_dictation(self) -> None:
        from chatdesk.speech.settings import DictationSettings
        from chatdesk.ui.dictation.dictation_controller import DictationController

        if self.dictation is not None or self.window is None:
            return
        self.dictation = DictationController(
            self.window.composer,
            self.runner,
            DictationSettings.from_prefixed(self.settings.to_json_dict()),
            self._build_transcriber,
            self._audio_source,
            parent=self.window,
        )
        self.window.install_dictation(self.dictation)

    def _build_transcriber(self, dictation: DictationSettings) -> Transcriber:
        from chatdesk.speech.deepgram import DeepgramTranscriber  # deepgram-sdk: on first use

        return DeepgramTranscriber(
            dictation,
            lambda: self.secrets.get("deepgram"),
            base_url=self.settings.deepgram_base_url,
        )

    def _audio_source(self, dictation: DictationSettings) -> AudioSource:
        """The WAV file of ``audio_input`` (CHATDESK_AUDIO_INPUT) when set, else the mic."""
        from chatdesk.ui.dictation.microphone_source import source_factory

        return source_factory(self.settings.audio_input)(dictation)

    def _after_first_paint(self) -> None:
        """Work that can wait until the window is on screen (network, heavy imports)."""
        self._start_dictation()
        import asyncio

        assert self.controller is not None
        self.controller.load_models()
        if self.attachments is not None and self._reaper is None:
            # Not a runner task: it never ends by itself (shutdown stops it).
            self._reaper_stop = asyncio.Event()
            self._reaper = asyncio.ensure_future(self.attachments.run_reaper(self._reaper_stop))
        self.runner.spawn(self._start_mcp(), key="mcp-start")

    # -- MCP tools -------------------------------------------------------------------------

    async def _start_mcp(self) -> None:
        """Import the MCP SDK off the UI thread (~0.6 s), seed the built-in servers on first
        run and start the enabled ones in the background; approvals ask through inline cards.
        """
        import asyncio
        import importlib

        await asyncio.to_thread(importlib.import_module, "chatdesk.mcp.service")
        _drop_source_cache()
        from chatdesk.mcp.service import MCPService
        from chatdesk.mcp.shell_path import ShellPath
        from chatdesk.ui.tools.approval_card import QtApprover

        if self._shut_down or self.window is None:
            return
        service = MCPService(
            self.data_dir,
            logs_dir=paths.logs_dir(self.data_dir),
            shell_path=ShellPath(),
            secrets=self.secrets,  # keyring values it reads are then redacted from the logs
        )
        approver = QtApprover(self.window)
        service.tool_host.approver = approver
        self.window.attach_approver(approver)
        service.add_problem_listener(self._mcp_problem)
        service.add_status_listener(self._mcp_status)
        for problem in (service.config_error, service.approvals.problem):
            if problem:
                self.window.banner.show_text("warning", problem)
        self.mcp = service
        service.start()
        self.tool_host.set(service.tool_host)
        self._apply_preset_tools(self.controller.preset if self.controller else None)

    def _server_of_tool(self, exposed_name: str) -> str | None:
        if self.mcp is None:
            return None
        info = self.mcp.aggregator.tool_info(exposed_name)
        return info.server_id if info is not None else None

    def _apply_preset_tools(self, preset: Preset | None) -> None:
        """Offer only the preset's servers' tools, with its approval overrides."""
        from chatdesk.core.preset_tools import server_plan

        if self.mcp is None:
            return
        plan = server_plan(preset, self.mcp.config.servers) if preset is not None else None
        self.preset_tools.set_allowed(None if plan is None else plan.enabled)
        rules = dict(preset.tool_approvals) if preset is not None else {}
        allowed = frozenset(preset.mcp_servers) if preset is not None else frozenset()

        def override(name: str, server: str) -> str | None:
            return (rules.get(name) or rules.get(server)) if server in allowed else None

        self.mcp.policy.set_overrides(override if rules else None)
        if plan is not None and plan.missing and self.window is not None:
            self.window.banner.show_text(
                "warning",
                f"The preset names MCP servers that are not configured: {', '.join(plan.missing)}.",
            )

    def _mcp_status(self, status: ServerStatus) -> None:
        """A server that fails is named in the status bar; chat goes on without its tools."""
        from chatdesk.mcp.status import ServerState

        if status.state is ServerState.FAILED and self.window is not None:
            self.window.statusBar().showMessage(
                f"MCP server “{status.server_id}” {status.describe()}. Chat goes on without "
                "its tools; see Tools › MCP Servers…",
                10000,
            )

    def _mcp_problem(self, problem: str | None) -> None:
        if problem and self.window is not None:
            self.window.banner.show_text("warning", problem)

    def open_mcp_servers(self) -> None:
        """Tools › MCP Servers…"""
        from chatdesk.ui.tools.mcp_servers_dialog import MCPServersDialog

        assert self.window is not None
        if self.mcp is None:
            self.window.statusBar().showMessage("MCP servers are still starting…", 3000)
            return
        dialog = MCPServersDialog(self.mcp, self.runner, parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _show_error(self, text: str) -> None:
        if self.window is not None:
            self.window.banner.show_text("error", text)

    def _turn_config(self, model: str) -> TurnConfig:
        """The next turn's settings: the active preset's (unsupported parameters left out)
        over the defaults from Settings."""
        from chatdesk.core.presets import TurnDefaults, turn_config

        controller = self.controller
        preset = controller.preset if controller is not None else None
        info = controller.model_info(model) if controller is not None else None
        defaults = TurnDefaults(
            system_prompt=self.settings.system_prompt,
            title_model=self.settings.title_model,
            generate_titles=self.settings.generate_titles,
        )
        return turn_config(preset, model, info, defaults)

    # -- presets and suggestions -----------------------------------------------------------

    def _current_preset(self) -> Preset:
        """The settings in use now, as an unsaved preset."""
        from chatdesk.core.presets import TurnDefaults, snapshot

        assert self.controller is not None
        return snapshot(
            self.controller.preset,
            model=self.controller.model,
            defaults=TurnDefaults(system_prompt=self.settings.system_prompt),
            taken=self.presets.names(),
        )

    def save_current_preset(self) -> None:
        """Presets › Save current as preset…"""
        from chatdesk.ui.presets.presets_dialog import open_save_current

        assert self.window is not None and self.controller is not None
        open_save_current(
            self.presets,
            self._current_preset(),
            models=self.controller.models,
            servers=self._mcp_server_ids(),
            parent=self.window,
        )

    def manage_presets(self) -> None:
        """Presets › Manage presets…"""
        from chatdesk.ui.presets.presets_dialog import PresetsDialog

        assert self.window is not None and self.controller is not None
        dialog = PresetsDialog(
            self.presets,
            models=self.controller.models,
            servers=self._mcp_server_ids(),
            parent=self.window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def manage_suggestions(self) -> None:
        """Tools › Suggestions…, or "Edit suggestions…" under the chips."""
        from chatdesk.ui.composer.suggestion_chips import SuggestionsDialog

        assert self.window is not None
        if self.suggestions is None:
            return
        dialog = SuggestionsDialog(self.suggestions, parent=self.window)
        dialog.suggestionsChanged.connect(self.window.set_suggestions)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _mcp_server_ids(self) -> list[str]:
        """Configured MCP server ids (none while the MCP service starts)."""
        return list(self.mcp.config.servers) if self.mcp is not None else []

    def _status(self, text: str) -> None:
        if self.window is not None:
            self.window.statusBar().showMessage(text, 5000)

    def _needs_key(self) -> bool:
        """The welcome panel shows when OpenRouter is used and no key is configured."""
        return self._is_openrouter() and not self.secrets.get("openrouter")

    # -- settings ------------------------------------------------------------------------

    def open_settings(self) -> None:
        """Show the settings dialog (modal) and apply what the user saved."""
        from chatdesk.ui.settings.settings_dialog import SettingsDialog

        assert self.window is not None
        dialog = SettingsDialog(
            self.settings,
            key_source=self.secrets.source("openrouter"),
            overridden=self.settings_store.overridden,
            keyring_problem=self.secrets.problem if not self.secrets.keyring_available() else None,
            parent=self.window,
        )
        dialog.testKeyRequested.connect(
            lambda key, url: self.runner.spawn(self._test_key(dialog, key, url), key="test-key")
        )
        dialog.forgetKeyRequested.connect(self._forget_key)
        dialog.open()
        dialog.accepted.connect(lambda: self._apply_settings(dialog))

    async def _test_key(self, dialog: SettingsDialog, key: str, base_url: str) -> None:
        from chatdesk.providers.openrouter import OpenRouterClient

        probe = OpenRouterClient(
            base_url or self.settings.openrouter_base_url,
            key or self.secrets.get("openrouter"),
            max_attempts=1,
        )
        try:
            info = await probe.check_key()
        except ChatdeskError as exc:
            dialog.show_test_result(False, exc.user_message)
        else:
            dialog.show_test_result(True, info.describe())
        finally:
            await probe.aclose()

    def _forget_key(self) -> None:
        try:
            self.secrets.delete("openrouter")
        except ChatdeskError as exc:
            assert self.window is not None
            self.window.banner.show_text("error", exc.user_message)

    def _apply_settings(self, dialog: SettingsDialog) -> None:
        assert self.window is not None and self.controller is not None
        new = dialog.result_settings
        if new is None:
            return
        if dialog.new_key:
            try:
                self.secrets.set("openrouter", dialog.new_key)
            except ChatdeskError as exc:
                self.window.banner.show_text("error", exc.user_message)
        old = self.settings
        self.settings = new
        if self.dictation is not None:
            from chatdesk.speech.settings import DictationSettings

            self.dictation.set_settings(DictationSettings.from_prefixed(new.to_json_dict()))
        try:
            self.settings_store.save(new)
        except OSError as exc:
            self.window.banner.show_text("error", f"Could not save settings: {exc}")
        if new.openrouter_base_url != old.openrouter_base_url:
            if self.provider is not None:
                self.provider.set_base_url(new.openrouter_base_url)
            self.controller.load_models(refresh=True)
        if new.default_model != old.default_model and self.controller.conversation is None:
            self.controller.set_model(new.default_model)
        if new.theme != old.theme:
            self.set_theme(new.theme)
        self.window.show_first_run(self._needs_key())
        self.window.statusBar().showMessage("Settings saved", 3000)

    def save_first_key(self, key: str) -> None:
        """The key pasted into the welcome panel."""
        assert self.window is not None and self.controller is not None
        try:
            self.secrets.set("openrouter", key)
        except ChatdeskError as exc:
            if self.secrets.keyring_available():
                self.window.first_run.show_problem(exc.user_message)
                return
            # No keyring: use the key for this session rather than leave the user stuck.
            self.secrets.set_for_session("openrouter", key)
            self.window.banner.show_text(
                "warning",
                "No system keyring is available, so your key is used for this session only. "
                "To keep it, set OPENROUTER_API_KEY in your environment.",
            )
        else:
            self.window.statusBar().showMessage("Key saved in your system keyring", 4000)
        self.window.show_first_run(False)
        self.controller.load_models(refresh=True)

    def set_theme(self, theme: str) -> None:
        assert self.window is not None
        self.dark = apply_theme(self.qapp, theme)
        self.window.chat_view.set_dark(self.dark)
        if self.settings.theme != theme:
            self.settings.theme = theme
            try:
                self.settings_store.save(self.settings)
            except OSError as exc:
                log.warning("could not save the theme: %s", exc)

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
        if self.controller is not None:
            await self.controller.shutdown()
        if self.dictation is not None:
            await self.dictation.shutdown()
        if self.mcp is not None:
            await self.mcp.aclose()  # every server process is gone on return
        if self._reaper is not None and self._reaper_stop is not None:
            import asyncio

            self._reaper_stop.set()
            await asyncio.wait([self._reaper], timeout=5)
        await self.runner.shutdown()
        if self.provider is not None:
            await self.provider.aclose()
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
