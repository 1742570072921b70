"""Why a server failed to start or lost its connection, in words fit to show the user."""

from __future__ import annotations

import contextlib
from pathlib import Path

import httpx2
from mcp import MCPError
from pydantic import ValidationError

from chatdesk.mcp.config import MCPConfigError, RemoteServerConfig, ServerConfig, StdioServerConfig


class StartFailure(Exception):
    """A failure retrying cannot fix (missing command, unknown built-in, unresolved reference)."""


def leaves(exc: BaseException) -> list[BaseException]:
    """The innermost exceptions of nested exception groups."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in leaves(inner)]
    return [exc]


def caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``exc``, a leaf of it, or something in its cause chain is a ``kind``."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind) or any(isinstance(x, kind) for x in leaves(seen)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def permanent(exc: BaseException) -> bool:
    """True when retrying cannot help (the configuration or the server must change first)."""
    return any(
        isinstance(leaf, (StartFailure, MCPConfigError, FileNotFoundError))
        or _bad_listing(leaf) is not None
        for leaf in leaves(exc)
    )


def _bad_listing(exc: BaseException) -> str | None:
    """What is wrong in a server's tools/prompts/resources list the SDK refused."""
    if not isinstance(exc, ValidationError) or not exc.title.startswith("List"):
        return None
    first = exc.errors()[0]
    where = [str(part) for part in first["loc"]]
    what = exc.title.removeprefix("List").removesuffix("Result").lower() or "list"
    if len(where) >= 2 and where[1].isdigit():
        number = int(where[1])
        where = [f"{what[:-1]} {number + 1}", ".".join(where[2:])]
    return f"its {what[:-1]} list does not follow MCP: " + ": ".join(
        [*[w for w in where if w], first["msg"]]
    )


def last_log_line(path: Path | None) -> str:
    """The last line a server wrote to its log (our own ``--- `` lines skipped)."""
    if path is None or not path.exists():
        return ""
    with contextlib.suppress(OSError):
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 64_000))
            tail = handle.read().decode("utf-8", errors="replace")
        for line in reversed(tail.splitlines()):
            if line.strip() and not line.startswith("--- "):
                return line.strip()[:300]
    return ""


def describe_failure(exc: BaseException, server: ServerConfig, log_file: Path | None) -> str:
    """A short reason for a failed start or a lost connection, fit to show the user."""
    found = leaves(exc)
    for leaf in found:
        if isinstance(leaf, (StartFailure, MCPConfigError)):
            return str(leaf)
        listing = _bad_listing(leaf)
        if listing is not None:
            return listing
        if isinstance(leaf, FileNotFoundError) and isinstance(server, StdioServerConfig):
            if server.cwd and not Path(server.cwd).is_dir():
                return f"the working folder {server.cwd} does not exist"
            return f"{server.command} not found: install it or give a full path"
        if isinstance(leaf, PermissionError) and isinstance(server, StdioServerConfig):
            return f"{server.command} cannot be run: permission denied"
        if isinstance(leaf, httpx2.ConnectError):
            url = server.url if isinstance(server, RemoteServerConfig) else "the server"
            refused = caused_by(leaf, ConnectionRefusedError) or "refused" in str(leaf).lower()
            return f"cannot connect to {url}: " + ("connection refused" if refused else str(leaf))
        if isinstance(leaf, httpx2.HTTPStatusError):
            status = leaf.response.status_code
            hint = ": check the headers (API key)" if status in (401, 403) else ""
            return f"the server answered HTTP {status}{hint}"
        if isinstance(leaf, TimeoutError):
            last = last_log_line(log_file)
            return (str(leaf) or "the server did not answer in time") + (
                f" (its last words: {last})" if last else ""
            )
    if isinstance(server, StdioServerConfig) and any(isinstance(x, MCPError) for x in found):
        last = last_log_line(log_file)
        return (
            "the server exited"
            + (f": {last}" if last else "")
            + (f" (log: {log_file})" if log_file else "")
        )
    if any(isinstance(x, MCPError) for x in found):
        return "the server closed the connection"
    first = found[0]
    return f"{type(first).__name__}: {first}" if str(first) else type(first).__name__
