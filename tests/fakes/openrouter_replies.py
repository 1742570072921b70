"""Scripted replies for :class:`~fakes.openrouter.FakeOpenRouter`, in OpenRouter's wire format.

A :class:`Reply` is immutable and pre-renders its body once, so one reply can be served many
times (benchmarks) and the server thread does almost no work per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from chatdesk.core.models import ToolCall

DEFAULT_MODEL = "openai/gpt-4o-mini"
KEEPALIVE = b": OPENROUTER PROCESSING\n\n"
DONE_EVENT = b"data: [DONE]\n\n"
_CREATED = 1_763_700_000
_ids = itertools.count(1)
_TOKEN_RE = re.compile(r"\s*\S+\s*|\s+")

ERROR_MESSAGES: dict[int, str] = {
    400: "Invalid request: 'messages' is required",
    401: "User not found.",
    402: "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
    403: "Input was flagged by moderation",
    404: "Model not found",
    408: "Request timed out",
    429: "Rate limit exceeded: free-models-per-min.",
    500: "Internal Server Error",
    502: "Provider returned error",
    503: "No allowed providers are available for the selected model.",
}
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    429: "Too Many Requests",
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def reason_phrase(status: int) -> str:
    return _REASONS.get(status, "Status")


class Gate:
    """A one-shot gate the test opens from any thread; the server waits on it, never sleeps."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def set(self) -> None:
        """Open the gate (thread-safe, idempotent)."""
        with self._lock:
            self._open = True
            waiters, self._waiters = self._waiters, []
        for loop, fut in waiters:
            with contextlib.suppress(RuntimeError):  # that server's loop is already closed
                loop.call_soon_threadsafe(_resolve, fut)

    def is_set(self) -> bool:
        return self._open

    async def wait(self) -> None:
        """Wait (in the server's loop) until :meth:`set`."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._open:
                return
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append((loop, fut))
        try:
            await fut
        finally:
            with self._lock:
                if (loop, fut) in self._waiters:
                    self._waiters.remove((loop, fut))


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


@dataclass(frozen=True)
class Hold:
    """Script step: pause the response until ``gate`` opens (or the client goes away)."""

    gate: Gate


@dataclass(frozen=True)
class Drop:
    """Script step: close the socket now, without the terminating chunk."""


Step = bytes | Hold | Drop


def sse_event(payload: Mapping[str, Any] | str) -> bytes:
    """``data: <json>\\n\\n`` for one chunk (a str is sent as is)."""
    data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return b"data: " + data.encode() + b"\n\n"


def default_usage(prompt_tokens: int = 12, completion_tokens: int = 1) -> dict[str, Any]:
    """A usage object as OpenRouter sends it in the last chunk (cost in USD)."""
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "cost": round(1e-6 * (prompt_tokens + 4 * completion_tokens), 9),
        "is_byok": False,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0},
    }


def split_text(text: str | Sequence[str], chunk_size: int | None) -> list[str]:
    """Pieces to stream: a sequence as given, else fixed-size pieces, else word-like tokens."""
    if not isinstance(text, str):
        return list(text)
    if not text:
        return []
    if chunk_size:
        return [text[i : i + chunk_size] for i in range(0, len(text), chunk_size)]
    return _TOKEN_RE.findall(text)


@dataclass(frozen=True)
class Reply:
    """One scripted HTTP response. Build it with the class methods, not the constructor."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    #: "sse": chunked text/event-stream of ``steps``; "body": ``body`` with Content-Length.
    kind: Literal["sse", "body"] = "body"
    steps: tuple[Step, ...] = ()
    body: bytes = b""
    content_type: str = "application/json"
    #: Pause before the status line until this gate opens.
    hold_headers: Gate | None = None
    #: Close the socket instead of answering (after ``hold_headers``).
    drop: bool = False
    #: The same answer as a non-streamed completion, for requests with ``stream: false``.
    completion_body: bytes | None = field(default=None, repr=False)

    # --- builders ------------------------------------------------------------------------------

    @classmethod
    def stream(
        cls,
        text: str | Sequence[str] = "",
        *,
        chunk_size: int | None = None,
        reasoning: str | Sequence[str] = "",
        reasoning_field: str = "reasoning",
        tool_calls: Sequence[ToolCall] = (),
        tool_fragments: int = 3,
        finish_reason: str | None = "auto",
        duplicate_finish: bool = False,
        usage: Mapping[str, Any] | Literal["auto"] | None = "auto",
        error: Mapping[str, Any] | None = None,
        model: str = DEFAULT_MODEL,
        generation_id: str | None = None,
        keepalives: int = 1,
        keepalive_every: int = 0,
        hold_headers: Gate | None = None,
        hold_first: Gate | None = None,
        hold_after: tuple[int, Gate] | None = None,
        drop_after: int | None = None,
        done: bool = True,
        send_generation_header: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """A streamed chat completion exactly as OpenRouter sends it.

        Order: ``keepalives`` comment lines, reasoning deltas, text deltas, tool-call fragments
        (parallel calls interleaved, each call's arguments in ``tool_fragments`` pieces), the
        finish chunk (twice with ``duplicate_finish``), the usage chunk (``choices: []``),
        ``[DONE]``. ``error`` replaces finish/usage/DONE with a mid-stream error chunk.
        Data events are counted from 1 for ``hold_after=(n, gate)`` (pause after the n-th) and
        ``drop_after=n`` (close the socket after the n-th). ``finish_reason=None`` sends none.
        A request with ``stream: false`` gets the same answer as one JSON completion.
        """
        gen_id = generation_id or f"gen-{next(_ids)}-fake"
        reasoning_parts = split_text(reasoning, chunk_size)
        text_parts = split_text(text, chunk_size)

        def chunk(delta: Mapping[str, Any], finish: str | None = None) -> dict[str, Any]:
            return {
                "id": gen_id,
                "provider": "FakeProvider",
                "model": model,
                "object": "chat.completion.chunk",
                "created": _CREATED,
                "choices": [
                    {
                        "index": 0,
                        "delta": delta,
                        "finish_reason": finish,
                        "native_finish_reason": finish,
                        "logprobs": None,
                    }
                ],
            }

        events: list[bytes] = []
        events += [
            sse_event(chunk({"role": "assistant", "content": "", reasoning_field: part}))
            for part in reasoning_parts
        ]
        events += [sse_event(chunk({"role": "assistant", "content": part})) for part in text_parts]
        events += [
            sse_event(chunk({"role": "assistant", "content": None, "tool_calls": [fragment]}))
            for fragment in _tool_fragments(tool_calls, tool_fragments)
        ]
        if finish_reason == "auto":
            finish: str | None = "tool_calls" if tool_calls else "stop"
        else:
            finish = finish_reason
        if usage == "auto":
            usage = default_usage(completion_tokens=max(1, len(text_parts)))
        tail: list[bytes] = []
        if error is not None:
            err = chunk({"role": "assistant", "content": ""}, "error")
            err["error"] = dict(error)
            events.append(sse_event(err))
        else:
            if finish is not None:
                events.append(sse_event(chunk({"role": "assistant", "content": ""}, finish)))
                if duplicate_finish:
                    events.append(sse_event(chunk({"role": "assistant", "content": ""}, finish)))
            if usage is not None:
                last = chunk({})
                last["choices"] = []
                last["usage"] = dict(usage)
                events.append(sse_event(last))
            if done:
                tail.append(DONE_EVENT)

        steps: list[Step] = [KEEPALIVE] * keepalives
        for number, event in enumerate(events + tail, start=1):
            if number == 1 and hold_first is not None:
                steps.append(Hold(hold_first))
            steps.append(event)
            if keepalive_every and number % keepalive_every == 0:
                steps.append(KEEPALIVE)
            if hold_after is not None and number == hold_after[0]:
                steps.append(Hold(hold_after[1]))
            if drop_after is not None and number == drop_after:
                steps.append(Drop())
                break
        extra = {"X-Generation-Id": gen_id} if send_generation_header else {}
        completion = _completion_body(
            gen_id,
            model,
            "".join(text_parts),
            "".join(reasoning_parts),
            tool_calls,
            finish or "stop",
            usage,
        )
        return cls(
            kind="sse",
            steps=_merge(steps),
            content_type="text/event-stream",
            headers=_headers({**extra, **(headers or {})}),
            hold_headers=hold_headers,
            completion_body=completion,
        )

    @classmethod
    def tokens(cls, n: int, token: str = "tok ", **kwargs: Any) -> Reply:
        """A stream of ``n`` identical one-token events (benchmarks); kwargs as :meth:`stream`."""
        return cls.stream([token] * n, **kwargs)

    @classmethod
    def drop_after(cls, n_events: int, text: str = "Hello there, this is cut", **kw: Any) -> Reply:
        """A stream whose socket closes after ``n_events`` data events (no terminating chunk)."""
        return cls.stream(text, drop_after=n_events, **kw)

    @classmethod
    def sse(
        cls,
        *items: Mapping[str, Any] | bytes | Hold | Drop,
        hold_headers: Gate | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """A hand-made event stream: dicts become ``data:`` events, bytes are sent verbatim
        (e.g. ``KEEPALIVE``, ``DONE_EVENT``, CRLF or multi-line events), plus Hold/Drop steps."""
        steps: list[Step] = [
            item if isinstance(item, bytes | Hold | Drop) else sse_event(item) for item in items
        ]
        return cls(
            kind="sse",
            steps=_merge(steps),
            content_type="text/event-stream",
            headers=_headers(headers or {}),
            hold_headers=hold_headers,
        )

    @classmethod
    def completion(
        cls,
        text: str = "",
        *,
        reasoning: str = "",
        tool_calls: Sequence[ToolCall] = (),
        finish_reason: str | None = None,
        usage: Mapping[str, Any] | Literal["auto"] | None = "auto",
        model: str = DEFAULT_MODEL,
        hold_headers: Gate | None = None,
    ) -> Reply:
        """A non-streamed chat completion (``choices[0].message``)."""
        finish = finish_reason or ("tool_calls" if tool_calls else "stop")
        body = _completion_body(
            f"gen-{next(_ids)}-fake",
            model,
            text,
            reasoning,
            tool_calls,
            finish,
            default_usage(completion_tokens=max(1, len(text.split())))
            if usage == "auto"
            else usage,
        )
        return cls(body=body, hold_headers=hold_headers)

    @classmethod
    def json(
        cls,
        payload: Any,
        status: int = 200,
        *,
        headers: Mapping[str, str] | None = None,
        hold_headers: Gate | None = None,
    ) -> Reply:
        """Any JSON body (models list, key info, an OpenAI-style error ...)."""
        return cls(
            status=status,
            body=json.dumps(payload).encode(),
            headers=_headers(headers or {}),
            hold_headers=hold_headers,
        )

    @classmethod
    def error(
        cls,
        status: int,
        message: str | None = None,
        *,
        code: int | str | None = None,
        metadata: Mapping[str, Any] | None = None,
        retry_after: float | str | None = None,
        body: str | bytes | None = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """An error answer before streaming: ``{"error": {code, message, metadata?}}``.

        ``retry_after`` adds a Retry-After header (seconds, or an HTTP-date string); ``body``
        sends a raw body instead of the JSON (e.g. an HTML page from a proxy).
        """
        all_headers = dict(headers or {})
        if retry_after is not None:
            all_headers["Retry-After"] = (
                retry_after if isinstance(retry_after, str) else f"{retry_after:g}"
            )
        if body is not None:
            raw = body.encode() if isinstance(body, str) else body
            ctype = content_type or "text/html; charset=utf-8"
        else:
            error: dict[str, Any] = {
                "code": status if code is None else code,
                "message": message if message is not None else ERROR_MESSAGES.get(status, "Error"),
            }
            if metadata is not None:
                error["metadata"] = dict(metadata)
            raw = json.dumps({"error": error}).encode()
            ctype = content_type or "application/json"
        return cls(status=status, body=raw, content_type=ctype, headers=_headers(all_headers))

    @classmethod
    def disconnect(cls, *, hold_headers: Gate | None = None) -> Reply:
        """Close the connection without any answer (after ``hold_headers``, if given)."""
        return cls(drop=True, hold_headers=hold_headers)


def _tool_fragments(calls: Sequence[ToolCall], pieces: int) -> list[dict[str, Any]]:
    """OpenAI tool-call deltas: first fragment carries id and name; arguments in pieces."""
    per_call: list[list[dict[str, Any]]] = []
    for index, call in enumerate(calls):
        args = call.arguments
        size = max(1, -(-len(args) // max(1, pieces)))
        parts = [args[i : i + size] for i in range(0, len(args), size)] or [""]
        frags: list[dict[str, Any]] = [
            {
                "index": index,
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": parts[0]},
            }
        ]
        frags += [{"index": index, "function": {"arguments": part}} for part in parts[1:]]
        per_call.append(frags)
    interleaved = itertools.zip_longest(*per_call)
    return [frag for group in interleaved for frag in group if frag is not None]


def _completion_body(
    gen_id: str,
    model: str,
    text: str,
    reasoning: str,
    tool_calls: Sequence[ToolCall],
    finish: str,
    usage: Mapping[str, Any] | None,
) -> bytes:
    message: dict[str, Any] = {"role": "assistant", "content": text, "refusal": None}
    if reasoning:
        message["reasoning"] = reasoning
    if tool_calls:
        message["tool_calls"] = [
            {
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": c.arguments},
            }
            for c in tool_calls
        ]
    payload: dict[str, Any] = {
        "id": gen_id,
        "provider": "FakeProvider",
        "model": model,
        "object": "chat.completion",
        "created": _CREATED,
        "choices": [
            {
                "index": 0,
                "logprobs": None,
                "finish_reason": finish,
                "native_finish_reason": finish,
                "message": message,
            }
        ],
    }
    if usage is not None:
        payload["usage"] = dict(usage)
    return json.dumps(payload).encode()


def _headers(headers: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(headers.items())


def _merge(steps: list[Step]) -> tuple[Step, ...]:
    """Pre-render runs of events as HTTP/1.1 chunks (one chunk per event) joined in one write."""
    merged: list[Step] = []
    run: list[bytes] = []
    for step in steps:
        if isinstance(step, bytes):
            if step:
                run.append(b"%x\r\n%s\r\n" % (len(step), step))
        else:
            if run:
                merged.append(b"".join(run))
                run = []
            merged.append(step)
    if run:
        merged.append(b"".join(run))
    return tuple(merged)
