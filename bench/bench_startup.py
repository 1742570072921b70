"""Start-up benchmark: process start to the first paint of the main window with the last
conversation shown, and resident memory at that moment, against a bare PySide6 QMainWindow
measured the same way in the same run.

Targets: time <= 3x, memory <= 1.6x; with five MCP servers configured, first paint <= 1.05x
the same app with none (servers start after the first paint). The data dir is used and quit
once before the samples, as it is before any later start; the same data without that quit (no
render cache) is measured too.
Run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_startup``. Each sample is a fresh
process (interleaved with the baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import print_table, verdict

TIME_TARGET = 3.0
RSS_TARGET = 1.6
MCP_TARGET = 1.05  # first paint with five MCP servers configured vs none

FIVE_SERVERS = {
    "mcpServers": {
        **{
            f"calc{i}": {"command": "chatdesk", "args": ["mcp-server", "calculator"]}
            for i in range(3)
        },
        **{
            f"house{i}": {"command": "chatdesk", "args": ["mcp-server", "housekeeping"]}
            for i in range(2)
        },
    }
}

# Child programs print "PAINT <rss_kib>" at the first paint of the main window, then exit.
# The probe is an event filter on that one window, installed just before it is shown, in both
# children alike. (An application-wide Python event filter would itself cost the app ~30 ms:
# PySide6 must find a Python type for every QObject that receives an event, and for Qt's
# private ones, such as a QListWidget's model, it resolves its lazily loaded classes and their
# enums. A bare window has no such objects, so that filter measured the probe, not the app.)
_PAINT_PROBE = """
import os, sys
from PySide6.QtCore import QEvent, QObject
def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print("PAINT", rss_kib(), flush=True)
            os._exit(0)
        return False
probe = FirstPaint()
"""

BARE = (
    _PAINT_PROBE
    + """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1180, 780)
w.installEventFilter(probe)
w.show()
app.exec()
"""
)

CHATDESK = (
    """
import sys
from chatdesk.app.main import main  # first, as in `python -m chatdesk`: the same import order
"""
    + _PAINT_PROBE.replace(
        'print("PAINT"',
        'assert obj.controller.conversation_id is not None, "last conversation not shown"\n'
        '            print("PAINT"',
    )
    + """
from chatdesk.ui.shell.main_window import MainWindow
_show = MainWindow.show
def show(window):
    window.installEventFilter(probe)
    _show(window)
MainWindow.show = show
from PySide6.QtWidgets import QApplication
app = QApplication(sys.argv[:1])
main(sys.argv[:1])
"""
)


async def _prepare(data_dir: Path, messages: int) -> None:
    """A data dir with one conversation of ``messages`` messages, marked as the last open one."""
    from chatdesk.storage.repository import ChatRepository

    repo = await ChatRepository.open(data_dir / "chatdesk.db")
    conv = await repo.create_conversation("Benchmark conversation")
    rows = [
        ("user" if i % 2 == 0 else "assistant", f"Message {i}: " + "lorem ipsum dolor " * 20)
        for i in range(messages)
    ]
    await repo.import_messages(conv.id, rows)  # type: ignore[arg-type]
    await repo.close()
    (data_dir / "window-state.ini").write_text(f"[session]\nlast_conversation={conv.id}\n")


# Starts the app, says "PAINT" once the window is on screen, and exits as the app does on SIGTERM.
USE_ONCE = """
import sys
from chatdesk.app.main import main
from chatdesk.ui.shell.main_window import MainWindow
_show = MainWindow.show
def show(window):
    window.firstPainted.connect(lambda: print("PAINT", flush=True))
    _show(window)
MainWindow.show = show
sys.exit(main(sys.argv[:1]))
"""


def _use_once(env: dict[str, str]) -> None:
    """Start the app and quit it cleanly, as a user does before any later start: what a quit
    leaves (the render cache of the conversation's newest answers) is then there."""
    proc = subprocess.Popen(
        [sys.executable, "-c", USE_ONCE], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=60)
    if not line.startswith("PAINT") or code != 0:
        raise RuntimeError(f"the app did not start and quit cleanly: {line!r}, exit code {code}")


def _sample(code: str, env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.wait(timeout=30)
    if not line.startswith("PAINT"):
        raise RuntimeError(f"child did not paint: {line!r}")
    return elapsed, int(line.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    runs = max(5, args.runs)
    # As installed: byte-code compiled (even where PYTHONDONTWRITEBYTECODE is set).
    subprocess.run([sys.executable, "-m", "compileall", "-q", "src"], check=False)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "none"
        data_dir.mkdir()
        asyncio.run(_prepare(data_dir, args.messages))
        (data_dir / "mcp_servers.json").write_text('{"mcpServers": {}}')
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
            "CHATDESK_DATA_DIR": str(data_dir),
            "OPENROUTER_BASE_URL": "http://127.0.0.1:9/api/v1",  # nothing leaves the machine
            "OPENROUTER_API_KEY": "sk-or-v1-bench",
        }
        # The same data as never quit cleanly (a crash, or the first start of a new version).
        uncached_dir = Path(tmp) / "uncached"
        shutil.copytree(data_dir, uncached_dir)
        _use_once(env)
        five_dir = Path(tmp) / "five"
        shutil.copytree(data_dir, five_dir)
        (five_dir / "mcp_servers.json").write_text(json.dumps(FIVE_SERVERS))
        five_env = {**env, "CHATDESK_DATA_DIR": str(five_dir)}
        uncached_env = {**env, "CHATDESK_DATA_DIR": str(uncached_dir)}
        _sample(BARE, env), _sample(CHATDESK, env)  # warm the OS file cache
        bare_t: list[float] = []
        app_t: list[float] = []
        five_t: list[float] = []
        cold_t: list[float] = []
        bare_m: list[int] = []
        app_m: list[int] = []
        variants = [(env, app_t), (five_env, five_t), (uncached_env, cold_t)]
        for run in range(runs):
            t, m = _sample(BARE, env)
            bare_t.append(t)
            bare_m.append(m)
            shift = run % len(variants)  # no variant always runs right after the baseline
            for variant_env, times in variants[shift:] + variants[:shift]:
                t, m = _sample(CHATDESK, variant_env)
                times.append(t)
                if times is app_t:
                    app_m.append(m)
    bt, at = statistics.median(bare_t), statistics.median(app_t)
    bm, am = statistics.median(bare_m), statistics.median(app_m)
    ft, ct = statistics.median(five_t), statistics.median(cold_t)
    print(
        f"first paint, median of {runs} fresh processes each; last conversation has "
        f"{args.messages} messages"
    )
    print_table(
        ["measure", "chatdesk", "bare QMainWindow", "ratio", "target", "result"],
        [
            [
                "process start -> first paint",
                f"{at * 1000:.0f} ms",
                f"{bt * 1000:.0f} ms",
                f"{at / bt:.2f}x",
                f"<= {TIME_TARGET:.1f}x",
                verdict(at / bt <= TIME_TARGET),
            ],
            [
                "the same without a render cache (no clean quit before)",
                f"{ct * 1000:.0f} ms",
                f"{bt * 1000:.0f} ms",
                f"{ct / bt:.2f}x",
                f"<= {TIME_TARGET:.1f}x",
                verdict(ct / bt <= TIME_TARGET),
            ],
            [
                "resident memory at first paint",
                f"{am / 1024:.0f} MB",
                f"{bm / 1024:.0f} MB",
                f"{am / bm:.2f}x",
                f"<= {RSS_TARGET:.1f}x",
                verdict(am / bm <= RSS_TARGET),
            ],
            [
                "first paint, 5 MCP servers configured vs none",
                f"{ft * 1000:.0f} ms",
                f"{at * 1000:.0f} ms (none)",
                f"{ft / at:.2f}x",
                f"<= {MCP_TARGET:.2f}x",
                verdict(ft / at <= MCP_TARGET),
            ],
        ],
    )


if __name__ == "__main__":
    main()
