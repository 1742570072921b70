"""``${env:..}`` / ``${keyring:..}`` references: clear messages, and keyring reads off the loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backends import fail
from keyring.errors import KeyringLocked
from mcp_helpers import Statuses, config, new_aggregator, toy

from chatdesk.logs import redact
from chatdesk.mcp.config import MCPConfigError, StdioServerConfig, parse_server, references
from chatdesk.mcp.resolve import KEYRING_SERVICE, make_resolver, resolve_server_async
from chatdesk.mcp.status import ServerState
from chatdesk.secrets import SecretStore
from fakes.keyring import MemoryKeyring


class RecordingKeyring(MemoryKeyring):
    """Remembers which threads read it; ``gate`` (when set) holds every read until opened."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[int] = []
        self.gate: threading.Event | None = None
        self.entered = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.threads.append(threading.get_ident())
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(30)
        return super().get_password(service, username)


@pytest.fixture
def ring() -> Iterator[RecordingKeyring]:
    backend = RecordingKeyring()
    yield backend
    if backend.gate is not None:
        backend.gate.set()  # never leave a worker thread blocked


SERVER = parse_server(
    "gh",
    {"command": "x", "env": {"TOKEN": "${keyring:github}", "HOME_DIR": "${env:GH_HOME}"}},
)


def test_references_are_listed() -> None:
    assert references(SERVER) == {("keyring", "github"), ("env", "GH_HOME")}


async def test_keyring_is_read_in_a_worker_thread(ring: RecordingKeyring) -> None:
    ring.set_password(KEYRING_SERVICE, "github", "ghp_secret")
    resolver = make_resolver({"GH_HOME": "/home/gh"}, SecretStore({}, backend=ring))
    done = await resolve_server_async("gh", SERVER, resolver, timeout_s=10)
    assert isinstance(done, StdioServerConfig)
    assert done.env == {"TOKEN": "ghp_secret", "HOME_DIR": "/home/gh"}
    assert ring.threads and threading.get_ident() not in ring.threads
    assert SERVER.env["TOKEN"] == "${keyring:github}"  # the config itself keeps the reference


async def test_missing_entries_and_no_keyring_say_what_to_do(ring: RecordingKeyring) -> None:
    resolver = make_resolver({}, SecretStore({}, backend=ring))
    with pytest.raises(MCPConfigError) as missing:
        await resolve_server_async("gh", SERVER, resolver, timeout_s=10)
    assert "server 'gh': env.TOKEN: ${keyring:github} cannot be resolved" in str(missing.value)
    assert "keyring set chatdesk github" in str(missing.value)

    no_ring = make_resolver({}, SecretStore({}, backend=fail.Keyring()))
    with pytest.raises(MCPConfigError, match="no system keyring is available"):
        await resolve_server_async("gh", SERVER, no_ring, timeout_s=10)


async def test_a_keyring_that_never_answers_does_not_block_the_loop(
    ring: RecordingKeyring,
) -> None:
    ring.gate = threading.Event()
    resolver = make_resolver({"GH_HOME": "/h"}, SecretStore({}, backend=ring))
    ticks = 0

    async def count_ticks() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticker = asyncio.ensure_future(count_ticks())
    try:
        with pytest.raises(MCPConfigError, match=r"did not answer within 0\.2 s"):
            await resolve_server_async("gh", SERVER, resolver, timeout_s=0.2)
    finally:
        ticker.cancel()
        ring.gate.set()  # let the worker thread end before the loop closes
    assert ticks > 10  # the loop kept running while the keyring hung


async def test_a_server_with_an_unresolvable_secret_fails_for_good(
    ring: RecordingKeyring, data_dir: Path
) -> None:
    statuses = Statuses()
    cfg = config(gh=toy("gh", env={"TOKEN": "${keyring:github}"}))
    agg = new_aggregator(
        cfg, data_dir, statuses, resolver=make_resolver({}, SecretStore({}, backend=ring))
    )
    agg.start()
    try:
        failed = await statuses.wait("gh", ServerState.FAILED)
        assert "no keyring entry named 'github'" in failed.reason
        assert failed.retry_in is None
        assert "ghp" not in (data_dir / "logs" / "mcp" / "gh.log").read_text(encoding="utf-8")
    finally:
        await agg.aclose()
    ring.set_password(KEYRING_SERVICE, "github", "ghp_now_there")
    agg.start()
    try:
        await statuses.wait("gh", ServerState.READY)
    finally:
        await agg.aclose()


async def test_stopping_does_not_wait_for_a_hung_keyring(
    ring: RecordingKeyring, data_dir: Path
) -> None:
    ring.gate = threading.Event()
    statuses = Statuses()
    cfg = config(gh=toy("gh", env={"TOKEN": "${keyring:github}"}))
    agg = new_aggregator(
        cfg, data_dir, statuses, resolver=make_resolver({}, SecretStore({}, backend=ring))
    )
    agg.start()
    try:
        await statuses.wait("gh", ServerState.STARTING)
        assert await asyncio.to_thread(ring.entered.wait, 10)  # a worker is in the keyring
        async with asyncio.timeout(5):  # not the 30 s the start may take
            await agg.aclose()
        assert statuses.latest["gh"].state is ServerState.STOPPED
    finally:
        ring.gate.set()


async def test_a_keyring_secret_is_known_to_the_log_redaction(ring: RecordingKeyring) -> None:
    ring.set_password(KEYRING_SERVICE, "github", "ghp_redact_me")
    secrets = SecretStore({}, backend=ring)
    assert "ghp_redact_me" not in secrets.known_values()
    resolver = make_resolver({"GH_HOME": "/h"}, secrets)
    await resolve_server_async("gh", SERVER, resolver, timeout_s=10)
    assert "ghp_redact_me" in secrets.known_values()
    line = redact("starting gh with TOKEN=ghp_redact_me", secrets.known_values())
    assert "ghp_redact_me" not in line


async def test_a_refusing_keyring_is_named(ring: RecordingKeyring) -> None:
    class Refusing(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise KeyringLocked("the collection is locked")

    resolver = make_resolver({}, SecretStore({}, backend=Refusing()))
    with pytest.raises(MCPConfigError) as refused:
        await resolve_server_async("gh", SERVER, resolver, timeout_s=10)
    assert "${keyring:github} cannot be resolved: the keyring refused" in str(refused.value)
    assert "the collection is locked" in str(refused.value)
