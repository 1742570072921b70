"""Editing the servers config as the dialog does: add, rename in place, remove, ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatdesk.mcp.config import (
    MCPConfigError,
    builtin_name,
    builtin_server,
    default_config,
    load_config,
    parse_config,
    parse_server,
    resolve_server,
    save_config,
    seed_builtin_servers,
    servers_file,
    with_server,
    without_server,
)

BASE = parse_config({"mcpServers": {"a": {"command": "x"}, "b": {"command": "y"}}})


def test_add_rename_in_place_and_remove() -> None:
    web = parse_server("w", {"type": "sse", "url": "https://h.test/sse"})
    added = with_server(BASE, "web", web)
    assert list(added.servers) == ["a", "b", "web"]
    renamed = with_server(added, "alpha", added.servers["a"], old_id="a")
    assert list(renamed.servers) == ["alpha", "b", "web"]
    with pytest.raises(MCPConfigError, match="a server named 'b' already exists"):
        with_server(renamed, "b", web, old_id="web")
    assert list(without_server(renamed, "b").servers) == ["alpha", "web"]
    assert without_server(renamed, "zzz") == renamed


@pytest.mark.parametrize(
    ("server_id", "message"),
    [("", "empty id"), (" a", "spaces"), ("x" * 65, "longer than 64"), ("a\tb", "control")],
)
def test_bad_ids(server_id: str, message: str) -> None:
    with pytest.raises(MCPConfigError, match=message):
        with_server(BASE, server_id, BASE.servers["a"])
    with pytest.raises(MCPConfigError, match=message):
        parse_config({"mcpServers": {server_id: {"command": "x"}}})


def test_seed_only_once_and_secrets_stay_references(data_dir: Path) -> None:
    path = servers_file(data_dir)
    assert seed_builtin_servers(path)
    assert load_config(path).config == default_config()
    assert not seed_builtin_servers(path)
    assert builtin_name(builtin_server("calculator")) == "calculator"
    assert builtin_name(parse_server("x", {"command": "chatdesk", "args": ["other"]})) is None

    secret = with_server(
        default_config(), "gh", parse_server("gh", {"command": "gh", "env": {"T": "${keyring:gh}"}})
    )
    resolved = resolve_server("gh", secret.servers["gh"], lambda _s, _n: "ghp_SECRET")
    assert resolved.env == {"T": "ghp_SECRET"}  # type: ignore[union-attr]
    save_config(path, secret)
    text = path.read_text(encoding="utf-8")
    assert "${keyring:gh}" in text and "ghp_SECRET" not in text
    assert json.loads(text)["mcpServers"]["gh"] == {"command": "gh", "env": {"T": "${keyring:gh}"}}
