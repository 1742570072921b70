"""Dictation end to end in the widgets: WAV file -> DeepgramTranscriber -> FakeDeepgram ->
DictationController -> Composer -> the text leaves (or waits), on the qasync loop.

Countdowns use a manual clock where the order of things matters (the controller's timer
wakes ``tick`` in real time, but the deadline only passes when the test moves the clock);
the audio of ``GatedWav`` flows only as far as the test releases it, so frames arrive
exactly between the test's own actions.
"""

from __future__ import annotations

import asyncio
import gc
import math
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent, QTextCharFormat
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from chatdesk.core.dictation import BYTES_PER_SECOND, AudioChunk, AudioSource
from chatdesk.errors import ConfigError
from chatdesk.speech.deepgram import DeepgramTranscriber
from chatdesk.speech.settings import DictationSettings
from chatdesk.speech.sources import WavFileSource
from chatdesk.ui.composer.composer import Composer
from chatdesk.ui.dictation.dictation_controller import DictationController, MicButton
from chatdesk.ui.dictation.microphone_source import MicrophoneSource, input_names, source_factory
from chatdesk.ui.dictation.push_to_talk_key import PushToTalkKey
from chatdesk.ui.kit.task_runner import TaskRunner
from fakes.clock import FakeClock
from fakes.deepgram import (
    DEFAULT_KEY,
    FakeDeepgram,
    drop,
    fail,
    results,
    send,
    speech_started,
    utterance_end,
)
from fixtures.speech import speechlike, write_wav
from qtapp import SignalWaiter

pytestmark = pytest.mark.gui

SENTENCE = "What is the capital of France?"


class GatedWav:
    """A WAV file whose audio flows only up to the position the test has released."""

    def __init__(self, path: Path) -> None:
        self._wav = WavFileSource(path, speed=math.inf)
        self.description = self._wav.description
        self._limit = 0.0
        self._moved = asyncio.Event()

    def release(self, seconds: float = math.inf) -> None:
        self._limit = seconds
        self._moved.set()

    async def open(self) -> None:
        await self._wav.open()

    def __aiter__(self) -> AsyncIterator[AudioChunk]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[AudioChunk]:
        sent = 0
        async for chunk in self._wav:
            while sent + len(chunk.pcm) > self._limit * BYTES_PER_SECOND:
                self._moved.clear()
                await self._moved.wait()
            sent += len(chunk.pcm)
            yield chunk

    async def aclose(self) -> None:
        await self._wav.aclose()
        self.release()


@dataclass
class Rig:
    """A composer, a controller wired like the window will wire it, and what left."""

    composer: Composer
    controller: DictationController
    runner: TaskRunner
    clock: FakeClock
    sent: list[str] = field(default_factory=list)
    notices: list[tuple[str, str]] = field(default_factory=list)

    def text(self) -> str:
        return self.composer.text()

    async def until_idle(self) -> None:
        if self.controller.state != "idle":
            waiter = SignalWaiter(self.controller.stateChanged)
            async with asyncio.timeout(10):
                while self.controller.state != "idle":
                    await waiter.wait(len(waiter.values) + 1)
        await self.runner.wait_idle()


@pytest.fixture
def fake() -> Iterator[FakeDeepgram]:
    with FakeDeepgram() as server:
        yield server


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    return write_wav(tmp_path / "speech.wav", speechlike(2.5, silence_s=0.5))


@pytest.fixture
async def make_rig(qtbot: QtBot, fake: FakeDeepgram) -> AsyncIterator[Callable[..., Rig]]:
    rigs: list[Rig] = []

    def make(
        source: AudioSource | Callable[[DictationSettings], AudioSource],
        *,
        key: str = DEFAULT_KEY,
        manual_clock: bool = True,
        **settings: object,
    ) -> Rig:
        composer = Composer()
        qtbot.addWidget(composer)
        composer.resize(500, 160)
        composer.show()
        clock = FakeClock(1000.0)
        runner = TaskRunner(composer)
        config = DictationSettings().replace(**settings)
        controller = DictationController(
            composer,
            runner,
            config,
            lambda s: DeepgramTranscriber(s, lambda: key, base_url=fake.base_url),
            source if callable(source) else (lambda _s: source),
            clock=clock if manual_clock else __import__("time").monotonic,
        )
        rig = Rig(composer, controller, runner, clock)

        def window_send(text: str) -> None:  # what MainWindow._send does on success
            rig.sent.append(text)
            composer.clear_after_send()

        composer.sendRequested.connect(window_send)
        controller.notice.connect(lambda level, text: rig.notices.append((level, text)))
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:  # a failed test may leave a session running: end it here
        rig.controller.stop()
        await rig.runner.shutdown(grace_s=5)
        # Delete the widgets now, in this thread, through Qt's own deferred delete (which
        # disconnects what points at them first): left to the garbage collector, which may run
        # in the fake server's thread, a widget would die in the wrong thread.
        rig.composer.close()
        rig.composer.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    rigs.clear()
    gc.collect()


async def test_speech_final_sends_the_sentence_once_after_the_delay(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    """The real path: real-time WAV, the real clock and timer, a short delay."""
    fake.script(
        send(0.1, speech_started(0.1)),
        send(0.3, results("what is")),
        send(0.6, results("what is the capital")),
        send(1.0, results(SENTENCE, is_final=True, speech_final=True)),
        send(2.2, utterance_end(1.0)),  # arrives after the text left: ignored
    )
    rig = make_rig(WavFileSource(wav, speed=2), manual_clock=False, auto_submit_delay_s=0.3)
    submitted = SignalWaiter(rig.controller.submitted)
    states = SignalWaiter(rig.controller.stateChanged)
    rig.controller.toggle()
    assert rig.controller.state == "starting"
    (text,) = await submitted.wait()
    assert text == SENTENCE
    assert rig.sent == [SENTENCE]
    assert rig.text() == ""  # the window cleared it
    await rig.until_idle()  # the file ends, the stream closes cleanly
    assert rig.sent == [SENTENCE]  # exactly once
    assert [s for (s,) in states.values] == ["starting", "listening", "idle"]
    assert fake.last.controls == ["CloseStream"]
    assert rig.notices == []


async def test_interim_text_is_shown_live_in_a_distinct_style_then_replaced(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(
        send(0.3, results("what is")),
        send(0.6, results("what is the capital")),
        send(1.0, results(SENTENCE, is_final=True, speech_final=True)),
    )
    source = GatedWav(wav)
    rig = make_rig(source, mode="review")
    edit = rig.composer.edit
    changed = SignalWaiter(edit.textChanged)
    rig.controller.start()
    source.release(0.3)
    await _until(changed, lambda: rig.composer.interim_text() == "what is")
    (mark,) = edit.extraSelections()
    assert mark.cursor.selectedText() == "what is"
    assert mark.format.fontItalic()
    assert mark.format.underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine
    source.release(0.6)
    await _until(changed, lambda: rig.text() == "what is the capital")
    assert rig.composer.interim_text() == "what is the capital"  # replaced, not appended
    source.release(1.0)
    await _until(changed, lambda: rig.text() == SENTENCE)
    assert rig.composer.interim_text() == ""
    assert edit.extraSelections() == []
    assert not edit.document().firstBlock().charFormat().fontItalic()
    rig.controller.stop()
    await rig.until_idle()


async def test_the_user_types_while_dictating_and_nothing_is_swallowed(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(
        send(0.3, results("hello")),
        send(0.6, results("Hello there.", is_final=True)),
        send(0.9, results("second")),
        send(1.2, results("Second part.", is_final=True, speech_final=True)),
    )
    source = GatedWav(wav)
    rig = make_rig(source, mode="review")
    edit = rig.composer.edit
    changed = SignalWaiter(edit.textChanged)
    QTest.keyClicks(edit, "Note:")
    rig.controller.start()
    source.release(0.3)
    await _until(changed, lambda: rig.composer.interim_text() == "hello")
    assert rig.text() == "Note: hello"  # at the cursor, a space before it
    QTest.keyClicks(edit, "!")  # right after the interim words: not part of them
    edit.moveCursor(edit.textCursor().MoveOperation.Start)
    QTest.keyClicks(edit, "PS ")  # elsewhere while the words are still changing
    source.release(0.6)
    await _until(changed, lambda: rig.composer.interim_text() == "" and "Hello" in rig.text())
    assert rig.text() == "PS Note: Hello there.!"
    edit.moveCursor(edit.textCursor().MoveOperation.End)
    source.release(1.2)
    await _until(changed, lambda: rig.text().endswith("Second part."))
    assert rig.text() == "PS Note: Hello there.! Second part."
    rig.controller.stop()
    await rig.until_idle()
    assert rig.sent == []  # review mode


async def test_utterance_end_is_the_fallback_when_no_speech_final_comes(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(
        send(0.3, results("noisy room", is_final=True)),
        send(0.6, results("but clear words", is_final=True)),
        send(1.6, utterance_end(0.6)),
    )
    source = GatedWav(wav)
    rig = make_rig(source, auto_submit_delay_s=1.2)
    started = SignalWaiter(rig.controller.countdownStarted)
    submitted = SignalWaiter(rig.controller.submitted)
    changed = SignalWaiter(rig.composer.edit.textChanged)
    rig.controller.start()
    source.release(1.0)
    await _until(changed, lambda: rig.text() == "noisy room but clear words")
    assert started.values == [] and rig.controller.rules.deadline is None  # finals alone
    source.release(1.6)
    (remaining,) = await started.wait()
    assert remaining == pytest.approx(1.2)
    rig.clock.now += 1.19
    rig.controller.tick()
    assert rig.sent == []
    rig.clock.now += 0.01
    rig.controller.tick()
    (text,) = await submitted.wait()
    assert text == "noisy room but clear words" and rig.sent == [text]
    rig.controller.tick()
    source.release()
    await rig.until_idle()
    assert rig.sent == [text]


async def test_new_speech_cancels_the_countdown(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(
        send(0.3, results("First part.", is_final=True, speech_final=True)),
        send(0.6, speech_started(0.55)),
        send(0.8, results("and more")),
        send(1.2, results("and more.", is_final=True, speech_final=True)),
    )
    source = GatedWav(wav)
    rig = make_rig(source, auto_submit_delay_s=1.2)
    started = SignalWaiter(rig.controller.countdownStarted)
    cancelled = SignalWaiter(rig.controller.countdownCancelled)
    submitted = SignalWaiter(rig.controller.submitted)
    rig.controller.start()
    source.release(0.3)
    await started.wait(1)
    rig.clock.now += 1.0  # most of the delay passes...
    source.release(0.8)  # ...then the speaker goes on
    await cancelled.wait(1)
    assert len(started.values) == 2  # SpeechStarted restarted it, the words cancelled it
    rig.clock.now += 30
    rig.controller.tick()
    assert rig.sent == [] and submitted.values == []
    assert rig.text() == "First part. and more"
    source.release(1.2)
    await started.wait(3)
    rig.clock.now += 1.2
    rig.controller.tick()
    await submitted.wait()
    assert rig.sent == ["First part. and more."]
    source.release()
    await rig.until_idle()
    assert len(rig.sent) == 1


async def test_review_mode_never_sends(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(
        send(0.3, results(SENTENCE, is_final=True, speech_final=True)),
        send(1.5, utterance_end(0.3)),
    )
    rig = make_rig(WavFileSource(wav, speed=8), mode="review", auto_submit_delay_s=0.0)
    started = SignalWaiter(rig.controller.countdownStarted)
    status = SignalWaiter(rig.controller.statusChanged)
    rig.controller.start()
    await rig.until_idle()  # the whole file, and the stream closed
    rig.clock.now += 3600
    rig.controller.tick()
    assert rig.sent == [] and started.values == []
    assert rig.text() == SENTENCE
    assert ("Review the dictated text, then press Enter to send.",) in status.values
    QTest.keyClick(rig.composer.edit, Qt.Key.Key_Return)  # the user sends it
    assert rig.sent == [SENTENCE]


async def test_typing_during_the_countdown_cancels_it(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(send(0.3, results("Send this", is_final=True, speech_final=True)))
    source = GatedWav(wav)
    rig = make_rig(source)
    started = SignalWaiter(rig.controller.countdownStarted)
    cancelled = SignalWaiter(rig.controller.countdownCancelled)
    rig.controller.start()
    source.release(0.3)
    await started.wait()
    QTest.keyClicks(rig.composer.edit, " please")
    assert len(cancelled.values) == 1
    rig.clock.now += 10
    rig.controller.tick()
    assert rig.sent == [] and rig.text() == "Send this please"
    rig.controller.stop()
    await rig.until_idle()


async def test_a_manual_send_during_the_countdown_is_the_only_send(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(send(0.3, results("Quick one", is_final=True, speech_final=True)))
    source = GatedWav(wav)
    rig = make_rig(source)
    started = SignalWaiter(rig.controller.countdownStarted)
    rig.controller.start()
    source.release(0.3)
    await started.wait()
    QTest.keyClick(rig.composer.edit, Qt.Key.Key_Return)
    rig.clock.now += 10
    rig.controller.tick()
    assert rig.sent == ["Quick one"]
    rig.controller.stop()
    await rig.until_idle()


async def test_enter_sends_the_final_words_and_keeps_the_interim_ones(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(
        send(0.3, results("Send me.", is_final=True)),
        send(0.5, results("and not")),
        send(0.9, results("And not this yet.", is_final=True)),
    )
    source = GatedWav(wav)
    rig = make_rig(source, mode="review")
    changed = SignalWaiter(rig.composer.edit.textChanged)
    rig.controller.start()
    source.release(0.5)
    await _until(changed, lambda: rig.composer.interim_text() == "and not")
    assert rig.text() == "Send me. and not"
    QTest.keyClick(rig.composer.edit, Qt.Key.Key_Return)
    assert rig.sent == ["Send me."]  # grey words may still change: they wait
    source.release(0.9)
    await _until(changed, lambda: rig.text() == "And not this yet.")
    rig.controller.stop()
    await rig.until_idle()
    assert rig.sent == ["Send me."]


async def test_stopping_by_hand_keeps_the_text_for_review(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(
        send(0.3, results("Stop here", is_final=True)),
        on_close_stream=[results("and wait.", is_final=True, speech_final=True)],
    )
    source = GatedWav(wav)
    rig = make_rig(source)
    changed = SignalWaiter(rig.composer.edit.textChanged)
    rig.controller.start()
    source.release(0.3)
    await _until(changed, lambda: rig.text() == "Stop here")
    rig.controller.toggle()  # Ctrl+Shift+D again
    assert rig.controller.state == "stopping"
    await rig.until_idle()
    rig.clock.now += 10
    rig.controller.tick()
    assert rig.text() == "Stop here and wait."  # the last words still arrived
    assert rig.sent == []
    assert fake.last.controls == ["CloseStream"]


async def test_shutdown_closes_the_stream_cleanly(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(send(0.2, results("Last words", is_final=True)))
    source = GatedWav(wav)
    rig = make_rig(source)
    changed = SignalWaiter(rig.composer.edit.textChanged)
    rig.controller.start()
    source.release(0.2)
    await _until(changed, lambda: rig.text() == "Last words")
    await rig.controller.shutdown()
    assert rig.controller.state == "idle"
    assert fake.last.controls == ["CloseStream"] and fake.last.ended == "server-close"
    assert rig.text() == "Last words" and rig.sent == []


async def test_a_401_at_handshake_says_so_and_keeps_the_draft(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    rig = make_rig(WavFileSource(wav), key="not-my-key")
    QTest.keyClicks(rig.composer.edit, "my draft")
    rig.controller.toggle()
    await rig.until_idle()
    ((level, text),) = rig.notices
    assert level == "error" and "Deepgram rejected the API key (401" in text
    assert rig.text() == "my draft"
    assert fake.last.status == 401 and not fake.last.audio
    assert rig.sent == []


async def test_connection_lost_keeps_every_dictated_word(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(
        send(0.3, results("Kept words.", is_final=True, speech_final=True)),
        send(0.5, results("half a")),
        drop(0.6),
    )
    rig = make_rig(WavFileSource(wav, speed=4), manual_clock=False, auto_submit_delay_s=5.0)
    rig.controller.start()
    await rig.until_idle()
    ((level, text),) = rig.notices
    assert level == "error" and "connection to Deepgram was lost" in text
    assert rig.text() == "Kept words. half a"  # the interim words stay, as plain text
    assert rig.composer.edit.extraSelections() == []
    assert rig.controller.rules.deadline is None and rig.sent == []


async def test_a_deepgram_error_frame_is_shown(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(
        send(0.2, results("Before the error", is_final=True)),
        fail(0.4, "Too many concurrent requests.", variant="TooManyRequests"),
    )
    rig = make_rig(WavFileSource(wav, speed=4))
    rig.controller.start()
    await rig.until_idle()
    ((level, text),) = rig.notices
    assert level == "error" and "Deepgram reported an error: Too many concurrent" in text
    assert rig.text() == "Before the error"


async def test_invalid_settings_stop_dictation_before_it_starts(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    rig = make_rig(WavFileSource(wav), utterance_end_ms=400, endpointing=3)
    rig.controller.toggle()
    assert rig.controller.state == "idle"
    ((level, text),) = rig.notices
    assert level == "error" and "utterance_end_ms is 400" in text and "endpointing is 3" in text
    assert fake.sessions == []


async def test_an_answer_streaming_keeps_the_dictated_text_waiting(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(send(0.3, results("Wait for it", is_final=True, speech_final=True)))
    source = GatedWav(wav)
    rig = make_rig(source)
    started = SignalWaiter(rig.controller.countdownStarted)
    rig.composer.set_busy(True)
    rig.controller.start()
    source.release(0.3)
    await started.wait()
    rig.clock.now += 2
    rig.controller.tick()
    assert rig.sent == [] and rig.text() == "Wait for it"
    assert rig.notices[-1][0] == "info" and "waits in the composer" in rig.notices[-1][1]
    rig.controller.stop()
    await rig.until_idle()


async def test_push_to_talk_finalizes_on_release_and_sends(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, tmp_path: Path
) -> None:
    long_wav = write_wav(tmp_path / "long.wav", speechlike(20.0))
    fake.script(
        send(0.2, results("hold to")),
        on_finalize=[results("Hold to talk.", is_final=True, from_finalize=True)],
    )
    rig = make_rig(WavFileSource(long_wav, speed=2), push_to_talk=True)
    button = MicButton(rig.composer)
    rig.controller.bind_button(button)
    changed = SignalWaiter(rig.composer.edit.textChanged)
    started = SignalWaiter(rig.controller.countdownStarted)
    submitted = SignalWaiter(rig.controller.submitted)
    button.pressed.emit()
    await _until(changed, lambda: rig.composer.interim_text() == "hold to")
    assert rig.controller.state == "listening" and button.recording
    button.released.emit()
    assert rig.controller.state == "paused" and not button.recording
    await started.wait()
    rig.clock.now += 1.2
    rig.controller.tick()
    await submitted.wait()
    assert rig.sent == ["Hold to talk."]
    assert fake.last.controls == ["Finalize"]  # the session stays open, kept alive
    button.pressed.emit()  # talk again: the same session resumes
    assert rig.controller.state == "listening"
    rig.controller.stop()
    await rig.until_idle()
    assert len(fake.sessions) == 1


async def test_mic_button_shows_recording_and_level(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    source = GatedWav(wav)
    rig = make_rig(source)
    button = MicButton()
    rig.composer.add_accessory(button)
    assert button.objectName() == "micButton" and button.parent() is rig.composer
    rig.controller.bind_button(button)
    assert not button.recording and button.accessibleDescription() == "Not recording"
    levels = SignalWaiter(rig.controller.levelChanged)
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)  # click toggles
    source.release(0.5)
    await levels.wait(3)
    assert button.recording and button.accessibleDescription() == "Recording"
    assert button.level > 0.3
    button.grab()  # paints the indicator and the meter without error
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    await rig.until_idle()
    assert not button.recording and button.level == 0.0


async def test_push_to_talk_key_filter(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    source = GatedWav(wav)
    rig = make_rig(source, push_to_talk=True)
    ptt = PushToTalkKey(rig.controller, "F9", rig.composer)
    rig.composer.edit.installEventFilter(ptt)
    states = SignalWaiter(rig.controller.stateChanged)
    press = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_F9, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(rig.composer.edit, press)
    assert rig.controller.state == "starting"
    repeat = QKeyEvent(
        QEvent.Type.KeyPress, Qt.Key.Key_F9, Qt.KeyboardModifier.NoModifier, "", True
    )
    QApplication.sendEvent(rig.composer.edit, repeat)  # auto-repeat: ignored
    await states.wait(2)  # listening
    release = QKeyEvent(QEvent.Type.KeyRelease, Qt.Key.Key_F9, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(rig.composer.edit, release)
    assert rig.controller.state == "paused"
    assert await fake.wait_until_async(lambda f: f.last.controls == ["Finalize"])
    rig.controller.stop()
    await rig.until_idle()


async def test_no_microphone_is_said_plainly(
    make_rig: Callable[..., Rig], fake: FakeDeepgram
) -> None:
    if input_names():
        pytest.skip("this machine has a microphone")
    with pytest.raises(ConfigError, match="No microphone was found"):
        await MicrophoneSource().open()
    rig = make_rig(source_factory(""))
    QTest.keyClicks(rig.composer.edit, "typed")
    rig.controller.toggle()
    await rig.until_idle()
    ((level, text),) = rig.notices
    assert level == "error" and "No microphone was found" in text
    assert "CHATDESK_AUDIO_INPUT" in text
    assert rig.text() == "typed" and fake.sessions == []


async def test_audio_input_setting_uses_the_wav_file(
    make_rig: Callable[..., Rig], fake: FakeDeepgram, wav: Path
) -> None:
    fake.script(send(0.2, results("From the file.", is_final=True, speech_final=True)))
    make = source_factory(str(wav))
    source = make(DictationSettings())
    assert isinstance(source, WavFileSource) and source.path == wav
    rig = make_rig(make, manual_clock=False, auto_submit_delay_s=0.1)
    submitted = SignalWaiter(rig.controller.submitted)
    rig.controller.toggle()
    await submitted.wait()
    assert rig.sent == ["From the file."]
    rig.controller.stop()
    await rig.until_idle()


async def _until(waiter: SignalWaiter, condition: Callable[[], bool]) -> None:
    """Wait for emissions of ``waiter``'s signal until ``condition`` holds."""
    async with asyncio.timeout(10):
        while not condition():
            await waiter.wait(len(waiter.values) + 1)
