"""Sample exports in the published shapes of ChatGPT's and Claude's data exports, small and
hand-made (branches, every content type the importer maps) or generated and large."""

from __future__ import annotations

import json
import random
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

T0 = 1_700_000_000.0


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


ONE_PIXEL_PNG = _png()


def gpt_message(
    node: str,
    role: str,
    content: dict[str, Any],
    t: float | int | None,
    *,
    name: str | None = None,
    recipient: str = "all",
    hidden: bool = False,
    model: str | None = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if hidden:
        metadata["is_visually_hidden_from_conversation"] = True
    if model:
        metadata["model_slug"] = model
    return {
        "id": node,
        "author": {"role": role, "name": name, "metadata": {}},
        "create_time": t,
        "update_time": None,
        "content": content,
        "status": "finished_successfully",
        "end_turn": True if role == "assistant" else None,
        "weight": 1.0,
        "metadata": metadata,
        "recipient": recipient,
    }


def text(*parts: str) -> dict[str, Any]:
    return {"content_type": "text", "parts": list(parts)}


def mapping(*nodes: tuple[str, str | None, dict[str, Any] | None]) -> dict[str, Any]:
    """Nodes as (id, parent, message); children are filled in from the parents."""
    out: dict[str, Any] = {
        key: {"id": key, "message": message, "parent": parent, "children": []}
        for key, parent, message in nodes
    }
    for key, parent, _ in nodes:
        if parent in out:
            out[parent]["children"].append(key)
    return out


def _conversation(cid: str, title: str, nodes: dict[str, Any], current: str) -> dict[str, Any]:
    return {
        "title": title,
        "create_time": T0,
        "update_time": T0 + 100,
        "mapping": nodes,
        "moderation_results": [],
        "current_node": current,
        "plugin_ids": None,
        "conversation_id": cid,
        "conversation_template_id": None,
        "gizmo_id": None,
        "is_archived": False,
        "safe_urls": [],
        "default_model_slug": "gpt-4o",
        "id": cid,
    }


def paris() -> dict[str, Any]:
    """Branches at two levels: an edited question and a regenerated answer; hidden messages."""
    nodes = mapping(
        ("root-1", None, None),
        ("sys-1", "root-1", gpt_message("sys-1", "system", text(""), None, hidden=True)),
        (
            "ctx-1",
            "sys-1",
            gpt_message(
                "ctx-1",
                "user",
                {
                    "content_type": "user_editable_context",
                    "user_profile": "I live in Berlin",
                    "user_instructions": "Be brief",
                },
                T0,
                hidden=True,
            ),
        ),
        (
            "q-paris",
            "ctx-1",
            gpt_message("q-paris", "user", text("Plan a weekend in Paris"), T0 + 1),
        ),
        (
            "a-louvre",
            "q-paris",
            gpt_message(
                "a-louvre", "assistant", text("Day 1: the Louvre..."), T0 + 2, model="gpt-4o"
            ),
        ),
        (
            "a-montmartre",
            "q-paris",
            gpt_message(
                "a-montmartre", "assistant", text("Start with Montmartre."), T0 + 3, model="gpt-4o"
            ),
        ),
        ("q-food", "a-montmartre", gpt_message("q-food", "user", text("What about food?"), T0 + 4)),
        (
            "a-bistro",
            "q-food",
            gpt_message("a-bistro", "assistant", text("Try a bistro in Le Marais."), T0 + 5),
        ),
        ("q-lyon", "ctx-1", gpt_message("q-lyon", "user", text("Plan a weekend in Lyon"), T0 + 6)),
        (
            "a-lyon",
            "q-lyon",
            gpt_message("a-lyon", "assistant", text("Lyon is known for its food."), T0 + 7),
        ),
    )
    return _conversation("conv-paris", "Paris trip", nodes, "a-bistro")


def data_analysis() -> dict[str, Any]:
    """Code run by a tool, its output, thoughts, a reasoning recap, an image, browsing."""
    image = {
        "content_type": "image_asset_pointer",
        "asset_pointer": "file-service://file-AbC123",
        "size_bytes": len(ONE_PIXEL_PNG),
        "width": 1,
        "height": 1,
        "fovea": None,
        "metadata": None,
    }
    nodes = mapping(
        ("root-2", None, None),
        ("q-pow", "root-2", gpt_message("q-pow", "user", text("Compute 2**10"), T0 + 1)),
        (
            "code-1",
            "q-pow",
            gpt_message(
                "code-1",
                "assistant",
                {"content_type": "code", "language": "python", "text": "print(2**10)"},
                T0 + 2,
                recipient="python",
            ),
        ),
        (
            "out-1",
            "code-1",
            gpt_message(
                "out-1",
                "tool",
                {"content_type": "execution_output", "text": "1024"},
                T0 + 3,
                name="python",
            ),
        ),
        (
            "thought-1",
            "out-1",
            gpt_message(
                "thought-1",
                "assistant",
                {
                    "content_type": "thoughts",
                    "thoughts": [{"summary": "Checking", "content": "The output is 1024."}],
                    "source_analysis_msg_id": "x",
                },
                T0 + 4,
            ),
        ),
        (
            "recap-1",
            "thought-1",
            gpt_message(
                "recap-1",
                "assistant",
                {"content_type": "reasoning_recap", "content": "Thought for 3 seconds"},
                T0 + 5,
            ),
        ),
        ("a-pow", "recap-1", gpt_message("a-pow", "assistant", text("2**10 is 1024."), T0 + 6)),
        (
            "q-img",
            "a-pow",
            gpt_message(
                "q-img",
                "user",
                {"content_type": "multimodal_text", "parts": [image, "What is in this picture?"]},
                T0 + 7,
            ),
        ),
        (
            "search-1",
            "q-img",
            gpt_message(
                "search-1",
                "assistant",
                {"content_type": "code", "language": "unknown", "text": "search('pixel')"},
                T0 + 8,
                recipient="browser",
            ),
        ),
        (
            "browse-1",
            "search-1",
            gpt_message(
                "browse-1",
                "tool",
                {
                    "content_type": "tether_browsing_display",
                    "result": "Search results...",
                    "summary": "Searched the web",
                    "assets": None,
                    "tether_id": None,
                },
                T0 + 9,
                name="browser",
            ),
        ),
        (
            "quote-1",
            "browse-1",
            gpt_message(
                "quote-1",
                "tool",
                {
                    "content_type": "tether_quote",
                    "url": "https://example.com",
                    "domain": "example.com",
                    "text": "Example quote",
                    "title": "Example",
                },
                T0 + 10,
                name="browser",
            ),
        ),
        ("a-img", "quote-1", gpt_message("a-img", "assistant", text("A single pixel."), T0 + 11)),
    )
    return _conversation("conv-code", "Data analysis", nodes, "a-img")


def messy() -> dict[str, Any]:
    """What real exports get wrong: a null message mid-chain, int and null times, nodes out of
    order, a parent outside the mapping, a current node that does not exist."""
    nodes = mapping(
        (
            "m4",
            "m3",
            gpt_message("m4", "assistant", text("Why did the chicken cross the road?"), None),
        ),
        ("m3", "gap", gpt_message("m3", "user", text("Tell me a joke"), 1_700_000_003)),
        ("gap", "m2", None),
        ("m2", "m1", gpt_message("m2", "assistant", text("Hi! How can I help?"), 1_700_000_002)),
        ("m1", "not-in-mapping", gpt_message("m1", "user", text("Hello there"), 1_700_000_001)),
    )
    conversation = _conversation("conv-messy", "Messy", nodes, "no-such-node")
    conversation["create_time"] = 1_700_000_000
    return conversation


def chatgpt_conversations() -> list[dict[str, Any]]:
    return [paris(), data_analysis(), messy()]


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def write_chatgpt_zip(path: Path, conversations: list[dict[str, Any]] | None = None) -> Path:
    """A zip like ChatGPT's "Export data": conversations.json, chat.html, user.json, images."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("conversations.json", json.dumps(conversations or chatgpt_conversations()))
        archive.writestr("chat.html", "<html><body>Your chats</body></html>")
        archive.writestr("user.json", json.dumps({"id": "user-x", "email": "someone@example.com"}))
        archive.writestr("message_feedback.json", "[]")
        archive.writestr("file-AbC123-picture.png", ONE_PIXEL_PNG)
    return path


def _claude_message(
    uuid: str,
    sender: str,
    body: str,
    t: str,
    blocks: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "uuid": uuid,
        "text": body,
        "sender": sender,
        "created_at": t,
        "updated_at": t,
        "attachments": [],
        "files": [],
        **extra,
    }
    if blocks is not None:
        message["content"] = blocks
    return message


def claude_conversations() -> list[dict[str, Any]]:
    """Claude.ai's conversations.json: the old text-only shape, content blocks with thinking
    and tools and a retried answer (parent_message_uuid), and an empty chat."""
    root = "00000000-0000-4000-8000-000000000000"
    old = {
        "uuid": "claude-old",
        "name": "Old style",
        "created_at": "2024-05-01T10:00:00.000000Z",
        "updated_at": "2024-05-01T10:05:00.000000Z",
        "account": {"uuid": "acc-1"},
        "chat_messages": [
            _claude_message(
                "o1",
                "human",
                "What is Rust?",
                "2024-05-01T10:00:00Z",
                attachments=[
                    {
                        "file_name": "notes.txt",
                        "file_size": 12,
                        "file_type": "text/plain",
                        "extracted_content": "hello world!",
                    }
                ],
            ),
            _claude_message(
                "o2", "assistant", "Rust is a systems language.", "2024-05-01T10:00:05Z"
            ),
        ],
    }
    weather_blocks = [
        {
            "type": "thinking",
            "thinking": "The user wants weather.",
            "summaries": [],
            "cut_off": False,
        },
        {"type": "text", "text": "Let me check."},
        {
            "type": "tool_use",
            "id": "toolu_01",
            "name": "web_search",
            "input": {"query": "weather Paris"},
        },
        {
            "type": "tool_result",
            "tool_use_id": "toolu_01",
            "name": "web_search",
            "content": [{"type": "text", "text": "Sunny, 21 C"}],
            "is_error": False,
        },
        {"type": "text", "text": "It is sunny in Paris."},
    ]
    blocks = {
        "uuid": "claude-blocks",
        "name": "Blocks",
        "created_at": "2024-06-01T09:00:00Z",
        "updated_at": "2024-06-01T09:10:00Z",
        "account": {"uuid": "acc-1"},
        "chat_messages": [
            _claude_message(
                "b1",
                "human",
                "Search the weather",
                "2024-06-01T09:00:00Z",
                [{"type": "text", "text": "Search the weather", "citations": []}],
                parent_message_uuid=root,
            ),
            _claude_message(
                "b2",
                "assistant",
                "",
                "2024-06-01T09:00:10Z",
                weather_blocks,
                parent_message_uuid="b1",
            ),
            _claude_message(
                "b3",
                "human",
                "Thanks",
                "2024-06-01T09:01:00Z",
                [{"type": "text", "text": "Thanks"}],
                parent_message_uuid="b2",
            ),
            _claude_message(
                "b4",
                "assistant",
                "You are welcome.",
                "2024-06-01T09:02:00Z",
                [{"type": "text", "text": "You are welcome."}],
                parent_message_uuid="b3",
            ),
            _claude_message(
                "b5",
                "assistant",
                "Any time!",
                "2024-06-01T09:01:30Z",
                [{"type": "text", "text": "Any time!"}],
                parent_message_uuid="b3",
            ),
        ],
    }
    empty = {
        "uuid": "claude-empty",
        "name": "Empty",
        "created_at": "2024-07-01T09:00:00Z",
        "updated_at": "2024-07-01T09:00:00Z",
        "account": {"uuid": "acc-1"},
        "chat_messages": [],
    }
    return [old, blocks, empty]


_SENTENCE = (
    "the model answer question code python search window branch history export import"
    " backup restore message chat token stream server local desktop fast light data"
    " file folder image table list value number string error test build run start stop"
    " open close save load read write quick brown fox jumps over lazy dog river"
    " mountain city coffee music garden paper light dark morning evening travel plan"
    " food bistro museum train ticket weather sunny rain"
)
WORDS = tuple(_SENTENCE.split())


def _words(rng: random.Random, low: int = 20, high: int = 80) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def _generated(
    index: int, messages: int, rng: random.Random, branch_every: int
) -> tuple[dict[str, Any], int]:
    nodes: list[tuple[str, str | None, dict[str, Any] | None]] = [(f"r{index}", None, None)]
    parent = f"r{index}"
    written = 0
    turn = 0
    while written < messages:
        role = "user" if turn % 2 == 0 else "assistant"
        key = f"c{index}-m{turn}"
        t = T0 + index * 1000 + turn
        nodes.append((key, parent, gpt_message(key, role, text(_words(rng)), t)))
        written += 1
        branch = branch_every and (turn // 2) % branch_every == branch_every - 1
        if role == "assistant" and branch and written < messages:
            alt = f"{key}-alt"
            nodes.append((alt, parent, gpt_message(alt, role, text(_words(rng)), t)))
            written += 1
        parent = key
        turn += 1
    return _conversation(
        f"gen-{index}", f"Generated chat {index}", mapping(*nodes), parent
    ), written


def _write_stream(out: IO[str], conversations: int, per: int, seed: int, branch_every: int) -> int:
    rng = random.Random(seed)
    total = 0
    out.write("[")
    for index in range(conversations):
        conversation, written = _generated(index, per, rng, branch_every)
        total += written
        out.write(("," if index else "") + json.dumps(conversation))
    out.write("]")
    return total


def generate_chatgpt_export(
    path: Path,
    conversations: int,
    messages_per_conversation: int,
    *,
    seed: int = 1,
    branch_every: int = 10,
) -> tuple[int, int]:
    """Stream a large ChatGPT-shaped export to ``path`` (a zip when it ends in .zip); returns
    (conversations, messages)."""
    if path.suffix == ".zip":
        with (
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
            archive.open("conversations.json", "w") as raw,
        ):
            import io

            with io.TextIOWrapper(raw, encoding="utf-8") as out:
                total = _write_stream(
                    out, conversations, messages_per_conversation, seed, branch_every
                )
        return conversations, total
    with path.open("w", encoding="utf-8") as out:
        total = _write_stream(out, conversations, messages_per_conversation, seed, branch_every)
    return conversations, total
