"""SuggestionStore: the prompt templates in ``<data dir>/suggestions.json``.

The first load copies the shipped ``data/suggestions.json``. Every save is atomic (temp file,
fsync, rename). A file that cannot be read is moved aside (``suggestions.json.bad-<time>``),
the entries that still make sense are kept, and ``problems`` says what happened. The calls are
small synchronous file operations, like saving settings.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from chatdesk.core.suggestions import (
    Suggestion,
    SuggestionError,
    checked,
    dump_suggestions,
    parse_suggestions,
)
from chatdesk.files import aside_path, atomic_write_text, move_aside

__all__ = ["FILE_NAME", "SuggestionStore"]

log = logging.getLogger(__name__)
FILE_NAME = "suggestions.json"


class SuggestionStore:
    """Load, add, edit, delete and reorder suggestions; the file is rewritten on each change."""

    def __init__(self, path: Path, defaults_file: Path | None = None) -> None:
        self.path = path
        self._defaults = defaults_file
        self._items: list[Suggestion] = []
        #: What went wrong while loading, in words fit for the user (shown once).
        self.problems: list[str] = []

    @property
    def suggestions(self) -> list[Suggestion]:
        """The suggestions in their order (a copy)."""
        return list(self._items)

    def load(self) -> list[Suggestion]:
        """Read the file (the shipped defaults on first run); never raises."""
        self.problems = []
        if not self.path.exists():
            self._items = self._read_defaults()
            if self._items:
                self._save()
            return self.suggestions
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            moved = self._move_aside()
            self.problems.append(
                f"Your suggestions file could not be read ({exc}); it was kept as {moved.name}."
            )
            self._items = []
            return []
        items, skipped = parse_suggestions(data)
        self._items = items
        if skipped:
            moved = self._move_aside()
            self.problems.append(
                "Some suggestions were skipped: "
                + "; ".join(skipped)
                + f". The original file was kept as {moved.name}."
            )
            self._save()
        return self.suggestions

    def add(self, title: str, text: str) -> Suggestion:
        """Add a suggestion at the end; SuggestionError if it is unusable."""
        suggestion = checked(title, text, self._items)
        self._commit([*self._items, suggestion])
        return suggestion

    def update(self, suggestion_id: str, title: str, text: str) -> Suggestion:
        """Change a suggestion's title and text."""
        index = self._index(suggestion_id)
        suggestion = checked(title, text, self._items, suggestion_id=suggestion_id)
        items = list(self._items)
        items[index] = suggestion
        self._commit(items)
        return suggestion

    def delete(self, suggestion_id: str) -> None:
        """Remove a suggestion."""
        index = self._index(suggestion_id)
        self._commit(self._items[:index] + self._items[index + 1 :])

    def move(self, suggestion_id: str, offset: int) -> None:
        """Move a suggestion up (negative ``offset``) or down."""
        index = self._index(suggestion_id)
        items = list(self._items)
        item = items.pop(index)
        items.insert(max(0, min(len(items), index + offset)), item)
        self._commit(items)

    # -- internals ---------------------------------------------------------------------------

    def _index(self, suggestion_id: str) -> int:
        for index, item in enumerate(self._items):
            if item.id == suggestion_id:
                return index
        raise SuggestionError("That suggestion no longer exists.")

    def _commit(self, items: list[Suggestion]) -> None:
        previous = self._items
        self._items = items
        try:
            self._save(raise_errors=True)
        except OSError as exc:
            self._items = previous
            raise SuggestionError(
                f"Could not save the suggestions: {exc.strerror or exc}."
            ) from exc

    def _save(self, *, raise_errors: bool = False) -> None:
        try:
            atomic_write_text(self.path, dump_suggestions(self._items))
        except OSError as exc:
            if raise_errors:
                raise
            log.warning("could not write %s: %s", self.path, exc)

    def _read_defaults(self) -> list[Suggestion]:
        if self._defaults is None:
            return []
        try:
            items, skipped = parse_suggestions(
                json.loads(self._defaults.read_text(encoding="utf-8"))
            )
        except (OSError, ValueError) as exc:
            log.error("could not read the shipped suggestions %s: %s", self._defaults, exc)
            return []
        if skipped:
            log.error("shipped suggestions %s: %s", self._defaults, "; ".join(skipped))
        return items

    def _move_aside(self) -> Path:
        try:
            return move_aside(self.path)
        except OSError as exc:
            log.warning("could not move %s aside: %s", self.path, exc)
            return aside_path(self.path)
