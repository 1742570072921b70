"""Titles: cleaning what the model wrote, and the first-words fallback."""

from __future__ import annotations

import pytest

from chatdesk.core.titles import MAX_TITLE_CHARS, clean_title, fallback_title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"Planning a Trip to Kyoto."', "Planning a Trip to Kyoto"),
        ("Title: Rust lifetimes explained\nExtra line", "Rust lifetimes explained"),
        ("  **Sourdough basics**  ", "Sourdough basics"),
        ("Using a **local** `server` for snake_case", "Using a local server for snake_case"),
        ("", ""),
        ("   \n  ", ""),
    ],
)
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


def test_long_titles_are_cut_on_a_word() -> None:
    title = clean_title("word " * 40)
    assert len(title) <= MAX_TITLE_CHARS and title.endswith("…")


def test_fallback_is_the_first_words() -> None:
    assert fallback_title("How do I   bake bread at home with rye flour?") == (
        "How do I bake bread at…"
    )
    assert fallback_title("Hi") == "Hi"
    assert fallback_title("   ") == "New chat"
