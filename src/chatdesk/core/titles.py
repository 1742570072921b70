"""Conversation titles: the prompt that asks for one, and cleaning or falling back."""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 60
FALLBACK_WORDS = 6

TITLE_INSTRUCTION = (
    "Write a short title (at most six words) for the conversation below. "
    "Answer with the title only: no quotes, no final punctuation."
)


def title_prompt(user_text: str, assistant_text: str) -> str:
    """The user turn of the title request (both sides cut to keep it short)."""
    return f"User: {user_text[:1500]}\n\nAssistant: {assistant_text[:1500]}"


def clean_title(raw: str) -> str:
    """A model's answer made fit for the sidebar; empty when nothing usable is left."""
    text = raw.strip().splitlines()[0] if raw.strip() else ""
    text = re.sub(r"^(title|titre|titel)\s*:\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"[*`#]+", "", text)  # Markdown emphasis and code marks
    text = text.strip().strip("\"'").strip()
    text = text.rstrip(".!;:,").strip()
    return _shorten(text)


def fallback_title(user_text: str) -> str:
    """The first words of the user's message."""
    words = user_text.split()
    if not words:
        return "New chat"
    title = " ".join(words[:FALLBACK_WORDS])
    if len(words) > FALLBACK_WORDS:
        title += "…"
    return _shorten(title)


def _shorten(text: str) -> str:
    if len(text) <= MAX_TITLE_CHARS:
        return text
    cut = text[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0]
    return cut + "…"
