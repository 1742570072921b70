"""Edit, regenerate and compaction on the message tree: what is stored, and what each request
carries (the active path only), against the real repository and the fake OpenRouter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from chatdesk.core.compaction import Compactor
from chatdesk.core.context import SUMMARY_HEADING
from chatdesk.core.events import TurnDone, TurnEvent, TurnFailed, TurnStarted
from chatdesk.core.models import MessageStatus, TurnConfig
from chatdesk.core.orchestrator import ChatOrchestrator
from chatdesk.errors import ChatdeskError, InputError
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.repository import ChatRepository
from fakes.openrouter import FakeOpenRouter, Reply

MODEL = "openai/gpt-4o-mini"
CONFIG = TurnConfig(model=MODEL, generate_titles=False)


async def _collect(events: AsyncIterator[TurnEvent]) -> list[TurnEvent]:
    return [event async for event in events]


def _sent(fake: FakeOpenRouter, index: int = -1) -> list[tuple[str, str]]:
    body = fake.requests_to()[index].json
    assert body is not None
    return [(m["role"], m["content"]) for m in body["messages"]]


async def _three_questions(
    repo: ChatRepository, orch: ChatOrchestrator, fake: FakeOpenRouter
) -> int:
    fake.enqueue(Reply.stream("A1"), Reply.stream("A2"), Reply.stream("A3"))
    conv = await repo.create_conversation()
    for question in ("Q1", "Q2", "Q3"):
        events = await _collect(orch.send(conv.id, question, CONFIG))
        assert isinstance(events[-1], TurnDone)
    return conv.id


async def test_editing_the_third_question_branches_and_sends_only_the_active_path(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    old = await repo.list_messages(conv_id)
    q3 = old[4]
    fake_openrouter.enqueue(Reply.stream("A3 edited"))

    events = await _collect(orch.edit(conv_id, q3.id, "Q3 edited", CONFIG))

    started = events[0]
    assert isinstance(started, TurnStarted) and started.user_message is not None
    assert started.after_id == old[3].id  # the new question hangs where the old one did
    assert isinstance(events[-1], TurnDone)
    assert _sent(fake_openrouter) == [
        ("user", "Q1"),
        ("assistant", "A1"),
        ("user", "Q2"),
        ("assistant", "A2"),
        ("user", "Q3 edited"),
    ]
    path = await repo.list_messages(conv_id)
    assert [m.content for m in path] == ["Q1", "A1", "Q2", "A2", "Q3 edited", "A3 edited"]
    assert path[4].sibling_ids == (q3.id, path[4].id)
    # The old branch, its answer included, is kept.
    everything = [m.content for m in await repo.all_messages(conv_id)]
    assert everything == ["Q1", "A1", "Q2", "A2", "Q3", "A3", "Q3 edited", "A3 edited"]


async def test_the_next_question_builds_on_the_branch_switched_to(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    q3 = (await repo.list_messages(conv_id))[4]
    fake_openrouter.enqueue(Reply.stream("A3 edited"), Reply.stream("A4"))
    await _collect(orch.edit(conv_id, q3.id, "Q3 edited", CONFIG))

    await repo.switch_branch(q3.id)
    await _collect(orch.send(conv_id, "Q4", CONFIG))

    assert _sent(fake_openrouter)[-3:] == [("user", "Q3"), ("assistant", "A3"), ("user", "Q4")]
    assert [m.content for m in await repo.list_messages(conv_id)][-4:] == [
        "Q3",
        "A3",
        "Q4",
        "A4",
    ]


async def test_editing_the_first_question_starts_a_second_root(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    q1 = (await repo.list_messages(conv_id))[0]
    fake_openrouter.enqueue(Reply.stream("fresh"))

    events = await _collect(orch.edit(conv_id, q1.id, "Q1 again", CONFIG))

    assert isinstance(events[0], TurnStarted) and events[0].after_id is None
    assert _sent(fake_openrouter) == [("user", "Q1 again")]
    path = await repo.list_messages(conv_id)
    assert [m.content for m in path] == ["Q1 again", "fresh"]
    assert path[0].parent_id is None and path[0].sibling_ids == (q1.id, path[0].id)


async def test_regenerating_an_earlier_answer_sends_the_path_up_to_its_question(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    old = await repo.list_messages(conv_id)
    fake_openrouter.enqueue(Reply.stream("A1 again"))

    events = await _collect(orch.regenerate(conv_id, CONFIG, old[1].id))

    assert isinstance(events[0], TurnStarted) and events[0].after_id == old[0].id
    assert _sent(fake_openrouter) == [("user", "Q1")]
    path = await repo.list_messages(conv_id)
    assert [m.content for m in path] == ["Q1", "A1 again"]
    assert path[1].sibling_ids == (old[1].id, path[1].id)
    # Back on the first answer, its whole continuation is there again.
    await repo.switch_branch(old[1].id)
    assert [m.content for m in await repo.list_messages(conv_id)] == [m.content for m in old]


async def test_answering_with_another_model_leaves_the_conversation_model(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    fake_openrouter.enqueue(Reply.stream("other"))
    other = TurnConfig(model="anthropic/claude-sonnet-4", generate_titles=False)

    await _collect(orch.regenerate(conv_id, other, remember_model=False))

    body = fake_openrouter.requests_to()[-1].json
    assert body is not None and body["model"] == "anthropic/claude-sonnet-4"
    conversation = await repo.get_conversation(conv_id)
    assert conversation is not None and conversation.model == MODEL


async def test_a_retry_replaces_the_empty_failed_answer_once_it_succeeds(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    fake_openrouter.enqueue(Reply.error(503, "Overloaded"), Reply.stream("Worked."))
    orch = ChatOrchestrator(repo, provider)
    conv = await repo.create_conversation()
    failed = await _collect(orch.send(conv.id, "Question", CONFIG))
    assert isinstance(failed[-1], TurnFailed) and failed[-1].message is not None
    broken = failed[-1].message

    events = await _collect(orch.regenerate(conv.id, CONFIG, broken.id))

    done = events[-1]
    assert isinstance(done, TurnDone) and done.replaced == broken.id
    assert [m.content for m in await repo.all_messages(conv.id)] == ["Question", "Worked."]
    assert (await repo.list_messages(conv.id))[1].sibling_ids == (done.message.id,)


async def test_a_partly_streamed_failed_regeneration_is_kept_as_a_branch(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    fake_openrouter.enqueue(Reply.stream("half an ans", error={"code": 502, "message": "cut"}))

    events = await _collect(orch.regenerate(conv_id, CONFIG))

    failed = events[-1]
    assert isinstance(failed, TurnFailed) and not failed.kept_previous
    path = await repo.list_messages(conv_id)
    assert path[-1].content == "half an ans" and path[-1].status is MessageStatus.ERROR
    assert len(path[-1].sibling_ids) == 2


async def test_regenerating_a_message_off_the_path_is_refused(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    q3 = (await repo.list_messages(conv_id))[4]
    fake_openrouter.enqueue(Reply.stream("new"))
    await _collect(orch.edit(conv_id, q3.id, "Q3 b", CONFIG))
    sent = len(fake_openrouter.requests_to())

    events = await _collect(orch.regenerate(conv_id, CONFIG, q3.id))

    assert isinstance(events[-1], TurnFailed) and isinstance(events[-1].error, InputError)
    assert len(fake_openrouter.requests_to()) == sent


# -- compaction ------------------------------------------------------------------------------


async def test_compaction_sends_the_summary_instead_of_the_old_turns_and_undo_restores_them(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    fake_openrouter.enqueue(
        Reply.completion("They talked about Q1."), Reply.completion("A chat of three questions.")
    )

    summary = await Compactor(repo, provider).compact(conv_id, CONFIG, keep_turns=2)

    asked = fake_openrouter.requests_to()[-2].json
    assert asked is not None and asked["stream"] is False
    assert "[User]\nQ1" in asked["messages"][1]["content"]
    assert "Q2" not in asked["messages"][1]["content"]  # the two newest turns stay as they are
    path = await repo.list_messages(conv_id)
    assert summary.through_id == path[1].id
    conversation = await repo.get_conversation(conv_id)
    assert conversation is not None and conversation.summary == "A chat of three questions."

    fake_openrouter.enqueue(Reply.stream("A4"), Reply.stream("A4 again"))
    await _collect(orch.send(conv_id, "Q4", CONFIG))
    sent = _sent(fake_openrouter)
    assert sent[0][0] == "system" and SUMMARY_HEADING in sent[0][1]
    assert "They talked about Q1." in sent[0][1]
    assert sent[1:] == [
        ("user", "Q2"),
        ("assistant", "A2"),
        ("user", "Q3"),
        ("assistant", "A3"),
        ("user", "Q4"),
    ]
    # The originals are still stored (and found by search).
    assert [h.plain_snippet for h in await repo.search("Q1")] == ["Q1"]

    await repo.delete_summary(summary.id)
    await _collect(orch.regenerate(conv_id, CONFIG))
    assert _sent(fake_openrouter)[0] == ("user", "Q1")


async def test_a_failing_summary_request_changes_nothing(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    fake_openrouter.enqueue(Reply.error(429, "Rate limited", retry_after=30))

    try:
        await Compactor(repo, provider).compact(conv_id, CONFIG, keep_turns=1)
    except ChatdeskError as exc:
        assert exc.kind == "rate_limit"
    else:
        raise AssertionError("the failed summary request raised nothing")
    assert await repo.summaries(conv_id) == []


async def test_there_is_nothing_to_compact_in_a_short_chat(
    repo: ChatRepository, provider: OpenRouterClient, fake_openrouter: FakeOpenRouter
) -> None:
    orch = ChatOrchestrator(repo, provider)
    conv_id = await _three_questions(repo, orch, fake_openrouter)
    sent = len(fake_openrouter.requests_to())
    compactor = Compactor(repo, provider)
    kwargs: dict[str, Any] = {"keep_turns": 3}
    try:
        await compactor.compact(conv_id, CONFIG, **kwargs)
    except InputError as exc:
        assert "nothing to summarise" in exc.user_message
    else:
        raise AssertionError("compacting three turns while keeping three did something")
    assert len(fake_openrouter.requests_to()) == sent
