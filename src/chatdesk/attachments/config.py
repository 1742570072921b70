"""Attachment settings: backend, bucket, limits and retention, copied from ``Settings``.

``SettingsStore`` reads, validates and defaults the ``attachments_*`` fields (with their
``ATTACHMENTS_*`` environment variables); this module only copies them. Google's own
``GOOGLE_APPLICATION_CREDENTIALS`` and ``STORAGE_EMULATOR_HOST`` come from the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from chatdesk.attachments.validate import DEFAULT_MAX_FILES, Limits
from chatdesk.errors import ConfigError
from chatdesk.settings import Settings, default, rule

BACKENDS: tuple[str, ...] = rule("attachments_backend", "choices")


@dataclass(frozen=True, slots=True)
class AttachmentsConfig:
    """Where attachments go and how long they stay. ``retention_days`` 0 keeps them forever."""

    backend: str = default("attachments_backend")
    gcs_bucket: str = default("attachments_gcs_bucket")
    gcs_prefix: str = default("attachments_gcs_prefix")
    signed_url_ttl_s: int = default("attachments_signed_url_ttl_s")
    max_size_bytes: int = default("attachments_max_size_bytes")
    max_message_bytes: int = default("attachments_max_message_bytes")
    max_files: int = DEFAULT_MAX_FILES
    retention_days: int = default("attachments_retention_days")
    #: GOOGLE_APPLICATION_CREDENTIALS: a service-account JSON (also signs the URLs).
    credentials_file: str = ""
    #: STORAGE_EMULATOR_HOST, e.g. http://127.0.0.1:9023.
    emulator_host: str = ""

    @property
    def limits(self) -> Limits:
        return Limits(self.max_size_bytes, self.max_message_bytes, self.max_files)

    @property
    def retention_s(self) -> float | None:
        """Seconds a file may stay unused, or None to keep files forever."""
        return self.retention_days * 86400.0 if self.retention_days > 0 else None

    @property
    def normalized_prefix(self) -> str:
        """The object-name prefix: no leading slash, one trailing slash (or empty)."""
        prefix = self.gcs_prefix.strip().strip("/")
        return f"{prefix}/" if prefix else ""

    def check(self) -> None:
        """Raise ``ConfigError`` saying what to fix when this configuration cannot work."""
        if self.backend not in BACKENDS:
            raise ConfigError(
                f"ATTACHMENTS_BACKEND is {self.backend!r}; it must be 'local' or 'gcs'."
            )
        if self.backend == "gcs":
            if not self.gcs_bucket.strip():
                raise ConfigError(
                    "Attachments are set to Google Cloud Storage, but no bucket is configured: "
                    "set ATTACHMENTS_GCS_BUCKET (or the bucket in Settings)."
                )
            path = self.credentials_file
            if path and not os.path.isfile(path):
                raise ConfigError(
                    f"GOOGLE_APPLICATION_CREDENTIALS points to {path}, which is not a file."
                )

    @classmethod
    def from_settings(
        cls, settings: Settings, environ: Mapping[str, str] | None = None
    ) -> AttachmentsConfig:
        """The ``attachments_*`` fields of ``settings`` (already checked by ``SettingsStore``)
        and Google's variables from ``environ`` (``os.environ`` by default)."""
        env = os.environ if environ is None else environ
        return cls(
            backend=settings.attachments_backend,
            gcs_bucket=settings.attachments_gcs_bucket,
            gcs_prefix=settings.attachments_gcs_prefix,
            signed_url_ttl_s=settings.attachments_signed_url_ttl_s,
            max_size_bytes=settings.attachments_max_size_bytes,
            max_message_bytes=settings.attachments_max_message_bytes,
            retention_days=settings.attachments_retention_days,
            credentials_file=env.get("GOOGLE_APPLICATION_CREDENTIALS", "").strip(),
            emulator_host=env.get("STORAGE_EMULATOR_HOST", "").strip(),
        )
