"""chatdesk.storage: the SQLite database (connection, migrations, repository, search).

``ChatRepository`` is loaded on first use: importing the package (for the start-up snapshot)
must not pull in asyncio and aiosqlite before the window has painted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatdesk.storage.repository import ChatRepository
    from chatdesk.storage.search import SearchHit

__all__ = ["ChatRepository", "SearchHit"]


def __getattr__(name: str) -> Any:
    if name == "ChatRepository":
        from chatdesk.storage.repository import ChatRepository

        return ChatRepository
    if name == "SearchHit":
        from chatdesk.storage.search import SearchHit

        return SearchHit
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
