"""Tool names as the model sees them: ``<server_id>__<tool>``, valid OpenAI function names.

Only letters, digits, ``_`` and ``-``; at most 64 characters; unique. A name that had to be
changed (bad characters, too long, taken) gets a short hash of its origin as a suffix, so it
stays the same from one run to the next.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

MAX_NAME_LENGTH = 64
SEPARATOR = "__"
_INVALID = re.compile(r"[^A-Za-z0-9_-]")


def sanitize(text: str) -> str:
    """Replace every character an OpenAI function name may not hold with ``_``."""
    return _INVALID.sub("_", text) or "_"


def _suffix(server_id: str, tool: str, salt: int) -> str:
    digest = hashlib.sha256(f"{server_id}\0{tool}\0{salt}".encode()).hexdigest()
    return digest[:8]


class ToolNameMap:
    """Exposed name <-> (server id, tool name), built from every tool of every server."""

    def __init__(self, tools: Iterable[tuple[str, str]] = ()) -> None:
        self._forward: dict[tuple[str, str], str] = {}
        self._reverse: dict[str, tuple[str, str]] = {}
        pending: list[tuple[str, str]] = []
        # Names that need no change are placed first, so they never lose theirs to a hashed one.
        for server_id, tool in sorted(set(tools)):
            plain = f"{server_id}{SEPARATOR}{tool}"
            clean = sanitize(plain) == plain and len(plain) <= MAX_NAME_LENGTH
            if clean and plain not in self._reverse:
                self._add(server_id, tool, plain)
                continue
            pending.append((server_id, tool))
        for server_id, tool in pending:
            base = sanitize(f"{server_id}{SEPARATOR}{tool}")
            salt = 0
            while True:
                hashed = f"{base[: MAX_NAME_LENGTH - 9]}_{_suffix(server_id, tool, salt)}"
                if hashed not in self._reverse:
                    break
                salt += 1
            self._add(server_id, tool, hashed)

    def _add(self, server_id: str, tool: str, exposed: str) -> None:
        self._forward[(server_id, tool)] = exposed
        self._reverse[exposed] = (server_id, tool)

    def exposed(self, server_id: str, tool: str) -> str:
        """The name the model sees; KeyError for a tool not in the map."""
        return self._forward[(server_id, tool)]

    def resolve(self, exposed: str) -> tuple[str, str] | None:
        """``(server_id, tool)`` for an exposed name, or None."""
        return self._reverse.get(exposed)

    def __len__(self) -> int:
        return len(self._forward)
