"""Dictation in the real app: Ctrl+Shift+D, a WAV file standing in for the microphone, a
Deepgram-speaking server on 127.0.0.1, and the sentence sent by itself after the delay, once;
in review mode it waits in the composer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from fakes.deepgram import FakeDeepgram, sentence_script
from fakes.openrouter import FakeOpenRouter, Reply
from fixtures.speech import HELLO_WAV
from qtapp import Launch, SignalWaiter

pytestmark = pytest.mark.gui

SENTENCE = "What is the capital of France?"


@pytest.fixture
def deepgram(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDeepgram]:
    with FakeDeepgram(api_key="dg-test-key") as fake:
        fake.set_default(sentence_script(SENTENCE))
        monkeypatch.setenv("DEEPGRAM_BASE_URL", fake.base_url)
        monkeypatch.setenv("DEEPGRAM_API_KEY", "dg-test-key")
        monkeypatch.setenv("CHATDESK_AUDIO_INPUT", str(HELLO_WAV))
        yield fake


def _settings(**extra: object) -> dict[str, object]:
    return {"generate_titles": False, "dictation_auto_submit_delay_s": 0.3, **extra}


def _sent_texts(fake: FakeOpenRouter) -> list[str]:
    out = []
    for request in fake.requests_to():
        body = request.json or {}
        if body.get("stream"):
            out.append(body["messages"][-1]["content"])
    return out


async def test_ctrl_shift_d_dictates_and_sends_the_sentence_once(
    launch: Launch, app_env: FakeOpenRouter, deepgram: FakeDeepgram
) -> None:
    app_env.enqueue(Reply.stream("Paris."))
    async with launch(settings=_settings()) as app:
        assert app.window is not None and app.controller is not None
        window = app.window
        window.activateWindow()
        window.composer.edit.setFocus()
        finished = SignalWaiter(app.controller.messageFinished)
        QTest.keyClick(
            window.composer.edit,
            Qt.Key.Key_D,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
        (message,) = await finished.wait()
        assert message.content == "Paris."
        await app.runner.wait_idle()
        assert _sent_texts(app_env) == [SENTENCE]  # exactly once, the dictated words
        assert window.composer.text() == ""


async def test_review_mode_leaves_the_sentence_in_the_composer(
    launch: Launch, app_env: FakeOpenRouter, deepgram: FakeDeepgram
) -> None:
    async with launch(settings=_settings(dictation_mode="review")) as app:
        assert app.window is not None and app.dictation is not None
        window = app.window
        submitted = SignalWaiter(app.dictation.submitted)
        states = SignalWaiter(app.dictation.stateChanged)
        window.dictate_action.trigger()
        seen: list[str] = []
        while not (seen and seen[-1] == "idle" and "listening" in seen):
            (state,) = await states.wait(len(seen) + 1, limit_s=20)
            seen.append(state)  # ... listening ... idle: the WAV ended, the session closed
        assert window.composer.text().strip() == SENTENCE
        assert not submitted.values and _sent_texts(app_env) == []
        await app.runner.wait_idle()
        assert _sent_texts(app_env) == []  # review mode never sends by itself


async def test_holding_f9_talks_and_letting_go_stops(
    launch: Launch, app_env: FakeOpenRouter, deepgram: FakeDeepgram
) -> None:
    async with launch(settings=_settings(dictation_mode="review")) as app:
        assert app.window is not None and app.dictation is not None
        edit = app.window.composer.edit
        app.window.activateWindow()
        edit.setFocus()
        states = SignalWaiter(app.dictation.stateChanged)
        QTest.keyPress(edit, Qt.Key.Key_F9)
        (first,) = await states.wait(1)
        assert first == "starting"
        seen = [first]
        while seen[-1] != "listening":
            (state,) = await states.wait(len(seen) + 1)
            seen.append(state)
        QTest.keyRelease(edit, Qt.Key.Key_F9)
        (after,) = await states.wait(len(seen) + 1)
        assert after in ("paused", "stopping", "idle")  # letting go ends the talk
        assert edit.toPlainText().count("F9") == 0  # the key never typed anything
        app.dictation.stop()
        await app.runner.wait_idle()
