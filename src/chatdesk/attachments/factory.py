"""Building the attachment service from configuration (used by ``chatdesk.app.media_flow``)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

from chatdesk.attachments.blobstore import BlobStore
from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.attachments.gcs_store import GcsBlobStore
from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.attachments.service import AttachmentService
from chatdesk.errors import ConfigError
from chatdesk.storage.attachments import AttachmentStore
from chatdesk.storage.repository import ChatRepository


def attachments_dir(data_dir: Path) -> Path:
    """Where local attachment blobs live."""
    return data_dir / "attachments"


def build_attachment_service(
    config: AttachmentsConfig,
    repository: ChatRepository,
    data_dir: Path,
    *,
    clock: Callable[[], float] = time.time,
    server_parses_pdfs: Callable[[], bool] = lambda: False,
) -> tuple[AttachmentService, list[str]]:
    """The service and the problems to show the user.

    The local store always exists (older rows may use it). A GCS configuration that cannot
    work (no bucket, a missing key file) falls back to local storage with a problem saying
    why; nothing touches the network here.
    """
    problems: list[str] = []
    stores: list[BlobStore] = [LocalBlobStore(attachments_dir(data_dir))]
    try:
        config.check()
    except ConfigError as exc:
        problems.append(f"{exc.user_message} Attachments are stored on this computer for now.")
        config = dataclasses.replace(config, backend="local")
    # With a bucket set, files stored there earlier stay readable after switching to local.
    if config.gcs_bucket and not problems:
        stores.append(
            GcsBlobStore(
                config.gcs_bucket,
                config.normalized_prefix,
                credentials_file=config.credentials_file,
                emulator_host=config.emulator_host,
            )
        )
    service = AttachmentService(
        AttachmentStore(repository),
        stores,
        config,
        clock=clock,
        server_parses_pdfs=server_parses_pdfs,
    )
    return service, problems
