"""The render cache: stored HTML of the newest answers, read with the start-up snapshot, and
dropped with its message or when the message's text changes."""

from __future__ import annotations

from pathlib import Path

from chatdesk.storage import ChatRepository
from chatdesk.storage.migrations import MIGRATIONS
from chatdesk.storage.render_cache import CachedRender, save_render_cache
from chatdesk.storage.snapshot import read_snapshot
from fakes.clock import FakeClock

from .support import old_chat, query

KEY = "1:0.1.0:123:light"


async def _chat(repo: ChatRepository) -> tuple[int, list[int]]:
    """A conversation of user/assistant pairs; returns its id and its message ids."""
    conv = await repo.create_conversation("Cached")
    await repo.import_messages(
        conv.id,
        [("user", "q1"), ("assistant", "**a1**"), ("user", "q2"), ("assistant", "a2")],
    )
    return conv.id, [m.id for m in await repo.list_messages(conv.id)]


def _render(message_id: int, text: str) -> CachedRender:
    return CachedRender(message_id, f"<p>{text}</p>", (f"code of {message_id}",))


async def test_saved_renders_come_back_with_the_snapshot(
    repo: ChatRepository, db_path: Path
) -> None:
    conv, ids = await _chat(repo)
    await save_render_cache(repo, KEY, [_render(ids[1], "a1"), _render(ids[3], "a2")])

    snap = read_snapshot(db_path, conv, 6, KEY)
    assert snap.complete
    assert snap.renders == {ids[1]: _render(ids[1], "a1"), ids[3]: _render(ids[3], "a2")}
    assert read_snapshot(db_path, conv, 6, "1:0.1.0:123:dark").renders == {}  # other palette
    assert read_snapshot(db_path, conv, 6).renders == {}  # not asked for
    only_last = read_snapshot(db_path, conv, 1, KEY)  # renders of the shown page only
    assert list(only_last.renders) == [ids[3]]


async def test_saving_replaces_the_whole_cache_and_skips_deleted_messages(
    repo: ChatRepository, db_path: Path
) -> None:
    _, ids = await _chat(repo)
    await save_render_cache(repo, KEY, [_render(ids[1], "a1")])
    await save_render_cache(repo, KEY, [_render(ids[3], "a2"), _render(10_000, "gone")])

    assert query(db_path, "SELECT message_id FROM render_cache") == [(ids[3],)]


async def test_a_changed_text_or_a_deleted_chat_drops_its_renders(
    repo: ChatRepository, db_path: Path
) -> None:
    conv, ids = await _chat(repo)
    await save_render_cache(repo, KEY, [_render(ids[1], "a1"), _render(ids[3], "a2")])

    await repo.update_message(ids[1], status=None, model="other/model")  # text unchanged
    await repo.update_message(ids[3], content="a2, answered again")
    assert query(db_path, "SELECT message_id FROM render_cache") == [(ids[1],)]

    await repo.delete_conversation(conv)
    assert query(db_path, "SELECT count(*) FROM render_cache") == [(0,)]


async def test_a_database_from_before_the_cache_still_gives_a_snapshot(
    db_path: Path, clock: FakeClock
) -> None:
    old = await ChatRepository.open(db_path, migrations=MIGRATIONS[:1], clock=clock)
    await old.close()
    conv, ids = old_chat(
        db_path, [("user", "q1"), ("assistant", "**a1**"), ("user", "q2"), ("assistant", "a2")]
    )

    # An older schema gives no snapshot (the repository, once it has migrated, shows it).
    snap = read_snapshot(db_path, conv, 6, KEY)
    assert not snap.complete and snap.messages == [] and snap.renders == {}

    upgraded = await ChatRepository.open(db_path, clock=clock)  # the migration adds the table
    await save_render_cache(upgraded, KEY, [_render(ids[1], "a1")])
    assert [m.id for m in await upgraded.list_messages(conv)] == ids
    await upgraded.close()
    assert read_snapshot(db_path, conv, 6, KEY).renders == {ids[1]: _render(ids[1], "a1")}


async def test_an_unreadable_cache_row_is_ignored(repo: ChatRepository, db_path: Path) -> None:
    conv, ids = await _chat(repo)
    await save_render_cache(repo, KEY, [_render(ids[1], "a1"), _render(ids[3], "a2")])
    query(
        db_path, "UPDATE render_cache SET code_blocks = '{not json' WHERE message_id = ?", (ids[1],)
    )
    query(db_path, "UPDATE render_cache SET code_blocks = '[1, 2]' WHERE message_id = ?", (ids[3],))

    snap = read_snapshot(db_path, conv, 6, KEY)
    assert snap.complete and len(snap.messages) == 4
    assert snap.renders == {}
