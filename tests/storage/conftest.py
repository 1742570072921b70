"""Fixtures for the storage tests: a fake clock and an open repository on a real file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatdesk.storage import ChatRepository
from fakes.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return data_dir / "chatdesk.db"


@pytest.fixture
async def repo(db_path: Path, clock: FakeClock) -> AsyncIterator[ChatRepository]:
    repository = await ChatRepository.open(db_path, clock=clock)
    yield repository
    await repository.close()
