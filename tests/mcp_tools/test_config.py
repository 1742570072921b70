"""The MCP servers file: validation messages, last-good fallback, references, Claude merge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatdesk.mcp.config import (
    MCPConfig,
    MCPConfigError,
    RemoteServerConfig,
    StdioServerConfig,
    load_config,
    merge_claude_desktop,
    parse_config,
    resolve_server,
    save_config,
    servers_file,
)

GOOD = {
    "mcpServers": {
        "fs": {"command": "npx", "args": ["-y", "fs"], "env": {"K": "${env:FS_KEY}"}},
        "web": {"type": "http", "url": "https://example.invalid/mcp", "approval": "allow_all"},
    }
}


def test_parse_fills_defaults() -> None:
    cfg = parse_config(GOOD)
    fs, web = cfg.servers["fs"], cfg.servers["web"]
    assert isinstance(fs, StdioServerConfig) and fs.args == ("-y", "fs")
    assert (fs.enabled, fs.approval, fs.timeout_s, fs.cwd) == (True, "ask", 60.0, None)
    assert isinstance(web, RemoteServerConfig) and web.approval == "allow_all"


def test_bad_json_keeps_last_good(data_dir: Path) -> None:
    path = servers_file(data_dir)
    path.write_text('{"mcpServers": {', encoding="utf-8")
    last = parse_config(GOOD)
    result = load_config(path, last_good=last)
    assert result.config is last
    assert result.error is not None and "not valid JSON (line 1" in result.error


def test_missing_file_is_empty(data_dir: Path) -> None:
    assert load_config(servers_file(data_dir)) == load_config(servers_file(data_dir))
    assert load_config(servers_file(data_dir)).config.servers == {}


def test_bad_fields_name_server_and_field() -> None:
    raw = {
        "mcpServers": {
            "a": {"command": "x", "timeout_s": -1},
            "b": {"command": "y", "approval": "sometimes"},
            "c": {"args": ["no command"]},
            "d": {"type": "http", "url": "ftp://nope"},
        }
    }
    with pytest.raises(MCPConfigError) as caught:
        parse_config(raw)
    message = caught.value.user_message
    assert "server 'a': timeout_s:" in message
    assert "server 'b': approval:" in message
    assert "server 'c': command:" in message
    assert "server 'd': url:" in message


def test_references_resolve_or_fail_per_server(monkeypatch: pytest.MonkeyPatch) -> None:
    fs = parse_config(GOOD).servers["fs"]
    with pytest.raises(MCPConfigError, match=r"server 'fs': env\.K: \$\{env:FS_KEY\}"):
        resolve_server("fs", fs, lambda scheme, name: None)
    resolved = resolve_server("fs", fs, lambda scheme, name: f"{scheme}-{name}")
    assert isinstance(resolved, StdioServerConfig) and resolved.env == {"K": "env-FS_KEY"}
    assert isinstance(fs, StdioServerConfig) and fs.env == {"K": "${env:FS_KEY}"}  # unchanged
    web = RemoteServerConfig(url="https://h/${keyring:host}", headers={"A": "Bearer ${keyring:t}"})
    done = resolve_server("w", web, lambda scheme, name: {"host": "x.test", "t": "s3"}[name])
    assert isinstance(done, RemoteServerConfig)
    assert (done.url, done.headers) == ("https://h/x.test", {"A": "Bearer s3"})


def test_save_load_round_trip(data_dir: Path) -> None:
    cfg = parse_config(GOOD)
    save_config(servers_file(data_dir), cfg)
    again = load_config(servers_file(data_dir))
    assert again.error is None and again.config == cfg


def test_merge_claude_desktop(tmp_path: Path) -> None:
    claude = tmp_path / "claude_desktop_config.json"
    claude.write_text(
        json.dumps({"mcpServers": {"fs": {"command": "other"}, "git": {"command": "uvx"}}}),
        encoding="utf-8",
    )
    ours = parse_config(GOOD)
    merged, taken = merge_claude_desktop(ours, claude)
    assert taken == ["git"]
    assert isinstance(merged.servers["fs"], StdioServerConfig)
    assert merged.servers["fs"].command == "npx"
    merged, taken = merge_claude_desktop(ours, claude, overwrite=True)
    assert taken == ["fs", "git"] and merged.servers["fs"].command == "other"  # type: ignore[union-attr]
    claude.write_text("[]", encoding="utf-8")
    with pytest.raises(MCPConfigError):
        merge_claude_desktop(MCPConfig(), claude)


def test_name_value_lines_become_pairs_or_say_which_line_is_wrong() -> None:
    from chatdesk.mcp.config import MCPConfigError, parse_pairs

    assert parse_pairs(["A=1", " B = two=2 "], "=", "Environment") == {"A": "1", "B": "two=2"}
    assert parse_pairs(["Authorization: Bearer x"], ":", "Headers") == {"Authorization": "Bearer x"}
    with pytest.raises(MCPConfigError, match="Headers, line 2: write it as NAME:value"):
        parse_pairs(["X: 1", "no separator"], ":", "Headers")
    with pytest.raises(MCPConfigError, match="line 1"):
        parse_pairs(["=value"], "=", "Environment")
