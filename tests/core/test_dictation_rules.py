"""Auto-submit rules (chatdesk.core.dictation.AutoSubmit), driven by events and a manual clock.

(Named test_dictation_rules.py: tests/ui/dictation/test_dictation_controller.py holds the
widget tests, and test folders without __init__.py need unique module names.)
"""

from __future__ import annotations

import random

from chatdesk.core.dictation import (
    AutoSubmit,
    Closed,
    Final,
    Interim,
    SpeechStarted,
    TranscriptEvent,
    TranscriptionFailed,
    UtteranceEnd,
)
from chatdesk.errors import ProviderConnectionError
from fakes.clock import FakeClock


def rules(delay: float = 1.2, mode: str = "auto_submit") -> tuple[AutoSubmit, FakeClock]:
    clock = FakeClock(100.0)
    return AutoSubmit(delay, mode=mode, clock=clock), clock  # type: ignore[arg-type]


def feed(r: AutoSubmit, *events: TranscriptEvent) -> None:
    for event in events:
        r.feed(event)


def test_speech_final_starts_the_delay_and_it_elapses_exactly_once() -> None:
    r, clock = rules(1.2)
    feed(r, Interim("hello"), Interim("hello wor"))
    assert r.deadline is None
    r.feed(Final("Hello world.", speech_final=True))
    assert r.deadline == clock.now + 1.2
    clock.advance(1.19)
    assert not r.due()
    assert r.remaining() is not None and abs(r.remaining() - 0.01) < 1e-9  # type: ignore[operator]
    clock.advance(0.01)
    assert r.due()
    assert not r.due()
    clock.advance(60)
    assert not r.due()
    assert r.submissions == 1


def test_utterance_end_is_the_fallback_when_no_speech_final_came() -> None:
    r, clock = rules(1.2)
    feed(r, Interim("noisy"), Final("Noisy room here", speech_final=False))
    assert r.deadline is None  # finals alone do not end an utterance
    r.feed(UtteranceEnd(last_word_end=2.4))
    assert r.deadline == clock.now + 1.2
    clock.advance(1.2)
    assert r.due()


def test_utterance_end_after_speech_final_neither_restarts_nor_doubles() -> None:
    r, clock = rules(1.0)
    r.feed(Final("Done.", speech_final=True))
    first = r.deadline
    clock.advance(0.5)
    r.feed(UtteranceEnd(1.0))
    assert r.deadline == first
    clock.advance(0.5)
    assert r.due()
    r.feed(UtteranceEnd(1.0))  # a late UtteranceEnd after the text left
    assert r.deadline is None
    clock.advance(5)
    assert not r.due()
    assert r.submissions == 1


def test_new_words_cancel_the_countdown_and_the_next_end_starts_it_afresh() -> None:
    r, clock = rules(1.2)
    r.feed(Final("First part.", speech_final=True))
    clock.advance(1.0)
    r.feed(Interim("and"))
    assert r.deadline is None
    clock.advance(5)
    assert not r.due()
    r.feed(Final("and the rest.", speech_final=True))
    assert r.deadline == clock.now + 1.2
    clock.advance(1.2)
    assert r.due()
    assert r.submissions == 1


def test_a_new_final_with_words_cancels_too_but_empty_results_do_not() -> None:
    r, _clock = rules(1.0)
    r.feed(Final("One.", speech_final=True))
    armed = r.deadline
    feed(r, Interim(""), Interim("   "), Final("", speech_final=False))
    assert r.deadline == armed
    r.feed(Final("Two", speech_final=False))
    assert r.deadline is None


def test_an_empty_speech_final_ends_an_utterance_with_pending_text() -> None:
    r, clock = rules(0.5)
    r.feed(Final("Words before silence", speech_final=False))
    r.feed(Final("", speech_final=True))
    assert r.deadline == clock.now + 0.5


def test_ends_without_any_dictated_text_start_nothing() -> None:
    r, clock = rules()
    feed(r, UtteranceEnd(1.0), Final("", speech_final=True), SpeechStarted(0.5))
    feed(r, Interim("maybe"), UtteranceEnd(2.0))  # interim words only: nothing committed
    assert r.deadline is None
    clock.advance(10)
    assert not r.due()


def test_speech_started_restarts_a_running_countdown_but_never_starts_one() -> None:
    r, clock = rules(1.2)
    r.feed(SpeechStarted(0.1))
    assert r.deadline is None
    r.feed(Final("Hello.", speech_final=True))
    clock.advance(1.0)
    r.feed(SpeechStarted(3.0))  # maybe noise: wait the full delay again
    assert r.deadline == clock.now + 1.2
    clock.advance(1.2)
    assert r.due()  # no words came: it still leaves


def test_review_mode_never_submits() -> None:
    r, clock = rules(0.1, mode="review")
    feed(r, Final("Please review me.", speech_final=True), UtteranceEnd(1.0), Closed(True))
    assert r.deadline is None
    assert r.utterance_ended and r.pending
    clock.advance(3600)
    assert not r.due()
    assert r.submissions == 0


def test_switching_to_review_cancels_a_running_countdown() -> None:
    r, clock = rules(1.0)
    r.feed(Final("Hi.", speech_final=True))
    r.set_mode("review")
    clock.advance(2)
    assert not r.due()
    r.set_mode("auto_submit", delay_s=0.3)
    r.feed(Final("More.", speech_final=True))
    assert r.deadline == clock.now + 0.3


def test_typing_cancels_and_does_not_restart_until_the_next_end() -> None:
    r, clock = rules(1.0)
    r.feed(Final("Dictated.", speech_final=True))
    r.user_typed()
    clock.advance(5)
    assert not r.due()
    r.feed(UtteranceEnd(2.0))  # this utterance already ended: typing took over
    assert r.deadline is None
    r.feed(Final("Next one.", speech_final=True))
    assert r.deadline is not None


def test_finalize_results_end_the_utterance_push_to_talk() -> None:
    r, clock = rules(0.4)
    r.feed(Interim("push to"))
    r.feed(Final("Push to talk.", speech_final=False, from_finalize=True))
    assert r.deadline == clock.now + 0.4


def test_input_end_closes_a_pending_utterance_but_a_failure_cancels() -> None:
    r, clock = rules(0.5)
    r.feed(Final("From a file", speech_final=False))
    r.feed(Closed(input_ended=True))
    assert r.deadline == clock.now + 0.5

    r2, _ = rules(0.5)
    r2.feed(Final("Lost midway", speech_final=True))
    r2.feed(TranscriptionFailed(ProviderConnectionError("lost")))
    r2.feed(Closed(input_ended=False, failed=True))
    assert r2.deadline is None
    assert r2.pending  # the text waits for the user


def test_reset_after_a_manual_send_forgets_the_pending_text() -> None:
    r, _clock = rules(1.0)
    r.feed(Final("Sent by hand", speech_final=False))
    r.reset()
    r.feed(UtteranceEnd(1.0))
    assert r.deadline is None and not r.pending


def test_cancel_keeps_the_text_pending() -> None:
    r, clock = rules(1.0)
    r.feed(Final("Stopped", speech_final=True))
    r.cancel()
    assert r.deadline is None and r.pending
    clock.advance(2)
    assert not r.due()


def test_random_event_streams_submit_at_most_once_per_countdown() -> None:
    """Whatever the order of events, due() is true at most once per countdown, only after
    the full delay since the countdown (re)started, and never in review mode."""
    rng = random.Random(7)
    makers = [
        lambda: Interim(rng.choice(["", "word"])),
        lambda: Final(rng.choice(["", "text"]), speech_final=rng.random() < 0.4),
        lambda: UtteranceEnd(1.0),
        lambda: SpeechStarted(0.0),
    ]
    for mode in ("auto_submit", "review"):
        r, clock = rules(1.0, mode=mode)
        armed_at: float | None = None
        for _ in range(2000):
            r.feed(rng.choice(makers)())
            if r.deadline is not None:
                armed_at = r.deadline - 1.0
            clock.advance(rng.choice([0.0, 0.3, 0.7, 1.1]))
            if r.due():
                assert mode == "auto_submit"
                assert armed_at is not None and clock.now - armed_at >= 1.0
                assert not r.due()
                armed_at = None
        if mode == "review":
            assert r.submissions == 0
        else:
            assert r.submissions > 10
