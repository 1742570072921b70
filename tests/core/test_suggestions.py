"""Suggestions: validation, "/" matching, and the JSON file (seeded, atomic, bad files kept)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatdesk import paths
from chatdesk.core.suggestions import (
    Suggestion,
    SuggestionError,
    checked,
    match,
    parse_suggestions,
    slash_query,
    suggestion_problems,
)
from chatdesk.storage.suggestions import FILE_NAME, SuggestionStore

SHIPPED = paths.defaults_dir() / "suggestions.json"
ITEMS = [
    Suggestion("1", "Summarize", "Summarize this:\n\n"),
    Suggestion("2", "Explain simply", "Explain like I'm five:\n\n"),
    Suggestion("3", "Review my code", "Review this code for bugs"),
]


def test_problems_are_specific() -> None:
    assert suggestion_problems("", "text") == ["A suggestion needs a title."]
    assert suggestion_problems("T", "  \n") == [
        "A suggestion needs the text it puts into the message box."
    ]
    assert "at most 60 characters (this one has 61)" in suggestion_problems("x" * 61, "t")[0]
    with pytest.raises(SuggestionError, match="titled “Summarize” already exists"):
        checked("summarize", "text", ITEMS)
    same = checked("Summarize", "new text", ITEMS, suggestion_id="1")
    assert same == Suggestion("1", "Summarize", "new text")
    fresh = checked("  New  ", "Body\n\n", ITEMS)
    assert fresh.title == "New" and fresh.text == "Body\n\n" and fresh.id not in {"1", "2", "3"}


def test_slash_matching_ranks_title_prefix_then_word_then_text() -> None:
    assert slash_query("/sum") == "sum"
    assert slash_query("/") == ""
    assert slash_query("hello /sum") is None and slash_query("/a\nb") is None
    assert slash_query("//comment") is None
    assert [s.id for s in match(ITEMS, "")] == ["1", "2", "3"]
    assert [s.id for s in match(ITEMS, "sim")] == ["2"]  # a word of the title
    assert [s.id for s in match(ITEMS, "e")] == ["2", "1", "3"]  # title prefix first
    assert [s.id for s in match(ITEMS, "CODE")] == ["3"]
    assert [s.id for s in match(ITEMS, "bugs")] == ["3"]  # found in the text
    assert match(ITEMS, "zzz") == []


def test_parse_keeps_the_good_entries_and_names_the_bad_ones() -> None:
    data = {
        "suggestions": [
            {"id": "a", "title": "Good", "text": "ok"},
            {"title": "", "text": "no title"},
            "not an object",
            {"id": "a", "title": "Dup id", "text": "x"},
        ]
    }
    items, problems = parse_suggestions(data)
    assert [s.title for s in items] == ["Good", "Dup id"]
    assert items[1].id != "a"
    assert problems == [
        "entry 2 (untitled): A suggestion needs a title.",
        "entry 3 is not an object",
    ]
    assert parse_suggestions(42) == ([], ["the file holds no “suggestions” list"])


def test_first_load_copies_the_shipped_suggestions(data_dir: Path) -> None:
    path = data_dir / FILE_NAME
    store = SuggestionStore(path, SHIPPED)
    loaded = store.load()
    assert len(loaded) >= 3 and store.problems == []
    assert json.loads(path.read_text())["suggestions"][0]["title"] == loaded[0].title
    assert SuggestionStore(path, SHIPPED).load() == loaded


def test_add_edit_move_delete_persist(data_dir: Path) -> None:
    path = data_dir / FILE_NAME
    store = SuggestionStore(path)
    assert store.load() == []
    first = store.add("First", "one")
    second = store.add("Second", "two")
    store.update(first.id, "First!", "uno")
    store.move(second.id, -1)
    reread = SuggestionStore(path).load()
    assert [(s.title, s.text) for s in reread] == [("Second", "two"), ("First!", "uno")]
    store.delete(second.id)
    assert [s.title for s in SuggestionStore(path).load()] == ["First!"]
    with pytest.raises(SuggestionError, match="no longer exists"):
        store.delete(second.id)
    with pytest.raises(SuggestionError, match="needs a title"):
        store.add(" ", "x")
    assert [s.title for s in SuggestionStore(path).load()] == ["First!"]


def test_a_corrupt_file_is_kept_aside_and_reported(data_dir: Path) -> None:
    path = data_dir / FILE_NAME
    path.write_text("{broken")
    store = SuggestionStore(path, SHIPPED)
    assert store.load() == []
    assert "could not be read" in store.problems[0]
    kept = list(data_dir.glob(f"{FILE_NAME}.bad-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{broken"
    store.add("Fresh", "start")
    assert [s.title for s in SuggestionStore(path).load()] == ["Fresh"]


def test_a_partly_bad_file_keeps_the_good_entries(data_dir: Path) -> None:
    path = data_dir / FILE_NAME
    path.write_text(json.dumps({"suggestions": [{"title": "Ok", "text": "t"}, {"title": 3}]}))
    store = SuggestionStore(path)
    assert [s.title for s in store.load()] == ["Ok"]
    assert store.problems and "entry 2 needs a text “title” and “text”" in store.problems[0]
    assert [s.title for s in SuggestionStore(path).load()] == ["Ok"]


def test_a_failed_save_changes_nothing(data_dir: Path) -> None:
    blocker = data_dir / "not-a-folder"
    blocker.write_text("")
    store = SuggestionStore(blocker / FILE_NAME)
    store.load()
    with pytest.raises(SuggestionError, match="Could not save the suggestions"):
        store.add("T", "x")
    assert store.suggestions == []
