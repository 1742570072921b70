"""Your history, portable and safe: import (ChatGPT, Claude, chatdesk JSON), export (Markdown,
HTML, JSON) and backups.

Plain Python, no Qt and no asyncio: every function here works on its own ``sqlite3``
connection to the database file, so the app runs them in a worker thread while it keeps
writing (WAL), and the command line (``chatdesk import|export|backup|restore``) runs the same
code directly.
"""
