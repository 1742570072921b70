"""PySide6 6.12.0 aborts Python 3.11 after ~5,000 calls of void methods (none_dealloc).

The project pins PySide6 below 6.12; this test makes 20,000 such calls in a child process (an
abort would kill pytest itself) so a bad upgrade is caught here, not by a user's crash.
"""

from __future__ import annotations

import os
import subprocess
import sys

import PySide6
import pytest

pytestmark = pytest.mark.gui

VOID_CALLS = """
from PySide6.QtGui import QGuiApplication, QTextCursor, QTextDocument
app = QGuiApplication([])
doc = QTextDocument()
cursor = QTextCursor(doc)
for i in range(20_000):
    cursor.insertText("x")          # returns nothing
    if i % 1000 == 0:
        app.processEvents()         # returns nothing
print(doc.characterCount())
"""


def test_pyside6_is_below_the_broken_release() -> None:
    major, minor = (int(p) for p in PySide6.__version__.split(".")[:2])
    assert (major, minor) < (6, 12), PySide6.__version__


def test_twenty_thousand_void_calls_do_not_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", VOID_CALLS], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "none_dealloc" not in proc.stderr
    assert proc.stdout.strip() == "20001"
