"""Deepgram's ``/v1/listen`` wire, for ``chatdesk.speech.deepgram``: server frames (SDK models
or dicts) to typed events, and handshake statuses, Error frames and unexpected closes to
``chatdesk.errors`` with messages fit to show.
"""

from __future__ import annotations

from typing import Any

from chatdesk.core.dictation import (
    Final,
    Interim,
    Metadata,
    SpeechStarted,
    TranscriptEvent,
    UtteranceEnd,
)
from chatdesk.errors import (
    AuthenticationError,
    BadRequestError,
    ChatdeskError,
    InsufficientCreditsError,
    ProviderConnectionError,
    RateLimitError,
    ServerError,
    StreamError,
)

KEY_HELP = "Add your Deepgram key in Settings, or set DEEPGRAM_API_KEY."
KEPT = "The text dictated so far stays in the composer."


def _field(message: Any, name: str, default: Any = None) -> Any:
    if isinstance(message, dict):
        return message.get(name, default)
    return getattr(message, name, default)


def translate(message: Any) -> TranscriptEvent | None:
    """A server frame (SDK model or dict) -> an event; None for what dictation ignores."""
    kind = _field(message, "type")
    if kind == "Results":
        channel = _field(message, "channel")
        alternatives = _field(channel, "alternatives") or []
        text = str(_field(alternatives[0], "transcript") or "") if alternatives else ""
        if _field(message, "is_final"):
            return Final(
                text,
                speech_final=bool(_field(message, "speech_final")),
                from_finalize=bool(_field(message, "from_finalize")),
            )
        return Interim(text)
    if kind == "SpeechStarted":
        return SpeechStarted(float(_field(message, "timestamp") or 0.0))
    if kind == "UtteranceEnd":
        end = _field(message, "last_word_end")
        return UtteranceEnd(float(end) if end is not None else None)
    if kind == "Metadata":
        duration = _field(message, "duration")
        return Metadata(
            _field(message, "request_id"), float(duration) if duration is not None else None
        )
    if kind == "Error":
        description = (
            _field(message, "description") or _field(message, "message") or "no details given"
        )
        variant = _field(message, "variant") or _field(message, "code")
        raise StreamError(
            f"Deepgram reported an error: {description}. Dictation stopped. {KEPT}",
            detail=f"Error frame {variant}: {description}",
            code=variant,
        )
    return None


def handshake_error(status: int | None, base: str) -> ChatdeskError:
    detail = f"websocket handshake answered HTTP {status}"
    if status == 401:
        return AuthenticationError(
            f"Deepgram rejected the API key (401 Unauthorized). {KEY_HELP}",
            detail=detail,
            status=status,
        )
    if status == 402:
        return InsufficientCreditsError(
            "Your Deepgram account has no credits left (402); add some in the Deepgram "
            "console to dictate.",
            detail=detail,
            status=status,
        )
    if status == 403:
        return AuthenticationError(
            "This Deepgram key may not use the chosen model or feature (403 Forbidden). "
            "Choose another model in Settings → Dictation, or use a key with access.",
            detail=detail,
            status=status,
        )
    if status in (400, 404, 422):
        return BadRequestError(
            f"Deepgram refused the dictation settings (HTTP {status}): check the model and "
            f"language in Settings → Dictation, and that {base} is a Deepgram server.",
            detail=detail,
            status=status,
        )
    if status == 429:
        return RateLimitError(
            "Deepgram is rate-limiting this key (429 Too Many Requests); try again shortly.",
            detail=detail,
            status=status,
        )
    if status is not None and status >= 500:
        return ServerError(
            f"Deepgram had a server error (HTTP {status}); dictation did not start. Try again.",
            detail=detail,
            status=status,
        )
    return ProviderConnectionError(
        f"{base} refused the dictation connection (HTTP {status}).", detail=detail, status=status
    )


def lost(why: str) -> ProviderConnectionError:
    return ProviderConnectionError(
        f"The connection to Deepgram was lost ({why}); dictation stopped. {KEPT}"
    )


def closed_error(exc: BaseException) -> ChatdeskError:
    """A close we did not ask for: Deepgram closes with a reason (e.g. NET-0001, no audio)."""
    frame = getattr(exc, "rcvd", None)
    code = getattr(frame, "code", None)
    reason = getattr(frame, "reason", "") or ""
    if frame is None:
        return lost("the server went away without closing the stream")
    if code in (1000, 1001):
        why = f"Deepgram ended the stream{': ' + reason if reason else ''}"
        return ProviderConnectionError(f"{why}; dictation stopped. {KEPT}", detail=repr(exc))
    return StreamError(
        f"Deepgram closed the connection ({code}{': ' + reason if reason else ''}); dictation "
        f"stopped. {KEPT}",
        detail=repr(exc),
        code=code,
    )


def is_websocket_error(exc: BaseException) -> bool:
    from websockets.exceptions import WebSocketException

    return isinstance(exc, WebSocketException)
