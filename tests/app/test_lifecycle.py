"""The real process: `python -m chatdesk` starts, and SIGTERM / SIGINT end it cleanly (exit 0)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui


def _wait_for_log(data_dir: Path, text: str, proc: subprocess.Popen[bytes], limit_s: float) -> None:
    """Wait until the app log holds ``text`` (the app is up), or fail if the process died."""
    log = data_dir / "logs" / "app" / "chatdesk.log"
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"chatdesk exited early with {proc.returncode}")
        if log.exists() and text in log.read_text():
            return
        time.sleep(0.05)  # polling a file: there is no event to wait on across processes
    pytest.fail(f"{text!r} never appeared in {log}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_shuts_the_app_down_with_exit_code_0(data_dir: Path, signum: int) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "OPENROUTER_BASE_URL": "http://127.0.0.1:9/api/v1",
        "OPENROUTER_API_KEY": "sk-or-v1-lifecycle",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "chatdesk"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_log(data_dir, "starting", proc, 60)
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert "shutting down" in (data_dir / "logs" / "app" / "chatdesk.log").read_text()
    assert b"Traceback" not in stderr
