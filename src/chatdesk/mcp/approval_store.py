"""The persisted "Always allow this tool" rules: ``<data dir>/mcp_approvals.json``."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chatdesk.files import atomic_write_text, move_aside
from chatdesk.mcp.config import RemoteServerConfig, ServerConfig

log = logging.getLogger(__name__)

APPROVALS_FILE_NAME = "mcp_approvals.json"
FILE_VERSION = 1


def server_identity(server: ServerConfig) -> str:
    """A short fingerprint of what a server entry runs (command and arguments, or the URL).

    Environment and headers are left out: a new token is still the same server.
    """
    if isinstance(server, RemoteServerConfig):
        parts: list[str] = [server.type, server.url]
    else:
        parts = ["stdio", server.command, *server.args]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


# --- "always allow" rules on disk ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlwaysRule:
    """One persisted "Always allow this tool"."""

    server_id: str
    tool_name: str
    identity: str = ""
    granted_at: float = 0.0


class ApprovalStore:
    """The "always allow" rules in ``mcp_approvals.json`` (atomic writes; a bad file is moved
    aside on the next save, never silently lost)."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self._clock = clock
        self._rules: dict[tuple[str, str], AlwaysRule] = {}
        self._listeners: list[Callable[[], None]] = []
        self._bad_file = False
        #: Why the file could not be read or written (None when all is well).
        self.problem: str | None = None
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data["always"] if isinstance(data, dict) else None
            if not isinstance(entries, list):
                raise ValueError('expected {"always": [...]}')
            for entry in entries:
                rule = AlwaysRule(
                    str(entry["server"]),
                    str(entry["tool"]),
                    str(entry.get("identity", "")),
                    float(entry.get("granted_at", 0.0)),
                )
                self._rules[(rule.server_id, rule.tool_name)] = rule
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._rules.clear()
            self._bad_file = True
            self.problem = (
                f"{self.path.name} cannot be read ({exc}); tools you always allowed will ask "
                "again until you decide anew (the old file is kept aside as "
                f"{self.path.name}.bad-<date-time> when the rules are next saved)"
            )
            log.warning("approvals file unreadable: %s", exc)

    def rules(self) -> list[AlwaysRule]:
        """Every rule, by server then tool."""
        return sorted(self._rules.values(), key=lambda r: (r.server_id, r.tool_name))

    def allowed(self, server_id: str, tool_name: str, identity: str | None = None) -> bool:
        """Whether the tool is always allowed (for this server identity, when given)."""
        rule = self._rules.get((server_id, tool_name))
        if rule is None:
            return False
        return identity is None or not rule.identity or rule.identity == identity

    def allow(self, server_id: str, tool_name: str, identity: str = "") -> None:
        """Remember "Always allow" for a tool and save."""
        self._rules[(server_id, tool_name)] = AlwaysRule(
            server_id, tool_name, identity, self._clock()
        )
        self._save()

    def revoke(self, server_id: str, tool_name: str) -> bool:
        """Forget one rule; True if there was one."""
        if self._rules.pop((server_id, tool_name), None) is None:
            return False
        self._save()
        return True

    def revoke_server(self, server_id: str) -> int:
        """Forget every rule of a server; returns how many."""
        gone = [key for key in self._rules if key[0] == server_id]
        for key in gone:
            del self._rules[key]
        if gone:
            self._save()
        return len(gone)

    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` after every change; returns a function that removes it."""
        self._listeners.append(listener)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return remove

    def _save(self) -> None:
        data = {
            "version": FILE_VERSION,
            "always": [
                {
                    "server": r.server_id,
                    "tool": r.tool_name,
                    "identity": r.identity,
                    "granted_at": r.granted_at,
                }
                for r in self.rules()
            ],
        }
        try:
            if self._bad_file and self.path.exists():
                kept = move_aside(self.path)
                log.warning("kept the unreadable %s as %s", self.path.name, kept.name)
            self._bad_file = False
            atomic_write_text(self.path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
            self.problem = None
        except OSError as exc:
            self.problem = f"Could not save {self.path.name}: {exc.strerror or exc}"
            log.warning("could not save approvals: %s", exc)
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:
                log.exception("approvals listener failed")
