"""Export to Markdown, HTML and JSON; the JSON imports back with nothing lost."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from samples import ONE_PIXEL_PNG, write_chatgpt_zip

from chatdesk.history.exporter import ExportError, export_chats
from chatdesk.history.importer import import_file


@pytest.fixture
def db_path(data_dir: Path, tmp_path: Path) -> Path:
    path = data_dir / "chatdesk.db"
    import_file(path, write_chatgpt_zip(tmp_path / "export.zip"))
    conn = sqlite3.connect(path)
    # What the app adds that an import does not: usage and cost, a summary, a tool run, and a
    # signed URL (a credential) that must never leave the database.
    conn.execute(
        "UPDATE messages SET cost = 0.0125, prompt_tokens = 10, completion_tokens = 5"
        " WHERE content = 'Try a bistro in Le Marais.'"
    )
    conn.execute(
        "INSERT INTO summaries (conversation_id, through_id, content, created_at)"
        " SELECT conversation_id, id, 'They talked about Paris.', 1 FROM messages"
        " WHERE content = 'What about food?'"
    )
    conn.execute(
        "INSERT INTO tool_calls (message_id, call_id, server_id, tool_name, arguments, result,"
        " status, started_at, duration_ms) SELECT id, 'call_code-1', 'chatgpt', 'python',"
        " '{}', '1024', 'ok', 1, 12.5 FROM messages WHERE tool_calls LIKE '%print%'"
    )
    conn.execute(
        "UPDATE attachments SET signed_url = 'https://storage.example/x?X-Goog-Signature=SECRET'"
    )
    conn.execute("UPDATE conversations SET summary = 'A weekend plan.' WHERE title = 'Paris trip'")
    conn.commit()
    conn.close()
    return path


def chat_id(db_path: Path, title: str) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return int(
            conn.execute("SELECT id FROM conversations WHERE title = ?", (title,)).fetchone()[0]
        )
    finally:
        conn.close()


def test_markdown_has_front_matter_and_the_branch_shown(db_path: Path, tmp_path: Path) -> None:
    report = export_chats(db_path, tmp_path / "md", "md", [chat_id(db_path, "Paris trip")])

    (path,) = report.files
    assert path.name == "2023-11-14 Paris trip.md"
    text = path.read_text(encoding="utf-8")
    front = text.split("---")[1]
    assert 'title: "Paris trip"' in front and 'model: "gpt-4o"' in front
    assert "created: 2023-11-14" in front and "cost_usd: 0.012500" in front
    assert "other_branches_messages: 3" in front
    body = text.split("---", 2)[2]
    assert body.index("Plan a weekend in Paris") < body.index("Start with Montmartre.")
    assert "Day 1: the Louvre" not in body  # another branch
    assert "> A weekend plan." in body


def test_html_is_self_contained_with_code_images_and_folds(db_path: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute(
        "UPDATE messages SET content = 'Run this:\n\n```python\nprint(2**10)\n```'"
        " WHERE content = '2**10 is 1024.'"
    )
    conn.commit()
    conn.close()

    report = export_chats(
        db_path, tmp_path / "html", "html", [chat_id(db_path, "Data analysis")], dark=True
    )

    html = report.files[0].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "color-scheme: dark" in html
    assert "<script" not in html and "http://" not in html.replace("https://example.com", "")
    assert '<span style="' in html  # Pygments colours, inline
    import base64

    assert f"data:image/png;base64,{base64.b64encode(ONE_PIXEL_PNG).decode()}" in html
    assert "<details><summary>Reasoning</summary>" in html
    assert "<details><summary>Tool call: python</summary>" in html and "1024" in html


def test_json_round_trips_every_branch_and_detail(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = export_chats(db_path, tmp_path / "one", "json", include_files=True).files[0]
    data = json.loads(first.read_text(encoding="utf-8"))
    assert (data["format"], data["version"], data["files_included"]) == ("chatdesk-export", 1, True)
    assert "SECRET" not in first.read_text(encoding="utf-8")
    assert "blob_key" not in first.read_text(encoding="utf-8")

    elsewhere = tmp_path / "other-machine"
    elsewhere.mkdir()
    other_db = elsewhere / "chatdesk.db"
    report = import_file(other_db, first)
    assert (report.format, report.imported, report.files) == ("chatdesk JSON", 3, 1)
    again = export_chats(other_db, tmp_path / "two", "json", include_files=True).files[0]
    back = json.loads(again.read_text(encoding="utf-8"))

    def comparable(chat: dict[str, object]) -> dict[str, object]:
        messages = chat["messages"]
        assert isinstance(messages, list)
        ids = {m["id"]: n for n, m in enumerate(messages)}  # ids differ between databases
        renumbered = [
            {**m, "id": ids[m["id"]], "parent_id": ids.get(m["parent_id"])} for m in messages
        ]
        summaries = [
            {**s, "through_id": ids[s["through_id"]]}  # type: ignore[index]
            for s in chat["summaries"]  # type: ignore[attr-defined]
        ]
        leaf = ids[chat["active_leaf_id"]]
        skip = {"id", "origin", "sources", "messages", "summaries", "active_leaf_id"}
        rest = {k: v for k, v in chat.items() if k not in skip}
        return {**rest, "messages": renumbered, "summaries": summaries, "leaf": leaf}

    before = sorted((comparable(c) for c in data["conversations"]), key=lambda c: str(c["title"]))
    after = sorted((comparable(c) for c in back["conversations"]), key=lambda c: str(c["title"]))
    assert after == before
    # Importing it again, or into the database it came from, adds nothing.
    assert import_file(other_db, first).already == 3
    assert import_file(db_path, first).already == 3
    assert import_file(db_path, again).already == 3


def test_export_names_what_is_wrong(db_path: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no chat with id 999"):
        export_chats(db_path, tmp_path / "x", "md", [999])
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ExportError, match=f"Could not create the folder {blocker}"):
        export_chats(db_path, blocker / "sub", "md")
