"""File names for exported chats: readable, safe on every file system, never overwriting."""

from __future__ import annotations

import re
import time
from pathlib import Path

__all__ = ["chat_file_name", "unique_path"]

_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')


def chat_file_name(title: str, created_at: float, suffix: str) -> str:
    """``2024-05-01 Title.suffix``: the chat's date, then its title made safe."""
    day = time.strftime("%Y-%m-%d", time.localtime(created_at)) if created_at > 0 else "undated"
    safe = _UNSAFE.sub(" ", title).strip(" .") or "chat"
    return f"{day} {' '.join(safe.split())[:80]}{suffix}"


def unique_path(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name (2)`` and so on when that file exists."""
    candidate = folder / name
    stem, suffix = candidate.stem, candidate.suffix
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem} ({number}){suffix}"
        number += 1
    return candidate
