"""Audio sources for dictation: the ``AudioSource`` port and a WAV file played in real time.

Every source yields ``AudioChunk``s of 16 kHz mono signed 16-bit little-endian PCM (Deepgram's
``linear16``), about 100 ms each, with a 0..1 loudness for the level meter. ``WavFileSource``
stands in for the microphone (``CHATDESK_AUDIO_INPUT=/path/file.wav``): tests, demos and
accessibility set-ups. It accepts integer PCM WAV files of any rate and channel count
(8/16/24/32-bit), mixes them down to mono and resamples to 16 kHz; anything else gets a
message that says what the file is and how to convert it.
"""

from __future__ import annotations

import array
import asyncio
import math
import sys
import wave
from collections.abc import AsyncIterator
from pathlib import Path

from chatdesk.core.dictation import (
    BYTES_PER_SECOND,
    SAMPLE_RATE,
    AudioChunk,
    AudioSource,
)
from chatdesk.errors import InputError

__all__ = ["AudioChunk", "AudioSource", "WavFileSource", "pcm_level", "to_linear16"]

CHUNK_S = 0.1
#: Longest file accepted (it is converted in memory: 15 min is ~29 MB of 16 kHz audio).
MAX_SECONDS = 15 * 60
_CONVERT_HINT = "Convert it with e.g. `sox in.wav -r 16000 -c 1 -b 16 out.wav`."


def pcm_level(pcm: bytes) -> float:
    """Loudness of linear16 audio as 0..1 on a -60..0 dBFS scale (a level meter's reading)."""
    samples = array.array("h")
    samples.frombytes(pcm[: len(pcm) - len(pcm) % 2])
    if not samples:
        return 0.0
    if sys.byteorder == "big":  # pragma: no cover - little-endian machines
        samples.byteswap()
    rms = math.sqrt(sum(s * s for s in samples) / len(samples))
    if rms < 1:
        return 0.0
    db = 20 * math.log10(rms / 32768)
    return max(0.0, min(1.0, (db + 60) / 60))


def to_linear16(frames: bytes, sample_width: int, channels: int, rate: int) -> bytes:
    """Integer PCM of any width, channel count and rate -> 16 kHz mono s16le."""
    samples = _to_int16(frames, sample_width)
    if channels > 1:
        samples = _mix_down(samples, channels)
    if rate != SAMPLE_RATE:
        samples = _resample(samples, rate, SAMPLE_RATE)
    if sys.byteorder == "big":  # pragma: no cover - little-endian machines
        samples.byteswap()
    return samples.tobytes()


class WavFileSource:
    """A WAV file played in real time (``speed`` > 1 plays faster, for tests)."""

    def __init__(self, path: str | Path, *, speed: float = 1.0, chunk_s: float = CHUNK_S) -> None:
        self.path = Path(path).expanduser()
        self.speed = speed
        self.chunk_s = chunk_s
        self.description = f"WAV file: {self.path.name}"
        self._pcm: bytes | None = None
        self._closed = False

    @property
    def duration_s(self) -> float:
        """Seconds of audio (after ``open``)."""
        return len(self._pcm or b"") / BYTES_PER_SECOND

    @property
    def pcm(self) -> bytes:
        """The converted audio (after ``open``), exactly as it is sent."""
        return self._pcm or b""

    async def open(self) -> None:
        """Read, check and convert the file; raises ``InputError`` saying what is wrong."""
        if self._pcm is None:
            self._pcm = await asyncio.to_thread(self._load)

    def _load(self) -> bytes:
        path = self.path
        if not path.exists():
            raise InputError(f"The audio input file {path} does not exist.")
        if path.is_dir():
            raise InputError(f"The audio input {path} is a folder, not a WAV file.")
        try:
            with wave.open(str(path), "rb") as wav:
                width, channels = wav.getsampwidth(), wav.getnchannels()
                rate, count = wav.getframerate(), wav.getnframes()
                if not 1 <= width <= 4:
                    raise InputError(f"{path.name} has {width * 8}-bit samples. {_CONVERT_HINT}")
                if channels < 1 or not 4000 <= rate <= 384_000:
                    raise InputError(
                        f"{path.name} has {channels} channel(s) at {rate} Hz, which cannot be "
                        f"dictation audio. {_CONVERT_HINT}"
                    )
                if count / rate > MAX_SECONDS:
                    raise InputError(
                        f"{path.name} is {count / rate / 60:.0f} minutes long; dictation "
                        f"plays at most {MAX_SECONDS // 60} minutes."
                    )
                frames = wav.readframes(count)
        except InputError:
            raise
        except PermissionError as exc:
            raise InputError(f"chatdesk may not read {path}: {exc.strerror}.") from exc
        except OSError as exc:
            raise InputError(f"Could not read {path}: {exc.strerror or exc}.") from exc
        except wave.Error as exc:
            raise InputError(_describe_wave_error(path, exc), detail=str(exc)) from exc
        except EOFError as exc:
            raise InputError(f"{path.name} is cut short (an incomplete WAV file).") from exc
        usable = len(frames) - len(frames) % (width * channels)
        if usable <= 0:
            raise InputError(f"{path.name} holds no audio.")
        return to_linear16(frames[:usable], width, channels, rate)

    def __aiter__(self) -> AsyncIterator[AudioChunk]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[AudioChunk]:
        if self._pcm is None:
            await self.open()
        pcm = self.pcm
        step = max(2, int(BYTES_PER_SECOND * self.chunk_s) // 2 * 2)
        loop = asyncio.get_running_loop()
        start = loop.time()
        for n, offset in enumerate(range(0, len(pcm), step)):
            if self._closed:
                return
            if self.speed != math.inf:
                # Pace the file like a microphone: chunk n leaves at n * chunk_s / speed.
                wait = start + n * self.chunk_s / self.speed - loop.time()
                await asyncio.sleep(max(0.0, wait))
            else:
                await asyncio.sleep(0)
            piece = pcm[offset : offset + step]
            yield AudioChunk(piece, pcm_level(piece))

    async def aclose(self) -> None:
        self._closed = True


def _describe_wave_error(path: Path, exc: wave.Error) -> str:
    text = str(exc)
    if "RIFF" in text or "WAVE" in text:
        return f"{path.name} is not a WAV file. Dictation plays 16-bit PCM WAV files."
    if "unknown format: 3" in text:
        return (
            f"{path.name} holds 32-bit float samples, which chatdesk cannot play. {_CONVERT_HINT}"
        )
    if "unknown format" in text:
        return (
            f"{path.name} is a compressed or extended WAV file ({text}); dictation plays PCM "
            f"WAV files. {_CONVERT_HINT}"
        )
    return f"{path.name} is not a usable WAV file ({text}). {_CONVERT_HINT}"


def _to_int16(frames: bytes, width: int) -> array.array[int]:
    out = bytearray(len(frames) // width * 2)
    if width == 1:  # unsigned 8-bit: flip the sign bit, use it as the high byte
        out[1::2] = frames.translate(bytes((b ^ 0x80) for b in range(256)))
    elif width == 2:
        out[:] = frames
    else:  # 24/32-bit little-endian: keep the two most significant bytes
        out[0::2] = frames[width - 2 :: width]
        out[1::2] = frames[width - 1 :: width]
    samples = array.array("h")
    samples.frombytes(bytes(out))
    if sys.byteorder == "big":  # pragma: no cover - little-endian machines
        samples.byteswap()
    return samples


def _mix_down(samples: array.array[int], channels: int) -> array.array[int]:
    lanes = [samples[c::channels] for c in range(channels)]
    return array.array("h", (sum(frame) // channels for frame in zip(*lanes, strict=False)))


def _resample(samples: array.array[int], src: int, dst: int) -> array.array[int]:
    """Averaging over each output sample's span when shrinking, linear when growing."""
    n_in = len(samples)
    n_out = max(1, n_in * dst // src)
    ratio = src / dst
    out = array.array("h", bytes(2 * n_out))
    if ratio > 1:
        prefix = [0]
        total = 0
        for s in samples:
            total += s
            prefix.append(total)
        for i in range(n_out):
            a = int(i * ratio)
            b = max(a + 1, min(n_in, int((i + 1) * ratio)))
            out[i] = (prefix[b] - prefix[a]) // (b - a)
    else:
        last = n_in - 1
        for i in range(n_out):
            pos = i * ratio
            j = int(pos)
            k = min(j + 1, last)
            out[i] = int(samples[j] + (samples[k] - samples[j]) * (pos - j))
    return out
