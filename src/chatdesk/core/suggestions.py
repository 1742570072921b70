"""Suggestions: saved prompt templates, offered as chips in an empty chat and by "/" in the
composer.

Plain data and pure functions (validation, the file format, matching what follows "/");
the file itself is kept by ``chatdesk.storage.suggestions``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from chatdesk.errors import InputError

MAX_TITLE_LENGTH = 60
MAX_TEXT_LENGTH = 20_000
FILE_VERSION = 1


class SuggestionError(InputError):
    """A suggestion cannot be saved as it is; the message says why."""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A prompt template: a short ``title`` (the chip, the "/" entry) and the ``text`` it puts
    into the composer."""

    id: str
    title: str
    text: str


def suggestion_problems(title: str, text: str) -> list[str]:
    """What is wrong with a title and text (empty when both are fine)."""
    problems = []
    clean = title.strip()
    if not clean:
        problems.append("A suggestion needs a title.")
    elif len(clean) > MAX_TITLE_LENGTH:
        problems.append(
            f"Titles can be at most {MAX_TITLE_LENGTH} characters (this one has {len(clean)})."
        )
    elif any(ord(ch) < 32 for ch in clean):
        problems.append("A title cannot contain line breaks.")
    if not text.strip():
        problems.append("A suggestion needs the text it puts into the message box.")
    elif len(text) > MAX_TEXT_LENGTH:
        problems.append(f"The text can be at most {MAX_TEXT_LENGTH:,} characters.")
    return problems


def checked(
    title: str, text: str, others: Iterable[Suggestion], *, suggestion_id: str | None = None
) -> Suggestion:
    """A valid suggestion (new id unless ``suggestion_id``); SuggestionError if the title or
    text is unusable or another suggestion has the same title."""
    problems = suggestion_problems(title, text)
    if problems:
        raise SuggestionError(" ".join(problems))
    clean = title.strip()
    for other in others:
        if other.id != suggestion_id and other.title.casefold() == clean.casefold():
            raise SuggestionError(f"A suggestion titled “{other.title}” already exists.")
    import uuid  # here, not at start-up

    return Suggestion(suggestion_id or uuid.uuid4().hex[:12], clean, text)


def parse_suggestions(data: Any) -> tuple[list[Suggestion], list[str]]:
    """Suggestions from a decoded file, and a problem per entry that was skipped."""
    entries = data.get("suggestions") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return [], ["the file holds no “suggestions” list"]
    result: list[Suggestion] = []
    problems: list[str] = []
    for index, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            problems.append(f"entry {index} is not an object")
            continue
        title, text = entry.get("title"), entry.get("text")
        if not isinstance(title, str) or not isinstance(text, str):
            problems.append(f"entry {index} needs a text “title” and “text”")
            continue
        raw_id = entry.get("id")
        ident = raw_id if isinstance(raw_id, str) and raw_id else None
        if ident is not None and any(s.id == ident for s in result):
            ident = None
        try:
            result.append(checked(title, text, result, suggestion_id=ident))
        except SuggestionError as exc:
            problems.append(f"entry {index} ({title.strip()[:30] or 'untitled'}): {exc}")
    return result, problems


def dump_suggestions(suggestions: Sequence[Suggestion]) -> str:
    """The file's text."""
    items = [{"id": s.id, "title": s.title, "text": s.text} for s in suggestions]
    document = {"version": FILE_VERSION, "suggestions": items}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def match(suggestions: Sequence[Suggestion], query: str) -> list[Suggestion]:
    """Suggestions for what follows "/": titles starting with it, then titles with a word
    starting with it, then titles or texts containing it (caseless; all for an empty query)."""
    needle = query.strip().casefold()
    if not needle:
        return list(suggestions)
    ranked: list[tuple[int, int, Suggestion]] = []
    for order, suggestion in enumerate(suggestions):
        title = suggestion.title.casefold()
        if title.startswith(needle):
            rank = 0
        elif any(word.startswith(needle) for word in title.split()):
            rank = 1
        elif needle in title or needle in suggestion.text.casefold():
            rank = 2
        else:
            continue
        ranked.append((rank, order, suggestion))
    return [s for _, _, s in sorted(ranked, key=lambda item: item[:2])]


def slash_query(text: str) -> str | None:
    """The query when ``text`` is a "/" command being typed ("/expl" -> "expl"), else None."""
    if not text.startswith("/") or "\n" in text or text.startswith("//"):
        return None
    return text[1:]
