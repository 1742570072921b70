"""Dictation without Qt: transcript events, the audio and transcriber ports, auto-submit rules.

A transcriber (``chatdesk.speech.deepgram``) turns an ``AudioSource`` into typed
``TranscriptEvent``s; ``AutoSubmit`` decides from those events, and a clock it is given, when
the composer's text leaves by itself:

- an utterance ends on a final result with ``speech_final: true``; or on a final produced by a
  Finalize request (push-to-talk released); or on ``UtteranceEnd`` when no speech_final came
  for it (Deepgram's documented fallback when background noise keeps endpointing from firing);
  or when the input ran out (a WAV file ended) with text still pending;
- then the auto-submit delay starts; new words (an interim or final with text) cancel it, the
  user typing cancels it, a VAD ``SpeechStarted`` restarts it (noise must not hold the text
  back for ever, real words that follow cancel it);
- when it elapses, ``due()`` is true exactly once; review mode never counts down.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Literal, Protocol

from chatdesk.errors import ChatdeskError

#: Audio every source delivers: 16 kHz, mono, signed 16-bit little-endian PCM (linear16).
SAMPLE_RATE = 16_000
CHANNELS = 1
SAMPLE_WIDTH = 2
BYTES_PER_SECOND = SAMPLE_RATE * CHANNELS * SAMPLE_WIDTH

Mode = Literal["auto_submit", "review"]
MODES: tuple[Mode, ...] = ("auto_submit", "review")


# --- audio and transcriber ports ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A piece of linear16 audio and its loudness (0 = silence, 1 = full scale)."""

    pcm: bytes
    level: float


class AudioSource(Protocol):
    """Where dictated audio comes from (the microphone, a WAV file)."""

    #: Shown to the user ("Microphone: USB Audio", "WAV file: hello.wav").
    description: str

    async def open(self) -> None:
        """Get ready to deliver audio; raises a ``ChatdeskError`` saying what is wrong."""

    def __aiter__(self) -> AsyncIterator[AudioChunk]:
        """The chunks, in real time, until the input ends (or for ever for a microphone)."""
        ...

    async def aclose(self) -> None:
        """Release the device or file; safe to call twice."""


class Transcriber(Protocol):
    """A live transcription session: ``run`` until the input ends, ``stop`` or a failure."""

    async def run(self, source: AudioSource, emit: Callable[[TranscriptEvent], None]) -> None:
        """Stream ``source`` and report every event through ``emit``; never raises a
        ``ChatdeskError`` (failures arrive as ``TranscriptionFailed``)."""

    @property
    def paused(self) -> bool:
        """Audio is not being sent (``pause``/``finalize``)."""
        ...

    def pause(self) -> None:
        """Stop sending audio but keep the connection (KeepAlive)."""

    def resume(self) -> None:
        """Send audio again after ``pause``."""

    def finalize(self) -> None:
        """Pause and ask for the final transcript of the audio sent so far."""

    def stop(self) -> None:
        """End cleanly: close the stream, take the last results, then return from ``run``."""


# --- transcript events ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Listening:
    """The connection is open and audio flows."""

    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class AudioLevel:
    """Loudness of the latest audio chunk, 0..1 (for a level meter)."""

    level: float


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """Voice activity detected (``vad_events``); ``timestamp`` in seconds of audio."""

    timestamp: float = 0.0


@dataclass(frozen=True, slots=True)
class Interim:
    """A preliminary transcript of the current segment; the next one replaces it."""

    text: str


@dataclass(frozen=True, slots=True)
class Final:
    """A finalized transcript of a segment; ``speech_final`` marks the end of an utterance."""

    text: str
    speech_final: bool = False
    from_finalize: bool = False


@dataclass(frozen=True, slots=True)
class UtteranceEnd:
    """No words for ``utterance_end_ms`` after the last finalized word."""

    last_word_end: float | None = None


@dataclass(frozen=True, slots=True)
class Metadata:
    """The server's summary of the session (sent when the stream closes)."""

    request_id: str | None = None
    duration: float | None = None


@dataclass(frozen=True, slots=True)
class TranscriptionFailed:
    """The session ended with an error fit to show the user."""

    error: ChatdeskError


@dataclass(frozen=True, slots=True)
class Closed:
    """The session is over. ``input_ended``: the source ran out (rather than ``stop``)."""

    input_ended: bool = False
    failed: bool = False


TranscriptEvent = (
    Listening
    | AudioLevel
    | SpeechStarted
    | Interim
    | Final
    | UtteranceEnd
    | Metadata
    | TranscriptionFailed
    | Closed
)


# --- auto-submit rules ----------------------------------------------------------------------


class AutoSubmit:
    """When dictated text is sent by itself. Pure logic: feed events, ask ``due()``."""

    def __init__(
        self,
        delay_s: float = 1.2,
        *,
        mode: Mode = "auto_submit",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.delay_s = delay_s
        self.mode: Mode = mode
        self._clock = clock
        self._pending = False  # final text dictated since the last submission
        self._ended = False  # the current utterance has ended (speech_final, fallback...)
        self._deadline: float | None = None
        #: How many times ``due()`` has said "send now".
        self.submissions = 0

    # -- state ---------------------------------------------------------------------------

    @property
    def deadline(self) -> float | None:
        """Clock time at which the text is sent; None when no countdown runs."""
        return self._deadline

    def remaining(self) -> float | None:
        """Seconds left on the countdown, or None."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - self._clock())

    @property
    def pending(self) -> bool:
        """Dictated final text waits to be sent (or reviewed)."""
        return self._pending

    @property
    def utterance_ended(self) -> bool:
        return self._pending and self._ended

    # -- inputs --------------------------------------------------------------------------

    def feed(self, event: TranscriptEvent) -> None:
        """Update the state with one transcript event."""
        if isinstance(event, Interim):
            if event.text.strip():
                self._new_words()
        elif isinstance(event, Final):
            if event.text.strip():
                self._new_words()
                self._pending = True
            if event.speech_final or event.from_finalize:
                self._end_utterance()
        elif isinstance(event, UtteranceEnd):
            self._end_utterance()  # ignored when speech_final already ended it
        elif isinstance(event, SpeechStarted):
            if self._deadline is not None:
                self._deadline = self._clock() + self.delay_s
        elif isinstance(event, Closed):
            if event.failed:
                self.cancel()
            elif event.input_ended:
                self._end_utterance()

    def user_typed(self) -> None:
        """The user edited the text by hand: never send under their fingers."""
        self._deadline = None

    def cancel(self) -> None:
        """Stop a running countdown (dictation stopped, an error); the text stays pending."""
        self._deadline = None

    def reset(self) -> None:
        """The text left (or was cleared) some other way: start afresh."""
        self._pending = False
        self._ended = False
        self._deadline = None

    def set_mode(self, mode: Mode, delay_s: float | None = None) -> None:
        """Change the mode (review cancels a countdown) and, optionally, the delay."""
        self.mode = mode
        if delay_s is not None:
            self.delay_s = delay_s
        if mode == "review":
            self._deadline = None

    def due(self) -> bool:
        """True exactly once when the countdown has elapsed: send the text now."""
        if self._deadline is None or self._clock() < self._deadline:
            return False
        self.reset()
        self.submissions += 1
        return True

    # -- internals -----------------------------------------------------------------------

    def _new_words(self) -> None:
        self._deadline = None
        self._ended = False

    def _end_utterance(self) -> None:
        if not self._pending or self._ended:
            return
        self._ended = True
        if self.mode == "auto_submit":
            self._deadline = self._clock() + self.delay_s
