"""Attachment settings: backend, bucket, limits and retention, from settings and environment.

The settings fields (``attachments_*``) carry the values, with the ``ATTACHMENTS_*``
environment variables applied by ``SettingsStore``; when a field is missing from the given
settings object, its environment variable is read here instead. Google's own
``GOOGLE_APPLICATION_CREDENTIALS`` and ``STORAGE_EMULATOR_HOST`` always come from the
environment.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chatdesk.attachments.validate import (
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_FILES,
    DEFAULT_MAX_MESSAGE_BYTES,
    Limits,
)
from chatdesk.errors import ConfigError

BACKENDS = ("local", "gcs")
#: V4 signed URLs live at most 7 days.
MAX_SIGNED_URL_TTL_S = 7 * 24 * 3600
MIN_SIGNED_URL_TTL_S = 60
DEFAULT_GCS_PREFIX = "chatdesk/"

#: settings field -> environment variable.
ENV_NAMES: Mapping[str, str] = {
    "attachments_backend": "ATTACHMENTS_BACKEND",
    "attachments_gcs_bucket": "ATTACHMENTS_GCS_BUCKET",
    "attachments_gcs_prefix": "ATTACHMENTS_GCS_PREFIX",
    "attachments_signed_url_ttl_s": "ATTACHMENTS_SIGNED_URL_TTL_S",
    "attachments_max_size_bytes": "ATTACHMENTS_MAX_SIZE_BYTES",
    "attachments_max_message_bytes": "ATTACHMENTS_MAX_MESSAGE_BYTES",
    "attachments_retention_days": "ATTACHMENTS_RETENTION_DAYS",
}


@dataclass(frozen=True, slots=True)
class AttachmentsConfig:
    """Where attachments go and how long they stay. ``retention_days`` 0 keeps them forever."""

    backend: str = "local"
    gcs_bucket: str = ""
    gcs_prefix: str = DEFAULT_GCS_PREFIX
    signed_url_ttl_s: int = MAX_SIGNED_URL_TTL_S
    max_size_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    max_files: int = DEFAULT_MAX_FILES
    retention_days: int = 0
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
        cls, settings: object, environ: Mapping[str, str] | None = None
    ) -> AttachmentsConfig:
        """Values from ``settings`` (its ``attachments_*`` fields); missing fields from
        ``ATTACHMENTS_*`` in ``environ``. Raises ``ConfigError`` naming a bad value."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, env_name in ENV_NAMES.items():
            if hasattr(settings, name):
                values[name] = getattr(settings, name)
            elif env.get(env_name, "").strip():
                values[name] = env[env_name].strip()
        return cls(
            backend=str(values.get("attachments_backend", "local")).strip().lower() or "local",
            gcs_bucket=str(values.get("attachments_gcs_bucket", "")).strip(),
            gcs_prefix=str(values.get("attachments_gcs_prefix", DEFAULT_GCS_PREFIX)),
            signed_url_ttl_s=_number(
                values,
                "attachments_signed_url_ttl_s",
                MAX_SIGNED_URL_TTL_S,
                MIN_SIGNED_URL_TTL_S,
                MAX_SIGNED_URL_TTL_S,
            ),
            max_size_bytes=_number(values, "attachments_max_size_bytes", DEFAULT_MAX_FILE_BYTES, 1),
            max_message_bytes=_number(
                values, "attachments_max_message_bytes", DEFAULT_MAX_MESSAGE_BYTES, 1
            ),
            retention_days=_number(values, "attachments_retention_days", 0, 0),
            credentials_file=env.get("GOOGLE_APPLICATION_CREDENTIALS", "").strip(),
            emulator_host=env.get("STORAGE_EMULATOR_HOST", "").strip(),
        )


def _number(
    values: Mapping[str, Any], name: str, default: int, low: int, high: int | None = None
) -> int:
    raw = values.get(name, default)
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"{ENV_NAMES[name]} must be a number, not {raw!r}.") from None
    in_range = number >= low and (high is None or number <= high)
    if not math.isfinite(number) or number != int(number) or not in_range:
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise ConfigError(f"{ENV_NAMES[name]} must be a whole number {bound}, not {raw!r}.")
    return int(number)
