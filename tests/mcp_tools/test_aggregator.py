"""MCPToolAggregator against real servers, really started (stdio children, HTTP on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from mcp_helpers import (
    TOY,
    Statuses,
    builtin,
    call,
    config,
    new_aggregator,
    toy,
    until_accepting,
)

from chatdesk.core.ports import ToolHost
from chatdesk.mcp.runner import ServerState
from fakes.ports import free_port


async def test_builtin_servers_answer(data_dir: Path) -> None:
    statuses = Statuses()
    agg = new_aggregator(
        config(calc=builtin("calculator"), house=builtin("housekeeping")), data_dir, statuses
    )
    host: ToolHost = agg
    agg.start()
    try:
        assert (await statuses.wait("calc", ServerState.READY)).tool_count == 1
        await statuses.wait("house", ServerState.READY)
        assert {s.name for s in host.tool_specs()} == {
            "calc__calculate",
            "house__current_time",
            "house__search_conversations",
        }
        result = await host.call_tool(call("calc__calculate", '{"expression": "2 + 3 * 4"}'))
        assert (result.content, result.is_error, result.server_id) == ("14", False, "calc")
        bad = await host.call_tool(call("calc__calculate", '{"expression": "__import__(\'os\')"}'))
        assert bad.is_error and "not allowed" in bad.content
        now = await host.call_tool(call("house__current_time", '{"timezone": "UTC"}'))
        assert not now.is_error and "+00:00" in now.content
        mars = await host.call_tool(call("house__current_time", '{"timezone": "Mars/Base"}'))
        assert mars.is_error and "unknown time zone" in mars.content
        info = agg.tool_info("calc__calculate")
        assert info is not None and info.read_only and info.tool_name == "calculate"
        assert (data_dir / "logs" / "mcp" / "calc.log").exists()
    finally:
        await agg.aclose()
    assert statuses.latest["calc"].state is ServerState.STOPPED


async def test_failures_have_user_fit_reasons(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    delays: list[float] = []

    async def no_wait(delay: float) -> None:
        delays.append(delay)

    statuses = Statuses()
    crash = "import sys; sys.stderr.write('boom: bad setup\\n'); sys.exit(1)"
    cfg = config(
        crash={"command": sys.executable, "args": ["-c", crash]},
        npx={"command": "npx", "args": ["-y", "some-server"]},
        refused={"type": "http", "url": f"http://127.0.0.1:{free_port()}/mcp"},
        secret={"command": sys.executable, "env": {"KEY": "${env:NOT_SET_ANYWHERE}"}},
    )
    agg = new_aggregator(cfg, data_dir, statuses, sleep=no_wait, max_restarts=2)
    agg.start()
    try:
        crashed = await statuses.wait("crash", ServerState.FAILED)
        assert "the server exited: boom: bad setup" in crashed.reason
        assert delays.count(1.0) >= 1 and 2.0 in delays
        missing = await statuses.wait("npx", ServerState.FAILED)
        assert missing.reason == "npx not found: install Node.js or give a full path"
        refused = await statuses.wait("refused", ServerState.FAILED)
        assert "connection refused" in refused.reason
        secret = await statuses.wait("secret", ServerState.FAILED)
        assert "'secret'" in secret.reason and "NOT_SET_ANYWHERE" in secret.reason
        assert agg.tool_specs() == ()
        unknown = await agg.call_tool(call("crash__anything"))
        assert unknown.is_error and "No tool named" in unknown.content
    finally:
        await agg.aclose()


async def test_same_tool_names_timeouts_huge_results_and_restart(data_dir: Path) -> None:
    delays: list[float] = []

    async def no_wait(delay: float) -> None:
        delays.append(delay)

    statuses = Statuses()
    cfg = config(a=toy("a", timeout_s=1), b=toy("b"))
    agg = new_aggregator(cfg, data_dir, statuses, sleep=no_wait, max_result_chars=1000)
    agg.start()
    try:
        await statuses.wait("a", ServerState.READY)
        await statuses.wait("b", ServerState.READY)
        names = {s.name for s in agg.tool_specs()}
        assert {"a__echo", "b__echo", "a__hang"} <= names
        assert (await agg.call_tool(call("a__echo", '{"text": "hi"}'))).content == "a:hi"
        assert (await agg.call_tool(call("b__echo", '{"text": "hi"}'))).content == "b:hi"

        slow = await agg.call_tool(call("a__hang"))
        assert slow.is_error and "did not answer within 1 s" in slow.content
        # The connection survives a timed-out call.
        assert (await agg.call_tool(call("a__echo", '{"text": "again"}'))).content == "a:again"

        big = await agg.call_tool(call("b__huge", '{"size": 200000}'))
        assert not big.is_error and big.content.endswith("[… truncated 199000 characters]")
        bad_args = await agg.call_tool(call("b__echo", "{not json"))
        assert bad_args.is_error and "not valid JSON" in bad_args.content

        first_client = agg.client_of("b")
        died = await agg.call_tool(call("b__die"))
        assert died.is_error
        await statuses.wait("b", ServerState.FAILED, final=False)
        await statuses.wait("b", ServerState.READY)
        assert delays == [1.0]
        assert agg.client_of("b") is not first_client
        assert (await agg.call_tool(call("b__echo", '{"text": "back"}'))).content == "b:back"
    finally:
        await agg.aclose()


@pytest.fixture
async def http_url(tmp_path: Path) -> AsyncIterator[str]:
    """A toy server over streamable HTTP on 127.0.0.1, ready when the port accepts."""
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        TOY,
        "web",
        str(port),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await until_accepting(proc, port)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        await proc.wait()


async def test_http_server_with_resolved_header(
    data_dir: Path, http_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEB_TOKEN", "t0ken")
    statuses = Statuses()
    cfg = config(web={"type": "http", "url": http_url, "headers": {"X-Key": "${env:WEB_TOKEN}"}})
    agg = new_aggregator(cfg, data_dir, statuses)
    agg.start()
    try:
        await statuses.wait("web", ServerState.READY)
        result = await agg.call_tool(call("web__echo", '{"text": "over http"}'))
        assert (result.content, result.is_error) == ("web:over http", False)
    finally:
        await agg.aclose()


async def test_apply_config_live(data_dir: Path) -> None:
    statuses = Statuses()
    agg = new_aggregator(
        config(keep=toy("keep"), drop=toy("drop"), change=toy("change")), data_dir, statuses
    )
    agg.start()
    try:
        for sid in ("keep", "drop", "change"):
            await statuses.wait(sid, ServerState.READY)
        pid_before = (await agg.call_tool(call("keep__pid"))).content
        client_before = agg.client_of("keep")
        changed_before = agg.client_of("change")

        new = config(keep=toy("keep"), change=toy("change", timeout_s=5), added=toy("added"))
        await agg.apply_config(new)
        assert statuses.latest["drop"].state is ServerState.STOPPED
        await statuses.wait("added", ServerState.READY)
        await statuses.wait("change", ServerState.READY)

        assert agg.client_of("keep") is client_before
        assert (await agg.call_tool(call("keep__pid"))).content == pid_before
        assert agg.client_of("change") is not changed_before
        names = {s.name for s in agg.tool_specs()}
        assert "added__echo" in names and "drop__echo" not in names
        gone = await agg.call_tool(call("drop__echo", '{"text": "x"}'))
        assert gone.is_error
        assert set(agg.statuses()) == {"keep", "change", "added"}
    finally:
        await agg.aclose()
