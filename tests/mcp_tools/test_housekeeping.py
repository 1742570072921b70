"""The housekeeping server's conversation search: read-only, over the app's real database."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from chatdesk.mcp.servers import launch_command, run_builtin
from chatdesk.mcp.servers.housekeeping import HousekeepingError, search_conversations
from chatdesk.storage.repository import ChatRepository


async def test_search_finds_messages_and_changes_nothing(data_dir: Path) -> None:
    db = data_dir / "chatdesk.db"
    assert search_conversations("anything", database=db) == "There are no conversations yet."
    repo = await ChatRepository.open(db)
    first = await repo.create_conversation("Sourdough")
    await repo.append_message(first.id, "user", "How long should the levain rest?")
    await repo.append_message(first.id, "assistant", "Let the levain rest 8 to 12 hours.")
    await repo.close()
    before = db.read_bytes()

    found = search_conversations("levain", limit=1, database=db)
    assert found.startswith("1 message(s) match 'levain':")
    assert f"conversation {first.id} “Sourdough”" in found
    assert "levain" in search_conversations("levain rest", database=db)
    assert search_conversations("croissant", database=db) == "No messages match 'croissant'."
    assert search_conversations("***", database=db) == "No messages match '***'."
    with pytest.raises(HousekeepingError, match="give some words"):
        search_conversations("  ", database=db)
    assert db.read_bytes() == before


def test_builtins_launch_with_this_python() -> None:
    command, args = launch_command("housekeeping", ["--x"])
    assert args == ["-m", "chatdesk.mcp.servers.housekeeping", "--x"]
    assert Path(command).name.startswith("python")
    assert run_builtin(["nope"]) == 2


def test_a_frozen_app_starts_builtins_with_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", "/opt/chatdesk/chatdesk")
    assert launch_command("calculator") == ("/opt/chatdesk/chatdesk", ["mcp-server", "calculator"])
