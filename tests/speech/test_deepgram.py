"""DeepgramTranscriber (deepgram-sdk 7) against FakeDeepgram on 127.0.0.1, WAV files as input."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chatdesk.core.dictation import (
    AudioLevel,
    Closed,
    Final,
    Interim,
    Listening,
    Metadata,
    SpeechStarted,
    TranscriptEvent,
    TranscriptionFailed,
    UtteranceEnd,
)
from chatdesk.errors import (
    AuthenticationError,
    BadRequestError,
    ConfigError,
    InsufficientCreditsError,
    ProviderConnectionError,
    RateLimitError,
    ServerError,
    StreamError,
)
from chatdesk.speech.deepgram import DeepgramTranscriber, websocket_base
from chatdesk.speech.settings import DictationSettings
from chatdesk.speech.sources import WavFileSource
from fakes.deepgram import (
    DEFAULT_KEY,
    FakeDeepgram,
    close,
    drop,
    fail,
    results,
    send,
    sentence_script,
    speech_started,
    utterance_end,
)
from fakes.ports import free_port
from fixtures.speech import HELLO_WAV, linear16, speechlike, write_wav

SENTENCE = "What is the capital of France?"


class Recorder:
    """Collects events (levels apart) and lets a test wait for one."""

    def __init__(self) -> None:
        self.events: list[TranscriptEvent] = []
        self.levels: list[float] = []
        self._changed = asyncio.Event()

    def __call__(self, event: TranscriptEvent) -> None:
        if isinstance(event, AudioLevel):
            self.levels.append(event.level)
        else:
            self.events.append(event)
        self._changed.set()

    async def wait_for(self, predicate: Callable[[TranscriptEvent], bool]) -> TranscriptEvent:
        async with asyncio.timeout(10):
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

    @property
    def failure(self) -> TranscriptionFailed:
        (failed,) = [e for e in self.events if isinstance(e, TranscriptionFailed)]
        return failed


@pytest.fixture
def fake_deepgram() -> Iterator[FakeDeepgram]:
    with FakeDeepgram() as fake:
        yield fake


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    """1.5 s of syllable-like sound, then 0.5 s of silence."""
    return write_wav(tmp_path / "speech.wav", speechlike(1.5, silence_s=0.5))


def transcriber(
    fake: FakeDeepgram, settings: DictationSettings | None = None, key: str | None = DEFAULT_KEY
) -> DeepgramTranscriber:
    return DeepgramTranscriber(
        settings or DictationSettings(), lambda: key, base_url=fake.base_url, keepalive_s=4.0
    )


async def test_streams_the_wav_and_reports_typed_events(
    fake_deepgram: FakeDeepgram, wav: Path
) -> None:
    fake_deepgram.script(
        send(0.1, speech_started(0.1)),
        send(0.3, results("what is")),
        send(0.6, results("what is the capital")),
        send(1.0, results(SENTENCE, is_final=True, speech_final=True, duration=1.0)),
        send(1.8, utterance_end(1.4)),
    )
    source = WavFileSource(wav, speed=4)
    rec = Recorder()
    await transcriber(fake_deepgram).run(source, rec)

    assert rec.events == [
        Listening(),
        SpeechStarted(0.1),
        Interim("what is"),
        Interim("what is the capital"),
        Final(SENTENCE, speech_final=True),
        UtteranceEnd(1.4),
        Metadata("fake-request", 2.0),
        Closed(input_ended=True),
    ]
    session = fake_deepgram.last
    assert session.path == "/v1/listen"
    assert session.headers["authorization"] == f"Token {DEFAULT_KEY}"
    assert session.query == {
        "model": "nova-3",
        "language": "en-US",
        "interim_results": "true",
        "utterance_end_ms": "1000",
        "vad_events": "true",
        "endpointing": "300",
        "smart_format": "true",
        "encoding": "linear16",
        "sample_rate": "16000",
        "channels": "1",
    }
    assert bytes(session.audio) == source.pcm  # every byte of the file, in order
    assert session.controls == ["CloseStream"]  # a clean end
    assert session.ended == "server-close"
    assert len(rec.levels) == 20 and max(rec.levels) > 0.5 and rec.levels[-1] == 0.0


async def test_settings_reach_the_query(fake_deepgram: FakeDeepgram, wav: Path) -> None:
    settings = DictationSettings(
        model="nova-2-meeting",
        language="de",
        interim_results=False,
        utterance_end_ms=0,
        endpointing=0,
        vad_events=False,
        smart_format=False,
    )
    await transcriber(fake_deepgram, settings).run(WavFileSource(wav, speed=math.inf), Recorder())
    query = fake_deepgram.last.query
    assert query["model"] == "nova-2-meeting" and query["language"] == "de"
    assert query["interim_results"] == "false" and query["endpointing"] == "false"
    assert query["vad_events"] == "false" and query["smart_format"] == "false"
    assert "utterance_end_ms" not in query


async def test_invalid_settings_stop_before_any_connection(
    fake_deepgram: FakeDeepgram, wav: Path
) -> None:
    rec = Recorder()
    bad = DictationSettings(utterance_end_ms=300)
    await transcriber(fake_deepgram, bad).run(WavFileSource(wav), rec)
    error = rec.failure.error
    assert isinstance(error, ConfigError)
    assert "utterance_end_ms is 300" in error.user_message
    assert fake_deepgram.sessions == []
    assert rec.events[-1] == Closed(failed=True)


async def test_a_401_at_handshake_says_the_key_was_rejected(
    fake_deepgram: FakeDeepgram, wav: Path
) -> None:
    rec = Recorder()
    await transcriber(fake_deepgram, key="wrong-key-123").run(WavFileSource(wav), rec)
    error = rec.failure.error
    assert isinstance(error, AuthenticationError) and error.status == 401
    assert "Deepgram rejected the API key" in error.user_message
    assert "DEEPGRAM_API_KEY" in error.user_message
    assert "wrong-key-123" not in error.user_message + (error.detail or "")
    assert fake_deepgram.last.status == 401 and not fake_deepgram.last.audio
    assert [type(e) for e in rec.events] == [TranscriptionFailed, Closed]


async def test_no_key_for_deepgram_cloud_fails_before_connecting(wav: Path) -> None:
    rec = Recorder()
    quiet = DeepgramTranscriber(DictationSettings(), lambda: None)  # api.deepgram.com
    await quiet.run(WavFileSource(wav), rec)
    error = rec.failure.error
    assert isinstance(error, AuthenticationError)
    assert error.user_message.startswith("Dictation needs a Deepgram API key.")


async def test_a_self_hosted_server_needs_no_key(wav: Path) -> None:
    with FakeDeepgram(api_key=None) as fake:
        fake.script(send(0.2, results("ok", is_final=True, speech_final=True)))
        rec = Recorder()
        await transcriber(fake, key=None).run(WavFileSource(wav, speed=math.inf), rec)
    assert Final("ok", speech_final=True) in rec.events
    assert rec.events[-1] == Closed(input_ended=True)


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (400, BadRequestError, "refused the dictation settings (HTTP 400)"),
        (402, InsufficientCreditsError, "no credits left"),
        (403, AuthenticationError, "may not use the chosen model"),
        (429, RateLimitError, "rate-limiting"),
        (503, ServerError, "server error (HTTP 503)"),
    ],
)
async def test_other_handshake_refusals(
    fake_deepgram: FakeDeepgram, wav: Path, status: int, kind: type, words: str
) -> None:
    fake_deepgram.script(reject=status)
    rec = Recorder()
    await transcriber(fake_deepgram).run(WavFileSource(wav), rec)
    assert isinstance(rec.failure.error, kind)
    assert words in rec.failure.error.user_message


async def test_a_server_that_is_not_deepgram(
    fake_openrouter: object, wav: Path, fake_deepgram: FakeDeepgram
) -> None:
    base = fake_deepgram.base_url.replace(str(fake_deepgram.port), str(fake_openrouter.port))  # type: ignore[attr-defined]
    rec = Recorder()
    await DeepgramTranscriber(DictationSettings(), lambda: "k", base_url=base).run(
        WavFileSource(wav), rec
    )
    assert "is a Deepgram server" in rec.failure.error.user_message


async def test_an_unreachable_server(wav: Path) -> None:
    rec = Recorder()
    base = f"http://127.0.0.1:{free_port()}"  # a port nobody listens on
    await DeepgramTranscriber(DictationSettings(), lambda: "k", base_url=base).run(
        WavFileSource(wav), rec
    )
    error = rec.failure.error
    assert isinstance(error, ProviderConnectionError)
    assert error.user_message.startswith(f"Could not reach Deepgram at {base}")


async def test_connection_lost_mid_dictation_keeps_what_was_heard(
    fake_deepgram: FakeDeepgram, wav: Path
) -> None:
    fake_deepgram.script(
        send(0.2, results("kept words", is_final=True)),
        send(0.4, results("half a")),
        drop(0.6),
    )
    rec = Recorder()
    await transcriber(fake_deepgram).run(WavFileSource(wav, speed=4), rec)
    assert rec.events[1:3] == [Final("kept words"), Interim("half a")]
    error = rec.failure.error
    assert isinstance(error, ProviderConnectionError)
    assert "connection to Deepgram was lost" in error.user_message
    assert "stays in the composer" in error.user_message
    assert rec.events[-1] == Closed(failed=True)


async def test_a_deepgram_error_frame(fake_deepgram: FakeDeepgram, wav: Path) -> None:
    fake_deepgram.script(fail(0.3, "Failed to decode audio.", variant="DATA-0000"))
    rec = Recorder()
    await transcriber(fake_deepgram).run(WavFileSource(wav, speed=4), rec)
    error = rec.failure.error
    assert isinstance(error, StreamError) and error.code == "DATA-0000"
    assert error.user_message.startswith("Deepgram reported an error: Failed to decode audio.")


async def test_a_close_with_a_reason(fake_deepgram: FakeDeepgram, wav: Path) -> None:
    fake_deepgram.script(close(0.3, 1011, "NET-0001"))
    rec = Recorder()
    await transcriber(fake_deepgram).run(WavFileSource(wav, speed=4), rec)
    assert "Deepgram closed the connection (1011: NET-0001)" in rec.failure.error.user_message


async def test_keepalive_while_paused_and_no_audio_sent(
    fake_deepgram: FakeDeepgram, tmp_path: Path
) -> None:
    wav = write_wav(tmp_path / "long.wav", speechlike(5.0))
    dictation = DeepgramTranscriber(
        DictationSettings(), lambda: DEFAULT_KEY, base_url=fake_deepgram.base_url, keepalive_s=0.05
    )
    dictation.pause()
    rec = Recorder()
    task = asyncio.create_task(dictation.run(WavFileSource(wav), rec))
    assert await fake_deepgram.wait_until_async(
        lambda f: f.sessions != [] and f.last.controls.count("KeepAlive") >= 3
    )
    assert not fake_deepgram.last.audio
    dictation.resume()
    assert await fake_deepgram.wait_until_async(lambda f: len(f.last.audio) >= 6400)
    dictation.stop()
    await task
    assert fake_deepgram.last.controls[-1] == "CloseStream"
    assert rec.events[-1] == Closed(input_ended=False)


async def test_finalize_asks_for_the_last_words(
    fake_deepgram: FakeDeepgram, tmp_path: Path
) -> None:
    wav = write_wav(tmp_path / "long.wav", speechlike(5.0))
    fake_deepgram.script(
        send(0.2, results("push to")),
        on_finalize=[results("Push to talk.", is_final=True, from_finalize=True)],
    )
    dictation = transcriber(fake_deepgram)
    rec = Recorder()
    task = asyncio.create_task(dictation.run(WavFileSource(wav, speed=2), rec))
    await rec.wait_for(lambda e: e == Interim("push to"))
    dictation.finalize()
    assert dictation.paused
    await rec.wait_for(lambda e: isinstance(e, Final))
    dictation.stop()
    await task
    assert Final("Push to talk.", from_finalize=True) in rec.events
    assert fake_deepgram.last.controls == ["Finalize", "CloseStream"]


async def test_stop_flushes_the_last_results_before_closing(
    fake_deepgram: FakeDeepgram, tmp_path: Path
) -> None:
    wav = write_wav(tmp_path / "long.wav", speechlike(5.0))
    fake_deepgram.script(
        send(0.2, results("almost")),
        on_close_stream=[results("Almost done.", is_final=True), utterance_end(0.9)],
    )
    dictation = transcriber(fake_deepgram)
    rec = Recorder()
    task = asyncio.create_task(dictation.run(WavFileSource(wav, speed=2), rec))
    await rec.wait_for(lambda e: e == Interim("almost"))
    dictation.stop()
    await task
    assert rec.events[-3:] == [Final("Almost done."), UtteranceEnd(0.9), Closed()]
    assert fake_deepgram.last.audio_s < 5.0


async def test_a_failing_source_ends_the_session(fake_deepgram: FakeDeepgram) -> None:
    rec = Recorder()
    await transcriber(fake_deepgram).run(WavFileSource("/nonexistent/x.wav"), rec)
    assert "does not exist" in rec.failure.error.user_message
    assert fake_deepgram.sessions == []  # checked before the websocket opens


async def test_the_transcriber_can_run_again(fake_deepgram: FakeDeepgram, wav: Path) -> None:
    dictation = transcriber(fake_deepgram)
    for text in ("one", "two"):
        fake_deepgram.script(send(0.1, results(text, is_final=True)))
        rec = Recorder()
        await dictation.run(WavFileSource(wav, speed=math.inf), rec)
        assert Final(text) in rec.events
    assert len(fake_deepgram.sessions) == 2


def test_websocket_base_maps_http_to_ws() -> None:
    assert websocket_base("https://api.deepgram.com") == (
        "https://api.deepgram.com",
        "wss://api.deepgram.com",
    )
    assert websocket_base(" http://127.0.0.1:8080/ ") == (
        "http://127.0.0.1:8080",
        "ws://127.0.0.1:8080",
    )
    assert websocket_base("https://dg.example.org/proxy") == (
        "https://dg.example.org/proxy",
        "wss://dg.example.org/proxy",
    )
    for bad in ("api.deepgram.com", "ftp://x", "http://"):
        with pytest.raises(ConfigError, match="DEEPGRAM_BASE_URL"):
            websocket_base(bad)


def test_linear16_helper_matches_the_sources_conversion(tmp_path: Path) -> None:
    signal = speechlike(0.2)
    source = WavFileSource(write_wav(tmp_path / "s.wav", signal))
    asyncio.run(source.open())
    assert source.pcm == linear16(signal)


async def test_the_demo_script_speaks_a_sentence_to_any_connection() -> None:
    with FakeDeepgram() as fake:
        fake.set_default(sentence_script(SENTENCE))
        rec = Recorder()
        await transcriber(fake).run(WavFileSource(HELLO_WAV, speed=8), rec)
    kinds = [type(e).__name__ for e in rec.events]
    assert kinds[:2] == ["Listening", "SpeechStarted"]
    interims = [e.text for e in rec.events if isinstance(e, Interim)]
    assert interims == [
        "What",
        "What is",
        "What is the",
        "What is the capital",
        "What is the capital of",
    ]
    assert Final(SENTENCE, speech_final=True) in rec.events
    assert kinds[-3:] == ["UtteranceEnd", "Metadata", "Closed"]
