"""The MCP servers file (``<data dir>/mcp_servers.json``), in Claude Desktop's shape.

``{"mcpServers": {"<id>": {"command": ..., "args": [...], "env": {...}}}}`` for stdio servers,
``{"type": "http" | "sse", "url": ..., "headers": {...}}`` for remote ones, plus our optional
``enabled``, ``approval``, ``timeout_s`` and ``cwd``. ``${env:NAME}`` / ``${keyring:NAME}``
references are resolved at start (:func:`resolve_server`), never written back.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chatdesk.errors import ConfigError

SERVERS_FILE_NAME = "mcp_servers.json"

Approval = Literal["ask", "allow_read_only", "allow_all"]
#: ``resolver(scheme, name)`` -> the value, or None when it is unknown; scheme is env|keyring.
Resolver = Callable[[str, str], str | None]

_REFERENCE = re.compile(r"\$\{(env|keyring):([^}]*)\}")


class MCPConfigError(ConfigError):
    """The MCP servers file, or one server in it, is unusable."""


class _ServerBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    enabled: bool = True
    approval: Approval = "ask"
    timeout_s: float = Field(default=60.0, gt=0, le=3600)


class StdioServerConfig(_ServerBase):
    """A server we launch and talk to over its stdin/stdout."""

    type: Literal["stdio"] = "stdio"
    command: str = Field(min_length=1)
    args: tuple[str, ...] = ()
    env: dict[str, str] = Field(default_factory=dict)
    cwd: str | None = None


class RemoteServerConfig(_ServerBase):
    """A server reached over streamable HTTP (``http``) or legacy SSE (``sse``)."""

    type: Literal["http", "sse"] = "http"
    url: str = Field(pattern=r"^(https?://\S+|\$\{.+)")
    headers: dict[str, str] = Field(default_factory=dict)


ServerConfig = StdioServerConfig | RemoteServerConfig


@dataclass(frozen=True)
class MCPConfig:
    """All configured servers by id (order as in the file)."""

    servers: Mapping[str, ServerConfig] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load_config` found: the config to run and, when the file is bad, why."""

    config: MCPConfig
    error: str | None = None


def servers_file(base: Path) -> Path:
    """The MCP servers file inside a data dir."""
    return base / SERVERS_FILE_NAME


def claude_desktop_config_file() -> Path:
    """Where Claude Desktop keeps its config on this platform."""
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library/Application Support/Claude/claude_desktop_config.json"
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", home)) / "Claude/claude_desktop_config.json"
    return (
        Path(os.environ.get("XDG_CONFIG_HOME", home / ".config"))
        / "Claude/claude_desktop_config.json"
    )


def _describe(server_id: str, error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(entry)"
        lines.append(f"server {server_id!r}: {where}: {item['msg']}")
    return lines


def parse_server(server_id: str, raw: object) -> ServerConfig:
    """Validate one server entry; raises :class:`MCPConfigError` naming the id and field."""
    if not isinstance(raw, dict):
        raise MCPConfigError(f"server {server_id!r}: expected an object, got {type(raw).__name__}")
    remote = raw.get("type") in ("http", "sse") or ("url" in raw and "command" not in raw)
    model: type[ServerConfig] = RemoteServerConfig if remote else StdioServerConfig
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise MCPConfigError("; ".join(_describe(server_id, exc))) from None


def parse_config(data: object) -> MCPConfig:
    """Validate a whole servers document (already JSON-decoded); every problem is reported."""
    if not isinstance(data, dict):
        raise MCPConfigError("the MCP servers file must hold a JSON object")
    entries = data.get("mcpServers", {})
    if not isinstance(entries, dict):
        raise MCPConfigError('"mcpServers" must be an object of servers by id')
    servers: dict[str, ServerConfig] = {}
    problems: list[str] = []
    for server_id, raw in entries.items():
        if not server_id.strip():
            problems.append("a server has an empty id")
            continue
        try:
            servers[server_id] = parse_server(server_id, raw)
        except MCPConfigError as exc:
            problems.append(exc.user_message)
    if problems:
        raise MCPConfigError("; ".join(problems))
    return MCPConfig(servers)


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise MCPConfigError(
            f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except OSError as exc:
        raise MCPConfigError(f"cannot read {path}: {exc.strerror or exc}") from None


def load_config(path: Path, last_good: MCPConfig | None = None) -> LoadResult:
    """Load the servers file; a missing file is an empty config, a bad one keeps ``last_good``."""
    if not path.exists():
        return LoadResult(MCPConfig())
    try:
        return LoadResult(parse_config(_read_json(path)))
    except MCPConfigError as exc:
        return LoadResult(last_good or MCPConfig(), exc.user_message)


def dump_config(config: MCPConfig) -> dict[str, Any]:
    """The JSON document for a config (defaults left out, as a user would write it)."""
    servers = {
        server_id: server.model_dump(mode="json", exclude_defaults=True)
        for server_id, server in config.servers.items()
    }
    for server_id, server in config.servers.items():
        if isinstance(server, RemoteServerConfig):
            servers[server_id]["type"] = server.type
    return {"mcpServers": servers}


def save_config(path: Path, config: MCPConfig) -> None:
    """Write the servers file atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(dump_config(config), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def merge_claude_desktop(
    ours: MCPConfig, claude_file: Path, *, overwrite: bool = False
) -> tuple[MCPConfig, list[str]]:
    """Add a Claude Desktop file's ``mcpServers`` to ours; returns the result and the ids taken.

    Existing ids are kept unless ``overwrite``. Raises :class:`MCPConfigError` for a bad file.
    """
    theirs = parse_config(_read_json(claude_file))
    merged = dict(ours.servers)
    taken = []
    for server_id, server in theirs.servers.items():
        if server_id in merged and not overwrite:
            continue
        merged[server_id] = server
        taken.append(server_id)
    return MCPConfig(merged), taken


def env_resolver(scheme: str, name: str) -> str | None:
    """A resolver for ``${env:NAME}`` only (keyring references stay unresolved)."""
    return os.environ.get(name) if scheme == "env" else None


def _resolve_text(server_id: str, where: str, text: str, resolver: Resolver) -> str:
    def substitute(match: re.Match[str]) -> str:
        scheme, name = match.group(1), match.group(2).strip()
        value = resolver(scheme, name) if name else None
        if value is None:
            source = "environment variable" if scheme == "env" else "keyring entry"
            raise MCPConfigError(
                f"server {server_id!r}: {where}: {match.group(0)} cannot be resolved "
                f"(no {source} named {name!r})"
            )
        return value

    return _REFERENCE.sub(substitute, text)


def resolve_server(server_id: str, server: ServerConfig, resolver: Resolver) -> ServerConfig:
    """A copy with every ``${env:..}`` / ``${keyring:..}`` reference filled in."""

    def each(section: str, values: Mapping[str, str]) -> dict[str, str]:
        return {
            key: _resolve_text(server_id, f"{section}.{key}", value, resolver)
            for key, value in values.items()
        }

    if isinstance(server, StdioServerConfig):
        return server.model_copy(update={"env": each("env", server.env)})
    url = _resolve_text(server_id, "url", server.url, resolver)
    return server.model_copy(update={"url": url, "headers": each("headers", server.headers)})
