"""Signing in to an OAuth-protected remote server from Tools › MCP Servers…, as a new user
would: the row says to sign in, "Sign in" opens the browser (followed here without one), the
server comes up with its tools, the tokens are in the keyring, and the button now signs out."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import httpx2
import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication

from chatdesk.mcp.oauth import secret_name
from chatdesk.mcp.status import ServerState
from chatdesk.secrets import SERVICE
from chatdesk.ui.tools.mcp_servers_dialog import COL_STATUS, MCPServersDialog
from fakes.keyring import MemoryKeyring
from fakes.openrouter import FakeOpenRouter
from fakes.ports import free_port
from qtapp import SignalWaiter, started_app

sys.path.insert(0, str(Path(__file__).parents[1] / "mcp_tools"))
from mcp_helpers import oauth_server

pytestmark = pytest.mark.gui


async def test_sign_in_from_the_servers_dialog(
    qapp: QApplication,
    app_env: FakeOpenRouter,
    data_dir: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    followed: list[asyncio.Task[None]] = []
    opened: list[str] = []

    async def follow(url: str) -> None:  # the user consents in the browser
        async with httpx2.AsyncClient() as http:
            consent = await http.get(url)
            await http.get(consent.headers["location"])

    def open_url(url: QUrl) -> bool:
        opened.append(url.toString())
        followed.append(asyncio.ensure_future(follow(url.toString())))
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    async with oauth_server(free_port()) as base:
        servers = {"web": {"type": "http", "url": f"{base}/mcp"}}
        (data_dir / "mcp_servers.json").write_text(json.dumps({"mcpServers": servers}))
        async with started_app(qapp, data_dir) as app:
            assert app.tools is not None and app.window is not None and app.mcp is not None
            changed = asyncio.Event()
            app.mcp.add_status_listener(lambda _s: changed.set())
            async with asyncio.timeout(30):
                while app.mcp.statuses().get("web", None) is None or (
                    app.mcp.statuses()["web"].state is not ServerState.FAILED
                ):
                    changed.clear()
                    await changed.wait()
            assert opened == []  # nothing opened behind the user's back

            app.tools.open_servers_dialog()
            dialog = app.window.findChild(MCPServersDialog)
            assert dialog is not None and dialog.isVisible()
            row = dialog.row("web")
            assert row is not None and row.text(COL_STATUS) == "sign in to use it"
            dialog.servers.setCurrentItem(row)
            button = dialog.sign_in_button
            assert button.isVisible() and button.text() == "Si&gn in"

            done = SignalWaiter(dialog.service.done)
            button.click()
            await done.wait(2, limit_s=30)  # "finish in your browser…", then "Signed in"
            assert done.values[-1] == ("Signed in to web",)
            assert len(opened) == 1 and "code_challenge=" in opened[0]
            await asyncio.gather(*followed)
            assert app.mcp.statuses()["web"].state is ServerState.READY
            assert dialog.row("web").text(COL_STATUS) == "ready · 1 tool"  # type: ignore[union-attr]
            assert button.text() == "Si&gn out"
            assert "web__whoami" in [spec.name for spec in app.mcp.tool_host.tool_specs()]
            saved = json.loads(memory_keyring.store[(SERVICE, secret_name("web"))])
            assert saved["tokens"]["access_token"]
            dialog.close()


async def test_a_sign_in_left_in_the_browser_can_be_cancelled(
    qapp: QApplication,
    app_env: FakeOpenRouter,
    data_dir: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    browser = asyncio.Event()

    def open_url(_url: QUrl) -> bool:  # the browser opens; the user wanders off
        browser.set()
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    async with oauth_server(free_port()) as base:
        servers = {"web": {"type": "http", "url": f"{base}/mcp"}}
        (data_dir / "mcp_servers.json").write_text(json.dumps({"mcpServers": servers}))
        async with started_app(qapp, data_dir) as app:
            assert app.tools is not None and app.window is not None and app.mcp is not None
            changed = asyncio.Event()
            app.mcp.add_status_listener(lambda _s: changed.set())
            app.tools.open_servers_dialog()
            dialog = app.window.findChild(MCPServersDialog)
            assert dialog is not None
            row = dialog.row("web")
            assert row is not None
            dialog.servers.setCurrentItem(row)
            done = SignalWaiter(dialog.service.done)
            dialog.sign_in_button.click()
            async with asyncio.timeout(30):
                await browser.wait()
            assert dialog.sign_in_button.text() == "Cancel si&gn-in"
            dialog.sign_in_button.click()
            await done.wait(2, limit_s=30)
            assert done.values[-1] == ("Sign-in cancelled",)
            async with asyncio.timeout(30):
                while app.mcp.statuses()["web"].sign_in is None:
                    changed.clear()
                    await changed.wait()
            assert dialog.sign_in_button.text() == "Si&gn in"
            assert (SERVICE, secret_name("web")) not in memory_keyring.store or not json.loads(
                memory_keyring.store[(SERVICE, secret_name("web"))]
            ).get("tokens")
            dialog.close()
