"""Switching branch in the chat view, against opening the conversation (offscreen Qt, SQLite).

Run from the repository root:
``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_branches_ui [--runs N]``.

A conversation of 2,000 messages on its active path with 50 forks (every 40 messages the
question has a second answer with a short continuation; the last answer was given twice; the
second-to-last question was edited and answered) is stored in a real database. In one
process and one 1000x800 window, alternately:

- **open**: what opening the conversation does: read its last page of the active path and show
  it (``ChatView.show_conversation``, 6 messages), until the view has painted;
- **switch**: what the navigator does: ``switch_branch`` to the other alternative, read the
  path as far back as the view shows it, ``ChatView.show_path``, until painted. Two cases: the
  two answers to the last question (one message changes: the common case), and the two
  versions of the question before it (four messages change to two, and back).

Targets (issue #12): a switch paints in ≤ 50 ms and ≤ 0.5x opening the conversation.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import WORDS, fmt_seconds, print_table, ratio, verdict

PATH_LENGTH = 2000
FORKS = 50
WINDOW_SIZE = (1000, 800)
FIRST_PAGE = 6  # ChatController.FIRST_PAGE
TARGET_S = 0.050
TARGET_RATIO = 0.5


def _text(rnd: random.Random, words: int) -> str:
    return " ".join(rnd.choice(WORDS) for _ in range(words)).capitalize() + "."


def build(path: Path) -> dict[str, int]:
    """The conversation: returns ids of the alternatives to switch between."""
    from chatdesk.storage.repository import ChatRepository

    async def make_schema() -> int:
        repo = await ChatRepository.open(path)
        conv = await repo.create_conversation("Bench")
        await repo.close()
        return conv.id

    conv_id = asyncio.run(make_schema())
    rnd = random.Random(12)
    conn = sqlite3.connect(path)
    rows: list[tuple[Any, ...]] = []
    next_id = 1
    parent: int | None = None
    fork_every = PATH_LENGTH // FORKS
    alternatives: dict[str, int] = {}
    for i in range(PATH_LENGTH):
        role = "user" if i % 2 == 0 else "assistant"
        content = (
            _text(rnd, 12)
            if role == "user"
            else "\n\n".join(_text(rnd, 40) for _ in range(rnd.randint(1, 3)))
        )
        rows.append((next_id, conv_id, parent, role, content, 1.0, 1.0))
        this = next_id
        next_id += 1
        fork = role == "assistant" and ((i + 1) % fork_every == 0 or i == PATH_LENGTH - 1)
        if fork and i == PATH_LENGTH - 1:  # the last answer, given again
            sibling = next_id
            rows.append((sibling, conv_id, parent, "assistant", _text(rnd, 60), 1.0, 1.0))
            next_id += 1
            alternatives["last_a"], alternatives["last_b"] = this, sibling
        elif fork:  # a second answer to the same question, with a follow-up
            sibling = next_id
            rows.append((sibling, conv_id, parent, "assistant", _text(rnd, 60), 1.0, 1.0))
            rows.append((sibling + 1, conv_id, sibling, "user", _text(rnd, 10), 1.0, 1.0))
            rows.append((sibling + 2, conv_id, sibling + 1, "assistant", _text(rnd, 50), 1, 1))
            next_id += 3
        if i == PATH_LENGTH - 4:  # a question higher up in the view with a second version
            alternatives["upper_question"] = this
        parent = this
    upper = alternatives["upper_question"]
    upper_parent = next(r[2] for r in rows if r[0] == upper)
    alt = next_id
    rows.append((alt, conv_id, upper_parent, "user", _text(rnd, 12), 1.0, 1.0))
    rows.append((alt + 1, conv_id, alt, "assistant", _text(rnd, 80), 1.0, 1.0))
    alternatives["upper_alternative"] = alt
    conn.executemany(
        "INSERT INTO messages (id, conversation_id, parent_id, role, content, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute(
        "UPDATE conversations SET active_leaf_id = ? WHERE id = ?",
        (alternatives["last_a"], conv_id),
    )
    conn.commit()
    conn.close()
    alternatives["conversation"] = conv_id
    return alternatives


def run(runs: int) -> dict[str, list[float]]:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QMainWindow

    from chatdesk.storage.repository import ChatRepository
    from chatdesk.ui.chat.chat_view import ChatView

    app = QApplication.instance() or QApplication([])
    folder = tempfile.TemporaryDirectory()
    db = Path(folder.name) / "chatdesk.db"
    ids = build(db)
    conv = ids["conversation"]
    loop = asyncio.new_event_loop()
    repo = loop.run_until_complete(ChatRepository.open(db))
    win = QMainWindow()
    win.resize(*WINDOW_SIZE)
    view = ChatView()
    win.setCentralWidget(view)
    win.show()
    painted: list[float] = []

    class PaintSpy(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(time.perf_counter())
            return False

    spy = PaintSpy()
    view.widget().installEventFilter(spy)

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def until_painted(start: float) -> float:
        deadline = start + 10
        while not painted and time.perf_counter() < deadline:
            app.processEvents()
        return time.perf_counter() - start

    shown_from: list[int] = []

    def open_conversation() -> float:
        settle()
        painted.clear()
        start = time.perf_counter()
        page = loop.run_until_complete(repo.list_messages(conv, limit=FIRST_PAGE + 1))
        view.show_conversation(page[-FIRST_PAGE:], has_older=len(page) > FIRST_PAGE)
        took = until_painted(start)
        shown_from[:] = [page[-FIRST_PAGE].id]
        return took

    def switch(target: int) -> float:
        settle()
        painted.clear()
        start = time.perf_counter()
        loop.run_until_complete(repo.switch_branch(target))
        page = loop.run_until_complete(repo.list_messages(conv, limit=51))
        oldest = shown_from[0]
        if any(m.id == oldest for m in page):
            page = [m for m in page if m.id >= oldest]
        view.show_path(page, has_older=True)
        return until_painted(start)

    results: dict[str, list[float]] = {"open": [], "switch_last": [], "switch_upper": []}
    for _ in range(runs):
        loop.run_until_complete(repo.switch_branch(ids["last_a"]))
        results["open"].append(open_conversation())
        results["switch_last"].append(switch(ids["last_b"]))
        results["switch_last"].append(switch(ids["last_a"]))
        results["switch_upper"].append(switch(ids["upper_alternative"]))
        results["switch_upper"].append(switch(ids["upper_question"]))
    loop.run_until_complete(repo.close())
    loop.close()
    win.close()
    folder.cleanup()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    results = run(args.runs)
    opened = statistics.median(results["open"])
    rows = [["open the conversation (baseline)", fmt_seconds(opened), "1.00x", ""]]
    ok_all = True
    for key, label in (
        ("switch_last", "switch the last answer's alternative"),
        ("switch_upper", "switch a question higher up in the view"),
    ):
        took = statistics.median(results[key])
        ok = took <= TARGET_S and took <= TARGET_RATIO * opened
        ok_all &= ok
        rows.append([label, fmt_seconds(took), ratio(took, opened), verdict(ok)])
    print(f"{PATH_LENGTH}-message path, {FORKS} forks, {args.runs} runs (medians), to first paint")
    print_table(["operation", "time", "vs open", "≤50 ms and ≤0.5x"], rows)
    raise SystemExit(0 if ok_all else 1)


if __name__ == "__main__":
    main()
