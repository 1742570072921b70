"""Your history at scale (issue #13): import, the search palette, JSON export, backups.

Run from the repository root: ``.venv/bin/python -m bench.bench_history [--big] [--only X]``
(X: import, search, export, backup). Every target is a ratio against a baseline measured in
the same run, or a latency next to the old way of doing the same thing.

1. **Import** of a generated ChatGPT export (2,000 conversations, 100,000 messages, with
   branches; ``--big``: also five times that): ≤ 1.5x raw ``sqlite3`` inserting the same rows
   (already parsed, one transaction per conversation, the FTS index updated by its triggers);
   peak memory growth ≤ 60 MB (the process's peak RSS, reset before the import).
2. **Search palette**, keystroke to the first 20 results on screen, for a common word over
   100,000 messages (≤ 30 ms) and, with ``--big``, 1,000,000 (≤ 100 ms): the palette's query
   through ``ChatRepository.search_messages`` plus ``SearchPalette.show_results``. Next to it,
   the ranked search the sidebar used before (``ChatRepository.search``, bm25 over all matches).
3. **Export** of those 100,000 messages to JSON: ≤ 1.5x ``json.dump`` of the same rows
   (``SELECT * FROM messages`` as dicts).
4. **Backup** of a database of ≥ 500 MB (``--big``; 100 MB otherwise) while an answer streams
   (the message rewritten every 100 ms, as the orchestrator persists a stream): the longest
   event-loop stall, timed by a 5 ms ticker, ≤ 50 ms; next to the same ticker without a backup.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fmt_seconds, print_table, ratio, verdict

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "history"))

from samples import WORDS, generate_chatgpt_export

from chatdesk.history.database import open_database

CONVERSATIONS = 2_000
PER_CONVERSATION = 50
IMPORT_RATIO = 1.5
MEMORY_MB = 60
SEARCH_MS = {100_000: 30.0, 1_000_000: 100.0}
EXPORT_RATIO = 1.5
STALL_MS = 50.0


# --- 1. import ---------------------------------------------------------------------------------


def _parsed_rows(path: Path) -> list[tuple[str, list[tuple[int, str, str, float]]]]:
    """The export's conversations as (title, [(parent index, role, text, time)]) rows."""
    from chatdesk.history import chatgpt
    from chatdesk.history.json_stream import JsonArrayReader

    out = []
    with path.open("rb") as handle:
        for raw in JsonArrayReader(handle):
            conversation = chatgpt.convert(raw)
            index = {m.key: i for i, m in enumerate(conversation.messages)}
            rows = [
                (index.get(m.parent or "", -1), m.role, m.content, m.created_at)
                for m in conversation.messages
            ]
            out.append((conversation.title, rows))
    return out


def _raw_insert(db: Path, parsed: list[tuple[str, list[tuple[int, str, str, float]]]]) -> float:
    conn = open_database(db)
    started = time.perf_counter()
    next_id = 1
    for title, rows in parsed:
        conn.execute("BEGIN IMMEDIATE")
        (cid,) = conn.execute(
            "INSERT INTO conversations (title, created_at, updated_at) VALUES (?, 0, 0)"
            " RETURNING id",
            (title,),
        ).fetchone()
        conn.executemany(
            "INSERT INTO messages (id, conversation_id, parent_id, role, content, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (next_id + i, cid, next_id + p if p >= 0 else None, role, text, t, t)
                for i, (p, role, text, t) in enumerate(rows)
            ],
        )
        next_id += len(rows)
        conn.execute("COMMIT")
    took = time.perf_counter() - started
    conn.close()
    return took


_CHILD = """
import json, sys, time
from pathlib import Path
from chatdesk.history.importer import import_file

def status(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0

base = status("VmRSS")
Path("/proc/self/clear_refs").write_text("5")
started = time.perf_counter()
report = import_file(Path(sys.argv[1]), Path(sys.argv[2]))
took = time.perf_counter() - started
print(json.dumps([took, (status("VmHWM") - base) / 2**20, report.messages]))
"""


def _import_in_child(db: Path, export: Path) -> tuple[float, float, int]:
    """Import in a fresh process: its time, its peak memory growth (MB), messages imported."""
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(db), str(export)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    took, growth, messages = json.loads(out.strip().splitlines()[-1])
    return float(took), float(growth), int(messages)


def bench_import(work: Path, scales: list[int]) -> bool:
    ok = True
    table = []
    for scale in scales:
        export = work / f"export-{scale}.json"
        conversations, messages = generate_chatgpt_export(
            export, CONVERSATIONS * scale, PER_CONVERSATION
        )
        size_mb = export.stat().st_size / 2**20
        parsed = _parsed_rows(export)
        raw = _raw_insert(work / f"raw-{scale}.db", parsed)
        del parsed
        db = work / f"import-{scale}" / "chatdesk.db"
        open_database(db).close()  # the schema is made before timing, as in the app
        took, growth, imported = _import_in_child(db, export)
        assert imported == messages, (imported, messages)
        good = took <= IMPORT_RATIO * raw and growth <= MEMORY_MB
        ok &= good
        table.append(
            [
                f"{conversations:,} chats / {messages:,} msgs ({size_mb:.0f} MB)",
                fmt_seconds(raw),
                fmt_seconds(took),
                ratio(took, raw),
                f"{growth:.0f} MB",
                verdict(good),
            ]
        )
        export.unlink()
    print_table(
        ["import", "raw sqlite3", "chatdesk import", "ratio (≤1.5x)", "peak growth (≤60)", ""],
        table,
    )
    return ok


# --- 2. search ---------------------------------------------------------------------------------


def _word(rng: random.Random, vocabulary: list[str]) -> str:
    """Prose-like frequencies: "the" in nearly every message, a few hundred common words,
    then a long tail."""
    roll = rng.random()
    if roll < 0.08:
        return "the"
    return rng.choice(WORDS) if roll < 0.33 else rng.choice(vocabulary)


def _fill(db: Path, messages: int, seed: int = 7) -> None:
    """``messages`` messages of prose (and FTS rows) in chats of 50, quickly."""
    conn = open_database(db)
    rng = random.Random(seed)
    vocabulary = [*WORDS, *(f"w{n}" for n in range(5000))]
    per = 50
    with conn:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, ?, ?, ?)",
            [(c + 1, f"Chat {c}", c, c) for c in range(messages // per)],
        )
        batch = []
        for i in range(messages):
            text = " ".join(_word(rng, vocabulary) for _ in range(rng.randint(20, 90)))
            parent = i if i % per else None
            batch.append(
                (
                    i + 1,
                    i // per + 1,
                    parent,
                    "user" if i % 2 == 0 else "assistant",
                    text,
                    1e9 + i,
                    1e9 + i,
                )
            )
            if len(batch) == 20_000:
                conn.executemany(
                    "INSERT INTO messages (id, conversation_id, parent_id, role, content,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    batch,
                )
                batch = []
        if batch:
            conn.executemany(
                "INSERT INTO messages (id, conversation_id, parent_id, role, content,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                batch,
            )
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def bench_search(work: Path, sizes: list[int]) -> bool:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from chatdesk.storage.repository import ChatRepository
    from chatdesk.storage.search import SearchFilter
    from chatdesk.ui.history.search_palette import SearchPalette, SearchRequest

    app = QApplication.instance() or QApplication([])
    palette = SearchPalette()
    palette.resize(720, 520)
    palette.show()
    app.processEvents()
    ok = True
    table = []
    for size in sizes:
        db = work / f"search-{size}" / "chatdesk.db"
        _fill(db, size)

        async def measure(db: Path = db) -> tuple[list[float], list[float]]:
            repo = await ChatRepository.open(db)
            palette_times, ranked_times = [], []
            try:
                for word in ("the", "the", "model", "stream", "light", "answer") * 3:
                    request = SearchRequest(word, SearchFilter())
                    palette.field.setText(word)
                    palette._pending.stop()
                    started = time.perf_counter()
                    hits = await repo.search_messages(word, request.where)
                    palette.show_results(request, hits)
                    palette.results.viewport().repaint()  # painted, not only laid out
                    app.processEvents()
                    palette_times.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    await repo.search(word, limit=20)
                    ranked_times.append(time.perf_counter() - started)
            finally:
                await repo.close()
            return palette_times, ranked_times

        palette_times, ranked_times = asyncio.run(measure())
        median = statistics.median(palette_times[3:])
        ranked = statistics.median(ranked_times[3:])
        good = median * 1000 <= SEARCH_MS[size]
        ok &= good
        table.append(
            [
                f"{size:,} messages",
                fmt_seconds(ranked),
                fmt_seconds(median),
                ratio(median, ranked),
                f"≤ {SEARCH_MS[size]:.0f} ms",
                verdict(good),
            ]
        )
    print_table(
        [
            "search, common word",
            "ranked (before)",
            "palette: keystroke → 20 shown",
            "ratio",
            "target",
            "",
        ],
        table,
    )
    return ok


# --- 3. export ---------------------------------------------------------------------------------


def bench_export(work: Path) -> bool:
    from chatdesk.history.exporter import export_chats

    db = work / "export" / "chatdesk.db"
    _fill(db, 100_000)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row

    def dump_rows() -> None:
        rows = [dict(r) for r in conn.execute("SELECT * FROM messages ORDER BY id")]
        with (work / "rows.json").open("w", encoding="utf-8") as out:
            json.dump(rows, out, ensure_ascii=False)

    base = []
    ours = []
    for run in range(3):
        started = time.perf_counter()
        dump_rows()
        base.append(time.perf_counter() - started)
        started = time.perf_counter()
        export_chats(db, work / f"json-{run}", "json")
        ours.append(time.perf_counter() - started)
    conn.close()
    b, o = statistics.median(base), statistics.median(ours)
    good = o <= EXPORT_RATIO * b
    print_table(
        [
            "export 100,000 messages",
            "json.dump of the rows",
            "chatdesk JSON export",
            "ratio (≤1.5x)",
            "",
        ],
        [["", fmt_seconds(b), fmt_seconds(o), ratio(o, b), verdict(good)]],
    )
    return good


# --- 4. backup ---------------------------------------------------------------------------------


async def _ticker(stop: asyncio.Event) -> list[float]:
    gaps = []
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        gaps.append(now - last - 0.005)
        last = now
    return gaps


async def _streaming_with(db: Path, work: Path, backup: bool) -> tuple[float, float]:
    from chatdesk.history.backups import make_backup
    from chatdesk.storage.repository import ChatRepository

    repo = await ChatRepository.open(db)
    try:
        conversation = await repo.create_conversation("Streaming")
        message = await repo.append_message(conversation.id, "assistant", "")
        stop = asyncio.Event()
        ticker = asyncio.create_task(_ticker(stop))
        text = ""
        started = time.perf_counter()
        job = (
            asyncio.create_task(asyncio.to_thread(make_backup, db, work / "b.db"))
            if backup
            else None
        )
        for n in range(40 if job is None else 10_000):
            text += f" word{n}" * 20
            await repo.update_message(message.id, content=text)
            await asyncio.sleep(0.1)
            if job is not None and job.done():
                break
        took = time.perf_counter() - started
        stop.set()
        gaps = await ticker
        if job is not None:
            await job
        return max(gaps), took
    finally:
        await repo.close()


def bench_backup(work: Path, big: bool) -> bool:
    db = work / "backup" / "chatdesk.db"
    _fill(db, 1_000_000 if big else 200_000)
    size = db.stat().st_size / 2**20
    from chatdesk.history.backups import check_database

    started = time.perf_counter()
    problem = check_database(db)
    check = time.perf_counter() - started
    assert problem is None, problem
    started = time.perf_counter()
    with sqlite3.connect(db) as conn:
        conn.execute("SELECT count(*) FROM messages").fetchone()
    counting = time.perf_counter() - started
    print(
        f"start-up check (PRAGMA quick_check) of the {db.stat().st_size / 2**20:.0f} MB database:"
        f" {fmt_seconds(check)}; counting its messages: {fmt_seconds(counting)}"
    )
    quiet, _ = asyncio.run(_streaming_with(db, work, backup=False))
    stall, took = asyncio.run(_streaming_with(db, work, backup=True))
    good = stall * 1000 <= STALL_MS
    print_table(
        [
            "backup while streaming",
            "longest stall, no backup",
            "longest stall, backing up",
            "backup took",
            "target",
            "",
        ],
        [
            [
                f"{size:.0f} MB database",
                fmt_seconds(quiet),
                fmt_seconds(stall),
                fmt_seconds(took),
                f"≤ {STALL_MS:.0f} ms",
                verdict(good),
            ]
        ],
    )
    return good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--big", action="store_true", help="the 5x import, 1M search, 500 MB")
    parser.add_argument("--only", choices=("import", "search", "export", "backup"))
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="chatdesk-bench-") as tmp:
        work = Path(tmp)
        if args.only in (None, "import"):
            ok &= bench_import(work, [1, 5] if args.big else [1])
        if args.only in (None, "search"):
            ok &= bench_search(work, [100_000, 1_000_000] if args.big else [100_000])
        if args.only in (None, "export"):
            ok &= bench_export(work)
        if args.only in (None, "backup"):
            ok &= bench_backup(work, args.big)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
