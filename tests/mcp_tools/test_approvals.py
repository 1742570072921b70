"""Approvals: policies, decisions, persistence, the denied result and cancel while asking.

The host under ApprovingToolHost is the real aggregator with real servers: the calculator
(annotated read-only) and the toy server (no annotations: counted as destructive).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from mcp_helpers import builtin, call, config, started_aggregator, toy

from chatdesk.core.models import ToolCall
from chatdesk.core.ports import ToolResult
from chatdesk.mcp.aggregator import MCPToolAggregator
from chatdesk.mcp.approvals import (
    APPROVALS_FILE_NAME,
    ApprovalPolicy,
    ApprovalRequest,
    ApprovalStore,
    ApprovingToolHost,
    Decision,
    server_identity,
)
from chatdesk.mcp.arguments import ToolArgumentsError
from chatdesk.mcp.config import parse_server
from chatdesk.mcp.status import ServerState, ToolInfo

CALC = '{"expression": "6 * 7"}'


class Approver:
    """Answers approval requests from a queue of decisions, or holds them until released."""

    def __init__(self, *decisions: Decision) -> None:
        self.decisions = list(decisions)
        self.requests: list[ApprovalRequest] = []
        self.asked = asyncio.Event()
        self.release: asyncio.Future[Decision] | None = None

    async def __call__(self, request: ApprovalRequest) -> Decision:
        self.requests.append(request)
        self.asked.set()
        if self.decisions:
            return self.decisions.pop(0)
        self.release = asyncio.get_running_loop().create_future()
        return await self.release


# One pair of servers for the whole module (starting them is most of the time here).
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def aggregator(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[MCPToolAggregator]:
    cfg = config(calc=builtin("calculator"), toy=toy("t"))
    data_dir = tmp_path_factory.mktemp("approvals")
    async with started_aggregator(cfg, data_dir, ready=("calc", "toy")) as agg:
        yield agg


def _host(
    agg: MCPToolAggregator, data_dir: Path, approver: Approver | None, **policy: object
) -> ApprovingToolHost:
    store = ApprovalStore(data_dir / APPROVALS_FILE_NAME)
    return ApprovingToolHost(agg, ApprovalPolicy(store, **policy), approver)  # type: ignore[arg-type]


def _calc(conversation: int | None = 7) -> ApprovalRequest:
    return ApprovalRequest(conversation, "calc", "calculate", {"expression": "1"}, read_only=True)


async def test_ask_shows_everything_and_allow_once_runs_the_call(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    approver = Approver(*[Decision.ALLOW_ONCE] * 3)
    host = _host(aggregator, data_dir, approver)
    result = await host.call_tool(ToolCall("c1", "calc__calculate", CALC), conversation_id=7)
    assert (result.content, result.is_error, result.server_id) == ("42", False, "calc")
    (request,) = approver.requests
    assert (request.conversation_id, request.server_id, request.tool_name) == (
        7,
        "calc",
        "calculate",
    )
    assert request.arguments == {"expression": "6 * 7"}
    assert (request.read_only, request.destructive) == (True, False)
    assert request.exposed_name == "calc__calculate" and request.call_id == "c1"
    assert json.loads(request.arguments_json()) == {"expression": "6 * 7"}
    # Once means once.
    await host.call_tool(call("calc__calculate", CALC), conversation_id=7)
    assert len(approver.requests) == 2

    toy_call = await host.call_tool(call("toy__echo", '{"text": "x"}'), conversation_id=7)
    assert toy_call.content == "t:x"
    assert approver.requests[-1].destructive and not approver.requests[-1].read_only


async def test_deny_tells_the_model_and_never_runs(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    approver = Approver(Decision.DENY)
    host = _host(aggregator, data_dir, approver)
    client = aggregator.client_of("toy")
    result = await host.call_tool(call("toy__die"), conversation_id=1)
    assert not result.is_error
    assert "denied" in result.content and "toy__die" in result.content
    assert result.server_id == "toy"
    # The tool would have killed its server: it is still there, same connection.
    assert aggregator.client_of("toy") is client
    assert (await aggregator.call_tool(call("toy__echo", '{"text": "alive"}'))).content == "t:alive"


async def test_server_policies(aggregator: MCPToolAggregator, data_dir: Path) -> None:
    approver = Approver(Decision.ALLOW_ONCE)
    policies = {"calc": "allow_read_only", "toy": "ask"}
    host = _host(aggregator, data_dir, approver, server_policy=policies.__getitem__)
    assert (await host.call_tool(call("calc__calculate", CALC))).content == "42"
    assert approver.requests == []  # read-only: no question
    assert (await host.call_tool(call("toy__echo", '{"text": "q"}'))).content == "t:q"
    assert len(approver.requests) == 1  # not read-only: asked

    policies["toy"] = "allow_all"
    assert (await host.call_tool(call("toy__echo", '{"text": "r"}'))).content == "t:r"
    assert len(approver.requests) == 1


async def test_preset_overrides_win_over_the_server_policy(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    approver = Approver(Decision.ALLOW_ONCE)
    host = _host(aggregator, data_dir, approver, server_policy=lambda _sid: "allow_all")
    host.policy.set_overrides({"toy__echo": "ask", "toy__pid": "sometimes"})
    assert host.policy.overrides == {"toy__echo": "ask"}  # the unknown policy is ignored
    await host.call_tool(call("toy__pid"))
    assert approver.requests == []
    await host.call_tool(call("toy__echo", '{"text": "o"}'))
    assert [r.tool_name for r in approver.requests] == ["echo"]
    host.policy.set_overrides(None)
    await host.call_tool(call("toy__echo", '{"text": "o"}'))
    assert len(approver.requests) == 1

    # A preset's approvals asked at call time, by tool or by server (as presets store them).
    preset = {"toy": "ask", "toy__pid": "allow_all"}
    host.policy.set_overrides(lambda name, server: preset.get(name) or preset.get(server))
    await host.call_tool(call("toy__pid"))
    assert len(approver.requests) == 1
    approver.decisions.append(Decision.ALLOW_ONCE)
    await host.call_tool(call("toy__echo", '{"text": "o"}'))
    assert len(approver.requests) == 2


async def test_allow_for_this_conversation_only(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    approver = Approver(Decision.ALLOW_CONVERSATION, Decision.DENY, Decision.ALLOW_ONCE)
    host = _host(aggregator, data_dir, approver)
    assert (await host.call_tool(call("calc__calculate", CALC), conversation_id=1)).content == "42"
    assert (await host.call_tool(call("calc__calculate", CALC), conversation_id=1)).content == "42"
    assert len(approver.requests) == 1
    other = await host.call_tool(call("calc__calculate", CALC), conversation_id=2)
    assert "denied" in other.content and len(approver.requests) == 2
    assert host.policy.conversation_grants(1) == {("calc", "calculate")}
    host.policy.forget_conversation(1)
    await host.call_tool(call("calc__calculate", CALC), conversation_id=1)
    assert len(approver.requests) == 3
    assert not (data_dir / APPROVALS_FILE_NAME).exists()  # nothing of this reaches the disk


async def test_always_allow_is_persisted_and_revocable(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    approver = Approver(Decision.ALLOW_ALWAYS, Decision.ALLOW_ONCE)
    host = _host(aggregator, data_dir, approver)
    await host.call_tool(call("calc__calculate", CALC), conversation_id=1)
    path = data_dir / APPROVALS_FILE_NAME
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert [(r["server"], r["tool"]) for r in saved["always"]] == [("calc", "calculate")]

    # A new run (a new store read from the file) does not ask, in any conversation.
    again = _host(aggregator, data_dir, approver)
    assert (await again.call_tool(call("calc__calculate", CALC), conversation_id=9)).content == "42"
    assert len(approver.requests) == 1
    assert [(r.server_id, r.tool_name) for r in again.policy.store.rules()] == [
        ("calc", "calculate")
    ]

    assert again.policy.store.revoke("calc", "calculate")
    assert json.loads(path.read_text(encoding="utf-8"))["always"] == []
    await again.call_tool(call("calc__calculate", CALC), conversation_id=9)
    assert len(approver.requests) == 2


async def test_always_rules_follow_the_server_identity(data_dir: Path) -> None:
    first = parse_server("calc", {"command": "python", "args": ["-m", "calc"]})
    new_token = parse_server(
        "calc", {"command": "python", "args": ["-m", "calc"], "env": {"K": "2"}}
    )
    other = parse_server("calc", {"command": "python", "args": ["-m", "evil"]})
    assert server_identity(first) == server_identity(new_token) != server_identity(other)

    store = ApprovalStore(data_dir / APPROVALS_FILE_NAME)
    current = {"calc": first}
    policy = ApprovalPolicy(store, identity=lambda sid: server_identity(current[sid]))
    policy.record(_calc(), Decision.ALLOW_ALWAYS)
    assert policy.automatic(_calc()) == "always"
    current["calc"] = other  # the same id now starts another program
    assert policy.automatic(_calc()) is None
    assert store.revoke_server("calc") == 1 and store.rules() == []


def _kept_aside(data_dir: Path) -> list[str]:
    """The texts of the approvals files kept aside."""
    return [p.read_text(encoding="utf-8") for p in data_dir.glob(f"{APPROVALS_FILE_NAME}.bad-*")]


async def test_a_bad_approvals_file_is_reported_and_kept(data_dir: Path) -> None:
    path = data_dir / APPROVALS_FILE_NAME
    path.write_text("{not json", encoding="utf-8")
    store = ApprovalStore(path)
    assert store.rules() == []
    assert store.problem is not None and "cannot be read" in store.problem
    changes: list[int] = []
    store.add_listener(lambda: changes.append(len(store.rules())))
    store.allow("calc", "calculate", "id1")
    assert _kept_aside(data_dir) == ["{not json"]
    assert store.problem is None and changes == [1]
    assert ApprovalStore(path).allowed("calc", "calculate", "id1")

    path.write_text('{"always": 3}', encoding="utf-8")  # a second bad file: both are kept
    ApprovalStore(path).allow("calc", "calculate", "id1")
    assert sorted(_kept_aside(data_dir)) == ['{"always": 3}', "{not json"]


async def test_cancel_while_waiting_stops_at_once(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    approver = Approver()  # never answers on its own
    host = _host(aggregator, data_dir, approver)
    task = asyncio.ensure_future(host.call_tool(call("toy__die"), conversation_id=3))
    await approver.asked.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert approver.release is not None and approver.release.cancelled()
    assert aggregator.client_of("toy") is not None  # the call never ran
    assert aggregator.statuses()["toy"].state is ServerState.READY


async def test_parallel_calls_ask_one_at_a_time(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    approver = Approver()
    host = _host(aggregator, data_dir, approver)
    first = asyncio.ensure_future(host.call_tool(call("calc__calculate", CALC), conversation_id=4))
    second = asyncio.ensure_future(
        host.call_tool(call("calc__calculate", '{"expression": "1+1"}'), conversation_id=4)
    )
    await approver.asked.wait()
    assert len(approver.requests) == 1  # the second waits behind the first card
    assert approver.release is not None
    approver.release.set_result(Decision.ALLOW_CONVERSATION)
    results = await asyncio.gather(first, second)
    assert [r.content for r in results] == ["42", "2"]
    assert len(approver.requests) == 1  # the conversation grant settled the second


async def test_without_an_approver_a_call_that_needs_one_is_denied(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    host = _host(aggregator, data_dir, None)
    result = await host.call_tool(call("toy__echo", '{"text": "x"}'))
    assert not result.is_error and "denied" in result.content


async def test_unknown_tools_and_bad_arguments_never_ask(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    approver = Approver()
    host = _host(aggregator, data_dir, approver)
    unknown = await host.call_tool(call("nope__tool"))
    assert unknown.is_error and "No tool named" in unknown.content
    bad = await host.call_tool(call("calc__calculate", "{oops"))
    assert bad.is_error and "not valid JSON" in bad.content
    not_object = await host.call_tool(call("calc__calculate", "[1]"))
    assert not_object.is_error and "JSON object" in not_object.content
    assert approver.requests == []
    assert {s.name for s in host.tool_specs()} == {s.name for s in aggregator.tool_specs()}


async def test_a_denied_result_is_flagged_and_took_no_time(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    host = _host(aggregator, data_dir, Approver(Decision.DENY, Decision.ALLOW_ONCE))
    denied = await host.call_tool(call("toy__echo", '{"text": "x"}'), conversation_id=3)
    assert denied.denied and not denied.is_error and denied.duration_s == 0.0
    allowed = await host.call_tool(call("toy__echo", '{"text": "x"}'), conversation_id=3)
    assert not allowed.denied and allowed.content == "t:x"
    assert allowed.duration_s is not None and allowed.duration_s >= 0


async def test_the_arguments_are_parsed_once_and_reach_the_server_as_asked(
    aggregator: MCPToolAggregator, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    approver = Approver(Decision.ALLOW_ONCE)
    host = _host(aggregator, data_dir, approver)
    parsed: list[str] = []
    real_loads = json.loads

    def counting_loads(text: str, *args: object, **kwargs: object) -> object:
        parsed.append(text)
        return real_loads(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("chatdesk.mcp.arguments.json.loads", counting_loads)
    result = await host.call_tool(call("calc__calculate", CALC), conversation_id=4)
    assert result.content == "42"
    assert parsed.count(CALC) == 1  # by the approval layer only; the server gets it parsed
    assert approver.requests[0].arguments == {"expression": "6 * 7"}


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class _SlowTool:
    """A ToolDirectory whose one tool runs for 2 s of ``clock`` time."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self.ran_with: list[object] = []

    def tool_specs(self) -> list[object]:
        return []

    def tool_info(self, exposed_name: str) -> ToolInfo | None:
        return ToolInfo("slow", "work", read_only=False) if exposed_name == "slow__work" else None

    async def call_tool(self, call: ToolCall) -> ToolResult:
        return ToolResult("unknown", is_error=True)

    async def run_tool(
        self, call: ToolCall, arguments: object, *, conversation_id: int | None = None
    ) -> ToolResult:
        self.ran_with.append(arguments)
        self.clock.now += 2.0
        return ToolResult("done", server_id="slow")


async def test_the_duration_leaves_out_the_wait_for_approval(data_dir: Path) -> None:
    clock = _Clock()
    tool = _SlowTool(clock)
    approver = Approver()  # holds the request until released
    store = ApprovalStore(data_dir / APPROVALS_FILE_NAME)
    host = ApprovingToolHost(tool, ApprovalPolicy(store), approver, clock=clock)
    task = asyncio.ensure_future(
        host.call_tool(ToolCall("c", "slow__work", '{"n": 1}'), conversation_id=1)
    )
    await approver.asked.wait()
    clock.now += 30.0  # the user thinks it over
    assert approver.release is not None
    approver.release.set_result(Decision.ALLOW_ONCE)
    result = await task
    assert result.content == "done" and result.duration_s == 2.0
    assert tool.ran_with == [{"n": 1}] and tool.ran_with[0] is not None


async def test_bad_arguments_go_to_the_inner_host_parsed_as_an_error(data_dir: Path) -> None:
    tool = _SlowTool(_Clock())
    approver = Approver()
    store = ApprovalStore(data_dir / APPROVALS_FILE_NAME)
    host = ApprovingToolHost(tool, ApprovalPolicy(store), approver, clock=tool.clock)
    result = await host.call_tool(ToolCall("c", "slow__work", "[1]"), conversation_id=1)
    assert result.content == "done" and approver.requests == []
    (error,) = tool.ran_with
    assert isinstance(error, ToolArgumentsError) and "JSON object" in str(error)


async def test_each_result_says_who_let_it_run_for_the_ledger(
    aggregator: MCPToolAggregator, data_dir: Path
) -> None:
    approver = Approver(Decision.ALLOW_ONCE, Decision.ALLOW_CONVERSATION, Decision.DENY)
    policies = {"calc": "ask", "toy": "allow_all"}
    host = _host(aggregator, data_dir, approver, server_policy=policies.__getitem__)

    decided = [
        (await host.call_tool(call("calc__calculate", CALC), conversation_id=3)).decision,
        (await host.call_tool(call("calc__calculate", CALC), conversation_id=3)).decision,
        (await host.call_tool(call("calc__calculate", CALC), conversation_id=3)).decision,
        (await host.call_tool(call("toy__echo", '{"text": "a"}'), conversation_id=3)).decision,
        (await host.call_tool(call("calc__calculate", CALC), conversation_id=4)).decision,
        (await host.call_tool(call("nope__tool"), conversation_id=4)).decision,
    ]

    assert decided == ["once", "conversation", "conversation", "policy", "denied", None]
    policies["calc"] = "allow_read_only"
    assert (await host.call_tool(call("calc__calculate", CALC))).decision == "read-only"
