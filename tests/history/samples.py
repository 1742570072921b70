"""Sample exports in the published shapes of ChatGPT's and Claude's data exports: small and
hand-made (branches, every content type the importer maps, lenient cases) or generated and large.

ChatGPT node ids, for tests:

- ``conv-paris``: ``root-1`` (null message) > ``sys-1`` (hidden system) > ``ctx-1`` (hidden
  custom instructions) > {``q-paris`` > {``a-louvre``, ``a-montmartre`` > ``q-food`` >
  ``a-bistro``}, ``q-lyon`` > ``a-lyon``}; current node ``a-bistro``.
- ``conv-code``: ``root-2`` > ``q-pow`` > ``code-1`` > ``out-1`` > ``thought-1`` > ``recap-1`` >
  ``a-pow`` > ``q-img`` > ``search-1`` > ``browse-1`` > ``quote-1`` > ``a-img`` (current).
- ``conv-messy``: ``not-in-mapping`` (absent) > ``m1`` > ``m2`` > ``gap`` (null message) > ``m3``
  > ``m4``, listed leaf first; current node ``no-such-node`` (absent).
"""

from __future__ import annotations

import io
import json
import random
import struct
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

T0 = 1_700_000_000.0
CLAUDE_ROOT = "00000000-0000-4000-8000-000000000000"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte, one red pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


ONE_PIXEL_PNG = _png()


# --- ChatGPT -----------------------------------------------------------------------------------


def gpt_message(
    node: str,
    role: str,
    content: dict[str, Any],
    t: float | None,
    *,
    name: str | None = None,
    recipient: str = "all",
    hidden: bool = False,
    model: str | None = None,
) -> dict[str, Any]:
    """A ChatGPT message as found under ``mapping[node]["message"]``."""
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
    """A ``text`` content."""
    return {"content_type": "text", "parts": list(parts)}


def mapping(*nodes: tuple[str, str | None, dict[str, Any] | None]) -> dict[str, Any]:
    """A ``mapping`` from nodes as (id, parent, message), in the given order; children are
    filled in from the parents."""
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
    """The "Paris trip" chat: an edited question and a regenerated answer (branches at two
    levels), a hidden system message and hidden custom instructions."""
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
            gpt_message(
                "a-bistro", "assistant", text("Try a bistro in Le Marais."), T0 + 5, model="gpt-4o"
            ),
        ),
        ("q-lyon", "ctx-1", gpt_message("q-lyon", "user", text("Plan a weekend in Lyon"), T0 + 6)),
        (
            "a-lyon",
            "q-lyon",
            gpt_message(
                "a-lyon", "assistant", text("Lyon is known for its food."), T0 + 7, model="gpt-4o"
            ),
        ),
    )
    return _conversation("conv-paris", "Paris trip", nodes, "a-bistro")


def data_analysis() -> dict[str, Any]:
    """The "Data analysis" chat: code run by python, its output, thoughts, a reasoning recap,
    an image question, a web search with its results and a quote."""
    image = {
        "content_type": "image_asset_pointer",
        "asset_pointer": "file-service://file-AbC123",
        "size_bytes": len(ONE_PIXEL_PNG),
        "width": 1,
        "height": 1,
        "fovea": None,
        "metadata": None,
    }
    code = {
        "content_type": "code",
        "language": "python",
        "text": "print(2**10)",
        "response_format_name": None,
    }
    search = {
        "content_type": "code",
        "language": "unknown",
        "text": "search('pixel')",
        "response_format_name": None,
    }
    browsing = {
        "content_type": "tether_browsing_display",
        "result": "Search results...",
        "summary": "Searched the web",
        "assets": None,
        "tether_id": None,
    }
    quote = {
        "content_type": "tether_quote",
        "url": "https://example.com",
        "domain": "example.com",
        "text": "Example quote",
        "title": "Example",
    }
    thoughts = {
        "content_type": "thoughts",
        "thoughts": [{"summary": "Checking", "content": "The output is 1024."}],
        "source_analysis_msg_id": "x",
    }
    recap = {"content_type": "reasoning_recap", "content": "Thought for 3 seconds"}
    question = {"content_type": "multimodal_text", "parts": [image, "What is in this picture?"]}
    nodes = mapping(
        ("root-2", None, None),
        ("q-pow", "root-2", gpt_message("q-pow", "user", text("Compute 2**10"), T0 + 1)),
        ("code-1", "q-pow", gpt_message("code-1", "assistant", code, T0 + 2, recipient="python")),
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
        ("thought-1", "out-1", gpt_message("thought-1", "assistant", thoughts, T0 + 4)),
        ("recap-1", "thought-1", gpt_message("recap-1", "assistant", recap, T0 + 5)),
        ("a-pow", "recap-1", gpt_message("a-pow", "assistant", text("2**10 is 1024."), T0 + 6)),
        ("q-img", "a-pow", gpt_message("q-img", "user", question, T0 + 7)),
        (
            "search-1",
            "q-img",
            gpt_message("search-1", "assistant", search, T0 + 8, recipient="browser"),
        ),
        ("browse-1", "search-1", gpt_message("browse-1", "tool", browsing, T0 + 9, name="browser")),
        ("quote-1", "browse-1", gpt_message("quote-1", "tool", quote, T0 + 10, name="browser")),
        ("a-img", "quote-1", gpt_message("a-img", "assistant", text("A single pixel."), T0 + 11)),
    )
    return _conversation("conv-code", "Data analysis", nodes, "a-img")


def messy() -> dict[str, Any]:
    """The "Messy" chat, what real exports get wrong: a null message mid-chain, int and null
    times, nodes out of order, a parent outside the mapping, a current node that is not there."""
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
    """The ``conversations.json`` of a ChatGPT export: Paris trip, Data analysis, Messy."""
    return [paris(), data_analysis(), messy()]


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as UTF-8 JSON (non-ASCII kept as is); returns ``path``."""
    with path.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False)
    return path


def write_chatgpt_zip(path: Path, conversations: list[dict[str, Any]] | None = None) -> Path:
    """A zip like ChatGPT's "Export data": conversations.json, chat.html, user.json,
    message_feedback.json and the uploaded picture, all at the top level; returns ``path``."""
    chats = chatgpt_conversations() if conversations is None else conversations
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("conversations.json", json.dumps(chats, ensure_ascii=False))
        archive.writestr("chat.html", "<html><body>Your chats</body></html>")
        archive.writestr("user.json", json.dumps({"id": "user-x", "email": "someone@example.com"}))
        archive.writestr("message_feedback.json", "[]")
        archive.writestr("file-AbC123-picture.png", ONE_PIXEL_PNG)
    return path


# --- Claude ------------------------------------------------------------------------------------


def _claude_message(
    uuid: str,
    sender: str,
    body: str,
    t: str,
    blocks: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Claude message; without ``blocks`` it has the old shape (no ``content`` key)."""
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


def _claude_conversation(
    uuid: str, name: str, created: str, updated: str, messages: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "uuid": uuid,
        "name": name,
        "created_at": created,
        "updated_at": updated,
        "account": {"uuid": "acc-1"},
        "chat_messages": messages,
    }


def claude_conversations() -> list[dict[str, Any]]:
    """Claude.ai's ``conversations.json``: "Old style" (text only, an attachment), "Blocks"
    (thinking, a tool call and its result, a retried answer via parent_message_uuid) and
    "Empty"."""
    attachment = {
        "file_name": "notes.txt",
        "file_size": 12,
        "file_type": "text/plain",
        "extracted_content": "hello world!",
    }
    old = _claude_conversation(
        "claude-old",
        "Old style",
        "2024-05-01T10:00:00.000000Z",
        "2024-05-01T10:05:00.000000Z",
        [
            _claude_message(
                "o1",
                "human",
                "What is Rust?",
                "2024-05-01T10:00:00.000000Z",
                attachments=[attachment],
            ),
            _claude_message(
                "o2", "assistant", "Rust is a systems language.", "2024-05-01T10:00:05.000000Z"
            ),
        ],
    )
    weather_blocks: list[dict[str, Any]] = [
        {
            "type": "thinking",
            "thinking": "The user wants weather.",
            "summaries": [{"summary": "Thinking about weather"}],
            "cut_off": False,
            "start_timestamp": "2024-06-01T09:00:01.000000Z",
            "stop_timestamp": "2024-06-01T09:00:02.000000Z",
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
    question = {
        "type": "text",
        "text": "Search the weather",
        "start_timestamp": "2024-06-01T09:00:00.000000Z",
        "stop_timestamp": "2024-06-01T09:00:00.000000Z",
        "citations": [],
    }
    blocks = _claude_conversation(
        "claude-blocks",
        "Blocks",
        "2024-06-01T09:00:00.000000Z",
        "2024-06-01T09:10:00.000000Z",
        [
            _claude_message(
                "b1",
                "human",
                "Search the weather",
                "2024-06-01T09:00:00.000000Z",
                [question],
                parent_message_uuid=CLAUDE_ROOT,
            ),
            _claude_message(
                "b2",
                "assistant",
                "Let me check.\n\nIt is sunny in Paris.",
                "2024-06-01T09:00:10.000000Z",
                weather_blocks,
                parent_message_uuid="b1",
            ),
            _claude_message(
                "b3",
                "human",
                "Thanks",
                "2024-06-01T09:01:00.000000Z",
                [{"type": "text", "text": "Thanks"}],
                parent_message_uuid="b2",
            ),
            _claude_message(
                "b4",
                "assistant",
                "You are welcome.",
                "2024-06-01T09:02:00.000000Z",
                [{"type": "text", "text": "You are welcome."}],
                parent_message_uuid="b3",
            ),
            _claude_message(  # the first answer to "Thanks", retried into b4
                "b5",
                "assistant",
                "Any time!",
                "2024-06-01T09:01:30.000000Z",
                [{"type": "text", "text": "Any time!"}],
                parent_message_uuid="b3",
            ),
        ],
    )
    empty = _claude_conversation(
        "claude-empty", "Empty", "2024-07-01T09:00:00.000000Z", "2024-07-01T09:00:00.000000Z", []
    )
    return [old, blocks, empty]


# --- Large generated exports -------------------------------------------------------------------

_VOCABULARY = """
    the a an and or but if then when while because so than as of to in on at by for with from
    about into over under after before between through during without within model answer
    question code python search window branch history export import backup restore message
    chat token stream server local desktop fast light data file folder image table list value
    number string error test build run start stop open close save load read write quick brown
    fox jumps lazy dog river mountain city coffee music garden paper dark morning evening travel
    plan food bistro museum train ticket weather sunny rain snow wind cloud summer winter spring
    autumn house street bridge market bread cheese apple orange lemon tea water milk sugar salt
    pepper kitchen table chair door floor roof wall lamp book page letter word story song
    picture camera phone screen keyboard mouse cable battery engine wheel road car bus bicycle
    station airport hotel room bed pillow blanket shirt shoe hat coat friend family teacher
    student doctor nurse farmer artist writer reader player team game score goal match season
    year month week day hour minute second small large long short high low early late simple
    careful clever gentle happy quiet loud bright warm cold fresh old new good great better
    best is was are were be have has had do does did can could will would should may might
    """
WORDS = tuple(dict.fromkeys(_VOCABULARY.split()))  # about 200 words, in a fixed order


def _words(rng: random.Random, low: int = 20, high: int = 80) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def _generated(
    index: int, messages: int, rng: random.Random, branch_every: int
) -> tuple[dict[str, Any], int]:
    """Conversation ``index``: a null root, then alternating user and assistant messages; every
    ``branch_every``-th assistant message gets a sibling. Returns it and its message count."""
    root = f"r{index}"
    nodes: list[tuple[str, str | None, dict[str, Any] | None]] = [(root, None, None)]
    parent = root
    written = 0
    turn = 0
    while written < messages:
        role = "user" if turn % 2 == 0 else "assistant"
        key = f"c{index}-m{turn}"
        t = T0 + index * 1000 + turn
        nodes.append((key, parent, gpt_message(key, role, text(_words(rng)), t)))
        written += 1
        answer_number = turn // 2 + 1
        branch = branch_every > 0 and answer_number % branch_every == 0
        if role == "assistant" and branch and written < messages:
            alt = f"{key}-alt"
            nodes.append((alt, parent, gpt_message(alt, role, text(_words(rng)), t)))
            written += 1
        parent = key
        turn += 1
    conversation = _conversation(f"gen-{index}", f"Generated chat {index}", mapping(*nodes), parent)
    return conversation, written


def _write_stream(out: IO[str], conversations: int, per: int, seed: int, branch_every: int) -> int:
    """Write the JSON list one conversation at a time; returns the messages written."""
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
    """Stream a large, deterministic ChatGPT ``conversations.json`` to ``path`` (inside a zip
    when it ends in .zip), never holding it whole; returns (conversations, messages)."""
    args = (conversations, messages_per_conversation, seed, branch_every)
    if path.suffix == ".zip":
        with (
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
            archive.open("conversations.json", "w") as raw,
            io.TextIOWrapper(raw, encoding="utf-8") as out,
        ):
            total = _write_stream(out, *args)
    else:
        with path.open("w", encoding="utf-8") as out:
            total = _write_stream(out, *args)
    return conversations, total
