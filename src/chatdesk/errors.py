"""One error base for chatdesk: every error carries a message fit to show the user.

The UI shows ``user_message`` as is; ``detail`` is for logs. ``kind`` lets the UI choose the
action it offers (``auth`` -> "Open settings", ``network`` -> "Retry", ...).
"""

from __future__ import annotations

from typing import ClassVar


class ChatdeskError(Exception):
    """Base of all errors chatdesk raises on purpose."""

    kind: ClassVar[str] = "internal"
    #: Whether trying the same thing again may work (network, rate limit, 5xx).
    retryable: ClassVar[bool] = False

    def __init__(self, user_message: str, *, detail: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.detail = detail

    def __str__(self) -> str:
        return self.user_message


class ConfigError(ChatdeskError):
    """Settings or configuration files are unusable."""

    kind = "config"


class SecretStoreError(ChatdeskError):
    """The OS keyring is missing or refused a request."""

    kind = "keyring"


class StorageError(ChatdeskError):
    """The local database failed."""

    kind = "storage"


# --- provider (OpenRouter / OpenAI-compatible) errors ---------------------------------------


class ProviderError(ChatdeskError):
    """A chat-completions server refused or failed a request."""

    kind = "provider"

    def __init__(
        self,
        user_message: str,
        *,
        detail: str | None = None,
        status: int | None = None,
        code: str | int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(user_message, detail=detail)
        self.status = status
        self.code = code
        self.retry_after = retry_after


class BadRequestError(ProviderError):
    """400: the request was malformed or a parameter is not accepted."""

    kind = "bad_request"


class AuthenticationError(ProviderError):
    """401: the API key is missing, wrong or revoked."""

    kind = "auth"


class InsufficientCreditsError(ProviderError):
    """402: the account has no credits left."""

    kind = "credits"


class ModerationError(ProviderError):
    """403: the input was flagged by moderation."""

    kind = "moderation"


class ProviderTimeoutError(ProviderError):
    """408 or a client-side timeout."""

    kind = "timeout"
    retryable = True


class RateLimitError(ProviderError):
    """429: too many requests; ``retry_after`` seconds when the server said."""

    kind = "rate_limit"
    retryable = True


class ModelUnavailableError(ProviderError):
    """502: the model or its provider is down."""

    kind = "model_unavailable"
    retryable = True


class NoProviderError(ProviderError):
    """503: no provider meets the routing requirements."""

    kind = "no_provider"
    retryable = True


class ServerError(ProviderError):
    """Any other 5xx answer."""

    kind = "server"
    retryable = True


class ProviderConnectionError(ProviderError):
    """The server could not be reached (no network, refused, DNS) or dropped the stream."""

    kind = "network"
    retryable = True


class StreamError(ProviderError):
    """The server reported an error in the middle of a streamed answer."""

    kind = "stream"


class InputError(ChatdeskError):
    """The user's input cannot be used as it is (empty message, bad value)."""

    kind = "input"
