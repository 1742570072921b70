"""Backups in the user's own Google Cloud Storage bucket (the attachment bucket), under
``<prefix>/backups/``, so another computer can restore them."""

from __future__ import annotations

from pathlib import Path

from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.attachments.gcs_store import GcsBlobStore
from chatdesk.settings import Settings

__all__ = ["FOLDER", "download_backup", "list_cloud_backups", "upload_backup"]

FOLDER = "backups"


def _store(settings: Settings) -> GcsBlobStore:
    config = AttachmentsConfig.from_settings(settings)
    return GcsBlobStore(
        config.gcs_bucket,
        config.normalized_prefix,
        credentials_file=config.credentials_file,
        emulator_host=config.emulator_host,
    )


def upload_backup(path: Path, settings: Settings) -> str:
    """Copy the backup file ``path`` into the bucket; returns the object's name below the
    prefix. Raises ``BlobStoreError`` naming the bucket."""
    name = f"{FOLDER}/{path.name}"
    _store(settings).upload_file(name, path)
    return name


def list_cloud_backups(settings: Settings) -> list[tuple[str, int]]:
    """The backups in the bucket: (file name, size), newest first."""
    found = [(n, s) for n, s in _store(settings).list_files(FOLDER) if n.endswith(".db")]
    return sorted(found, reverse=True)


def download_backup(name: str, target: Path, settings: Settings) -> Path:
    """Fetch the bucket's backup ``name`` into ``target`` (a file); returns it."""
    _store(settings).download_file(f"{FOLDER}/{name}", target)
    return target
