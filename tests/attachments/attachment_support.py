"""Types and helpers the attachment tests import (a module of its own: ``conftest`` is not
importable by name when several test folders have one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from chatdesk.attachments.gcs_store import GcsBlobStore
from chatdesk.attachments.service import AttachmentService
from chatdesk.core.orchestrator import ChatOrchestrator
from fakes.gcs import GcsEmulator

ServiceFactory = Callable[..., AttachmentService]
OrchestratorFactory = Callable[[AttachmentService], ChatOrchestrator]


def gcs_store(
    emulator: GcsEmulator, prefix: str, key_file: Path | None, **kwargs: Any
) -> GcsBlobStore:
    return GcsBlobStore(
        emulator.bucket,
        prefix,
        credentials_file=str(key_file) if key_file else "",
        emulator_host=emulator.host,
        **kwargs,
    )
