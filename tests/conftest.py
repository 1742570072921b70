"""Test-wide fixtures: every test gets its own data dir and a clean environment."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.repository import ChatRepository
from fakes.openrouter import FakeOpenRouter, fake_openrouter  # noqa: F401  (fixture)

_ENV_VARS = (
    "CHATDESK_DATA_DIR",
    "CHATDESK_LOG_LEVEL",
    "OPENROUTER_API_KEY",
    "OPENROUTER_BASE_URL",
    "OPENROUTER_DEFAULT_MODEL",
    "OPENROUTER_SYSTEM_PROMPT",
    "DEEPGRAM_API_KEY",
    "DEEPGRAM_BASE_URL",
    "CHATDESK_AUDIO_INPUT",
    "ATTACHMENTS_BACKEND",
    "ATTACHMENTS_GCS_BUCKET",
    "ATTACHMENTS_GCS_PREFIX",
    "ATTACHMENTS_SIGNED_URL_TTL_S",
    "ATTACHMENTS_MAX_SIZE_BYTES",
    "ATTACHMENTS_MAX_MESSAGE_BYTES",
    "ATTACHMENTS_RETENTION_DAYS",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "STORAGE_EMULATOR_HOST",
)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh CHATDESK_DATA_DIR per test; the user's real environment never leaks in."""
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(path))
    # No test may reach beyond 127.0.0.1: any HTTP(S) request to another host goes to a closed
    # local port (httpx honours these), while the local fakes stay reachable.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    yield path


@pytest.fixture
async def repo(data_dir: Path) -> AsyncIterator[ChatRepository]:
    """The chat database in the test's data dir (tests/storage has one with a fake clock)."""
    repository = await ChatRepository.open(data_dir / "chatdesk.db")
    yield repository
    await repository.close()


@pytest.fixture
async def provider(fake_openrouter: FakeOpenRouter) -> AsyncIterator[OpenRouterClient]:  # noqa: F811
    """An OpenRouter-dialect client of the fake: one attempt, no waiting, seeded jitter."""

    async def no_sleep(_delay: float) -> None:
        return None

    client = OpenRouterClient(
        fake_openrouter.base_url,
        "sk-or-v1-test",
        openrouter=True,
        max_attempts=1,
        sleep=no_sleep,
        rng=random.Random(1),
    )
    yield client
    await client.aclose()
