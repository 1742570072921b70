"""The presentation logic under ui/ that must not need Qt imports with PySide6 unimportable.

(tests/qt_blocker.py also blocks chatdesk.ui, so this test blocks the Qt packages alone.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import chatdesk

ROOT = Path(chatdesk.__file__).resolve().parent.parent.parent
QT_FREE = (
    "chatdesk.ui.chat.tool_cards.tool_outcome",
    "chatdesk.ui.chat.tool_cards.tool_results",
    "chatdesk.ui.kit.formatting",
    "chatdesk.ui.rendering.markdown",
    "chatdesk.ui.rendering.start_renders",
)
_BLOCKER = """
import importlib.abc, sys
class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in ("PySide6", "shiboken6", "qasync", "pytestqt"):
            raise ImportError(f"{fullname} is blocked")
        return None
sys.meta_path.insert(0, _Block())
"""


def test_qt_free_ui_modules_import_without_qt() -> None:
    code = _BLOCKER + "import importlib\n"
    code += "\n".join(f"importlib.import_module({m!r})" for m in QT_FREE)
    code += "\nassert not any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )
    assert proc.returncode == 0, proc.stderr


def test_the_blocker_blocks_pyside() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _BLOCKER + "import PySide6.QtCore"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0 and "blocked" in proc.stderr
