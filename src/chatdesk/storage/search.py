"""Full-text search of messages: the FTS5 query, its SQL and its results.

Plain Python, no Qt. ``ChatRepository.search`` runs SEARCH_SQL with ``search_params`` and
turns each row into a SearchHit with ``search_hit``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from chatdesk.core.models import Role

__all__ = [
    "HIGHLIGHT_END",
    "HIGHLIGHT_START",
    "MIN_PREFIX_CHARS",
    "PALETTE_LIMIT",
    "SEARCH_SQL",
    "SNIPPET_TOKENS",
    "SearchFilter",
    "SearchHit",
    "SearchStore",
    "fts_query",
    "search_hit",
    "search_params",
]

#: Search snippets wrap each matched word in these (escape the text, then replace them).
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"
SNIPPET_TOKENS = 12
#: Results the search palette asks for at a time.
PALETTE_LIMIT = 20
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


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """What the search palette narrows results to; ``order`` "newest" or "best"."""

    conversation_id: int | None = None
    role: Role | None = None
    since: float | None = None
    until: float | None = None
    order: str = "newest"


def filtered_search_sql(
    f: SearchFilter, bounds: tuple[int, int] | None
) -> tuple[str, list[object]]:
    """SQL and the parameters after (start, end, match) for a filtered search.

    Newest first walks the index backwards by rowid and stops at the limit, so a common word
    costs no more than a rare one; "best" ranks every match (bm25). ``bounds`` are the lowest
    and highest message ids of the one conversation searched, which FTS5 uses as a rowid range.
    """
    where = ["messages_fts MATCH ?", "m.deleted_at IS NULL"]
    params: list[object] = []
    if bounds is not None:
        where.append("messages_fts.rowid BETWEEN ? AND ?")
        params += list(bounds)
    if f.conversation_id is not None:
        where.append("m.conversation_id = ?")
        params.append(f.conversation_id)
    if f.role is not None:
        where.append("m.role = ?")
        params.append(f.role)
    if f.since is not None:
        where.append("m.created_at >= ?")
        params.append(f.since)
    if f.until is not None:
        where.append("m.created_at < ?")
        params.append(f.until)
    order = "rank" if f.order == "best" else "messages_fts.rowid DESC"
    sql = (
        "SELECT m.id, m.conversation_id, c.title, m.role,"
        f" snippet(messages_fts, 0, ?, ?, '…', {SNIPPET_TOKENS}), m.created_at"
        " FROM messages_fts JOIN messages AS m ON m.id = messages_fts.rowid"
        " JOIN conversations AS c ON c.id = m.conversation_id"
        f" WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?"
    )
    return sql, params


class SearchStore:
    """The search half of ``ChatRepository`` (which provides ``read``)."""

    if TYPE_CHECKING:

        async def read(
            self, action: str, sql: str, params: Sequence[Any] | dict[str, Any] = ()
        ) -> list[sqlite3.Row]: ...

    async def search(self, query: str, *, limit: int = 50) -> list[SearchHit]:
        """Messages matching every word of ``query``, best first (bm25). Never a syntax error."""
        params = search_params(query, limit)
        if params is None:
            return []
        rows = await self.read("search the messages", SEARCH_SQL, params)
        return [search_hit(row) for row in rows]

    async def search_messages(
        self, query: str, where: SearchFilter, *, limit: int = PALETTE_LIMIT
    ) -> list[SearchHit]:
        """The search palette's results: matches of ``query`` narrowed by ``where``, newest
        first (or best first). Never a syntax error."""
        match = fts_query(query)
        if match is None or limit <= 0:
            return []
        bounds: tuple[int, int] | None = None
        if where.conversation_id is not None:
            rows = await self.read(
                "search the chat",
                "SELECT min(id), max(id) FROM messages WHERE conversation_id = ?",
                (where.conversation_id,),
            )
            if not rows or rows[0][0] is None:
                return []
            bounds = (int(rows[0][0]), int(rows[0][1]))
        sql, params = filtered_search_sql(where, bounds)
        rows = await self.read(
            "search the messages", sql, (HIGHLIGHT_START, HIGHLIGHT_END, match, *params, limit)
        )
        return [search_hit(row) for row in rows]
