"""ToolsFlow: the MCP service (started after the first paint), preset tool plans, the status of
servers and the Tools › MCP Servers… dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from chatdesk import paths
from chatdesk.app.context import AppContext
from chatdesk.app.flow import Flow
from chatdesk.core.preset_tools import PresetToolHost
from chatdesk.mcp.host import DeferredToolHost
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    from chatdesk.core.model_catalogue import ModelCatalogue
    from chatdesk.core.ports import ChatProvider
    from chatdesk.core.presets import Preset
    from chatdesk.mcp.prompts import ServerPrompt
    from chatdesk.mcp.request_record import ServerRequestRecord
    from chatdesk.mcp.resources import ServerResource
    from chatdesk.mcp.service import MCPService
    from chatdesk.mcp.status import ServerStatus
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.ui.tools.server_ask_cards import ServerAskCards


class ToolsFlow(Flow):
    """Offers the MCP servers' tools, narrowed by the active preset, with approvals inline.

    Nothing is offered until the MCP service is up (after the first paint); the active preset
    narrows the set (``preset_tools``) and approvals wrap every call.
    """

    def __init__(
        self,
        ctx: AppContext,
        window: MainWindow,
        controller: ChatController,
        runner: TaskRunner,
        tool_host: DeferredToolHost,
        *,
        stopping: Callable[[], bool],
        provider: Callable[[], ChatProvider],
        catalogue: ModelCatalogue,
        repository: Callable[[], ChatRepository | None],
    ) -> None:
        """``provider`` answers servers' sampling requests; ``repository`` keeps them (and
        elicitations) in the ledger."""
        super().__init__(ctx, window, controller, runner)
        self._tool_host = tool_host
        self._stopping = stopping
        self._provider = provider
        self._catalogue = catalogue
        self._repository = repository
        self.preset_tools = PresetToolHost(tool_host, self.server_of_tool)
        self.mcp: MCPService | None = None
        self.server_ask_cards: ServerAskCards | None = None

    async def start(self, after_import: Callable[[], None]) -> None:
        """Import the MCP SDK off the UI thread (~0.6 s), seed the built-in servers on first
        run and start the enabled ones in the background; approvals ask through inline cards.
        ``after_import`` runs once the SDK is imported (the root drops the source cache).
        """
        import asyncio
        import importlib

        await asyncio.to_thread(importlib.import_module, "chatdesk.mcp.service")
        after_import()
        from chatdesk.mcp.service import MCPService
        from chatdesk.mcp.shell_path import ShellPath
        from chatdesk.ui.tools.qt_approver import QtApprover

        if self._stopping():
            return
        data_dir = self._ctx.data_dir
        service = MCPService(
            data_dir,
            logs_dir=paths.logs_dir(data_dir),
            shell_path=ShellPath(),
            secrets=self._ctx.secrets,  # keyring values it reads are then redacted from the logs
        )
        approver = QtApprover(self._window)
        service.tool_host.approver = approver
        self._window.attach_approver(approver)
        self._answer_servers(service)
        service.sign_ins.open_browser = self._open_browser
        service.add_problem_listener(self._problem)
        service.add_status_listener(self._status)
        for problem in (service.config_error, service.approvals.problem):
            if problem:
                self._window.notify("warning", problem)
        self.mcp = service
        self._window.prompt_links.requested.connect(self._use_prompt)
        self._window.resource_links.requested.connect(self._pick_resource)
        self._window.resource_links.chosen.connect(self._attach_resource)
        service.start()
        self._tool_host.set(service.tool_host)
        self.apply_preset(self._controller.preset)

    def _answer_servers(self, service: MCPService) -> None:
        """Servers' sampling and elicitation requests: inline cards, the active provider and
        model, the ledger."""
        from chatdesk.mcp.elicitation import Elicitor
        from chatdesk.mcp.sampling import Sampler
        from chatdesk.mcp.server_requests import ServerRequestBroker
        from chatdesk.ui.tools.qt_server_asker import QtServerAsker

        window, controller = self._window, self._controller
        asker = QtServerAsker(window)
        self.server_ask_cards = window.attach_server_asker(asker)
        sampler = Sampler(
            self._provider,
            asker,
            active_model=lambda _conversation: controller.model,
            catalogue=lambda: self._catalogue.models,
            record=self._record,
        )
        service.aggregator.server_requests = ServerRequestBroker(
            service.aggregator.in_flight,
            lambda: controller.conversation_id,
            sampler=sampler,
            elicitor=Elicitor(asker, record=self._record),
        )

    async def _open_browser(self, url: str) -> None:
        """A server's sign-in page, in the user's browser (they asked: Sign in)."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if not QDesktopServices.openUrl(QUrl(url)):
            self._window.notify("error", f"No browser could be opened. Open this page: {url}")
        else:
            self._window.status("Finish signing in in your browser…", 10000)

    async def _record(self, record: ServerRequestRecord) -> None:
        """Keep a server's request in the ledger (a sampling's cost counts in its chat: the
        turn that called the server's tool reads the total when it ends)."""
        import dataclasses

        repository = self._repository()
        if repository is None:
            return
        await repository.record_server_request(**dataclasses.asdict(record))

    async def aclose(self) -> None:
        """Stop every server process (all gone on return)."""
        if self.mcp is not None:
            await self.mcp.aclose()

    def server_of_tool(self, exposed_name: str) -> str | None:
        if self.mcp is None:
            return None
        info = self.mcp.aggregator.tool_info(exposed_name)
        return info.server_id if info is not None else None

    def server_ids(self) -> list[str]:
        """Configured MCP server ids (none while the MCP service starts)."""
        return list(self.mcp.config.servers) if self.mcp is not None else []

    def apply_preset(self, preset: Preset | None) -> None:
        """Offer only the preset's servers' tools, with its approval overrides."""
        from chatdesk.core.preset_tools import server_plan

        if self.mcp is None:
            return
        plan = server_plan(preset, self.mcp.config.servers) if preset is not None else None
        self.preset_tools.set_allowed(None if plan is None else plan.enabled)
        self.mcp.policy.set_overrides(plan.overrides if plan is not None else None)
        if plan is not None and plan.missing:
            self._window.notify(
                "warning",
                f"The preset names MCP servers that are not configured: {', '.join(plan.missing)}.",
            )

    def _status(self, status: ServerStatus) -> None:
        """A server that fails is named in the status bar; chat goes on without its tools."""
        from chatdesk.mcp.status import ServerState

        if self.mcp is not None:  # its prompts and resources come and go with it
            self._window.prompt_links.set_prompts(self.mcp.aggregator.prompts())
            self._window.resource_links.offer(bool(self.mcp.aggregator.resources()))
        if status.state is ServerState.FAILED:
            self._window.status(
                f"MCP server “{status.server_id}” {status.describe()}. Chat goes on without "
                "its tools; see Tools › MCP Servers…",
                10000,
            )

    def _use_prompt(self, prompt: ServerPrompt, values: dict[str, str]) -> None:
        self._runner.spawn(self._fetch_prompt(prompt, values), key="mcp-prompt")

    async def _fetch_prompt(self, prompt: ServerPrompt, values: dict[str, str]) -> None:
        """A chosen prompt's text, filled in by its server, into the composer."""
        from chatdesk.mcp.prompts import PromptError

        if self.mcp is None:
            return
        self._window.status(f"Asking {prompt.server_id} for the prompt “{prompt.name}”…", 3000)
        try:
            text = await self.mcp.aggregator.get_prompt(prompt.server_id, prompt.name, values)
        except PromptError as exc:
            self._window.notify("error", exc.user_message)
            return
        self._window.prompt_links.put_text(text)

    def _pick_resource(self) -> None:
        if self.mcp is not None:
            self._window.resource_links.choose(self.mcp.aggregator.resources())

    def _attach_resource(self, resource: ServerResource, uri: str) -> None:
        self._runner.spawn(self._read_resource(resource, uri), key="mcp-resource")

    async def _read_resource(self, resource: ServerResource, uri: str) -> None:
        """A chosen resource's contents, attached to the message being written."""
        from chatdesk.mcp.resources import ResourceError

        if self.mcp is None:
            return
        try:
            files = await self.mcp.aggregator.read_resource(resource, uri)
        except ResourceError as exc:
            self._window.notify("error", exc.user_message)
            return
        self._window.resource_links.attach(files)

    def _problem(self, problem: str | None) -> None:
        if problem:
            self._window.notify("warning", problem)

    def open_servers_dialog(self) -> None:
        """Tools › MCP Servers…"""
        from chatdesk.ui.tools.mcp_servers_dialog import MCPServersDialog

        if self.mcp is None:
            self._window.status("MCP servers are still starting…", 3000)
            return
        self._window.open_dialog(MCPServersDialog(self.mcp, self._runner, parent=self._window))
