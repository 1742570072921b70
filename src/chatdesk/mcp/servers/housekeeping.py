"""Built-in housekeeping server: the current time in a time zone, and a read-only search of
this app's own conversations.

Run as ``python -m chatdesk.mcp.servers.housekeeping`` (stdio). The database is found in
``$CHATDESK_DATA_DIR`` (the app passes it), else the platform's data dir; it is opened
read-only, so the search can never change a conversation.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MAX_HITS = 50


class HousekeepingError(ValueError):
    """A request the tools cannot answer; the message says why."""


def current_time(timezone: str) -> str:
    """ISO 8601 time now in an IANA zone (``Europe/Paris``, ``UTC``); ValueError if unknown."""
    try:
        zone = ZoneInfo(timezone.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {timezone!r}: use an IANA name such as 'Europe/Paris' or 'UTC'"
        ) from None
    now = datetime.now(zone)
    return f"{now.isoformat(timespec='seconds')} ({now.tzname()}, {now:%A})"


def _database() -> Path:
    from chatdesk import paths

    return paths.database_file(paths.data_dir())


def search_conversations(query: str, limit: int = 10, database: Path | None = None) -> str:
    """Messages of the app's conversations matching every word of ``query``, best first."""
    from chatdesk.storage.search import SEARCH_SQL, search_hit, search_params

    if not query.strip():
        raise HousekeepingError("give some words to search for")
    limit = max(1, min(int(limit), MAX_HITS))
    params = search_params(query, limit)
    if params is None:
        return f"No messages match {query!r}."
    path = database or _database()
    if not path.exists():
        return "There are no conversations yet."
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise HousekeepingError(f"cannot open the conversations database: {exc}") from None
    try:
        conn.execute("PRAGMA query_only = ON")
        rows = conn.execute(SEARCH_SQL, params).fetchall()
    except sqlite3.Error as exc:
        raise HousekeepingError(f"cannot search the conversations: {exc}") from None
    finally:
        conn.close()
    if not rows:
        return f"No messages match {query!r}."
    lines = [f"{len(rows)} message(s) match {query!r}:"]
    for row in rows:
        hit = search_hit(row)
        when = datetime.fromtimestamp(hit.created_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
        title = hit.conversation_title or "Untitled"
        lines.append(
            f"- conversation {hit.conversation_id} “{title}”, {hit.role}, {when}: "
            f"{hit.plain_snippet}"
        )
    return "\n".join(lines)


def main() -> None:
    """Serve the housekeeping tools over stdio."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import ToolAnnotations

    server = MCPServer("housekeeping")
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(name="current_time", annotations=read_only)
    def current_time_tool(timezone: str) -> str:
        """The current date and time in an IANA time zone such as 'Europe/Paris' or 'UTC'."""
        try:
            return current_time(timezone)
        except ValueError as exc:
            raise ToolError(str(exc)) from None

    @server.tool(name="search_conversations", annotations=read_only)
    def search_conversations_tool(query: str, limit: int = 10) -> str:
        """Search the user's past chatdesk conversations (read-only): messages containing
        every word of the query, best matches first, with conversation id, title and date."""
        try:
            return search_conversations(query, limit)
        except HousekeepingError as exc:
            raise ToolError(str(exc)) from None

    server.run()


if __name__ == "__main__":
    main()
