"""The ledger of tool calls: what was recorded, filtered, and written out as CSV and JSON."""

from __future__ import annotations

import csv
import io
import json

from chatdesk.core.models import ToolCall
from chatdesk.storage.ledger import LedgerFilter, ledger_csv, ledger_json
from chatdesk.storage.repository import ChatRepository


async def _calls(repo: ChatRepository) -> tuple[int, int]:
    rome = await repo.create_conversation("Rome")
    oslo = await repo.create_conversation("Oslo")
    a = await repo.append_message(rome.id, "assistant", "", tool_calls=[ToolCall("1", "x", "{}")])
    b = await repo.append_message(oslo.id, "assistant", "", tool_calls=[ToolCall("2", "y", "{}")])
    rows = (
        (a.id, "c1", "calc", "calc__calculate", '{"expression": "6*7"}', "42", None, "ok", "once"),
        (
            a.id,
            "c2",
            "files",
            "files__delete",
            '{"path": "/tmp/50%_off"}',
            None,
            None,
            "denied",
            "denied",
        ),
        (
            b.id,
            "c3",
            "calc",
            "calc__calculate",
            '{"expression": "1/0"}',
            None,
            "division by zero",
            "error",
            "always",
        ),
    )
    for n, (message, call_id, server, name, args, result, error, status, decision) in enumerate(
        rows
    ):
        await repo.record_tool_call(
            message,
            ToolCall(call_id, name, args),
            server_id=server,
            result=result,
            error=error,
            status=status,
            started_at=1000.0 + n,
            duration_ms=12.5,
            decision=decision,
        )
    return rome.id, oslo.id


async def test_the_ledger_filters_and_exports(repo: ChatRepository) -> None:
    rome, oslo = await _calls(repo)

    everything = await repo.tool_activity(LedgerFilter())
    assert [(e.tool_name, e.status, e.decision) for e in everything] == [
        ("calc__calculate", "error", "always"),
        ("files__delete", "denied", "denied"),
        ("calc__calculate", "ok", "once"),
    ]
    newest = everything[0]
    assert (newest.conversation_title, newest.result_chars, newest.error) == (
        "Oslo",
        len("division by zero"),
        "division by zero",
    )
    assert [e.id for e in await repo.tool_activity(LedgerFilter(server_id="calc"))] == [
        everything[0].id,
        everything[2].id,
    ]
    assert [e.status for e in await repo.tool_activity(LedgerFilter(status="denied"))] == ["denied"]
    assert [
        e.conversation_id for e in await repo.tool_activity(LedgerFilter(conversation_id=rome))
    ] == [
        rome,
        rome,
    ]
    assert [e.tool_name for e in await repo.tool_activity(LedgerFilter(text="50%"))] == [
        "files__delete"
    ]
    assert await repo.tool_activity(LedgerFilter(text="5_%")) == []  # wildcards are plain text
    assert len(await repo.tool_activity(LedgerFilter(since=1001.5))) == 1
    assert await repo.tool_servers() == ["calc", "files"]
    assert oslo != rome

    table = list(csv.reader(io.StringIO(ledger_csv(everything))))
    assert table[0][:3] == ["id", "started_at", "conversation_id"]
    assert table[2][5:9] == ["files__delete", '{"path": "/tmp/50%_off"}', "denied", "denied"]
    assert json.loads(ledger_json(everything))[0]["error"] == "division by zero"
