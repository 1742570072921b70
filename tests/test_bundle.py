"""The one-folder bundle from chatdesk.spec, built and used as a user would: it starts
offscreen to the first paint and quits cleanly, its built-in calculator MCP server answers
from the bundle, and it leaves out what chatdesk does not use."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters
from mcp.types import TextContent

from fakes.ports import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: The bundle's size target (issue #15).
MAX_MB = 220


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """dist/chatdesk/chatdesk, built from the spec into a temporary folder."""
    out = tmp_path_factory.mktemp("bundle")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
            str(ROOT / "chatdesk.spec"),
        ],
        cwd=ROOT,
        check=True,
        timeout=900,
    )
    yield out / "dist" / "chatdesk" / "chatdesk"


def _size_mb(folder: Path) -> float:
    files = (f for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    return sum(f.stat().st_size for f in files) / 1e6


def test_the_bundle_starts_paints_and_quits_cleanly(bundle: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {
        **os.environ,
        "CHATDESK_DATA_DIR": str(data),
        "QT_QPA_PLATFORM": "offscreen",
        "OPENROUTER_BASE_URL": f"http://127.0.0.1:{free_port()}/api/v1",  # nothing beyond
        "OPENROUTER_API_KEY": "sk-test",
    }
    proc = subprocess.Popen([str(bundle)], env=env)
    log = data / "logs" / "app" / "chatdesk.log"
    try:
        for _ in range(600):  # polling the log file for the first paint (up to 60 s)
            if log.exists() and "window painted" in log.read_text():
                break
            try:
                proc.wait(timeout=0.1)
                pytest.fail(f"the bundle exited at start (code {proc.returncode})")
            except subprocess.TimeoutExpired:
                pass
        else:
            pytest.fail("the bundle did not paint within 60 s")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
    assert code == 0
    assert "shutting down" in log.read_text()
    folder = bundle.parent
    assert _size_mb(folder) <= MAX_MB, f"{_size_mb(folder):.0f} MB"
    names = {p.name for p in folder.rglob("*")}
    for unused in ("libQt6WebEngineCore.so.6", "libQt6Quick.so.6", "libQt6Pdf.so.6"):
        assert unused not in names
    assert not any(n.startswith(("pytest", "_pytest", "mypy")) for n in names)
    assert (folder / "_internal" / "resources" / "chatdesk.png").exists()


def test_the_built_in_calculator_runs_from_the_bundle(bundle: Path) -> None:
    async def calculate() -> str:
        server = StdioServerParameters(command=str(bundle), args=["mcp-server", "calculator"])
        async with Client(server) as client:
            result = await client.call_tool("calculate", {"expression": "6 * 7"})
            first = result.content[0]
            assert isinstance(first, TextContent)
            return first.text

    assert asyncio.run(calculate()) == "42"
