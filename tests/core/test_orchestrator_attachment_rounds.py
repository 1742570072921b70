"""Attachment parts are built once per turn, however many tool rounds the turn takes.

A real AttachmentService over the real repository and a LocalBlobStore on disk; the counting is
done at the ports: the orchestrator's AttachmentResolver and the service's BlobStore.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from chatdesk.attachments.config import AttachmentsConfig
from chatdesk.attachments.local_store import LocalBlobStore
from chatdesk.attachments.service import AttachmentService
from chatdesk.core.events import TurnDone, TurnEvent
from chatdesk.core.models import (
    Attachment,
    ContentPart,
    Message,
    ModelInfo,
    ToolCall,
    ToolSpec,
    TurnConfig,
)
from chatdesk.core.orchestrator import ChatOrchestrator
from chatdesk.core.ports import ToolResult
from chatdesk.providers.openrouter import OpenRouterClient
from chatdesk.storage.attachments import AttachmentStore
from chatdesk.storage.repository import ChatRepository
from fakes.openrouter import FakeOpenRouter, Reply

MODEL = "openai/gpt-4o-mini"  # the fake's catalogue: input text, image, file
CONFIG = TurnConfig(model=MODEL, generate_titles=False)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
NOTES = b"remember the milk\n"


class CountingStore(LocalBlobStore):
    """The real local store, counting the blob reads (one per file per request built)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.reads: list[str] = []

    async def get(self, key: str) -> bytes:
        self.reads.append(key)
        return await super().get(key)


class CountingResolver:
    """The orchestrator's AttachmentResolver port: the real service, recording ``parts_for``."""

    def __init__(self, service: AttachmentService) -> None:
        self.service = service
        self.parts_calls: list[list[int]] = []

    async def check(
        self, attachments: Sequence[Attachment], model: str, info: ModelInfo | None
    ) -> None:
        await self.service.check(attachments, model, info)

    async def attach(
        self, message: Message, attachments: Sequence[Attachment]
    ) -> tuple[Attachment, ...]:
        return await self.service.attach(message, attachments)

    async def parts_for(
        self, messages: Sequence[Message], model: str, info: ModelInfo | None
    ) -> Mapping[int, tuple[ContentPart, ...]]:
        self.parts_calls.append([m.id for m in messages])
        return await self.service.parts_for(messages, model, info)


class AddTool:
    """A real ToolHost with one tool that adds two numbers."""

    def tool_specs(self) -> Sequence[ToolSpec]:
        return [ToolSpec("calc__add", "Add numbers", {"type": "object", "properties": {}})]

    async def call_tool(self, call: ToolCall, **kwargs: Any) -> ToolResult:
        return ToolResult("3", server_id="calc")


def _tool_round(n: int) -> Reply:
    return Reply.stream("", tool_calls=[ToolCall(f"c{n}", "calc__add", '{"a": 1, "b": 2}')])


async def _collect(events: AsyncIterator[TurnEvent]) -> list[TurnEvent]:
    return [event async for event in events]


async def _setup(
    repo: ChatRepository, provider: OpenRouterClient, data_dir: Path
) -> tuple[ChatOrchestrator, AttachmentService, CountingResolver, CountingStore]:
    store = CountingStore(data_dir / "attachments")
    service = AttachmentService(AttachmentStore(repo), [store], AttachmentsConfig())
    resolver = CountingResolver(service)
    models = {m.id: m for m in await provider.list_models()}
    orchestrator = ChatOrchestrator(
        repo, provider, tools=AddTool(), model_info=models.get, attachments=resolver
    )
    return orchestrator, service, resolver, store


def _user_contents(fake: FakeOpenRouter) -> list[list[Any]]:
    """Per chat request, the content of each user message (a string or a list of parts)."""
    out = []
    for request in fake.requests_to():
        assert request.json is not None
        out.append([m["content"] for m in request.json["messages"] if m["role"] == "user"])
    return out


def _pdf_data(content: Any) -> bytes:
    (part,) = [p for p in content if p["type"] == "file"]
    return base64.b64decode(part["file"]["file_data"].split(",", 1)[1])


async def test_files_are_read_once_per_turn_across_tool_rounds(
    repo: ChatRepository,
    provider: OpenRouterClient,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    orchestrator, service, resolver, store = await _setup(repo, provider, data_dir)
    conv = await repo.create_conversation()
    fake_openrouter.enqueue(Reply.stream("Noted."))
    notes = await service.add_bytes("notes.txt", NOTES)
    await _collect(orchestrator.send(conv.id, "My notes", CONFIG, [notes]))
    store.reads.clear()
    resolver.parts_calls.clear()

    fake_openrouter.enqueue(_tool_round(1), _tool_round(2), _tool_round(3), Reply.stream("Done."))
    report = await service.add_bytes("report.pdf", PDF)
    events = await _collect(orchestrator.send(conv.id, "Read this", CONFIG, [report]))

    assert isinstance(events[-1], TurnDone) and events[-1].message.content == "Done."
    first_user, second_user = (m.id for m in await repo.list_messages(conv.id) if m.role == "user")
    assert resolver.parts_calls == [[first_user, second_user]]  # one build for four requests
    assert sorted(store.reads) == sorted([notes.blob_key, report.blob_key])
    turn = _user_contents(fake_openrouter)[1:]
    assert len(turn) == 4
    for notes_content, report_content in turn:  # every round still carries both files
        assert "remember the milk" in notes_content
        assert _pdf_data(report_content) == PDF


async def test_each_turn_builds_the_parts_again(
    repo: ChatRepository,
    provider: OpenRouterClient,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    orchestrator, service, resolver, store = await _setup(repo, provider, data_dir)
    conv = await repo.create_conversation()
    report = await service.add_bytes("report.pdf", PDF)
    fake_openrouter.enqueue(_tool_round(1), Reply.stream("First."))
    await _collect(orchestrator.send(conv.id, "Read this", CONFIG, [report]))
    fake_openrouter.enqueue(_tool_round(2), Reply.stream("Second."))
    await _collect(orchestrator.send(conv.id, "And again", CONFIG))

    assert len(resolver.parts_calls) == 2
    assert store.reads == [report.blob_key, report.blob_key]
    assert all(_pdf_data(users[0]) == PDF for users in _user_contents(fake_openrouter))


async def test_regenerate_with_tool_rounds_builds_once_and_hides_the_old_answer(
    repo: ChatRepository,
    provider: OpenRouterClient,
    fake_openrouter: FakeOpenRouter,
    data_dir: Path,
) -> None:
    orchestrator, service, resolver, store = await _setup(repo, provider, data_dir)
    conv = await repo.create_conversation()
    report = await service.add_bytes("report.pdf", PDF)
    fake_openrouter.enqueue(Reply.stream("Old answer."))
    await _collect(orchestrator.send(conv.id, "Read this", CONFIG, [report]))
    store.reads.clear()
    resolver.parts_calls.clear()

    fake_openrouter.enqueue(_tool_round(1), _tool_round(2), Reply.stream("New answer."))
    events = await _collect(orchestrator.regenerate(conv.id, CONFIG))

    assert isinstance(events[-1], TurnDone) and events[-1].message.content == "New answer."
    assert len(resolver.parts_calls) == 1 and store.reads == [report.blob_key]
    for request in fake_openrouter.requests_to()[1:]:
        assert request.json is not None
        messages = request.json["messages"]
        assert _pdf_data(messages[0]["content"]) == PDF
        assert all(m.get("content") != "Old answer." for m in messages)
    rows = await repo.list_messages(conv.id)
    assert [m.content for m in rows if m.role == "assistant"][-1] == "New answer."
    assert all(m.content != "Old answer." for m in rows)
