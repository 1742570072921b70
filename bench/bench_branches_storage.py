"""The message tree in SQLite: migrating linear data, and building an active path.

Run from the repository root: ``.venv/bin/python -m bench.bench_branches_storage [--runs N]``.

1. **Migration** (issue #12: ≤ 2 s for 100,000 messages): a database at schema 3 holding
   100,000 linear messages in 100 conversations is upgraded to the message tree (migration 4,
   which gives every message its parent). Baseline, same data, same run: one full-table
   ``UPDATE messages SET updated_at = updated_at + 0`` (a pass that writes every row).
   The migrator's own backup of the file is left out of both: it copies the file first.
2. **Active path** (≤ 5 ms for 10,000 messages): the path ids of a conversation of 10,000
   messages with 50 forks (``ChatRepository.active_path_ids``). Baseline: reading the same
   conversation's ids with ``SELECT id FROM messages WHERE conversation_id = ?``.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bench.common import fmt_seconds, print_table, ratio, verdict
from chatdesk.storage.migrations import MIGRATIONS

MIGRATION_MESSAGES = 100_000
MIGRATION_TARGET_S = 2.0
PATH_MESSAGES = 10_000
PATH_FORKS = 50
PATH_TARGET_S = 0.005


def _schema(path: Path, upto: int) -> None:
    """A database at migration ``upto`` (its ledger too), empty."""
    from chatdesk.storage.repository import ChatRepository

    async def make() -> None:
        repo = await ChatRepository.open(path, migrations=MIGRATIONS[:upto])
        await repo.close()

    asyncio.run(make())


def _fill_linear(path: Path, total: int, conversations: int) -> None:
    conn = sqlite3.connect(path)
    per = total // conversations
    with conn:
        conn.executemany(
            "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, 1, 1)",
            [(c + 1, f"chat {c}") for c in range(conversations)],
        )
        conn.executemany(
            "INSERT INTO messages (conversation_id, role, content, created_at, updated_at)"
            " VALUES (?, ?, ?, 1, 1)",
            (
                (c + 1, "user" if i % 2 == 0 else "assistant", f"message {i} of chat {c}")
                for c in range(conversations)
                for i in range(per)
            ),
        )
    conn.close()


def bench_migration(runs: int) -> tuple[float, float]:
    """Median seconds of migration 4 on 100k linear messages, and of the baseline pass."""
    migrate_times, baseline_times = [], []
    m4 = MIGRATIONS[3]
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "chatdesk.db"
            _schema(path, 3)
            _fill_linear(path, MIGRATION_MESSAGES, 100)
            conn = sqlite3.connect(path, isolation_level=None)
            start = time.perf_counter()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE messages SET updated_at = updated_at + 0")
            conn.execute("COMMIT")
            baseline_times.append(time.perf_counter() - start)
            conn.execute("PRAGMA foreign_keys = OFF")
            start = time.perf_counter()
            conn.executescript(f"BEGIN IMMEDIATE;\n{m4.sql}\nCOMMIT;")
            migrate_times.append(time.perf_counter() - start)
            parents = conn.execute(
                "SELECT count(*) FROM messages WHERE parent_id IS NOT NULL"
            ).fetchone()[0]
            assert parents == MIGRATION_MESSAGES - 100, parents
            conn.close()
    return statistics.median(migrate_times), statistics.median(baseline_times)


def bench_path(runs: int) -> dict[str, float]:
    """Median seconds, on 10k messages with 50 forks, of the whole path's ids
    (``active_path_ids``), the baseline, the newest 1,000 messages of the path (what a request
    is built from) and the newest 51 (what a view shows), and the path's length."""
    from chatdesk.storage.repository import ChatRepository

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chatdesk.db"
        _schema(path, len(MIGRATIONS))
        conn = sqlite3.connect(path)
        rows = []
        parent: int | None = None
        next_id = 1
        per_fork = PATH_MESSAGES // PATH_FORKS
        while next_id <= PATH_MESSAGES:
            rows.append((next_id, parent, "user" if next_id % 2 else "assistant"))
            if next_id % per_fork == 0 and parent is not None:  # an alternative, left behind
                rows.append((next_id + 1, parent, "assistant"))
                rows.append((next_id + 2, next_id + 1, "user"))
                parent_for_next = next_id
                next_id += 3
                parent = parent_for_next
                continue
            parent = next_id
            next_id += 1
        with conn:
            conn.execute(
                "INSERT INTO conversations (id, title, created_at, updated_at)"
                " VALUES (1, 'x', 1, 1)"
            )
            conn.executemany(
                "INSERT INTO messages (id, conversation_id, parent_id, role, content, created_at,"
                " updated_at) VALUES (?, 1, ?, ?, 'text', 1, 1)",
                rows,
            )
            conn.execute("UPDATE conversations SET active_leaf_id = ? WHERE id = 1", (parent,))
        conn.close()

        async def measure() -> dict[str, float]:
            repo = await ChatRepository.open(path)
            ids = await repo.active_path_ids(1)
            times: dict[str, list[float]] = {"path": [], "base": [], "history": [], "page": []}
            for _ in range(runs):
                for key, call in (
                    ("path", lambda: repo.active_path_ids(1)),
                    (
                        "base",
                        lambda: repo.read(
                            "bench", "SELECT id FROM messages WHERE conversation_id = ?", (1,)
                        ),
                    ),
                    ("history", lambda: repo.list_messages(1, limit=1000)),
                    ("page", lambda: repo.list_messages(1, limit=51)),
                ):
                    start = time.perf_counter()
                    await call()
                    times[key].append(time.perf_counter() - start)
            await repo.close()
            out = {key: statistics.median(values) for key, values in times.items()}
            out["length"] = len(ids)
            return out

        return asyncio.run(measure())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    migrated, full_pass = bench_migration(args.runs)
    path = bench_path(max(args.runs, 20))
    walked, read_all, length = path["path"], path["base"], int(path["length"])
    print(f"medians of {args.runs} migration runs and {max(args.runs, 20)} path runs")
    print_table(
        ["measure", "time", "baseline", "ratio", "target", ""],
        [
            [
                f"migrate {MIGRATION_MESSAGES:,} linear messages",
                fmt_seconds(migrated),
                f"full-table UPDATE {fmt_seconds(full_pass)}",
                ratio(migrated, full_pass),
                "≤ 2 s",
                verdict(migrated <= MIGRATION_TARGET_S),
            ],
            [
                f"active path ({length:,} of {PATH_MESSAGES:,} messages, {PATH_FORKS} forks)",
                fmt_seconds(walked),
                f"SELECT ids {fmt_seconds(read_all)}",
                ratio(walked, read_all),
                "≤ 5 ms",
                verdict(walked <= PATH_TARGET_S),
            ],
            [
                "  its newest 1,000 messages (a request's history)",
                fmt_seconds(path["history"]),
                "",
                ratio(path["history"], read_all),
                "",
                "",
            ],
            [
                "  its newest 51 messages (a view's page)",
                fmt_seconds(path["page"]),
                "",
                ratio(path["page"], read_all),
                "",
                "",
            ],
        ],
    )
    raise SystemExit(0 if migrated <= MIGRATION_TARGET_S and walked <= PATH_TARGET_S else 1)


if __name__ == "__main__":
    main()
