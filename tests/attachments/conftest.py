"""Fixtures for the attachment tests: a clock, the real repository, services, the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from attachment_support import OrchestratorFactory, ServiceFactory

from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.attachments.service import AttachmentService
from chatdesk.core.models import ModelInfo
from chatdesk.core.orchestrator import ChatOrchestrator
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.attachments import AttachmentStore
from chatdesk.storage.repository import ChatRepository
from fakes.clock import FakeClock
from fakes.gcs import GcsEmulator


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def repo(data_dir: Path, clock: FakeClock) -> AsyncIterator[ChatRepository]:
    repository = await ChatRepository.open(data_dir / "chatdesk.db", clock=clock)
    yield repository
    await repository.close()


@pytest.fixture
def blob_root(data_dir: Path) -> Path:
    return data_dir / "attachments"


@pytest.fixture
def make_service(repo: ChatRepository, clock: FakeClock, blob_root: Path) -> ServiceFactory:
    """Build a service over the real repository; local store always, extra stores given."""

    def make(
        *extra: Any, config: AttachmentsConfig | None = None, **kwargs: Any
    ) -> AttachmentService:
        stores = [LocalBlobStore(blob_root), *extra]
        return AttachmentService(
            AttachmentStore(repo), stores, config or AttachmentsConfig(), clock=clock, **kwargs
        )

    return make


@pytest.fixture
def service(make_service: ServiceFactory) -> AttachmentService:
    return make_service()


@pytest.fixture
async def models(provider: OpenRouterClient) -> dict[str, ModelInfo]:
    """The fake's catalogue, read through the real client (vision and text-only models)."""
    return {m.id: m for m in await provider.list_models()}


@pytest.fixture
def make_orchestrator(
    repo: ChatRepository, provider: OpenRouterClient, models: dict[str, ModelInfo]
) -> OrchestratorFactory:
    def make(service: AttachmentService) -> ChatOrchestrator:
        return ChatOrchestrator(repo, provider, model_info=models.get, attachments=service)

    return make


@pytest.fixture(scope="module")
def gcs_emulator() -> Iterator[GcsEmulator]:
    """One gcp-storage-emulator process per test module (tests use their own prefixes)."""
    with GcsEmulator(bucket="chatdesk-test") as emulator:
        yield emulator


_prefixes = iter(range(1, 1_000_000))


@pytest.fixture
def gcs_prefix() -> str:
    return f"t{next(_prefixes)}/"
