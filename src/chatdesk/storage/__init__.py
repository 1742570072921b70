"""chatdesk.storage: the SQLite database (connection, migrations, repository, search)."""

from chatdesk.storage.repository import ChatRepository
from chatdesk.storage.search import SearchHit

__all__ = ["ChatRepository", "SearchHit"]
