"""The ledger of tool calls (Tools › Tool activity): every call the model asked for, with who
let it run or refused it, how long it ran (the approval wait left out), how much it returned
and how it ended — and every sampling and elicitation request a server made; read with
filters, written out as CSV or JSON.

Plain Python, no Qt. ``ChatRepository`` gets ``tool_activity`` from ``LedgerStore``.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

from chatdesk.core.models import ToolCall
from chatdesk.core.ports import ToolCallRecord

if TYPE_CHECKING:
    import aiosqlite

T = TypeVar("T")

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
    "edited": "allowed after the user edited it",
    "accept": "the user filled in the form (or agreed to open the page)",
    "decline": "the user declined",
    "cancel": "the user dismissed it",
    "refused": "refused: chatdesk cannot run it",
}

_SQL = """
SELECT * FROM (
    SELECT t.id, t.started_at, m.conversation_id, coalesce(c.title, '') AS title, t.server_id,
           t.tool_name, t.arguments, t.status, t.decision, t.duration_ms, t.result_chars,
           t.error, 'tool' AS kind, NULL AS cost
    FROM tool_calls AS t
    JOIN messages AS m ON m.id = t.message_id
    LEFT JOIN conversations AS c ON c.id = m.conversation_id
    UNION ALL
    SELECT r.id, r.started_at, r.conversation_id, coalesce(c.title, ''), r.server_id, r.kind,
           r.request, r.status, r.decision, r.duration_ms, r.result_chars, r.error, r.kind,
           r.cost
    FROM server_requests AS r
    LEFT JOIN conversations AS c ON c.id = r.conversation_id
) AS l
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
    kind: str = "tool"  # tool, sampling, elicitation
    cost: float | None = None  # a sampling's


@dataclass(frozen=True, slots=True)
class LedgerFilter:
    """What the Tool activity window narrows the ledger to (empty: everything)."""

    text: str = ""  # in the server, the tool or the arguments (a request's text)
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
            "(l.tool_name LIKE ? ESCAPE '!' OR coalesce(l.server_id, '') LIKE ? ESCAPE '!'"
            " OR l.arguments LIKE ? ESCAPE '!')"
        )
        params += [like, like, like]
    for column, value in (
        ("l.server_id", where.server_id),
        ("l.status", where.status),
        ("l.conversation_id", where.conversation_id),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    if where.since is not None:
        clauses.append("l.started_at >= ?")
        params.append(where.since)
    sql = _SQL + (f"WHERE {' AND '.join(clauses)} " if clauses else "")
    sql += "ORDER BY l.started_at DESC, l.id DESC LIMIT ?"
    params.append(where.limit)
    return sql, params


class LedgerStore:
    """The ledger half of ``ChatRepository`` (which provides ``read``)."""

    if TYPE_CHECKING:

        async def read(
            self, action: str, sql: str, params: Sequence[Any] | dict[str, Any] = ()
        ) -> list[sqlite3.Row]: ...

        async def write(
            self, action: str, op: Callable[[aiosqlite.Connection], Awaitable[T]]
        ) -> T: ...

    async def tool_activity(self, where: LedgerFilter) -> list[LedgerEntry]:
        """Recorded tool calls matching ``where``, newest first."""
        sql, params = ledger_query(where)
        rows = await self.read("load the tool activity", sql, params)
        return [LedgerEntry(*tuple(row)) for row in rows]

    async def tool_servers(self) -> list[str]:
        """The servers the ledger has calls of, for its filter."""
        rows = await self.read(
            "load the tool activity",
            "SELECT server_id FROM tool_calls WHERE server_id IS NOT NULL"
            " UNION SELECT server_id FROM server_requests ORDER BY 1",
        )
        return [str(r[0]) for r in rows]

    async def record_tool_call(
        self,
        message_id: int,
        call: ToolCall,
        *,
        server_id: str | None,
        result: str | None,
        error: str | None,
        status: str,
        started_at: float,
        duration_ms: float,
        decision: str | None = None,
    ) -> int:
        """Store one executed tool call of an assistant message (the ledger); its row id."""
        record = ToolCallRecord(
            call, server_id, result, error, status, started_at, duration_ms, decision
        )
        return (await self.record_tool_calls(message_id, [record]))[0]

    async def record_tool_calls(
        self, message_id: int, records: Sequence[ToolCallRecord]
    ) -> list[int]:
        """Store the executed tool calls of an assistant message in one transaction (a
        round's ledger entries); their row ids, in order."""
        rows = [
            (
                *(message_id, r.call.id, r.server_id, r.call.name, r.call.arguments),
                *(r.result, r.error, r.status, r.started_at, r.duration_ms, r.decision),
                len(r.result if r.result is not None else r.error or ""),
            )
            for r in records
        ]

        if not rows:
            return []
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
        sql = (
            "INSERT INTO tool_calls (message_id, call_id, server_id, tool_name, arguments,"
            " result, error, status, started_at, duration_ms, decision, result_chars)"
            f" VALUES {values} RETURNING id"
        )
        flat = [value for row in rows for value in row]

        async def op(conn: aiosqlite.Connection) -> list[int]:
            # One statement: one trip to the database thread, one commit, for the round.
            found = await conn.execute_fetchall(sql, flat)
            return sorted(int(row[0]) for row in found)

        return await self.write("save the tool calls", op)

    async def record_server_request(
        self,
        *,
        kind: str,
        conversation_id: int | None,
        server_id: str,
        request: str,
        status: str,
        decision: str | None,
        model: str = "",
        result_chars: int | None = None,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        cost: float | None = None,
        error: str | None = None,
        started_at: float,
        duration_ms: float | None = None,
    ) -> int:
        """Keep one sampling or elicitation request of a server; its row id."""
        params = (
            *(conversation_id, server_id, kind, request, status, decision, model or None),
            *(result_chars, prompt_tokens, completion_tokens, cost, error, started_at),
            duration_ms,
        )

        async def op(conn: aiosqlite.Connection) -> int:
            # A chat deleted meanwhile: the record stays, belonging to none.
            rows = list(
                await conn.execute_fetchall(
                    "INSERT INTO server_requests (conversation_id, server_id, kind, request,"
                    " status, decision, model, result_chars, prompt_tokens, completion_tokens,"
                    " cost, error, started_at, duration_ms)"
                    " VALUES ((SELECT id FROM conversations WHERE id = ?),"
                    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    params,
                )
            )
            return int(rows[0][0])

        return await self.write("save the server's request", op)


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
