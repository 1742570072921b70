"""Typed settings: defaults < settings.json < environment, saved atomically.

``Settings`` is one typed schema: each field has a default, a one-line description and its
constraints in the field's metadata, and the file carries a ``schema_version``. It is a
dataclass checked by ``validate_field``, not a pydantic model, on purpose: settings are read
before the first paint, and pydantic costs ~20 MB and ~100 ms at start-up (see
docs/performance.md); pydantic serves where that cost is paid after the window is up.

A corrupt or invalid settings.json never stops the app: the file is moved aside
(``settings.json.bad-<timestamp>``), every value that still validates is kept, the rest fall
back to defaults, and ``SettingsStore.problems`` says what happened so the UI can show it.
API keys never live here (see ``chatdesk.secrets``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from chatdesk.files import aside_path, atomic_write_text, move_aside

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"

#: Environment variables that override a settings field.
ENV_FIELDS: Mapping[str, str] = {
    "OPENROUTER_BASE_URL": "openrouter_base_url",
    "OPENROUTER_DEFAULT_MODEL": "default_model",
    "OPENROUTER_SYSTEM_PROMPT": "system_prompt",
    "CHATDESK_LOG_LEVEL": "log_level",
    "ATTACHMENTS_BACKEND": "attachments_backend",
    "ATTACHMENTS_GCS_BUCKET": "attachments_gcs_bucket",
    "ATTACHMENTS_GCS_PREFIX": "attachments_gcs_prefix",
    "ATTACHMENTS_SIGNED_URL_TTL_S": "attachments_signed_url_ttl_s",
    "ATTACHMENTS_MAX_SIZE_BYTES": "attachments_max_size_bytes",
    "ATTACHMENTS_MAX_MESSAGE_BYTES": "attachments_max_message_bytes",
    "ATTACHMENTS_RETENTION_DAYS": "attachments_retention_days",
    "DEEPGRAM_BASE_URL": "deepgram_base_url",
    "CHATDESK_AUDIO_INPUT": "audio_input",
}

#: Keys that must never be stored in settings.json.
_SECRET_FIELD_HINTS = ("api_key", "apikey", "token", "secret", "password")


def _setting(default: Any, description: str, **rules: Any) -> Any:
    """A settings field: default, one-line description, constraints (choices, min, max, ...)."""
    return field(default=default, metadata={"description": description, **rules})


def _url(value: str) -> str:
    value = value.strip().rstrip("/")
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


@dataclass(slots=True)
class Settings:
    """Everything a user can configure outside the keyring."""

    schema_version: int = _setting(SCHEMA_VERSION, "Version of this file's layout.")
    openrouter_base_url: str = _setting(
        OPENROUTER_BASE_URL,
        "OpenAI-compatible API base URL (OpenRouter, or e.g. http://localhost:11434/v1).",
        normalize=_url,
    )
    default_model: str = _setting(
        "openrouter/auto", "Model id used for new conversations.", non_empty=True
    )
    system_prompt: str = _setting("", "System prompt sent at the start of every chat.")
    title_model: str = _setting(
        "", "Model that writes conversation titles; empty = the chat's own model."
    )
    log_level: str = _setting(
        "INFO",
        "Minimum level written to the app log.",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        normalize=lambda v: v.strip().upper(),
    )
    theme: str = _setting("system", "Colour theme.", choices=("system", "light", "dark"))
    request_timeout_s: float = _setting(
        120.0, "Seconds to wait for the next streamed byte.", min=0.1, max=3600
    )
    models_cache_ttl_s: float = _setting(
        86400.0, "How long the model catalogue is trusted before refreshing.", min=0
    )
    generate_titles: bool = _setting(True, "Title new chats with a short model call.")
    auto_compact_percent: int = _setting(
        0,
        "Summarise earlier messages by themselves when a chat fills this share of the model's"
        " context (percent; 0 = off).",
        off_or_min=50,
        max=99,
    )
    close_to_tray: bool = _setting(
        False,
        "Closing the window keeps chatdesk running in the tray (where the desktop has one);"
        " Quit from the tray or Ctrl+Q ends it.",
    )
    backups_keep: int = _setting(
        7,
        "How many backups of the chats to keep in backups/ (one is made each day).",
        min=1,
        max=365,
    )
    backups_to_gcs: bool = _setting(
        False,
        "Also copy each backup into your Google Cloud Storage bucket (the attachment bucket),"
        " so another computer can restore it.",
    )
    attachments_backend: str = _setting(
        "local",
        "Where attached files are stored: this computer (local) or your Google Cloud Storage"
        " bucket (gcs).",
        choices=("local", "gcs"),
        normalize=lambda v: v.strip().lower(),
    )
    attachments_gcs_bucket: str = _setting(
        "", "Google Cloud Storage bucket for attachments.", normalize=str.strip
    )
    attachments_gcs_prefix: str = _setting("chatdesk/", "Object-name prefix inside the bucket.")
    attachments_signed_url_ttl_s: int = _setting(
        604800,
        "Seconds the links a model reads GCS files from stay valid (at most 7 days).",
        min=60,
        max=604800,
    )
    attachments_max_size_bytes: int = _setting(
        10485760, "Largest file that can be attached, in bytes.", min=1
    )
    attachments_max_message_bytes: int = _setting(
        20971520, "Most bytes of files one message can carry.", min=1
    )
    attachments_retention_days: int = _setting(
        0, "Delete attachments unused for this many days (0 keeps them forever).", min=0
    )
    deepgram_base_url: str = _setting(
        "https://api.deepgram.com",
        "Deepgram API base URL (or a self-hosted Deepgram, e.g. http://127.0.0.1:8080).",
        normalize=_url,
    )
    audio_input: str = _setting(
        "",
        "Dictate from this WAV file instead of the microphone (empty = microphone).",
        normalize=str.strip,
    )
    dictation_model: str = _setting(
        "nova-3", "Deepgram model for dictation.", non_empty=True, normalize=str.strip
    )
    dictation_language: str = _setting(
        "en-US", "Spoken language (en, en-US, de, multi).", non_empty=True, normalize=str.strip
    )
    dictation_interim_results: bool = _setting(True, "Show words live while you speak.")
    dictation_utterance_end_ms: int = _setting(
        1000,
        "Silence after the last word that ends an utterance (1000-5000 ms, 0 = off).",
        min=0,
        off_or_min=1000,
        max=5000,
    )
    dictation_endpointing: int = _setting(
        300,
        "Silence that ends a phrase (10-10000 ms, 0 = off).",
        min=0,
        off_or_min=10,
        max=10000,
    )
    dictation_vad_events: bool = _setting(True, "Speech-start events from Deepgram.")
    dictation_smart_format: bool = _setting(True, "Punctuation and number formatting.")
    dictation_auto_submit_delay_s: float = _setting(
        1.2, "Seconds after an utterance ends before the text is sent.", min=0, max=30
    )
    dictation_mode: str = _setting(
        "auto_submit",
        "auto_submit sends by itself; review waits for Enter.",
        choices=("auto_submit", "review"),
    )
    dictation_device: str = _setting("", "Microphone name; empty = the system default.")
    dictation_push_to_talk: bool = _setting(
        False, "Hold the mic button instead of clicking to toggle."
    )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Settings:
        """Settings from known keys (unknown ones ignored); raises ``ValueError`` if invalid."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        return cls(**{k: validate_field(k, v) for k, v in values.items() if k in known})

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` validated and applied; raises ``ValueError`` if invalid."""
        return dataclasses.replace(self, **{k: validate_field(k, v) for k, v in changes.items()})

    def to_json_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def describe(name: str) -> str:
    """The one-line description of a settings field."""
    return str(_FIELDS[name].metadata["description"])


def default(name: str) -> Any:
    """The default value of a settings field."""
    return _FIELDS[name].default


def rule(name: str, key: str) -> Any:
    """One constraint of a settings field (``min``, ``max``, ``off_or_min``, ``choices``...)."""
    return _FIELDS[name].metadata[key]


def validate_field(name: str, value: Any) -> Any:
    """Check (and normalise) one value; raises ``ValueError`` saying what is wrong."""
    spec = _FIELDS.get(name)
    if spec is None:
        raise ValueError(f"unknown setting {name!r}")
    rules = spec.metadata
    kind: type = type(cast(object, spec.default))
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
    elif kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError("must be a number")
        try:
            value = kind(value)
        except ValueError:
            raise ValueError("must be a number") from None
        floor = rules.get("off_or_min")  # 0 turns the feature off; else at least this
        if floor is not None and value != 0 and value < floor:
            raise ValueError(f"must be 0 (off) or at least {floor}")
        if "min" in rules and value < rules["min"]:
            raise ValueError(f"must be at least {rules['min']}")
        if "max" in rules and value > rules["max"]:
            raise ValueError(f"must be at most {rules['max']}")
    elif kind is str:
        if not isinstance(value, str):
            raise ValueError("must be text")
        normalize: Callable[[str], str] | None = rules.get("normalize")
        if normalize is not None:
            value = normalize(value)
        if rules.get("non_empty") and not value.strip():
            raise ValueError("must not be empty")
        if "choices" in rules and value not in rules["choices"]:
            raise ValueError(f"must be one of {', '.join(rules['choices'])}")
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
        for env_name, name in ENV_FIELDS.items():
            raw = self._environ.get(env_name)
            if raw is None or raw == "":
                continue
            try:
                values[name] = validate_field(name, raw)
            except ValueError as exc:
                self.problems.append(f"Ignored {env_name}={raw!r}: {exc}.")
                continue
            self.overridden[name] = env_name
        return Settings.from_mapping(values)

    def save(self, settings: Settings) -> None:
        """Write atomically (temp, fsync, rename); env-overridden fields keep the file's value."""
        data = settings.to_json_dict()
        for name in self.overridden:
            if name in self._file_values:
                data[name] = self._file_values[name]
            else:
                data.pop(name, None)
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
        known = {k: v for k, v in raw.items() if k in _FIELDS and k not in secrets}
        kept: dict[str, Any] = {}
        bad: list[str] = []
        for key, value in known.items():
            try:
                kept[key] = validate_field(key, value)
            except ValueError as exc:
                bad.append(f"{key} ({exc})")
        if bad or secrets:
            # The backup never keeps a secret in clear text.
            moved = self._move_aside(drop=secrets)
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

    def _move_aside(self, drop: Sequence[str] = ()) -> Path:
        """Keep the bad file as ``settings.json.bad-<timestamp>`` (owner-only), minus ``drop``."""
        target = aside_path(self.path)
        try:
            if not drop:
                return move_aside(self.path)
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            kept = {k: v for k, v in raw.items() if k not in drop}
            atomic_write_text(target, json.dumps(kept, indent=2, sort_keys=True) + "\n")
            self.path.unlink()
            os.chmod(target, 0o600)
        except OSError as exc:
            log.warning("could not move %s aside: %s", self.path, exc)
        return target
