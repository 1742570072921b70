"""Dictation auto-submit benchmark: from the end-of-utterance event to the message leaving.

Run from the repository root:
``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_dictation [--runs 50] [--delay 0.3]``.

Each run is a whole dictation session in offscreen Qt on the qasync loop, as in the app: a WAV
file played in real time -> DeepgramTranscriber (deepgram-sdk) -> FakeDeepgram on 127.0.0.1 ->
DictationController -> Composer. The fake sends the utterance's end (a final result with
``speech_final: true`` on even runs, Deepgram's ``UtteranceEnd`` fallback after a plain final on
odd runs) and records when it wrote that frame; the clock stops when the composer emits
``sendRequested`` (the message leaving). Target: the configured delay within ±50 ms, every run.
The delay defaults to 0.3 s so the 50 runs take about 30 s; ``--delay 1.2`` checks the default.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tests.fakes.deepgram import FakeDeepgram, results, send, utterance_end
from tests.fixtures.speech import speechlike, write_wav

from bench.common import fmt_seconds, print_table, verdict

TOLERANCE_S = 0.050


async def one_run(
    fake: FakeDeepgram, wav: Path, delay: float, fallback: bool
) -> tuple[float, float]:
    """One session; returns (end frame -> message left, end frame -> countdown started)."""
    from chatdesk.speech.deepgram import DeepgramTranscriber
    from chatdesk.speech.settings import DictationSettings
    from chatdesk.speech.sources import WavFileSource
    from chatdesk.ui.composer.composer import Composer
    from chatdesk.ui.dictation.dictation_controller import DictationController
    from chatdesk.ui.kit.task_runner import TaskRunner

    if fallback:
        fake.script(
            send(0.1, results("Benchmark words", is_final=True)),
            send(0.2, utterance_end(0.1)),
        )
    else:
        fake.script(send(0.1, results("Benchmark words.", is_final=True, speech_final=True)))
    composer = Composer()
    runner = TaskRunner(composer)
    settings = DictationSettings(auto_submit_delay_s=delay)
    controller = DictationController(
        composer,
        runner,
        settings,
        lambda s: DeepgramTranscriber(s, lambda: fake.api_key, base_url=fake.base_url),
        lambda _s: WavFileSource(wav),
    )
    left = asyncio.Event()
    marks: dict[str, float] = {}

    def on_send(_text: str) -> None:
        marks["left"] = time.monotonic()
        composer.clear_after_send()
        left.set()

    composer.sendRequested.connect(on_send)
    controller.countdownStarted.connect(lambda _s: marks.setdefault("armed", time.monotonic()))
    controller.start()
    async with asyncio.timeout(delay + 10):
        await left.wait()
    controller.stop()
    await runner.wait_idle()
    composer.deleteLater()
    session = fake.last
    end_at = session.sent_at[1 if fallback else 0]  # (Metadata follows on close)
    return marks["left"] - end_at, marks["armed"] - end_at


async def run(runs: int, delay: float) -> list[tuple[bool, float, float]]:
    out: list[tuple[bool, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp, FakeDeepgram() as fake:
        wav = write_wav(Path(tmp) / "bench.wav", speechlike(0.5, silence_s=delay + 2.0))
        await one_run(fake, wav, delay, False)  # warm up: imports, first connection
        for n in range(runs):
            fallback = n % 2 == 1
            total, armed = await one_run(fake, wav, delay, fallback)
            out.append((fallback, total, armed))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.3, help="auto-submit delay (s)")
    args = parser.parse_args()

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    try:
        measured = loop.run_until_complete(run(args.runs, args.delay))
    finally:
        loop.close()

    rows: list[list[str]] = []
    all_ok = True
    for label, pick in (
        ("speech_final -> sent", [m for m in measured if not m[0]]),
        ("UtteranceEnd fallback -> sent", [m for m in measured if m[0]]),
        ("all runs", measured),
    ):
        totals = [t for _, t, _ in pick]
        errors = [abs(t - args.delay) for t in totals]
        ok = max(errors) <= TOLERANCE_S
        all_ok &= ok
        delivery = statistics.median(a for _, _, a in pick)
        rows.append(
            [
                f"{label} ({len(pick)} runs)",
                fmt_seconds(statistics.median(totals)),
                f"{fmt_seconds(min(totals))} .. {fmt_seconds(max(totals))}",
                fmt_seconds(max(errors)),
                fmt_seconds(delivery),
                f"{args.delay:g} s ± 50 ms",
                verdict(ok),
            ]
        )
    print(
        f"auto-submit delay {args.delay:g} s, {len(measured)} dictation sessions "
        "(end frame written by the fake -> composer.sendRequested)"
    )
    print()
    print_table(
        [
            "measure",
            "median",
            "min .. max",
            "worst error",
            "frame -> countdown",
            "target",
            "result",
        ],
        rows,
    )
    if not all_ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
