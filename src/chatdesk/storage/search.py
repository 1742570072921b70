"""Full-text search of messages: the FTS5 query, its SQL and its results.

Plain Python, no Qt. ``ChatRepository.search`` runs SEARCH_SQL with ``search_params`` and
turns each row into a SearchHit with ``search_hit``.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import cast

from chatdesk.core.models import Role

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "MIN_PREFIX_CHARS",
    "SEARCH_SQL",
    "SNIPPET_TOKENS",
    "SearchHit",
    "fts_query",
    "search_hit",
    "search_params",
]

#: Search snippets wrap each matched word in these (escape the text, then replace them).
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
SNIPPET_TOKENS = 12
#: The trailing search word is prefix-matched only from this many characters on.
MIN_PREFIX_CHARS = 3

_WORD = re.compile(r"[^\W_]")
_WORDS = re.compile(r"[^\W_]+")

SEARCH_SQL = f"""
SELECT h.id, m.conversation_id, c.title, m.role, h.snip, m.created_at
FROM (
    SELECT rowid AS id, rank AS score,
           snippet(messages_fts, 0, ?, ?, '…', {SNIPPET_TOKENS}) AS snip
    FROM messages_fts WHERE messages_fts MATCH ? ORDER BY rank LIMIT ?
) AS h
JOIN messages AS m ON m.id = h.id
JOIN conversations AS c ON c.id = m.conversation_id
WHERE m.deleted_at IS NULL
ORDER BY h.score, h.id
"""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One full-text search result; ``snippet`` marks matches with HIGHLIGHT_START/END."""

    message_id: int
    conversation_id: int
    conversation_title: str
    role: Role
    snippet: str
    created_at: float

    @property
    def plain_snippet(self) -> str:
        """The snippet without highlight markers."""
        return self.snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")


def fts_query(text: str) -> str | None:
    """Turn what a user typed into a safe FTS5 query, or None when it has no words.

    Each whitespace-separated chunk becomes a quoted phrase (so quotes, ``AND``, ``NEAR(``,
    ``*`` and ``:`` are plain text); phrases are ANDed. The last chunk is prefix-matched
    when the text does not end in a space and its last word has MIN_PREFIX_CHARS or more.
    """
    phrases = [
        '"' + chunk.replace('"', '""') + '"' for chunk in text.split() if _WORD.search(chunk)
    ]
    if not phrases:
        return None
    last_words = _WORDS.findall(text.split()[-1])
    if not text[-1].isspace() and last_words and len(last_words[-1]) >= MIN_PREFIX_CHARS:
        phrases[-1] += "*"
    return " ".join(phrases)


def search_params(query: str, limit: int) -> tuple[str, str, str, int] | None:
    """SEARCH_SQL's parameters for what a user typed, or None when nothing can match."""
    match = fts_query(query)
    if match is None or limit <= 0:
        return None
    return (HIGHLIGHT_START, HIGHLIGHT_END, match, limit)


def search_hit(row: sqlite3.Row) -> SearchHit:
    """One row of SEARCH_SQL as a SearchHit."""
    return SearchHit(
        message_id=row[0],
        conversation_id=row[1],
        conversation_title=row[2],
        role=cast(Role, row[3]),
        snippet=row[4] or "",
        created_at=row[5],
    )
