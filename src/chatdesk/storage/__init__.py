"""chatdesk.storage: the SQLite database (connection, migrations, repository)."""

from chatdesk.storage.repository import ChatRepository, SearchHit

__all__ = ["ChatRepository", "SearchHit"]
