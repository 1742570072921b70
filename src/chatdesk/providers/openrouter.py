"""OpenRouterClient: streaming chat completions against OpenRouter or any OpenAI-compatible server.

One reused ``httpx.AsyncClient``; typed events out (see ``chatdesk.core.events``); typed
``ProviderError`` subclasses for every failure. Requests are retried only before anything was
streamed, only for 429/5xx and connection failures, with capped exponential backoff and full
jitter, honouring Retry-After. Cancelling the consumer (or closing the stream generator)
closes the HTTP response at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from chatdesk.core.events import RetryScheduled, StreamEvent
from chatdesk.core.models import ChatRequest, ModelInfo
from chatdesk.errors import (
    AuthenticationError,
    ProviderConnectionError,
    ProviderError,
    StreamError,
)
from chatdesk.files import atomic_write_text
from chatdesk.providers.http_errors import (
    RETRY_STATUSES,
    error_for_status,
    error_for_transport,
)
from chatdesk.providers.openai_wire import (
    KeyInfo,
    StreamParser,
    chat_body,
    completion_text,
    error_text,
    parse_key,
    parse_models,
)

__all__ = ["OPENROUTER_BASE_URL", "KeyInfo", "OpenRouterClient"]

log = logging.getLogger(__name__)

OPENROUTER_BASE_URL = "https://openrouter.ai/api/v1"
_CACHE_VERSION = 1
_DRAIN_TIMEOUT_S = 1.0


class OpenRouterClient:
    """An OpenAI-compatible chat-completions client (implements ``ChatProvider``).

    ``api_key`` may be a callable so a key changed in Settings applies to the next request.
    ``openrouter`` selects the OpenRouter dialect (usage.include, provider routing, reasoning);
    by default it is on when the base URL's host is openrouter.ai.
    """

    def __init__(
        self,
        base_url: str,
        api_key: Callable[[], str | None] | str | None,
        *,
        app_title: str = "chatdesk",
        referer: str = "https://github.com/chatdesk/chatdesk",
        http_client: httpx.AsyncClient | None = None,
        connect_timeout: float = 10,
        read_timeout: float = 120,
        max_attempts: int = 3,
        backoff_base: float = 0.5,
        backoff_max: float = 20,
        max_retry_after: float = 60,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        models_cache: Path | None = None,
        models_ttl_s: float = 86400,
        clock: Callable[[], float] = time.time,
        openrouter: bool | None = None,
    ) -> None:
        self._api_key = api_key
        self._dialect_override = openrouter
        self.set_base_url(base_url)
        self._static_headers = {
            "HTTP-Referer": referer,
            "X-OpenRouter-Title": app_title,
            "X-Title": app_title,
        }
        self._timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=30.0, pool=connect_timeout
        )
        self._read_timeout = read_timeout
        self._http = http_client
        self._owns_http = http_client is None
        self._max_attempts = max(1, max_attempts)
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._models_cache = models_cache
        self._models_ttl = models_ttl_s
        self._clock = clock
        self._models_memo: tuple[float, list[ModelInfo]] | None = None

    # --- public API -------------------------------------------------------------------------------

    def set_base_url(self, base_url: str) -> None:
        """Point the client at another server; applies to the next request."""
        self.base_url = base_url.strip().rstrip("/")
        host = urlsplit(self.base_url).hostname or ""
        self.host = host or self.base_url
        override = self._dialect_override
        self.is_openrouter = (
            override if override is not None else host.lower().endswith("openrouter.ai")
        )

    async def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Stream one completion as typed events (see ``StreamParser`` for the guarantees).

        Close the generator (``contextlib.aclosing``) when stopping early; that, or cancelling
        the consuming task, closes the connection at once.
        """
        body = chat_body(request, stream=True, openrouter=self.is_openrouter)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._send("POST", "/chat/completions", body, request.model)
            except ProviderError as exc:
                delay = self._retry_delay(exc, attempt)
                yield RetryScheduled(delay, self._retry_reason(exc))
                await self._sleep(delay)
                continue
            parser = StreamParser(
                model=request.model,
                generation_id=response.headers.get("x-generation-id"),
                redact=self._redact,
            )
            retry: ProviderError | None = None
            try:
                if "json" in response.headers.get("content-type", ""):
                    for event in await self._whole_answer(response, parser):
                        yield event
                    return
                chunks = (
                    response.aiter_bytes()
                    if response.headers.get("content-encoding")
                    else response.aiter_raw()
                )
                feed = parser.feed
                try:
                    async for raw in chunks:
                        for event in feed(raw):
                            yield event
                        if parser.done:
                            break
                except httpx.HTTPError as exc:
                    error = self._transport_error(exc, streaming=parser.started)
                    if parser.started:
                        raise error from exc
                    error.__cause__ = exc
                    retry = error  # nothing was yielded yet: another attempt is safe
                if retry is None:
                    for event in parser.finish():
                        yield event
                    # Read the terminating chunk so the connection can be reused; a server that
                    # keeps the body open after [DONE] gets its connection closed instead.
                    with contextlib.suppress(httpx.HTTPError, TimeoutError):
                        async with asyncio.timeout(_DRAIN_TIMEOUT_S):
                            async for _ in chunks:
                                pass
                    return
            finally:
                await response.aclose()
            delay = self._retry_delay(retry, attempt)
            yield RetryScheduled(delay, self._retry_reason(retry))
            await self._sleep(delay)

    async def complete(self, request: ChatRequest) -> str:
        """One non-streamed completion; returns ``choices[0].message.content`` stripped."""
        body = chat_body(request, stream=False, openrouter=self.is_openrouter)
        payload = await self._request_json("POST", "/chat/completions", body, request.model)
        if isinstance(payload, dict) and payload.get("error") is not None:
            message, code = error_text(payload["error"])
            raise StreamError(
                f"The server answered with an error: {self._redact(message)}", code=code
            )
        return completion_text(payload)

    async def list_models(self, *, refresh: bool = False) -> list[ModelInfo]:
        """The model catalogue, cached on disk for ``models_ttl_s``.

        A fresh cache answers without a request; when the request fails (offline, 5xx, ...)
        a stale cache is served instead, and without one the typed error is raised.
        """
        cached = self._models_memo or self._read_models_cache()
        now = self._clock()
        if cached is not None and not refresh and 0 <= now - cached[0] < self._models_ttl:
            return list(cached[1])
        try:
            payload = await self._request_json("GET", "/models", None, None)
        except ProviderError as exc:
            if cached is None:
                raise
            log.warning("model list unavailable, serving the cached one: %s", exc.detail or exc)
            return list(cached[1])
        models = parse_models(payload)
        self._models_memo = (now, models)
        self._write_models_cache(now, models)
        return list(models)

    async def check_key(self) -> KeyInfo:
        """GET /key: the key's label, usage and limits ("Test key" in Settings)."""
        if not self._key():
            raise AuthenticationError("No API key is set. Add your key in Settings.")
        return parse_key(await self._request_json("GET", "/key", None, None))

    async def aclose(self) -> None:
        """Close the HTTP client (only if this object created it)."""
        if self._http is not None and self._owns_http:
            await self._http.aclose()
        self._http = None

    # --- HTTP -------------------------------------------------------------------------------------

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self._timeout)
            self._owns_http = True
        return self._http

    def _key(self) -> str | None:
        key = self._api_key() if callable(self._api_key) else self._api_key
        return key.strip() if key and key.strip() else None

    def _redact(self, text: str) -> str:
        key = self._key()
        return text.replace(key, "***") if key and len(key) >= 6 else text

    def _headers(self) -> dict[str, str]:
        headers = dict(self._static_headers)
        key = self._key()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return headers

    async def _send(
        self, method: str, path: str, body: dict[str, Any] | None, model: str | None
    ) -> httpx.Response:
        """Send; return the open response for a 2xx status, else raise the typed error."""
        client = self._client()
        try:
            request = client.build_request(
                method,
                self.base_url + path,
                json=body,
                headers=self._headers(),
                timeout=self._timeout,
            )
            response = await client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, streaming=False) from exc
        if 200 <= response.status_code < 300:
            return response
        try:
            content = await response.aread()
        except httpx.HTTPError:
            content = b""
        finally:
            await response.aclose()
        raise error_for_status(
            response.status_code,
            content,
            headers=response.headers,
            host=self.host,
            model=model,
            now=self._clock(),
            redact=self._redact,
        )

    async def _request_json(
        self, method: str, path: str, body: dict[str, Any] | None, model: str | None
    ) -> Any:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._send(method, path, body, model)
                try:
                    content = await response.aread()
                except httpx.HTTPError as exc:
                    raise self._transport_error(exc, streaming=False) from exc
                finally:
                    await response.aclose()
            except ProviderError as exc:
                await self._sleep(self._retry_delay(exc, attempt))
                continue
            try:
                return json.loads(content)
            except ValueError as exc:
                raise ProviderConnectionError(
                    f"{self.host} sent an answer that is not JSON. Check the base URL in Settings.",
                    detail=content[:300].decode("utf-8", "replace"),
                ) from exc

    async def _whole_answer(
        self, response: httpx.Response, parser: StreamParser
    ) -> list[StreamEvent]:
        """A server that ignored ``stream: true`` and sent one JSON answer."""
        try:
            content = await response.aread()
        except httpx.HTTPError as exc:
            raise self._transport_error(exc, streaming=False) from exc
        try:
            payload = json.loads(content)
        except ValueError as exc:
            raise StreamError(
                f"{self.host} sent an answer chatdesk cannot read. Check the base URL in Settings.",
                detail=content[:300].decode("utf-8", "replace"),
            ) from exc
        return parser.completion(payload)

    def _transport_error(self, exc: httpx.HTTPError, *, streaming: bool) -> ProviderError:
        return error_for_transport(
            exc,
            host=self.host,
            base_url=self.base_url,
            read_timeout=self._read_timeout,
            streaming=streaming,
        )

    def _retry_reason(self, exc: ProviderError) -> str:
        """Why the next try waits, in a few words (``RetryScheduled``)."""
        if exc.status == 429:
            return f"{self.host} is limiting requests"
        if exc.status:
            return f"{self.host} answered HTTP {exc.status}"
        return f"{self.host} could not be reached"

    def _retry_delay(self, exc: ProviderError, attempt: int) -> float:
        """Seconds to wait before the next attempt; re-raises ``exc`` when no retry is due."""
        retryable = isinstance(exc, ProviderConnectionError) or exc.status in RETRY_STATUSES
        if not retryable or attempt >= self._max_attempts:
            raise exc
        cap = min(self._backoff_max, self._backoff_base * 2 ** (attempt - 1))
        delay = self._rng.uniform(0, cap)
        if exc.retry_after is not None:
            if exc.retry_after > self._max_retry_after:
                raise exc
            delay = max(delay, exc.retry_after)
        log.info("retrying %s in %.2f s (attempt %d): %s", self.host, delay, attempt, exc.detail)
        return delay

    # --- model cache ------------------------------------------------------------------------------

    def _read_models_cache(self) -> tuple[float, list[ModelInfo]] | None:
        if self._models_cache is None or not self._models_cache.exists():
            return None
        try:
            data = json.loads(self._models_cache.read_text(encoding="utf-8"))
            if data.get("version") != _CACHE_VERSION or data.get("base_url") != self.base_url:
                return None
            models = [_model_from_cache(m) for m in data["models"]]
            memo = (float(data["fetched_at"]), models)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("ignoring unreadable model cache %s: %s", self._models_cache, exc)
            return None
        self._models_memo = memo
        return memo

    def _write_models_cache(self, fetched_at: float, models: list[ModelInfo]) -> None:
        path = self._models_cache
        if path is None:
            return
        payload = {
            "version": _CACHE_VERSION,
            "base_url": self.base_url,
            "fetched_at": fetched_at,
            "models": [asdict(m) for m in models],
        }
        try:
            atomic_write_text(path, json.dumps(payload))
        except OSError as exc:
            log.warning("could not write the model cache %s: %s", path, exc)


def _model_from_cache(raw: dict[str, Any]) -> ModelInfo:
    tuples = ("input_modalities", "output_modalities", "supported_parameters")
    fields: dict[str, Any] = {k: tuple(v) if k in tuples else v for k, v in raw.items()}
    return ModelInfo(**fields)
