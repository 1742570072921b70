"""Messages: append, windows, partial updates, deletes, imports, usage, tool calls, recovery."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from chatdesk.core.models import Message, MessageStatus, Role, ToolCall, Usage
from chatdesk.errors import StorageError
from chatdesk.storage import ChatRepository
from chatdesk.storage.repository import INTERRUPTED_ERROR
from fakes.clock import START, FakeClock

from .support import query


async def test_append_returns_the_stored_message(repo: ChatRepository, clock: FakeClock) -> None:
    conversation = await repo.create_conversation()
    clock.advance(5)
    question = await repo.append_message(conversation.id, "user", "What is 2+2?")
    calls = (ToolCall("call_1", "calc", '{"expr": "2+2"}'), ToolCall("c2", "now", ""))
    answer = await repo.append_message(
        conversation.id,
        "assistant",
        "",
        status=MessageStatus.STREAMING,
        model="m/1",
        parent_id=question.id,
        reasoning="Let me think",
        tool_calls=calls,
    )
    tool = await repo.append_message(conversation.id, "tool", "4", tool_call_id="call_1")

    assert question == Message(
        id=question.id,
        conversation_id=conversation.id,
        role="user",
        content="What is 2+2?",
        created_at=START + 5,
    )
    assert answer.status is MessageStatus.STREAMING
    assert (answer.model, answer.parent_id, answer.reasoning) == (
        "m/1",
        question.id,
        "Let me think",
    )
    assert answer.tool_calls == calls
    assert tool.tool_call_id == "call_1"
    assert await repo.get_message(answer.id) == answer
    assert await repo.get_message(10_000) is None
    assert await repo.list_messages(conversation.id) == [
        replace(m, sibling_ids=(m.id,)) for m in (question, answer, tool)
    ]
    got = await repo.get_conversation(conversation.id)
    assert got is not None and got.updated_at == START + 5


async def test_windows_load_history_backwards(repo: ChatRepository) -> None:
    conversation = await repo.create_conversation()
    other = await repo.create_conversation()
    ids = []
    for index in range(10):
        ids.append((await repo.append_message(conversation.id, "user", f"m{index}")).id)
        await repo.append_message(other.id, "user", f"other {index}")

    async def contents(**kwargs: int) -> list[str]:
        return [m.content for m in await repo.list_messages(conversation.id, **kwargs)]

    assert await contents() == [f"m{i}" for i in range(10)]
    assert await contents(limit=3) == ["m7", "m8", "m9"]
    assert await contents(limit=3, before_id=ids[7]) == ["m4", "m5", "m6"]
    assert await contents(limit=3, before_id=ids[2]) == ["m0", "m1"]
    assert await contents(limit=3, before_id=ids[0]) == []
    assert await contents(before_id=ids[3]) == ["m0", "m1", "m2"]
    assert await contents(limit=100) == [f"m{i}" for i in range(10)]
    assert await contents(limit=0) == []

    paged: list[str] = []
    before = None
    while page := await repo.list_messages(conversation.id, limit=4, before_id=before):
        paged[:0] = [m.content for m in page]
        before = page[0].id
    assert paged == [f"m{i}" for i in range(10)]
    assert await repo.count_messages(conversation.id) == 10
    assert await repo.count_messages(12345) == 0


async def test_update_changes_only_the_given_fields(repo: ChatRepository) -> None:
    conversation = await repo.create_conversation()
    message = await repo.append_message(
        conversation.id, "assistant", "", status=MessageStatus.STREAMING, reasoning="r"
    )

    await repo.update_message(message.id, content="Hello")
    got = await repo.get_message(message.id)
    assert got is not None
    assert (got.content, got.status, got.reasoning) == ("Hello", MessageStatus.STREAMING, "r")

    await repo.update_message(
        message.id,
        status=MessageStatus.COMPLETE,
        model="m/2",
        usage=Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15, cost=0.25),
        generation_id="gen-1",
        tool_calls=[ToolCall("a", "b", "{}")],
    )
    got = await repo.get_message(message.id)
    assert got is not None
    assert (got.content, got.status, got.model) == ("Hello", MessageStatus.COMPLETE, "m/2")
    assert (got.prompt_tokens, got.completion_tokens, got.cost) == (10, 5, 0.25)
    assert (got.generation_id, got.tool_calls) == ("gen-1", (ToolCall("a", "b", "{}"),))

    await repo.update_message(message.id, error="boom", status=MessageStatus.ERROR, tool_calls=())
    got = await repo.get_message(message.id)
    assert got is not None
    assert (got.error, got.status, got.tool_calls, got.content) == (
        "boom",
        MessageStatus.ERROR,
        (),
        "Hello",
    )

    before = got
    await repo.update_message(message.id)  # nothing given: nothing changes
    await repo.update_message(99_999, content="nobody")  # a missing id is ignored
    assert await repo.get_message(message.id) == before


async def test_import_inserts_in_order_in_one_transaction(
    repo: ChatRepository, clock: FakeClock
) -> None:
    conversation = await repo.create_conversation()
    clock.advance(10)
    pairs: list[tuple[Role, str]] = [("user", "q1"), ("assistant", "a1"), ("user", "q2")]

    assert await repo.import_messages(conversation.id, iter(pairs)) == 3
    stored = await repo.list_messages(conversation.id)
    assert [(m.role, m.content, m.status) for m in stored] == [
        (role, text, MessageStatus.COMPLETE) for role, text in pairs
    ]
    got = await repo.get_conversation(conversation.id)
    assert got is not None and got.updated_at == START + 10
    assert await repo.import_messages(conversation.id, []) == 0

    bad: list[tuple[Role, str]] = [("user", "fine"), ("robot", "bad")]  # type: ignore[list-item]
    with pytest.raises(StorageError, match="Could not import the messages"):
        await repo.import_messages(conversation.id, bad)
    assert await repo.count_messages(conversation.id) == 3  # the good row was rolled back too
    with pytest.raises(StorageError, match="no longer exists"):
        await repo.import_messages(9999, pairs)


async def test_usage_sums_tokens_and_cost(repo: ChatRepository) -> None:
    conversation = await repo.create_conversation()
    empty = await repo.create_conversation()
    first = await repo.append_message(conversation.id, "assistant", "a")
    second = await repo.append_message(conversation.id, "assistant", "b")
    await repo.append_message(conversation.id, "user", "no usage here")

    assert await repo.conversation_usage(conversation.id) == Usage()

    await repo.update_message(first.id, usage=Usage(10, 20, 30, None, 3, 4))
    assert await repo.conversation_usage(conversation.id) == Usage(10, 20, 30, None, 3, 4)

    await repo.update_message(second.id, usage=Usage(1, 2, 3, 0.5, 0, 1))
    assert await repo.conversation_usage(conversation.id) == Usage(11, 22, 33, 0.5, 3, 5)
    assert await repo.conversation_usage(empty.id) == Usage()


async def test_record_tool_call(repo: ChatRepository, db_path: Path) -> None:
    conversation = await repo.create_conversation()
    message = await repo.append_message(conversation.id, "assistant", "")
    call = ToolCall("call_9", "fs__read", '{"path": "/tmp"}')

    first = await repo.record_tool_call(
        message.id,
        call,
        server_id="fs",
        result="contents",
        error=None,
        status="ok",
        started_at=START,
        duration_ms=3.5,
    )
    second = await repo.record_tool_call(
        message.id,
        call,
        server_id=None,
        result=None,
        error="denied",
        status="denied",
        started_at=START + 1,
        duration_ms=0.0,
    )

    assert second > first
    columns = "id, message_id, call_id, server_id, tool_name, arguments, result, error, status"
    rows = query(db_path, f"SELECT {columns}, started_at, duration_ms FROM tool_calls ORDER BY id")
    args = '{"path": "/tmp"}'
    assert rows == [
        (first, message.id, "call_9", "fs", "fs__read", args, "contents", None, "ok", START, 3.5),
        (
            second,
            message.id,
            "call_9",
            None,
            "fs__read",
            args,
            None,
            "denied",
            "denied",
            START + 1,
            0,
        ),
    ]
    with pytest.raises(StorageError, match="Could not save the tool call"):
        await repo.record_tool_call(
            12345,
            call,
            server_id=None,
            result=None,
            error=None,
            status="ok",
            started_at=0,
            duration_ms=0,
        )


async def test_recover_interrupted_cancels_streaming_answers(
    repo: ChatRepository, clock: FakeClock
) -> None:
    conversation = await repo.create_conversation()
    done = await repo.append_message(conversation.id, "assistant", "finished")
    streaming = await repo.append_message(
        conversation.id, "assistant", "half an ans", status=MessageStatus.STREAMING
    )

    assert await repo.recover_interrupted() == 1
    got = await repo.get_message(streaming.id)
    assert got is not None
    assert (got.status, got.error, got.content) == (
        MessageStatus.CANCELLED,
        INTERRUPTED_ERROR,
        "half an ans",
    )
    assert await repo.get_message(done.id) == done
    assert await repo.recover_interrupted() == 0
