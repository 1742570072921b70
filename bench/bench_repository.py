"""ChatRepository against raw sqlite3 on the same schema (FTS5 triggers included).

Run from the checkout: ``.venv/bin/python -m bench.bench_repository``. It builds 100,000
English-like messages (seeded), then measures medians of:

(a) inserting them with the full-text index: ``import_messages`` vs ``executemany`` in one
    transaction (target: at most 1.5x raw);
(b) full-text search, a rare term (target <= 5 ms) and a common term, top 50 by bm25
    (target <= 200 ms), both through ``ChatRepository.search`` and the same SQL in sqlite3;
(c) the last 50 messages of the conversation (target <= 2 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import amedian_time, fmt_seconds, median_time, print_table, ratio, verdict
from chatdesk.core.models import Role
from chatdesk.storage import ChatRepository
from chatdesk.storage import db as storage_db
from chatdesk.storage.migrations import MIGRATIONS
from chatdesk.storage.repository import MESSAGE_COLUMNS
from chatdesk.storage.search import HIGHLIGHT_END, HIGHLIGHT_START, SEARCH_SQL, fts_query

MESSAGES = 100_000
RARE_TERMS = ("zanbelfort", "quixotrel", "plimsovary")
RARE_COPIES = 3
COMMON_TERM = "the"

_WORD_TEXT = """
the of and to a in is it you that he was for on are with as I his they be at one have this
from or had by hot word but what some we can out other were all there when up use your how
said an each she which do their time if will way about many then them write would like so
these her long make thing see him two has look more day could go come did number sound no
most people my over know water than call first who may down side been now find any new work
part take get place made live where after back little only round man year came show every
good me give our under name very through just form sentence great think say help low line
differ turn cause much mean before move right boy old too same tell does set three want air
well also play small end put home read hand port large spell add even land here must big
high such follow act why ask men change went light kind off need house picture try us again
animal point mother world near build self earth father head stand own page should country
found answer school grow study still learn plant cover food sun four between state keep eye
never last let thought city tree cross farm hard start might story saw far sea draw left late
run don't while press close night real life few north open seem together next white children
begin got walk example ease paper group always music those both mark often letter until mile
river car feet care second book carry took science eat room friend began idea fish mountain
stop once base hear horse cut sure watch color face wood main enough plain girl usual young
ready above ever red list though feel talk bird soon body dog family direct pose leave song
measure door product black short numeral class wind question happen complete ship area half
rock order fire south problem piece told knew pass since top whole king space heard best hour
better true during hundred five remember step early hold west ground interest reach fast verb
sing listen six table travel less morning ten simple several vowel toward war lay against
pattern slow center love person money serve appear road map rain rule govern pull cold notice
voice unit power town fine certain fly fall lead cry dark machine note wait plan figure star
box noun field rest correct able pound done beauty drive stood contain front teach week final
gave green quick develop ocean warm free minute strong special mind behind clear tail produce
fact street inch multiply nothing course stay wheel full force blue object decide surface deep
moon island foot system busy test record boat common gold possible plane stead dry wonder
laugh thousand ago ran check game shape equate miss brought heat snow tire bring yes distant
fill east paint language among python function database query index thread async model token
"""
_WORDS = _WORD_TEXT.split()


def make_messages(count: int, seed: int = 2026) -> list[tuple[Role, str]]:
    """Deterministic English-like messages (Zipf-weighted words) with a few rare terms."""
    rng = random.Random(seed)
    weights = [1.0 / (rank + 1) for rank in range(len(_WORDS))]
    cumulative = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)
    result: list[tuple[Role, str]] = []
    for index in range(count):
        role: Role = "user" if index % 2 == 0 else "assistant"
        length = rng.randint(4, 30) if role == "user" else rng.randint(15, 90)
        words = rng.choices(_WORDS, cum_weights=cumulative, k=length)
        result.append((role, " ".join(words).capitalize() + "."))
    for term_index, term in enumerate(RARE_TERMS):
        for copy in range(RARE_COPIES):
            position = (term_index * 7919 + copy * 31337 + 101) % count
            role, text = result[position]
            result[position] = (role, f"{text} {term}")
    return result


# --- raw sqlite3 --------------------------------------------------------------------------


def raw_connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    for pragma in storage_db.PRAGMAS:
        conn.execute(pragma).fetchall()
    return conn


def raw_create(path: Path) -> sqlite3.Connection:
    conn = raw_connect(path)
    for migration in MIGRATIONS:
        conn.executescript(migration.sql)
    conn.execute("INSERT INTO conversations (title, created_at, updated_at) VALUES ('bench', 0, 0)")
    return conn


def raw_import(conn: sqlite3.Connection, messages: Sequence[tuple[Role, str]]) -> None:
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO messages (conversation_id, role, content, status, created_at, updated_at)"
        " VALUES (?, ?, ?, 'complete', ?, ?)",
        ((1, role, content, now, now) for role, content in messages),
    )
    conn.execute("UPDATE conversations SET updated_at = ? WHERE id = 1", (now,))
    conn.execute("COMMIT")


def fetch(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> list[Any]:
    return conn.execute(sql, params).fetchall()


# --- the measurements ---------------------------------------------------------------------


async def bench_insert(
    messages: list[tuple[Role, str]], runs: int, keep: Path
) -> tuple[float, float]:
    """Median seconds for (repository, raw); the last repository database is left at ``keep``."""
    repo_times: list[float] = []
    raw_times: list[float] = []
    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="chatdesk-bench-") as tmp:
            conn = raw_create(Path(tmp) / "raw.db")
            start = time.perf_counter()
            raw_import(conn, messages)
            raw_times.append(time.perf_counter() - start)
            conn.close()
        last = run == runs - 1
        with tempfile.TemporaryDirectory(prefix="chatdesk-bench-") as tmp:
            path = keep if last else Path(tmp) / "chatdesk.db"
            repo = await ChatRepository.open(path)
            conversation = await repo.create_conversation("bench")
            start = time.perf_counter()
            await repo.import_messages(conversation.id, messages)
            repo_times.append(time.perf_counter() - start)
            await repo.close()
        print(
            f"  insert run {run + 1}/{runs}: raw {raw_times[-1]:.2f} s, "
            f"repository {repo_times[-1]:.2f} s",
            flush=True,
        )
    return statistics.median(repo_times), statistics.median(raw_times)


async def bench_queries(path: Path, runs: int) -> list[tuple[str, float, float, float]]:
    """(name, repository s, raw s, target s) for the search and history queries."""
    repo = await ChatRepository.open(path)
    raw = raw_connect(path)
    results = []
    try:
        conversation = (await repo.list_conversations())[0]
        for name, text, target in (
            (f"search rare term '{RARE_TERMS[0]}'", RARE_TERMS[0], 0.005),
            (f"search common term '{COMMON_TERM}', top 50", COMMON_TERM, 0.200),
        ):
            hits = await repo.search(text, limit=50)
            assert hits, f"no hits for {text!r}"
            match = fts_query(text)
            [(matches,)] = raw.execute(
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?", (match,)
            ).fetchall()
            params = (HIGHLIGHT_START, HIGHLIGHT_END, match, 50)
            repo_time = await amedian_time(partial(repo.search, text, limit=50), runs, warmup=2)
            raw_time = median_time(partial(fetch, raw, SEARCH_SQL, params), runs, warmup=2)
            results.append((f"{name} ({matches:,} matching)", repo_time, raw_time, target))

        window = await repo.list_messages(conversation.id, limit=50)
        assert len(window) == 50
        history_sql = (
            f"SELECT {MESSAGE_COLUMNS} FROM messages"
            " WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
        )
        history_params = (conversation.id, 2**63 - 1, 50)
        repo_time = await amedian_time(
            partial(repo.list_messages, conversation.id, limit=50), runs, warmup=2
        )
        raw_time = median_time(partial(fetch, raw, history_sql, history_params), runs, warmup=2)
        results.append(("last 50 messages of a conversation", repo_time, raw_time, 0.002))
    finally:
        raw.close()
        await repo.close()
    return results


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--insert-runs", type=int, default=5)
    parser.add_argument("--query-runs", type=int, default=25)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    print(f"Generating {args.messages:,} messages ...", flush=True)
    messages = make_messages(args.messages)
    print(f"  {sum(len(c) for _, c in messages) / 1e6:.1f} MB of text", flush=True)

    with tempfile.TemporaryDirectory(prefix="chatdesk-bench-") as tmp:
        keep = Path(tmp) / "chatdesk.db"
        print(f"(a) inserting with the FTS index, {args.insert_runs} runs each ...", flush=True)
        repo_insert, raw_insert = await bench_insert(messages, args.insert_runs, keep)
        print(f"(b, c) queries, median of {args.query_runs} runs ...", flush=True)
        queries = await bench_queries(keep, args.query_runs)

    rows = [
        [
            f"(a) insert {args.messages:,} messages + FTS",
            fmt_seconds(repo_insert),
            fmt_seconds(raw_insert),
            ratio(repo_insert, raw_insert),
            "ratio <= 1.50x",
            verdict(repo_insert <= 1.5 * raw_insert),
        ]
    ]
    for index, (name, repo_time, raw_time, target) in enumerate(queries):
        label = "(b)" if index < 2 else "(c)"
        rows.append(
            [
                f"{label} {name}",
                fmt_seconds(repo_time),
                fmt_seconds(raw_time),
                ratio(repo_time, raw_time),
                f"<= {fmt_seconds(target)}",
                verdict(repo_time <= target),
            ]
        )
    print()
    print_table(["measure", "repository", "raw sqlite3", "ratio", "target", "result"], rows)
    print(
        f"\nsqlite {sqlite3.sqlite_version}; whole benchmark {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
