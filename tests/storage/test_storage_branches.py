"""The message tree in SQLite: the migration of linear data, active paths and their pages,
alternatives (sibling ids), switching, deleting (with undo), discarding, copying a branch into a
new chat, and compaction summaries."""

from __future__ import annotations

from pathlib import Path

from chatdesk.core.models import Message, ToolCall
from chatdesk.storage import ChatRepository
from chatdesk.storage.attachments import AttachmentStore
from chatdesk.storage.migrations import MIGRATIONS
from chatdesk.storage.snapshot import read_snapshot
from fakes.clock import FakeClock

from .support import old_chat, query


async def _linear(repo: ChatRepository, *texts: str) -> tuple[int, list[Message]]:
    conv = await repo.create_conversation()
    out = []
    for i, text in enumerate(texts):
        out.append(await repo.append_message(conv.id, "user" if i % 2 == 0 else "assistant", text))
    return conv.id, out


def _texts(messages: list[Message]) -> list[str]:
    return [m.content for m in messages]


async def test_linear_conversations_become_one_path_when_migrated(
    db_path: Path, clock: FakeClock
) -> None:
    old = await ChatRepository.open(db_path, migrations=MIGRATIONS[:3], clock=clock)
    await old.close()
    first, first_ids = old_chat(db_path, [("user", "q1"), ("assistant", "a1"), ("user", "q2")])
    second, second_ids = old_chat(db_path, [("user", "other")])
    empty, _ = old_chat(db_path, [])

    repo = await ChatRepository.open(db_path, clock=clock)
    try:
        assert query(db_path, "SELECT id, parent_id FROM messages ORDER BY id") == [
            (first_ids[0], None),
            (first_ids[1], first_ids[0]),
            (first_ids[2], first_ids[1]),
            (second_ids[0], None),
        ]
        assert await repo.active_path_ids(first) == first_ids
        assert _texts(await repo.list_messages(second)) == ["other"]
        assert await repo.list_messages(empty) == []
        conversation = await repo.get_conversation(first)
        assert conversation is not None and conversation.active_leaf_id == first_ids[-1]
        assert conversation.summary == ""
        # The next message continues the migrated path.
        added = await repo.append_message(first, "assistant", "a2")
        assert added.parent_id == first_ids[2]
    finally:
        await repo.close()
    assert query(db_path, "PRAGMA foreign_key_check") == []


async def test_appending_follows_the_active_leaf_and_explicit_parents_fork(
    repo: ChatRepository,
) -> None:
    conv, (q1, a1, q2, a2) = await _linear(repo, "q1", "a1", "q2", "a2")
    assert a2.parent_id == q2.id and q1.parent_id is None

    other = await repo.append_message(conv, "assistant", "a2 again", parent_id=q2.id)

    path = await repo.list_messages(conv)
    assert _texts(path) == ["q1", "a1", "q2", "a2 again"]
    assert [m.sibling_ids for m in path] == [(q1.id,), (a1.id,), (q2.id,), (a2.id, other.id)]
    root = await repo.append_message(conv, "user", "q1 edited", parent_id=None)
    path = await repo.list_messages(conv)
    assert _texts(path) == ["q1 edited"]
    assert path[0].sibling_ids == (q1.id, root.id)  # roots of a conversation are alternatives


async def test_pages_of_a_forked_path(repo: ChatRepository) -> None:
    conv, messages = await _linear(repo, *(f"m{i}" for i in range(10)))
    fork = await repo.append_message(conv, "assistant", "m5 bis", parent_id=messages[4].id)
    tail = await repo.append_message(conv, "user", "after bis")

    last = await repo.list_messages(conv, limit=3)
    assert _texts(last) == ["m4", "m5 bis", "after bis"]
    older = await repo.list_messages(conv, limit=3, before_id=last[0].id)
    assert _texts(older) == ["m1", "m2", "m3"]
    assert await repo.active_path_ids(conv) == [m.id for m in messages[:5]] + [fork.id, tail.id]


async def test_switching_shows_the_newest_continuation_of_the_alternative(
    repo: ChatRepository,
) -> None:
    conv, (q1, a1, _q2, a2) = await _linear(repo, "q1", "a1", "q2", "a2")
    bis = await repo.append_message(conv, "assistant", "a1 bis", parent_id=q1.id)
    await repo.append_message(conv, "user", "q2 on bis")

    switched = await repo.switch_branch(a1.id)

    assert switched is not None and switched.active_leaf_id == a2.id
    assert _texts(await repo.list_messages(conv)) == ["q1", "a1", "q2", "a2"]
    await repo.switch_branch(bis.id)
    assert _texts(await repo.list_messages(conv)) == ["q1", "a1 bis", "q2 on bis"]
    assert await repo.switch_branch(10_000) is None


async def test_a_deleted_branch_disappears_everywhere_until_undone(
    repo: ChatRepository, db_path: Path
) -> None:
    conv, (q1, a1, q2, a2) = await _linear(repo, "q1", "a1", "q2 walrus", "a2")
    bis = await repo.append_message(conv, "assistant", "a1 bis", parent_id=q1.id)
    await repo.switch_branch(a1.id)

    deletion = await repo.delete_branch(a1.id)

    assert deletion.message_ids == (a1.id, q2.id, a2.id)
    assert (deletion.previous_leaf, deletion.new_leaf) == (a2.id, bis.id)
    path = await repo.list_messages(conv)
    assert _texts(path) == ["q1", "a1 bis"] and path[1].sibling_ids == (bis.id,)
    assert await repo.search("walrus") == [] and await repo.count_messages(conv) == 2
    assert await repo.switch_branch(a2.id) is None

    await repo.restore_branch(deletion)
    assert _texts(await repo.list_messages(conv)) == ["q1", "a1", "q2 walrus", "a2"]
    assert len(await repo.search("walrus")) == 1

    await repo.delete_branch(a1.id)
    assert await repo.purge_deleted() == 3
    assert query(db_path, "SELECT count(*) FROM messages") == [(2,)]
    assert query(db_path, "PRAGMA foreign_key_check") == []


async def test_deleting_the_only_branch_shows_the_path_up_to_its_parent(
    repo: ChatRepository,
) -> None:
    conv, (q1, a1, q2, _a2) = await _linear(repo, "q1", "a1", "q2", "a2")
    deletion = await repo.delete_branch(q2.id)
    assert deletion.new_leaf == a1.id
    assert _texts(await repo.list_messages(conv)) == ["q1", "a1"]
    await repo.delete_branch(q1.id)
    assert await repo.list_messages(conv) == []
    assert (await repo.delete_branch(10_000)).message_ids == ()


async def test_discarding_deletes_for_good_and_sets_the_leaf(repo: ChatRepository) -> None:
    conv, (q1, a1) = await _linear(repo, "q1", "a1")
    retry = await repo.append_message(conv, "assistant", "", parent_id=q1.id)

    assert await repo.discard_branch(retry.id, new_leaf=a1.id) == 1
    assert _texts(await repo.list_messages(conv)) == ["q1", "a1"]
    assert await repo.discard_branch(a1.id) == 1  # the leaf falls back to the parent
    assert _texts(await repo.list_messages(conv)) == ["q1"]
    assert await repo.discard_branch(10_000) == 0


async def test_branching_off_copies_the_path_with_files_and_tool_calls(
    repo: ChatRepository, db_path: Path
) -> None:
    conv, (_q1, a1, q2, _a2) = await _linear(repo, "q1", "a1", "q2", "a2")
    await repo.set_conversation_model(conv, "m/1")
    files = AttachmentStore(repo)
    att = await files.insert(
        filename="cat.png",
        mime_type="image/png",
        size_bytes=3,
        sha256="abc",
        backend="local",
        blob_key="ab/abc.png",
    )
    await files.link([att.id], q2.id, conv)
    call = ToolCall("c1", "calc__add", "{}")
    await repo.update_message(a1.id, tool_calls=[call])
    await repo.record_tool_call(
        a1.id,
        call,
        server_id="calc",
        result="2",
        error=None,
        status="ok",
        started_at=1,
        duration_ms=5,
    )

    copy = await repo.copy_path(conv, q2.id, title="Branch")

    assert (copy.title, copy.model, copy.title_is_default) == ("Branch", "m/1", False)
    copied = await repo.list_messages(copy.id)
    assert _texts(copied) == ["q1", "a1", "q2"]
    assert copied[1].tool_calls == (call,) and copied[0].parent_id is None
    assert copied[2].parent_id == copied[1].id and copy.active_leaf_id == copied[2].id
    assert set(await repo.tool_runs([copied[1].id])) == {"c1"}
    linked = await files.for_messages([copied[2].id])
    assert [(a.blob_key, a.conversation_id) for a in linked[copied[2].id]] == [
        ("ab/abc.png", copy.id)
    ]
    assert _texts(await repo.list_messages(conv)) == ["q1", "a1", "q2", "a2"]  # untouched


async def test_summaries_and_the_conversation_summary(repo: ChatRepository) -> None:
    conv, (_q1, a1) = await _linear(repo, "q1", "a1")
    summary = await repo.add_summary(conv, a1.id, "They said hello.", model="m/1")
    assert await repo.summaries(conv) == [summary]
    assert (summary.through_id, summary.model) == (a1.id, "m/1")
    await repo.delete_summary(summary.id)
    assert await repo.summaries(conv) == []

    await repo.set_conversation_summary(conv, "A greeting.")
    got = await repo.get_conversation(conv)
    assert got is not None and got.summary == "A greeting."


async def test_the_snapshot_shows_the_active_path_with_alternatives(
    repo: ChatRepository, db_path: Path
) -> None:
    conv, (q1, a1) = await _linear(repo, "q1", "a1")
    bis = await repo.append_message(conv, "assistant", "a1 bis", parent_id=q1.id)
    await repo.switch_branch(a1.id)

    snap = read_snapshot(db_path, conv, 6)

    assert snap.complete and _texts(snap.messages) == ["q1", "a1"]
    assert snap.messages[1].sibling_ids == (a1.id, bis.id)
    assert snap.conversation is not None and snap.conversation.active_leaf_id == a1.id
