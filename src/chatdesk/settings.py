"""Typed settings: defaults < settings.json < environment, saved atomically.

A corrupt or invalid settings.json never stops the app: the file is moved aside
(``settings.json.bad-<timestamp>``), every value that still validates is kept, the rest fall
back to defaults, and ``SettingsStore.problems`` says what happened so the UI can show it.
API keys never live here (see ``chatdesk.secrets``).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"

#: Environment variables that override a settings field.
ENV_FIELDS: Mapping[str, str] = {
    "OPENROUTER_BASE_URL": "openrouter_base_url",
    "OPENROUTER_DEFAULT_MODEL": "default_model",
    "OPENROUTER_SYSTEM_PROMPT": "system_prompt",
    "CHATDESK_LOG_LEVEL": "log_level",
}

#: Keys that must never be stored in settings.json.
_SECRET_FIELD_HINTS = ("api_key", "apikey", "token", "secret", "password")


class Settings(BaseModel):
    """Everything a user can configure outside the keyring. Each field documents itself."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True, frozen=False)

    schema_version: int = Field(SCHEMA_VERSION, description="Version of this file's layout.")
    openrouter_base_url: str = Field(
        OPENROUTER_BASE_URL,
        description="OpenAI-compatible API base URL (OpenRouter, or e.g. http://localhost:11434/v1).",
    )
    default_model: str = Field(
        "openrouter/auto", description="Model id used for new conversations."
    )
    system_prompt: str = Field("", description="System prompt sent at the start of every chat.")
    title_model: str = Field(
        "", description="Model that writes conversation titles; empty = the chat's own model."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Minimum level written to the app log."
    )
    theme: Literal["system", "light", "dark"] = Field("system", description="Colour theme.")
    request_timeout_s: float = Field(
        120.0, gt=0, le=3600, description="Seconds to wait for the next streamed byte."
    )
    models_cache_ttl_s: float = Field(
        86400.0, ge=0, description="How long the model catalogue is trusted before refreshing."
    )
    generate_titles: bool = Field(True, description="Title new chats with a short model call.")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("openrouter_base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class SettingsStore:
    """Loads and saves ``settings.json``, applying environment overrides on top."""

    def __init__(self, path: Path, environ: Mapping[str, str] | None = None) -> None:
        self.path = path
        self._environ = os.environ if environ is None else environ
        self._file_values: dict[str, Any] = {}
        #: Human-readable problems found while loading (shown once by the UI).
        self.problems: list[str] = []
        #: Field names whose value comes from the environment (the UI shows them locked).
        self.overridden: dict[str, str] = {}

    def load(self) -> Settings:
        """Read the file (moving a bad one aside) and return the effective settings."""
        self.problems = []
        self._file_values = self._read_file()
        values = dict(self._file_values)
        self.overridden = {}
        for env_name, field in ENV_FIELDS.items():
            raw = self._environ.get(env_name)
            if raw is None or raw == "":
                continue
            try:
                Settings.model_validate({**values, field: raw})
            except ValidationError as exc:
                self.problems.append(f"Ignored {env_name}={raw!r}: {_first_error(exc)}.")
                continue
            values[field] = raw
            self.overridden[field] = env_name
        return Settings.model_validate(values)

    def save(self, settings: Settings) -> None:
        """Write atomically (temp, fsync, rename); env-overridden fields keep the file's value."""
        data = settings.model_dump(mode="json")
        for field in self.overridden:
            if field in self._file_values:
                data[field] = self._file_values[field]
            else:
                data.pop(field, None)
        data["schema_version"] = SCHEMA_VERSION
        atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")
        self._file_values = {k: v for k, v in data.items() if k != "schema_version"}

    # -- internals ---------------------------------------------------------------------------

    def _read_file(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self.problems.append(f"Could not read {self.path}: {exc.strerror}. Using defaults.")
            return {}
        try:
            raw = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            moved = self._move_aside()
            self.problems.append(
                f"Your settings file was not valid JSON ({exc}). It was moved to {moved.name} "
                "and defaults are in use."
            )
            return {}
        if not isinstance(raw, dict):
            moved = self._move_aside()
            self.problems.append(
                f"Your settings file did not hold a JSON object. It was moved to {moved.name} "
                "and defaults are in use."
            )
            return {}
        return self._keep_valid(raw)

    def _keep_valid(self, raw: dict[str, Any]) -> dict[str, Any]:
        secrets = [k for k in raw if any(h in k.lower() for h in _SECRET_FIELD_HINTS)]
        known = {k: v for k, v in raw.items() if k in Settings.model_fields and k not in secrets}
        kept: dict[str, Any] = {}
        bad: list[str] = []
        for key, value in known.items():
            try:
                Settings.model_validate({key: value})
            except ValidationError as exc:
                bad.append(f"{key} ({_first_error(exc)})")
            else:
                kept[key] = value
        if bad or secrets:
            moved = self._move_aside()
            if bad:
                self.problems.append(
                    "Some settings were invalid and were reset to their defaults: "
                    f"{', '.join(bad)}. The original file was kept as {moved.name}."
                )
            if secrets:
                self.problems.append(
                    "settings.json held an API key or token, which chatdesk never stores there. "
                    "It was ignored and removed; enter the key in Settings (it goes to your "
                    f"system keyring) or set it in the environment. Backup: {moved.name}."
                )
            # Rewrite the cleaned file at once so the secret does not linger in clear text.
            cleaned = {**kept, "schema_version": SCHEMA_VERSION}
            atomic_write_text(self.path, json.dumps(cleaned, indent=2, sort_keys=True) + "\n")
        kept.pop("schema_version", None)
        return kept

    def _move_aside(self) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.bad-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.name}.bad-{stamp}-{n}")
        try:
            os.replace(self.path, target)
        except OSError as exc:
            log.warning("could not move %s aside: %s", self.path, exc)
        return target


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a crash leaves either the old or the new file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return str(err.get("msg", "invalid value"))
