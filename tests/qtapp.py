"""Qt test support shared by tests/ui and tests/app: the qasync loop, the started app, waiters.

Never call ``qtbot.waitSignal`` inside a coroutine (a nested loop re-enters tasks): await an
``asyncio.Event`` set from the signal instead (``SignalWaiter``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import keyring
import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent, SignalInstance
from PySide6.QtWidgets import QApplication

from chatdesk.app.root import ChatdeskApp
from fakes.keyring import MemoryKeyring
from fakes.openrouter import FakeOpenRouter


def pytest_asyncio_loop_factories(config: Any, item: Any) -> dict[str, Callable[[], Any]]:
    return {"qasync": lambda: qasync.QEventLoop(QApplication.instance() or QApplication([]))}


@pytest.fixture(scope="session", autouse=True)
def delete_widgets_before_exit(qapp: QApplication) -> Iterator[None]:
    """Delete every window while QApplication still exists, so nothing Qt-owned is left for
    the interpreter's final garbage collection to destroy in a random order."""
    yield
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    """The OS keyring replaced by an in-memory one for the test."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class SignalWaiter:
    """Collects a signal's emissions; ``await waiter.next()`` waits for the next one."""

    def __init__(self, signal: SignalInstance) -> None:
        self.values: list[tuple[Any, ...]] = []
        self._event = asyncio.Event()
        signal.connect(self._on)

    def _on(self, *args: Any) -> None:
        self.values.append(args)
        self._event.set()

    async def wait(self, count: int = 1, limit_s: float = 10) -> tuple[Any, ...]:
        """Wait until the signal was emitted ``count`` times in all; returns the last args."""
        async with asyncio.timeout(limit_s):
            while len(self.values) < count:
                self._event.clear()
                await self._event.wait()
        return self.values[count - 1]


@pytest.fixture
def app_env(
    monkeypatch: pytest.MonkeyPatch, fake_openrouter: FakeOpenRouter, data_dir: Path
) -> FakeOpenRouter:
    """The documented environment pointing chatdesk at the fake OpenRouter.

    Titles are off (a title request would outlive the test's turn); tests that want them
    turn them on in settings.json.
    """
    (data_dir / "settings.json").write_text('{"generate_titles": false}')
    monkeypatch.setenv("OPENROUTER_BASE_URL", fake_openrouter.base_url)
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-testkey-0123456789")
    monkeypatch.setenv("OPENROUTER_DEFAULT_MODEL", "openai/gpt-4o-mini")
    return fake_openrouter


@pytest.fixture
async def running_app(
    qapp: QApplication, app_env: FakeOpenRouter, data_dir: Path
) -> AsyncIterator[ChatdeskApp]:
    """chatdesk started for real (window shown offscreen), shut down afterwards."""
    app = await start_app(qapp, data_dir)
    yield app
    await app.runner.wait_idle()
    await app.shutdown()


@contextlib.asynccontextmanager
async def started_app(qapp: QApplication, data_dir: Path) -> AsyncIterator[ChatdeskApp]:
    """``start_app`` as a context: waits for the app's work, then shuts it down."""
    app = await start_app(qapp, data_dir)
    try:
        yield app
    finally:
        await app.runner.wait_idle()
        await app.shutdown()


#: ``launch(settings=..., servers=...)``: what the ``launch`` fixture returns.
Launch = Callable[..., contextlib.AbstractAsyncContextManager[ChatdeskApp]]


@pytest.fixture
def launch(qapp: QApplication, data_dir: Path) -> Launch:
    """The ``started_app`` preamble: ``async with launch(settings={...}) as app:`` writes
    settings.json (and mcp_servers.json from ``servers``, server id to config) when given,
    starts chatdesk on ``data_dir``, waits for its start-up work and shuts it down after."""

    def start(
        *,
        settings: Mapping[str, object] | None = None,
        servers: Mapping[str, object] | None = None,
    ) -> contextlib.AbstractAsyncContextManager[ChatdeskApp]:
        if settings is not None:
            (data_dir / "settings.json").write_text(json.dumps(settings))
        if servers is not None:
            (data_dir / "mcp_servers.json").write_text(json.dumps({"mcpServers": servers}))
        return started_app(qapp, data_dir)

    return start


async def start_app(qapp: QApplication, data_dir: Path) -> ChatdeskApp:
    """Start chatdesk and wait for its start-up work (model list, ...) to finish.

    Work left running when a test's coroutine returns would run later outside any running loop.
    """
    servers = data_dir / "mcp_servers.json"
    if not servers.exists():  # no built-in MCP servers unless a test asks for them
        servers.write_text('{"mcpServers": {}}')
    app = ChatdeskApp(qapp, data_dir)
    await app.start()
    assert app.window is not None
    if not app.window.painted:
        await SignalWaiter(app.window.firstPainted).wait()
    await app.runner.wait_idle()
    return app


@pytest.fixture(scope="session")
def main_thread_gc_session(qapp: QApplication) -> Iterator[None]:
    """No automatic garbage collection in the Qt tests: a collection that starts in a fake
    server's or a worker's thread would destroy Qt objects there (see MainThreadGC)."""
    was_enabled = gc.isenabled()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


@pytest.fixture(autouse=True)
def main_thread_gc(main_thread_gc_session: None) -> Iterator[None]:
    """Each Qt test's garbage is collected after it, on the Qt thread."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def asyncgen_hooks() -> Iterator[None]:
    """Install the loop's async-generator hooks as app.main does (qasync does not), per test."""
    previous = sys.get_asyncgen_hooks()
    yield
    sys.set_asyncgen_hooks(*previous)
