"""WavFileSource: format checks with clear messages, conversion to 16 kHz mono s16le, pacing."""

from __future__ import annotations

import array
import asyncio
import contextlib
import itertools
import math
import os
import re
import threading
import time
from pathlib import Path

import pytest

from chatdesk.core.dictation import BYTES_PER_SECOND
from chatdesk.errors import InputError
from chatdesk.speech.sources import WavFileSource, pcm_level
from fixtures.speech import HELLO_WAV, linear16, tone, write_float_wav, write_wav


async def collect(source: WavFileSource) -> list[bytes]:
    await source.open()
    return [chunk.pcm async for chunk in source]


def samples(pcm: bytes) -> array.array[int]:
    out = array.array("h")
    out.frombytes(pcm)
    return out


def dominant_frequency(pcm: bytes, rate: int = 16_000) -> float:
    """Zero crossings per second / 2: enough to tell a 440 Hz tone from a wrong rate."""
    s = samples(pcm)
    crossings = sum(1 for a, b in itertools.pairwise(s) if (a < 0) != (b < 0))
    return crossings / 2 / (len(s) / rate)


async def test_a_16k_mono_file_is_sent_unchanged_in_100_ms_chunks(tmp_path: Path) -> None:
    signal = tone(1.05)
    path = write_wav(tmp_path / "a.wav", signal)
    chunks = await collect(WavFileSource(path, speed=math.inf))
    assert b"".join(chunks) == linear16(signal)
    assert [len(c) for c in chunks[:-1]] == [3200] * 10
    assert len(chunks[-1]) == 1600  # the last 50 ms


@pytest.mark.parametrize(
    ("rate", "channels", "width"),
    [(44_100, 2, 2), (48_000, 1, 3), (8_000, 1, 1), (22_050, 2, 4), (11_025, 6, 2)],
)
async def test_other_pcm_formats_are_converted(
    tmp_path: Path, rate: int, channels: int, width: int
) -> None:
    path = write_wav(
        tmp_path / "x.wav", tone(1.0, rate=rate), rate=rate, channels=channels, width=width
    )
    source = WavFileSource(path, speed=math.inf)
    pcm = b"".join(await collect(source))
    assert abs(len(pcm) / BYTES_PER_SECOND - 1.0) < 0.002
    assert abs(dominant_frequency(pcm) - 440) < 15
    peak = max(abs(s) for s in samples(pcm))
    assert 0.2 * 32767 < peak < 0.4 * 32767  # amplitude 0.3 survives mixing and resampling


async def test_the_committed_speech_fixture_is_small_and_usable() -> None:
    assert HELLO_WAV.stat().st_size < 100_000
    source = WavFileSource(HELLO_WAV)
    await source.open()
    assert 2.5 < source.duration_s < 3.5
    assert source.description == "WAV file: hello.wav"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: p, "does not exist"),
        (lambda p: (p.mkdir(), p)[1], "is a folder, not a WAV file"),
        (lambda p: (p.write_text("hello, I am text"), p)[1], "is not a WAV file"),
        (lambda p: (p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt "), p)[1], ""),
        (lambda p: write_float_wav(p, tone(0.1)), "32-bit float samples"),
        (lambda p: write_wav(p, []), "holds no audio"),
    ],
)
async def test_unusable_files_get_a_specific_message(
    tmp_path: Path, make: object, expected: str
) -> None:
    path = make(tmp_path / "in.wav")  # type: ignore[operator]
    with pytest.raises(InputError) as caught:
        await WavFileSource(path).open()
    message = caught.value.user_message
    assert expected in message
    assert "in.wav" in message


async def test_float_files_are_refused_with_a_way_to_convert_them(tmp_path: Path) -> None:
    path = write_float_wav(tmp_path / "f.wav", tone(0.2))
    with pytest.raises(InputError, match=re.escape("sox in.wav -r 16000 -c 1 -b 16 out.wav")):
        await WavFileSource(path).open()


async def test_playback_keeps_real_time_pace(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "p.wav", tone(0.6))
    source = WavFileSource(path, speed=2.0)  # 0.6 s of audio in about 0.3 s
    await source.open()
    start = time.monotonic()
    arrivals = [time.monotonic() - start async for _ in source]
    assert len(arrivals) == 6
    # chunk n leaves at n * 50 ms: never early, and the whole file takes ~0.25 s
    for n, at in enumerate(arrivals):
        assert at >= n * 0.05 - 0.005
    assert arrivals[-1] < 1.0


async def test_closing_stops_the_playback(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "long.wav", tone(3.0))
    source = WavFileSource(path, speed=math.inf)
    await source.open()
    got = 0
    async for _ in source:
        got += 1
        if got == 3:
            await source.aclose()
    assert got == 3


def test_level_is_a_dbfs_meter_reading() -> None:
    assert pcm_level(b"") == 0.0
    assert pcm_level(bytes(3200)) == 0.0
    full = linear16([1.0, -1.0] * 800)
    assert pcm_level(full) == pytest.approx(1.0, abs=0.01)
    quiet = linear16([0.1, -0.1] * 800)  # -20 dBFS
    assert pcm_level(quiet) == pytest.approx(2 / 3, abs=0.01)
    assert pcm_level(linear16([0.0001] * 100)) == 0.0  # below -60 dBFS


def _hang_up(fifo: Path) -> None:
    """Open ``fifo`` as a writer and close it: a reader blocked in open() wakes up to EOF."""
    with contextlib.suppress(OSError):  # ENXIO: no reader is waiting, nothing to wake
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


async def test_open_reads_the_file_off_the_event_loop(tmp_path: Path) -> None:
    """A FIFO's reader blocks until the writer comes: the loop must keep running meanwhile."""
    data = write_wav(tmp_path / "t.wav", tone(0.2)).read_bytes()
    fifo = tmp_path / "late.wav"
    os.mkfifo(fifo)
    source = WavFileSource(fifo)
    # Were the file read on the loop, the loop would stop in that read and no asyncio timeout
    # could fire: this thread then ends the read with EOF, and the checks below fail.
    watchdog = threading.Timer(10.0, _hang_up, args=(fifo,))
    watchdog.start()
    ticks: list[int] = []

    async def other_work() -> None:
        for n in range(5):
            ticks.append(n)
            await asyncio.sleep(0)

    task = asyncio.create_task(source.open())
    try:
        await asyncio.create_task(other_work())  # other tasks run while open() waits
        assert ticks == [0, 1, 2, 3, 4]
        assert not task.done(), "open() finished before the file had any data"
        watchdog.cancel()
        async with asyncio.timeout(10):
            await asyncio.to_thread(fifo.write_bytes, data)
            await task
    finally:
        watchdog.cancel()
        if not task.done():  # never leave a worker thread stuck on the FIFO
            _hang_up(fifo)
        with contextlib.suppress(Exception):  # an error here is already the test's failure
            async with asyncio.timeout(10):
                await task
    assert source.duration_s == pytest.approx(0.2)
