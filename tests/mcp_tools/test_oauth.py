"""Remote servers behind OAuth, against a real OAuth-protected MCP server and authorization
server on 127.0.0.1 (the mcp SDK's server-side auth): nothing opens a browser unasked; "Sign
in" discovers, registers, sends the user to consent (followed here without a browser) and
takes the code on a loopback redirect; tokens live in the keyring and are refreshed before
they expire; a revoked sign-in says "sign in again"."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx2
import pytest
from mcp_helpers import Statuses, call, config, new_aggregator, oauth_server

from chatdesk.mcp.aggregator import MCPToolAggregator
from chatdesk.mcp.oauth import SignIns, secret_name
from chatdesk.mcp.status import ServerState
from chatdesk.secrets import SERVICE, SecretStore
from fakes.keyring import MemoryKeyring
from fakes.ports import free_port


class Browser:
    """Follows the authorization URL as a browser would after the user consents."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.landed: list[int] = []

    async def __call__(self, url: str) -> None:
        self.opened.append(url)
        async with httpx2.AsyncClient() as http:
            consent = await http.get(url)
            assert consent.status_code in (302, 303, 307), consent.text
            back = await http.get(consent.headers["location"])  # the loopback redirect
            self.landed.append(back.status_code)


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    async with oauth_server(free_port()) as url:
        yield url


def _aggregator(
    data_dir: Path, url: str, keyring: MemoryKeyring, browser: Browser, statuses: Statuses
) -> MCPToolAggregator:
    secrets = SecretStore(environ={}, backend=keyring)
    cfg = config(web={"type": "http", "url": f"{url}/mcp"})
    return new_aggregator(cfg, data_dir, statuses, sign_ins=SignIns(secrets, browser))


async def test_sign_in_then_calls_then_a_restart_needs_no_browser(
    data_dir: Path, base_url: str
) -> None:
    keyring, browser, statuses = MemoryKeyring(), Browser(), Statuses()
    agg = _aggregator(data_dir, base_url, keyring, browser, statuses)
    agg.start()
    try:
        # Unasked, no browser: the server's row says to sign in, and it is not retried.
        status = await statuses.wait("web", ServerState.FAILED)
        assert (status.sign_in, status.describe()) == ("needed", "sign in to use it")
        assert browser.opened == []

        status = await agg.sign_in("web")
        assert status.state is ServerState.READY, status
        assert len(browser.opened) == 1 and browser.landed == [200]
        asked = parse_qs(urlparse(browser.opened[0]).query)
        assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"]
        assert asked["redirect_uri"][0].startswith("http://127.0.0.1:")
        assert asked["resource"] == [f"{base_url}/mcp"]
        result = await agg.call_tool(call("web__whoami"))
        assert not result.is_error and result.content.startswith("signed in as ")
    finally:
        await agg.aclose()

    saved = json.loads(keyring.store[(SERVICE, secret_name("web"))])
    assert saved["url"] == f"{base_url}/mcp" and saved["tokens"]["access_token"]
    assert saved["expires_at"] > 0 and saved["client"]["client_id"]
    token = saved["tokens"]["access_token"]
    for log in (data_dir / "logs").rglob("*"):
        assert not log.is_file() or token not in log.read_text(errors="replace")

    # Another run: the keyring's tokens are used; no browser.
    again = Browser()
    agg = _aggregator(data_dir, base_url, keyring, again, statuses)
    agg.start()
    try:
        await statuses.wait("web", ServerState.READY)
        assert (await agg.call_tool(call("web__whoami"))).is_error is False
        assert again.opened == []
    finally:
        await agg.aclose()


async def test_a_token_about_to_expire_is_refreshed_at_the_next_start(
    data_dir: Path, base_url: str
) -> None:
    keyring, browser, statuses = MemoryKeyring(), Browser(), Statuses()
    agg = _aggregator(data_dir, base_url, keyring, browser, statuses)
    try:
        assert (await agg.sign_in("web")).state is ServerState.READY
    finally:
        await agg.aclose()
    entry = (SERVICE, secret_name("web"))
    saved = json.loads(keyring.store[entry])
    first = saved["tokens"]["access_token"]
    saved["expires_at"] = time.time() + 30  # within the minute before expiry
    keyring.store[entry] = json.dumps(saved)

    agg = _aggregator(data_dir, base_url, keyring, browser, statuses)
    agg.start()
    try:
        await statuses.wait("web", ServerState.READY)
        assert (await agg.call_tool(call("web__whoami"))).is_error is False
        async with httpx2.AsyncClient() as http:
            stats = (await http.get(f"{base_url}/admin/stats")).json()
        assert (stats["refreshed"], stats["authorized"]) == (1, 1)
        now = json.loads(keyring.store[entry])
        assert now["tokens"]["access_token"] != first and now["expires_at"] > time.time() + 3000
        assert len(browser.opened) == 1  # the first sign-in only
    finally:
        await agg.aclose()


async def test_a_revoked_sign_in_says_sign_in_again(data_dir: Path, base_url: str) -> None:
    keyring, browser, statuses = MemoryKeyring(), Browser(), Statuses()
    agg = _aggregator(data_dir, base_url, keyring, browser, statuses)
    agg.start()
    try:
        await statuses.wait("web", ServerState.FAILED)
        assert (await agg.sign_in("web")).state is ServerState.READY
        async with httpx2.AsyncClient() as http:
            await http.post(f"{base_url}/admin/revoke")
            await http.post(f"{base_url}/admin/refuse")
        result = await agg.call_tool(call("web__whoami"))
        assert result.is_error and "needs you to sign in again" in result.content
        status = await statuses.wait("web", ServerState.FAILED)
        assert (status.sign_in, status.describe()) == ("again", "sign in again to use it")
        assert len(browser.opened) == 1  # no browser opened behind the user's back

        # Signing in again, refused by the authorization server: a clear reason.
        status = await agg.sign_in("web")
        assert status.state is ServerState.FAILED
        assert "refused the sign-in" in status.reason, status
    finally:
        await agg.aclose()


async def test_an_unreachable_authorization_server_is_a_clear_failure(data_dir: Path) -> None:
    keyring, browser, statuses = MemoryKeyring(), Browser(), Statuses()
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens
    agg = _aggregator(data_dir, url, keyring, browser, statuses)
    try:
        status = await agg.sign_in("web")
        assert status.state is ServerState.FAILED
        assert "cannot connect" in status.reason and status.sign_in is None
        assert browser.opened == []
    finally:
        await agg.aclose()
