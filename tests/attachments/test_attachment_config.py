"""Attachment configuration copied from the settings, and the service factory."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.attachments.factory import attachments_dir, build_attachment_service
from chatdesk.attachments.gcs_store import GcsBlobStore
from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.attachments.validate import Limits
from chatdesk.errors import ConfigError
from chatdesk.settings import Settings
from chatdesk.storage.repository import ChatRepository


def test_defaults() -> None:
    config = AttachmentsConfig.from_settings(Settings(), {})
    assert config == AttachmentsConfig()
    assert config.backend == "local"
    assert config.limits == Limits(10 * 1024 * 1024, 20 * 1024 * 1024, 10)
    assert config.retention_s is None
    assert config.signed_url_ttl_s == 7 * 86400


def test_settings_fields_are_copied_and_google_variables_come_from_the_environment() -> None:
    settings = Settings().replace(
        attachments_backend="GCS",
        attachments_gcs_bucket=" my-bucket ",
        attachments_gcs_prefix="/team/chat/",
        attachments_signed_url_ttl_s=3600.0,
        attachments_retention_days=30,
    )
    environ = {
        "ATTACHMENTS_BACKEND": "local",  # ignored: SettingsStore applies it, not this
        "GOOGLE_APPLICATION_CREDENTIALS": "/keys/sa.json",
        "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9023",
    }
    config = AttachmentsConfig.from_settings(settings, environ)
    assert (config.backend, config.gcs_bucket, config.normalized_prefix) == (
        "gcs",
        "my-bucket",
        "team/chat/",
    )
    assert config.signed_url_ttl_s == 3600
    assert config.retention_s == 30 * 86400
    assert config.credentials_file == "/keys/sa.json"
    assert config.emulator_host == "http://127.0.0.1:9023"


def test_check_says_what_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="it must be 'local' or 'gcs'"):
        AttachmentsConfig(backend="s3").check()
    with pytest.raises(ConfigError, match="set ATTACHMENTS_GCS_BUCKET"):
        AttachmentsConfig(backend="gcs").check()
    missing = tmp_path / "nope.json"
    with pytest.raises(ConfigError, match=f"GOOGLE_APPLICATION_CREDENTIALS points to {missing}"):
        AttachmentsConfig(backend="gcs", gcs_bucket="b", credentials_file=str(missing)).check()


async def test_factory_builds_local_by_default(repo: ChatRepository, data_dir: Path) -> None:
    service, problems = build_attachment_service(AttachmentsConfig(), repo, data_dir)
    assert problems == []
    assert isinstance(service.store, LocalBlobStore)
    assert service.store.root == attachments_dir(data_dir) == data_dir / "attachments"


async def test_factory_falls_back_to_local_with_a_reason(
    repo: ChatRepository, data_dir: Path
) -> None:
    service, problems = build_attachment_service(AttachmentsConfig(backend="gcs"), repo, data_dir)
    assert isinstance(service.store, LocalBlobStore)
    assert problems == [
        "Attachments are set to Google Cloud Storage, but no bucket is configured: set "
        "ATTACHMENTS_GCS_BUCKET (or the bucket in Settings). Attachments are stored on this "
        "computer for now."
    ]


async def test_factory_keeps_gcs_readable_after_switching_to_local(
    repo: ChatRepository, data_dir: Path
) -> None:
    config = AttachmentsConfig(backend="local", gcs_bucket="old-bucket", gcs_prefix="x")
    service, problems = build_attachment_service(config, repo, data_dir)
    assert problems == [] and isinstance(service.store, LocalBlobStore)
    gcs = service._stores["gcs"]  # older rows with backend "gcs" still find their store
    assert isinstance(gcs, GcsBlobStore) and (gcs.bucket_name, gcs.prefix) == ("old-bucket", "x/")
