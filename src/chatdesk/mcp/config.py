"""The MCP servers file (``<data dir>/mcp_servers.json``), in Claude Desktop's shape.

``{"mcpServers": {"<id>": {"command": ..., "args": [...], "env": {...}}}}`` for stdio servers,
``{"type": "http" | "sse", "url": ..., "headers": {...}}`` for remote ones, plus our optional
``enabled``, ``approval``, ``sampling``, ``timeout_s`` and ``cwd``. ``${env:NAME}`` /
``${keyring:NAME}`` references are resolved at start (:func:`resolve_server`), never written back.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chatdesk.core.tool_approval import Approval
from chatdesk.errors import ConfigError
from chatdesk.files import atomic_write_text

SERVERS_FILE_NAME = "mcp_servers.json"

#: ``resolver(scheme, name)`` -> the value, or None when it is unknown; scheme is env|keyring.
Resolver = Callable[[str, str], str | None]

REFERENCE = re.compile(r"\$\{(env|keyring):([^}]*)\}")
#: The command of built-in servers: ``{"command": "chatdesk", "args": ["mcp-server", NAME]}``
#: starts NAME with this app's own Python (or, frozen, the app itself); see servers/__init__.py.
BUILTIN_COMMAND = "chatdesk"
BUILTIN_SERVERS = ("calculator", "housekeeping")
MAX_SERVER_ID_LENGTH = 64


SamplingPolicy = Literal["ask", "allow", "off"]
SAMPLING_POLICIES: tuple[tuple[SamplingPolicy, str], ...] = (
    ("ask", "Ask each time"),
    ("allow", "Allow (the card shows it)"),
    ("off", "Refuse (not offered to the server)"),
)


class MCPConfigError(ConfigError):
    """The MCP servers file, or one server in it, is unusable."""


class _ServerBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    enabled: bool = True
    approval: Approval = "ask"
    #: What a server's ``sampling/createMessage`` meets: a card that asks (``ask``), a card
    #: that only shows it (``allow``), or nothing: the capability is not declared (``off``).
    sampling: SamplingPolicy = "ask"
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


#: Plainer words for pydantic's messages, by error type.
_PLAIN = {
    "string_too_short": "must not be empty",
    "missing": "is required",
    "string_pattern_mismatch": "must be an http:// or https:// address",
    "tuple_type": "must be a list of strings",
    "list_type": "must be a list of strings",
    "dict_type": "must be an object of names to strings",
}


def _describe(server_id: str, error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(entry)"
        message = _PLAIN.get(item["type"], item["msg"])
        lines.append(f"server {server_id!r}: {where}: {message}")
    return lines


def server_id_problem(server_id: str) -> str | None:
    """Why ``server_id`` cannot name a server, or None when it can."""
    if not server_id.strip():
        return "a server has an empty id"
    if server_id != server_id.strip():
        return f"server id {server_id!r} starts or ends with spaces"
    if len(server_id) > MAX_SERVER_ID_LENGTH:
        return f"server id {server_id[:20]!r}… is longer than {MAX_SERVER_ID_LENGTH} characters"
    if any(ch.isspace() and ch != " " for ch in server_id) or not server_id.isprintable():
        return f"server id {server_id!r} holds control characters"
    return None


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
        id_problem = server_id_problem(server_id)
        if id_problem is not None:
            problems.append(id_problem)
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
    """Write the servers file atomically (a crash leaves the old file or the new one)."""
    atomic_write_text(path, json.dumps(dump_config(config), indent=2, ensure_ascii=False) + "\n")


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


def parse_pairs(lines: Sequence[str], sep: str, what: str) -> dict[str, str]:
    """``NAME<sep>value`` lines (environment ``=``, headers ``:``) as a dict; a line without
    ``sep`` or a name raises :class:`MCPConfigError` naming ``what`` and the line."""
    pairs: dict[str, str] = {}
    for number, line in enumerate(lines, 1):
        name, found, value = line.partition(sep)
        if not found or not name.strip():
            raise MCPConfigError(f"{what}, line {number}: write it as NAME{sep.strip()}value")
        pairs[name.strip()] = value.strip()
    return pairs


def env_resolver(scheme: str, name: str) -> str | None:
    """A resolver for ``${env:NAME}`` only (keyring references stay unresolved)."""
    return os.environ.get(name) if scheme == "env" else None


def _resolve_text(server_id: str, where: str, text: str, resolver: Resolver) -> str:
    def substitute(match: re.Match[str]) -> str:
        scheme, name = match.group(1), match.group(2).strip()
        try:
            value = resolver(scheme, name) if name else None
        except MCPConfigError as exc:
            raise MCPConfigError(f"server {server_id!r}: {where}: {exc.user_message}") from None
        if value is None:
            source = "environment variable" if scheme == "env" else "keyring entry"
            raise MCPConfigError(
                f"server {server_id!r}: {where}: {match.group(0)} cannot be resolved "
                f"(no {source} named {name!r})"
            )
        return value

    return REFERENCE.sub(substitute, text)


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


def references(server: ServerConfig) -> set[tuple[str, str]]:
    """Every ``(scheme, name)`` reference in a server's config."""
    texts = (
        [server.url, *server.headers.values()]
        if isinstance(server, RemoteServerConfig)
        else list(server.env.values())
    )
    return {(m.group(1), m.group(2).strip()) for text in texts for m in REFERENCE.finditer(text)}


# --- editing (the servers dialog) ---------------------------------------------------------------


def with_server(
    config: MCPConfig, server_id: str, server: ServerConfig, *, old_id: str | None = None
) -> MCPConfig:
    """A config with ``server`` under ``server_id`` (renamed from ``old_id``, keeping its place).

    Raises :class:`MCPConfigError` for a bad id or an id already taken by another server.
    """
    problem = server_id_problem(server_id)
    if problem is not None:
        raise MCPConfigError(problem)
    if server_id in config.servers and server_id != old_id:
        raise MCPConfigError(f"a server named {server_id!r} already exists")
    servers: dict[str, ServerConfig] = {}
    placed = False
    for sid, existing in config.servers.items():
        if sid == old_id:
            servers[server_id] = server
            placed = True
        else:
            servers[sid] = existing
    if not placed:
        servers[server_id] = server
    return MCPConfig(servers)


def without_server(config: MCPConfig, server_id: str) -> MCPConfig:
    """A config without ``server_id`` (unchanged if it is absent)."""
    return MCPConfig({sid: s for sid, s in config.servers.items() if sid != server_id})


# --- built-in servers ----------------------------------------------------------------------------


def builtin_server(name: str) -> StdioServerConfig:
    """The config entry that starts built-in server ``name``."""
    return StdioServerConfig(command=BUILTIN_COMMAND, args=("mcp-server", name))


def builtin_name(server: ServerConfig) -> str | None:
    """The built-in server a config entry starts, or None."""
    if (
        isinstance(server, StdioServerConfig)
        and server.command == BUILTIN_COMMAND
        and len(server.args) >= 2
        and server.args[0] == "mcp-server"
    ):
        return server.args[1]
    return None


def default_config() -> MCPConfig:
    """What a first run starts with: the built-in calculator and housekeeping servers."""
    return MCPConfig({name: builtin_server(name) for name in BUILTIN_SERVERS})


def seed_builtin_servers(path: Path) -> bool:
    """Write :func:`default_config` when there is no servers file yet; True if it was written.

    A file the user emptied stays empty: only a missing file is seeded.
    """
    if path.exists():
        return False
    save_config(path, default_config())
    return True
