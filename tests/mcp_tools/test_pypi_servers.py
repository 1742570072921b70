"""Real MCP servers people install from PyPI — mcp-server-time, mcp-server-fetch and
mcp-server-git — started as subprocesses, called through the approvals as the app calls them.
Their tools' annotations shape who is asked: git's read-only tools run under an "allow
read-only" policy, its commit (not read-only) asks, and is refused here; fetch only reaches
127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from mcp_helpers import Statuses, call, pypi_server

from chatdesk.mcp.approvals import ApprovalRequest, Decision
from chatdesk.mcp.service import MCPService
from chatdesk.mcp.status import ServerState


@contextlib.asynccontextmanager
async def _service(data_dir: Path, servers: dict[str, object]) -> AsyncIterator[MCPService]:
    (data_dir / "mcp_servers.json").write_text(json.dumps({"mcpServers": servers}))
    service = MCPService(data_dir, logs_dir=data_dir / "logs", poll_interval_s=0, seed=False)
    statuses = Statuses()
    service.add_status_listener(statuses)
    service.start()
    try:
        for server_id in servers:
            await statuses.wait(server_id, ServerState.READY)
        yield service
    finally:
        await service.aclose()


class Asked:
    """An approver that records each card and answers as told."""

    def __init__(self, answer: Decision) -> None:
        self.answer = answer
        self.cards: list[ApprovalRequest] = []

    async def __call__(self, request: ApprovalRequest) -> Decision:
        self.cards.append(request)
        return self.answer


async def test_mcp_server_time_answers_for_a_time_zone(data_dir: Path) -> None:
    servers = {"time": {"command": pypi_server("mcp-server-time"), "approval": "allow_all"}}
    async with _service(data_dir, servers) as service:
        result = await service.tool_host.call_tool(
            call("time__get_current_time", '{"timezone": "Asia/Tokyo"}'), conversation_id=1
        )
        assert not result.is_error, result.content
        assert json.loads(result.content)["timezone"] == "Asia/Tokyo"
        assert result.decision == "policy"
        bad = await service.tool_host.call_tool(
            call("time__get_current_time", '{"timezone": "Mars/Olympus"}'), conversation_id=1
        )
        assert bad.is_error and "Mars/Olympus" in bad.content


@pytest.fixture
def git_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git = partial(subprocess.run, cwd=repo, check=True, capture_output=True)
    git(["git", "init", "-q", "-b", "main"])
    (repo / "notes.txt").write_text("first\n")
    git(["git", "add", "notes.txt"])
    git(["git", "-c", "user.name=T", "-c", "user.email=t@x", "commit", "-qm", "First notes"])
    (repo / "notes.txt").write_text("first\nsecond\n")
    return repo


async def test_mcp_server_git_reads_freely_and_asks_before_it_commits(
    data_dir: Path, git_repo: Path
) -> None:
    command = pypi_server("mcp-server-git")
    servers = {
        "git": {
            "command": command,
            "args": ["--repository", str(git_repo)],
            "approval": "allow_read_only",
        }
    }
    async with _service(data_dir, servers) as service:
        asked = Asked(Decision.DENY)
        service.tool_host.approver = asked
        repo = json.dumps({"repo_path": str(git_repo)})
        log = await service.tool_host.call_tool(call("git__git_log", repo), conversation_id=1)
        assert not log.is_error and "First notes" in log.content
        assert log.decision == "read-only" and asked.cards == []
        diff = await service.tool_host.call_tool(
            call("git__git_diff_unstaged", repo), conversation_id=1
        )
        assert "+second" in diff.content

        commit = json.dumps({"repo_path": str(git_repo), "message": "Sneaky"})
        refused = await service.tool_host.call_tool(
            call("git__git_commit", commit), conversation_id=1
        )
        assert refused.denied and refused.decision == "denied"
        assert [(c.tool_name, c.read_only) for c in asked.cards] == [("git_commit", False)]
        head = await service.tool_host.call_tool(call("git__git_log", repo), conversation_id=1)
        assert "First notes" in head.content and "Sneaky" not in head.content


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A web page on 127.0.0.1 (and its robots.txt)."""
    (tmp_path / "tea.html").write_text(
        "<html><head><title>Tea</title></head><body><h1>Green tea</h1>"
        "<p>Steep at 80 degrees for two minutes.</p></body></html>"
    )
    (tmp_path / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_mcp_server_fetch_turns_a_page_into_markdown(data_dir: Path, site: str) -> None:
    command = pypi_server("mcp-server-fetch")
    servers = {
        "local": {"command": command, "args": ["--allow-private-ips"], "approval": "allow_all"},
        "strict": {"command": command, "approval": "allow_all"},
    }
    async with _service(data_dir, servers) as service:
        url = json.dumps({"url": f"{site}/tea.html"})
        page = await service.tool_host.call_tool(call("local__fetch", url), conversation_id=1)
        assert not page.is_error, page.content
        assert "Green tea" in page.content and "80 degrees" in page.content
        # Without the switch, the server itself refuses private addresses, and says so.
        refused = await service.tool_host.call_tool(call("strict__fetch", url), conversation_id=1)
        assert refused.is_error and "not a public address" in refused.content
