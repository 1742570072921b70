"""Dictation settings, checked before a Deepgram session is negotiated.

A plain dataclass (settings are read before the first paint; see ``chatdesk.settings``).
``problems()`` names every invalid field and why, with Deepgram's documented limits:

- ``utterance_end_ms``: Deepgram sends interim results about once a second, so it refuses
  values below 1000 ms (HTTP 400); UtteranceEnd also needs ``interim_results=true``.
- ``endpointing``: milliseconds of silence before ``speech_final`` (Deepgram's default is 10;
  300-500 suits dictation); 0 here means ``endpointing=false`` (off).
- ``model`` / ``language``: Deepgram model names (``nova-3``, ``nova-2-general``...) and BCP-47
  tags (``en``, ``en-US``, ``multi``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from chatdesk.core.dictation import MODES, Mode
from chatdesk.errors import ConfigError

UTTERANCE_END_MIN_MS = 1000
UTTERANCE_END_MAX_MS = 5000
ENDPOINTING_MIN_MS = 10
ENDPOINTING_MAX_MS = 10_000
DELAY_MIN_S = 0.0
DELAY_MAX_S = 30.0

_MODEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_LANGUAGE_RE = re.compile(r"^(multi|[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)$")

#: One-line descriptions, for a settings dialog.
DESCRIPTIONS: Mapping[str, str] = {
    "model": "Deepgram model, e.g. nova-3.",
    "language": "Spoken language as a BCP-47 tag (en, en-US, de, multi).",
    "interim_results": "Show words live while you speak (needed for utterance_end_ms).",
    "utterance_end_ms": "Silence after the last word that ends an utterance when noise keeps "
    f"endpointing from firing ({UTTERANCE_END_MIN_MS}-{UTTERANCE_END_MAX_MS} ms, 0 = off).",
    "endpointing": f"Silence that ends a phrase ({ENDPOINTING_MIN_MS}-{ENDPOINTING_MAX_MS} ms, "
    "0 = off).",
    "vad_events": "Ask Deepgram for SpeechStarted events (restart the countdown on speech).",
    "smart_format": "Punctuation and formatting of numbers, dates and the like.",
    "auto_submit_delay_s": "Seconds after the end of an utterance before the text is sent.",
    "mode": "auto_submit sends by itself; review waits for you to press Enter.",
    "device": "Microphone name; empty = the system's default input.",
    "push_to_talk": "Hold the mic button (or the push-to-talk key) instead of toggling.",
}


@dataclass(frozen=True, slots=True)
class DictationSettings:
    """Everything that shapes a dictation session."""

    model: str = "nova-3"
    language: str = "en-US"
    interim_results: bool = True
    utterance_end_ms: int = 1000
    endpointing: int = 300
    vad_events: bool = True
    smart_format: bool = True
    auto_submit_delay_s: float = 1.2
    mode: Mode = "auto_submit"
    device: str = ""
    push_to_talk: bool = False

    # -- checking ------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Every invalid value, each naming the field and why; empty when all is well."""
        out: list[str] = []
        if not isinstance(self.model, str) or not _MODEL_RE.match(self.model.strip()):
            out.append(
                f"model {self.model!r} is not a Deepgram model name (letters, digits, '-', "
                "'.', e.g. nova-3)"
            )
        if not isinstance(self.language, str) or not _LANGUAGE_RE.match(self.language.strip()):
            out.append(f"language {self.language!r} is not a language tag (e.g. en, en-US, multi)")
        for name in ("interim_results", "vad_events", "smart_format", "push_to_talk"):
            if not isinstance(getattr(self, name), bool):
                out.append(f"{name} must be true or false")
        out += self._number_problems()
        if self.mode not in MODES:
            out.append(f"mode {self.mode!r} must be one of {', '.join(MODES)}")
        if not isinstance(cast(object, self.device), str):
            out.append("device must be text (a microphone name, or empty for the default)")
        return out

    def _number_problems(self) -> list[str]:
        out: list[str] = []
        ue = self.utterance_end_ms
        if not _is_int(ue):
            out.append("utterance_end_ms must be a whole number of milliseconds")
        elif ue != 0 and not UTTERANCE_END_MIN_MS <= ue <= UTTERANCE_END_MAX_MS:
            out.append(
                f"utterance_end_ms is {ue}, but must be {UTTERANCE_END_MIN_MS}-"
                f"{UTTERANCE_END_MAX_MS} ms (Deepgram sends interim results about once a "
                "second and refuses less than 1000), or 0 to turn it off"
            )
        elif ue and self.interim_results is False:
            out.append(
                "utterance_end_ms needs interim_results turned on (Deepgram measures the gap "
                "after the last word from the interim results); turn interim results on or "
                "set utterance_end_ms to 0"
            )
        ep = self.endpointing
        if not _is_int(ep):
            out.append("endpointing must be a whole number of milliseconds")
        elif ep != 0 and not ENDPOINTING_MIN_MS <= ep <= ENDPOINTING_MAX_MS:
            out.append(
                f"endpointing is {ep}, but must be {ENDPOINTING_MIN_MS}-{ENDPOINTING_MAX_MS} "
                "ms of silence, or 0 to turn it off"
            )
        delay = self.auto_submit_delay_s
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay != delay:
            out.append("auto_submit_delay_s must be a number of seconds")
        elif not DELAY_MIN_S <= delay <= DELAY_MAX_S:
            out.append(
                f"auto_submit_delay_s is {delay}, but must be {DELAY_MIN_S:g}-{DELAY_MAX_S:g} "
                "seconds"
            )
        return out

    def check(self) -> None:
        """Raise ``ConfigError`` listing every problem (nothing is negotiated before)."""
        found = self.problems()
        if found:
            raise ConfigError(
                "Dictation cannot start: " + "; ".join(found) + ". Fix it in Settings → Dictation.",
                detail="invalid dictation settings",
            )

    # -- conversion ----------------------------------------------------------------------

    def query(self) -> dict[str, str | int]:
        """The listen/v1 query parameters these settings stand for (besides the audio format)."""
        params: dict[str, str | int] = {
            "model": self.model.strip(),
            "language": self.language.strip(),
            "interim_results": _flag(self.interim_results),
            "vad_events": _flag(self.vad_events),
            "smart_format": _flag(self.smart_format),
            "endpointing": self.endpointing if self.endpointing else "false",
        }
        if self.utterance_end_ms:
            params["utterance_end_ms"] = self.utterance_end_ms
        return params

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able values (for settings.json and presets)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> DictationSettings:
        """Settings from known keys (others ignored); values are taken as they are, so call
        ``problems()`` before use. Numbers given as text are converted when they can be."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in values.items():
            if key not in known:
                continue
            default = known[key].default
            kwargs[key] = _coerce(value, type(cast(object, default)))
        return cls(**kwargs)

    @classmethod
    def from_prefixed(
        cls, values: Mapping[str, Any], prefix: str = "dictation_"
    ) -> DictationSettings:
        """From the app's flat settings (``dictation_model``, ``dictation_mode``, ...)."""
        return cls.from_mapping(
            {k.removeprefix(prefix): v for k, v in values.items() if k.startswith(prefix)}
        )

    def replace(self, **changes: Any) -> DictationSettings:
        """A copy with ``changes`` (unchecked; call ``problems()``)."""
        return dataclasses.replace(self, **changes)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _coerce(value: Any, kind: type) -> Any:
    """Text from the environment or a form to the field's type; anything else as is."""
    if not isinstance(value, str) or kind is str:
        if kind is float and _is_int(value):
            return float(value)
        return value
    text = value.strip()
    if kind is bool:
        lowered = text.lower()
        if lowered in ("true", "1", "yes", "on"):
            return True
        if lowered in ("false", "0", "no", "off"):
            return False
        return value
    try:
        return kind(text)
    except ValueError:
        return value
