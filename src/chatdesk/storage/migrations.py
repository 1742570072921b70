"""Numbered schema migrations, applied once each and recorded in ``schema_migrations``.

A migration that has shipped is never edited: change the schema with a new, higher number.
Before a pending migration touches an existing, non-empty database, the file is backed up
next to itself as ``<name>.bak-<from>-to-<to>-<timestamp>`` (SQLite online backup API).

Each migration runs in its own ``BEGIN IMMEDIATE`` transaction with foreign keys switched off
(so a later migration may rebuild a table without cascading deletes); ``foreign_key_check``
must come back empty before it commits.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import aiosqlite

from chatdesk.errors import StorageError

log = logging.getLogger(__name__)


class Migration(NamedTuple):
    """One schema step: a unique increasing ``number``, a short ``name`` and its SQL script.

    The script runs inside the migrator's transaction: no BEGIN, COMMIT or PRAGMA that
    cannot run in a transaction (foreign keys are already off while it runs).
    """

    number: int
    name: str
    sql: str


_M1_INITIAL = """
CREATE TABLE presets (
    id               INTEGER PRIMARY KEY,
    name             TEXT    NOT NULL COLLATE NOCASE UNIQUE,
    position         INTEGER NOT NULL DEFAULT 0,
    model            TEXT,
    parameters       TEXT    NOT NULL DEFAULT '{}',   -- JSON object: temperature, top_p, ...
    provider_routing TEXT    NOT NULL DEFAULT '{}',   -- JSON object: OpenRouter "provider"
    system_prompt    TEXT    NOT NULL DEFAULT '',
    mcp_servers      TEXT    NOT NULL DEFAULT '[]',   -- JSON list of server ids
    tool_approvals   TEXT    NOT NULL DEFAULT '{}',   -- JSON object: tool name -> policy
    created_at       REAL    NOT NULL,
    updated_at       REAL    NOT NULL
);
CREATE INDEX presets_position ON presets (position);

CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    title            TEXT    NOT NULL,
    title_is_default INTEGER NOT NULL DEFAULT 1 CHECK (title_is_default IN (0, 1)),
    created_at       REAL    NOT NULL,
    updated_at       REAL    NOT NULL,
    pinned           INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    model            TEXT,
    preset_id        INTEGER REFERENCES presets (id) ON DELETE SET NULL
);
CREATE INDEX conversations_order ON conversations (pinned, updated_at);  -- read backwards
CREATE INDEX conversations_preset ON conversations (preset_id);

CREATE TABLE messages (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id   INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    parent_id         INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    role              TEXT    NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content           TEXT    NOT NULL DEFAULT '',
    reasoning         TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL DEFAULT 'complete'
                      CHECK (status IN ('streaming', 'complete', 'error', 'cancelled')),
    model             TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    total_tokens      INTEGER,
    cached_tokens     INTEGER,
    reasoning_tokens  INTEGER,
    cost              REAL,
    error             TEXT,
    tool_calls        TEXT,    -- JSON list of {"id", "name", "arguments"}; NULL when none
    tool_call_id      TEXT,
    generation_id     TEXT,
    created_at        REAL    NOT NULL,
    updated_at        REAL    NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_parent ON messages (parent_id);
-- Small: only the answers that were streaming when the app stopped.
CREATE INDEX messages_streaming ON messages (id) WHERE status = 'streaming';

CREATE TABLE tool_calls (
    id          INTEGER PRIMARY KEY,
    message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    call_id     TEXT    NOT NULL,
    server_id   TEXT,
    tool_name   TEXT    NOT NULL,
    arguments   TEXT    NOT NULL DEFAULT '',
    result      TEXT,
    error       TEXT,
    status      TEXT    NOT NULL,
    started_at  REAL    NOT NULL,
    duration_ms REAL
);
CREATE INDEX tool_calls_message ON tool_calls (message_id);

CREATE TABLE attachments (
    id                    INTEGER PRIMARY KEY,
    message_id            INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    conversation_id       INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    filename              TEXT    NOT NULL,
    mime_type             TEXT    NOT NULL,
    size_bytes            INTEGER NOT NULL CHECK (size_bytes >= 0),
    sha256                TEXT    NOT NULL,
    backend               TEXT    NOT NULL CHECK (backend IN ('local', 'gcs')),
    blob_key              TEXT    NOT NULL,
    signed_url            TEXT,
    signed_url_expires_at REAL,
    created_at            REAL    NOT NULL,
    last_used_at          REAL    NOT NULL
);
CREATE INDEX attachments_sha256 ON attachments (sha256);
CREATE INDEX attachments_last_used ON attachments (last_used_at);
CREATE INDEX attachments_message ON attachments (message_id);
CREATE INDEX attachments_conversation ON attachments (conversation_id);

-- Full-text index over messages.content (external content: the text is stored once).
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    content,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
-- Streaming answers rewrite content every ~250 ms; status-only updates skip the index.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
WHEN old.content IS NOT new.content BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
END;
"""

_M2_RENDER_CACHE = """
-- The HTML of the newest answers of the conversation open at the last quit, so the next start
-- paints them without loading the Markdown parser (chatdesk.storage.render_cache).
CREATE TABLE render_cache (
    message_id  INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    render_key  TEXT    NOT NULL,
    html        TEXT    NOT NULL,
    code_blocks TEXT    NOT NULL DEFAULT '[]'
);
-- A render is only good for the text it was made from.
CREATE TRIGGER render_cache_stale AFTER UPDATE OF content ON messages
WHEN old.content IS NOT new.content BEGIN
    DELETE FROM render_cache WHERE message_id = old.id;
END;
"""

_M3_DENIED_TOOL_CALLS = """
-- Denied calls are recorded as status 'denied'; before, they were 'ok' and only their wording
-- (chatdesk.mcp.approvals.denied_result) told them apart. This is the last use of that wording.
UPDATE tool_calls SET status = 'denied'
WHERE status = 'ok' AND result LIKE 'The user denied this call%';
"""

_M4_MESSAGE_TREE = """
-- Messages form a tree: parent_id is the previous message of a path; a conversation shows the
-- path that ends at its active leaf. Data until now is linear: each message follows the one
-- before it. Soft-deleted branches (deleted_at) wait for Undo until the next start.
ALTER TABLE conversations ADD COLUMN active_leaf_id INTEGER
    REFERENCES messages (id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN deleted_at REAL;
UPDATE messages SET parent_id = (
    SELECT max(p.id) FROM messages AS p
    WHERE p.conversation_id = messages.conversation_id AND p.id < messages.id
);
UPDATE conversations SET active_leaf_id = (
    SELECT max(id) FROM messages WHERE conversation_id = conversations.id
);
CREATE INDEX messages_deleted ON messages (id) WHERE deleted_at IS NOT NULL;
-- Walking up a path reads only this narrow index (chatdesk.storage.rows.PATH_WALK_CTE).
CREATE INDEX messages_tree ON messages (id, parent_id);
-- The first messages of a conversation (alternatives of its first question).
CREATE INDEX messages_roots ON messages (conversation_id) WHERE parent_id IS NULL;

-- Compaction: content stands for the path up to through_id (inclusive) in requests.
CREATE TABLE summaries (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    through_id      INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    content         TEXT    NOT NULL,
    model           TEXT,
    created_at      REAL    NOT NULL
);
CREATE INDEX summaries_conversation ON summaries (conversation_id);
CREATE INDEX summaries_through ON summaries (through_id);
"""

_M5_IMPORT_SOURCES = """
-- Where imported conversations came from, so importing the same file again adds nothing.
-- Deleting the conversation forgets its source: importing it again brings it back.
CREATE TABLE import_sources (
    source          TEXT    NOT NULL,   -- 'chatgpt', 'claude', 'chatdesk:<database id>'
    source_id       TEXT    NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    imported_at     REAL    NOT NULL,
    PRIMARY KEY (source, source_id)
) WITHOUT ROWID;
CREATE INDEX import_sources_conversation ON import_sources (conversation_id);
-- Facts about this database: 'database_id' names it in exports (chatdesk.history).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO meta (key, value) VALUES ('database_id', lower(hex(randomblob(16))));
"""

_M6_TOOL_LEDGER = """
-- The ledger of tool calls (Tools › Tool activity): who let each call run (or refused it) and
-- how much it returned. Calls recorded before have no decision.
ALTER TABLE tool_calls ADD COLUMN decision TEXT;
ALTER TABLE tool_calls ADD COLUMN result_chars INTEGER;
UPDATE tool_calls SET result_chars = length(coalesce(result, error, ''));
CREATE INDEX tool_calls_started ON tool_calls (started_at);
"""

_M7_SERVER_REQUESTS = """
-- What MCP servers asked of us (sampling: a completion; elicitation: a form or a URL), for the
-- ledger; a sampling's cost counts in its conversation. Form answers are not kept.
CREATE TABLE server_requests (
    id                INTEGER PRIMARY KEY,
    conversation_id   INTEGER REFERENCES conversations (id) ON DELETE SET NULL,
    server_id         TEXT    NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('sampling', 'elicitation')),
    request           TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL,
    decision          TEXT,
    model             TEXT,
    result_chars      INTEGER,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    cost              REAL,
    error             TEXT,
    started_at        REAL    NOT NULL,
    duration_ms       REAL
);
CREATE INDEX server_requests_started ON server_requests (started_at);
CREATE INDEX server_requests_conversation ON server_requests (conversation_id);
"""

#: Every migration chatdesk knows, in order. Append only.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", _M1_INITIAL),
    Migration(2, "render cache", _M2_RENDER_CACHE),
    Migration(3, "denied tool calls", _M3_DENIED_TOOL_CALLS),
    Migration(4, "message tree", _M4_MESSAGE_TREE),
    Migration(5, "import sources", _M5_IMPORT_SOURCES),
    Migration(6, "tool ledger", _M6_TOOL_LEDGER),
    Migration(7, "server requests", _M7_SERVER_REQUESTS),
)

_CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    number     INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at REAL NOT NULL
)
"""


@dataclass(frozen=True, slots=True)
class MigrationReport:
    """What ``migrate`` did: the schema level before and after, and the backup it made."""

    from_version: int
    to_version: int
    applied: tuple[int, ...]
    backup: Path | None


async def applied_migrations(conn: aiosqlite.Connection) -> dict[int, str]:
    """Numbers and names recorded in ``schema_migrations`` (empty for a new database)."""
    rows = await conn.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    )
    if not list(rows):
        return {}
    rows = await conn.execute_fetchall("SELECT number, name FROM schema_migrations")
    return {int(row[0]): str(row[1]) for row in rows}


def _checked(migrations: Sequence[tuple[int, str, str]]) -> list[Migration]:
    result = [Migration(*m) for m in migrations]
    numbers = [m.number for m in result]
    if any(n <= 0 for n in numbers) or numbers != sorted(set(numbers)):
        raise ValueError(f"migration numbers must be positive and increasing: {numbers}")
    return result


async def _is_empty(conn: aiosqlite.Connection) -> bool:
    rows = list(await conn.execute_fetchall("SELECT count(*) FROM sqlite_master"))
    return int(rows[0][0]) == 0


def _backup_path(path: Path, from_version: int, to_version: int, now: float) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
    base = f"{path.name}.bak-{from_version}-to-{to_version}-{stamp}"
    candidate = path.with_name(base)
    counter = 2
    while candidate.exists():
        candidate = path.with_name(f"{base}-{counter}")
        counter += 1
    return candidate


async def backup_database(conn: aiosqlite.Connection, target: Path) -> None:
    """Copy the open database to ``target`` with SQLite's online backup API (atomic rename)."""
    partial = target.with_name(target.name + ".partial")
    dest = sqlite3.connect(partial, check_same_thread=False)
    try:
        await conn.backup(dest)
        dest.close()
        partial.replace(target)
    except BaseException:
        dest.close()
        partial.unlink(missing_ok=True)
        raise


async def _apply(conn: aiosqlite.Connection, migration: Migration, now: float) -> None:
    await conn.execute("PRAGMA foreign_keys = OFF")
    try:
        # executescript() commits any open transaction first, so BEGIN goes inside the script.
        await conn.executescript(f"BEGIN IMMEDIATE;\n{migration.sql}\n;")
        problems = list(await conn.execute_fetchall("PRAGMA foreign_key_check"))
        if problems:
            raise StorageError(
                f"Could not upgrade the chat database: migration {migration.number} "
                f"({migration.name}) left {len(problems)} broken references.",
                detail=repr([tuple(row) for row in problems[:10]]),
            )
        await conn.execute(
            "INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)",
            (migration.number, migration.name, now),
        )
        await conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
        raise
    finally:
        await conn.execute("PRAGMA foreign_keys = ON")


async def migrate(
    conn: aiosqlite.Connection,
    path: Path | None,
    migrations: Sequence[tuple[int, str, str]] = MIGRATIONS,
    *,
    clock: Callable[[], float] = time.time,
) -> MigrationReport:
    """Apply the pending ``migrations`` in order; back up ``path`` first if it holds data.

    Raises ``StorageError`` when the database was made by a newer chatdesk (it records a
    migration this version does not know). Other failures propagate as ``sqlite3.Error``.
    """
    known = _checked(migrations)
    applied = await applied_migrations(conn)
    unknown = sorted(set(applied) - {m.number for m in known})
    if unknown:
        where = f" {path}" if path is not None else ""
        raise StorageError(
            f"The chat database{where} was created by a newer version of chatdesk "
            f"(schema step {unknown[-1]}); please update chatdesk to open it."
        )
    from_version = max(applied, default=0)
    pending = [m for m in known if m.number not in applied]
    if not pending:
        return MigrationReport(from_version, from_version, (), None)
    to_version = max(from_version, pending[-1].number)

    backup: Path | None = None
    if path is not None and not await _is_empty(conn):
        backup = _backup_path(path, from_version, to_version, clock())
        log.info("Backing up %s to %s before migrating", path, backup)
        await backup_database(conn, backup)

    await conn.execute(_CREATE_LEDGER)
    for migration in pending:
        log.info("Applying migration %d: %s", migration.number, migration.name)
        await _apply(conn, migration, clock())
    return MigrationReport(from_version, to_version, tuple(m.number for m in pending), backup)
