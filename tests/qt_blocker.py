"""Importing this module makes PySide6, shiboken6, qasync and pytest-qt unimportable."""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from types import ModuleType

BLOCKED = ("PySide6", "shiboken6", "qasync", "pytestqt", "chatdesk.ui")


class _QtBlocker(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> None:
        if fullname.split(".")[0] in BLOCKED or fullname.startswith("chatdesk.ui"):
            raise ImportError(f"{fullname} is blocked: the core must not import Qt")
        return None


sys.meta_path.insert(0, _QtBlocker())
