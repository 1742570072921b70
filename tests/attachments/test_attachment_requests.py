"""Attachments through a real turn: local files stored and sent as the right request parts."""

from __future__ import annotations

import base64
import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from attachment_samples import pdf, png, windows_exe
from attachment_support import OrchestratorFactory, ServiceFactory

from chatdesk.attachments.errors import AttachmentRejected, BlobStoreError
from chatdesk.attachments.service import AttachmentService
from chatdesk.attachments.validate import PendingFile
from chatdesk.core.events import TurnDone, TurnEvent, TurnFailed, TurnStarted
from chatdesk.core.models import TurnConfig
from chatdesk.storage.attachments import AttachmentStore
from chatdesk.storage.repository import ChatRepository
from fakes.clock import START, FakeClock
from fakes.openrouter import FakeOpenRouter

VISION = "openai/gpt-4o-mini"  # input: text, image, file
TEXT_ONLY = "deepseek/deepseek-r1:free"  # input: text


def _config(model: str) -> TurnConfig:
    return TurnConfig(model=model, generate_titles=False)


async def _collect(events: AsyncIterator[TurnEvent]) -> list[TurnEvent]:
    return [event async for event in events]


def _last_user(fake: FakeOpenRouter, index: int = -1) -> dict[str, Any]:
    body = fake.requests_to()[index].json
    users = [m for m in body["messages"] if m["role"] == "user"]
    return dict(users[-1])


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


async def test_a_png_and_a_pdf_go_as_image_and_file_parts(
    tmp_path: Path,
    service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
) -> None:
    shot, report = tmp_path / "screenshot.png", tmp_path / "report.pdf"
    shot.write_bytes(png())
    report.write_bytes(pdf())
    added = await service.add([PendingFile.from_path(shot), PendingFile.from_path(report)])
    conv = await repo.create_conversation()

    events = await _collect(
        make_orchestrator(service).send(conv.id, "What is in these?", _config(VISION), added)
    )

    assert isinstance(events[-1], TurnDone)
    started = events[0]
    assert isinstance(started, TurnStarted) and started.user_message is not None
    assert [a.filename for a in started.user_message.attachments] == [
        "screenshot.png",
        "report.pdf",
    ]
    assert all(a.message_id == started.user_message.id for a in started.user_message.attachments)
    content = _last_user(fake_openrouter)["content"]
    assert [part["type"] for part in content] == ["text", "image_url", "file"]
    assert content[0] == {"type": "text", "text": "What is in these?"}
    image_url = content[1]["image_url"]["url"]
    assert image_url.startswith("data:image/png;base64,")
    assert base64.b64decode(image_url.split(",", 1)[1]) == png()
    file_part = content[2]["file"]
    assert file_part["filename"] == "report.pdf"
    assert file_part["file_data"].startswith("data:application/pdf;base64,")
    assert base64.b64decode(file_part["file_data"].split(",", 1)[1]) == pdf()


async def test_text_files_are_inlined_under_their_name(
    service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
) -> None:
    notes = await service.add_bytes("notes.md", b"# Plan\n\n```sh\nmake\n```\n")
    table = await service.add_bytes("data.csv", b"a,b\n1,2\n")
    conv = await repo.create_conversation()
    await _collect(
        make_orchestrator(service).send(conv.id, "Summarise", _config(TEXT_ONLY), [notes, table])
    )
    content = _last_user(fake_openrouter)["content"]
    assert content == (
        "Summarise\n\n"
        "File: notes.md\n````markdown\n# Plan\n\n```sh\nmake\n```\n````\n\n"
        "File: data.csv\n```csv\na,b\n1,2\n```"
    )


async def test_a_message_of_only_an_image_is_allowed(
    service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
) -> None:
    image = await service.add_bytes("pasted.png", png())
    conv = await repo.create_conversation()
    events = await _collect(make_orchestrator(service).send(conv.id, "", _config(VISION), [image]))
    assert isinstance(events[-1], TurnDone)
    assert [p["type"] for p in _last_user(fake_openrouter)["content"]] == ["image_url"]


async def test_a_text_only_model_is_refused_before_anything_is_stored_or_sent(
    service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
) -> None:
    image = await service.add_bytes("chart.png", png())
    document = await service.add_bytes("paper.pdf", pdf())
    conv = await repo.create_conversation()

    events = await _collect(
        make_orchestrator(service).send(conv.id, "Look", _config(TEXT_ONLY), [image, document])
    )

    assert len(events) == 1 and isinstance(events[0], TurnFailed)
    assert events[0].message is None
    assert events[0].error.kind == "attachment"
    assert events[0].error.user_message == (
        f"Nothing was sent: the model {TEXT_ONLY} cannot take these files:\n"
        f"• chart.png: {TEXT_ONLY} does not accept images\n"
        f"• paper.pdf: {TEXT_ONLY} does not accept PDF documents\n"
        "Remove the file or choose a model that accepts it."
    )
    assert fake_openrouter.requests_to() == []
    assert await repo.list_messages(conv.id) == []


async def test_pdfs_go_to_any_model_when_the_server_parses_them(
    make_service: ServiceFactory,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
) -> None:
    service = make_service(server_parses_pdfs=lambda: True)
    document = await service.add_bytes("paper.pdf", pdf())
    conv = await repo.create_conversation()
    events = await _collect(
        make_orchestrator(service).send(conv.id, "Read", _config(TEXT_ONLY), [document])
    )
    assert isinstance(events[-1], TurnDone)
    assert _last_user(fake_openrouter)["content"][1]["type"] == "file"


async def test_the_model_check_can_run_before_storing(
    service: AttachmentService, blob_root: Path, models: dict[str, Any]
) -> None:
    with pytest.raises(Exception, match="does not accept images") as caught:
        await service.add(
            [PendingFile("a.png", data=png())], model=TEXT_ONLY, info=models[TEXT_ONLY]
        )
    assert caught.value.__class__.__name__ == "UnsupportedAttachmentError"
    assert _files(blob_root) == []


async def test_older_images_become_notes_for_a_text_only_model(
    service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
) -> None:
    orchestrator = make_orchestrator(service)
    conv = await repo.create_conversation()
    image = await service.add_bytes("cat.png", png())
    await _collect(orchestrator.send(conv.id, "A cat", _config(VISION), [image]))
    await _collect(orchestrator.send(conv.id, "And now?", _config(TEXT_ONLY)))

    body = fake_openrouter.requests_to()[-1].json
    first_user = body["messages"][0]
    assert first_user["content"] == (
        "A cat\n\n[Attached file cat.png (image/png) is not included: "
        f"{TEXT_ONLY} does not accept images.]"
    )
    assert body["messages"][-1] == {"role": "user", "content": "And now?"}


async def test_history_keeps_sending_earlier_attachments_and_touches_them(
    service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
    clock: FakeClock,
) -> None:
    orchestrator = make_orchestrator(service)
    conv = await repo.create_conversation()
    image = await service.add_bytes("cat.png", png())
    await _collect(orchestrator.send(conv.id, "A cat", _config(VISION), [image]))
    clock.advance(3600)
    await _collect(orchestrator.send(conv.id, "Its colour?", _config(VISION)))

    first_user = fake_openrouter.requests_to()[-1].json["messages"][0]
    assert [p["type"] for p in first_user["content"]] == ["text", "image_url"]
    first_id = (await repo.list_messages(conv.id))[0].id
    (row,) = (await AttachmentStore(repo).for_messages([first_id]))[first_id]
    assert row.last_used_at == START + 3600


async def test_regenerate_sends_the_attachments_again(
    service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
) -> None:
    orchestrator = make_orchestrator(service)
    conv = await repo.create_conversation()
    document = await service.add_bytes("paper.pdf", pdf())
    await _collect(orchestrator.send(conv.id, "Read", _config(VISION), [document]))
    events = await _collect(orchestrator.regenerate(conv.id, _config(VISION)))
    assert isinstance(events[-1], TurnDone)
    assert [p["type"] for p in _last_user(fake_openrouter)["content"]] == ["text", "file"]


async def test_the_same_file_twice_is_stored_once(
    service: AttachmentService, blob_root: Path
) -> None:
    first = await service.add_bytes("a.png", png())
    second = await service.add_bytes("copy of a.png", png())
    assert first.id != second.id and first.blob_key == second.blob_key
    (blob,) = _files(blob_root)
    assert blob.read_bytes() == png()
    assert blob.name == f"{first.sha256}.png"
    assert not os.stat(blob).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


async def test_refused_files_leave_nothing_behind(
    tmp_path: Path,
    service: AttachmentService,
    repo: ChatRepository,
    blob_root: Path,
    data_dir: Path,
) -> None:
    big = tmp_path / "huge.pdf"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    good = tmp_path / "fine.txt"
    good.write_text("fine")
    with pytest.raises(AttachmentRejected) as caught:
        await service.add(
            [
                PendingFile.from_path(good),
                PendingFile.from_path(big),
                PendingFile("invoice.pdf", data=windows_exe()),
            ]
        )
    assert str(caught.value) == (
        "huge.pdf was not attached: it is 50 MB, more than the 10 MB limit.\n"
        "invoice.pdf was not attached: it is a Windows program (.exe/.dll), not a supported "
        "type (images (PNG, JPEG, GIF, WebP), PDF documents and text files)."
    )
    assert _files(blob_root) == []
    assert await AttachmentStore(repo).for_messages([1]) == {}


async def test_a_traversal_name_is_stored_inside_the_attachments_folder(
    service: AttachmentService, blob_root: Path, data_dir: Path, tmp_path: Path
) -> None:
    added = await service.add_bytes("../../etc/passwd", b"root:x:0:0\n")
    assert added.filename == "passwd"
    (blob,) = _files(blob_root)
    assert blob.is_relative_to(blob_root) and blob.suffix == ".txt"
    assert not (data_dir.parent / "etc").exists() and not (tmp_path / "etc").exists()


async def test_a_missing_blob_fails_the_new_message_but_not_old_ones(
    service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    fake_openrouter: FakeOpenRouter,
    blob_root: Path,
) -> None:
    orchestrator = make_orchestrator(service)
    conv = await repo.create_conversation()
    image = await service.add_bytes("cat.png", png())
    await _collect(orchestrator.send(conv.id, "A cat", _config(VISION), [image]))
    for blob in _files(blob_root):
        blob.unlink()  # deleted behind chatdesk's back

    events = await _collect(orchestrator.send(conv.id, "Again?", _config(VISION)))
    assert isinstance(events[-1], TurnDone)
    assert "cat.png (image/png) is not included: it could not be read" in str(
        fake_openrouter.requests_to()[-1].json["messages"][0]["content"]
    )

    new = await service.add_bytes("dog.png", png(rgb=(1, 2, 3)))
    for blob in _files(blob_root):
        blob.unlink()
    sent = len(fake_openrouter.requests_to())
    events = await _collect(orchestrator.send(conv.id, "Dog", _config(VISION), [new]))
    failed = events[-1]
    assert isinstance(failed, TurnFailed) and isinstance(failed.error, BlobStoreError)
    assert "is missing (it was deleted outside chatdesk)" in failed.error.user_message
    assert len(fake_openrouter.requests_to()) == sent


async def test_messages_and_views_for_the_chat(
    service: AttachmentService,
    make_orchestrator: OrchestratorFactory,
    repo: ChatRepository,
    blob_root: Path,
) -> None:
    conv = await repo.create_conversation()
    image = await service.add_bytes("cat.png", png())
    await _collect(make_orchestrator(service).send(conv.id, "A cat", _config(VISION), [image]))
    loaded = await service.with_attachments(await repo.list_messages(conv.id))
    assert [len(m.attachments) for m in loaded] == [1, 0]
    (view,) = await service.views(loaded[0].attachments)
    assert (view.filename, view.kind, view.size_bytes, view.url) == (
        "cat.png",
        "image",
        len(png()),
        None,
    )
    assert view.path is not None and view.path.read_bytes() == png()
    assert await service.read(loaded[0].attachments[0]) == png()


async def test_attachments_without_a_resolver_are_refused(
    repo: ChatRepository, provider: Any, service: AttachmentService
) -> None:
    from chatdesk.core.orchestrator import ChatOrchestrator

    image = await service.add_bytes("cat.png", png())
    conv = await repo.create_conversation()
    events = await _collect(
        ChatOrchestrator(repo, provider).send(conv.id, "x", _config(VISION), [image])
    )
    assert isinstance(events[0], TurnFailed)
    assert "Attachments are not available" in events[0].error.user_message


async def test_views_now_gives_local_paths_without_io(service: AttachmentService) -> None:
    added = await service.add_bytes("cat.png", png())
    (view,) = service.views_now([added])
    assert view.path is not None and view.path.name == f"{added.sha256}.png"
    assert (view.kind, view.url) == ("image", None)
