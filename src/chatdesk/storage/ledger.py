"""The ledger of tool calls (Tools › Tool activity): every call the model asked for, with who
let it run or refused it, how long it ran (the approval wait left out), how much it returned
and how it ended; read with filters, written out as CSV or JSON.

Plain Python, no Qt. ``ChatRepository`` gets ``tool_activity`` from ``LedgerStore``.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

__all__ = ["DECISIONS", "LedgerEntry", "LedgerFilter", "LedgerStore", "ledger_csv", "ledger_json"]

#: Who decided, as the ledger words it.
DECISIONS = {
    "policy": "the server's or preset's policy (allow all)",
    "read-only": "the policy for read-only tools",
    "always": "always allowed",
    "conversation": "allowed for this conversation",
    "once": "allowed once",
    "denied": "denied",
    "no-one-to-ask": "refused (nothing could ask)",
}

_SQL = """
SELECT t.id, t.started_at, m.conversation_id, coalesce(c.title, ''), t.server_id, t.tool_name,
       t.arguments, t.status, t.decision, t.duration_ms, t.result_chars, t.error
FROM tool_calls AS t
JOIN messages AS m ON m.id = t.message_id
LEFT JOIN conversations AS c ON c.id = m.conversation_id
"""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One recorded tool call."""

    id: int
    started_at: float
    conversation_id: int | None
    conversation_title: str
    server_id: str | None
    tool_name: str
    arguments: str
    status: str  # ok, error, denied
    decision: str | None
    duration_ms: float | None
    result_chars: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """What the Tool activity window narrows the ledger to (empty: everything)."""

    text: str = ""  # in the server, the tool or the arguments
    server_id: str | None = None
    status: str | None = None
    since: float | None = None
    conversation_id: int | None = None
    limit: int = 1000


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def ledger_query(where: LedgerFilter) -> tuple[str, list[Any]]:
    """The SQL and parameters of ``where``, newest first."""
    clauses: list[str] = []
    params: list[Any] = []
    if where.text.strip():
        like = "%" + _escape_like(where.text.strip()) + "%"
        clauses.append(
            "(t.tool_name LIKE ? ESCAPE '!' OR coalesce(t.server_id, '') LIKE ? ESCAPE '!'"
            " OR t.arguments LIKE ? ESCAPE '!')"
        )
        params += [like, like, like]
    for column, value in (
        ("t.server_id", where.server_id),
        ("t.status", where.status),
        ("m.conversation_id", where.conversation_id),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if where.since is not None:
        clauses.append("t.started_at >= ?")
        params.append(where.since)
    sql = _SQL + (f"WHERE {' AND '.join(clauses)} " if clauses else "")
    sql += "ORDER BY t.started_at DESC, t.id DESC LIMIT ?"
    params.append(where.limit)
    return sql, params


class LedgerStore:
    """The ledger half of ``ChatRepository`` (which provides ``read``)."""

    if TYPE_CHECKING:

        async def read(
            self, action: str, sql: str, params: Sequence[Any] | dict[str, Any] = ()
        ) -> list[sqlite3.Row]: ...

    async def tool_activity(self, where: LedgerFilter) -> list[LedgerEntry]:
        """Recorded tool calls matching ``where``, newest first."""
        sql, params = ledger_query(where)
        rows = await self.read("load the tool activity", sql, params)
        return [LedgerEntry(*tuple(row)) for row in rows]

    async def tool_servers(self) -> list[str]:
        """The servers the ledger has calls of, for its filter."""
        rows = await self.read(
            "load the tool activity",
            "SELECT DISTINCT server_id FROM tool_calls WHERE server_id IS NOT NULL ORDER BY 1",
        )
        return [str(r[0]) for r in rows]


def ledger_csv(entries: Sequence[LedgerEntry]) -> str:
    """The entries as CSV, a header row first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f.name for f in fields(LedgerEntry)])
    for entry in entries:
        writer.writerow(list(asdict(entry).values()))
    return out.getvalue()


def ledger_json(entries: Sequence[LedgerEntry]) -> str:
    """The entries as a JSON array of objects."""
    return json.dumps([asdict(e) for e in entries], ensure_ascii=False, indent=1)
