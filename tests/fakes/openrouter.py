"""FakeOpenRouter: a real HTTP/1.1 server on 127.0.0.1 that speaks OpenRouter's wire format.

It runs ``asyncio.start_server`` on its own event loop in a background thread, so it serves
plain-asyncio tests, Qt tests on a qasync loop and synchronous code alike::

    with FakeOpenRouter() as fake:
        fake.enqueue(Reply.stream("Hello world"), Reply.error(429, retry_after=2))
        client = OpenRouterClient(fake.base_url, "sk-test")   # .../api/v1
        ...
        assert fake.requests[0].json["model"] == "openai/gpt-4o-mini"

Replies are taken from a per-endpoint queue (``enqueue``); when it is empty the endpoint's
default answers: chat completions echo the last user message, ``/models`` serves
``fake.models``, ``/key`` serves ``fake.key_info``. Every request is recorded in
``fake.requests``. See ``openrouter_replies`` for the reply builders.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from .loop_server import LoopServer
from .openrouter_replies import (
    DEFAULT_MODEL,
    DONE_EVENT,
    KEEPALIVE,
    Drop,
    Gate,
    Hold,
    Reply,
    default_usage,
    reason_phrase,
    sse_event,
)

__all__ = [
    "DEFAULT_MODEL",
    "DONE_EVENT",
    "KEEPALIVE",
    "Drop",
    "FakeOpenRouter",
    "Gate",
    "Hold",
    "RecordedRequest",
    "Reply",
    "default_usage",
    "fake_openrouter",
    "sse_event",
]

API_PREFIX = "/api/v1"
CHAT = "/chat/completions"
Responder = Callable[["RecordedRequest"], Reply]

DEFAULT_MODELS: list[dict[str, Any]] = [
    {
        "id": "openai/gpt-4o-mini",
        "name": "OpenAI: GPT-4o-mini",
        "created": 1721260800,
        "context_length": 128000,
        "architecture": {
            "modality": "text+image->text",
            "input_modalities": ["text", "image", "file"],
            "output_modalities": ["text"],
            "tokenizer": "GPT",
        },
        "pricing": {"prompt": "0.00000015", "completion": "0.0000006", "request": "0"},
        "top_provider": {"context_length": 128000, "max_completion_tokens": 16384},
        "supported_parameters": ["max_tokens", "temperature", "tools", "tool_choice", "seed"],
    },
    {
        "id": "deepseek/deepseek-r1:free",
        "name": "DeepSeek: R1 (free)",
        "created": 1737381095,
        "context_length": 163840,
        "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
        "pricing": {"prompt": "0", "completion": "0"},
        "top_provider": {"context_length": 163840, "max_completion_tokens": None},
        "supported_parameters": ["reasoning", "include_reasoning", "max_tokens"],
    },
]

DEFAULT_KEY_INFO: dict[str, Any] = {
    "label": "sk-or-v1-abc...xyz",
    "limit": None,
    "limit_reset": None,
    "limit_remaining": None,
    "usage": 0.25,
    "usage_daily": 0.01,
    "is_free_tier": False,
    "is_provisioning_key": False,
}


@dataclass(frozen=True)
class RecordedRequest:
    """What the client sent. Header names are lower-case; ``json`` is None if not JSON."""

    method: str
    path: str
    endpoint: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    json: Any = field(default=None, repr=False)


class FakeOpenRouter(LoopServer):
    """The fake server. Use as a context manager (or ``start()``/``close()``)."""

    def __init__(self, *, api_key: str | None = None) -> None:
        super().__init__()
        #: When set, requests without ``Authorization: Bearer <api_key>`` get OpenRouter's 401.
        self.api_key = api_key
        self.models: list[dict[str, Any]] = [dict(m) for m in DEFAULT_MODELS]
        self.key_info: dict[str, Any] = dict(DEFAULT_KEY_INFO)
        self._queues: defaultdict[str, deque[Reply | Responder]] = defaultdict(deque)
        self._defaults: dict[str, Reply | Responder] = {CHAT: _echo}
        self._requests: list[RecordedRequest] = []
        self._disconnects = 0
        self._open_connections = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # --- lifecycle -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/v1`` — the OpenRouter-style base URL."""
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    # --- scripting -------------------------------------------------------------------------------

    def enqueue(self, *replies: Reply | Responder, path: str = CHAT) -> None:
        """Queue replies for ``path`` (relative to /api/v1), served first-in first-out.

        A responder is a callable ``(RecordedRequest) -> Reply`` run when its turn comes, on
        the server's thread (so it must not touch the test's event loop objects).
        """
        with self._lock:
            self._queues[path].extend(replies)

    def set_default(self, reply: Reply | Responder, *, path: str = CHAT) -> None:
        """What ``path`` answers when its queue is empty (chat default: echo the user)."""
        with self._lock:
            self._defaults[path] = reply

    def pending(self, path: str = CHAT) -> int:
        """How many queued replies for ``path`` have not been served yet."""
        with self._lock:
            return len(self._queues[path])

    # --- observation -----------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received, in order."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str = CHAT) -> list[RecordedRequest]:
        """The requests to one endpoint (relative to /api/v1)."""
        return [r for r in self.requests if r.endpoint == path]

    @property
    def disconnects(self) -> int:
        """How many responses the client abandoned (closed the socket before the end)."""
        with self._lock:
            return self._disconnects

    @property
    def open_connections(self) -> int:
        with self._lock:
            return self._open_connections

    # --- server internals ------------------------------------------------------------------------

    async def _open(self) -> int:
        self._server = await asyncio.start_server(self._on_connect, "127.0.0.1", 0)
        return int(self._server.sockets[0].getsockname()[1])

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()

    def _notify(self, *, disconnect: bool = False, opened: int = 0) -> None:
        with self._lock:
            self._disconnects += disconnect
            self._open_connections += opened
            self._lock.notify_all()

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._notify(opened=1)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                with self._lock:
                    self._requests.append(request)
                    self._lock.notify_all()
                reply = self._reply_for(request)
                if not await self._respond(reply, request, reader, writer):
                    break
                if request.headers.get("connection", "").lower() == "close":
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # shutdown: end quietly (asyncio.start_server logs a cancelled handler)
        finally:
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()
            self._tasks.discard(task)
            self._notify(opened=-1)

    def _reply_for(self, request: RecordedRequest) -> Reply:
        auth = request.headers.get("authorization")
        if self.api_key is not None and auth != f"Bearer {self.api_key}":
            message = "No auth credentials found" if auth is None else "User not found."
            return Reply.error(401, message)
        with self._lock:
            queue = self._queues[request.endpoint]
            source = queue.popleft() if queue else self._defaults.get(request.endpoint)
        if source is None:
            source = self._builtin(request)
        return source if isinstance(source, Reply) else source(request)

    def _builtin(self, request: RecordedRequest) -> Reply:
        if request.endpoint == "/models" and request.method == "GET":
            return Reply.json({"data": self.models})
        if request.endpoint == "/key" and request.method == "GET":
            return Reply.json({"data": self.key_info})
        return Reply.error(404, f"Not Found: {request.method} {request.path}")

    async def _respond(
        self,
        reply: Reply,
        request: RecordedRequest,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
    ) -> bool:
        """Write ``reply``; False when the connection must close (dropped or client gone)."""
        if reply.hold_headers is not None and not await self._hold(reply.hold_headers, reader):
            return False
        if reply.drop:
            return False
        streamed = reply.kind == "sse" and (
            reply.completion_body is None
            or request.endpoint != CHAT
            or (isinstance(request.json, dict) and bool(request.json.get("stream")))
        )
        if not streamed:
            body = (
                reply.completion_body
                if reply.kind == "sse" and reply.completion_body
                else reply.body
            )
            ctype = "application/json" if reply.kind == "sse" else reply.content_type
            head = _head(reply.status, ctype, reply.headers, len(body))
            writer.write(head + body)
            return await self._drain(writer)
        writer.write(_head(reply.status, reply.content_type, reply.headers, None))
        for step in reply.steps:
            if isinstance(step, bytes):
                writer.write(step)
            elif isinstance(step, Hold):
                if not await self._drain(writer) or not await self._hold(step.gate, reader):
                    return False
            elif isinstance(step, Drop):
                await self._drain(writer)
                return False
        writer.write(b"0\r\n\r\n")
        return await self._drain(writer)

    async def _drain(self, writer: asyncio.StreamWriter) -> bool:
        try:
            await writer.drain()
        except ConnectionError:
            self._notify(disconnect=True)
            return False
        return True

    async def _hold(self, gate: Gate, reader: asyncio.StreamReader) -> bool:
        """Wait for ``gate``; False (and a recorded disconnect) if the client hangs up first."""
        if gate.is_set():
            return True
        opened = asyncio.ensure_future(gate.wait())
        eof = asyncio.ensure_future(reader.read(1))
        try:
            await asyncio.wait({opened, eof}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (opened, eof):
                task.cancel()
            await asyncio.gather(opened, eof, return_exceptions=True)
        if opened.done() and not opened.cancelled():
            return True
        self._notify(disconnect=True)
        return False


async def _read_request(reader: asyncio.StreamReader) -> RecordedRequest | None:
    line = await reader.readline()
    if not line.strip():
        return None
    method, target, _version = line.decode("latin-1").split()
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        parts = []
        while size := int((await reader.readline()).split(b";")[0], 16):
            parts.append(await reader.readexactly(size))
            await reader.readline()
        await reader.readline()
        body = b"".join(parts)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    url = urlsplit(target)
    endpoint = url.path[len(API_PREFIX) :] if url.path.startswith(API_PREFIX) else url.path
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    return RecordedRequest(
        method=method,
        path=url.path,
        endpoint=endpoint.rstrip("/") or "/",
        query=dict(parse_qsl(url.query)),
        headers=headers,
        body=body,
        json=parsed,
    )


def _head(
    status: int, content_type: str, headers: tuple[tuple[str, str], ...], length: int | None
) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason_phrase(status)}", f"Content-Type: {content_type}"]
    if length is None:
        lines += ["Transfer-Encoding: chunked", "Cache-Control: no-cache"]
    else:
        lines.append(f"Content-Length: {length}")
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _echo(request: RecordedRequest) -> Reply:
    """Default chat reply: stream (or return) the last user message back."""
    text = "Hello!"
    body = request.json if isinstance(request.json, dict) else {}
    for message in reversed(body.get("messages") or []):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = " ".join(
                    str(p.get("text", "")) for p in content if isinstance(p, dict)
                ).strip()
            text = str(content or text)
            break
    return Reply.stream(text, model=str(body.get("model") or DEFAULT_MODEL))


@pytest.fixture
def fake_openrouter() -> Iterator[FakeOpenRouter]:
    """A running FakeOpenRouter, closed after the test."""
    with FakeOpenRouter() as fake:
        yield fake
