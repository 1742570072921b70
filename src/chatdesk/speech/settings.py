"""Dictation settings, copied from ``Settings`` and checked before a Deepgram session.

``SettingsStore`` reads, validates and defaults the ``dictation_*`` fields; the defaults and
ranges here are that schema's. ``problems()`` names every invalid field and why, with
Deepgram's documented limits:

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
from dataclasses import dataclass
from typing import Any, cast

from chatdesk.core.dictation import MODES, Mode
from chatdesk.errors import ConfigError
from chatdesk.settings import Settings, default, rule

UTTERANCE_END_MIN_MS: int = rule("dictation_utterance_end_ms", "off_or_min")
UTTERANCE_END_MAX_MS: int = rule("dictation_utterance_end_ms", "max")
ENDPOINTING_MIN_MS: int = rule("dictation_endpointing", "off_or_min")
ENDPOINTING_MAX_MS: int = rule("dictation_endpointing", "max")
DELAY_MIN_S = float(rule("dictation_auto_submit_delay_s", "min"))
DELAY_MAX_S = float(rule("dictation_auto_submit_delay_s", "max"))

_DEFAULT_MODE: Mode = default("dictation_mode")

_MODEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_LANGUAGE_RE = re.compile(r"^(multi|[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*)$")


@dataclass(frozen=True, slots=True)
class DictationSettings:
    """Everything that shapes a dictation session."""

    model: str = default("dictation_model")
    language: str = default("dictation_language")
    interim_results: bool = default("dictation_interim_results")
    utterance_end_ms: int = default("dictation_utterance_end_ms")
    endpointing: int = default("dictation_endpointing")
    vad_events: bool = default("dictation_vad_events")
    smart_format: bool = default("dictation_smart_format")
    auto_submit_delay_s: float = default("dictation_auto_submit_delay_s")
    mode: Mode = _DEFAULT_MODE
    device: str = default("dictation_device")
    push_to_talk: bool = default("dictation_push_to_talk")

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

    @classmethod
    def from_settings(cls, settings: Settings) -> DictationSettings:
        """The ``dictation_*`` fields of the app's settings (checked by ``SettingsStore``)."""
        return cls(
            model=settings.dictation_model,
            language=settings.dictation_language,
            interim_results=settings.dictation_interim_results,
            utterance_end_ms=settings.dictation_utterance_end_ms,
            endpointing=settings.dictation_endpointing,
            vad_events=settings.dictation_vad_events,
            smart_format=settings.dictation_smart_format,
            auto_submit_delay_s=settings.dictation_auto_submit_delay_s,
            mode=cast(Mode, settings.dictation_mode),
            device=settings.dictation_device,
            push_to_talk=settings.dictation_push_to_talk,
        )

    def replace(self, **changes: Any) -> DictationSettings:
        """A copy with ``changes`` (unchecked; call ``problems()``)."""
        return dataclasses.replace(self, **changes)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _flag(value: bool) -> str:
    return "true" if value else "false"
