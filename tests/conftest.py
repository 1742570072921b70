"""Test-wide fixtures: every test gets its own data dir and a clean environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fakes.openrouter import fake_openrouter  # noqa: F401  (fixture)

_ENV_VARS = (
    "CHATDESK_DATA_DIR",
    "CHATDESK_LOG_LEVEL",
    "OPENROUTER_API_KEY",
    "OPENROUTER_BASE_URL",
    "OPENROUTER_DEFAULT_MODEL",
    "OPENROUTER_SYSTEM_PROMPT",
    "DEEPGRAM_API_KEY",
    "DEEPGRAM_BASE_URL",
)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh CHATDESK_DATA_DIR per test; the user's real environment never leaks in."""
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "data"
    path.mkdir()
    monkeypatch.setenv("CHATDESK_DATA_DIR", str(path))
    yield path
