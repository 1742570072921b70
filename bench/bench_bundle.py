"""Bundle benchmark: the installed app's start to its first paint against the venv's, and the
bundle's size. Targets (issue #15): start <= 1.2x the venv start; size <= 220 MB.

Each start is a fresh process on the same data dir (used once before, as a user's is),
offscreen, until the app logs "window painted"; the two kinds alternate so that the machine's
drift hits both alike. Build the bundle first (``make bundle``).

Run from the repository root: ``.venv/bin/python -m bench.bench_bundle [--runs N]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import fmt_seconds, print_table, verdict

BUNDLE = Path("dist/chatdesk/chatdesk")
TARGET_RATIO = 1.2
TARGET_MB = 220


def _start(command: list[str], data: Path) -> float:
    """Seconds from the process start to "window painted" in its log."""
    log = data / "logs" / "app" / "chatdesk.log"
    before = log.read_text() if log.exists() else ""
    env = {
        **os.environ,
        "CHATDESK_DATA_DIR": str(data),
        "QT_QPA_PLATFORM": "offscreen",
        "OPENROUTER_BASE_URL": "http://127.0.0.1:9/api/v1",  # nothing beyond this computer
        "OPENROUTER_API_KEY": "sk-bench",
    }
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env)
    try:
        while True:
            text = log.read_text() if log.exists() else ""
            if "window painted" in text[len(before) :]:
                return time.perf_counter() - started
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited at start ({proc.returncode})")
            time.sleep(0.005)  # polling the log: the paint is in another process
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def _size_mb(folder: Path) -> float:
    files = (f for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    return sum(f.stat().st_size for f in files) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not BUNDLE.exists():
        print("no bundle: run `make bundle` first")
        return
    venv = [sys.executable, "-m", "chatdesk"]
    bundle = [str(BUNDLE.resolve())]
    with tempfile.TemporaryDirectory() as tmp:
        data_venv, data_bundle = Path(tmp) / "venv", Path(tmp) / "bundle"
        _start(venv, data_venv)  # first runs: migrations, seeded servers
        _start(bundle, data_bundle)
        times: dict[str, list[float]] = {"venv": [], "bundle": []}
        for _ in range(max(3, args.runs)):
            times["venv"].append(_start(venv, data_venv))
            times["bundle"].append(_start(bundle, data_bundle))
    v, b = statistics.median(times["venv"]), statistics.median(times["bundle"])
    size = _size_mb(BUNDLE.parent)
    print(f"{len(times['venv'])} starts each, alternating; median start to first paint")
    print_table(
        ["measure", "bundle", "venv", "ratio", "target", ""],
        [
            [
                "start to first paint",
                fmt_seconds(b),
                fmt_seconds(v),
                f"{b / v:.3f}x",
                f"<= {TARGET_RATIO:g}x",
                verdict(b / v <= TARGET_RATIO),
            ],
            ["bundle size", f"{size:.0f} MB", "", "", f"<= {TARGET_MB} MB", verdict(size <= 220)],
        ],
    )


if __name__ == "__main__":
    main()
