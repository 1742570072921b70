"""The microphone as an ``AudioSource``: QtMultimedia's QAudioSource, 16 kHz mono 16-bit.

Qt delivers bytes on ``readyRead`` (in the GUI thread, where the qasync loop runs); they are
cut into ~100 ms chunks and handed to the transcriber through an asyncio queue. No device,
an unknown device, a device that cannot record 16 kHz mono, a missing libpulse0 or a device
that fails mid-way each end with a ``ConfigError`` that says what to do; chatdesk stays usable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from typing import TYPE_CHECKING

from chatdesk.core.dictation import (
    BYTES_PER_SECOND,
    CHANNELS,
    SAMPLE_RATE,
    AudioChunk,
    AudioSource,
)
from chatdesk.errors import ChatdeskError, ConfigError
from chatdesk.speech.settings import DictationSettings
from chatdesk.speech.sources import WavFileSource, pcm_level

if TYPE_CHECKING:
    from PySide6.QtCore import QIODevice
    from PySide6.QtMultimedia import QAudioDevice, QAudioSource

log = logging.getLogger(__name__)

WAV_HINT = "To dictate from a WAV file instead, set CHATDESK_AUDIO_INPUT=/path/to/file.wav."
NO_MICROPHONE = (
    "No microphone was found. Connect one (or check that the system's sound service is "
    f"running and allows recording), then try again. {WAV_HINT}"
)


def input_names() -> list[str]:
    """The names of the audio inputs Qt sees (for a settings dialog); [] if none or no Qt
    multimedia."""
    try:
        from PySide6.QtMultimedia import QMediaDevices
    except ImportError:
        return []
    return [d.description() for d in QMediaDevices.audioInputs()]


def choose_device(devices: Sequence[QAudioDevice], wanted: str) -> QAudioDevice:
    """The device named ``wanted`` (by description or id), else the default; ConfigError when
    there is none or ``wanted`` is not connected."""
    if not devices:
        raise ConfigError(NO_MICROPHONE)
    wanted = wanted.strip()
    if not wanted:
        return next((d for d in devices if d.isDefault()), devices[0])
    for device in devices:
        if wanted in (device.description(), bytes(device.id().data()).decode(errors="replace")):
            return device
    names = ", ".join(d.description() for d in devices)
    raise ConfigError(
        f"The microphone {wanted!r} is not connected (available: {names}). Choose another "
        "in Settings → Dictation, or leave it empty for the system's default."
    )


class MicrophoneSource:
    """Records from a QtMultimedia input device."""

    def __init__(self, device: str = "", *, chunk_s: float = 0.1) -> None:
        self.device_name = device
        self.description = f"Microphone: {device}" if device else "Microphone"
        self._chunk_bytes = max(2, int(BYTES_PER_SECOND * chunk_s) // 2 * 2)
        self._queue: asyncio.Queue[AudioChunk | ChatdeskError | None] = asyncio.Queue()
        self._buffer = bytearray()
        self._audio: QAudioSource | None = None
        self._io: QIODevice | None = None
        self._closed = False

    async def open(self) -> None:
        """Start recording; raises ``ConfigError`` saying what is wrong."""
        try:
            from PySide6.QtMultimedia import QAudioFormat, QAudioSource, QMediaDevices, QtAudio
        except ImportError as exc:
            raise ConfigError(
                "The microphone cannot be used: Qt's multimedia library did not load "
                f"({exc}). On Debian or Ubuntu install libpulse0 "
                f"(sudo apt-get install libpulse0). {WAV_HINT}",
                detail=repr(exc),
            ) from exc
        device = choose_device(QMediaDevices.audioInputs(), self.device_name)
        self.description = f"Microphone: {device.description()}"
        fmt = QAudioFormat()
        fmt.setSampleRate(SAMPLE_RATE)
        fmt.setChannelCount(CHANNELS)
        fmt.setSampleFormat(QAudioFormat.SampleFormat.Int16)
        if not device.isFormatSupported(fmt):
            raise ConfigError(
                f"The microphone {device.description()!r} cannot record 16 kHz mono 16-bit "
                f"audio. Choose another in Settings → Dictation. {WAV_HINT}"
            )
        audio = QAudioSource(device, fmt)
        io = audio.start()
        if io is None or audio.error() != QtAudio.Error.NoError:
            error = audio.error().name
            audio.stop()
            raise ConfigError(
                f"The microphone {device.description()!r} could not be opened ({error}). "
                f"Another program may be using it, or recording is not allowed. {WAV_HINT}"
            )
        self._audio, self._io = audio, io
        io.readyRead.connect(self._on_ready)
        audio.stateChanged.connect(self._on_state)
        log.info("recording from %s", device.description())

    def _on_ready(self) -> None:
        if self._io is None or self._closed:
            return
        self._buffer += bytes(self._io.readAll().data())
        size = self._chunk_bytes
        while len(self._buffer) >= size:
            piece = bytes(self._buffer[:size])
            del self._buffer[:size]
            self._queue.put_nowait(AudioChunk(piece, pcm_level(piece)))

    def _on_state(self) -> None:
        from PySide6.QtMultimedia import QtAudio

        audio = self._audio
        if audio is None or self._closed:
            return
        if audio.state() == QtAudio.State.StoppedState and audio.error() != QtAudio.Error.NoError:
            self._queue.put_nowait(
                ConfigError(
                    f"The microphone stopped working ({audio.error().name}); dictation "
                    "stopped. The text dictated so far stays in the composer."
                )
            )

    def __aiter__(self) -> AsyncIterator[AudioChunk]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[AudioChunk]:
        while True:
            item = await self._queue.get()
            if item is None:
                return
            if isinstance(item, ChatdeskError):
                raise item
            yield item

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._audio is not None:
            self._audio.stop()
            self._audio.deleteLater()
        self._audio = self._io = None
        self._queue.put_nowait(None)


def source_factory(audio_input: str = "") -> Callable[[DictationSettings], AudioSource]:
    """What ``DictationController`` records from: the WAV file ``audio_input`` when set
    (``CHATDESK_AUDIO_INPUT``), else the microphone chosen in the settings."""

    def make(settings: DictationSettings) -> AudioSource:
        if audio_input.strip():
            return WavFileSource(audio_input.strip())
        return MicrophoneSource(settings.device)

    return make
