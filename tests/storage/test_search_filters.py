"""The search palette's query: filters, newest first or best first, deleted branches left out."""

from __future__ import annotations

from chatdesk.storage.repository import ChatRepository
from chatdesk.storage.search import SearchFilter


async def test_filters_order_and_deleted(repo: ChatRepository) -> None:
    a = await repo.create_conversation("Rome")
    b = await repo.create_conversation("Oslo")
    q1 = await repo.append_message(a.id, "user", "pasta in rome, pasta everywhere")
    r1 = await repo.append_message(a.id, "assistant", "pasta carbonara is famous")
    q2 = await repo.append_message(b.id, "user", "is there pasta in oslo")
    gone = await repo.append_message(b.id, "assistant", "pasta? rarely")
    await repo.delete_branch(gone.id)

    newest = await repo.search_messages("pasta", SearchFilter())
    assert [h.message_id for h in newest] == [q2.id, r1.id, q1.id]
    assert [h.conversation_title for h in newest] == ["Oslo", "Rome", "Rome"]
    assert "\x02pasta\x03" in newest[0].snippet

    mine = await repo.search_messages("pasta", SearchFilter(role="user"))
    assert [h.message_id for h in mine] == [q2.id, q1.id]
    here = await repo.search_messages("pasta", SearchFilter(conversation_id=a.id))
    assert [h.message_id for h in here] == [r1.id, q1.id]
    best = await repo.search_messages("pasta", SearchFilter(order="best"))
    assert best[0].message_id == q1.id  # "pasta" twice in a short message ranks first
    later = await repo.search_messages("pasta", SearchFilter(since=q2.created_at + 1))
    assert later == []
    assert await repo.search_messages("pas", SearchFilter(), limit=1) != []
    assert await repo.search_messages('"', SearchFilter()) == []
