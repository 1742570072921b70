"""ServersService: the MCP servers' configuration (``mcp_servers.json``) and the running
servers, changed in the background for the MCP Servers dialog.

The ``StoreService`` pattern: the dialog calls ``save``/``import_claude``/``refresh``/
``restart``; the backend's coroutines run through ``TaskRunner``; ``changed`` says the list
should be shown again, ``done`` what happened, ``failed`` why it did not.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from chatdesk.errors import ChatdeskError
from chatdesk.mcp.approval_store import ApprovalStore
from chatdesk.mcp.config import MCPConfig
from chatdesk.mcp.status import ServerState, ServerStatus
from chatdesk.ui.kit.store_service import StoreService
from chatdesk.ui.kit.task_runner import TaskRunner

if TYPE_CHECKING:
    import asyncio


class ServersBackend(Protocol):
    """What the dialog needs of the running MCP side (``MCPService`` has it all)."""

    path: Path
    approvals: ApprovalStore
    config_error: str | None

    @property
    def config(self) -> MCPConfig: ...

    def statuses(self) -> Mapping[str, ServerStatus]: ...

    def log_file(self, server_id: str) -> Path: ...

    def add_status_listener(
        self, listener: Callable[[ServerStatus], None]
    ) -> Callable[[], None]: ...

    def add_problem_listener(
        self, listener: Callable[[str | None], None]
    ) -> Callable[[], None]: ...

    async def save(self, config: MCPConfig) -> Path | None: ...

    async def import_claude_desktop(self, path: Path) -> list[str]: ...

    async def refresh(self, server_id: str | None = None) -> None: ...

    async def restart(self, server_id: str) -> None: ...

    async def sign_in(self, server_id: str) -> ServerStatus: ...

    async def sign_out(self, server_id: str) -> None: ...


class ServersService(StoreService):
    """Runs the dialog's changes to the servers through the runner; reports by signal."""

    changed = Signal()  # the configuration or the servers changed: show them again

    def __init__(
        self, backend: ServersBackend, runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(runner, parent)
        self.backend = backend
        self._saving: asyncio.Lock | None = None  # made on the loop, on first save
        #: The server a sign-in waits for (the browser), if any.
        self.signing_in: str | None = None

    def save(self, change: Callable[[MCPConfig], MCPConfig], done: str) -> None:
        """Apply ``change`` to the configuration as it is when its turn comes (changes made
        in quick succession never undo each other), write the file and apply it live; ``done``
        confirms it."""
        # After a bad hand edit, the message that says where it was kept stands alone.
        announce = "" if self.backend.config_error else done
        self._spawn(self._run(self._save(change, done), announce), "mcp-dialog")

    def import_claude(self, path: Path) -> None:
        """Merge the servers of a Claude Desktop config file (ids already here are kept)."""
        self._spawn(self._run(self._import(path)), "mcp-dialog")

    def refresh(self) -> None:
        """List every server's tools again; start failed servers again."""
        self._spawn(self._run(self.backend.refresh(), "Refreshed"), "mcp-dialog")

    def restart(self, server_id: str) -> None:
        """Stop and start one server."""
        self._spawn(
            self._run(self.backend.restart(server_id), f"{server_id} restarted"), "mcp-dialog"
        )

    def sign_in(self, server_id: str) -> None:
        """Sign in to a remote server (the browser opens if it asks)."""
        self.signing_in = server_id
        self._runner.spawn(self._sign_in(server_id), key="mcp-sign-in")

    def cancel_sign_in(self) -> None:
        """Stop waiting for the browser; the server goes back to asking for a sign-in."""
        server_id = self.signing_in
        if server_id is not None and self._runner.cancel("mcp-sign-in"):
            self.signing_in = None
            self._spawn(self._run(self.backend.restart(server_id), "Sign-in cancelled"))

    def sign_out(self, server_id: str) -> None:
        """Forget a remote server's sign-in."""
        self._spawn(
            self._run(self.backend.sign_out(server_id), f"Signed out of {server_id}"),
            "mcp-dialog",
        )

    async def _sign_in(self, server_id: str) -> None:
        self.done.emit(f"Signing in to {server_id}: finish in your browser…")
        self.changed.emit()
        try:
            status = await self.backend.sign_in(server_id)
        finally:
            self.signing_in = None
        self.changed.emit()
        if status.state is ServerState.READY:
            self.done.emit(f"Signed in to {server_id}")
        else:
            self.failed.emit(f"Could not sign in to {server_id}: {status.reason}")

    async def _run(self, work: Coroutine[Any, Any, None], done: str = "") -> None:
        try:
            await work
        except ChatdeskError as exc:
            self.failed.emit(exc.user_message)
            return
        self.changed.emit()
        if done:
            self.done.emit(done)

    async def _save(self, change: Callable[[MCPConfig], MCPConfig], done: str) -> None:
        import asyncio

        if self._saving is None:
            self._saving = asyncio.Lock()
        async with self._saving:  # one change at a time, each on the one before
            kept = await self.backend.save(change(self.backend.config))
        if kept is not None:
            self.done.emit(f"{done}; your hand edit of the file was kept as {kept.name}")

    async def _import(self, path: Path) -> None:
        taken = await self.backend.import_claude_desktop(path)
        if taken:
            self.done.emit(f"Imported from {path.name}: {', '.join(taken)}")
        else:
            self.done.emit(f"Nothing new in {path.name}: its servers are all here already")
