"""Live dictation through Deepgram's ``/v1/listen`` websocket, with deepgram-sdk 7.

``DeepgramTranscriber.run(source, emit)`` checks the settings, opens the audio source,
negotiates the websocket (model, language, interim_results, utterance_end_ms, vad_events,
endpointing, smart_format; linear16 at 16 kHz mono), streams the audio and reports typed
events (``chatdesk.core.dictation``) until the input ends, ``stop()`` is called or something
fails. One writer task sends audio, KeepAlive (whenever nothing was sent for ``keepalive_s``:
while paused, or when a microphone stalls), Finalize and CloseStream; the reader turns the
server's JSON frames into events. A clean end sends CloseStream and reads the last results
until the server closes, so no dictated word is lost.

The base URL is an http(s) base (``https://api.deepgram.com``, ``http://127.0.0.1:8080`` for a
self-hosted Deepgram or the tests' fake); the websocket uses the same host with ws(s)://.
Failures become ``chatdesk.errors`` with a message fit to show: missing or rejected key,
refused settings, unreachable server, a Deepgram Error frame, a connection lost mid-way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from chatdesk.core.dictation import (
    CHANNELS,
    SAMPLE_RATE,
    AudioChunk,
    AudioLevel,
    AudioSource,
    Closed,
    Listening,
    TranscriptEvent,
    TranscriptionFailed,
)
from chatdesk.errors import (
    AuthenticationError,
    ChatdeskError,
    ConfigError,
    ProviderConnectionError,
    ProviderTimeoutError,
    StreamError,
)
from chatdesk.speech.deepgram_wire import (
    KEPT,
    KEY_HELP,
    closed_error,
    handshake_error,
    is_websocket_error,
    lost,
    translate,
)
from chatdesk.speech.settings import DictationSettings

if TYPE_CHECKING:
    from deepgram.listen.v1.socket_client import AsyncV1SocketClient

__all__ = [
    "DEFAULT_BASE_URL",
    "DeepgramTranscriber",
    "websocket_base",
]

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.deepgram.com"


def websocket_base(base_url: str) -> tuple[str, str]:
    """``(http_base, ws_base)`` for an http(s) base URL; raises ``ConfigError`` otherwise."""
    text = base_url.strip().rstrip("/")
    parts = urlsplit(text)
    schemes = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
    if parts.scheme not in schemes or not parts.netloc:
        raise ConfigError(
            f"The Deepgram base URL {base_url!r} is not usable: it must look like "
            "https://api.deepgram.com or http://127.0.0.1:8080 (DEEPGRAM_BASE_URL)."
        )
    ws = urlunsplit((schemes[parts.scheme], parts.netloc, parts.path, "", ""))
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    http = urlunsplit((scheme, parts.netloc, parts.path, "", ""))
    return http, ws


class DeepgramTranscriber:
    """One live transcription session at a time (``run`` may be called again afterwards)."""

    def __init__(
        self,
        settings: DictationSettings,
        api_key: Callable[[], str | None],
        *,
        base_url: str = DEFAULT_BASE_URL,
        keepalive_s: float = 4.0,
        close_timeout_s: float = 5.0,
    ) -> None:
        self.settings = settings
        self.base_url = (base_url or DEFAULT_BASE_URL).strip().rstrip("/")
        self.keepalive_s = keepalive_s
        self.close_timeout_s = close_timeout_s
        self._api_key = api_key
        self._paused = False
        self._commands: asyncio.Queue[str] | None = None
        self._input_ended = False
        self._closing = False
        self._recv_timeout: asyncio.Timeout | None = None

    # -- control (plain methods: callable from Qt slots) -----------------------------------

    @property
    def paused(self) -> bool:
        return self._paused

    def pause(self) -> None:
        """Stop sending audio; KeepAlive holds the connection open."""
        self._paused = True

    def resume(self) -> None:
        self._paused = False

    def finalize(self) -> None:
        """Pause and ask Deepgram to finalize what it heard (push-to-talk released)."""
        self._paused = True
        self._command("finalize")

    def stop(self) -> None:
        """Close the stream cleanly: the last results still arrive, then ``run`` returns."""
        self._command("close")

    def _command(self, name: str) -> None:
        if self._commands is not None:
            self._commands.put_nowait(name)

    # -- the session -----------------------------------------------------------------------

    async def run(self, source: AudioSource, emit: Callable[[TranscriptEvent], None]) -> None:
        """Stream ``source`` to Deepgram and ``emit`` every event; ends with ``Closed``."""
        self._input_ended = False
        self._closing = False
        self._commands = asyncio.Queue()
        failed = False
        try:
            await self._session(source, emit)
        except ChatdeskError as exc:
            failed = True
            log.warning("dictation failed: %s", exc.detail or exc.user_message)
            emit(TranscriptionFailed(exc))
        finally:
            self._commands = None
            with contextlib.suppress(Exception):
                await source.aclose()
        emit(Closed(input_ended=self._input_ended and not failed, failed=failed))

    async def _session(self, source: AudioSource, emit: Callable[[TranscriptEvent], None]) -> None:
        self.settings.check()
        http_base, ws_base = websocket_base(self.base_url)
        key = (self._api_key() or "").strip()
        if not key and http_base == DEFAULT_BASE_URL:
            raise AuthenticationError(f"Dictation needs a Deepgram API key. {KEY_HELP}")
        await source.open()
        # Imported on first use: deepgram and its HTTP stack cost ~0.3 s.
        from deepgram import AsyncDeepgramClient
        from deepgram.core.api_error import ApiError
        from deepgram.environment import DeepgramClientEnvironment

        environment = DeepgramClientEnvironment(
            base=http_base, production=ws_base, agent=ws_base, agent_rest=http_base
        )
        client = AsyncDeepgramClient(api_key=key or "none", environment=environment)
        params: dict[str, Any] = {
            **self.settings.query(),
            "encoding": "linear16",
            "sample_rate": SAMPLE_RATE,
            "channels": CHANNELS,
        }
        connected = False
        try:
            async with client.listen.v1.connect(**params) as conn:
                connected = True
                emit(Listening())
                await self._stream(conn, source, emit)
        except ChatdeskError:
            raise
        except ApiError as exc:
            raise handshake_error(exc.status_code, http_base) from exc
        except TimeoutError as exc:
            if connected:
                raise lost("Deepgram stopped answering") from exc
            raise ProviderTimeoutError(
                f"Deepgram at {http_base} did not answer in time; dictation did not start.",
                detail=repr(exc),
            ) from exc
        except OSError as exc:
            if connected:
                raise lost(f"the network failed ({exc.strerror or exc})") from exc
            raise ProviderConnectionError(
                f"Could not reach Deepgram at {http_base} ({exc.strerror or exc}); dictation "
                "did not start. Check your connection or DEEPGRAM_BASE_URL.",
                detail=repr(exc),
            ) from exc
        except Exception as exc:
            if is_websocket_error(exc):
                if connected:
                    raise closed_error(exc) from exc
                raise ProviderConnectionError(
                    f"{http_base} did not answer as a Deepgram server ({exc}); dictation did "
                    "not start.",
                    detail=repr(exc),
                ) from exc
            raise

    async def _stream(
        self,
        conn: AsyncV1SocketClient,
        source: AudioSource,
        emit: Callable[[TranscriptEvent], None],
    ) -> None:
        """Run the writer and the reader; the first failure of either ends both."""
        writer = asyncio.create_task(self._write(conn, source, emit), name="deepgram-writer")
        reader = asyncio.create_task(self._read(conn, emit), name="deepgram-reader")
        try:
            done, _ = await asyncio.wait({writer, reader}, return_when=asyncio.FIRST_COMPLETED)
            if writer in done and not writer.cancelled() and writer.exception() is not None:
                await writer  # raises the writer's error
            await reader
        finally:
            for task in (writer, reader):
                if not task.done():
                    task.cancel()
            await asyncio.gather(writer, reader, return_exceptions=True)

    # -- writer ----------------------------------------------------------------------------

    async def _write(
        self,
        conn: AsyncV1SocketClient,
        source: AudioSource,
        emit: Callable[[TranscriptEvent], None],
    ) -> None:
        """The only task that sends: audio, KeepAlive, Finalize, CloseStream."""
        assert self._commands is not None
        commands = self._commands
        chunks = aiter(source)
        next_chunk: asyncio.Future[AudioChunk] | None = asyncio.ensure_future(anext(chunks))
        next_command = asyncio.ensure_future(commands.get())
        last_sent = time.monotonic()
        try:
            while True:
                waiting = {next_command} | ({next_chunk} if next_chunk else set())
                due = last_sent + self.keepalive_s - time.monotonic()
                done, _ = await asyncio.wait(
                    waiting, timeout=max(0.0, due), return_when=asyncio.FIRST_COMPLETED
                )
                if next_command in done:
                    command = next_command.result()
                    if command == "close":
                        break
                    await conn.send_finalize()
                    last_sent = time.monotonic()
                    next_command = asyncio.ensure_future(commands.get())
                if next_chunk is not None and next_chunk in done:
                    try:
                        chunk = next_chunk.result()
                    except StopAsyncIteration:
                        self._input_ended = True
                        break
                    next_chunk = asyncio.ensure_future(anext(chunks))
                    emit(AudioLevel(0.0 if self._paused else chunk.level))
                    if not self._paused and chunk.pcm:
                        await conn.send_media(chunk.pcm)
                        last_sent = time.monotonic()
                if time.monotonic() - last_sent >= self.keepalive_s:
                    await conn.send_keep_alive()
                    last_sent = time.monotonic()
            self._closing = True
            await conn.send_close_stream()
            if self._recv_timeout is not None:
                loop = asyncio.get_running_loop()
                self._recv_timeout.reschedule(loop.time() + self.close_timeout_s)
        finally:
            for pending in (next_chunk, next_command):
                if pending is not None and not pending.done():
                    pending.cancel()
                    with contextlib.suppress(BaseException):
                        await pending
            with contextlib.suppress(Exception):
                await _aclose(chunks)

    # -- reader ----------------------------------------------------------------------------

    async def _read(
        self, conn: AsyncV1SocketClient, emit: Callable[[TranscriptEvent], None]
    ) -> None:
        """Turn server frames into events until the server closes the stream (or, once
        CloseStream was sent, until ``close_timeout_s`` passed)."""
        from websockets.exceptions import ConnectionClosedOK

        try:
            async with asyncio.timeout(None) as self._recv_timeout:
                while True:
                    try:
                        message = await conn.recv()
                    except ConnectionClosedOK as exc:
                        if not self._closing:
                            raise closed_error(exc) from exc
                        return
                    except ValueError as exc:  # not JSON
                        raise StreamError(
                            f"Deepgram sent something that is not JSON; dictation stopped. {KEPT}",
                            detail=repr(exc),
                        ) from exc
                    event = translate(message)
                    if event is not None:
                        emit(event)
        except TimeoutError:
            log.warning("Deepgram did not close the stream within %.1f s", self.close_timeout_s)
        finally:
            self._recv_timeout = None


async def _aclose(iterator: AsyncIterator[AudioChunk]) -> None:
    close = getattr(iterator, "aclose", None)
    if close is not None:
        await close()
