"""MCPService: first-run seeding, built-in servers, hand edits applied live, import, approvals."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from mcp_helpers import Statuses, call, toy

from chatdesk.mcp.approvals import ApprovalRequest, Decision
from chatdesk.mcp.config import BUILTIN_SERVERS, MCPConfigError, builtin_server, servers_file
from chatdesk.mcp.resolve import make_resolver
from chatdesk.mcp.service import MCPService
from chatdesk.mcp.status import ServerState
from chatdesk.secrets import SERVICE, SecretStore
from chatdesk.storage.repository import ChatRepository
from fakes.keyring import MemoryKeyring


def _write(path: Path, servers: dict[str, Any]) -> None:
    path.write_text(json.dumps({"mcpServers": servers}), encoding="utf-8")


class Ticks:
    """The watcher's sleep: each ``tick()`` lets exactly one poll happen."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[None] = asyncio.Queue()
        self.polls = 0

    async def sleep(self, _delay: float) -> None:
        await self._queue.get()
        self.polls += 1

    def tick(self) -> None:
        self._queue.put_nowait(None)


@pytest.fixture
async def make_service(data_dir: Path) -> AsyncIterator[Callable[..., MCPService]]:
    made: list[MCPService] = []

    def make(**kwargs: Any) -> MCPService:
        kwargs.setdefault("poll_interval_s", 0)
        service = MCPService(data_dir, logs_dir=data_dir / "logs", **kwargs)
        made.append(service)
        return service

    yield make
    for service in made:
        await service.aclose()


async def _allow(request: ApprovalRequest) -> Decision:
    return Decision.ALLOW_ONCE


async def test_first_run_seeds_and_runs_the_builtins(
    make_service: Callable[..., MCPService], data_dir: Path
) -> None:
    repo = await ChatRepository.open(data_dir / "chatdesk.db")
    conversation = await repo.create_conversation("Trip to Lisbon")
    await repo.append_message(conversation.id, "user", "Which pastel de nata bakery is best?")
    await repo.close()

    service = make_service()
    saved = json.loads(servers_file(data_dir).read_text(encoding="utf-8"))
    assert saved == {
        "mcpServers": {
            name: {"command": "chatdesk", "args": ["mcp-server", name]} for name in BUILTIN_SERVERS
        }
    }
    statuses = Statuses()
    service.add_status_listener(statuses)
    service.tool_host.approver = _allow
    service.start()
    await statuses.wait("calculator", ServerState.READY)
    await statuses.wait("housekeeping", ServerState.READY)
    host = service.tool_host
    assert (
        await host.call_tool(call("calculator__calculate", '{"expression": "7*6"}'))
    ).content == "42"
    found = await host.call_tool(
        call("housekeeping__search_conversations", '{"query": "pastel nata"}')
    )
    assert not found.is_error
    assert "Trip to Lisbon" in found.content and "pastel de nata bakery" in found.content


async def test_an_emptied_file_is_not_seeded_again(
    make_service: Callable[..., MCPService], data_dir: Path
) -> None:
    path = servers_file(data_dir)
    _write(path, {})
    service = make_service()
    assert service.config.servers == {} and json.loads(path.read_text()) == {"mcpServers": {}}


async def test_hand_edits_apply_live_and_bad_ones_keep_the_last_good(
    make_service: Callable[..., MCPService], data_dir: Path
) -> None:
    path = servers_file(data_dir)
    _write(path, {"a": toy("a")})
    ticks = Ticks()
    service = make_service(poll_interval_s=1.0, sleep=ticks.sleep)
    statuses = Statuses()
    problems: list[str | None] = []
    service.add_status_listener(statuses)
    service.add_problem_listener(problems.append)
    service.tool_host.approver = _allow
    service.start()
    await statuses.wait("a", ServerState.READY)
    client_a = service.aggregator.client_of("a")

    _write(path, {"a": toy("a"), "b": toy("b")})
    ticks.tick()
    await statuses.wait("b", ServerState.READY)
    assert service.aggregator.client_of("a") is client_a  # untouched

    path.write_text('{"mcpServers": {"a": ', encoding="utf-8")
    assert not await service.check_file()
    assert service.config_error is not None and "not valid JSON" in service.config_error
    assert problems == [service.config_error]
    assert set(service.statuses()) == {"a", "b"}
    assert (await service.tool_host.call_tool(call("b__echo", '{"text": "on"}'))).content == "b:on"

    _write(path, {"a": toy("a"), "b": toy("b"), "c": {"command": "x", "approval": "maybe"}})
    assert not await service.check_file()
    assert "server 'c': approval" in (service.config_error or "")

    _write(path, {"a": toy("a")})
    assert await service.check_file()
    assert problems[-1] is None and service.config_error is None
    assert statuses.latest["b"].state is ServerState.STOPPED
    assert not await service.check_file()  # unchanged: nothing to do

    path.unlink()  # an editor replacing the file: nothing stops
    assert not await service.check_file()
    assert set(service.statuses()) == {"a"}


async def test_save_import_and_refresh(
    make_service: Callable[..., MCPService],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = servers_file(data_dir)
    _write(path, {"late": toy("late", env={"K": "${env:LATE_KEY}"}), "calc": toy("calc")})
    service = make_service(resolver=make_resolver())
    statuses = Statuses()
    service.add_status_listener(statuses)
    service.start()
    failed = await statuses.wait("late", ServerState.FAILED)
    assert "LATE_KEY" in failed.reason
    monkeypatch.setenv("LATE_KEY", "now-set")
    await service.refresh()  # failed servers are started again
    await statuses.wait("late", ServerState.READY)

    service.approvals.allow("calc", "echo")
    config = service.config
    await service.save(type(config)({"late": config.servers["late"]}))
    assert json.loads(path.read_text())["mcpServers"].keys() == {"late"}
    assert service.approvals.rules() == []  # rules of a removed server go with it
    assert statuses.latest["calc"].state is ServerState.STOPPED

    claude = tmp_path / "claude_desktop_config.json"
    claude.write_text(
        json.dumps({"mcpServers": {"late": {"command": "other"}, "house": toy("house")}}),
        encoding="utf-8",
    )
    assert await service.import_claude_desktop(claude) == ["house"]
    await statuses.wait("house", ServerState.READY)
    assert json.loads(path.read_text())["mcpServers"]["late"]["args"][-1] == "late"  # kept
    claude.write_text("[]", encoding="utf-8")
    with pytest.raises(MCPConfigError):
        await service.import_claude_desktop(claude)
    assert service.log_file("house") == data_dir / "logs" / "mcp" / "house.log"
    assert builtin_server("calculator").command == "chatdesk"


async def test_keyring_references_go_through_the_apps_secret_store(
    make_service: Callable[..., MCPService], data_dir: Path
) -> None:
    ring = MemoryKeyring()
    ring.set_password(SERVICE, "github", "ghp_service_secret")
    secrets = SecretStore({}, backend=ring)
    _write(servers_file(data_dir), {"gh": toy("gh", env={"TOKEN": "${keyring:github}"})})
    service = make_service(secrets=secrets)
    statuses = Statuses()
    service.add_status_listener(statuses)
    service.start()
    await statuses.wait("gh", ServerState.READY)
    assert "ghp_service_secret" in secrets.known_values()  # so the log filter masks it


async def test_every_bad_hand_edit_is_kept_aside_on_save(
    make_service: Callable[..., MCPService], data_dir: Path
) -> None:
    path = servers_file(data_dir)
    _write(path, {"a": toy("a")})
    service = make_service()
    kept: list[Path] = []
    for broken in ('{"mcpServers": ', '{"mcpServers": []}'):
        path.write_text(broken, encoding="utf-8")
        assert not await service.check_file()
        assert service.config_error is not None
        saved = await service.save(service.config)
        assert saved is not None and saved.read_text(encoding="utf-8") == broken
        assert saved.name.startswith("mcp_servers.json.bad-")
        assert service.config_error is None
        kept.append(saved)
    assert kept[0] != kept[1] and kept[0].read_text(encoding="utf-8") == '{"mcpServers": '
    assert await service.save(service.config) is None  # a good file: nothing to keep
