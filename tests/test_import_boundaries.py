"""The core never imports Qt: every module outside ui/ and app/ imports with PySide6 blocked,
and the headless test suites pass with PySide6 unimportable. The Qt-free modules under ui/
(the Markdown renderer, the presentation rules) import with PySide6 blocked too.

(`make lint` checks the same layers statically with import-linter: see pyproject.toml.)"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import chatdesk

SRC = Path(chatdesk.__file__).resolve().parent
ROOT = SRC.parent.parent
BLOCKER = Path(__file__).with_name("qt_blocker.py")
HEADLESS_SUITES = ("core", "providers", "storage", "mcp_tools", "speech", "attachments", "history")


def _headless_modules() -> list[str]:
    mods = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC.parent).with_suffix("")
        parts = rel.parts
        if parts[1:2] in (("ui",), ("app",)) or parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods.append(".".join(parts))
    return mods


def _qt_free_ui() -> list[str]:
    """Modules under ui/ that hold logic, not widgets: the import-linter contract's list."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [
        c for c in config["tool"]["importlinter"]["contracts"] if c.get("id") == "qt-free-ui"
    ]
    return list(contract["source_modules"])


def _run(code: str, *, allow_ui: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(BLOCKER.parent), str(SRC.parent)])}
    env["QT_BLOCKER_ALLOW_UI"] = "1" if allow_ui else "0"
    return subprocess.run(
        [sys.executable, "-c", f"import qt_blocker\n{code}"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_blocker_really_blocks_pyside() -> None:
    proc = _run("import PySide6.QtCore")
    assert proc.returncode != 0
    assert "blocked" in proc.stderr


def test_every_headless_module_imports_without_qt() -> None:
    modules = _headless_modules()
    assert "chatdesk.core.orchestrator" in modules
    assert "chatdesk.storage.repository" in modules
    code = "import importlib\n" + "\n".join(f"importlib.import_module({m!r})" for m in modules)
    code += "\nimport sys\nassert not any(m.startswith('PySide6') for m in sys.modules)"
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr


def test_the_blocker_blocks_the_ui_package_unless_allowed() -> None:
    proc = _run("import chatdesk.ui.rendering.markdown")
    assert proc.returncode != 0
    assert "blocked" in proc.stderr
    proc = _run("import chatdesk.ui.kit.icons", allow_ui=True)
    assert proc.returncode != 0
    assert "PySide6" in proc.stderr


def test_the_qt_free_ui_modules_import_without_qt() -> None:
    modules = _qt_free_ui()
    assert "chatdesk.ui.rendering.markdown" in modules
    code = "import importlib\n" + "\n".join(f"importlib.import_module({m!r})" for m in modules)
    code += "\nimport sys\nassert not any(m.startswith('PySide6') for m in sys.modules)"
    proc = _run(code, allow_ui=True)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_headless_suites_pass_without_qt() -> None:
    suites = [
        str(p) for p in (ROOT / "tests").iterdir() if p.is_dir() and p.name in HEADLESS_SUITES
    ]
    # The bundle's test builds with PyInstaller, which needs Qt (and takes a minute).
    skipped = (Path(__file__).name, "test_bundle.py")
    suites += [str(p) for p in (ROOT / "tests").glob("test_*.py") if p.name not in skipped]
    code = (
        "import sys, pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:pytest-qt', '-p', 'no:cacheprovider', "
        f"*{suites!r}]))"
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert " passed" in proc.stdout


def test_the_app_module_paints_without_the_event_loop_stack() -> None:
    """app.main paints the window before it imports asyncio (with ssl), aiosqlite and qasync,
    the typed turn events and the presets: importing chatdesk.app.main must not pull them in (see
    bench/bench_startup.py)."""
    late = ("asyncio", "ssl", "aiosqlite", "qasync", "httpx", "mcp")
    late += ("chatdesk.core.events", "chatdesk.core.presets", "chatdesk.core.orchestrator")
    late += ("markdown_it",)
    code = (
        "import sys\nimport chatdesk.app.main\n"
        f"late = [m for m in {late!r} if m in sys.modules]\n"
        "print(late)\nassert not late, late"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
