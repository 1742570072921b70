"""Retention with an injected clock: orphans, expired files, shared blobs, batches, deletes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from attachment_samples import pdf, png
from attachment_support import ServiceFactory

from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.attachments.gcs_store import GcsBlobStore
from chatdesk.attachments.retention import ReapReport
from chatdesk.attachments.service import AttachmentService
from chatdesk.core.models import Attachment
from chatdesk.storage.attachments import AttachmentStore
from chatdesk.storage.repository import ChatRepository
from fakes.clock import DAY, FakeClock


def _files(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*") if p.is_file())


async def _sent(
    service: AttachmentService,
    repo: ChatRepository,
    name: str,
    data: bytes,
    conv: int | None = None,
) -> tuple[Attachment, int]:
    """A file on a stored user message (as the orchestrator leaves it)."""
    conversation = conv if conv is not None else (await repo.create_conversation()).id
    message = await repo.append_message(conversation, "user", "see file")
    added = await service.add_bytes(name, data)
    (linked,) = await service.attach(message, [added])
    return linked, conversation


async def test_by_default_files_on_messages_are_kept_forever(
    service: AttachmentService, repo: ChatRepository, clock: FakeClock, blob_root: Path
) -> None:
    linked, _ = await _sent(service, repo, "cat.png", png())
    clock.advance(3650 * DAY)
    assert await service.reap() == ReapReport()
    assert await AttachmentStore(repo).for_messages([linked.message_id or 0]) != {}
    assert len(_files(blob_root)) == 1


async def test_files_never_sent_are_reaped_after_a_day(
    service: AttachmentService, repo: ChatRepository, clock: FakeClock, blob_root: Path
) -> None:
    await service.add_bytes("draft.png", png())
    clock.advance(DAY - 1)
    assert await service.reap() == ReapReport()
    recent = await service.add_bytes("recent.pdf", pdf())
    clock.advance(2)
    assert await service.reap() == ReapReport(rows=1, blobs=1)
    assert _files(blob_root) == [f"{recent.sha256}.pdf"]


async def test_retention_reaps_files_unused_that_long_with_their_blobs(
    make_service: ServiceFactory, repo: ChatRepository, clock: FakeClock, blob_root: Path
) -> None:
    service = make_service(config=AttachmentsConfig(retention_days=30))
    old, _ = await _sent(service, repo, "old.png", png())
    used, conv = await _sent(service, repo, "used.pdf", pdf())
    clock.advance(20 * DAY)
    # Using the second file's message (a request built from it) touches it.
    await service.parts_for(await repo.list_messages(conv), "openai/gpt-4o-mini", None)
    clock.advance(11 * DAY)

    assert await service.reap() == ReapReport(rows=1, blobs=1)
    assert _files(blob_root) == [f"{used.sha256}.pdf"]
    assert await AttachmentStore(repo).for_messages([old.message_id or 0]) == {}
    clock.advance(20 * DAY)
    assert await service.reap() == ReapReport(rows=1, blobs=1)
    assert _files(blob_root) == []


async def test_a_blob_another_row_still_uses_survives(
    make_service: ServiceFactory, repo: ChatRepository, clock: FakeClock, blob_root: Path
) -> None:
    service = make_service(config=AttachmentsConfig(retention_days=7))
    first, _ = await _sent(service, repo, "cat.png", png())
    clock.advance(6 * DAY)
    second, _ = await _sent(service, repo, "same-cat.png", png())
    assert first.blob_key == second.blob_key
    clock.advance(2 * DAY)

    assert await service.reap() == ReapReport(rows=1, blobs=0)
    assert _files(blob_root) == [f"{first.sha256}.png"]
    clock.advance(7 * DAY)
    assert await service.reap() == ReapReport(rows=1, blobs=1)
    assert _files(blob_root) == []


async def test_reaping_goes_in_batches(
    make_service: ServiceFactory, repo: ChatRepository, clock: FakeClock, blob_root: Path
) -> None:
    service = make_service(config=AttachmentsConfig(retention_days=1))
    for i in range(7):
        await _sent(service, repo, f"n{i}.txt", f"note {i}".encode())
    clock.advance(2 * DAY)
    assert await service.reap(batch_size=3) == ReapReport(rows=7, blobs=7)
    assert _files(blob_root) == []


async def test_deleting_a_conversation_deletes_its_files_but_shared_blobs_stay(
    service: AttachmentService, repo: ChatRepository, blob_root: Path
) -> None:
    _mine, conv = await _sent(service, repo, "mine.pdf", pdf())
    shared, _ = await _sent(service, repo, "shared.png", png(), conv)
    other, other_conv = await _sent(service, repo, "also-here.png", png())

    report = await service.delete_conversation(conv)
    await repo.delete_conversation(conv)

    assert report == ReapReport(rows=2, blobs=1)
    assert _files(blob_root) == [f"{shared.sha256}.png"]
    other_id = other.message_id or 0
    (left,) = (await AttachmentStore(repo).for_messages([other_id]))[other_id]
    assert left.id == other.id and left.conversation_id == other_conv


async def test_rows_whose_blob_cannot_be_deleted_stay_for_a_later_pass(
    make_service: ServiceFactory, repo: ChatRepository, clock: FakeClock, blob_root: Path
) -> None:
    # A GCS bucket that cannot be reached (nothing listens on the port).
    unreachable = GcsBlobStore(
        "gone", "p/", emulator_host="http://127.0.0.1:9", retry_timeout_s=0.2
    )
    service = make_service(unreachable, config=AttachmentsConfig(retention_days=1))
    store = AttachmentStore(repo)
    sha = "c" * 64
    in_gcs = await store.insert(
        filename="far.png",
        mime_type="image/png",
        size_bytes=10,
        sha256=sha,
        backend="gcs",
        blob_key=f"p/{sha}.png",
    )
    local, _ = await _sent(service, repo, "near.png", png())
    clock.advance(2 * DAY)

    assert await service.reap(batch_size=2) == ReapReport(rows=1, blobs=1, kept=1)
    assert [a.id for a in await store.get_many([in_gcs.id, local.id])] == [in_gcs.id]
    assert _files(blob_root) == []
    # Without GCS configured at all, the row stays too (a later run with GCS can delete it).
    assert await make_service().reap() == ReapReport(kept=1)
    assert [a.id for a in await store.get_many([in_gcs.id])] == [in_gcs.id]


async def test_the_background_reaper_runs_until_stopped(
    make_service: ServiceFactory, repo: ChatRepository, clock: FakeClock, blob_root: Path
) -> None:
    service = make_service(config=AttachmentsConfig(retention_days=1))
    await _sent(service, repo, "n.txt", b"note")
    clock.advance(2 * DAY)
    stop = asyncio.Event()
    clock.on_call = stop.set  # the first pass reads the clock; the loop ends after it

    async with asyncio.timeout(10):
        await service.run_reaper(stop, interval_s=3600)
    assert _files(blob_root) == []


async def test_discard_removes_unsent_files_only(
    service: AttachmentService, repo: ChatRepository, blob_root: Path
) -> None:
    sent, _ = await _sent(service, repo, "sent.png", png())
    draft = await service.add_bytes("draft.png", png())
    other = await service.add_bytes("other.pdf", pdf())
    assert await service.discard([sent, draft, other]) == ReapReport(rows=2, blobs=1)
    assert _files(blob_root) == [f"{sent.sha256}.png"]
