"""Importing ChatGPT and Claude exports and chatdesk's own JSON into a real database file."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from samples import (
    ONE_PIXEL_PNG,
    chatgpt_conversations,
    claude_conversations,
    generate_chatgpt_export,
    paris,
    write_chatgpt_zip,
    write_json,
)

from chatdesk.history.importer import ImportError_, ImportProgress, import_file
from chatdesk.history.writer import MAX_MESSAGE_CHARS


@pytest.fixture
def db_path(data_dir: Path) -> Path:
    return data_dir / "chatdesk.db"


def rows(db_path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def path_of(db_path: Path, title: str) -> list[tuple[str, str]]:
    """(role, content) of the active path of the chat titled ``title``."""
    ((conversation_id, leaf),) = rows(
        db_path, "SELECT id, active_leaf_id FROM conversations WHERE title = ?", (title,)
    )
    messages = {
        r[0]: r
        for r in rows(
            db_path,
            "SELECT id, parent_id, role, content FROM messages WHERE conversation_id = ?",
            (conversation_id,),
        )
    }
    path: list[tuple[str, str]] = []
    key = leaf
    while key is not None:
        _, parent, role, content = messages[key]
        path.append((str(role), str(content)))
        key = parent
    return path[::-1]


def test_chatgpt_zip_becomes_branches_tools_reasoning_and_images(
    tmp_path: Path, db_path: Path, data_dir: Path
) -> None:
    export = write_chatgpt_zip(tmp_path / "chatgpt-export.zip")
    seen: list[ImportProgress] = []

    report = import_file(db_path, export, progress=seen.append)

    assert (report.format, report.imported, report.skipped) == ("ChatGPT", 3, [])
    assert [p.conversations for p in seen] == [1, 2, 3]
    assert seen[-1].bytes_read == seen[-1].total_bytes > 0
    # current_node is the active path; hidden system and custom-instruction messages are gone.
    assert path_of(db_path, "Paris trip") == [
        ("user", "Plan a weekend in Paris"),
        ("assistant", "Start with Montmartre."),
        ("user", "What about food?"),
        ("assistant", "Try a bistro in Le Marais."),
    ]
    # The regenerated answer and the edited question are real branches (siblings).
    siblings = rows(
        db_path,
        "SELECT p.content, group_concat(m.content, ' | ') FROM messages m"
        " LEFT JOIN messages p ON p.id = m.parent_id JOIN conversations c"
        " ON c.id = m.conversation_id WHERE c.title = 'Paris trip' GROUP BY m.parent_id"
        " HAVING count(*) > 1 ORDER BY 1",
    )
    assert siblings == [
        (None, "Plan a weekend in Paris | Plan a weekend in Lyon"),
        ("Plan a weekend in Paris", "Day 1: the Louvre... | Start with Montmartre."),
    ]
    assert not rows(db_path, "SELECT 1 FROM messages WHERE content LIKE '%Berlin%'")
    # Code sent to python is a tool call answered by its output; thoughts fold into the answer.
    analysis = path_of(db_path, "Data analysis")
    assert analysis[:4] == [
        ("user", "Compute 2**10"),
        ("assistant", ""),
        ("tool", "1024"),
        ("assistant", "2**10 is 1024."),
    ]
    ((calls, reasoning),) = rows(
        db_path,
        "SELECT a.tool_calls, b.reasoning FROM messages a, messages b"
        " WHERE a.tool_calls LIKE '%print(2**10)%' AND b.content = '2**10 is 1024.'",
    )
    assert json.loads(str(calls))[0]["name"] == "python"
    assert "The output is 1024." in str(reasoning) and "Thought for 3 seconds" in str(reasoning)
    # The picture in the zip is an attachment of its question, stored on disk.
    ((filename, mime, size, key),) = rows(
        db_path,
        "SELECT a.filename, a.mime_type, a.size_bytes, a.blob_key FROM attachments a"
        " JOIN messages m ON m.id = a.message_id WHERE m.content = 'What is in this picture?'",
    )
    assert (filename, mime, size) == ("picture.png", "image/png", len(ONE_PIXEL_PNG))
    assert (data_dir / "attachments" / str(key)).read_bytes() == ONE_PIXEL_PNG
    assert ("assistant", "> Example quote\n\n— [Example](https://example.com)") in analysis
    # The messy one: null message spliced out, parent outside the mapping is a root, the
    # missing current node falls back to the newest leaf, int and null times are read.
    assert path_of(db_path, "Messy") == [
        ("user", "Hello there"),
        ("assistant", "Hi! How can I help?"),
        ("user", "Tell me a joke"),
        ("assistant", "Why did the chicken cross the road?"),
    ]
    found = rows(db_path, "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'bistro'")
    assert found == [(1,)]


def test_the_same_file_again_adds_nothing_but_a_deleted_chat_comes_back(
    tmp_path: Path, db_path: Path
) -> None:
    export = write_json(tmp_path / "conversations.json", chatgpt_conversations())
    import_file(db_path, export)
    again = import_file(db_path, export)
    assert (again.imported, again.already) == (0, 3)
    assert rows(db_path, "SELECT count(*) FROM conversations") == [(3,)]

    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("DELETE FROM conversations WHERE title = 'Messy'")
    conn.commit()
    conn.close()
    third = import_file(db_path, export)
    assert (third.imported, third.already) == (1, 2)


def test_claude_export_keeps_thinking_tools_attachments_and_retries(
    tmp_path: Path, db_path: Path
) -> None:
    export = write_json(tmp_path / "conversations.json", claude_conversations())

    report = import_file(db_path, export)

    assert (report.format, report.imported) == ("Claude", 2)
    assert [(s.title, s.reason) for s in report.skipped] == [("Empty", "it has no messages")]
    assert path_of(db_path, "Blocks") == [
        ("user", "Search the weather"),
        ("assistant", "Let me check."),
        ("tool", "Sunny, 21 C"),
        ("assistant", "It is sunny in Paris."),
        ("user", "Thanks"),
        ("assistant", "You are welcome."),
    ]
    ((calls, reasoning),) = rows(
        db_path, "SELECT tool_calls, reasoning FROM messages WHERE content = 'Let me check.'"
    )
    assert json.loads(str(calls)) == [
        {"id": "toolu_01", "name": "web_search", "arguments": '{"query": "weather Paris"}'}
    ]
    assert reasoning == "The user wants weather."
    assert rows(
        db_path,
        "SELECT count(*) FROM messages WHERE content IN ('Any time!', 'You are welcome.')"
        " AND parent_id = (SELECT id FROM messages WHERE content = 'Thanks')",
    ) == [(2,)]
    assert rows(db_path, "SELECT filename, mime_type FROM attachments") == [
        ("notes.txt", "text/plain")
    ]
    assert path_of(db_path, "Old style")[1] == ("assistant", "Rust is a systems language.")


def test_a_claude_zip_is_read_like_chatgpts(tmp_path: Path, db_path: Path) -> None:
    export = tmp_path / "data-2024.zip"
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr("conversations.json", json.dumps(claude_conversations()))
        archive.writestr("users.json", "[]")
    assert import_file(db_path, export).imported == 2


def test_a_big_export_streams_in_bounded_memory(tmp_path: Path, db_path: Path) -> None:
    import tracemalloc

    export = tmp_path / "big.json"
    _, messages = generate_chatgpt_export(export, 300, 60)
    assert export.stat().st_size > 10_000_000

    tracemalloc.start()
    report = import_file(db_path, export)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert (report.imported, report.messages) == (300, messages)
    assert peak < export.stat().st_size / 4  # the file is never held whole


# --- bad input -------------------------------------------------------------------------------


def _nothing_kept(db_path: Path) -> None:
    assert not db_path.exists() or rows(db_path, "SELECT count(*) FROM conversations") == [(0,)]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "not a chat export"),
        (b"hello, this is text", "not a chat export"),
        (b'{"kind": "settings"}', "JSON of another shape"),
        (b'[{"question": 1}]', "JSON of another shape"),
        (b'[{"mapping": {}}, {"mapping": {}', "cut short"),
        (b'[{"title": "caf\xe9", "mapping": {}}]', "not UTF-8 text"),
        (
            b'{"format": "chatdesk-export", "version": 7, "conversations": []}',
            "exported by a newer chatdesk (format version 7",
        ),
        (b'{"format": "other", "version": 1, "conversations": []}', "JSON of another shape"),
    ],
)
def test_bad_files_are_named_and_explained(
    tmp_path: Path, db_path: Path, content: bytes, problem: str
) -> None:
    bad = tmp_path / "export.json"
    bad.write_bytes(content)
    with pytest.raises(ImportError_) as caught:
        import_file(db_path, bad)
    assert str(bad) in caught.value.user_message
    assert problem in caught.value.user_message
    _nothing_kept(db_path)


def test_a_file_cut_short_after_good_chats_keeps_none_of_them(
    tmp_path: Path, db_path: Path
) -> None:
    whole = json.dumps(chatgpt_conversations())
    bad = tmp_path / "conversations.json"
    bad.write_text(whole[: whole.rindex('"conv-messy"')], encoding="utf-8")

    with pytest.raises(ImportError_, match="Nothing of it was kept"):
        import_file(db_path, bad)

    _nothing_kept(db_path)


def test_a_truncated_zip_is_refused(tmp_path: Path, db_path: Path) -> None:
    whole = write_chatgpt_zip(tmp_path / "whole.zip").read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ImportError_, match="damaged or cut-short zip"):
        import_file(db_path, cut)
    _nothing_kept(db_path)


def test_a_zip_without_conversations_is_refused(tmp_path: Path, db_path: Path) -> None:
    other = tmp_path / "photos.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("a.png", ONE_PIXEL_PNG)
    with pytest.raises(ImportError_, match=r"has no conversations\.json"):
        import_file(db_path, other)


def test_a_cycle_or_a_huge_message_skips_only_that_chat(tmp_path: Path, db_path: Path) -> None:
    looped = paris()
    looped["conversation_id"] = looped["id"] = "conv-loop"
    looped["title"] = "Loop"
    looped["mapping"]["q-paris"]["parent"] = "a-bistro"  # a-bistro descends from q-paris
    huge = paris()
    huge["conversation_id"] = huge["id"] = "conv-huge"
    huge["title"] = "Huge"
    huge["mapping"]["a-lyon"]["message"]["content"]["parts"] = ["x" * (MAX_MESSAGE_CHARS + 1)]
    export = write_json(tmp_path / "conversations.json", [looped, paris(), huge])

    report = import_file(db_path, export)

    assert report.imported == 1
    reasons = {s.title: s.reason for s in report.skipped}
    assert "cycle" in reasons["Loop"]
    assert "MB, more than the 8 MB a chat keeps" in reasons["Huge"]
    assert rows(db_path, "SELECT title FROM conversations") == [("Paris trip",)]


def test_cancelling_keeps_whole_chats_and_a_second_import_adds_the_rest(
    tmp_path: Path, db_path: Path
) -> None:
    import threading

    export = tmp_path / "big.json"
    generate_chatgpt_export(export, 20, 6)
    cancel = threading.Event()

    def progress(p: ImportProgress) -> None:
        if p.conversations == 5:
            cancel.set()

    first = import_file(db_path, export, progress=progress, cancel=cancel)
    assert (first.cancelled, first.imported) == (True, 5)
    second = import_file(db_path, export)
    assert (second.imported, second.already) == (15, 5)


def test_what_real_exports_also_do(tmp_path: Path, db_path: Path) -> None:
    # One conversation saved from the API is an object, not a list.
    single = write_json(tmp_path / "one.json", paris())
    assert import_file(db_path, single).imported == 1
    # A conversation without a mapping is left out; the rest of the file goes in.
    broken = paris()
    del broken["mapping"]
    broken["conversation_id"] = broken["id"] = "conv-empty"
    broken["title"] = "No mapping"
    mixed = write_json(tmp_path / "mixed.json", [broken, *chatgpt_conversations()[1:]])
    report = import_file(db_path, mixed)
    assert report.imported == 2
    assert [(s.title, s.reason) for s in report.skipped] == [
        ("No mapping", "it has no messages (no 'mapping')")
    ]
    # Claude: messages out of order and no name: in time order, titled by the first question.
    chat = claude_conversations()[0]
    chat["uuid"], chat["name"] = "claude-unnamed", ""
    chat["chat_messages"].reverse()
    import_file(db_path, write_json(tmp_path / "claude.json", [chat]))
    assert path_of(db_path, "What is Rust?") == [
        ("user", "What is Rust?"),
        ("assistant", "Rust is a systems language."),
    ]
