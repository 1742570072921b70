"""FakeDeepgram: a real websocket server on 127.0.0.1 speaking Deepgram's ``/v1/listen``.

It runs on its own event loop in a background thread (like ``FakeOpenRouter``), so it serves
plain-asyncio tests, Qt tests on a qasync loop and the benchmarks alike::

    with FakeDeepgram() as fake:                      # key "dg-test-key"
        fake.script(
            send(0.2, speech_started(0.2)),
            send(0.4, results("hello")),
            send(0.8, results("hello world", is_final=True, speech_final=True)),
        )
        transcriber = DeepgramTranscriber(settings, lambda: fake.api_key, base_url=fake.base_url)

Like the real service it checks the handshake (``Authorization: Token KEY`` -> 401 with
Deepgram's JSON body; bad query values -> 400), receives binary linear16 audio, and answers
JSON text frames. A script's steps fire by *audio position*: a step at 0.8 s is sent once
0.8 s of 16 kHz mono 16-bit audio (25,600 bytes) has arrived, so a test's timing follows the
audio, never the wall clock. KeepAlive is recorded, Finalize is answered with the script's
``on_finalize`` frames, CloseStream with ``on_close_stream`` frames (a Metadata by default)
and a normal close. Steps can also drop the TCP connection, close with a code, or send an
Error frame. Everything the client sent is recorded per session in ``fake.sessions``.

``set_default(sentence_script("..."))`` makes every connection "hear" a sentence, and
``python -m tests.fakes.deepgram --port 8080`` runs such a server for trying the app by hand
(``DEEPGRAM_BASE_URL=http://127.0.0.1:8080 DEEPGRAM_API_KEY=dg-test-key``).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .loop_server import LoopServer

BYTES_PER_SECOND = 32_000
DEFAULT_KEY = "dg-test-key"
_BOOL_PARAMS = ("interim_results", "vad_events", "smart_format", "punctuate")

# --- frames ---------------------------------------------------------------------------------


def results(
    text: str,
    *,
    is_final: bool = False,
    speech_final: bool = False,
    from_finalize: bool = False,
    start: float = 0.0,
    duration: float = 1.0,
) -> dict[str, Any]:
    """A Results frame as Deepgram sends it (one channel, one alternative)."""
    end = start + duration
    words = [
        {"word": w.lower().strip(".,?!"), "start": start, "end": end, "confidence": 0.9}
        for w in text.split()
    ]
    return {
        "type": "Results",
        "channel_index": [0, 1],
        "duration": duration,
        "start": start,
        "is_final": is_final,
        "speech_final": speech_final,
        "from_finalize": from_finalize,
        "channel": {
            "alternatives": [
                {"transcript": text, "confidence": 0.98 if text else 0.0, "words": words}
            ]
        },
        "metadata": {
            "request_id": "fake-request",
            "model_info": {"name": "general-nova-3", "version": "2025", "arch": "nova-3"},
            "model_uuid": "00000000-0000-0000-0000-000000000000",
        },
    }


def speech_started(timestamp: float = 0.0) -> dict[str, Any]:
    return {"type": "SpeechStarted", "channel": [0], "timestamp": timestamp}


def utterance_end(last_word_end: float = 0.0) -> dict[str, Any]:
    return {"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": last_word_end}


def metadata(duration: float = 0.0, request_id: str = "fake-request") -> dict[str, Any]:
    return {
        "type": "Metadata",
        "transaction_key": "deprecated",
        "request_id": request_id,
        "sha256": "0" * 64,
        "created": "2026-11-01T00:00:00.000Z",
        "duration": duration,
        "channels": 1,
    }


def error_frame(description: str, variant: str = "ServerError") -> dict[str, Any]:
    return {"type": "Error", "variant": variant, "description": description, "message": ""}


# --- scripts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One scripted action, done once ``audio_s`` seconds of audio have arrived."""

    audio_s: float
    message: dict[str, Any] | None = None
    action: str = "send"  # send | drop | close
    code: int = 1000
    reason: str = ""


def send(audio_s: float, *messages: dict[str, Any]) -> list[Step]:
    """Send ``messages`` (in order) once ``audio_s`` seconds of audio have arrived."""
    return [Step(audio_s, m) for m in messages]


def drop(audio_s: float) -> list[Step]:
    """Cut the TCP connection without a closing handshake (a network failure)."""
    return [Step(audio_s, action="drop")]


def close(audio_s: float, code: int = 1011, reason: str = "") -> list[Step]:
    """Close the websocket with ``code`` and ``reason`` (as Deepgram does on its errors)."""
    return [Step(audio_s, action="close", code=code, reason=reason)]


def fail(audio_s: float, description: str, variant: str = "ServerError") -> list[Step]:
    """An Error frame followed by a 1011 close, as Deepgram reports a failure mid-stream."""
    return [Step(audio_s, error_frame(description, variant)), *close(audio_s, 1011, variant)]


@dataclass
class Script:
    """What one connection does."""

    steps: list[Step] = field(default_factory=list)
    on_finalize: list[dict[str, Any]] = field(default_factory=list)
    on_close_stream: list[dict[str, Any]] | None = None  # None: one Metadata frame
    reject: int | None = None  # answer the handshake with this HTTP status


@dataclass
class Session:
    """What the client did on one connection."""

    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int = 101
    audio: bytearray = field(default_factory=bytearray)
    controls: list[str] = field(default_factory=list)  # KeepAlive / Finalize / CloseStream
    sent: list[dict[str, Any]] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)  # time.monotonic() just before each
    ended: str = ""  # "" while open; "server-close", "client-close", "dropped", "rejected"

    @property
    def audio_s(self) -> float:
        return len(self.audio) / BYTES_PER_SECOND


# --- the server -----------------------------------------------------------------------------


class FakeDeepgram(LoopServer):
    """The fake service. Use as a context manager (or ``start()``/``close()``)."""

    wait_timeout_s = 10.0

    def __init__(self, *, api_key: str | None = DEFAULT_KEY, port: int = 0) -> None:
        super().__init__()
        #: The key clients must send as ``Authorization: Token <key>``; None: no check.
        self.api_key = api_key
        self._port = port
        self._scripts: deque[Script] = deque()
        self._default = Script()
        self._sessions: list[Session] = []
        self._by_conn: dict[int, tuple[Session, Script]] = {}
        self._server: Server | None = None

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` — what DEEPGRAM_BASE_URL would hold."""
        return f"http://127.0.0.1:{self.port}"

    # -- scripting ------------------------------------------------------------------------

    def script(
        self,
        *steps: Sequence[Step] | Step,
        on_finalize: Sequence[dict[str, Any]] = (),
        on_close_stream: Sequence[dict[str, Any]] | None = None,
        reject: int | None = None,
    ) -> None:
        """Queue what the next connection does (connections without a script stay silent)."""
        script = _make_script(steps, on_finalize, on_close_stream, reject)
        with self._lock:
            self._scripts.append(script)

    def set_default(
        self,
        *steps: Sequence[Step] | Step,
        on_finalize: Sequence[dict[str, Any]] = (),
        on_close_stream: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        """What every connection without a queued script does (a demo server)."""
        script = _make_script(steps, on_finalize, on_close_stream, None)
        with self._lock:
            self._default = script

    # -- observation ----------------------------------------------------------------------

    @property
    def sessions(self) -> list[Session]:
        with self._lock:
            return list(self._sessions)

    @property
    def last(self) -> Session:
        with self._lock:
            return self._sessions[-1]

    # -- internals ------------------------------------------------------------------------

    async def _open(self) -> int:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            self._port,
            process_request=self._check_handshake,
            ping_interval=None,
            max_size=2**22,
        )
        return int(next(iter(self._server.sockets)).getsockname()[1])

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _notify(self) -> None:
        with self._lock:
            self._lock.notify_all()

    def _check_handshake(self, conn: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        session = Session(
            path=url.path,
            query=dict(parse_qsl(url.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in request.headers.raw_items()},
        )
        with self._lock:
            script = self._scripts.popleft() if self._scripts else self._default
            self._sessions.append(session)
            self._lock.notify_all()
        status, body = self._verdict(session, script)
        if status is not None:
            session.status = status
            self._end(session, "rejected")
            headers = Headers([("Content-Type", "application/json"), ("dg-error", body["err_msg"])])
            return Response(status, HTTPStatus(status).phrase, headers, json.dumps(body).encode())
        self._by_conn[id(conn)] = (session, script)
        return None

    def _verdict(self, session: Session, script: Script) -> tuple[int | None, dict[str, Any]]:
        request_id = str(uuid.uuid4())
        if session.path.rstrip("/") != "/v1/listen":
            return 404, {"err_code": "NOT_FOUND", "err_msg": "Not found.", "request_id": request_id}
        auth = session.headers.get("authorization")
        if self.api_key is not None and auth != f"Token {self.api_key}":
            return 401, {
                "err_code": "INVALID_AUTH",
                "err_msg": "Invalid credentials.",
                "request_id": request_id,
            }
        if script.reject is not None:
            return script.reject, {
                "err_code": HTTPStatus(script.reject).phrase,
                "err_msg": f"Scripted rejection {script.reject}.",
                "request_id": request_id,
            }
        problem = _query_problem(session.query)
        if problem:
            return 400, {"err_code": "Bad Request", "err_msg": problem, "request_id": request_id}
        return None, {}

    async def _handle(self, conn: ServerConnection) -> None:
        session, script = self._by_conn.pop(id(conn))
        steps = deque(script.steps)
        try:
            if not await self._due(conn, session, steps):
                return
            async for message in conn:
                if isinstance(message, bytes):
                    with self._lock:
                        session.audio.extend(message)
                        self._lock.notify_all()
                    if not await self._due(conn, session, steps):
                        return
                    continue
                kind = _control_type(message)
                with self._lock:
                    session.controls.append(kind)
                    self._lock.notify_all()
                if kind == "Finalize":
                    for frame in script.on_finalize:
                        await self._send(conn, session, frame)
                elif kind == "CloseStream":
                    closing = script.on_close_stream
                    frames = [metadata(session.audio_s)] if closing is None else closing
                    for frame in frames:
                        await self._send(conn, session, frame)
                    self._end(session, "server-close")  # (before the client can see it)
                    await conn.close(1000, "")
                    return
            self._end(session, "client-close")
        except ConnectionClosed:
            self._end(session, "client-close")
        finally:
            self._notify()

    def _end(self, session: Session, how: str) -> None:
        with self._lock:
            session.ended = session.ended or how
            self._lock.notify_all()

    async def _due(self, conn: ServerConnection, session: Session, steps: deque[Step]) -> bool:
        """Run every step whose audio position has been reached; False once the connection
        was closed or dropped by a step."""
        while steps and steps[0].audio_s * BYTES_PER_SECOND <= len(session.audio):
            step = steps.popleft()
            if step.action == "drop":
                self._end(session, "dropped")
                conn.transport.abort()
                return False
            if step.action == "close":
                self._end(session, "server-close")
                await conn.close(step.code, step.reason)
                return False
            assert step.message is not None
            await self._send(conn, session, step.message)
        return True

    async def _send(self, conn: ServerConnection, session: Session, frame: dict[str, Any]) -> None:
        at = time.monotonic()
        await conn.send(json.dumps(frame))
        with self._lock:
            session.sent.append(frame)
            session.sent_at.append(at)
            self._lock.notify_all()


def _make_script(
    steps: Sequence[Sequence[Step] | Step],
    on_finalize: Sequence[dict[str, Any]],
    on_close_stream: Sequence[dict[str, Any]] | None,
    reject: int | None,
) -> Script:
    flat: list[Step] = []
    for item in steps:
        flat.extend([item] if isinstance(item, Step) else item)
    flat.sort(key=lambda s: s.audio_s)  # stable: same-time steps keep their order
    return Script(
        flat, list(on_finalize), None if on_close_stream is None else list(on_close_stream), reject
    )


def sentence_script(text: str, start_s: float = 0.3, words_per_s: float = 4.0) -> list[Step]:
    """A spoken ``text``: SpeechStarted, growing interim results, a final with speech_final,
    then UtteranceEnd, timed by audio position (what a demo server answers to any audio)."""
    words = text.split()
    steps = send(start_s, speech_started(start_s))
    at = start_s
    for n in range(1, len(words)):
        at = start_s + n / words_per_s
        steps += send(at, results(" ".join(words[:n]), start=start_s, duration=at - start_s))
    end = at + 1 / words_per_s
    steps += send(
        end + 0.2, results(text, is_final=True, speech_final=True, start=start_s, duration=end)
    )
    steps += send(end + 0.8, utterance_end(end))
    return steps


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m tests.fakes.deepgram --port 8080``: a Deepgram stand-in for trying chatdesk's
    dictation by hand (DEEPGRAM_BASE_URL=http://127.0.0.1:8080, any WAV file as input)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--key", default=DEFAULT_KEY, help="expected key ('' = no check)")
    parser.add_argument("--text", default="What is the capital of France?")
    args = parser.parse_args(argv)
    fake = FakeDeepgram(api_key=args.key or None, port=args.port)
    fake.set_default(sentence_script(args.text))
    with fake:
        print(f"FakeDeepgram on {fake.base_url} (key {args.key!r}); Ctrl+C stops it", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


def _control_type(message: str) -> str:
    try:
        data = json.loads(message)
    except ValueError:
        return "invalid"
    return str(data.get("type")) if isinstance(data, dict) else "invalid"


def _query_problem(query: dict[str, str]) -> str:
    """What the real service would refuse with HTTP 400 (a useful subset)."""
    for name in _BOOL_PARAMS:
        if name in query and query[name] not in ("true", "false"):
            return f"{name} must be true or false"
    if "utterance_end_ms" in query:
        value = query["utterance_end_ms"]
        if not value.isdigit() or int(value) < 1000:
            return "utterance_end_ms must be an integer of at least 1000"
    if "endpointing" in query:
        value = query["endpointing"]
        if value != "false" and not value.isdigit():
            return "endpointing must be an integer or false"
    if query.get("encoding") and not query.get("sample_rate"):
        return "sample_rate is required with encoding"
    return ""


@pytest.fixture
def fake_deepgram() -> Iterator[FakeDeepgram]:
    """A running FakeDeepgram, closed after the test."""
    with FakeDeepgram() as fake:
        yield fake


if __name__ == "__main__":
    main()
