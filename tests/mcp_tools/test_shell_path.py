"""Commands found through the login shell's PATH, with real (fake) shells as subprocesses."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
from mcp_helpers import TOY, Statuses, call, config, new_aggregator

from chatdesk.mcp.shell_path import ShellPath, merge_paths, parse_output
from chatdesk.mcp.status import ServerState

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shells")


def _script(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def login_bin(tmp_path: Path) -> Path:
    """A folder only the login shell puts on PATH: printenv, and an npx look-alike whose
    ``#!/usr/bin/env fakenode`` line needs fakenode on the *child's* PATH too."""
    folder = tmp_path / "login-bin"
    folder.mkdir()
    (folder / "printenv").symlink_to("/usr/bin/printenv")
    _script(folder / "fakenode", f'#!/bin/sh\nshift\nexec "{sys.executable}" "{TOY}" "$@"\n')
    _script(folder / "fakenpx", "#!/usr/bin/env fakenode\n")
    return folder


@pytest.fixture
def shell(tmp_path: Path, login_bin: Path) -> Path:
    """A login shell that chatters on stdout and stderr, then runs the ``-c`` script."""
    return _script(
        tmp_path / "fakesh",
        "#!/bin/sh\n"
        "echo 'Welcome to fakesh!'\n"
        "echo 'rc file noise' >&2\n"
        f'PATH="{login_bin}"; export PATH\n'
        'eval "$4"\n'
        "echo 'bye'\n",
    )


@pytest.fixture
def app_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The app's own PATH: a folder with nothing in it (as a desktop-started app's lacks
    the user's folders)."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return str(empty)


def test_parse_and_merge() -> None:
    assert parse_output("motd\n__CHATDESK_PATH_7f3a__\n/a:/b\n__CHATDESK_PATH_7f3a__\n") == "/a:/b"
    assert parse_output("no markers") is None
    assert merge_paths("/a:/b", "/b:/c::/a") == os.pathsep.join(["/a", "/b", "/c"])


async def test_login_path_ignores_chatter(shell: Path, login_bin: Path, app_path: str) -> None:
    finder = ShellPath(str(shell))
    assert await finder.login_path() == str(login_bin)
    assert await finder.search_path() == os.pathsep.join([str(login_bin), app_path])


async def test_a_hanging_or_missing_shell_falls_back(tmp_path: Path, app_path: str) -> None:
    hang = _script(tmp_path / "hangsh", "#!/bin/sh\nsleep 60\n")
    started = time.monotonic()
    assert await ShellPath(str(hang), timeout_s=0.3).login_path() is None
    assert time.monotonic() - started < 10  # killed, not waited for
    missing = ShellPath(str(tmp_path / "no-such-shell"))
    assert await missing.login_path() is None
    assert await missing.search_path() == app_path
    assert await ShellPath(str(hang), enabled=False).login_path() is None


async def test_servers_start_from_the_login_path(
    shell: Path, app_path: str, data_dir: Path
) -> None:
    statuses = Statuses()
    cfg = config(
        lp={"command": "fakenpx", "args": ["lp"]},
        npx={"command": "npx", "args": ["-y", "some-server"]},
    )
    agg = new_aggregator(cfg, data_dir, statuses, shell_path=ShellPath(str(shell)))
    agg.start()
    try:
        await statuses.wait("lp", ServerState.READY)
        assert (await agg.call_tool(call("lp__echo", '{"text": "hi"}'))).content == "lp:hi"
        missing = await statuses.wait("npx", ServerState.FAILED)
        assert missing.reason == "npx not found: install Node.js or give a full path"
        assert missing.retry_in is None  # retrying cannot help
    finally:
        await agg.aclose()
