"""HTTP failures -> typed ProviderError with a short message fit for the user.

Messages say what happened, quote the server's own words, and say what to do. They never
contain the API key (callers pass a ``redact`` function).
"""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from chatdesk.errors import (
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    ModelUnavailableError,
    ModerationError,
    NoProviderError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitError,
    ServerError,
)

#: Statuses worth another try (before anything was streamed). 501 is not among them.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DROPPED_MESSAGE = "The connection dropped in the middle of the answer. Try again."
_MAX_QUOTE = 300
_SPACES = re.compile(r"\s+")


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def server_error_fields(body: bytes) -> tuple[str | None, str | int | None, Mapping[str, Any]]:
    """(message, code, metadata) from an error body.

    Understands OpenRouter's and OpenAI's ``{"error": {...}}``, ``{"error": "text"}``, vLLM's
    ``{"object": "error", "message"}``, ``{"detail": ...}`` and short plain-text bodies.
    """
    text = body.decode("utf-8", "replace").strip()
    try:
        payload = json.loads(text) if text else None
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        error = payload.get("error", payload)
        if isinstance(error, dict):
            message = error.get("message") or error.get("detail") or error.get("msg")
            code = error.get("code")
            metadata = error.get("metadata")
            return (
                str(message) if message else None,
                code if isinstance(code, str | int) and not isinstance(code, bool) else None,
                metadata if isinstance(metadata, dict) else {},
            )
        if isinstance(error, str) and error:
            return error, None, {}
        return None, None, {}
    if text and not text.startswith("<"):  # skip HTML error pages from proxies
        return text, None, {}
    return None, None, {}


def quote(message: str | None, redact: Callable[[str], str]) -> str:
    """The server's message, cleaned for a sentence: one line, bounded, no trailing dot."""
    if not message:
        return ""
    text = _SPACES.sub(" ", redact(message)).strip().rstrip(".")
    return text if len(text) <= _MAX_QUOTE else text[: _MAX_QUOTE - 1] + "…"


def error_for_status(
    status: int,
    body: bytes,
    *,
    headers: Mapping[str, str],
    host: str,
    model: str | None,
    now: float,
    redact: Callable[[str], str] = str,
) -> ProviderError:
    """The typed error for an HTTP error answer (before any streaming)."""
    raw_message, code, metadata = server_error_fields(body)
    said = quote(raw_message, redact)
    colon = f": {said}" if said else ""
    model_name = f"“{model}”" if model else "the model"
    detail = redact(f"HTTP {status} from {host}: {body[:1000].decode('utf-8', 'replace')}")
    provider = metadata.get("provider_name")
    via = f" (provider {provider})" if isinstance(provider, str) and provider else ""
    retry_after = parse_retry_after(headers.get("retry-after"), now)
    cls: type[ProviderError]
    if status == 400:
        cls, text = BadRequestError, f"The server rejected the request{colon}."
    elif status == 401:
        cls = AuthenticationError
        text = f"Your API key was not accepted{colon}. Check the key in Settings."
    elif status == 402:
        cls = InsufficientCreditsError
        text = f"Your account is out of credits{colon}. Add credits, or choose a free model."
    elif status == 403:
        cls = ModerationError
        reasons = metadata.get("reasons")
        why = ""
        if isinstance(reasons, list) and reasons:
            why = f" (reasons: {', '.join(str(r) for r in reasons)})"
        text = f"The request was blocked{colon}{why}. Rephrase it, or choose another model."
    elif status == 404:
        cls = BadRequestError
        text = (
            f"{host} does not know this address or model{colon}. "
            "Check the model name and the base URL in Settings."
        )
    elif status == 408:
        cls = ProviderTimeoutError
        text = f"The server timed out before answering{colon}. Try again."
    elif status == 429:
        cls = RateLimitError
        when = f"in {retry_after:.0f} s" if retry_after else "in a moment"
        text = f"Too many requests right now{colon}. Try again {when}."
    elif status == 502:
        cls = ModelUnavailableError
        text = (
            f"{model_name} is unavailable right now{via}{colon}. "
            "Try again, or choose another model."
        )
    elif status == 503:
        cls = NoProviderError
        text = (
            f"No provider can serve {model_name} right now{colon}. "
            "Try again later, relax the provider settings, or choose another model."
        )
    elif 300 <= status < 400:
        cls = BadRequestError
        location = headers.get("location") or "another address"
        text = f"{host} redirected to {location}. Check the base URL in Settings."
    elif status >= 500:
        cls = ServerError
        text = f"The server failed with HTTP {status}{colon}. Try again in a moment."
    else:
        cls = BadRequestError
        text = f"The server refused the request with HTTP {status}{colon}."
    return cls(text, detail=detail, status=status, code=code, retry_after=retry_after)


def error_for_transport(
    exc: httpx.HTTPError, *, host: str, base_url: str, read_timeout: float, streaming: bool
) -> ProviderError:
    """The typed error for a network failure; ``streaming`` once the answer has begun."""
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return ProviderConnectionError(
            f"Could not reach {host}: check your network or the base URL in Settings.",
            detail=detail,
        )
    if isinstance(exc, httpx.ReadTimeout):
        if streaming:
            text = f"The answer stalled: {host} sent nothing for {read_timeout:g} s. Try again."
        else:
            text = f"{host} did not answer within {read_timeout:g} s. Try again later."
        return ProviderTimeoutError(text, detail=detail)
    if isinstance(exc, httpx.TimeoutException):
        return ProviderTimeoutError(f"The request to {host} timed out. Try again.", detail=detail)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return BadRequestError(
            f"The base URL “{base_url}” is not valid: it must start with http:// or https://.",
            detail=detail,
        )
    if streaming:
        return ProviderConnectionError(DROPPED_MESSAGE, detail=detail)
    return ProviderConnectionError(
        f"The connection to {host} was lost before the answer started. Try again.", detail=detail
    )
