"""Server status and tool facts as the UI shows them (no mcp SDK import: cheap to use)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ServerState(enum.StrEnum):
    """Lifecycle of one server."""

    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """What the UI shows for a server; ``retry_in`` is set while a restart is pending."""

    server_id: str
    state: ServerState
    reason: str = ""
    tool_count: int = 0
    retry_in: float | None = None
    #: A remote server that wants the user to sign in: "needed" (never signed in) or "again"
    #: (the sign-in expired, was revoked, or its refresh was refused).
    sign_in: str | None = None

    def describe(self) -> str:
        """One line for a list: ``ready · 3 tools``, ``failed: reason (retrying in 2 s)``."""
        if self.state is ServerState.READY:
            text = f"ready · {self.tool_count} tool{'' if self.tool_count == 1 else 's'}"
            return f"{text} · {self.reason}" if self.reason else text
        if self.state is ServerState.FAILED and self.sign_in is not None:
            return "sign in again to use it" if self.sign_in == "again" else "sign in to use it"
        if self.state is ServerState.FAILED:
            text = f"failed: {self.reason}" if self.reason else "failed"
            if self.retry_in is not None:
                text += f" (retrying in {self.retry_in:g} s)"
            return text
        if self.state is ServerState.STOPPED:
            return f"stopped ({self.reason})" if self.reason else "stopped"
        return "starting…"


@dataclass(frozen=True, slots=True)
class ToolInfo:
    """Where an exposed tool comes from and what its annotations say, for approvals.

    ``destructive`` follows MCP's defaults: a tool that is not read-only counts as destructive
    unless it says ``destructiveHint: false``. The hints come from the server: untrusted.
    """

    server_id: str
    tool_name: str
    read_only: bool
    destructive: bool = False
    idempotent: bool = False
    open_world: bool = True
    title: str = ""
    description: str = ""
