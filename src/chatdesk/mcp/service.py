"""MCPService: the MCP side of the app in one object (no Qt).

It owns the servers file (seeded with the built-in servers on first run, watched for hand
edits: a bad edit is reported and the last good configuration keeps running), the
:class:`MCPToolAggregator`, and the approvals (store, policy and the approving ToolHost that
the orchestrator uses). The servers dialog talks to it; ``chatdesk.app.tools_flow`` builds it
after the first paint, because importing the mcp SDK is slow.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from chatdesk.files import move_aside
from chatdesk.mcp.aggregator import MCPToolAggregator
from chatdesk.mcp.approvals import (
    APPROVALS_FILE_NAME,
    ApprovalPolicy,
    ApprovalStore,
    ApprovingToolHost,
    server_identity,
)
from chatdesk.mcp.config import (
    MCPConfig,
    MCPConfigError,
    Resolver,
    load_config,
    merge_claude_desktop,
    save_config,
    seed_builtin_servers,
    servers_file,
)
from chatdesk.mcp.oauth import SignIns
from chatdesk.mcp.resolve import make_resolver
from chatdesk.mcp.runner import Sleep
from chatdesk.mcp.shell_path import ShellPath
from chatdesk.mcp.status import ServerState, ServerStatus
from chatdesk.secrets import SecretStore

log = logging.getLogger(__name__)

StatusListener = Callable[[ServerStatus], None]
ProblemListener = Callable[[str | None], None]


class MCPService:
    """Servers file + aggregator + approvals; see the module docstring."""

    def __init__(
        self,
        data_dir: Path,
        *,
        logs_dir: Path,
        resolver: Resolver | None = None,
        secrets: SecretStore | None = None,
        shell_path: ShellPath | None = None,
        poll_interval_s: float = 1.0,
        sleep: Sleep = asyncio.sleep,
        seed: bool = True,
        aggregator_options: Mapping[str, Any] | None = None,
    ) -> None:
        """Reads (and on first run seeds) the servers file; :meth:`start` starts the servers.

        Without a ``resolver``, ``${keyring:..}`` references are read through ``secrets`` (the
        app's store, so the values are redacted from the logs). ``aggregator_options`` go to
        :class:`MCPToolAggregator` (max_restarts, sleep, ...).
        """
        self.path = servers_file(data_dir)
        self._poll_interval_s = poll_interval_s
        self._sleep = sleep
        self._status_listeners: list[StatusListener] = []
        self._problem_listeners: list[ProblemListener] = []
        self._watch_task: asyncio.Task[None] | None = None
        self._fingerprint: bytes | None = None
        #: Why the servers file cannot be used now (the last good configuration still runs).
        self.config_error: str | None = None
        if seed:
            try:
                if seed_builtin_servers(self.path):
                    log.info("seeded %s with the built-in servers", self.path)
            except OSError as exc:
                self.config_error = f"Could not write {self.path.name}: {exc.strerror or exc}"
        loaded = load_config(self.path)
        self.config_error = loaded.error or self.config_error
        self._fingerprint = self._stat()
        #: OAuth sign-ins of remote servers; set ``sign_ins.open_browser`` to let them start.
        self.sign_ins = SignIns(secrets or SecretStore())
        self.aggregator = MCPToolAggregator(
            loaded.config,
            logs_dir=logs_dir,
            resolver=resolver or make_resolver(secrets=secrets),
            on_status=self._emit_status,
            shell_path=shell_path,
            builtin_env={"CHATDESK_DATA_DIR": str(data_dir)},
            sign_ins=self.sign_ins,
            **dict(aggregator_options or {}),
        )
        self.approvals = ApprovalStore(data_dir / APPROVALS_FILE_NAME)
        self.policy = ApprovalPolicy(self.approvals, self.aggregator.approval_of, self._identity)
        #: What the orchestrator uses as its ToolHost; set ``tool_host.approver`` to ask the user.
        self.tool_host = ApprovingToolHost(self.aggregator, self.policy)

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start every enabled server and the file watcher in the background; returns at once."""
        self.aggregator.start()
        if self._watch_task is None and self._poll_interval_s > 0:
            self._watch_task = asyncio.create_task(self._watch(), name="mcp-config-watch")

    async def aclose(self) -> None:
        """Stop watching and stop every server (their processes are gone on return)."""
        if self._watch_task is not None:
            self._watch_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch_task
            self._watch_task = None
        await self.aggregator.aclose()

    # --- what the servers dialog uses --------------------------------------------------------

    @property
    def config(self) -> MCPConfig:
        """The configuration being run (the last good one)."""
        return self.aggregator.config

    def statuses(self) -> dict[str, ServerStatus]:
        """Every configured server's status."""
        return self.aggregator.statuses()

    def log_file(self, server_id: str) -> Path:
        """logs/mcp/<id>.log."""
        return self.aggregator.log_file(server_id)

    def add_status_listener(self, listener: StatusListener) -> Callable[[], None]:
        """Call ``listener`` with every status change; returns a function that removes it."""
        return _add(self._status_listeners, listener)

    def add_problem_listener(self, listener: ProblemListener) -> Callable[[], None]:
        """Call ``listener`` with :attr:`config_error` whenever it changes."""
        return _add(self._problem_listeners, listener)

    async def save(self, config: MCPConfig) -> Path | None:
        """Write the servers file and apply it live. Raises :class:`MCPConfigError` if the file
        cannot be written (nothing changes then). "Always allow" rules of removed servers go.

        When the file on disk holds a bad hand edit, that edit is first kept as
        ``mcp_servers.json.bad-<timestamp>``, whose path is returned (None otherwise).
        """
        old = self.config
        kept: Path | None = None
        try:
            if self.config_error is not None and self.path.exists():
                kept = await asyncio.to_thread(move_aside, self.path, copy=True)
            await asyncio.to_thread(save_config, self.path, config)  # off the UI thread
        except OSError as exc:
            raise MCPConfigError(f"Could not save {self.path.name}: {exc.strerror or exc}") from exc
        self._fingerprint = self._stat()
        self._set_problem(None)
        for server_id in old.servers:
            if server_id not in config.servers:
                self.approvals.revoke_server(server_id)
        await self.aggregator.apply_config(config)
        return kept

    async def import_claude_desktop(self, path: Path) -> list[str]:
        """Merge a Claude Desktop config's servers into ours (existing ids kept); returns the
        ids added. Raises :class:`MCPConfigError` for a bad file."""
        merged, taken = merge_claude_desktop(self.config, path)
        if taken:
            await self.save(merged)
        return taken

    async def refresh(self, server_id: str | None = None) -> None:
        """List the tools of ready servers again; start failed ones again."""
        statuses = self.statuses()
        ids = [server_id] if server_id is not None else list(statuses)
        for sid in ids:
            status = statuses.get(sid)
            if status is not None and status.state is ServerState.FAILED:
                await self.aggregator.restart(sid)
        await self.aggregator.refresh(server_id)

    async def restart(self, server_id: str) -> None:
        """Stop and start one server."""
        await self.aggregator.restart(server_id)

    async def sign_in(self, server_id: str) -> ServerStatus:
        """Connect a remote server again, signing in in the browser if it asks."""
        return await self.aggregator.sign_in(server_id)

    async def sign_out(self, server_id: str) -> None:
        """Forget a remote server's sign-in (it asks again next time)."""
        await self.aggregator.sign_out(server_id)

    # --- the servers file ----------------------------------------------------------------------

    async def check_file(self) -> bool:
        """Apply the servers file if it changed since last seen; True when it was applied.

        A bad file is reported (:attr:`config_error`) and the last good configuration keeps
        running; a missing file changes nothing.
        """
        stamp = self._stat()
        if stamp is None or stamp == self._fingerprint:
            return False
        self._fingerprint = stamp
        loaded = load_config(self.path, last_good=self.config)
        if loaded.error is not None:
            log.warning("%s: %s", self.path.name, loaded.error)
            self._set_problem(
                f"{self.path.name} has a problem, so the servers keep their last good "
                f"settings: {loaded.error}"
            )
            return False
        self._set_problem(None)
        if loaded.config != self.config:
            log.info("%s changed: applying it", self.path.name)
            await self.aggregator.apply_config(loaded.config)
        return True

    async def _watch(self) -> None:
        while True:
            await self._sleep(self._poll_interval_s)
            try:
                await self.check_file()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("watching %s failed", self.path)

    def _stat(self) -> bytes | None:
        """A digest of the file's bytes (None when it is missing); a small file, read whole."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        return hashlib.blake2b(data, digest_size=16).digest()

    # --- internals -------------------------------------------------------------------------------

    def _identity(self, server_id: str) -> str | None:
        server = self.config.servers.get(server_id)
        return server_identity(server) if server is not None else None

    def _emit_status(self, status: ServerStatus) -> None:
        for listener in list(self._status_listeners):
            try:
                listener(status)
            except Exception:
                log.exception("MCP status listener failed")

    def _set_problem(self, problem: str | None) -> None:
        if problem == self.config_error:
            return
        self.config_error = problem
        for listener in list(self._problem_listeners):
            try:
                listener(problem)
            except Exception:
                log.exception("MCP problem listener failed")


def _add(listeners: list[Any], listener: Any) -> Callable[[], None]:
    listeners.append(listener)

    def remove() -> None:
        with contextlib.suppress(ValueError):
            listeners.remove(listener)

    return remove
