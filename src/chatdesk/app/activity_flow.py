"""ActivityFlow: Tools › Tool activity — the ledger of tool calls, its export, and every grant
that lets a tool run without asking, with Revoke."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from chatdesk.app.context import AppContext
from chatdesk.app.flow import Flow
from chatdesk.app.tools_flow import ToolsFlow
from chatdesk.errors import ChatdeskError
from chatdesk.ui.chat.chat_controller import ChatController
from chatdesk.ui.kit.task_runner import TaskRunner
from chatdesk.ui.presets.preset_manager import PresetManager
from chatdesk.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    from chatdesk.mcp.grants import Grant
    from chatdesk.storage.ledger import LedgerFilter
    from chatdesk.ui.tools.tool_activity import ToolActivityWindow

log = logging.getLogger(__name__)


class ActivityFlow(Flow):
    """Opens the Tool activity window and does what it asks."""

    def __init__(
        self,
        ctx: AppContext,
        window: MainWindow,
        controller: ChatController,
        runner: TaskRunner,
        tools: ToolsFlow,
        presets: PresetManager,
    ) -> None:
        super().__init__(ctx, window, controller, runner)
        self._tools = tools
        self._presets = presets
        self.activity: ToolActivityWindow | None = None
        presets.presetsChanged.connect(self._presets_changed)

    def _presets_changed(self, _presets: object) -> None:
        if self.activity is not None:  # a preset's grant revoked, or a preset edited
            self._runner.spawn(self._load_grants(), key="activity-grants")

    def open(self) -> None:
        """Show the window (or bring it forward) and load it."""
        from chatdesk.ui.tools.tool_activity import ToolActivityWindow

        if self.activity is None:
            activity = self.activity = ToolActivityWindow(self._window)
            activity.filterChanged.connect(self._filter)
            activity.exportRequested.connect(self._export)
            activity.revokeRequested.connect(self.revoke)
            activity.finished.connect(self._closed)
            self._window.open_dialog(activity)
        else:
            self.activity.raise_()
            self.activity.activateWindow()
        self._runner.spawn(self.reload(), key="activity")

    def _closed(self, _result: int) -> None:
        self.activity = None

    async def reload(self) -> None:
        """Load the calls for the window's filter, its servers and the grants."""
        activity = self.activity
        if activity is None:
            return
        repo = await self._controller.db()
        activity.set_servers(await repo.tool_servers())
        await self._load(activity.current_filter())
        await self._load_grants()

    def _filter(self, where: LedgerFilter) -> None:
        self._runner.spawn(self._load(where), key="activity-calls")

    async def _load(self, where: LedgerFilter) -> None:
        repo = await self._controller.db()
        entries = await repo.tool_activity(where)
        if self.activity is not None:
            self.activity.show_entries(entries)

    async def _load_grants(self) -> None:
        from chatdesk.mcp.grants import list_grants

        mcp = self._tools.mcp
        if mcp is None or self.activity is None:
            return
        repo = await self._controller.db()
        titles: dict[int, str] = {}
        for conversation_id in mcp.policy.all_conversation_grants():
            if conversation_id is not None:
                found = await repo.get_conversation(conversation_id)
                titles[conversation_id] = found.title if found else f"chat {conversation_id}"
        grants = list_grants(mcp.approvals, mcp.policy, mcp.config, self._presets.presets, titles)
        if self.activity is not None:
            self.activity.show_grants(grants)

    # -- export -------------------------------------------------------------------------------

    def _export(self, fmt: str) -> None:
        activity = self.activity
        if activity is None:
            return
        suggested = str(Path.home() / f"tool-activity.{fmt}")
        path, _ = QFileDialog.getSaveFileName(
            activity, "Export the tool activity", suggested, f"{fmt.upper()} (*.{fmt})"
        )
        if path:
            self._runner.spawn(
                self._write(Path(path), fmt, activity.entries()), key="activity-export"
            )

    async def _write(self, path: Path, fmt: str, entries: list) -> None:  # type: ignore[type-arg]
        from chatdesk.storage.ledger import ledger_csv, ledger_json

        text = ledger_csv(entries) if fmt == "csv" else ledger_json(entries)
        try:
            await asyncio.to_thread(path.write_text, text, encoding="utf-8")
        except OSError as exc:
            self._window.notify("error", f"Could not write {path}: {exc.strerror or exc}.")
            return
        self._window.status(f"Wrote {len(entries):,} calls to {path}.", 6000)

    # -- revoke -------------------------------------------------------------------------------

    def revoke(self, grant: Grant) -> None:
        """Take ``grant`` back: that tool (or server) asks again."""
        self._runner.spawn(self._revoke(grant), key="activity-revoke")

    async def _revoke(self, grant: Grant) -> None:
        mcp = self._tools.mcp
        if mcp is None:
            return
        try:
            if grant.kind == "always" and grant.tool_name:
                await asyncio.to_thread(mcp.approvals.revoke, grant.server_id, grant.tool_name)
            elif grant.kind == "conversation" and grant.tool_name:
                mcp.policy.revoke_conversation_grant(
                    grant.conversation_id, grant.server_id, grant.tool_name
                )
            elif grant.kind == "server":
                await self._server_asks(grant.server_id)
            elif grant.kind == "preset" and grant.preset_id is not None:
                self._preset_asks(grant.preset_id, grant.key)
        except ChatdeskError as exc:
            self._window.notify("error", exc.user_message)
            return
        log.info("revoked %s grant for %s/%s", grant.kind, grant.server_id, grant.tool_name)
        self._window.status("Revoked: that tool asks again before it runs.", 5000)
        await self._load_grants()

    async def _server_asks(self, server_id: str) -> None:
        mcp = self._tools.mcp
        assert mcp is not None
        config = mcp.config
        server = config.servers.get(server_id)
        if server is None:
            return
        servers = dict(config.servers)
        servers[server_id] = server.model_copy(update={"approval": "ask"})
        await mcp.save(dataclasses.replace(config, servers=servers))

    def _preset_asks(self, preset_id: int, key: str) -> None:
        preset = self._presets.find(preset_id)
        if preset is None:
            return
        approvals = {k: v for k, v in preset.tool_approvals.items() if k != key}
        self._presets.update(dataclasses.replace(preset, tool_approvals=approvals))
