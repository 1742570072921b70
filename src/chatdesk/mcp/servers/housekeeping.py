"""Built-in housekeeping server: the current time in a time zone.

Run as ``python -m chatdesk.mcp.servers.housekeeping`` (stdio).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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


def main() -> None:
    """Serve the housekeeping tools over stdio."""
    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.exceptions import ToolError
    from mcp.types import ToolAnnotations

    server = MCPServer("housekeeping")

    @server.tool(
        name="current_time",
        annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False),
    )
    def current_time_tool(timezone: str) -> str:
        """The current date and time in an IANA time zone such as 'Europe/Paris' or 'UTC'."""
        try:
            return current_time(timezone)
        except ValueError as exc:
            raise ToolError(str(exc)) from None

    server.run()


if __name__ == "__main__":
    main()
