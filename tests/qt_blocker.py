"""Importing this module makes PySide6, shiboken6, qasync and pytest-qt unimportable, and
chatdesk.ui too unless QT_BLOCKER_ALLOW_UI=1 (to import the Qt-free modules under ui/)."""

from __future__ import annotations

import importlib.abc
import os
import sys
from collections.abc import Sequence
from types import ModuleType

BLOCKED = ("PySide6", "shiboken6", "qasync", "pytestqt")
ALLOW_UI = os.environ.get("QT_BLOCKER_ALLOW_UI") == "1"


class _QtBlocker(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        if fullname.split(".")[0] in BLOCKED or (
            not ALLOW_UI and fullname.startswith("chatdesk.ui")
        ):
            raise ImportError(f"{fullname} is blocked: the core must not import Qt")
        return None


sys.meta_path.insert(0, _QtBlocker())
