"""Attachment configuration from settings and the environment, and the service factory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.attachments.factory import attachments_dir, build_attachment_service
from chatdesk.attachments.gcs_store import GcsBlobStore
from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.attachments.validate import Limits
from chatdesk.errors import ConfigError
from chatdesk.storage.repository import ChatRepository


@dataclass
class FakeSettings:
    """The settings fields the lead adds to ``chatdesk.settings.Settings``."""

    attachments_backend: str = "local"
    attachments_gcs_bucket: str = ""
    attachments_gcs_prefix: str = "chatdesk/"
    attachments_signed_url_ttl_s: float = 604800.0
    attachments_max_size_bytes: int = 10485760
    attachments_max_message_bytes: int = 20971520
    attachments_retention_days: int = 0


def test_defaults() -> None:
    config = AttachmentsConfig.from_settings(object(), {})
    assert config == AttachmentsConfig()
    assert config.backend == "local"
    assert config.limits == Limits(10 * 1024 * 1024, 20 * 1024 * 1024, 10)
    assert config.retention_s is None
    assert config.signed_url_ttl_s == 7 * 86400
    assert AttachmentsConfig.from_settings(FakeSettings(), {}) == AttachmentsConfig()


def test_settings_fields_win_and_google_variables_come_from_the_environment() -> None:
    settings = FakeSettings(
        attachments_backend="GCS",
        attachments_gcs_bucket=" my-bucket ",
        attachments_gcs_prefix="/team/chat/",
        attachments_signed_url_ttl_s=3600.0,
        attachments_retention_days=30,
    )
    environ = {
        "ATTACHMENTS_BACKEND": "local",  # ignored: the settings object has the field
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


def test_environment_variables_fill_fields_the_settings_lack() -> None:
    config = AttachmentsConfig.from_settings(
        object(),
        {
            "ATTACHMENTS_BACKEND": "gcs",
            "ATTACHMENTS_GCS_BUCKET": "b",
            "ATTACHMENTS_GCS_PREFIX": "/",  # the bucket's root ("" means unset)
            "ATTACHMENTS_MAX_SIZE_BYTES": "1048576",
            "ATTACHMENTS_RETENTION_DAYS": "7",
        },
    )
    assert config.max_size_bytes == 1048576 and config.retention_days == 7
    assert config.normalized_prefix == ""


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ATTACHMENTS_MAX_SIZE_BYTES", "ten", "must be a number, not 'ten'"),
        ("ATTACHMENTS_MAX_SIZE_BYTES", "0", "must be a whole number at least 1"),
        ("ATTACHMENTS_RETENTION_DAYS", "1.5", "must be a whole number at least 0"),
        ("ATTACHMENTS_SIGNED_URL_TTL_S", "700000", "must be a whole number from 60 to 604800"),
        ("ATTACHMENTS_SIGNED_URL_TTL_S", "nan", "must be a whole number from 60 to 604800"),
    ],
)
def test_bad_values_name_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name} {message}"):
        AttachmentsConfig.from_settings(object(), {name: value})


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
