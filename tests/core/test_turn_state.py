"""TurnState: the rules of the streaming turn, without Qt or a task."""

from __future__ import annotations

from chatdesk.core.turn_state import Reattach, SendProgress, TurnState


def test_a_send_keeps_its_text_until_the_user_message_is_stored() -> None:
    state = TurnState(failed_draft="old")
    sent = SendProgress("hello")
    state.start(sent)
    assert state.failed_draft is None  # a new send drops the earlier draft
    assert state.send is sent and not sent.user_stored
    state.follow(7)
    state.answer_started(11, "m")
    sent.user_stored = True  # the send saw its user message stored
    assert state.streaming_id == 11
    assert state.ended() is None  # stored: nothing goes back
    assert state.send is None and state.streaming_id is None


def test_a_turn_that_ends_before_storing_gives_the_text_back() -> None:
    state = TurnState()
    state.start(SendProgress("lost words"))
    assert state.ended() == "lost words"
    state.give_back("lost words")
    assert state.failed_draft == "lost words"
    assert state.ended() is None  # given once


def test_a_regeneration_keeps_the_failed_draft_and_gives_nothing_back() -> None:
    state = TurnState(failed_draft="draft")
    state.start()
    assert state.failed_draft == "draft"
    assert state.ended() is None


def test_an_answer_without_a_stored_user_message_still_gives_the_text_back() -> None:
    state = TurnState()
    state.start(SendProgress("again"))
    state.answer_started(3, "m")
    assert state.ended() == "again"


def test_each_send_keeps_its_own_record() -> None:
    """A title still on its way when the next send starts: the first send's record is its
    own, so it knows its message was stored whatever the next send's state is."""
    state = TurnState()
    first = SendProgress("first question")
    state.start(first)
    first.user_stored = True
    second = SendProgress("second question")
    state.start(second)  # the next send, before the first one's task has ended
    assert first.user_stored and not second.user_stored
    assert state.ended() == "second question"  # only the current send's text, if unstored


def test_set_active_reports_changes_only() -> None:
    state = TurnState()
    assert state.set_active(True)
    assert not state.set_active(True)
    assert state.set_active(False) and not state.active


def test_the_view_shows_the_turn_of_its_own_conversation_only() -> None:
    state = TurnState()
    assert not state.viewing(None)
    state.follow(5)
    assert state.viewing(5) and not state.viewing(6) and not state.viewing(None)
    state.opened(6)  # another chat: no longer live
    assert not state.live and not state.viewing(5)


def test_reopening_the_turns_conversation_keeps_it_live() -> None:
    state = TurnState()
    state.follow(5)
    state.opened(5)
    assert state.live
    state.opened(None)  # a new, empty chat
    assert not state.live


def test_coming_back_while_it_streams_reattaches_with_everything_so_far() -> None:
    state = TurnState()
    state.follow(5)
    state.answer_started(9, "model/x")
    state.text("Hel")
    state.reasoning("think")
    state.opened(6)
    state.text("lo")
    assert not state.needs_reattach(6)
    assert state.needs_reattach(5)
    shown = state.reattach()
    assert shown == Reattach(9, "model/x", "Hello", "think")
    assert state.live and state.take_buffered() is None  # sent whole, not again
    assert not state.needs_reattach(5)


def test_no_reattach_once_the_answer_stopped_streaming() -> None:
    state = TurnState()
    state.follow(5)
    state.answer_started(9, "m")
    state.opened(6)
    assert state.stream_over() == 9
    assert not state.needs_reattach(5)
    assert state.stream_over() is None


def test_deltas_are_buffered_until_taken() -> None:
    state = TurnState()
    assert state.take_buffered() is None
    state.text("a")
    state.text("b")
    state.reasoning("r")
    assert state.take_buffered() == ("ab", "r")
    assert state.take_buffered() is None
    state.reasoning("only")
    assert state.take_buffered() == ("", "only")


def test_a_continued_answer_starts_its_own_text() -> None:
    state = TurnState()
    state.follow(1)
    state.answer_started(2, "m")
    state.text("before tools")
    state.continued(4)
    state.text("after")
    state.opened(9)
    shown = state.reattach()
    assert shown.message_id == 4 and shown.text == "after" and shown.model == "m"
